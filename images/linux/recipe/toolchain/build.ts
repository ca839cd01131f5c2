// The toolchain disk (`npm run images` builds it after the base image): the
// files of Debian's i386 gcc, binutils, GNU make and GNU tools
// (packages.ts) that the base image lacks, as one squashfs that the guest
// sees as a second read-only IDE disk (/dev/sdb) and mounts as the top
// lower layer of its /usr and /lib/i386-linux-gnu overlays (bulk.ts), so
// `gcc` is in /usr/bin with no option. Written to images/out/toolchain
// with its manifest; packages/toolchain-linux-i386 ships it.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ToolchainManifest } from '../../../../sim/guest/image.js';
import { download, extract } from '../debian.js';
import { outDir, toolchainDir, toolchainFiles } from '../layout.js';
import { BuildError, run } from '../run.js';
import { unpackBmakeSource } from '../parts/bmake.js';
import { resolveToolchainPackages } from './packages.js';

/** bmake's unpacked source package in the toolchain's build folder (not on the disk). */
export const BMAKE_SOURCE_DIR = 'bmake-src';

/** How the disk is compressed: docs/design/toolchain-image.md has the measurements. */
export type DiskCompression = 'lz4' | 'zstd';
const TOOLCHAIN_COMPRESSION: DiskCompression = 'lz4';

/** What a guest never reads: documentation, translations, Debian's package metadata (usr/share/doc keeps each package's copyright file). */
const PRUNED = ['usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'usr/share/bug'];

/**
 * The links Debian's maintainer scripts make with update-alternatives (no
 * script runs here): `cc` and `c99` for gcc, `awk` for gawk (else busybox's).
 */
const ALTERNATIVES: Array<[string, string]> = [
  ['usr/bin/cc', 'gcc'],
  ['usr/bin/c89', 'c89-gcc'],
  ['usr/bin/c99', 'c99-gcc'],
  ['usr/bin/awk', 'gawk'],
];

export interface ToolchainBuildOptions {
  log?: (msg: string) => void;
}

/** Builds (or keeps, when its inputs are unchanged) the toolchain disk and manifest beside the base image. */
export function buildToolchain(opts: ToolchainBuildOptions = {}): ToolchainManifest {
  const log = opts.log ?? ((m: string) => process.stderr.write(`images: toolchain: ${m}\n`));
  const baseManifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { outputs: { disk: { file: string; sha256: string } } };
  const baseDisk = join(outDir, baseManifest.outputs.disk.file);
  log('resolving the toolchain packages with apt (i386, their dependency closure)');
  const refs = resolveToolchainPackages(join(toolchainDir, 'apt'));
  log(refs.map((p) => `${p.name}=${p.version}`).join(', '));
  const debDir = join(outDir, 'debs');
  const debs = download(refs, debDir, log);

  // bmake's own source, which the real-build test builds with this toolchain.
  unpackBmakeSource(outDir, join(toolchainDir, BMAKE_SOURCE_DIR), log);

  const manifestFile = join(toolchainDir, 'manifest.json');
  const disk = join(toolchainDir, toolchainFiles.disk);
  const key = [...debs.map((d) => d.file), baseManifest.outputs.disk.sha256, TOOLCHAIN_COMPRESSION, readFileSync(new URL(import.meta.url), 'utf8')].join('\n');
  const stamp = join(toolchainDir, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key && existsSync(disk) && existsSync(manifestFile)) {
    return JSON.parse(readFileSync(manifestFile, 'utf8')) as ToolchainManifest;
  }

  const tree = join(toolchainDir, 'tree');
  log(`extracting ${debs.length} packages`);
  rmSync(tree, { recursive: true, force: true });
  for (const d of debs) extract(join(debDir, d.file), tree);
  const dropped = arrangeTree(tree, baseDisk);
  log(`left out ${dropped} files the base image has at the same paths`);
  log(`packing ${toolchainFiles.disk} (${TOOLCHAIN_COMPRESSION})`);
  packToolchainDisk(tree, disk, TOOLCHAIN_COMPRESSION);

  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
  const manifest: ToolchainManifest = {
    format: 1,
    kind: 'toolchain',
    compression: TOOLCHAIN_COMPRESSION,
    packages: debs.map((d) => ({ name: d.name, arch: d.arch, version: d.version, sha256: sha(join(debDir, d.file)) })),
    base: { disk: baseManifest.outputs.disk.sha256 },
    outputs: { disk: { file: toolchainFiles.disk, sha256: sha(disk), bytes: statSync(disk).size } },
  };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(stamp, key);
  log(`done: ${disk} (${(manifest.outputs.disk.bytes / 1048576).toFixed(1)} MiB)`);
  return manifest;
}

/**
 * Makes the extracted packages the tree the disk holds: /bin and /sbin
 * moved under /usr (Debian's merged /usr; the guest's /bin is busybox, and
 * /usr/bin comes first on PATH), only usr and lib/i386-linux-gnu kept (the
 * folders the base overlays: bulk.ts's BULK_DIRS), the PRUNED
 * folders and every file the base disk has at the same path removed (the
 * base's file stays what the guest sees), the alternatives' links made.
 * Returns how many files were left out for the base.
 */
function arrangeTree(tree: string, baseDisk: string): number {
  for (const d of ['bin', 'sbin']) {
    if (!existsSync(join(tree, d))) continue;
    mkdirSync(join(tree, 'usr', d), { recursive: true });
    for (const name of readdirSync(join(tree, d))) {
      const to = join(tree, 'usr', d, name);
      if (existsSync(to) || isLink(to)) throw new BuildError(`toolchain: /${d}/${name} and /usr/${d}/${name} are both in the packages`);
      renameSync(join(tree, d, name), to);
    }
    rmSync(join(tree, d), { recursive: true });
  }
  for (const name of readdirSync(tree)) {
    if (name !== 'usr' && name !== 'lib') rmSync(join(tree, name), { recursive: true, force: true });
  }
  for (const name of existsSync(join(tree, 'lib')) ? readdirSync(join(tree, 'lib')) : []) {
    if (name !== 'i386-linux-gnu') rmSync(join(tree, 'lib', name), { recursive: true, force: true });
  }
  for (const p of PRUNED) rmSync(join(tree, p), { recursive: true, force: true });
  // The licences stay with the programs: usr/share/doc/<package>/copyright only.
  const doc = join(tree, 'usr/share/doc');
  for (const pkg of existsSync(doc) ? readdirSync(doc) : []) {
    const dir = join(doc, pkg);
    if (isLink(dir)) continue;
    for (const f of readdirSync(dir)) if (f !== 'copyright') rmSync(join(dir, f), { recursive: true, force: true });
  }
  for (const [link, target] of ALTERNATIVES) {
    if (!existsSync(join(dirname(join(tree, link)), target))) throw new BuildError(`toolchain: ${target} is missing for the link /${link}`);
    if (!isLink(join(tree, link))) symlinkSync(target, join(tree, link));
  }
  // unsquashfs -l prints squashfs-root/<path> for every entry of the base disk.
  const base = new Set(
    run('unsquashfs', ['-l', '-no-progress', baseDisk])
      .stdout.split('\n')
      .filter((l) => l.startsWith('squashfs-root/'))
      .map((l) => l.slice('squashfs-root/'.length)),
  );
  let dropped = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (base.has(relative(tree, p))) {
        rmSync(p);
        dropped++;
      }
    }
  };
  walk(tree);
  return dropped;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The squashfs of tree at dest, reproducible as the base disk is (bulk.ts); lz4 at its high-compression level, or zstd at 19. */
export function packToolchainDisk(tree: string, dest: string, comp: DiskCompression): void {
  const tmp = `${dest}.tmp`;
  const compression = comp === 'lz4' ? ['-comp', 'lz4', '-Xhc'] : ['-comp', 'zstd', '-Xcompression-level', '19'];
  run('mksquashfs', [tree, tmp, '-noappend', '-quiet', '-no-progress', ...compression, '-b', '128K', '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-reproducible']);
  if (existsSync(dest) && readFileSync(dest).equals(readFileSync(tmp))) rmSync(tmp);
  else renameSync(tmp, dest);
}
