// Parser benchmark: a generated 100 MB filemon log parsed by the wasm parser
// and by a plain JS parser (split lines, split fields) in the same run; then
// `filemon-sim parse --json` of a generated 1 GB log file, end to end in a
// child process: MB/s and peak RSS.
// Usage: npm run bench:parse [-- MB [JSON_MB [OTHER.wasm]]]
//   (node dist/bench/parse.js [MB] [JSON_MB] [OTHER.wasm]); JSON_MB 0 skips
//   the CLI run; OTHER.wasm (another build of the parser) is timed side by
//   side with this one on the same log.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParserWasm } from '../sim/node/parser-wasm.js';
import { parseCommand } from '../sim/cli/parse.js';
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

/** In the child: `parse --json FILE -o /dev/null`, then its own resource use on stderr. */
async function child(file: string): Promise<void> {
  const t0 = performance.now();
  const code = await parseCommand(['--json', '-o', '/dev/null', file]);
  const u = process.resourceUsage();
  process.stderr.write(`\n${JSON.stringify({ code, seconds: (performance.now() - t0) / 1000, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssKB: u.maxRSS })}\n`);
}

/** Writes a generated log of about mb MB to a file, a block at a time. */
function writeLogFile(file: string, mb: number): number {
  const fd = openSync(file, 'w');
  try {
    const block = 64;
    for (let done = 0, seed = 1; done < mb; done += block, seed++) {
      const part = benchLog(Math.min(block, mb - done) * MB, seed);
      // Keep one header and one footer: the middle blocks lose theirs.
      const text = part;
      const startAt = done === 0 ? 0 : text.indexOf(0x0a, text.indexOf(0x56 /* V */)) + 1;
      const footer = text.lastIndexOf(0x23 /* # */, text.lastIndexOf(0x23) - 1);
      const endAt = done + block >= mb ? text.length : footer;
      writeSync(fd, text.subarray(startAt, endAt));
    }
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}

async function jsonBench(mb: number): Promise<void> {
  const file = join(tmpdir(), `filemon-sim-bench-${process.pid}.log`);
  try {
    const bytes = writeLogFile(file, mb);
    console.log(`\nparse --json of a ${(bytes / MB).toFixed(0)} MB log file (CLI in a child process, output to /dev/null):`);
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, [process.argv[1], '--child', file], { stdio: ['ignore', 'inherit', 'pipe'] });
      let err = '';
      c.stderr.on('data', (d) => (err += d));
      c.on('error', reject);
      c.on('close', () => resolve(err));
    });
    const last = out.trim().split('\n').pop() ?? '';
    const r = JSON.parse(last) as { code: number; seconds: number; cpu: number; maxRssKB: number };
    const rate = bytes / MB / r.seconds;
    const rss = r.maxRssKB / 1024;
    console.log(
      `  exit ${r.code}; ${r.seconds.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU: ${rate.toFixed(0)} MB/s wall, ${(bytes / MB / r.cpu).toFixed(0)} MB/s CPU; peak RSS ${rss.toFixed(0)} MB`,
    );
    console.log(`  targets: >= 100 MB/s ${rate >= 100 ? 'met' : 'MISSED'} (wall; noisy on a shared machine); <= 300 MB RSS ${rss <= 300 ? 'met' : 'MISSED'}`);
  } finally {
    rmSync(file, { force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
  process.exit(0);
}

const size = Number(process.argv[2] ?? 100) * MB;
const jsonMB = Number(process.argv[3] ?? 1000);
const other = process.argv[4];
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

if (other) {
  // Another build, alternated with this one so that load changes hit both.
  const otherParser = new WasmLogParser(compileParserSync(readFileSync(other)));
  let [a, b] = [Infinity, Infinity];
  for (let i = 0; i < RUNS; i++) {
    a = Math.min(a, time(() => wasmParse(parser, log))[1]);
    b = Math.min(b, time(() => wasmParse(otherParser, log))[1]);
  }
  console.log(`side by side (best of ${RUNS}, alternated): this build ${(log.length / MB / a).toFixed(0)} MB/s, ${other} ${(log.length / MB / b).toFixed(0)} MB/s; ratio ${(b / a).toFixed(2)}x`);
}

if (jsonMB > 0) await jsonBench(jsonMB);
