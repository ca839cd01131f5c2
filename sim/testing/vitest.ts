// The vitest integration: `import { test, expect } from 'filemon-sim/vitest'`.
// test.extend gives each test `sim`, a Simulator shared by every file its
// worker runs (threads or forks pool; with vitest's default isolation each
// file has a worker of its own, with isolate: false files share it),
// restored to its starting state when a new file begins if asked
// (FILEMON_SIM_RESTORE=file), closed when the worker ends; and
// expect(result).toMatchTrace('golden/name.log'), updated by `vitest -u`.
//
//   test('copies', async ({ sim }) => {
//     expect(await sim.trace('cp a b')).toMatchTrace('golden/cp.log');
//   });
/**
 * For vitest: `test` with a worker-scoped `sim` fixture, and `toMatchTrace` on `expect`.
 * @module filemon-sim/vitest
 */
import { expect, test as base } from 'vitest';
import type { Simulator } from '../index.js';
import { beginFile, closeSharedSimulator, sharedSimulator } from './shared.js';
import { traceMatcher, type TraceMatcherOptions } from './trace-matcher.js';

export { configureSharedSimulator as configure, type SharedSimulatorOptions } from './shared.js';
export type { TraceMatcherOptions } from './trace-matcher.js';

expect.extend({ toMatchTrace: traceMatcher('vitest') });

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: vitest declares Matchers<T = any>; a merged declaration must repeat it.
  interface Matchers<T = any> {
    /** The trace (a trace result, a Trace, or a log) matches the golden file; relative paths are from the test file's folder. */
    toMatchTrace(golden: string, opts?: TraceMatcherOptions): T;
  }
}

/** The worker's shared Simulator, for hooks outside the fixture (beforeAll, say). */
export const simulator = sharedSimulator;

/** vitest's `test` with a `sim` fixture: the worker's Simulator, restored when a new file begins if asked. */
export const test = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from its first parameter's destructuring: this one has none.
  .extend('filemonGuest', { scope: 'worker' }, async ({}, { onCleanup }) => {
    const sim = await sharedSimulator();
    onCleanup(closeSharedSimulator);
    return sim;
  })
  .extend('sim', async ({ filemonGuest, task }): Promise<Simulator> => {
    await beginFile(task.file.filepath);
    return filemonGuest;
  });

/** The same as {@link test}. */
export const it = test;
export { expect };
