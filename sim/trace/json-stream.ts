// The JSON document of a log, written as the log is parsed: the records go
// out straight from the parser's event words (no entry object, no string per
// path), so memory stays bounded whatever the log's size. The document has
// the shape of Trace.toJSON(), with the errors cut to the first MAX_JSON_ERRORS
// and their total in errorCount.

import { EVENT_WORDS, W_TAG, W_LINE, W_PID, W_ARG, W_SIG, W_A, W_LENS, W_B, F_CUT, F_NO_SIGNAL, F_AMBIGUOUS } from '../../assembly/layout.js';
import { ByteWriter, put, putInt, type ByteSink } from './byte-writer.js';
import { decodeEvent } from './decode.js';
import { BASE64_CODES } from './json-text.js';
import { isUtf8 } from './path-bytes.js';
import { LogSummary } from './summary.js';
import type { RawBatch } from './wasm-parser.js';

/** How many malformed lines the JSON document holds (`errorCount` counts them all). */
export const MAX_JSON_ERRORS = 100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
// biome-ignore lint/complexity/useSimpleNumberKeys: byte values, in hex as in the JSON grammar.
const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const FIRST = ascii('\n    {"kind":"');
const NEXT = ascii(',\n    {"kind":"');
const LINE = ascii('","line":');
/** '\n    {"kind":"K","line":' for each record letter K, with and without the comma of a next element. */
const OPENING: Uint8Array[][] = [[], []];
for (const k of 'ACDEFLMRWX') {
  const c = k.charCodeAt(0);
  OPENING[0][c] = Uint8Array.from([...FIRST, c, ...LINE]);
  OPENING[1][c] = Uint8Array.from([...NEXT, c, ...LINE]);
}
const PID = ascii(',"pid":');
const CHILD = ascii(',"child":');
const STATUS = ascii(',"status":');
const SIGNAL = ascii(',"signal":');
const NULL = ascii('null');
const FROM = ascii(',"from":');
const TO = ascii(',"to":');
const PATH = ascii(',"path":');
const CUT = [ascii(',"cut":false'), ascii(',"cut":true')];
const AMBIGUOUS = [ascii(',"ambiguous":false'), ascii(',"ambiguous":true')];
const BASE64_OPEN = ascii('{"base64":"');
/** Escapes of the bytes below 0x20, then of '"', '\\' and DEL, as JSON writes them. */
const ESCAPES: Uint8Array[] = [];
for (let c = 0; c < 0x20; c++) ESCAPES[c] = ascii(SHORT_ESCAPES[c] ?? `\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
ESCAPES[QUOTE] = ascii('\\"');
ESCAPES[BACKSLASH] = ascii('\\\\');
ESCAPES[0x7f] = ascii('\\u007f');

/** Most bytes one path can take in JSON: 6 per byte escaped, plus quotes or the base64 wrapper. */
const jsonRoom = (len: number): number => 6 * len + 16;

/**
 * Writes bytes[at, at + len) at p as a JSON string, or as {"base64": ...}
 * when they are not UTF-8; returns the new end. buf needs jsonRoom(len).
 */
function putJsonBytes(buf: Uint8Array, p: number, bytes: Uint8Array, at: number, len: number): number {
  // One pass copies while checking; the rare path with special bytes starts over.
  const start = p;
  const end = at + len;
  buf[p++] = QUOTE;
  let i = at;
  for (; i < end; i++) {
    const c = bytes[i];
    if (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x7f) break;
    buf[p++] = c;
  }
  if (i === end) {
    buf[p++] = QUOTE;
    return p;
  }
  if (!isUtf8(bytes, i, end - i)) return putBase64(buf, start, bytes, at, len);
  for (; i < end; i++) {
    const c = bytes[i];
    const esc = c < 0x20 || c === QUOTE || c === BACKSLASH || c === 0x7f ? ESCAPES[c] : null;
    if (esc) p = put(buf, p, esc);
    else buf[p++] = c;
  }
  buf[p++] = QUOTE;
  return p;
}

function putBase64(buf: Uint8Array, p: number, b: Uint8Array, at: number, len: number): number {
  p = put(buf, p, BASE64_OPEN);
  const end = at + len;
  for (let i = at; i < end; i += 3) {
    const n = (b[i] << 16) | ((i + 1 < end ? b[i + 1] : 0) << 8) | (i + 2 < end ? b[i + 2] : 0);
    buf[p++] = BASE64_CODES[n >> 18];
    buf[p++] = BASE64_CODES[(n >> 12) & 63];
    buf[p++] = i + 1 < end ? BASE64_CODES[(n >> 6) & 63] : 0x3d;
    buf[p++] = i + 2 < end ? BASE64_CODES[n & 63] : 0x3d;
  }
  buf[p++] = QUOTE;
  buf[p++] = 0x7d;
  return p;
}

/** Writes a parsed log as the JSON document of `--json`, batch by batch, in bounded memory. */
export class JsonLogWriter {
  readonly #w: ByteWriter;
  readonly #summary = new LogSummary();
  readonly #errors: object[] = [];
  #events = 0;

  /** extra: fields written first (the CLI's exit status of a trace); bufferSize: bytes handed on at a time. */
  constructor(sink: ByteSink, extra: object = {}, bufferSize = 1 << 20) {
    this.#w = new ByteWriter(sink, bufferSize);
    this.#w.ascii('{\n');
    for (const [k, v] of Object.entries(extra)) this.#w.text(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`);
    this.#w.ascii('  "events": [');
  }

  /** Writes the records of one parser call; keeps header, footer and the first errors for end(). */
  batch(batch: RawBatch): void {
    const { words, bytes, offset } = batch;
    const w = this.#w;
    for (let i = 0; i < batch.count; i++) {
      const k = i * EVENT_WORDS;
      const tag = words[k + W_TAG];
      const kind = tag & 0xff;
      // Letters are >= 'A'; header, footer and error kinds are below 32, and V is no event.
      if (kind < 0x41 || kind === 0x56) {
        const e = decodeEvent(batch, i);
        this.#summary.add(e);
        if (e.kind === 'error' && this.#errors.length < MAX_JSON_ERRORS) this.#errors.push(JSON.parse(JSON.stringify(e)));
        continue;
      }
      const flags = tag >>> 16;
      const lens = words[k + W_LENS];
      const lenA = lens & 0xffff;
      const lenB = lens >>> 16;
      w.room(96 + jsonRoom(lenA) + jsonRoom(lenB));
      const buf = w.buffer();
      let p = put(buf, w.at(), OPENING[this.#events++ === 0 ? 0 : 1][kind]);
      p = putInt(buf, p, words[k + W_LINE]);
      p = put(buf, p, PID);
      p = putInt(buf, p, words[k + W_PID]);
      switch (kind) {
        case 0x46: // F
          p = put(buf, p, CHILD);
          p = putInt(buf, p, words[k + W_ARG]);
          break;
        case 0x58: // X
          p = put(buf, p, STATUS);
          p = putInt(buf, p, words[k + W_ARG]);
          p = put(buf, p, SIGNAL);
          p = flags & F_NO_SIGNAL ? put(buf, p, NULL) : putInt(buf, p, words[k + W_SIG]);
          break;
        case 0x4c: // L
        case 0x4d: // M
          p = put(buf, p, FROM);
          p = putJsonBytes(buf, p, bytes, offset + words[k + W_A], lenA);
          p = put(buf, p, TO);
          p = putJsonBytes(buf, p, bytes, offset + words[k + W_B], lenB);
          p = put(buf, p, CUT[flags & F_CUT ? 1 : 0]);
          p = put(buf, p, AMBIGUOUS[flags & F_AMBIGUOUS ? 1 : 0]);
          break;
        default: // A C D E R W
          p = put(buf, p, PATH);
          p = putJsonBytes(buf, p, bytes, offset + words[k + W_A], lenA);
          p = put(buf, p, CUT[flags & F_CUT ? 1 : 0]);
      }
      buf[p++] = 0x7d;
      w.advance(p);
    }
  }

  /** Writes errors, header, footer and completeness, and flushes. */
  end(): void {
    const w = this.#w;
    const s = this.#summary;
    w.ascii(this.#events ? '\n  ],\n  "errors": [' : '],\n  "errors": [');
    for (const [i, e] of this.#errors.entries()) w.text(`${i ? ',' : ''}\n    ${JSON.stringify(e)}`);
    w.ascii(this.#errors.length ? '\n  ],\n' : '],\n');
    w.text(`  "errorCount": ${s.errorCount},\n`);
    w.text(`  "header": ${JSON.stringify(s.header)},\n  "footer": ${JSON.stringify(s.footer)},\n  "complete": ${s.complete}\n}\n`);
    w.flush();
  }
}
