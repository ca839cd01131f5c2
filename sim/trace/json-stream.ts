// The JSON document of a log, written as the log is parsed: the records go
// out straight from the parser's event words (no entry object, no string per
// path), so memory stays bounded whatever the log's size. The document has
// the shape of Trace.toJSON(), with the errors cut to the first MAX_JSON_ERRORS
// and their total in errorCount.

import {
  EVENT_WORDS, W_TAG, W_LINE, W_PID, W_ARG, W_SIG, W_A, W_LENS, W_B,
  F_CUT, F_NO_SIGNAL, F_AMBIGUOUS,
} from '../../assembly/layout.js';
import { ByteWriter, type ByteSink } from './byte-writer.js';
import { decodeEvent } from './decode.js';
import { BASE64_CODES } from './json-text.js';
import { isUtf8 } from './path-bytes.js';
import { LogSummary } from './summary.js';
import type { RawBatch } from './wasm-parser.js';

export const MAX_JSON_ERRORS = 100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
const SHORT_ESCAPES: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };

/** Writes bytes[at, at + len) as a JSON string, or as {"base64": ...} when they are not UTF-8. */
export function writeJsonBytes(w: ByteWriter, bytes: Uint8Array, at: number, len: number): void {
  let plain = true;
  let high = false;
  const end = at + len;
  for (let i = at; i < end; i++) {
    const c = bytes[i];
    if (c >= 0x80) high = true;
    else if (c < 0x20 || c === QUOTE || c === BACKSLASH || c === 0x7f) plain = false;
  }
  if (high && !isUtf8(bytes, at, len)) return writeBase64(w, bytes, at, len);
  w.byte(QUOTE);
  if (plain) w.bytes(bytes, at, len);
  else {
    for (let i = at; i < end; i++) {
      const c = bytes[i];
      if (c === QUOTE || c === BACKSLASH) w.ascii(c === QUOTE ? '\\"' : '\\\\');
      else if (c < 0x20 || c === 0x7f) w.ascii(SHORT_ESCAPES[c] ?? `\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
      else w.byte(c);
    }
  }
  w.byte(QUOTE);
}

function writeBase64(w: ByteWriter, b: Uint8Array, at: number, len: number): void {
  w.ascii('{"base64":"');
  const end = at + len;
  for (let i = at; i < end; i += 3) {
    const n = (b[i] << 16) | ((i + 1 < end ? b[i + 1] : 0) << 8) | (i + 2 < end ? b[i + 2] : 0);
    w.byte(BASE64_CODES[n >> 18]);
    w.byte(BASE64_CODES[(n >> 12) & 63]);
    w.byte(i + 1 < end ? BASE64_CODES[(n >> 6) & 63] : 0x3d);
    w.byte(i + 2 < end ? BASE64_CODES[n & 63] : 0x3d);
  }
  w.ascii('"}');
}

export class JsonLogWriter {
  readonly #w: ByteWriter;
  readonly #summary = new LogSummary();
  readonly #errors: object[] = [];
  #events = 0;

  /** extra: fields written first (the CLI's exit status of a trace). */
  constructor(sink: ByteSink, extra: object = {}) {
    this.#w = new ByteWriter(sink);
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
      w.ascii(this.#events++ === 0 ? '\n    {"kind":"' : ',\n    {"kind":"');
      w.byte(kind);
      w.ascii('","line":');
      w.int(words[k + W_LINE]);
      w.ascii(',"pid":');
      w.int(words[k + W_PID]);
      const flags = tag >>> 16;
      const lens = words[k + W_LENS];
      switch (kind) {
        case 0x46: // F
          w.ascii(',"child":');
          w.int(words[k + W_ARG]);
          break;
        case 0x58: // X
          w.ascii(',"status":');
          w.int(words[k + W_ARG]);
          w.ascii(',"signal":');
          if (flags & F_NO_SIGNAL) w.ascii('null');
          else w.int(words[k + W_SIG]);
          break;
        case 0x4c: // L
        case 0x4d: // M
          w.ascii(',"from":');
          writeJsonBytes(w, bytes, offset + words[k + W_A], lens & 0xffff);
          w.ascii(',"to":');
          writeJsonBytes(w, bytes, offset + words[k + W_B], lens >>> 16);
          w.ascii(flags & F_CUT ? ',"cut":true' : ',"cut":false');
          w.ascii(flags & F_AMBIGUOUS ? ',"ambiguous":true' : ',"ambiguous":false');
          break;
        default: // A C D E R W
          w.ascii(',"path":');
          writeJsonBytes(w, bytes, offset + words[k + W_A], lens & 0xffff);
          w.ascii(flags & F_CUT ? ',"cut":true' : ',"cut":false');
      }
      w.byte(0x7d);
    }
  }

  /** Writes errors, header, footer and completeness, and flushes. */
  end(): void {
    const w = this.#w;
    const s = this.#summary;
    w.ascii(this.#events ? '\n  ],\n  "errors": [' : '],\n  "errors": [');
    this.#errors.forEach((e, i) => w.text(`${i ? ',' : ''}\n    ${JSON.stringify(e)}`));
    w.ascii(this.#errors.length ? '\n  ],\n' : '],\n');
    w.text(`  "errorCount": ${s.errorCount},\n`);
    w.text(`  "header": ${JSON.stringify(s.header)},\n  "footer": ${JSON.stringify(s.footer)},\n  "complete": ${s.complete}\n}\n`);
    w.flush();
  }
}
