// Real builds with the toolchain disk, traced end to end: (1) a two-folder
// C project with a configure script that probes the compiler, built by GNU
// make with gcc -MD; (2) bmake from its own Debian source package with
// ./configure && make, then its unit tests; (3) the meta-mode demo built
// with gcc instead of tcc, whose rebuild decisions must be tcc's.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { packageRoot, toolchainDir } from '../images/linux/recipe/layout.js';
import { BMAKE_SOURCE_DIR } from '../images/linux/recipe/toolchain/build.js';
import { Simulator } from '../sim/index.js';
import { META_STEPS, runMetaDemo, sameTargets } from '../sim/lessons/meta-demo.js';
import { text } from './helpers/guest.js';

const PROJECT = join(packageRoot, 'test/fixtures/configure-project');

/**
 * bmake's unit tests that fail when GNU make runs them (`make`, `make test`
 * through the makefile configure writes, which runs bmake's boot-strap):
 * their compare step prints `/bin/sh: -u: not found`. boot-strap sets and
 * exports TOOL_DIFF=`which diff` with its own which(), `type diff` with
 * everything up to the first / cut off; busybox sh answers `diff is diff`
 * (its applet, no path), so TOOL_DIFF is empty and each compare runs
 * `-u X.exp X.out`. A busybox difference, not a filemon defect: run by the
 * built bmake itself (`./bmake -C unit-tests test`, no boot-strap, so
 * TOOL_DIFF is the Makefile's `diff`) every one passes.
 */
const BMAKE_FAILS_UNDER_GNU_MAKE = [
  'comment',
  'cond-late',
  'cond-short',
  'cond1',
  'cond2',
  'dollar',
  'doterror',
  'dotwait',
  'error',
  'export',
  'export-all',
  'export-env',
  'forloop',
  'forsubst',
  'hash',
  'include-main',
  'misc',
  'moderrs',
  'modmatch',
  'modmisc',
  'modorder',
  'modts',
  'modword',
  'order',
  'posix',
  'qequals',
  'sunshcmd',
  'sysv',
  'ternary',
  'unexport',
  'unexport-env',
  'varcmd',
  'varmisc',
  'varmod-edge',
  'varquote',
  'varshell',
].sort();

describe('real builds with the toolchain disk', function () {
  this.timeout(3_600_000);
  let sim: Simulator;

  before(async () => {
    assert.ok(existsSync(join(toolchainDir, 'manifest.json')), `no toolchain build in ${toolchainDir}: run node dist/test/setup-host.js`);
    sim = await Simulator.start({ toolchain: toolchainDir, build: false, log: (m) => process.stderr.write(`      [guest] ${m}\n`) });
  });

  after(async () => {
    await sim?.close();
  });

  it('configure && make: cc1, as, collect2 and ld run, read the headers, and write the -MD depfiles', async () => {
    await sim.put(PROJECT, '/tmp/calc');
    const r = await sim.trace('./configure && make && make check', { cwd: '/tmp/calc', timeoutMs: 1_200_000 });
    assert.equal(r.status, 0, `build failed:\n${text(r.stdout)}\n${text(r.stderr)}`);
    const out = text(r.stdout);
    for (const line of [
      'checking for a C compiler... gcc',
      'checking whether gcc understands -MD... yes',
      'checking for stdint.h... yes',
      'checking for no-such-header.h... no',
      'checking for sqrt in -lm... yes',
      'checking the size of long... 4',
    ]) {
      assert.ok(out.includes(line), `configure did not print "${line}":\n${out}`);
    }
    const { executed, read, written } = r.trace.files();
    const ran = executed.map((f) => f.path);
    for (const tool of [/\/cc1$/, /\/as$/, /\/collect2$/, /\/ld$/, /\/make$/, /\/ar$/]) {
      assert.ok(
        ran.some((p) => tool.test(p)),
        `no exec of ${tool} in: ${[...new Set(ran)].join(' ')}`,
      );
    }
    // gcc is given paths relative to the project (make runs in it): the records say them as given.
    const abs = (p: string) => (p.startsWith('/') ? p : posix.join('/tmp/calc', p));
    const reads = new Set(read.map((f) => abs(f.path)));
    for (const h of ['/usr/include/stdio.h', '/usr/include/stdlib.h', '/usr/include/math.h', '/tmp/calc/include/calc.h', '/tmp/calc/config.h']) {
      assert.ok(reads.has(h), `no R record of ${h}`);
    }
    const writes = new Set(written.map((f) => abs(f.path)));
    for (const f of ['/tmp/calc/lib/stack.d', '/tmp/calc/lib/parse.d', '/tmp/calc/src/main.d', '/tmp/calc/lib/libcalc.a', '/tmp/calc/src/calc', '/tmp/calc/config.h']) {
      assert.ok(writes.has(f), `no W record of ${f}`);
    }
    // The depfiles name the headers, and a header edit rebuilds what includes it.
    const dep = text(await sim.machine.getFile('/tmp/calc/lib/parse.d'));
    assert.match(dep, /\/usr\/include\/math\.h/);
    const again = await sim.trace('touch include/calc.h && make', { cwd: '/tmp/calc', timeoutMs: 600_000 });
    assert.equal(again.status, 0, text(again.stderr));
    const rebuilt = text(again.stdout)
      .split('\n')
      .filter((l) => / -c -o /.test(l))
      .map((l) => / -c -o (\S+)/.exec(l)![1])
      .sort();
    assert.deepEqual(rebuilt, ['lib/parse.o', 'lib/stack.o', 'src/main.o']);
  });

  it('bmake from its own source: ./configure && make with gcc, then make test; its unit tests pass when bmake runs them', async () => {
    const src = join(toolchainDir, BMAKE_SOURCE_DIR);
    assert.ok(existsSync(src), `no bmake source in ${src}: run node dist/test/setup-host.js`);
    // boot-strap (which the generated makefile runs) finds the source by a folder named bmake*.
    await sim.put(src, '/tmp/bmake-src');
    const sh = async (cmd: string) => {
      const r = await sim.machine.exec(['sh', '-c', cmd], { cwd: '/tmp/bmake-src', timeoutMs: 3_000_000 });
      return { status: r.status, out: text(r.stdout) + text(r.stderr) };
    };
    const failed = (out: string) => [...out.matchAll(/^Failed tests: (.*)$/gm)].flatMap((m) => m[1].trim().split(/\s+/)).sort();
    // -O0: the same build at a third of the guest's time (bench:toolchain times the default -O2 build).
    const conf = await sh('CC=gcc CFLAGS=-O0 ./configure --with-default-sys-path=/usr/share/mk');
    assert.equal(conf.status, 0, conf.out.slice(-3000));
    assert.match(conf.out, /checking for gcc\.\.\. gcc/);
    // make builds bmake (make-bootstrap.sh with gcc), then runs its unit tests from GNU make.
    const make = await sh('make');
    assert.match(make.out, /^gcc .*-c .*main\.c/m);
    const version = await sh('./bmake -V MAKE_VERSION -f /dev/null');
    assert.match(version.out, /^\d{8}\n$/, `bmake was not built:\n${make.out.slice(-3000)}`);
    assert.deepEqual(failed(make.out), BMAKE_FAILS_UNDER_GNU_MAKE, make.out.slice(-3000));
    const makeTest = await sh('make test');
    assert.notEqual(makeTest.status, 0);
    assert.deepEqual(failed(makeTest.out), BMAKE_FAILS_UNDER_GNU_MAKE, makeTest.out.slice(-3000));
    // The same unit tests run by the built bmake itself, in the same guest: all pass.
    const own = await sh('./bmake -C unit-tests test');
    assert.equal(own.status, 0, own.out.slice(-3000));
    assert.match(own.out, /^All tests passed$/m);
  });

  it('the meta-mode demo built with gcc makes the same rebuild decisions as with tcc', async () => {
    const result = await runMetaDemo(sim.machine, () => {}, { cc: 'gcc', timeoutMs: 900_000 });
    result.decisions.forEach((d, i) => {
      assert.equal(d.status, 0, `${d.step}: bmake failed:\n${d.stdout}\n${d.stderr}`);
      assert.ok(sameTargets(d.rebuilt, META_STEPS[i].expect), `${d.step}: rebuilt ${d.rebuilt.join(' ')}, expected ${META_STEPS[i].expect.join(' ')}\n${d.stderr}`);
      for (const re of META_STEPS[i].reasons ?? [])
        assert.ok(
          d.reasons.some((r) => re.test(r)),
          `${d.step}: no reason matching ${re} in:\n${d.reasons.join('\n')}`,
        );
    });
    // The first build's main.o.meta holds gcc's processes: cc1 and as, no tcc.
    const meta = text(result.mainMeta.bytes);
    assert.match(meta, /^E \d+ \S*\/cc1$/m);
    assert.match(meta, /^E \d+ \S*\/as$/m);
    assert.doesNotMatch(meta, /^E \d+ \S*tcc$/m);
    // calc before and after local/config.h (6 digits) gave way to include/config.h (2 digits), as with tcc.
    assert.deepEqual(result.runs, ['2/3 = 0.666667', '2/3 = 0.67']);
  });
});
