// expect(result).toMatchTrace('golden/name.log'): the golden-trace check as a
// matcher for runners with Jest's expect (vitest, Jest). A relative path is
// taken from the test file's folder, as snapshots are; the runner's update
// flag (`-u`) or FILEMON_SIM_UPDATE=1 rewrites the file, and, as the
// runners do for snapshots outside CI, a missing file is written.
import { AssertionError } from 'node:assert';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { IgnoreOptions } from '../diff/index.js';
import { assertTraceMatches, isTraceLike } from './golden.js';

/** Options of `toMatchTrace`: what the comparison leaves out (rewriting comes from the runner's `-u`). */
export interface TraceMatcherOptions {
  /** What to leave out of both sides; see IgnoreOptions. */
  ignore?: IgnoreOptions;
}

/** What the runners' matcher context (`this`) holds that the matcher reads. */
export interface TraceMatcherContext {
  isNot?: boolean;
  testPath?: string;
  /** Both runners keep their update mode in its _updateSnapshot: 'all' with -u, 'new' by default, 'none' with --ci or in CI. */
  snapshotState?: unknown;
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The golden file's path: absolute, or relative to the test file's folder (else the working directory). */
function goldenPath(golden: string, testPath?: string): string {
  return isAbsolute(golden) ? golden : resolve(testPath ? dirname(testPath) : process.cwd(), golden);
}

/** The matcher for a runner whose update flag is `${runner} -u`. */
export function traceMatcher(runner: string) {
  return function toMatchTrace(this: TraceMatcherContext, received: unknown, golden: string, opts: TraceMatcherOptions = {}): MatcherResult {
    return matchTrace(this, runner, received, golden, opts);
  };
}

function matchTrace(ctx: TraceMatcherContext, runner: string, received: unknown, golden: string, opts: TraceMatcherOptions): MatcherResult {
  if (typeof golden !== 'string' || !golden) throw new TypeError("toMatchTrace wants the golden file's path, as toMatchTrace('golden/name.log')");
  if (!isTraceLike(received)) {
    throw new TypeError(`toMatchTrace wants a trace result (await sim.trace(...)), a Trace, or a log's text or bytes; got ${received === null ? 'null' : typeof received}`);
  }
  const path = goldenPath(golden, ctx.testPath);
  const mode = (ctx.snapshotState as { _updateSnapshot?: 'all' | 'new' | 'none' } | undefined)?._updateSnapshot;
  // .not never writes: it asserts a difference.
  const update = !ctx.isNot && (process.env.FILEMON_SIM_UPDATE === '1' || mode === 'all');
  try {
    assertTraceMatches(received, path, {
      ignore: opts.ignore,
      update,
      writeMissing: !ctx.isNot && mode === 'new',
      updateHint: `${runner} -u or FILEMON_SIM_UPDATE=1`,
    });
  } catch (e) {
    if (!(e instanceof AssertionError)) throw e;
    return { pass: false, message: () => e.message };
  }
  return { pass: true, message: () => `the trace matches golden trace ${path}, expected it to differ` };
}
