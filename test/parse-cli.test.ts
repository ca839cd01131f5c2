// `filemon-sim parse` on big, broken, binary and oddly named input, on the
// host alone: streams in bounded memory, reports errors in bounded volume,
// writes strict JSON whatever the path bytes, and escapes names in text views.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLog, rng } from './helpers/parse-gen.js';

const CLI = new URL('../sim/cli.js', import.meta.url).pathname;
const enc = new TextEncoder();

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function cli(args: string[], nodeFlags: string[] = [], stdin?: Uint8Array): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, CLI, ...args], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d) => out.push(d));
    child.stderr!.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    if (stdin) child.stdin!.end(stdin);
  });
}

const cat = (...parts: Array<string | number[]>): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));

const HEADER = '# filemon version 5\n# Target pid 1\n# Start 1700000000.000001\nV 5\n';
const FOOTER = '# Stop 1700000000.000002\n# Bye bye\n';

/** A lone surrogate: what strict JSON decoders (and UTF-8 encoders) reject. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('parse: streaming and bounded output', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fms-parse-'));
  });

  it('--json of a 64 MB log streams in a 48 MB heap, and the log view writes it back', async () => {
    const file = join(dir, 'big.log');
    const log = benchLog(64e6, 5);
    writeFileSync(file, log);
    const small = ['--max-old-space-size=48'];
    const j = await cli(['parse', '--json', file], small);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout.toString()) as { events: unknown[]; complete: boolean; errorCount: number };
    assert.equal(doc.complete, true);
    assert.equal(doc.errorCount, 0);
    let lines = 0;
    for (const c of log) if (c === 0x0a) lines++;
    assert.equal(doc.events.length, lines - 6, 'every record line is an event');
    const raw = await cli(['parse', file], small);
    assert.equal(raw.code, 0, raw.stderr);
    assert.ok(raw.stdout.equals(log), 'the log view writes a well-formed log back byte for byte');
  });

  it('reads stdin', async () => {
    const r = await cli(['parse', '--json', '-'], [], enc.encode(HEADER + 'R 1 /a\n' + FOOTER));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout.toString()) as { events: unknown[] }).events.length, 1);
  });

  it('says in one line that random bytes are not a filemon log, and echoes none of them', async () => {
    const r = rng(3);
    const bytes = Uint8Array.from({ length: 4 << 20 }, () => Math.floor(r() * 256));
    const file = join(dir, 'random.bin');
    writeFileSync(file, bytes);
    for (const view of [[], ['--json'], ['--tree'], ['--deps']]) {
      const run = await cli(['parse', ...view, file]);
      assert.equal(run.code, 1);
      assert.equal(run.stdout.length, 0, `${view}: nothing on stdout`);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr.slice(0, 500));
      assert.match(run.stderr, /not a filemon log/);
    }
  });

  it('reports the first 100 malformed lines, escaped, then a count', async () => {
    const bad = Array.from({ length: 5000 }, (_, i) => `R x${i}\x1b[2J\n`).join('');
    const file = join(dir, 'bad.log');
    writeFileSync(file, HEADER + 'R 1 /ok\n' + bad + FOOTER);
    const r = await cli(['parse', file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.filter((l) => /^\s*line \d+:/.test(l)).length, 100);
    assert.match(r.stderr, /and 4900 more malformed line/);
    assert.ok(!r.stderr.includes('\x1b'), 'no control byte reaches the terminal');
    assert.match(r.stderr, /\\033\[2J/);
    assert.ok(r.stdout.toString().includes('R 1 /ok\n'));
    assert.ok(!r.stdout.toString().includes('R x'), 'malformed lines are reported, not echoed');
    assert.ok(r.stderr.length < 20_000);
  });
});

describe('parse: honest names', function () {
  this.timeout(60_000);
  let file: string;
  const weird = [0x2f, 0x74, 0x2f, 0xff, 0xfe, 0x0a]; // "/t/" + invalid UTF-8, then the newline of the record
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), 'fms-names-'));
    file = join(dir, 'names.log');
    writeFileSync(file, cat(HEADER, 'R 1 ', weird, 'W 1 /t/tab\there\x01 and space\n', 'W 1 /t/caf\u00e9\n', "M 1 '/t/a' '/t/b' '/t/c'\n", "M 1 '/t/x' '/t/y'\n", FOOTER));
  });

  it('--json is strict JSON: valid UTF-8 paths as strings, others as base64', async () => {
    const r = await cli(['parse', '--json', file]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString('utf8');
    assert.ok(!LONE_SURROGATE.test(text), 'no lone surrogate');
    assert.ok(Buffer.from(text, 'utf8').equals(r.stdout), 'the output is valid UTF-8');
    const doc = JSON.parse(text) as { events: Array<Record<string, unknown>> };
    const [raw, tab, cafe, amb, plain] = doc.events;
    assert.deepEqual(raw.path, { base64: Buffer.from(weird.slice(0, -1)).toString('base64') });
    assert.equal(tab.path, '/t/tab\there\x01 and space');
    assert.equal(cafe.path, '/t/caf\u00e9');
    assert.equal(amb.ambiguous, true);
    assert.equal(plain.ambiguous, false);
  });

  it('--deps and --tree escape control and invalid bytes as ls -b does', async () => {
    const r = await cli(['parse', '--deps', file]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString('utf8');
    assert.ok(text.includes('/t/\\377\\376'), text);
    assert.ok(text.includes('/t/tab\\there\\001\\ and\\ space'), text);
    assert.ok(text.includes('/t/caf\u00e9'), 'printable UTF-8 stays as is');
    assert.ok(!/\uFFFD/.test(text), 'no replacement character');
    assert.match(text, /ambiguous/);
  });

  it('warns about records that can be read more than one way', async () => {
    const r = await cli(['parse', file]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /line 8: .*more than one way/);
  });
});
