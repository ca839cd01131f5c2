// `npm run images:pack`: the image package. Builds the guest image if
// needed (npm run images) and its saved state (one cold boot), stages the
// files the manifest's outputs name, manifest.json, the state and state.json
// with this folder's package.json and a README written from the manifest,
// then writes the tarball with npm pack.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { buildImage } from '../../images/linux/recipe/build.js';
import { outDir, packageRoot } from '../../images/linux/recipe/layout.js';
import type { ImageManifest } from '../../sim/guest/image.js';
import { DEFAULT_MEMORY_MIB } from '../../sim/guest/machine.js';
import { bootMachine } from '../../sim/node/boot.js';
import { COMPRESSED_SUFFIX, IMAGE_PACKAGE, mainPackage, v86Version } from '../../sim/node/image.js';
import { stateKey } from '../../sim/guest/state-key.js';

/** This folder in the sources (the package.json template), seen from dist/packages/image-linux-i386/. */
const templateDir = join(packageRoot, 'packages/image-linux-i386');
/** Staging folder and tarball destination (ignored by git). */
export const packOutDir = join(packageRoot, 'images/out/package');
const stageDir = join(packOutDir, 'image-linux-i386');

/** Licences of the Debian source packages the guest is made from (SPDX); others are named by their copyright file. */
export const SOURCE_LICENCES: Record<string, string> = {
  linux: 'GPL-2.0-only',
  // Debian's signed build of the linux source package, with the same licence.
  'linux-signed-i386': 'GPL-2.0-only',
  busybox: 'GPL-2.0-only',
  seabios: 'LGPL-3.0-only',
  glibc: 'LGPL-2.1-or-later',
  tcc: 'LGPL-2.1-or-later',
  bmake: 'BSD-3-Clause',
};

/** filemon-sim's own guest parts, built from this repository's images/linux/guest/. */
const OWN_PARTS = [
  { what: 'filemon.ko, the /dev/filemon kernel module', source: 'images/linux/guest/filemon/', licence: 'GPL-2.0-only' },
  { what: 'fms-agent, fms-trace, fms-shell, /init and the conformance programs', source: 'images/linux/guest/', licence: 'BSD-2-Clause' },
];

export interface SourceRef {
  binary: string;
  arch: string;
  version: string;
  source: string;
  sourceVersion: string;
}

export interface PackResult {
  tarball: string;
  packedBytes: number;
  unpackedBytes: number;
  files: { file: string; bytes: number }[];
}

export async function packImage(log: (msg: string) => void = (m) => process.stderr.write(`images:pack: ${m}\n`)): Promise<PackResult> {
  const template = JSON.parse(readFileSync(join(templateDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  if (template.name !== IMAGE_PACKAGE) throw new Error(`${templateDir}/package.json is named ${String(template.name)}, the harness looks for ${IMAGE_PACKAGE}`);
  if (template.version !== mainPackage.version) {
    throw new Error(
      `${templateDir}/package.json has version ${String(template.version)} and filemon-sim ${mainPackage.version}: ` +
        'the two packages are released in step (filemon-sim accepts only its own version of the image); set both to the same',
    );
  }

  if (process.env.FILEMON_SIM_IMAGE) throw new Error(`FILEMON_SIM_IMAGE is set (${process.env.FILEMON_SIM_IMAGE}): images:pack packs the local build in ${outDir}; unset it`);

  log('building the guest image if needed (npm run images)');
  const manifest = await buildImage({ log });

  // The saved state the package ships: the local build's, made now if missing.
  const key = await stateKey({ manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
  log('restoring or making the saved state (a cold boot takes a few seconds)');
  // A loaded machine may take minutes to boot cold; this is a one-off.
  const { machine, info } = await bootMachine({ log, bootTimeoutMs: 900_000 });
  await machine.close();
  if (dirname(info.statePath) !== outDir) throw new Error(`the saved state went to ${info.statePath}, not beside the local build in ${outDir}`);
  const stateFile = basename(info.statePath);

  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  // The initramfs goes brotli-compressed: half of what npm's gzip makes of it.
  const outputs = new Set(Object.values(manifest.outputs).map((o) => o.file));
  const shipped = [...outputs, 'manifest.json', stateFile].map((f) => {
    if (f !== manifest.outputs.initramfs.file) {
      copyFileSync(join(outDir, f), join(stageDir, f));
      return f;
    }
    log(`compressing ${f} (brotli, a few seconds)`);
    writeFileSync(join(stageDir, f + COMPRESSED_SUFFIX), brotliOf(readFileSync(join(outDir, f))));
    return f + COMPRESSED_SUFFIX;
  });
  writeFileSync(join(stageDir, 'state.json'), JSON.stringify({ file: stateFile, key, v86Version, memoryMiB: DEFAULT_MEMORY_MIB }, null, 2) + '\n');
  const files = [...shipped, 'state.json'];

  const sources = sourcePackages(manifest);
  const licences = [...new Set([...sources.map((s) => SOURCE_LICENCES[s.source]).filter(Boolean), ...OWN_PARTS.map((p) => p.licence)])];
  writeFileSync(join(stageDir, 'package.json'), JSON.stringify({ ...template, license: licences.join(' AND '), files: [...files, 'README.md'] }, null, 2) + '\n');

  return packStaged(
    stageDir,
    files,
    (fileSizes, packedBytes) => readme({ manifest, fileSizes, sources, stateFile, key, packedBytes }),
    (m) => log(`${m}, state key ${key}`),
  );
}

/**
 * Writes the README of a staged package folder and packs it into packOutDir.
 * The README states the packed size, which depends on the README: pack,
 * measure, write it again, pack again.
 */
export function packStaged(dir: string, files: string[], readmeOf: (fileSizes: PackResult['files'], packedBytes: number) => string, log: (msg: string) => void): PackResult {
  const fileSizes = files.map((f) => ({ file: f, bytes: statSync(join(dir, f)).size }));
  let result = { filename: '', size: 0, unpackedSize: 0 };
  for (let round = 0; round < 2; round++) {
    writeFileSync(join(dir, 'README.md'), readmeOf(fileSizes, result.size));
    result = npmPack(dir, packOutDir);
  }
  const tarball = join(packOutDir, result.filename);
  log(`${relative(process.cwd(), tarball)}: ${mb(result.size)} packed, ${mb(result.unpackedSize)} unpacked`);
  return { tarball, packedBytes: result.size, unpackedBytes: result.unpackedSize, files: fileSizes };
}

/**
 * Brotli at quality 9 with a 16 MiB window: the window is what finds the
 * code the guest's static programs share (quality 11 is 7% smaller and ten
 * times slower).
 */
function brotliOf(data: Buffer): Buffer {
  return brotliCompressSync(data, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_LGWIN]: 24, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
}

interface NpmPackResult {
  filename: string;
  size: number;
  unpackedSize: number;
}

/** npm pack of a folder into dest; npm's own figures. */
export function npmPack(dir: string, dest: string): NpmPackResult {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [r] = JSON.parse(out) as NpmPackResult[];
  return r;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Each manifest package's Debian source package, from the cached .debs (dpkg-deb -f). */
export function sourcePackages(manifest: Pick<ImageManifest, 'packages' | 'sources'>): SourceRef[] {
  const fromDebs = new Map<string, { source: string; sourceVersion: string }>();
  const debDir = join(outDir, 'debs');
  for (const f of existsSync(debDir) ? readdirSync(debDir).filter((n) => n.endsWith('.deb')) : []) {
    const fields = execFileSync('dpkg-deb', ['-f', join(debDir, f), 'Package', 'Architecture', 'Version', 'Source'], { encoding: 'utf8' });
    const get = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(fields)?.[1].trim();
    const pkg = get('Package')!;
    const version = get('Version')!;
    const [, src, srcVer] = /^(\S+)(?: \((.*)\))?$/.exec(get('Source') ?? pkg) ?? [];
    fromDebs.set(`${pkg}:${get('Architecture')}=${version}`, { source: src ?? pkg, sourceVersion: srcVer ?? version });
  }
  const binaries = manifest.packages.map((p) => {
    const known = fromDebs.get(`${p.name}:${p.arch}=${p.version}`);
    if (!known) throw new Error(`no cached .deb for ${p.name}:${p.arch}=${p.version} in ${debDir} to read its source package from; run npm run images`);
    return { binary: p.name, arch: p.arch, version: p.version, ...known };
  });
  const built = (manifest.sources ?? []).map((s) => ({ binary: '', arch: 'source', version: s.version, source: s.name, sourceVersion: s.version }));
  return [...binaries, ...built];
}

function readme(r: { manifest: ImageManifest; fileSizes: { file: string; bytes: number }[]; sources: SourceRef[]; stateFile: string; key: string; packedBytes: number }): string {
  const { manifest: m } = r;
  const roles = new Map<string, string>([
    ['manifest.json', "what the image is made of: each Debian package (name, architecture, version, .deb sha256) and each file's sha256 and size"],
    [r.stateFile, `the booted guest saved by v86 ${v86Version} with ${DEFAULT_MEMORY_MIB} MiB of memory (state key ${r.key}); filemon-sim restores it in a fraction of a second`],
    ['state.json', 'what the saved state was made for (file, key, v86 version, memory)'],
  ]);
  for (const [role, o] of Object.entries(m.outputs)) {
    const what: Record<string, string> = {
      kernel: `the Linux kernel ${m.kernelRelease} (bzImage)`,
      initramfs: 'the initramfs (newc cpio, brotli-compressed; unpacked only for a cold boot): busybox, the agent, the shell and the filemon module',
      disk: 'the read-only disk (zstd squashfs, read at offsets, never whole): tcc, bmake, glibc, headers, test programs, mk-files',
      bios: 'SeaBIOS',
    };
    roles.set(o.file, what[role] ?? role);
  }
  const total = r.fileSizes.reduce((n, f) => n + f.bytes, 0);
  const sha = new Map(Object.values(m.outputs).map((o) => [o.file, o.sha256]));
  // A compressed output is described, and its sha256 given, as the file it unpacks to.
  const unpacked = (f: string) => (f.endsWith(COMPRESSED_SUFFIX) ? f.slice(0, -COMPRESSED_SUFFIX.length) : f);
  const rows = r.fileSizes.map((f) => {
    const hash = sha.get(unpacked(f.file));
    return `| \`${f.file}\` | ${roles.get(unpacked(f.file)) ?? ''} | ${f.bytes.toLocaleString('en')} | ${hash ? `\`${hash.slice(0, 16)}…\`` : ''} |`;
  });
  const srcRows = r.sources.map(
    (s) =>
      `| ${s.binary ? `\`${s.binary}\` (${s.arch})` : '(built from source)'} | ${s.binary ? s.version : ''} | \`${s.source}\` | ${s.sourceVersion} | ${SOURCE_LICENCES[s.source] ?? `see /usr/share/doc/${s.binary || s.source}/copyright`} |`,
  );
  const uniqueSources = [...new Map(r.sources.map((s) => [`${s.source}=${s.sourceVersion}`, s])).values()];
  return `# ${IMAGE_PACKAGE} ${mainPackage.version}

The prebuilt guest of the npm package \`filemon-sim\` ${mainPackage.version}: an i386 Linux
kernel, an initramfs with busybox, the \`/dev/filemon\` module and the guest
tools, SeaBIOS, and a saved v86 state. With it, filemon-sim needs no Debian
host, no root and no compiler.

\`\`\`sh
npm install --save-dev filemon-sim@${mainPackage.version} ${IMAGE_PACKAGE}@${mainPackage.version}
npx filemon-sim trace -- sh -c 'cat /etc/passwd > /home/copy'
\`\`\`

filemon-sim finds this package when it is installed beside it (the two are
released with the same version; another version is refused with a message
saying which one to install). An explicit \`image\` option or
\`FILEMON_SIM_IMAGE\` (an image folder) takes precedence.

## What is inside

Kernel ${m.kernelRelease}; ${r.fileSizes.length} files, ${mb(total)} unpacked${r.packedBytes ? `, about ${mb(r.packedBytes)} as the npm tarball` : ''}.

| file | what it is | bytes | sha256 (unpacked) |
|---|---|---:|---|
${rows.join('\n')}

The saved state is read, never written: under another v86 version (or
memory size) filemon-sim says so, boots cold once (a few seconds) and
keeps a fresh state in the user cache folder (\`$XDG_CACHE_HOME/filemon-sim\`,
\`~/.cache/filemon-sim\`, \`~/Library/Caches/filemon-sim\` on macOS,
\`%LOCALAPPDATA%\\filemon-sim\\Cache\` on Windows).

## Licences and corresponding source

The files are built from Debian 12 packages, listed in \`manifest.json\` with
their versions and sha256. The Linux kernel and busybox are GPL-2.0: their
corresponding source is the Debian source package named below, at the version
given (\`apt-get source NAME=VERSION\` on Debian, or Debian's snapshot
archive for versions that have left the archive). The saved state is a memory
image of the booted guest and holds the same programs under the same licences.

| Debian package | version | source package | source version | licence |
|---|---|---|---|---|
${srcRows.join('\n')}

Corresponding source in one go: ${uniqueSources.map((s) => `\`apt-get source ${s.source}=${s.sourceVersion}\``).join(', ')}.

filemon-sim's own guest parts, from the \`images/linux/guest/\` folder of
filemon-sim ${mainPackage.version}'s source repository:

| part | source | licence |
|---|---|---|
${OWN_PARTS.map((p) => `| ${p.what} | \`${p.source}\` | ${p.licence} |`).join('\n')}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  packImage().then(
    (r) => process.stdout.write(`${r.tarball}\n`),
    (e: unknown) => {
      process.stderr.write(`images:pack: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
