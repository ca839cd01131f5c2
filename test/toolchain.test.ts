// The toolchain disk (images/linux/recipe/toolchain): attached as hdb, it puts
// Debian's gcc, binutils, GNU make and GNU tools beneath /usr, so a C file
// compiles and links in the guest with no option; its states are its own
// (a state saved with it and one saved without both restore as they were);
// without it, gcc is not found and the note names the package.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolchainDir } from '../images/linux/recipe/layout.js';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { Simulator } from '../sim/index.js';
import { TOOLCHAIN_PACKAGE, TOOLCHAIN_PROGRAMS } from '../sim/guest/toolchain.js';
import { text } from './helpers/guest.js';

const HELLO = '#include <stdio.h>\n#include <math.h>\nint main(void) { printf("hello %d\\n", (int)sqrt(49.0)); return 0; }\n';

async function sh(m: Machine, cmd: string, cwd = '/tmp'): Promise<{ status: number; out: string; err: string }> {
  const r = await m.exec(['sh', '-c', cmd], { cwd, timeoutMs: 300_000 });
  return { status: r.status, out: text(r.stdout), err: text(r.stderr) };
}

describe('toolchain disk', function () {
  this.timeout(900_000);
  const log = (m: string) => process.stderr.write(`      [toolchain] ${m}\n`);

  before(() => {
    assert.ok(existsSync(join(toolchainDir, 'manifest.json')), `no toolchain build in ${toolchainDir}: run node dist/test/setup-host.js (it builds it)`);
  });

  it('compiles, links and runs a C program with gcc, and has GNU make and the GNU tools first on PATH', async () => {
    const { machine } = await bootMachine({ toolchain: toolchainDir, build: false, log });
    try {
      await machine.putFile('/tmp/hello.c', HELLO);
      const cc = await sh(machine, 'gcc -O2 -Wall -o hello hello.c -lm && ./hello');
      assert.equal(cc.status, 0, `gcc failed: ${cc.err}`);
      assert.equal(cc.out, 'hello 7\n');
      // busybox's sh runs its own applets before any PATH search (sed, grep, awk, ar...), so the GNU tools are named by path.
      const versions = await sh(machine, 'for p in gcc as ld make /usr/bin/sed /usr/bin/grep /usr/bin/awk /usr/bin/diff /usr/bin/find /usr/bin/ls /usr/bin/ar; do $p --version | head -1; done');
      assert.equal(versions.status, 0, versions.err);
      const lines = versions.out.trim().split('\n');
      const want = [
        /^gcc \(Debian 12\./,
        /^GNU assembler/,
        /^GNU ld/,
        /^GNU Make 4\./,
        /^\S*sed \(GNU sed\)/,
        /^\S*grep \(GNU grep\)/,
        /^GNU Awk 5\./,
        /^\S*diff \(GNU diffutils\)/,
        /^\S*find \(GNU findutils\)/,
        /^\S*ls \(GNU coreutils\)/,
        /^GNU ar/,
      ];
      for (const [i, re] of want.entries()) assert.match(lines[i] ?? '', re);
      // Every program the missing-toolchain note names is on the disk, and found on PATH.
      const which = await sh(machine, TOOLCHAIN_PROGRAMS.map((p) => `command -v ${p}`).join('; '));
      assert.deepEqual(
        which.out.trim().split('\n'),
        TOOLCHAIN_PROGRAMS.map((p) => `/usr/bin/${p}`),
      );
      // GNU make runs a recipe without shell syntax itself, on PATH: GNU ar, not busybox's.
      const ar = await sh(machine, "printf 'all:\\n\\tar --version\\n' > ar.mk && make -s -f ar.mk | head -1");
      assert.match(ar.out, /^GNU ar/);
      // The base image's own files are still the base's (tcc, bmake, its headers).
      const base = await sh(machine, 'tcc -run hello.c -lm && bmake -V MAKE_VERSION -f /dev/null');
      assert.equal(base.status, 0, base.err);
      assert.match(base.out, /^hello 7\n\d+\n$/);
    } finally {
      await machine.close();
    }
  });

  it('restores a state saved with the toolchain with it, and one saved without it without it', async () => {
    // setup-host made both states: each of these boots restores.
    const withTc = await bootMachine({ toolchain: toolchainDir, build: false, log });
    const without = await bootMachine({ toolchain: false, build: false, log });
    try {
      assert.equal(withTc.info.start, 'restored');
      assert.equal(without.info.start, 'restored');
      assert.notEqual(withTc.info.statePath, without.info.statePath);
      await withTc.machine.putFile('/tmp/x.c', 'int f(int a) { return a * 3; }\n');
      const c = await sh(withTc.machine, 'gcc -c x.c && ls x.o && mount | grep -c /dev/sd');
      assert.equal(c.status, 0, c.err);
      assert.equal(c.out, 'x.o\n2\n');
      const none = await sh(without.machine, 'command -v gcc; mount | grep -c /dev/sd; tcc -v');
      assert.match(none.out, /^1\ntcc version /);
      // A restore in place of the toolchain's own state keeps gcc working.
      const state = await withTc.machine.saveState();
      await withTc.machine.restoreState(state);
      const again = await sh(withTc.machine, 'gcc -c x.c -o y.o && cmp x.o y.o && echo same');
      assert.equal(again.out, 'same\n', again.err);
    } finally {
      await withTc.machine.close();
      await without.machine.close();
    }
  });

  it("without the toolchain, gcc exits 127 not found and the trace's note names the package", async () => {
    const sim = await Simulator.start({ toolchain: false, build: false, log });
    try {
      const shell = await sim.trace('gcc -c x.c');
      assert.equal(shell.status, 127);
      assert.match(text(shell.stderr), /gcc: not found/);
      assert.match(shell.note ?? '', new RegExp(`^gcc is in the toolchain package ${TOOLCHAIN_PACKAGE}, which this guest does not have: npm install`));
      const argv = await sim.trace(['gcc', '-c', 'x.c']);
      assert.equal(argv.status, 127);
      assert.match(argv.note ?? '', new RegExp(`^gcc is in the toolchain package ${TOOLCHAIN_PACKAGE.replace('/', '\\/')}`));
      // A command that is not the toolchain's gets no note.
      const other = await sim.trace('no-such-program');
      assert.equal(other.status, 127);
      assert.equal(other.note, undefined);
    } finally {
      await sim.close();
    }
  });
});
