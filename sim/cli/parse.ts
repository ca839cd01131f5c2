// `filemon-sim parse FILE`: views of an existing filemon log (or of the
// filemon section of a bmake .meta file), on the host alone. Streams: the
// input is read, parsed and written in chunks, so a log of any size passes
// in memory bounded by the view.
import { once } from 'node:events';
import { createReadStream, createWriteStream, openSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { traceParser } from '../node/parser-wasm.js';
import { META_MARKER, WasmLogParser, filemonSection, type RawBatch } from '../trace/index.js';
import { CliError, parseOptions } from './common.js';
import { LogDiagnostics, VIEW_OPTIONS, checkViewFlags, createView } from './output.js';

/** Bytes looked at before deciding whether the input is a log at all. */
const HEAD = 64 * 1024;
const enc = new TextEncoder();
const LOG_HEADER = enc.encode('# filemon version ');
const META_HEADER = enc.encode('# Meta data file ');

const startsWith = (b: Uint8Array, prefix: Uint8Array): boolean => b.length >= prefix.length && prefix.every((c, i) => b[i] === c);

/**
 * Why the start of the input is not a filemon log at all, or null when it may
 * be one: it has a header, or it is text holding at least one record.
 */
function notALog(head: Uint8Array, headIsAll: boolean): string | null {
  if (startsWith(head, LOG_HEADER) || startsWith(head, META_HEADER)) return null;
  if (head.length === 0) return 'it is empty';
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(head);
  let odd = 0;
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) odd++;
  }
  const share = odd / text.length;
  const where = headIsAll ? 'it' : `its first ${head.length} bytes`;
  if (share > 0.1) return `no "# filemon version" header, and ${Math.round(share * 100)}% of ${where} are not text`;
  const trace = traceParser().parseTrace(head);
  if (trace.events.length === 0 && trace.header.version === null) {
    return `no "# filemon version" header, and none of the lines in ${where} is a filemon record`;
  }
  return null;
}

/** Skips a .meta file's own lines up to the filemon section, across chunks. */
class MetaSkipper {
  #carry: Uint8Array = new Uint8Array(0);
  found = false;

  /** The part of chunk that belongs to the log (empty until the marker is seen). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.found) return chunk;
    const joined = new Uint8Array(this.#carry.length + chunk.length);
    joined.set(this.#carry);
    joined.set(chunk, this.#carry.length);
    const section = filemonSection(joined);
    if (section) {
      this.found = true;
      return section;
    }
    // Keep enough to see a marker split between chunks, with the byte before it.
    this.#carry = joined.slice(Math.max(0, joined.length - META_MARKER.length));
    return new Uint8Array(0);
  }
}

/** Resolves when out can take more, or has failed (its 'error' handler records why). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
  });
}

async function* chunks(input: Readable): AsyncGenerator<Uint8Array> {
  for await (const c of input) yield c as Uint8Array;
}

function openInput(file: string): Readable {
  if (file === '-') return process.stdin;
  return createReadStream(file, { highWaterMark: 1 << 20 });
}

function openOutput(output: string | undefined): Writable {
  if (!output || output === '-') return process.stdout;
  try {
    return createWriteStream('', { fd: openSync(output, 'w') });
  } catch (e) {
    throw new CliError(`parse: cannot write ${output}: ${(e as Error).message}`, 1);
  }
}

export async function parseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('parse', () => parseArgs({ args, allowPositionals: true, options: VIEW_OPTIONS }));
  if (positionals.length !== 1) throw new CliError('parse: give one log file; usage: filemon-sim parse [--json|--tree|--deps|--format make|dot] [-o OUT] FILE');
  checkViewFlags(values);
  const file = positionals[0];
  const name = file === '-' ? 'stdin' : file;
  const readError = (e: unknown) => new CliError(`parse: cannot read ${name}: ${(e as Error).message}`, 1);

  const input = chunks(openInput(file));
  // The head decides whether this is a log (or a .meta file) before anything is written.
  const headParts: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  try {
    while (headLength < HEAD) {
      const r = await input.next();
      if (r.done) {
        ended = true;
        break;
      }
      headParts.push(r.value);
      headLength += r.value.length;
    }
  } catch (e) {
    throw readError(e);
  }
  const head = Buffer.concat(headParts);
  const why = notALog(head.subarray(0, HEAD), ended && head.length <= HEAD);
  if (why) throw new CliError(`parse: ${name} is not a filemon log: ${why}`, 1);

  const out = openOutput(values.output);
  let writeFailed: Error | null = null;
  out.on('error', (e) => (writeFailed ??= e));
  const pending: Uint8Array[] = [];
  const view = createView(values, (p) => pending.push(p));
  const diagnostics = new LogDiagnostics();
  const parser = new WasmLogParser(traceParser().module);
  const sink = (b: RawBatch): void => {
    diagnostics.batch(b);
    view.batch(b);
  };
  const drain = async (): Promise<void> => {
    for (const p of pending.splice(0)) {
      if (writeFailed) break;
      if (!out.write(p)) await drained(out);
    }
    if (writeFailed) throw new CliError(`parse: cannot write ${values.output ?? 'stdout'}: ${writeFailed.message}`, 1);
  };

  const meta = startsWith(head, META_HEADER) ? new MetaSkipper() : null;
  const feed = async (chunk: Uint8Array): Promise<void> => {
    const log = meta ? meta.push(chunk) : chunk;
    if (log.length) parser.push(log, sink);
    await drain();
  };
  await feed(head);
  try {
    for (let r = ended ? null : await input.next(); r && !r.done; r = await input.next()) await feed(r.value);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw readError(e);
  }
  if (meta && !meta.found) throw new CliError(`parse: ${name} is a bmake .meta file without a filemon section ("-- filemon acquired metadata --"): was it made with .MAKE.MODE=meta and filemon?`, 1);
  parser.end(sink);
  view.end();
  await drain();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'close');
  }
  const report = diagnostics.report(name);
  process.stderr.write(report);
  return diagnostics.errorCount || !diagnostics.complete ? 1 : 0;
}
