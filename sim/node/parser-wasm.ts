// Node adapter: reads the parser wasm from this package's build output and
// serves the core trace API synchronously. Browsers use their own adapter.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTraceParserSync, type TraceParser, type Trace, type LogStream } from '../trace/index.js';

/** dist/wasm/filemon-parser.wasm, seen from dist/sim/node/. */
export const PARSER_WASM_URL = new URL('../../wasm/filemon-parser.wasm', import.meta.url);

export function readParserWasm(): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(readFileSync(PARSER_WASM_URL));
  } catch (err) {
    throw new Error(`cannot read the filemon parser at ${fileURLToPath(PARSER_WASM_URL)} (${(err as Error).message}): build it with \`npm run build\``);
  }
}

let parser: TraceParser | null = null;

/** The process-wide parser, compiled on first use. */
export function traceParser(): TraceParser {
  return (parser ??= loadTraceParserSync(readParserWasm()));
}

/** Parses a whole filemon log (or the filemon section of a bmake `.meta` file) on the host. */
export function parseTrace(input: Uint8Array | string): Trace {
  return traceParser().parseTrace(input);
}

/** A streaming parser of a log on the host: push chunks, get each line's entry once whole. */
export function createLogStream(): LogStream {
  return traceParser().stream();
}
