// Turns the parser's raw event words into LogEntry objects. Numbers are read
// at once; paths and error text are decoded only when first read.

import {
  EVENT_WORDS, W_TAG, W_LINE, W_PID, W_ARG, W_SIG, W_A, W_LENS, W_B, MAX_LINE,
  K_VERSION, K_TARGET, K_START, K_STOP, K_BYE, K_ERROR,
  E_UNKNOWN, E_MISSING, E_EXTRA, E_NUMBER, E_QUOTE, E_TOO_LONG, E_UNTERMINATED, E_EMPTY, E_TIME,
  F_CUT, F_NO_SIGNAL,
} from '../../assembly/layout.js';
import type { RawBatch } from './wasm-parser.js';
import type { ErrorReason, LogEntry, PathKind, Time } from './types.js';
import { decodeText } from './path-bytes.js';

const REASONS: Record<number, [ErrorReason, string]> = {
  [E_UNKNOWN]: ['unknown-record', 'not a filemon record or header line; expected a letter of A C D E F L M R W X V, or "# ..." header/footer text: is this a filemon log?'],
  [E_MISSING]: ['missing-field', 'a field is missing; compare the line with the record formats in filemon(4)'],
  [E_EXTRA]: ['extra-field', 'more fields than this record has; compare the line with the record formats in filemon(4)'],
  [E_NUMBER]: ['bad-number', 'a pid, status or version is not a decimal integer as filemon prints it (no sign on pids, no leading zeros, fits 32 bits)'],
  [E_QUOTE]: ['bad-quote', "L and M need both paths in single quotes: L <pid> '<from>' '<to>'; the line may have been cut at 1023 bytes"],
  [E_TOO_LONG]: ['line-too-long', `longer than ${MAX_LINE} bytes (filemon records are at most 1023); the rest of the line was skipped`],
  [E_UNTERMINATED]: ['unterminated-line', 'the last line has no newline: the log was cut while being written; complete logs end with "# Bye bye"'],
  [E_EMPTY]: ['empty-line', 'empty line; filemon never writes one, so the log was altered or concatenated'],
  [E_TIME]: ['bad-time', 'a Start or Stop time must be seconds, ".", then 6 digits of microseconds'],
};

const RECORD_LETTERS = new Set(['A', 'C', 'D', 'E', 'F', 'L', 'M', 'R', 'V', 'W', 'X']);

/** Appends the entries of one parser call to out. */
export function decodeBatch(batch: RawBatch, out: LogEntry[]): void {
  const { words, bytes, offset } = batch;
  for (let i = 0; i < batch.count; i++) {
    const w = i * EVENT_WORDS;
    const tag = words[w + W_TAG];
    const kind = tag & 0xff;
    const flags = tag >>> 16;
    const line = words[w + W_LINE];
    const pid = words[w + W_PID];
    const a = offset + words[w + W_A];
    const aLen = words[w + W_LENS] & 0xffff;
    out.push(decodeOne(kind, tag, flags, line, pid, words[w + W_ARG], words[w + W_SIG], bytes, a, aLen, offset + words[w + W_B], words[w + W_LENS] >>> 16));
  }
}

function decodeOne(
  kind: number, tag: number, flags: number, line: number, pid: number, arg: number, sig: number,
  bytes: Uint8Array, a: number, aLen: number, b: number, bLen: number,
): LogEntry {
  switch (kind) {
    case K_VERSION: return { kind: 'version', line, version: pid };
    case K_TARGET: return { kind: 'target', line, pid };
    case K_START: return { kind: 'start', line, time: parseTime(bytes, a, aLen) };
    case K_STOP: return { kind: 'stop', line, time: parseTime(bytes, a, aLen) };
    case K_BYE: return { kind: 'bye', line };
    case K_ERROR: {
      const [reason, message] = REASONS[(tag >>> 8) & 0xff];
      let text: string | undefined;
      return { kind: 'error', line, reason, message, get text() { return (text ??= decodeText(bytes, a, aLen)); } };
    }
  }
  const letter = String.fromCharCode(kind);
  if (!RECORD_LETTERS.has(letter)) throw new Error(`parser wasm produced unknown event kind ${kind}: the .wasm and the JS glue are from different builds; rebuild with \`npm run build\``);
  const cut = (flags & F_CUT) !== 0;
  switch (letter) {
    case 'V': return { kind: 'V', line, version: pid };
    case 'F': return { kind: 'F', line, pid, child: arg };
    case 'X': return { kind: 'X', line, pid, status: arg, signal: flags & F_NO_SIGNAL ? null : sig };
    case 'L':
    case 'M': {
      let from: string | undefined;
      let to: string | undefined;
      return {
        kind: letter, line, pid,
        get from() { return (from ??= decodeText(bytes, a, aLen)); },
        get to() { return (to ??= decodeText(bytes, b, bLen)); },
        cut,
      };
    }
  }
  let path: string | undefined;
  return { kind: letter as PathKind, line, pid, get path() { return (path ??= decodeText(bytes, a, aLen)); }, cut };
}

/** "S.UUUUUU", already checked by the parser: up to 15 digits, so exact. */
function parseTime(bytes: Uint8Array, at: number, len: number): Time {
  const text = decodeText(bytes, at, len);
  const dot = text.length - 7;
  return { sec: Number(text.slice(0, dot)), usec: Number(text.slice(dot + 1)) };
}
