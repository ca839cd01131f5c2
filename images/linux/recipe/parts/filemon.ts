// /dev/filemon: our kernel module, built against our kernel's object tree
// (kernel/), loaded at boot by an init.d hook; and its header, installed
// where FreeBSD keeps it.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gccVersion, type GuestPart, hashSources, PREFIX_MAPPED, prefixMapFlags } from '../part.js';
import { run } from '../run.js';

export const filemonModule: GuestPart = {
  name: 'filemon',
  build(ctx) {
    const work = join(ctx.outDir, 'build/filemon');
    const ko = join(work, 'filemon/filemon.ko');
    const kdir = ctx.kernelBuildDir;
    // The kernel's Module.symvers stands for the kernel build as a whole.
    const key = hashSources(
      join(ctx.sourceDir, 'filemon'),
      hashSources(join(ctx.sourceDir, 'include')),
      ctx.kernelRelease,
      gccVersion(),
      readFileSync(join(kdir, 'Module.symvers')).toString(),
      readFileSync(join(kdir, '.config')).toString(),
    );
    ctx.step('filemon', key, [ko], () => {
      ctx.log(`building filemon.ko against our kernel ${ctx.kernelRelease}`);
      // A copy keeps kbuild's outputs out of the source tree; the module
      // finds its header at ../include as in the sources.
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      cpSync(join(ctx.sourceDir, 'filemon'), join(work, 'filemon'), { recursive: true });
      cpSync(join(ctx.sourceDir, 'include'), join(work, 'include'), { recursive: true });
      // The work folder's path would be in the module (__FILE__ in WARN_ON):
      // mapped to filemon-build/ as the kernel maps its own tree.
      const kcflags = [`-ffile-prefix-map=${work}/=filemon-build/`].join(' ');
      run('make', ['-C', join(work, 'filemon'), `KDIR=${kdir}`, `KCFLAGS=${kcflags}`], { env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    });
    const hook = join(work, 'filemon.sh');
    writeFileSync(hook, `# Loaded by /init: /dev/filemon for every program in the guest.\ninsmod /lib/modules/${ctx.kernelRelease}/extra/filemon.ko || echo "init: loading filemon.ko failed" >&2\n`);
    return [
      { from: ko, to: `lib/modules/${ctx.kernelRelease}/extra/filemon.ko`, mode: 0o644 },
      { from: hook, to: 'etc/init.d/filemon.sh', mode: 0o644 },
      { from: join(ctx.sourceDir, 'include/dev/filemon/filemon.h'), to: 'usr/include/dev/filemon/filemon.h', mode: 0o644 },
    ];
  },
};

/** The C conformance programs and benchmark workload, run by test/ through the harness. */
export const filemonTests: GuestPart = {
  name: 'filemon-tests',
  build(ctx) {
    const out = join(ctx.outDir, 'build/filemon-tests');
    const key = hashSources(join(ctx.sourceDir, 'tests'), hashSources(join(ctx.sourceDir, 'include')), gccVersion(), PREFIX_MAPPED, 'stripped');
    ctx.step('filemon-tests', key, [join(out, 'fmt')], () => {
      ctx.log('compiling the filemon conformance programs (gcc -m32 -static -s)');
      rmSync(out, { recursive: true, force: true });
      // Flags through CC: the Makefile's CFLAGS stay its own.
      run('make', ['-C', join(ctx.sourceDir, 'tests'), `CC=gcc -m32 -s ${prefixMapFlags(ctx).join(' ')}`, `OUT=${out}`]);
    });
    return [{ from: out, to: 'usr/lib/filemon-tests' }];
  },
};
