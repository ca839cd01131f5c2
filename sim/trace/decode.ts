// Turns the parser's raw event words into LogEntry objects. Numbers are read
// at once; paths and error text are decoded only when first read.

import {
  EVENT_WORDS,
  W_TAG,
  W_LINE,
  W_PID,
  W_ARG,
  W_SIG,
  W_A,
  W_LENS,
  W_B,
  MAX_LINE,
  K_VERSION,
  K_TARGET,
  K_START,
  K_STOP,
  K_BYE,
  K_ERROR,
  E_UNKNOWN,
  E_MISSING,
  E_EXTRA,
  E_NUMBER,
  E_QUOTE,
  E_TOO_LONG,
  E_UNTERMINATED,
  E_EMPTY,
  E_TIME,
  F_CUT,
  F_NO_SIGNAL,
  F_AMBIGUOUS,
} from '../../assembly/layout.js';
import type { RawBatch } from './wasm-parser.js';
import type { ErrorLine, ErrorReason, LogEntry, PairRecord, PathKind, PathRecord, Time } from './types.js';
import { decodeText } from './path-bytes.js';
import { jsonText } from './json-text.js';

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

/** Record letters by ASCII code, so that decoding builds no strings. */
const LETTERS: string[] = [];
for (const l of 'ACDEFLMRVWX') LETTERS[l.charCodeAt(0)] = l;

// Entries whose text is read lazily are small classes: a literal with a getter
// costs a closure per entry and made decoding six times slower. toJSON gives
// the same plain shape as the interfaces in types.ts.

class LazyPathRecord implements PathRecord {
  readonly #bytes: Uint8Array;
  readonly #at: number;
  readonly #len: number;
  #path: string | undefined;

  constructor(
    readonly kind: PathKind,
    readonly line: number,
    readonly pid: number,
    readonly cut: boolean,
    bytes: Uint8Array,
    at: number,
    len: number,
  ) {
    this.#bytes = bytes;
    this.#at = at;
    this.#len = len;
  }

  get path(): string {
    return (this.#path ??= decodeText(this.#bytes, this.#at, this.#len));
  }

  toJSON(): object {
    return { kind: this.kind, line: this.line, pid: this.pid, path: jsonText(this.path), cut: this.cut };
  }
}

class LazyPairRecord implements PairRecord {
  readonly #bytes: Uint8Array;
  readonly #from: number;
  readonly #to: number;
  readonly #lens: number;
  #fromText: string | undefined;
  #toText: string | undefined;

  constructor(
    readonly kind: 'L' | 'M',
    readonly line: number,
    readonly pid: number,
    readonly cut: boolean,
    readonly ambiguous: boolean,
    bytes: Uint8Array,
    from: number,
    to: number,
    lens: number,
  ) {
    this.#bytes = bytes;
    this.#from = from;
    this.#to = to;
    this.#lens = lens;
  }

  get from(): string {
    return (this.#fromText ??= decodeText(this.#bytes, this.#from, this.#lens & 0xffff));
  }

  get to(): string {
    return (this.#toText ??= decodeText(this.#bytes, this.#to, this.#lens >>> 16));
  }

  toJSON(): object {
    return {
      kind: this.kind,
      line: this.line,
      pid: this.pid,
      from: jsonText(this.from),
      to: jsonText(this.to),
      cut: this.cut,
      ambiguous: this.ambiguous,
    };
  }
}

class LazyErrorLine implements ErrorLine {
  readonly kind = 'error';
  readonly reason: ErrorReason;
  readonly message: string;
  readonly #bytes: Uint8Array;
  readonly #at: number;
  readonly #len: number;
  #text: string | undefined;

  constructor(
    readonly line: number,
    code: number,
    bytes: Uint8Array,
    at: number,
    len: number,
  ) {
    [this.reason, this.message] = REASONS[code];
    this.#bytes = bytes;
    this.#at = at;
    this.#len = len;
  }

  get text(): string {
    return (this.#text ??= decodeText(this.#bytes, this.#at, this.#len));
  }

  toJSON(): object {
    return { kind: this.kind, line: this.line, reason: this.reason, message: this.message, text: jsonText(this.text) };
  }
}

/** Appends the entries of one parser call to out. */
export function decodeBatch(batch: RawBatch, out: LogEntry[]): void {
  for (let i = 0; i < batch.count; i++) out.push(decodeEvent(batch, i));
}

/** The entry of event i of a parser call. */
export function decodeEvent(batch: RawBatch, i: number): LogEntry {
  const { words, bytes, offset } = batch;
  const w = i * EVENT_WORDS;
  const tag = words[w + W_TAG];
  const line = words[w + W_LINE];
  const pid = words[w + W_PID];
  const a = offset + words[w + W_A];
  const lens = words[w + W_LENS];
  switch (tag & 0xff) {
    case K_VERSION:
      return { kind: 'version', line, version: pid };
    case K_TARGET:
      return { kind: 'target', line, pid };
    case K_START:
      return { kind: 'start', line, time: parseTime(bytes, a, lens & 0xffff) };
    case K_STOP:
      return { kind: 'stop', line, time: parseTime(bytes, a, lens & 0xffff) };
    case K_BYE:
      return { kind: 'bye', line };
    case K_ERROR:
      return new LazyErrorLine(line, (tag >>> 8) & 0xff, bytes, a, lens & 0xffff);
  }
  const letter = LETTERS[tag & 0xff];
  const flags = tag >>> 16;
  const cut = (flags & F_CUT) !== 0;
  switch (letter) {
    case 'V':
      return { kind: 'V', line, version: pid };
    case 'F':
      return { kind: 'F', line, pid, child: words[w + W_ARG] };
    case 'X':
      return { kind: 'X', line, pid, status: words[w + W_ARG], signal: flags & F_NO_SIGNAL ? null : words[w + W_SIG] };
    case 'L':
    case 'M':
      return new LazyPairRecord(letter, line, pid, cut, (flags & F_AMBIGUOUS) !== 0, bytes, a, offset + words[w + W_B], lens);
    case 'A':
    case 'C':
    case 'D':
    case 'E':
    case 'R':
    case 'W':
      return new LazyPathRecord(letter, line, pid, cut, bytes, a, lens & 0xffff);
    default:
      throw new Error(`parser wasm produced unknown event kind ${tag & 0xff}: the .wasm and the JS glue are from different builds; rebuild with \`npm run build\``);
  }
}

/** "S.UUUUUU", already checked by the parser: up to 15 digits, so exact. */
function parseTime(bytes: Uint8Array, at: number, len: number): Time {
  const text = decodeText(bytes, at, len);
  const dot = text.length - 7;
  return { sec: Number(text.slice(0, dot)), usec: Number(text.slice(dot + 1)) };
}
