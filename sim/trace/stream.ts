// Streaming API: push chunks of a log as they arrive (from a pipe, a socket
// or a guest's serial port) and get each line's entry as soon as it is whole.

import { WasmLogParser } from './wasm-parser.js';
import { decodeBatch } from './decode.js';
import { encodeText } from './path-bytes.js';
import { LogSummary } from './summary.js';
import type { Footer, Header, LogEntry } from './types.js';

/** A streaming log parser: push chunks as they arrive and get each line's entry as soon as it is whole. */
export class LogStream {
  readonly #parser: WasmLogParser;
  readonly #summary = new LogSummary();
  #ended = false;

  constructor(module: WebAssembly.Module) {
    this.#parser = new WasmLogParser(module);
  }

  /**
   * Parses the next chunk; returns the entries of the lines it completes.
   * A chunk may end anywhere, even inside a UTF-8 sequence. Byte chunks are
   * kept by reference (paths decode lazily from them): do not reuse them.
   */
  push(chunk: Uint8Array | string): LogEntry[] {
    if (this.#ended) throw new Error('LogStream.push() after end(): create a new stream for another log');
    const out: LogEntry[] = [];
    this.#parser.push(typeof chunk === 'string' ? encodeText(chunk) : chunk, (b) => decodeBatch(b, out));
    this.#count(out);
    return out;
  }

  /** Ends the log; returns the entry for a last line without newline, if any. */
  end(): LogEntry[] {
    if (this.#ended) return [];
    this.#ended = true;
    const out: LogEntry[] = [];
    this.#parser.end((b) => decodeBatch(b, out));
    this.#count(out);
    return out;
  }

  get header(): Header {
    return this.#summary.header;
  }

  get footer(): Footer {
    return this.#summary.footer;
  }

  /** The footer ("# Bye bye") was seen. */
  get complete(): boolean {
    return this.#summary.complete;
  }

  /** Error entries so far. */
  get errorCount(): number {
    return this.#summary.errorCount;
  }

  #count(entries: LogEntry[]): void {
    for (const e of entries) this.#summary.add(e);
  }
}
