// Public entry of the trace model. Give it the parser wasm (bytes or a
// compiled module): Node's adapter is sim/node/parser-wasm.ts, a browser
// fetches dist/wasm/filemon-parser.wasm and compiles it.

import { WasmLogParser, compileParser, compileParserSync, type ParserWasm, type RawBatch } from './wasm-parser.js';
import { decodeBatch } from './decode.js';
import { encodeText } from './path-bytes.js';
import { LogStream } from './stream.js';
import { Trace } from './trace.js';
import type { LogEntry } from './types.js';

/** The compiled wasm parser: parses whole logs, or makes streams. */
export class TraceParser {
  readonly module: WebAssembly.Module;
  #oneShot: WasmLogParser | null = null;

  constructor(module: WebAssembly.Module) {
    this.module = module;
  }

  /** Parses a whole log. Byte input is kept by reference (lazy paths): do not modify it afterwards. */
  parseTrace(input: Uint8Array | string): Trace {
    const bytes = typeof input === 'string' ? encodeText(input) : input;
    const parser = (this.#oneShot ??= new WasmLogParser(this.module));
    const entries: LogEntry[] = [];
    const sink = (b: RawBatch): void => decodeBatch(b, entries);
    try {
      parser.push(bytes, sink);
      parser.end(sink);
    } finally {
      parser.reset();
    }
    return new Trace(entries);
  }

  /** A streaming parser for one log. */
  stream(): LogStream {
    return new LogStream(this.module);
  }
}

/** Compiles the wasm parser (a module, or its bytes). */
export async function loadTraceParser(wasm: ParserWasm): Promise<TraceParser> {
  return new TraceParser(await compileParser(wasm));
}

/** Synchronous variant for Node and workers; see compileParserSync. */
export function loadTraceParserSync(wasm: ParserWasm): TraceParser {
  return new TraceParser(compileParserSync(wasm));
}

export { Trace } from './trace.js';
export { LogStream } from './stream.js';
export { WasmLogParser, compileParser, compileParserSync, type ParserWasm, type RawBatch } from './wasm-parser.js';
export { decodeText, encodeText, isUtf8, visibleName } from './path-bytes.js';
export { jsonText, jsonPathBytes, type JsonPath } from './json-text.js';
export { JsonLogWriter, MAX_JSON_ERRORS } from './json-stream.js';
export { LogWriter } from './log-writer.js';
export { ByteWriter, type ByteSink } from './byte-writer.js';
export { decodeEvent } from './decode.js';
export { filemonSection, META_MARKER } from './meta.js';
export { ProcessTreeBuilder } from './processes.js';
export { FileCollector } from './files.js';
export { formatEntry, formatTime } from './format.js';
export type { ResolvedPath } from './cwd.js';
export type { ProcessInfo, ProcessTree } from './processes.js';
export type { FileRef, FileMove, FileSets } from './files.js';
export * from './types.js';
