// What a guest part is: something built from our sources (or Debian's
// packages) and put into the initramfs. The parts themselves are in parts/.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestSource } from '../../../sim/guest/image.js';
import type { PackageRef } from './debian.js';
import { run } from './run.js';

export interface BuildContext {
  /** Extracted Debian packages (kernel, headers, kbuild, busybox...). */
  sysroot: string;
  /** Our kernel's release (uname -r), e.g. 6.1.176-filemon-sim. */
  kernelRelease: string;
  /** Our kernel's object tree: KDIR for filemon.ko. */
  kernelBuildDir: string;
  outDir: string;
  sourceDir: string;
  log: (msg: string) => void;
  /** Runs fn unless key matches the last run's and the outputs exist. */
  step: (name: string, key: string, outputs: string[], fn: () => void) => boolean;
}

export interface StagedFile {
  /** A file, or a directory copied whole (symlinks kept as they are). */
  from: string;
  /** Path inside the guest, without the leading slash. */
  to: string;
  /** Mode of a file; a directory's files keep theirs. */
  mode?: number;
}

export interface GuestPart {
  name: string;
  /**
   * Debian packages the part needs, resolved at build time (see
   * debian.ts candidate()); they are downloaded, extracted into the
   * sysroot and listed in the manifest with the base packages.
   */
  packages?(): PackageRef[];
  /** Debian source packages the part was built from (after build()), for the manifest. */
  sources?(): ManifestSource[];
  build(ctx: BuildContext): StagedFile[];
}

/** Hash of every file below dir plus extra strings: a step's key. */
export function hashSources(dir: string, ...extra: string[]): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  for (const x of extra) h.update(x);
  return h.digest('hex');
}

export const gccVersion = (): string => run('gcc', ['-dumpfullversion']).stdout.trim();

/**
 * How guest programs are compiled: static i386, stripped (their symbols
 * would only sit in the guest's memory and saved state), warnings as
 * errors, our headers.
 */
export const GUEST_CFLAGS = ['-m32', '-static', '-s', '-O2', '-Wall', '-Wextra', '-Werror'];

/** In the step keys of what prefixMapFlags() compiles: outputs built before them are rebuilt. */
export const PREFIX_MAPPED = 'file-prefix-map';

/**
 * gcc flags that take the build's folders out of the binaries (__FILE__ in
 * assert(), debug paths): the sources become images/linux/guest/..., the build
 * outputs out/... . The last matching map wins, so the output folder (which
 * is usually inside the package) comes last. Not part of any step key: they
 * change with the folder, the bytes they give do not.
 */
export function prefixMapFlags(ctx: Pick<BuildContext, 'sourceDir' | 'outDir'>): string[] {
  return [`-ffile-prefix-map=${ctx.sourceDir}/=images/linux/guest/`, `-ffile-prefix-map=${ctx.outDir}/=out/`];
}

/**
 * Compiles one static i386 guest program from srcDir's C files into
 * outDir/build/<name>/<name>, rebuilding only when the sources, our
 * headers or the compiler change. Returns the binary's path.
 */
export function buildGuestProgram(ctx: BuildContext, name: string, srcDir: string, sources: string[]): string {
  const include = join(ctx.sourceDir, 'include');
  const out = join(ctx.outDir, 'build', name);
  const bin = join(out, name);
  ctx.step(name, hashSources(srcDir, hashSources(include), gccVersion(), GUEST_CFLAGS.join(' '), PREFIX_MAPPED), [bin], () => {
    ctx.log(`compiling ${name} (gcc ${GUEST_CFLAGS.join(' ')})`);
    mkdirSync(out, { recursive: true });
    run('gcc', [...GUEST_CFLAGS, ...prefixMapFlags(ctx), '-I', include, '-o', bin, ...sources.map((f) => join(srcDir, f))]);
  });
  return bin;
}
