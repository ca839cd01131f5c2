// A structured, feedback-guided fuzzer for the parser and its writers.
// Inputs start from a seed corpus of real logs (test/fixtures/fuzz: the
// conformance suite's logs from the guest; test/fixtures/logs) and are
// mutated at the byte, token and line level. The parser's wasm cannot be
// instrumented by a JavaScript fuzzer, so the feedback is what the parser
// reports: an input joins the corpus when it yields a feature not seen
// before (an entry kind with its error reason and flags, a pair of
// consecutive kinds, a line-length class). Every input is checked against
// oracles that must hold for any bytes (see check()).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { concatBytes } from '../../sim/bytes.js';
import { parseTrace, traceParser } from '../../sim/node/parser-wasm.js';
import { JsonLogWriter, LogWriter, WasmLogParser, decodeEvent, encodeText, formatEntry, jsonPathBytes, visibleName, type JsonPath, type LogEntry, type RawBatch } from '../../sim/trace/index.js';
import { MAX_LINE } from '../../assembly/layout.js';
import { int, pick, randomLog, rng } from './parse-gen.js';

const enc = new TextEncoder();
const ROOT = new URL('../../../test/fixtures/', import.meta.url);

/** The seed corpus: every .filemon file under test/fixtures/fuzz and test/fixtures/logs. */
export function seedCorpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dir of ['fuzz/', 'logs/']) {
    const url = new URL(dir, ROOT);
    for (const f of readdirSync(url)
      .filter((n) => n.endsWith('.filemon'))
      .sort()) {
      out.push(new Uint8Array(readFileSync(new URL(f, url))));
    }
  }
  return out;
}

const TOKENS = [
  '0',
  '-1',
  '1',
  '2147483647',
  '2147483648',
  '-2147483648',
  '007',
  '-0',
  '+1',
  ' ',
  '  ',
  "'",
  "' '",
  "''",
  '#',
  '# filemon version ',
  '# Target pid ',
  '# Start ',
  '# Stop ',
  '# Bye bye',
  'V 4',
  'V 5',
  '.',
  '1700000000.000001',
  '\t',
  '\r',
  '\0',
  '\x1b[2J',
  '\xff',
  '\xc3',
  '\xed\xa0\x80',
  'é',
  '😀',
  '/',
  '..',
  '\n',
  '\n\n',
].map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff));
const LETTERS = enc.encode('ACDEFLMRVWX#');

function lines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) {
      out.push(b.subarray(at, i + 1));
      at = i + 1;
    }
  }
  if (at < b.length) out.push(b.subarray(at));
  return out;
}

/** One structured mutation of src (another corpus entry, other, may be spliced in). */
function mutateOnce(r: () => number, src: Uint8Array, other: Uint8Array): Uint8Array {
  const at = int(r, 0, src.length);
  switch (int(r, 0, 9)) {
    case 0: // delete a range
      return concatBytes([src.subarray(0, at), src.subarray(Math.min(src.length, at + int(r, 1, 8)))]);
    case 1: // insert a token
      return concatBytes([src.subarray(0, at), pick(r, TOKENS), src.subarray(at)]);
    case 2: {
      // overwrite a byte
      const b = src.slice();
      if (b.length) b[Math.min(at, b.length - 1)] = r() < 0.5 ? pick(r, [...LETTERS]) : int(r, 0, 255);
      return b;
    }
    case 3: {
      // swap two lines
      const ls = lines(src);
      if (ls.length < 2) return src;
      const i = int(r, 0, ls.length - 1);
      const j = int(r, 0, ls.length - 1);
      [ls[i], ls[j]] = [ls[j], ls[i]];
      return concatBytes(ls);
    }
    case 4: {
      // duplicate or drop a line
      const ls = lines(src);
      if (!ls.length) return src;
      const i = int(r, 0, ls.length - 1);
      if (r() < 0.5) ls.splice(i, 0, ls[i]);
      else ls.splice(i, 1);
      return concatBytes(ls);
    }
    case 5: {
      // splice in lines of another input
      const ls = lines(src);
      const os = lines(other);
      const i = int(r, 0, ls.length);
      const from = int(r, 0, os.length);
      ls.splice(i, 0, ...os.slice(from, from + int(r, 1, 4)));
      return concatBytes(ls);
    }
    case 6: // a generated record or log inserted at a line start
      {
        const ls = lines(src);
        ls.splice(int(r, 0, ls.length), 0, randomLog(r, int(r, 0, 3), true));
        return concatBytes(ls);
      }
    case 7: {
      // replace a number with an edge value
      const b = src;
      for (let i = at; i < b.length; i++) {
        if (b[i] >= 0x30 && b[i] <= 0x39) {
          let j = i;
          while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39) j++;
          return concatBytes([src.subarray(0, i), pick(r, TOKENS.slice(0, 8)), src.subarray(j)]);
        }
      }
      return src;
    }
    case 8: {
      // make a line long: near RECORD_CUT or MAX_LINE
      const n = pick(r, [1018, 1019, 1020, 1021, MAX_LINE - 6, MAX_LINE - 5, MAX_LINE, MAX_LINE + 1]);
      return concatBytes([src.subarray(0, at), enc.encode('R 1 ' + 'p'.repeat(n)), src.subarray(at)]);
    }
    default: // cut the input short
      return src.subarray(0, at);
  }
}

const MAX_INPUT = 2 * MAX_LINE;

function mutate(r: () => number, src: Uint8Array, other: Uint8Array): Uint8Array {
  let b = src;
  const n = int(r, 1, 4);
  for (let i = 0; i < n; i++) b = mutateOnce(r, b, other);
  // Small inputs keep the run fast; a line over MAX_LINE still fits.
  return b.length > MAX_INPUT ? b.subarray(0, MAX_INPUT) : b;
}

/** What the parser made of an input, as coverage features. */
function features(entries: readonly LogEntry[]): string[] {
  const out: string[] = [];
  let prev = 'start';
  for (const e of entries) {
    let f: string = e.kind;
    if (e.kind === 'error') f += ':' + e.reason;
    else if ('cut' in e && e.cut) f += ':cut';
    if ((e.kind === 'L' || e.kind === 'M') && e.ambiguous) f += ':ambiguous';
    if (e.kind === 'X' && e.signal === null) f += ':nosignal';
    out.push(f, `${prev}>${f}`);
    prev = f;
  }
  out.push(`end>${prev}`, `lines:${Math.min(entries.length, 64).toString(2).length}`);
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\x00-\x1f\x7f]/;
const dec = new TextDecoder('utf-8', { fatal: true });

let shared: WasmLogParser | undefined;

function decodeBatchInto(b: RawBatch, out: LogEntry[]): void {
  for (let i = 0; i < b.count; i++) out.push(decodeEvent(b, i));
}

function runWriter(make: (sink: (p: Uint8Array) => void) => { batch(b: RawBatch): void; end(): void }, input: Uint8Array, cut: number): Uint8Array {
  const pieces: Uint8Array[] = [];
  const w = make((p) => pieces.push(p));
  const parser = (shared ??= new WasmLogParser(traceParser().module));
  const sink = (b: RawBatch): void => w.batch(b);
  parser.push(input.subarray(0, cut), sink);
  parser.push(input.subarray(cut), sink);
  parser.end(sink);
  w.end();
  return concatBytes(pieces);
}

const pathBytes = (p: JsonPath): number[] => [...jsonPathBytes(p)];

/**
 * The oracles, for any bytes: the parser never traps; one entry per line,
 * numbered in order; formatting writes the input back unless a line was over
 * MAX_LINE; a stream split anywhere gives the same entries; the streamed JSON
 * is strict UTF-8 JSON equal to Trace.toJSON() and keeps every path's bytes;
 * the log view writes back exactly the well-formed lines; visibleName leaves
 * no control character.
 */
function check(input: Uint8Array, r: () => number): string[] {
  const t = parseTrace(input);
  let n = 0;
  for (const c of input) if (c === 0x0a) n++;
  if (input.length > 0 && input[input.length - 1] !== 0x0a) n++;
  assert.equal(t.entries.length, n, 'one entry per line');
  for (let i = 0; i < t.entries.length; i++) assert.equal(t.entries[i].line, i + 1);
  if (!t.errors.some((e) => e.reason === 'line-too-long')) assert.deepEqual(t.formatBytes(), input, 'format writes the input back');

  const cut = int(r, 0, input.length);
  const streamed: LogEntry[] = [];
  runWriter(() => ({ batch: (b) => decodeBatchInto(b, streamed), end: () => {} }), input, cut);
  assert.equal(JSON.stringify(streamed), JSON.stringify(t.entries), `stream split at ${cut}`);

  const json = runWriter((sink) => new JsonLogWriter(sink, {}, 4096), input, cut);
  const text = dec.decode(json);
  assert.ok(!LONE_SURROGATE.test(text), 'no lone surrogate in the JSON');
  const doc = JSON.parse(text) as { events: Array<Record<string, JsonPath>>; errorCount: number; complete: boolean };
  const expected = t.toJSON() as { events: unknown[]; complete: boolean };
  assert.equal(JSON.stringify(doc.events), JSON.stringify(expected.events), 'streamed JSON events equal Trace.toJSON()');
  assert.equal(doc.errorCount, t.errors.length);
  assert.equal(doc.complete, expected.complete);
  // A string path must be the text itself; a base64 one must hold the exact bytes.
  const same = (j: JsonPath, text: string): boolean => (typeof j === 'string' ? j === text : pathBytes(j).join() === [...encodeText(text)].join());
  t.events.forEach((e, i) => {
    const j = doc.events[i];
    if ('path' in e) assert.ok(same(j.path, e.path), 'JSON keeps the path bytes');
    else if ('from' in e) assert.ok(same(j.from, e.from) && same(j.to, e.to), 'JSON keeps the from and to bytes');
  });

  const log = runWriter((sink) => new LogWriter(sink, 4096), input, cut);
  const wellFormed = encodeText(
    t.entries
      .filter((e) => e.kind !== 'error')
      .map((e) => formatEntry(e))
      .join(''),
  );
  assert.deepEqual(log, wellFormed, 'the log view writes the well-formed lines back');

  for (const e of t.events) {
    if ('path' in e) assert.ok(!CONTROL.test(visibleName(e.path)), 'visibleName hides control bytes');
  }
  return features(t.entries);
}

export interface FuzzResult {
  inputs: number;
  features: number;
  corpus: number;
  failures: Array<{ input: Uint8Array; error: string }>;
  slowestMs: number;
}

/**
 * Runs count inputs from seed: each a mutation of a corpus entry (1 in 8 a
 * fresh random byte string); inputs with new features join the corpus.
 */
export function fuzz(count: number, seed: number, progress?: (done: number, r: FuzzResult) => void): FuzzResult {
  const r = rng(seed);
  const corpus = seedCorpus();
  const seen = new Set<string>();
  const result: FuzzResult = { inputs: 0, features: 0, corpus: corpus.length, failures: [], slowestMs: 0 };
  for (const c of corpus) for (const f of check(c, r)) seen.add(f);
  for (let n = 0; n < count; n++) {
    const input =
      n % 8 === 7 ? Uint8Array.from({ length: int(r, 0, 300) }, () => (r() < 0.7 ? pick(r, [...LETTERS, 0x20, 0x0a, 0x31, 0x27]) : int(r, 0, 255))) : mutate(r, pick(r, corpus), pick(r, corpus));
    const t0 = performance.now();
    try {
      let fresh = false;
      for (const f of check(input, r)) {
        if (!seen.has(f)) {
          seen.add(f);
          fresh = true;
        }
      }
      if (fresh && corpus.length < 10000) corpus.push(input);
    } catch (err) {
      result.failures.push({ input, error: (err as Error).message.split('\n')[0] });
      if (result.failures.length >= 10) break;
    }
    result.slowestMs = Math.max(result.slowestMs, performance.now() - t0);
    result.inputs = n + 1;
    if (progress && (n + 1) % 50000 === 0) progress(n + 1, { ...result, features: seen.size, corpus: corpus.length });
  }
  result.features = seen.size;
  result.corpus = corpus.length;
  return result;
}
