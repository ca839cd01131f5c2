// --format make and --format dot, read back by the tools they are for: GNU
// make includes the depfile, Graphviz's dot renders the graph. A fixture log
// on the host, then real traces from the guest through the CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { hostProgram } from './helpers/host-programs.js';

const CLI = join(packageRoot, 'dist/sim/cli.js');
const BUILD_LOG = join(packageRoot, 'test/fixtures/diff/build.filemon');

function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, input: opts.input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const cli = (args: string[]) => run(process.execPath, [CLI, ...args]);

/** What `make -n -B` would run for target, with the depfile included and a recipe that names $^. */
function makePlan(dir: string, depfile: string, targets: string[]): string {
  writeFileSync(join(dir, 'deps.d'), depfile);
  const recipes = targets.map((t) => `${t.replace(/ /g, '\\ ')}:\n\t@echo build $@ from $^\n`).join('\n');
  writeFileSync(join(dir, 'Makefile'), `include deps.d\n\n${recipes}`);
  const r = run(hostProgram('make'), ['-n', '-B', '-f', 'Makefile', targets[targets.length - 1]], { cwd: dir });
  assert.equal(r.code, 0, `make failed: ${r.stderr}`);
  return r.stdout;
}

describe('exports', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'filemon-sim-export-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('--format make', () => {
    it('gives each written file the reads of the tree that wrote it, as GNU make reads it', () => {
      const r = cli(['parse', '--format', 'make', BUILD_LOG]);
      assert.equal(r.code, 0, r.stderr);
      // cc's assembler wrote a.o: the compiler's whole tree counts (a.c and
      // the header with a space read by cc), not the loader, libc or /dev.
      const plan = makePlan(dir, r.stdout, ['/src/a.o', '/src/out.txt']);
      assert.equal(plan, ['echo build /src/a.o from /usr/bin/cc /src/a.c /src/include/a h.h /usr/bin/as /tmp/cc1.s', 'echo build /src/out.txt from /bin/cat /src/a.o /src/b.txt', ''].join('\n'));
    });

    it('keeps a file written, deleted and written again, with the inputs of its last writer', () => {
      // sh runs: cat a.txt > out.txt; rm out.txt; cat b.txt > out.txt;
      // cat out.txt > final.txt; cat final.txt > tmp.txt; rm tmp.txt
      const log = [
        '# filemon version 5',
        '# Target pid 10',
        'V 5',
        'E 11 /bin/sh',
        'C 11 /src',
        'F 11 12',
        'E 12 /bin/cat',
        'R 12 a.txt',
        'W 12 out.txt',
        'X 12 0 0',
        'F 11 13',
        'E 13 /bin/rm',
        'D 13 out.txt',
        'X 13 0 0',
        'F 11 14',
        'E 14 /bin/cat',
        'R 14 b.txt',
        'W 14 out.txt',
        'X 14 0 0',
        'F 11 15',
        'E 15 /bin/cat',
        'R 15 out.txt',
        'W 15 final.txt',
        'X 15 0 0',
        'F 11 16',
        'E 16 /bin/cat',
        'R 16 final.txt',
        'W 16 tmp.txt',
        'X 16 0 0',
        'F 11 17',
        'E 17 /bin/rm',
        'D 17 tmp.txt',
        'X 17 0 0',
        'X 11 0 0',
        '# Bye bye',
        '',
      ].join('\n');
      const path = join(dir, 'rewrite.filemon');
      writeFileSync(path, log);
      const r = cli(['parse', '--format', 'make', path]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /^\/src\/tmp\.txt:/m, 'a file deleted after its last write is no target');
      const plan = makePlan(dir, r.stdout, ['/src/out.txt', '/src/final.txt']);
      assert.equal(plan, ['echo build /src/out.txt from /bin/cat /src/b.txt', 'echo build /src/final.txt from /bin/cat /src/out.txt', ''].join('\n'));
    });

    it('takes --ignore and --keep as diff does', () => {
      const r = cli(['parse', '--format', 'make', '--ignore', '/src/include/', '--keep', 'loader', BUILD_LOG]);
      assert.equal(r.code, 0, r.stderr);
      const plan = makePlan(dir, r.stdout, ['/src/a.o']);
      assert.equal(plan, 'echo build /src/a.o from /usr/bin/cc /etc/ld.so.cache /lib/i386-linux-gnu/libc.so.6 /src/a.c /usr/bin/as /tmp/cc1.s\n');
      const dot = cli(['parse', '--format', 'dot', '--keep', 'dev', BUILD_LOG]);
      assert.equal(dot.code, 0, dot.stderr);
      assert.match(dot.stdout, /\/dev\/null/);
      assert.doesNotMatch(cli(['parse', '--format', 'dot', BUILD_LOG]).stdout, /\/dev\/null/);
      const bad = cli(['parse', '--format', 'make', '--keep', 'libc', BUILD_LOG]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--keep wants one of loader, proc, dev, got "libc"/);
      const noFormat = cli(['parse', '--ignore', '/src', BUILD_LOG]);
      assert.equal(noFormat.code, 2);
      assert.match(noFormat.stderr, /--ignore and --keep go with --format make\|dot/);
    });

    it('rejects an unknown format and a second view', () => {
      const r = cli(['parse', '--format', 'svg', BUILD_LOG]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--format wants one of make, dot, got "svg"/);
      assert.match(cli(['parse', '--format', 'make', '--json', BUILD_LOG]).stderr, /choose one of --json, --tree, --deps, --format/);
    });

    it('states its rule in the help text', () => {
      assert.match(cli(['parse', '--help']).stdout, /the --format make rule:\n {2}each file written/);
    });

    it('exports a trace from the guest', () => {
      const r = cli(['trace', '-q', '--format', 'make', '--', 'sh', '-c', 'cat /etc/passwd /etc/group > /tmp/both; cp /tmp/both /tmp/copy']);
      assert.equal(r.code, 0, r.stderr);
      const plan = makePlan(dir, r.stdout, ['/tmp/both', '/tmp/copy']);
      const lines = plan.trim().split('\n');
      // busybox runs cat and cp as applets (exec of /proc/self/exe, left out).
      assert.deepEqual(
        lines.map((l) => l.replace(/ from .*/, '')),
        ['echo build /tmp/both', 'echo build /tmp/copy'],
      );
      assert.match(lines[0], / from .*\/etc\/passwd \/etc\/group$/);
      assert.match(lines[1], / from .*\/tmp\/both$/);
    });
  });

  describe('--format dot', () => {
    it('draws processes with their exec chains and exits, and the files they touched; dot renders it', () => {
      const r = cli(['parse', '--format', 'dot', BUILD_LOG]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /p0 \[shape=box, style="rounded,bold", color=red, label="pid 11\\n\/bin\/sh\\nexit 1"\];/);
      assert.match(r.stdout, /p1 -> p2 \[label="fork"/);
      assert.match(r.stdout, /f\d+ \[shape=note, label="\/src\/include\/a h\.h"\];/);
      assert.doesNotMatch(r.stdout, /ld\.so\.cache|\/dev\/null/);
      const svg = run(hostProgram('dot'), ['-Tsvg'], { input: r.stdout });
      assert.equal(svg.code, 0, svg.stderr);
      assert.equal(svg.stderr, '');
      assert.match(svg.stdout, /<svg[\s\S]*pid 13[\s\S]*\/usr\/bin\/as[\s\S]*<\/svg>/);
    });

    it('renders a guest trace with a fork tree and a failing child', () => {
      const r = cli(['trace', '-q', '--format', 'dot', '--', 'sh', '-c', 'cat /etc/passwd > /tmp/p; (exit 3); sh -c "kill -9 \\$\\$"; true']);
      assert.equal(r.code, 0, r.stderr);
      // busybox runs the inner sh as an applet: exec of /proc/self/exe.
      assert.match(r.stdout, /color=red, label="pid \d+\\n\/proc\/self\/exe\\nkilled by signal 9"/);
      assert.match(r.stdout, /color=red, label="pid \d+\\n\(no exec\)\\nexit 3"/);
      assert.match(r.stdout, /-> f\d+ \[label="W", color=orange\];/);
      const svg = run(hostProgram('dot'), ['-Tsvg'], { input: r.stdout });
      assert.equal(svg.code, 0, svg.stderr);
      assert.match(svg.stdout, /\/tmp\/p/);
    });
  });
});
