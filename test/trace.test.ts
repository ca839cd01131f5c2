// The trace model: golden fixtures, the process tree, file sets with cwd
// resolution, format round trips and normalization.

import assert from 'node:assert/strict';
import { parseTrace } from '../sim/node/parser-wasm.js';
import { filemonSection, type FileRef, type ProcessInfo } from '../sim/trace/index.js';
import { fixtures, golden, observe } from './helpers/parse-fixtures.js';
import { rng, int, randomLog } from './helpers/parse-gen.js';

const paths = (refs: FileRef[]): string[] => refs.map((r) => (r.resolved ? r.path : `?${r.path}`));
const find = (all: readonly ProcessInfo[], pid: number): ProcessInfo => {
  const p = all.find((q) => q.pid === pid);
  assert.ok(p, `process ${pid}`);
  return p;
};

describe('trace: golden fixtures', () => {
  for (const f of fixtures()) {
    it(`${f.name} matches ${f.name}.expected.json`, () => {
      const actual = observe(parseTrace(f.bytes));
      assert.deepEqual(actual, golden(f.name, actual));
    });
  }
});

describe('trace: processes()', () => {
  const t = parseTrace(
    [
      'C 10 /work',
      'F 10 11',
      'C 11 sub',
      'E 11 /bin/sh',
      'E 11 ./tool',
      'F 11 12',
      'X 12 0 9',
      'X 11 3 0',
      'F 10 11', // pid 11 reused
      'X 11 0 0',
      'R 20 /unrelated',
      '',
    ].join('\n'),
  );
  const tree = t.processes();

  it('builds the fork tree, with roots for processes first seen without F', () => {
    assert.deepEqual(
      tree.roots.map((p) => p.pid),
      [10, 20],
    );
    assert.deepEqual(
      tree.roots[0].children.map((p) => p.pid),
      [11, 11],
    );
    assert.deepEqual(
      tree.roots[0].children[0].children.map((p) => [p.pid, p.parent]),
      [[12, 11]],
    );
    assert.deepEqual(
      tree.all.map((p) => p.pid),
      [10, 11, 12, 11, 20],
    );
  });

  it('records exec chains, exit status and signal', () => {
    const p11 = tree.all[1];
    assert.deepEqual(
      p11.execs.map((e) => [e.given, e.path]),
      [
        ['/bin/sh', '/bin/sh'],
        ['./tool', '/work/sub/tool'],
      ],
    );
    assert.deepEqual(p11.exit, { status: 3, signal: 0 });
    assert.deepEqual(find(tree.all, 12).exit, { status: 0, signal: 9 });
    assert.equal(find(tree.all, 10).exit, null);
  });

  it('tracks cwd history, inherited across F', () => {
    assert.deepEqual(
      find(tree.all, 10).cwd.map((c) => c.path),
      ['/work'],
    );
    assert.deepEqual(
      tree.all[1].cwd.map((c) => c.path),
      ['/work', '/work/sub'],
    );
    assert.deepEqual(
      find(tree.all, 12).cwd.map((c) => c.path),
      ['/work/sub'],
    );
    assert.deepEqual(
      tree.all[3].cwd.map((c) => c.path),
      ['/work'],
      'the reused pid starts from its new parent',
    );
    assert.deepEqual(find(tree.all, 20).cwd, []);
  });
});

describe('trace: files()', () => {
  it('resolves paths against the cwd from C, inherited across F', () => {
    const files = parseTrace('C 1 /src/./a/\nF 1 2\nR 2 x.c\nR 2 ../b/../y.h\nW 2 /obj//x.o\nC 2 /\nR 2 etc/z\n').files();
    assert.deepEqual(paths(files.read), ['/src/a/x.c', '/src/y.h', '/etc/z']);
    assert.deepEqual(paths(files.written), ['/obj/x.o']);
    assert.deepEqual(files.read[0], { path: '/src/a/x.c', given: 'x.c', resolved: true, pid: 2, line: 3 });
  });

  it('keeps and marks paths it cannot resolve', () => {
    const files = parseTrace('R 1 rel\nC 1 also-rel\nR 1 x\nC 1 /abs\nR 1 x\n').files();
    assert.deepEqual(paths(files.read), ['?rel', '?x', '/abs/x']);
  });

  it('sorts uses into sets, each path once in order of first use', () => {
    const files = parseTrace("C 5 /d\nR 5 a\nR 5 /d/a\nW 5 b\nE 5 /bin/cc\nD 5 b\nM 5 'b' 'c'\nL 5 'c' '/e'\nA 5 rel\nR 5 a\n").files();
    assert.deepEqual(paths(files.read), ['/d/a']);
    assert.deepEqual(paths(files.written), ['/d/b']);
    assert.deepEqual(paths(files.executed), ['/bin/cc']);
    assert.deepEqual(paths(files.deleted), ['/d/b']);
    assert.deepEqual(
      files.renamed.map((m) => [m.from.path, m.to.path]),
      [['/d/b', '/d/c']],
    );
    assert.deepEqual(
      files.linked.map((m) => [m.from.path, m.to.path]),
      [['/d/c', '/e']],
    );
  });
});

describe('trace: format()', () => {
  for (const f of fixtures()) {
    it(`${f.name}: parse then format writes it back byte for byte`, () => {
      const t = parseTrace(f.bytes);
      if (t.errors.some((e) => e.reason === 'line-too-long')) {
        // The skipped part of an over-long line is gone; everything else is kept.
        assert.ok(t.formatBytes().length < f.bytes.length);
        return;
      }
      assert.deepEqual(t.formatBytes(), f.bytes);
    });
  }

  it('round-trips 500 generated logs, including paths that are not UTF-8', () => {
    const r = rng(5);
    for (let n = 0; n < 500; n++) {
      const log = randomLog(r, int(r, 0, 200), n % 2 === 0);
      const t = parseTrace(log);
      assert.deepEqual(t.errors, [], `log ${n} is well-formed`);
      assert.deepEqual(t.formatBytes(), log, `log ${n}`);
    }
  });

  it('parses string input like its UTF-8 bytes', () => {
    const text = '# filemon version 5\nR 1 /é\nX 1 0 0\n';
    assert.deepEqual(observe(parseTrace(text)), observe(parseTrace(new TextEncoder().encode(text))));
    assert.equal(parseTrace(text).format(), text);
  });
});

describe('trace: normalize()', () => {
  const run = (base: number, start: string): string =>
    ['# filemon version 5', `# Target pid ${base}`, `# Start ${start}`, 'V 5', `F ${base + 1} ${base + 7}`, `R ${base + 7} /etc/x`, `X ${base + 7} 0 0`, `# Stop ${start}`, '# Bye bye', ''].join('\n');

  it('makes two runs of one program compare equal', () => {
    const a = parseTrace(run(1000, '1700000000.000001')).normalize();
    const b = parseTrace(run(52311, '1800000000.999999')).normalize();
    assert.equal(a.format(), b.format());
    assert.notEqual(parseTrace(run(1000, '1.000000')).format(), parseTrace(run(52311, '1.000000')).format());
  });

  it('numbers pids in order of first appearance and zeroes times', () => {
    assert.equal(
      parseTrace(run(1000, '1700000000.000001')).normalize().format(),
      '# filemon version 5\n# Target pid 1\n# Start 0.000000\nV 5\nF 2 3\nR 3 /etc/x\nX 3 0 0\n# Stop 0.000000\n# Bye bye\n',
    );
  });

  it('keeps the process tree and files of the original', () => {
    const t = parseTrace(run(1000, '1.000000'));
    const n = t.normalize();
    assert.deepEqual(
      n.files().read.map((r) => r.path),
      t.files().read.map((r) => r.path),
    );
    assert.deepEqual(
      n.processes().roots.map((p) => p.children.length),
      [1],
    );
  });
});

describe('trace: toJSON()', () => {
  it('serializes header, footer, events and errors as plain data', () => {
    const t = parseTrace('# filemon version 5\nR 1 /x\nbad\n');
    assert.deepEqual(JSON.parse(JSON.stringify(t)), {
      header: { version: 5, targetPid: null, start: null },
      footer: { stop: null, bye: false },
      complete: false,
      events: [{ kind: 'R', line: 2, pid: 1, path: '/x', cut: false }],
      errors: [{ kind: 'error', line: 3, reason: 'unknown-record', message: t.errors[0].message, text: 'bad' }],
    });
  });
});

describe('trace: filemonSection()', () => {
  const enc = new TextEncoder();
  const dec = (b: Uint8Array | null): string | null => (b ? new TextDecoder().decode(b) : null);

  it('finds the log after the marker line of a bmake .meta file', () => {
    const meta = enc.encode('# Meta data file x.o\nCMD cc -c x.c\nCWD /src\nTARGET x.o\n-- command output --\n-- filemon acquired metadata --\n# filemon version 5\nR 1 x.c\n');
    const log = filemonSection(meta);
    assert.equal(dec(log), '# filemon version 5\nR 1 x.c\n');
    assert.deepEqual(
      parseTrace(log!)
        .files()
        .read.map((r) => r.given),
      ['x.c'],
    );
  });

  it('needs the marker on a line of its own', () => {
    assert.equal(filemonSection(enc.encode('CMD echo -- filemon acquired metadata --\n')), null);
    assert.equal(filemonSection(enc.encode('-- filemon acquired metadata --')), null);
    assert.equal(dec(filemonSection(enc.encode('-- filemon acquired metadata --\n'))), '');
  });
});
