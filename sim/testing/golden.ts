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

/** Options of {@link assertTraceMatches}: what the comparison leaves out, and when to write or rewrite the golden file. */
export interface GoldenOptions {
  /** What to leave out of both sides; see IgnoreOptions (defaults: loader/libc reads, /proc, /dev). */
  ignore?: IgnoreOptions;
  /** Rewrite the file instead of comparing. Default: FILEMON_SIM_UPDATE=1 in the environment. */
  update?: boolean;
  /** Write a golden file that does not exist yet and pass (a snapshot runner's default outside CI). */
  writeMissing?: boolean;
  /** What the messages say rewrites the file. Default: FILEMON_SIM_UPDATE=1. */
  updateHint?: string;
  /**
   * Keep and compare the log's bytes instead of its normalized records
   * (ignore does not apply). Default: true for a trace result from a
   * deterministic guest, false otherwise.
   */
  exact?: boolean;
}

/** A trace, a trace result ({trace, log}), or a log's bytes or text. */
export type TraceLike = Trace | { trace: Trace; log?: Uint8Array; deterministic?: boolean } | Uint8Array | string;

/** Whether x is a TraceLike; by shape, as Jest hands over values made in another realm. */
export function isTraceLike(x: unknown): x is TraceLike {
  return typeof x === 'string' || ArrayBuffer.isView(x) || isTrace(x) || (typeof x === 'object' && x !== null && isTrace((x as { trace?: unknown }).trace));
}

function isTrace(x: unknown): x is Trace {
  return x instanceof Trace || (typeof x === 'object' && x !== null && Array.isArray((x as Trace).events) && typeof (x as Trace).processes === 'function');
}

function toTrace(x: TraceLike): Trace {
  if (isTrace(x)) return x;
  if (typeof x === 'string') return parseTrace(x);
  if (ArrayBuffer.isView(x)) return parseTrace(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
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
  const hint = opts.updateHint ?? 'FILEMON_SIM_UPDATE=1';
  const exact = opts.exact ?? (typeof actual === 'object' && 'trace' in actual && actual.deterministic === true);
  if (exact) {
    assertSameLog(actual, goldenPath, update || (opts.writeMissing === true && !existsSync(goldenPath)), hint);
    return;
  }
  const trace = toTrace(actual);
  const text = goldenText(trace, opts.ignore);
  if (update || (opts.writeMissing && !existsSync(goldenPath))) {
    if (!existsSync(goldenPath) || readFileSync(goldenPath, 'utf8') !== text) {
      mkdirSync(dirname(goldenPath), { recursive: true });
      writeFileSync(goldenPath, text);
    }
    return;
  }
  if (!existsSync(goldenPath)) {
    throw new AssertionError({
      message: `golden trace ${goldenPath} does not exist; run the test with ${hint} to write it from this trace:\n${text}`,
    });
  }
  const expected = parseTrace(new Uint8Array(readFileSync(goldenPath)));
  if (expected.errors.length) {
    const e = expected.errors[0];
    throw new AssertionError({ message: `golden trace ${goldenPath} line ${e.line}: ${e.message}; fix it or rewrite it with ${hint}` });
  }
  const diff = diffTraces(expected, trace, { ignore: opts.ignore });
  if (diff.equal) return;
  throw new AssertionError({
    message: `trace differs from golden trace ${goldenPath} (${hint} rewrites it):\n` + formatTraceDiff(diff, { labels: [goldenPath, 'actual trace'] }),
  });
}

function logBytes(x: TraceLike): Uint8Array {
  if (typeof x === 'string') return new TextEncoder().encode(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (!isTrace(x) && x.log) return x.log;
  throw new TypeError("an exact golden trace compares the log itself: pass the trace result ({ trace, log }) or the log's bytes, not a parsed Trace");
}

/** The exact comparison: the golden file is the log, byte for byte. */
function assertSameLog(actual: TraceLike, goldenPath: string, update: boolean, hint: string): void {
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
    throw new AssertionError({ message: `golden log ${goldenPath} does not exist; run the test with ${hint} to write it from this log` });
  }
  if (same) return;
  const want = new TextDecoder().decode(golden).split('\n');
  const got = new TextDecoder().decode(bytes).split('\n');
  let line = 0;
  while (line < want.length && line < got.length && want[line] === got[line]) line++;
  const diff = diffTraces(parseTrace(golden), parseTrace(bytes));
  throw new AssertionError({
    message:
      `log differs from golden log ${goldenPath} (compared byte for byte; ${hint} rewrites it); first at line ${line + 1}:\n` +
      `- ${want[line] ?? '(end of file)'}\n+ ${got[line] ?? '(end of log)'}\n` +
      (diff.equal ? 'the normalized records are equal: only pids, times or the order of records differ\n' : formatTraceDiff(diff, { labels: [goldenPath, 'actual log'] })),
  });
}
