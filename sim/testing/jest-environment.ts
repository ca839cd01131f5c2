// The Jest integration, a test environment: `testEnvironment: 'filemon-sim/jest'`
// (or `preset: 'filemon-sim'`, which also closes the guest of a --runInBand
// run at the end). Each Jest worker process keeps one Simulator, shared by
// every test file it runs (Jest loads environments outside the files'
// sandboxes, once per worker) and restored to its starting state when a new
// file begins if asked (testEnvironmentOptions: { restoreEachFile: true },
// or FILEMON_SIM_RESTORE=file); tests reach it as the global
// filemonSimulator(), and expect(result).toMatchTrace('golden/name.log')
// checks a golden trace, rewritten by `jest -u`.
//
//   test('copies', async () => {
//     const sim = await filemonSimulator();
//     expect(await sim.trace('cp a b')).toMatchTrace('golden/cp.log');
//   });
/**
 * For Jest: the test environment of `preset: 'filemon-sim'`, one guest per worker.
 * @module filemon-sim/jest
 */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
// Makes the 'expect' module known to the augmentation below.
import type {} from 'expect';
import type { Simulator } from '../index.js';
import { beginFile, closeSharedSimulator } from './shared.js';
import { traceMatcher, type TraceMatcherOptions } from './trace-matcher.js';

export type { TraceMatcherOptions } from './trace-matcher.js';

declare global {
  /** The Simulator of this Jest worker, started before the file's tests. */
  function filemonSimulator(): Promise<Simulator>;
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The trace (a trace result, a Trace, or a log) matches the golden file; relative paths are from the test file's folder. */
      toMatchTrace(golden: string, opts?: TraceMatcherOptions): R;
    }
  }
}

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The trace (a trace result, a Trace, or a log) matches the golden file; relative paths are from the test file's folder. */
    toMatchTrace(golden: string, opts?: TraceMatcherOptions): R;
  }
}

/** Jest's `testEnvironmentOptions` for this environment. */
export interface FilemonSimEnvironmentOptions {
  /** Restore the starting state when a file begins (default: FILEMON_SIM_RESTORE=file). */
  restoreEachFile?: boolean;
}

type Config = ConstructorParameters<typeof NodeEnvironment>[0];
type Context = ConstructorParameters<typeof NodeEnvironment>[1];
/** The part of jest-circus's events this environment reads. */
interface CircusEvent {
  name: string;
  runtimeGlobals?: { expect?: { extend(matchers: Record<string, unknown>): void } };
}

/** jest-worker's message telling a worker process to end (its CHILD_MESSAGE_END). */
const JEST_WORKER_END = 2;
let closesWithWorker = false;

/**
 * A Jest worker process ends by letting its event loop run dry, which a
 * running guest never does: close the guest when the worker is told to end.
 * (In Jest's own process, --runInBand, the preset's globalTeardown does.)
 */
function closeWithWorker(): void {
  if (closesWithWorker || !process.send || !process.env.JEST_WORKER_ID) return;
  closesWithWorker = true;
  const onMessage = (m: unknown): void => {
    if (!Array.isArray(m) || m[0] !== JEST_WORKER_END) return;
    // A 'message' listener holds the process open too.
    process.off('message', onMessage);
    void closeSharedSimulator();
  };
  process.on('message', onMessage);
}

/** Jest's test environment `filemon-sim/jest`: a node environment whose worker keeps one Simulator for all the files it runs, with `filemonSimulator()` and `toMatchTrace` as globals. */
export default class FilemonSimEnvironment extends NodeEnvironment {
  private readonly testPath: string;
  private readonly restoreEachFile?: boolean;

  constructor(config: Config, context: Context) {
    super(config, context);
    this.testPath = context.testPath;
    const opts = (config.projectConfig.testEnvironmentOptions ?? {}) as FilemonSimEnvironmentOptions;
    this.restoreEachFile = opts.restoreEachFile;
  }

  /** Starts (or restores) the worker's guest before the file loads: no test timeout covers a boot. */
  override async setup(): Promise<void> {
    await super.setup();
    closeWithWorker();
    const sim = await beginFile(this.testPath, this.restoreEachFile);
    this.global.filemonSimulator = () => Promise.resolve(sim);
  }

  /** jest-circus's first event hands over the file's expect: the matcher goes on it. */
  handleTestEvent(event: CircusEvent): void {
    if (event.name === 'setup') event.runtimeGlobals?.expect?.extend({ toMatchTrace: traceMatcher('jest') });
  }
}

export { FilemonSimEnvironment as TestEnvironment };
