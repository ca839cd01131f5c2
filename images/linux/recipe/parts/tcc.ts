// A C compiler in the guest: Debian's tcc for i386, dynamically linked, with
// the glibc loader, shared libraries, crt files and headers it needs, all at
// their Debian paths. bmake's meta mode then sees a compiler's real header
// reads. Docs, man pages, locales, static libraries and the kernel's uapi
// headers that no glibc header includes are left out to keep the initramfs
// (held in the guest's 128 MiB of RAM) small.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { candidate, type PackageRef } from '../debian.js';
import type { GuestPart } from '../part.js';
import { BuildError } from '../run.js';

const PACKAGES = ['tcc', 'libc6', 'libc6-dev', 'linux-libc-dev'];

const MULTIARCH = 'i386-linux-gnu';

/** Runtime: the loader and the libraries tcc and the programs it links need. */
const RUNTIME = ['lib/ld-linux.so.2', `lib/${MULTIARCH}/ld-linux.so.2`, `lib/${MULTIARCH}/libc.so.6`, `lib/${MULTIARCH}/libm.so.6`, `lib/${MULTIARCH}/libdl.so.2`, `lib/${MULTIARCH}/libpthread.so.0`];

/** The compiler, its own directory, and what it links a program with. */
const TOOLCHAIN = [
  'usr/bin/tcc',
  `usr/lib/${MULTIARCH}/tcc`,
  `usr/lib/${MULTIARCH}/crt1.o`,
  `usr/lib/${MULTIARCH}/crti.o`,
  `usr/lib/${MULTIARCH}/crtn.o`,
  `usr/lib/${MULTIARCH}/libc.so`,
  `usr/lib/${MULTIARCH}/libc_nonshared.a`,
  `usr/lib/${MULTIARCH}/libm.so`,
  `usr/lib/${MULTIARCH}/libdl.a`,
  `usr/lib/${MULTIARCH}/libpthread.a`,
];

/** usr/include directories that come from linux-libc-dev (the kernel's uapi). */
const KERNEL_HEADER_DIRS = ['linux', 'asm-generic', 'drm', 'misc', 'mtd', 'rdma', 'sound', 'video', 'xen', `${MULTIARCH}/asm`];

/** Where tcc and glibc look for <...> includes, in order (tcc's Debian configuration). */
const INCLUDE_DIRS = [`usr/include/${MULTIARCH}`, 'usr/include'];

export const tcc: GuestPart = {
  name: 'tcc',
  packages(): PackageRef[] {
    return PACKAGES.map((name) => {
      const version = candidate(name, 'i386');
      if (!version) throw new BuildError(`apt has no candidate for ${name}:i386; run apt-get update, or check the sources list`);
      return { name, arch: 'i386', version };
    });
  },
  build(ctx) {
    const out = join(ctx.outDir, 'build/tcc/root');
    // The versions apt resolves now are those the extract step unpacked.
    const versions = tcc.packages!()
      .map((p) => `${p.name}=${p.version}`)
      .join(',');
    ctx.step(
      'tcc',
      versions +
        '\n' +
        createHash('sha256')
          .update(readFileSync(new URL(import.meta.url)))
          .digest('hex'),
      [out],
      () => {
        ctx.log(`staging tcc with glibc's loader, libraries and headers (${versions})`);
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        for (const p of [...RUNTIME, ...TOOLCHAIN, ...headerSet(ctx.sysroot)]) copyPath(ctx.sysroot, out, p);
      },
    );
    return [
      { from: join(out, 'lib'), to: 'lib' },
      { from: join(out, 'usr'), to: 'usr' },
    ];
  },
};

/** Copies one file, symlink or directory from the sysroot, keeping symlinks. */
function copyPath(sysroot: string, out: string, p: string): void {
  const from = join(sysroot, p);
  if (!existsSync(from) && !isLink(from)) throw new BuildError(`tcc part: ${p} is missing from the extracted packages`);
  mkdirSync(dirname(join(out, p)), { recursive: true });
  cpSync(from, join(out, p), { recursive: true, verbatimSymlinks: true });
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * glibc's headers (everything in usr/include but the kernel's uapi
 * directories) plus the uapi headers they reach through #include.
 */
function headerSet(sysroot: string): string[] {
  const inc = join(sysroot, 'usr/include');
  const kernelDirs = KERNEL_HEADER_DIRS.map((d) => join(inc, d));
  const roots: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (kernelDirs.includes(p)) continue;
      if (e.isDirectory()) walk(p);
      else roots.push(p);
    }
  };
  walk(inc);
  const seen = new Set<string>(roots);
  const queue = [...roots];
  while (queue.length) {
    const file = queue.pop()!;
    if (!lstatSync(file).isFile()) continue;
    for (const m of readFileSync(file, 'latin1').matchAll(/^\s*#\s*include\s*[<"]([^>"]+)[>"]/gm)) {
      for (const dir of [dirname(file), ...INCLUDE_DIRS.map((d) => join(sysroot, d))]) {
        const cand = join(dir, m[1]);
        if (existsSync(cand)) {
          if (!seen.has(cand)) {
            seen.add(cand);
            queue.push(cand);
          }
          break;
        }
      }
    }
  }
  return [...seen].map((p) => relative(sysroot, p)).sort();
}
