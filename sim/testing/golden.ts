// Golden traces: a command's normalized trace kept as a file in the user's
// repository; a test fails with a readable diff when the trace changes, and
// FILEMON_SIM_UPDATE=1 writes (or rewrites) the file instead. A trace from a
// deterministic guest is kept as the log itself and compared byte for byte:
// pids, temporary names, record order and times are then facts too.
import { AssertionError } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { comparableLines, diffTraces, formatTraceDiff, type IgnoreOptions } from '../diff/index.js';
import { parseTrace } from '../node/parser-wasm.js';
import { Trace } from '../trace/index.js';

export interface GoldenOptions {
  /** What to leave out of both sides; see IgnoreOptions (defaults: loader/libc reads, /proc, /dev). */
  ignore?: IgnoreOptions;
  /** Rewrite the file instead of comparing. Default: FILEMON_SIM_UPDATE=1 in the environment. */
  update?: boolean;
  /**
   * Keep and compare the log's bytes instead of its normalized records
   * (ignore does not apply). Default: true for a trace result from a
   * deterministic guest, false otherwise.
   */
  exact?: boolean;
}

/** A trace, a trace result ({trace, log}), or a log's bytes or text. */
export type TraceLike = Trace | { trace: Trace; log?: Uint8Array; deterministic?: boolean } | Uint8Array | string;

function toTrace(x: TraceLike): Trace {
  if (x instanceof Trace) return x;
  if (typeof x === 'string' || x instanceof Uint8Array) return parseTrace(x);
  return x.trace;
}

/** The text a golden file holds for this trace. */
export function goldenText(trace: TraceLike, ignore?: IgnoreOptions): string {
  return comparableLines(toTrace(trace), ignore).join('\n') + '\n';
}

/**
 * Throws an AssertionError with the diff when the trace's normalized form
 * differs from the golden file's; with update, writes the file (creating
 * directories) and passes.
 */
export function assertTraceMatches(actual: TraceLike, goldenPath: string, opts: GoldenOptions = {}): void {
  const update = opts.update ?? process.env.FILEMON_SIM_UPDATE === '1';
  const exact = opts.exact ?? (typeof actual === 'object' && 'trace' in actual && actual.deterministic === true);
  if (exact) return assertSameLog(actual, goldenPath, update);
  const trace = toTrace(actual);
  const text = goldenText(trace, opts.ignore);
  if (update) {
    if (!existsSync(goldenPath) || readFileSync(goldenPath, 'utf8') !== text) {
      mkdirSync(dirname(goldenPath), { recursive: true });
      writeFileSync(goldenPath, text);
    }
    return;
  }
  if (!existsSync(goldenPath)) {
    throw new AssertionError({
      message: `golden trace ${goldenPath} does not exist; run the test with FILEMON_SIM_UPDATE=1 to write it from this trace:\n${text}`,
    });
  }
  const expected = parseTrace(new Uint8Array(readFileSync(goldenPath)));
  if (expected.errors.length) {
    const e = expected.errors[0];
    throw new AssertionError({ message: `golden trace ${goldenPath} line ${e.line}: ${e.message}; fix it or rewrite it with FILEMON_SIM_UPDATE=1` });
  }
  const diff = diffTraces(expected, trace, { ignore: opts.ignore });
  if (diff.equal) return;
  throw new AssertionError({
    message: `trace differs from golden trace ${goldenPath} (FILEMON_SIM_UPDATE=1 rewrites it):\n` +
      formatTraceDiff(diff, { labels: [goldenPath, 'actual trace'] }),
  });
}

function logBytes(x: TraceLike): Uint8Array {
  if (typeof x === 'string') return new TextEncoder().encode(x);
  if (x instanceof Uint8Array) return x;
  if (!(x instanceof Trace) && x.log) return x.log;
  throw new TypeError('an exact golden trace compares the log itself: pass the trace result ({ trace, log }) or the log\'s bytes, not a parsed Trace');
}

/** The exact comparison: the golden file is the log, byte for byte. */
function assertSameLog(actual: TraceLike, goldenPath: string, update: boolean): void {
  const bytes = logBytes(actual);
  const golden = existsSync(goldenPath) ? new Uint8Array(readFileSync(goldenPath)) : undefined;
  const same = golden !== undefined && golden.length === bytes.length && golden.every((b, i) => b === bytes[i]);
  if (update) {
    if (!same) {
      mkdirSync(dirname(goldenPath), { recursive: true });
      writeFileSync(goldenPath, bytes);
    }
    return;
  }
  if (!golden) {
    throw new AssertionError({ message: `golden log ${goldenPath} does not exist; run the test with FILEMON_SIM_UPDATE=1 to write it from this log` });
  }
  if (same) return;
  const want = new TextDecoder().decode(golden).split('\n');
  const got = new TextDecoder().decode(bytes).split('\n');
  let line = 0;
  while (line < want.length && line < got.length && want[line] === got[line]) line++;
  const diff = diffTraces(parseTrace(golden), parseTrace(bytes));
  throw new AssertionError({
    message: `log differs from golden log ${goldenPath} (compared byte for byte; FILEMON_SIM_UPDATE=1 rewrites it); first at line ${line + 1}:\n` +
      `- ${want[line] ?? '(end of file)'}\n+ ${got[line] ?? '(end of log)'}\n` +
      (diff.equal ? 'the normalized records are equal: only pids, times or the order of records differ\n' : formatTraceDiff(diff, { labels: [goldenPath, 'actual log'] })),
  });
}
