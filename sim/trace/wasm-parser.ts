// Thin driver of the wasm parser: feeds it slices of the caller's chunks and
// hands back each call's events as raw words. Knows nothing about what the
// events mean (see decode.ts). No Node or DOM APIs: runs wherever wasm does.

import { EVENT_WORDS, MAX_EVENTS, SLICE } from '../../assembly/layout.js';

interface ParserExports {
  readonly memory: WebAssembly.Memory;
  prepare(): number;
  parse(len: number, final: number): number;
  events(): number;
  input(): number;
  reset(): void;
}

/** The compiled parser, or its bytes (dist/wasm/filemon-parser.wasm). */
export type ParserWasm = WebAssembly.Module | BufferSource;

/** What one parser call produced. */
export interface RawBatch {
  /** count * EVENT_WORDS words laid out as in assembly/layout.ts; only valid during the callback. */
  readonly words: Int32Array;
  readonly count: number;
  /** Byte offset r of an event is bytes[offset + r]: the caller's chunk, or a copy when a line spans chunks. */
  readonly bytes: Uint8Array;
  readonly offset: number;
}

export type BatchSink = (batch: RawBatch) => void;

/** Compiles parser bytes; a Module is returned as is. */
export async function compileParser(wasm: ParserWasm): Promise<WebAssembly.Module> {
  return wasm instanceof WebAssembly.Module ? wasm : WebAssembly.compile(wasm);
}

/**
 * Synchronous compile, for Node and workers (browsers refuse to compile big
 * modules synchronously on the main thread; this one is about 5 KB).
 */
export function compileParserSync(wasm: ParserWasm): WebAssembly.Module {
  return wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
}

/**
 * One parser instance: one log at a time. Chunks passed to push() are kept
 * by reference (events point into them), so do not modify them afterwards.
 */
export class WasmLogParser {
  readonly #x: ParserExports;
  readonly #heap: Uint8Array;
  readonly #words: Int32Array;
  readonly #input: number;
  // Where the previous call's bytes came from, to avoid copying a carried-over
  // line that lies in the same chunk right before the next slice.
  #lastChunk: Uint8Array | null = null;
  #lastEnd = 0;
  #lastLength = 0;

  constructor(module: WebAssembly.Module) {
    const x = new WebAssembly.Instance(module, {}).exports as unknown as ParserExports;
    if (typeof x.parse !== 'function' || !(x.memory instanceof WebAssembly.Memory)) {
      throw new Error('not the filemon parser wasm (no parse/memory exports): rebuild it with `npm run build:wasm`');
    }
    this.#x = x;
    // The parser never grows its memory, so these views stay valid.
    this.#heap = new Uint8Array(x.memory.buffer);
    this.#words = new Int32Array(x.memory.buffer, x.events(), MAX_EVENTS * EVENT_WORDS);
    this.#input = x.input();
  }

  /** Parses the next chunk of the log; sink gets the events of every line it completes. */
  push(chunk: Uint8Array, sink: BatchSink): void {
    for (let at = 0; at < chunk.length; at += SLICE) {
      this.#run(chunk, at, Math.min(SLICE, chunk.length - at), false, sink);
    }
  }

  /** Ends the log: a last line without newline is reported as an error entry. */
  end(sink: BatchSink): void {
    this.#run(this.#lastChunk ?? new Uint8Array(0), this.#lastEnd, 0, true, sink);
    this.reset();
  }

  /** Forgets the input so far: the next chunk starts a new log. */
  reset(): void {
    this.#x.reset();
    this.#lastChunk = null;
    this.#lastEnd = 0;
    this.#lastLength = 0;
  }

  #run(chunk: Uint8Array, at: number, n: number, final: boolean, sink: BatchSink): void {
    const x = this.#x;
    const write = x.prepare();
    const carried = write - this.#input;
    this.#heap.set(chunk.subarray(at, at + n), write);
    const count = x.parse(n, final ? 1 : 0);
    const contiguous = carried === 0 || (chunk === this.#lastChunk && at === this.#lastEnd && carried <= this.#lastLength);
    this.#lastChunk = chunk;
    this.#lastEnd = at + n;
    this.#lastLength = n;
    if (count === 0) return;
    const bytes = contiguous ? chunk : this.#heap.slice(this.#input, write + n);
    sink({
      words: this.#words.subarray(0, count * EVENT_WORDS),
      count,
      bytes,
      offset: contiguous ? at - carried : 0,
    });
  }
}
