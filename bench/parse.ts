// Parser benchmark: a generated 100 MB filemon log parsed by the wasm parser
// and by a plain JS parser (split lines, split fields) in the same run.
// Usage: npm run bench:parse [-- MB]   (node dist/bench/parse.js [MB])

import { readParserWasm } from '../sim/node/parser-wasm.js';
import { WasmLogParser, compileParserSync, loadTraceParserSync } from '../sim/trace/index.js';
import { EVENT_WORDS, W_PID } from '../assembly/layout.js';
import { benchLog } from '../test/helpers/parse-gen.js';

const MB = 1e6;
const RUNS = 5;

interface Tally {
  events: number;
  pidSum: number;
}

/** The wasm parser as the streaming API drives it: events land in the typed buffer, paths stay bytes. */
function wasmParse(parser: WasmLogParser, log: Uint8Array): Tally {
  const t: Tally = { events: 0, pidSum: 0 };
  const sink = ({ words, count }: { words: Int32Array; count: number }): void => {
    t.events += count;
    for (let i = 0; i < count; i++) t.pidSum += words[i * EVENT_WORDS + W_PID];
  };
  parser.push(log, sink);
  parser.end(sink);
  return t;
}

/** What a straightforward JS parser does: decode, split lines, split fields. */
function jsParse(log: Uint8Array): Tally {
  const t: Tally = { events: 0, pidSum: 0 };
  const text = new TextDecoder().decode(log);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const f = line.split(' ');
    t.events++;
    const n = f[0] !== '#' ? 1 : f[1] === 'Target' || f[1] === 'filemon' ? 3 : -1;
    if (n > 0) t.pidSum += Number(f[n]) | 0;
  }
  return t;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
}

/** Best of RUNS after a warm-up run: the steady-state speed. */
function bench<T>(name: string, bytes: number, f: () => T): [T, number] {
  let [result] = time(f);
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const [r, s] = time(f);
    result = r;
    best = Math.min(best, s);
  }
  const rate = bytes / MB / best;
  console.log(`${name.padEnd(34)} ${rate.toFixed(0).padStart(6)} MB/s  (best of ${RUNS}: ${(best * 1000).toFixed(0)} ms)`);
  return [result, rate];
}

const size = Number(process.argv[2] ?? 100) * MB;
const [log, genSeconds] = time(() => benchLog(size));
console.log(`log: ${(log.length / MB).toFixed(1)} MB generated in ${genSeconds.toFixed(1)} s; node ${process.version}`);

const module = compileParserSync(readParserWasm());
const parser = new WasmLogParser(module);
const [w, wasmRate] = bench('wasm parser (events in linear memory)', log.length, () => wasmParse(parser, log));
const [j, jsRate] = bench('JS parser (split lines, split fields)', log.length, () => jsParse(log));
if (w.events !== j.events || w.pidSum !== j.pidSum) {
  throw new Error(`parsers disagree: wasm ${JSON.stringify(w)}, JS ${JSON.stringify(j)}`);
}
// For reference: the whole model, decoding every entry into a JS object.
const traceParser = loadTraceParserSync(module);
bench('parseTrace (wasm + entry objects)', log.length, () => traceParser.parseTrace(log).entries.length);

const ratio = wasmRate / jsRate;
console.log(`events: ${w.events}; wasm/JS ratio: ${ratio.toFixed(1)}x`);
console.log(`targets: >= 300 MB/s ${wasmRate >= 300 ? 'met' : 'MISSED'}; >= 3x JS ${ratio >= 3 ? 'met' : 'MISSED'}`);
