// The wasm parser through its streaming and one-shot APIs: what each line
// becomes, strictness, chunk boundaries, byte exactness, and a fuzz test.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseTrace, createLogStream, readParserWasm } from '../sim/node/parser-wasm.js';
import { decodeText, encodeText, loadTraceParser, type LogEntry } from '../sim/trace/index.js';
import { MAX_LINE, SLICE } from '../assembly/layout.js';
import { fixtures } from './helpers/parse-fixtures.js';
import { rng, int, pick, randomLog } from './helpers/parse-gen.js';
import { fuzz as fuzzSlice, seedCorpus } from './helpers/fuzz.js';

const enc = new TextEncoder();
const json = (x: unknown): string => JSON.stringify(x);
/** Entries as plain data (lazily decoded ones are class instances). */
const plain = <T>(x: T): T => JSON.parse(json(x));
const one = (line: string): LogEntry => {
  const { entries } = parseTrace(line + '\n');
  assert.equal(entries.length, 1, `one entry for ${json(line)}`);
  return plain(entries[0]);
};
const reason = (line: string): string => {
  const e = one(line);
  assert.equal(e.kind, 'error', `${json(line)} should be an error, got ${json(e)}`);
  return e.kind === 'error' ? e.reason : '';
};

/** Parses bytes pushed in the given pieces. */
function streamed(bytes: Uint8Array, cuts: number[]): string {
  const s = createLogStream();
  const out: LogEntry[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(...s.push(bytes.subarray(at, c)));
    at = c;
  }
  out.push(...s.end());
  return json({ out, header: s.header, footer: s.footer, complete: s.complete });
}
const oneShot = (bytes: Uint8Array): string => streamed(bytes, []);

describe('parser: records', () => {
  it('reads each record letter into its fields', () => {
    assert.deepEqual(one('R 12 /a b'), { kind: 'R', line: 1, pid: 12, path: '/a b', cut: false });
    assert.deepEqual(one('W 1 x'), { kind: 'W', line: 1, pid: 1, path: 'x', cut: false });
    assert.deepEqual(one('A 1 rel/p'), { kind: 'A', line: 1, pid: 1, path: 'rel/p', cut: false });
    assert.deepEqual(one('C 1 ..'), { kind: 'C', line: 1, pid: 1, path: '..', cut: false });
    assert.deepEqual(one('D 1 /tmp/x'), { kind: 'D', line: 1, pid: 1, path: '/tmp/x', cut: false });
    assert.deepEqual(one('E 1 /bin/sh'), { kind: 'E', line: 1, pid: 1, path: '/bin/sh', cut: false });
    assert.deepEqual(one('F 1 2147483647'), { kind: 'F', line: 1, pid: 1, child: 2147483647 });
    assert.deepEqual(one('X 3 -1 15'), { kind: 'X', line: 1, pid: 3, status: -1, signal: 15 });
    assert.deepEqual(one("L 4 'a b' 'c'"), { kind: 'L', line: 1, pid: 4, from: 'a b', to: 'c', cut: false, ambiguous: false });
    assert.deepEqual(one("M 4 'it's' 'x'"), { kind: 'M', line: 1, pid: 4, from: "it's", to: 'x', cut: false, ambiguous: false });
    assert.deepEqual(one('V 5'), { kind: 'V', line: 1, version: 5 });
  });

  it('keeps a path exactly, spaces and trailing blanks included', () => {
    assert.equal((one('R 1  lead and trail  ') as { path: string }).path, ' lead and trail  ');
    assert.equal((one('R 1 a\rb\t') as { path: string }).path, 'a\rb\t');
  });

  it('splits L and M at the first quote-space-quote that leaves both paths non-empty', () => {
    assert.deepEqual(one("L 1 'a' 'b' 'c'"), { kind: 'L', line: 1, pid: 1, from: 'a', to: "b' 'c", cut: false, ambiguous: true });
    assert.deepEqual(one("L 1 '' ' 'x'"), { kind: 'L', line: 1, pid: 1, from: "' ", to: 'x', cut: false, ambiguous: false });
  });

  it('reads header and footer lines', () => {
    const t = parseTrace('# filemon version 5\n# Target pid 7\n# Start 1700000000.012345\nV 5\n# Stop 1700000001.000002\n# Bye bye\n');
    assert.deepEqual(t.header, { version: 5, targetPid: 7, start: { sec: 1700000000, usec: 12345 } });
    assert.deepEqual(t.footer, { stop: { sec: 1700000001, usec: 2 }, bye: true });
    assert.equal(t.complete, true);
    assert.deepEqual(
      t.entries.map((e) => e.kind),
      ['version', 'target', 'start', 'V', 'stop', 'bye'],
    );
  });

  it('calls a log without "# Bye bye" incomplete', () => {
    const t = parseTrace('# filemon version 5\nR 1 /x\n# Stop 1.000000\n');
    assert.equal(t.complete, false);
    assert.deepEqual(t.footer, { stop: { sec: 1, usec: 0 }, bye: false });
  });

  it('numbers lines from 1, counting error lines too', () => {
    const t = parseTrace('R 1 /a\n\nbogus\nW 2 /b\n');
    assert.deepEqual(
      t.entries.map((e) => [e.kind, e.line]),
      [
        ['R', 1],
        ['error', 2],
        ['error', 3],
        ['W', 4],
      ],
    );
  });

  it('flags records of exactly 1023 bytes as possibly cut by filemon', () => {
    const path = '/' + 'p'.repeat(1022 - 'R 1 /'.length);
    assert.equal((one('R 1 ' + path) as { cut: boolean }).cut, true);
    assert.equal((one('R 1 ' + path.slice(1)) as { cut: boolean }).cut, false);
  });
});

describe('parser: strictness', () => {
  const cases: [string, string][] = [
    ['Q 1 /x', 'unknown-record'],
    ['RW 1 /x', 'unknown-record'],
    ['r 1 /x', 'unknown-record'],
    ['R\t1 /x', 'unknown-record'],
    ['# free text', 'unknown-record'],
    ['# Bye bye!', 'unknown-record'],
    ['R', 'missing-field'],
    ['R ', 'missing-field'],
    ['R 1', 'missing-field'],
    ['R 1 ', 'missing-field'],
    ['F 1', 'missing-field'],
    ['F 1 ', 'missing-field'],
    ['X 1 0', 'missing-field'],
    ['X 1 0 ', 'missing-field'],
    ["M 1 'a'", 'missing-field'],
    ["M 1 '' 'b'", 'missing-field'],
    ["M 1 'a' ''", 'missing-field'],
    ['V', 'missing-field'],
    ['F 1 2 3', 'extra-field'],
    ['X 1 0 0 0', 'extra-field'],
    ['V 5 5', 'extra-field'],
    ['R x /a', 'bad-number'],
    ['R 12x /a', 'bad-number'],
    ['R -1 /a', 'bad-number'],
    ['R 01 /a', 'bad-number'],
    ['R 2147483648 /a', 'bad-number'],
    ['R 99999999999999999999 /a', 'bad-number'],
    ['F 1 -2', 'bad-number'],
    ['X 1 -0 0', 'bad-number'],
    ['X 1 0 x', 'bad-number'],
    ['X 1 00 0', 'bad-number'],
    ['# filemon version five', 'bad-number'],
    ['# Target pid ', 'bad-number'],
    ["M 1 'a' 'b", 'bad-quote'],
    ["M 1 a' 'b'", 'bad-quote'],
    ['L 1 a b', 'bad-quote'],
    ["L 1 '", 'bad-quote'],
    ['', 'empty-line'],
    ['# Start 1700000000.5', 'bad-time'],
    ['# Start 01.000000', 'bad-time'],
    ['# Stop .000000', 'bad-time'],
    ['# Stop 1.00000a', 'bad-time'],
  ];
  for (const [line, expected] of cases) {
    it(`${json(line)} is ${expected}`, () => assert.equal(reason(line), expected));
  }

  it('accepts the largest and smallest numbers %d can print', () => {
    assert.deepEqual(one('X 2147483647 -2147483648 2147483647'), { kind: 'X', line: 1, pid: 2147483647, status: -2147483648, signal: 2147483647 });
    assert.equal(reason('X 1 -2147483649 0'), 'bad-number');
  });

  it('keeps the text of an error line and says what to do', () => {
    const e = one('R x /a b');
    assert.ok(e.kind === 'error');
    assert.equal(e.text, 'R x /a b');
    assert.match(e.message, /decimal/);
  });

  it('goes on after errors', () => {
    const t = parseTrace(readFileSync(new URL('../../test/fixtures/logs/errors.filemon', import.meta.url)));
    assert.equal(t.events.length, 1);
    assert.equal((t.events[0] as { path: string }).path, '/ok/after/errors');
    assert.equal(t.errors.length, t.entries.length - 3);
  });

  it('accepts version 4 exits without signal, and only there', () => {
    const v4 = parseTrace('# filemon version 4\nX 1 3\n');
    assert.deepEqual(plain(v4.events), [{ kind: 'X', line: 2, pid: 1, status: 3, signal: null }]);
    assert.equal(parseTrace('V 4\nX 1 3 0\n').events.length, 1, 'v4 with a signal field still parses');
    assert.equal(parseTrace('# filemon version 5\nX 1 3\n').errors[0].reason, 'missing-field');
    assert.equal(parseTrace('X 1 3\n').errors[0].reason, 'missing-field', 'no header: v5 rules');
    assert.equal(parseTrace('# filemon version 4\nX 1 3\n').header.version, 4);
  });

  it(`takes lines up to ${MAX_LINE} bytes and reports longer ones, then resumes at the next line`, () => {
    const ok = 'R 1 /' + 'a'.repeat(MAX_LINE - 5);
    const long = ok + 'b';
    const t = parseTrace(`${ok}\n${long}\nW 2 /next\n`);
    assert.deepEqual(
      t.entries.map((e) => e.kind),
      ['R', 'error', 'W'],
    );
    assert.equal(t.errors[0].reason, 'line-too-long');
    assert.equal(t.errors[0].line, 2);
    assert.equal(t.errors[0].text, ok, 'keeps the first MAX_LINE bytes');
    assert.equal(t.entries[2].line, 3);
  });

  it('skips an endless line in bounded memory, across many chunks', () => {
    const s = createLogStream();
    const out: LogEntry[] = [...s.push('R 1 /a\nW 2 ')];
    const junk = new Uint8Array(3 * SLICE + 17).fill(0x61);
    for (let i = 0; i < 10; i++) out.push(...s.push(junk));
    out.push(...s.push('zz\nD 3 /b\n'), ...s.end());
    assert.deepEqual(
      out.map((e) => [e.kind, e.line]),
      [
        ['R', 1],
        ['error', 2],
        ['D', 3],
      ],
    );
  });

  it('reports a last line without newline and is done after end()', () => {
    const s = createLogStream();
    assert.deepEqual(plain(s.push('R 1 /a\nR 1 /b')), [{ kind: 'R', line: 1, pid: 1, path: '/a', cut: false }]);
    const last = s.end();
    assert.equal(last.length, 1);
    assert.ok(last[0].kind === 'error' && last[0].reason === 'unterminated-line' && last[0].text === 'R 1 /b');
    assert.deepEqual(s.end(), []);
    assert.throws(() => s.push('R 1 /c\n'), /after end/);
  });
});

describe('parser: bytes', () => {
  it('keeps paths that are not UTF-8 byte for byte', () => {
    const bytes = Uint8Array.from([...enc.encode('R 1 /caf'), 0xe9, 0xff, 0xc3, 0xa9, 0xed, 0xa0, 0x80, 0x0a]);
    const t = parseTrace(bytes);
    const path = (t.events[0] as { path: string }).path;
    assert.deepEqual([...encodeText(path)], [...bytes.subarray(4, -1)]);
    assert.ok(path.includes('é'), 'the valid sequence in it decodes as usual');
  });

  it('decodeText/encodeText round-trip any bytes', () => {
    const r = rng(7);
    for (let n = 0; n < 2000; n++) {
      const b = Uint8Array.from({ length: int(r, 0, 40) }, () => (r() < 0.5 ? int(r, 0x80, 0xff) : int(r, 0, 0x7f)));
      assert.deepEqual([...encodeText(decodeText(b, 0, b.length))], [...b]);
    }
  });

  it('decodes valid UTF-8 as UTF-8', () => {
    const b = enc.encode('日本/é/😀');
    assert.equal(decodeText(b, 0, b.length), '日本/é/😀');
  });
});

describe('parser: chunk boundaries', () => {
  for (const f of fixtures()) {
    it(`${f.name}: every split point gives the same result`, () => {
      const whole = oneShot(f.bytes);
      for (let i = 0; i <= f.bytes.length; i++) assert.equal(streamed(f.bytes, [i]), whole, `split at ${i}`);
    });
    it(`${f.name}: one byte at a time, and random three-way splits`, () => {
      const whole = oneShot(f.bytes);
      assert.equal(
        streamed(
          f.bytes,
          Array.from({ length: f.bytes.length }, (_, i) => i),
        ),
        whole,
      );
      const r = rng(f.bytes.length);
      for (let k = 0; k < 200; k++) {
        const cuts = [int(r, 0, f.bytes.length), int(r, 0, f.bytes.length)].sort((a, b) => a - b);
        assert.equal(streamed(f.bytes, cuts), whole, `cuts ${cuts}`);
      }
    });
  }

  it('a log bigger than the parser slice gives the same result in any chunking', () => {
    const r = rng(99);
    const log = randomLog(r, 12000, true);
    assert.ok(log.length > 4 * SLICE);
    const whole = oneShot(log);
    for (let k = 0; k < 20; k++) {
      const cuts: number[] = [];
      for (let at = int(r, 0, 5000); at < log.length; at += int(r, 1, 3 * SLICE)) cuts.push(at);
      assert.equal(streamed(log, cuts), whole);
    }
  });
});

describe('parser: fuzz', () => {
  // Every line, whatever its bytes, becomes exactly one entry, and formatting
  // the entries writes the input back unless a line was over MAX_LINE.
  const ALPHABET = enc.encode("ACDEFLMRVWX# 0123456789-'\n\n\n/.ab\xff");
  const samples = fixtures().map((f) => f.bytes);

  function mutate(r: () => number, src: Uint8Array): Uint8Array {
    const b = [...src];
    const n = int(r, 1, 8);
    for (let i = 0; i < n; i++) {
      const at = int(r, 0, b.length);
      const op = int(r, 0, 3);
      const byte = r() < 0.5 ? pick(r, [...ALPHABET]) : int(r, 0, 255);
      if (op === 0) b.splice(at, 1);
      else if (op === 1) b.splice(at, 0, byte);
      else if (op === 2) b[at] = byte;
      else b.splice(at, 0, ...b.slice(int(r, 0, b.length), int(r, 0, b.length)));
    }
    return Uint8Array.from(b);
  }

  function check(input: Uint8Array): void {
    const t = parseTrace(input);
    let lines = 0;
    for (const c of input) if (c === 0x0a) lines++;
    if (input.length > 0 && input[input.length - 1] !== 0x0a) lines++;
    assert.equal(t.entries.length, lines, 'one entry per line');
    for (let i = 0; i < t.entries.length; i++) assert.equal(t.entries[i].line, i + 1);
    if (!t.errors.some((e) => e.reason === 'line-too-long')) {
      assert.deepEqual(t.formatBytes(), input, 'format writes the input back');
    }
  }

  it('never traps on 20000 random and mutated inputs, in bounded time', () => {
    const r = rng(2024);
    const started = performance.now();
    let slowest = 0;
    for (let n = 0; n < 20000; n++) {
      let input: Uint8Array;
      const mode = n % 4;
      if (mode === 0) input = Uint8Array.from({ length: int(r, 0, 300) }, () => (r() < 0.8 ? pick(r, [...ALPHABET]) : int(r, 0, 255)));
      else if (mode === 3) input = mutate(r, randomLog(r, int(r, 0, 20), true));
      else input = mutate(r, pick(r, samples));
      const t0 = performance.now();
      try {
        check(input);
      } catch (err) {
        throw new Error(`input #${n} (${json(decodeText(input, 0, input.length))}): ${(err as Error).message}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    // Generous: a GC pause or a busy CI machine can stall one input; a
    // pathological (e.g. quadratic) case on these small inputs would not fit.
    assert.ok(slowest < 5000, `slowest input took ${slowest.toFixed(1)} ms`);
    assert.ok(performance.now() - started < 60000);
  });

  it('passes every oracle of the guided fuzzer on a 5000-input slice (npm run bench:fuzz runs 10^6)', function () {
    this.timeout(300_000);
    const result = fuzzSlice(5000, 2024);
    assert.deepEqual(
      result.failures.map((f) => `${json(decodeText(f.input, 0, f.input.length))}: ${f.error}`),
      [],
    );
    assert.equal(result.inputs, 5000);
    assert.ok(result.corpus > seedCorpus().length, 'new features grew the corpus');
  });

  it('handles huge lines and pathological bytes', () => {
    check(new Uint8Array(5 * SLICE)); // NUL bytes, no newline
    check(new Uint8Array(5 * SLICE).fill(0x0a)); // only newlines
    check(new Uint8Array(3 * SLICE).fill(0x27)); // only quotes
    check(enc.encode("M 1 '" + "' '".repeat(1300) + "'\n"));
  });
});

describe('parser: portability', () => {
  it('loads from bytes and from a compiled module, asynchronously', async () => {
    const bytes = readParserWasm();
    for (const p of [await loadTraceParser(bytes), await loadTraceParser(await WebAssembly.compile(bytes))]) {
      assert.equal(p.parseTrace('R 1 /x\n').events.length, 1);
    }
  });

  it('keeps Node-only APIs out of the core modules', () => {
    const dir = new URL('../../sim/trace/', import.meta.url);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      assert.doesNotMatch(src, /from '(node:|fs|path|os)|\bprocess\.(env|argv|cwd|exit|std|platform)|\bBuffer\.|require\(/, f);
    }
    const wasm = new WebAssembly.Module(readParserWasm());
    assert.deepEqual(WebAssembly.Module.imports(wasm), [], 'the wasm needs no imports');
  });
});
