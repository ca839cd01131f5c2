// bmake's meta mode on /dev/filemon, in the guest through the real emulator:
// the image's bmake and tcc, what bmake needs from the device (each checked
// against our module), and the rebuild decisions of the meta-mode demo in
// compat and parallel mode. Decisions are read from bmake's own output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/recipe/layout.js';
import type { Machine } from '../sim/guest/machine.js';
import { loadImage } from '../sim/node/image.js';
import { META_STEPS, runMetaDemo, sameTargets, type MetaDemoResult } from '../sim/lessons/meta-demo.js';
import { parseTrace } from '../sim/node/parser-wasm.js';
import { filemonSection } from '../sim/trace/index.js';
import { sharedGuest, text } from './helpers/guest.js';

const T = '/home/bmake-test';

/** The compat-mode demo run, reused by the host-side tests. */
let compatDemo: MetaDemoResult | undefined;

/** The filemon log of a .meta file as lines (without the marker). */
function filemonLines(meta: Uint8Array): string[] {
  const section = filemonSection(meta);
  assert.ok(section, 'the .meta file has a "-- filemon acquired metadata --" section');
  return text(section).trimEnd().split('\n');
}

describe('bmake meta mode in the guest', function () {
  this.timeout(300_000);
  let m: Machine;

  const sh = async (cmd: string, cwd = T) => {
    const r = await m.exec(cmd, { cwd, timeoutMs: 120_000 });
    return { status: r.status, out: text(r.stdout), err: text(r.stderr) };
  };
  const must = async (cmd: string, cwd?: string) => {
    const r = await sh(cmd, cwd);
    assert.equal(r.status, 0, `\`${cmd}\` failed: ${r.err || r.out}`);
    return r.out;
  };

  before(async () => {
    m = await sharedGuest();
    await must(`rm -rf ${T} && mkdir -p ${T}`, '/');
  });

  describe('the image', () => {
    it('records the bmake source package in the manifest', async () => {
      const { manifest } = await loadImage({ build: false });
      const src = manifest.sources?.find((s) => s.name === 'bmake');
      assert.ok(src, 'manifest.sources names bmake');
      assert.match(src.version, /^\d{8}/);
      assert.match(src.sha256, /^[0-9a-f]{64}$/);
      for (const p of ['tcc', 'libc6', 'libc6-dev'])
        assert.ok(
          manifest.packages.some((x) => x.name === p && x.arch === 'i386'),
          `${p}:i386 listed`,
        );
    });

    it('has a static i386 bmake that uses /dev/filemon', async () => {
      const elf = await m.getFile('/usr/bin/bmake');
      const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
      assert.deepEqual([...elf.subarray(0, 5)], [0x7f, 0x45, 0x4c, 0x46, 1], 'ELF, 32-bit');
      assert.equal(dv.getUint16(18, true), 3, 'e_machine EM_386');
      const phoff = dv.getUint32(28, true);
      const phentsize = dv.getUint16(42, true);
      const types = Array.from({ length: dv.getUint16(44, true) }, (_, i) => dv.getUint32(phoff + i * phentsize, true));
      assert.ok(!types.includes(3), 'no PT_INTERP: statically linked');
      assert.ok(!types.includes(2), 'no PT_DYNAMIC');
      assert.equal(await must('bmake -f /dev/null -V .MAKE.PATH_FILEMON'), '/dev/filemon\n');
      const { manifest } = await loadImage({ build: false });
      const version = manifest.sources?.find((x) => x.name === 'bmake')?.version ?? '';
      assert.equal((await must('bmake -f /dev/null -V MAKE_VERSION')).trim(), version.replace(/-.*$/, ''), 'built from the recorded source');
    });

    it('has tcc, which compiles and links a program that runs', async () => {
      await m.putFile(`${T}/hello.c`, '#include <stdio.h>\n#include <string.h>\nint main(void) { printf("%zu\\n", strlen("filemon")); return 0; }\n');
      await must('tcc -o hello hello.c');
      assert.equal(await must('./hello'), '7\n');
    });
  });

  describe('what bmake needs from /dev/filemon', () => {
    it('keeps its own reference to the log file: every descriptor of it may be closed after SET_FD', async () => {
      // bmake passes a dup to SET_FD and closes it at once; here the caller
      // closes all of its descriptors before anything is traced.
      await m.putFile(`${T}/ownref.c`, OWNREF_C);
      await must('tcc -o ownref ownref.c && echo data > in.txt');
      await must(`./ownref ${T}/own.log ${T}/in.txt`);
      const log = await m.getFile(`${T}/own.log`);
      const lines = text(log).trimEnd().split('\n');
      assert.ok(lines.includes(`R ${lines[1].split(' ')[3]} ${T}/in.txt`), text(log));
      assert.equal(lines.at(-1), '# Bye bye');
    });

    // One target with three commands: compat mode forks a child per command,
    // and each child calls SET_PID on itself with the same filemon descriptor.
    const MAKEFILE = [
      '.MAKE.MODE = meta verbose',
      'all: two',
      'two:',
      // biome-ignore-start lint/suspicious/noTemplateCurlyInString: make's variables, not the test's.
      '\tcat ${.CURDIR}/a.txt > ${.TARGET}.tmp',
      '\tcat ${.CURDIR}/b.txt >> ${.TARGET}.tmp',
      '\tmv ${.TARGET}.tmp ${.TARGET}',
      // biome-ignore-end lint/suspicious/noTemplateCurlyInString: make's variables, not the test's.
      '',
    ].join('\n');
    const P = `${T}/p`;

    before(async () => {
      await m.putFile(`${P}/Makefile`, MAKEFILE);
      await must(`mkdir -p ${P}/obj && echo a > ${P}/a.txt && echo b > ${P}/b.txt`);
    });

    it('lets each command child of a compat-mode target SET_PID itself on the same descriptor, every record in place at close()', async () => {
      await must(`rm -rf obj/* && bmake`, P);
      const lines = filemonLines(await m.getFile(`${P}/obj/two.meta`));
      const bmakePid = /^# Target pid (\d+)$/.exec(lines[1])?.[1];
      assert.ok(bmakePid, lines.join('\n'));
      const pidOf = (re: RegExp) => lines.find((l) => re.test(l))?.split(' ')[1];
      const pa = pidOf(new RegExp(`^R \\d+ ${P}/a\\.txt$`));
      const pb = pidOf(new RegExp(`^R \\d+ ${P}/b\\.txt$`));
      const pm = pidOf(/^M \d+ 'two\.tmp' 'two'$/);
      assert.ok(pa && pb && pm, `records of all three commands:\n${lines.join('\n')}`);
      assert.equal(new Set([pa, pb, pm, bmakePid]).size, 4, 'three children, none of them bmake');
      for (const p of [pa, pb, pm]) {
        assert.ok(
          lines.some((l) => l.startsWith(`E ${p} `)),
          `child ${p} traced from its exec`,
        );
        assert.ok(lines.includes(`X ${p} 0 0`), `child ${p}'s exit recorded before close() returned`);
      }
      assert.ok(!lines.some((l) => l.startsWith('F ')), 'children attach themselves: no fork record from bmake');
      assert.equal(lines.at(-1), '# Bye bye', 'footer in the file when bmake copied it');
      assert.equal(await must('cat obj/two', P), 'a\nb\n');
    });

    it('a failing close() (log file system full) fails the target, in compat and in job mode', async () => {
      // The log lives in TMPDIR; a 2-page tmpfs leaves room for bmake's job
      // script but not for the records of a command that opens 300 files.
      await must(`mkdir -p tiny && mount -t tmpfs -o size=8k tiny tiny`, P);
      try {
        await must('mkdir -p many && i=0; while [ $i -lt 300 ]; do echo x > many/a-rather-long-file-name-to-fill-the-log-$i; i=$((i+1)); done', P);
        await m.putFile(`${P}/fill/Makefile`, ['.MAKE.MODE = meta verbose', 'out:', `\tcat ${P}/many/* > \${.TARGET}`, ''].join('\n'));
        await must('mkdir -p fill/obj', P);
        const ok = await sh(`bmake`, `${P}/fill`);
        assert.equal(ok.status, 0, `with TMPDIR on a roomy file system: ${ok.err}`);
        for (const mode of ['', ' -j2']) {
          const r = await sh(`rm -f obj/* && TMPDIR=${P}/tiny bmake${mode}`, `${P}/fill`);
          assert.notEqual(r.status, 0, `bmake${mode} must fail: ${r.out}${r.err}`);
          // The commands ran (the target exists): only close() reported the error.
          assert.equal((await sh('wc -l < obj/out', `${P}/fill`)).out.trim(), '300', `bmake${mode} ran the command`);
          assert.match(r.out + r.err, /Stop|error/, `bmake${mode} reports the failure`);
        }
      } finally {
        await sh(`umount ${P}/tiny`);
      }
    });
  });

  describe('rebuild decisions', () => {
    const modes: Array<[string, number | undefined]> = [
      ['compat mode', undefined],
      ['parallel mode (-j4)', 4],
    ];
    for (const [label, jobs] of modes) {
      describe(label, () => {
        let demo: MetaDemoResult;
        before(async () => {
          demo = await runMetaDemo(m, () => {}, { jobs });
          if (!jobs) compatDemo = demo;
        });

        for (const [i, step] of META_STEPS.entries()) {
          it(`${i + 1}. ${step.name}: rebuilds ${step.expect.length ? step.expect.join(', ') : 'nothing'}`, () => {
            const d = demo.decisions[i];
            assert.equal(d.status, 0, d.stdout + d.stderr);
            assert.ok(sameTargets(d.rebuilt, step.expect), `rebuilt ${JSON.stringify(d.rebuilt)}, expected ${JSON.stringify(step.expect)}\n${d.stdout}${d.stderr}`);
          });
        }

        it('says why: the touched header is newer than exactly the objects that read it', () => {
          const why = (i: number) => demo.decisions[i].reasons;
          const newer = (i: number, h: string) =>
            why(i)
              .filter((l) => l.includes(`file '${demo.project}/${h}' is newer than the target`))
              .map((l) => /\/obj\/(\S+)\.meta:/.exec(l)?.[1])
              .sort();
          assert.deepEqual(newer(2, 'eval.h'), ['eval.o', 'main.o'], why(2).join('\n'));
          assert.deepEqual(newer(3, 'lexer.h'), ['eval.o', 'lexer.o', 'main.o'], why(3).join('\n'));
          const missing = why(5)
            .filter((l) => l.includes(`missing files: ${demo.project}/local/config.h`))
            .map((l) => /\/obj\/(\S+)\.meta:/.exec(l)?.[1])
            .sort();
          assert.deepEqual(missing, ['eval.o', 'main.o'], why(5).join('\n'));
          for (const i of [1, 4, 6]) assert.deepEqual(why(i), [], `step ${i + 1} gives no reason to rebuild`);
        });

        it('the rebuilt program uses the header found after the deletion', () => {
          assert.deepEqual(demo.runs, ['2/3 = 0.666667', '2/3 = 0.67']);
        });
      });
    }
  });

  describe('the host side', () => {
    let meta: Uint8Array;
    let project: string;
    before(async () => {
      const demo = compatDemo ?? (await runMetaDemo(m));
      meta = demo.mainMeta.bytes;
      project = demo.project;
    });

    it('the wasm parser reads the filemon section of a .meta file written by our module', () => {
      const section = filemonSection(meta);
      assert.ok(section);
      const trace = parseTrace(section);
      assert.deepEqual(trace.errors, []);
      assert.ok(trace.complete, 'footer present');
      assert.equal(trace.header.version, 5);
      const reads = trace.files().read.map((f) => f.path);
      for (const f of ['main.c', 'local/config.h', 'eval.h', 'lexer.h']) assert.ok(reads.includes(`${project}/${f}`), `${f} read`);
      assert.ok(reads.includes('/usr/include/stdio.h'), 'system headers read');
      assert.ok(trace.files().executed.some((f) => f.path === '/usr/bin/tcc'));
      assert.ok(trace.files().written.some((f) => f.given === 'main.o'));
    });

    it('`filemon-sim parse` accepts the .meta file and finds the section', () => {
      const dir = mkdtempSync(join(tmpdir(), 'fms-meta-'));
      try {
        const file = join(dir, 'main.o.meta');
        writeFileSync(file, meta);
        const r = spawnSync(process.execPath, [join(packageRoot, 'dist/sim/cli.js'), 'parse', '--deps', file], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`${project}/eval\\.h`));
        assert.match(r.stdout, /\/usr\/bin\/tcc/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

const OWNREF_C = `#include <dev/filemon/filemon.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* ownref LOG FILE: bmake's SET_FD sequence, then every descriptor of LOG
 * closed before FILE is opened under tracing. */
int
main(int argc, char **argv)
{
	int fm, log, dupfd, f;
	pid_t pid = getpid();

	if (argc != 3)
		return 2;
	if ((fm = open("/dev/filemon", O_RDWR | O_CLOEXEC)) < 0 ||
	    (log = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    (dupfd = dup(log)) < 0) {
		perror("open");
		return 2;
	}
	if (ioctl(fm, FILEMON_SET_FD, &dupfd) < 0) {
		perror("FILEMON_SET_FD");
		return 3;
	}
	close(dupfd);
	close(log);
	if (ioctl(fm, FILEMON_SET_PID, &pid) < 0) {
		perror("FILEMON_SET_PID");
		return 4;
	}
	if ((f = open(argv[2], O_RDONLY)) < 0) {
		perror(argv[2]);
		return 5;
	}
	close(f);
	if (close(fm) < 0) {
		perror("close");
		return 6;
	}
	return 0;
}
`;
