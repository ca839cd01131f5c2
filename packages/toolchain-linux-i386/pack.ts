// `npm run toolchain:pack`: the toolchain package. Builds the image and the
// toolchain disk if needed (npm run images), makes the saved state of the
// base image with the toolchain attached (one cold boot, so a user's first
// gcc needs none), stages the disk, its manifest, the state and state.json
// with this folder's package.json and a README written from the manifest,
// then writes the tarball with npm pack.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildImage } from '../../images/linux/recipe/build.js';
import { outDir, packageRoot, toolchainDir } from '../../images/linux/recipe/layout.js';
import { buildToolchain } from '../../images/linux/recipe/toolchain/build.js';
import type { ImageManifest, ToolchainManifest } from '../../sim/guest/image.js';
import { DEFAULT_MEMORY_MIB } from '../../sim/guest/machine.js';
import { bootMachine } from '../../sim/node/boot.js';
import { IMAGE_PACKAGE, mainPackage, v86Version } from '../../sim/node/image.js';
import { stateKey } from '../../sim/guest/state-key.js';
import { TOOLCHAIN_PACKAGE } from '../../sim/guest/toolchain.js';
import { packOutDir, packStaged, sourcePackages, SOURCE_LICENCES, type PackResult, type SourceRef } from '../image-linux-i386/pack.js';

const templateDir = join(packageRoot, 'packages/toolchain-linux-i386');
const stageDir = join(packOutDir, 'toolchain-linux-i386');

/** Licences of the toolchain's main Debian source packages (SPDX); the others are named by their copyright file on the disk. */
const TOOLCHAIN_LICENCES: Record<string, string> = {
  ...SOURCE_LICENCES,
  'gcc-12': 'GPL-3.0-or-later WITH GCC-exception-3.1',
  'gcc-defaults': 'GPL-3.0-or-later',
  binutils: 'GPL-3.0-or-later',
  'make-dfsg': 'GPL-3.0-or-later',
  sed: 'GPL-3.0-or-later',
  grep: 'GPL-3.0-or-later',
  gawk: 'GPL-3.0-or-later',
  diffutils: 'GPL-3.0-or-later',
  coreutils: 'GPL-3.0-or-later',
  findutils: 'GPL-3.0-or-later',
  mpfr4: 'LGPL-3.0-or-later',
  mpclib3: 'LGPL-3.0-or-later',
  isl: 'MIT',
  zlib: 'Zlib',
};

export async function packToolchain(log: (msg: string) => void = (m) => process.stderr.write(`toolchain:pack: ${m}\n`)): Promise<PackResult> {
  const template = JSON.parse(readFileSync(join(templateDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  if (template.name !== TOOLCHAIN_PACKAGE) throw new Error(`${templateDir}/package.json is named ${String(template.name)}, the harness looks for ${TOOLCHAIN_PACKAGE}`);
  if (template.version !== mainPackage.version) {
    throw new Error(`${templateDir}/package.json has version ${String(template.version)} and filemon-sim ${mainPackage.version}: the packages are released in step; set both to the same`);
  }
  for (const env of ['FILEMON_SIM_IMAGE', 'FILEMON_SIM_TOOLCHAIN']) {
    if (process.env[env]) throw new Error(`${env} is set (${process.env[env]}): toolchain:pack packs the local builds in ${outDir} and ${toolchainDir}; unset it`);
  }
  log('building the guest image and the toolchain disk if needed (npm run images)');
  const image = await buildImage({ log });
  const manifest = buildToolchain({ log });

  log('restoring or making the saved state with the toolchain (a cold boot takes a few seconds)');
  const { machine, info } = await bootMachine({ toolchain: toolchainDir, log, bootTimeoutMs: 900_000 });
  await machine.close();
  const key = await stateKey({ manifest: image, toolchain: manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
  const stateFile = basename(info.statePath);

  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  copyFileSync(join(toolchainDir, manifest.outputs.disk.file), join(stageDir, manifest.outputs.disk.file));
  copyFileSync(join(toolchainDir, 'manifest.json'), join(stageDir, 'manifest.json'));
  copyFileSync(info.statePath, join(stageDir, stateFile));
  writeFileSync(join(stageDir, 'state.json'), JSON.stringify({ file: stateFile, key, v86Version, memoryMiB: DEFAULT_MEMORY_MIB }, null, 2) + '\n');
  const files = [manifest.outputs.disk.file, 'manifest.json', stateFile, 'state.json'];
  const sources = sourcePackages({ packages: manifest.packages });
  writeFileSync(join(stageDir, 'package.json'), JSON.stringify({ ...template, license: 'SEE LICENSE IN README.md', files: [...files, 'README.md'] }, null, 2) + '\n');
  return packStaged(
    stageDir,
    files,
    (fileSizes, packedBytes) => readme({ image, manifest, fileSizes, sources, stateFile, key, packedBytes }),
    (m) => log(`${m}, state key ${key}`),
  );
}

function readme(r: {
  image: ImageManifest;
  manifest: ToolchainManifest;
  fileSizes: { file: string; bytes: number }[];
  sources: SourceRef[];
  stateFile: string;
  key: string;
  packedBytes: number;
}): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const roles: Record<string, string> = {
    [r.manifest.outputs.disk.file]: `the toolchain disk (${r.manifest.compression} squashfs, read at offsets, never whole): the files of the packages below that the base image lacks`,
    'manifest.json': "each Debian package (name, architecture, version, .deb sha256), the disk's sha256 and size, and the base disk it was made against",
    [r.stateFile]: `the booted guest with this disk, saved by v86 ${v86Version} with ${DEFAULT_MEMORY_MIB} MiB (state key ${r.key}), for ${IMAGE_PACKAGE} ${mainPackage.version}`,
    'state.json': 'what the saved state was made for (file, key, v86 version, memory)',
  };
  const rows = r.fileSizes.map((f) => `| \`${f.file}\` | ${roles[f.file] ?? ''} | ${f.bytes.toLocaleString('en')} |`);
  const srcRows = r.sources.map(
    (s) => `| \`${s.binary}\` | ${s.version} | \`${s.source}\` | ${s.sourceVersion} | ${TOOLCHAIN_LICENCES[s.source] ?? `\`/usr/share/doc/${s.binary}/copyright\` on the disk`} |`,
  );
  const uniqueSources = [...new Map(r.sources.map((s) => [`${s.source}=${s.sourceVersion}`, s])).values()];
  return `# ${TOOLCHAIN_PACKAGE} ${mainPackage.version}

gcc 12, binutils, GNU make and the GNU tools that configure scripts run
(sed, grep, gawk, diffutils, coreutils, findutils) for the guest of
\`filemon-sim\` ${mainPackage.version}, from Debian 12's i386 packages.

\`\`\`sh
npm install --save-dev filemon-sim@${mainPackage.version} ${IMAGE_PACKAGE}@${mainPackage.version} ${TOOLCHAIN_PACKAGE}@${mainPackage.version}
npx filemon-sim trace -- sh -c 'printf "int main(void){return 0;}\\n" > /tmp/x.c && gcc -c /tmp/x.c -o /tmp/x.o'
\`\`\`

Installed beside the image package, filemon-sim attaches it with no option:
the guest reads it as a second disk, block by block (a compile reads cc1,
as, ld and the headers it needs, not the whole disk), beneath its \`/usr\`,
so \`gcc\`, \`make\` and GNU \`sed\` come first on \`PATH\`. With an image
given by folder (\`--image\`, \`image:\`, \`FILEMON_SIM_IMAGE\`), name this
package's folder in \`FILEMON_SIM_TOOLCHAIN\` (or the \`toolchain\` option)
to attach it.

## What is inside

${r.fileSizes.length} files, ${mb(r.fileSizes.reduce((n, f) => n + f.bytes, 0))} unpacked${r.packedBytes ? `, about ${mb(r.packedBytes)} as the npm tarball` : ''}.

| file | what it is | bytes |
|---|---|---:|
${rows.join('\n')}

## Licences and corresponding source

Each program keeps its Debian copyright file on the disk
(\`/usr/share/doc/PACKAGE/copyright\`). The corresponding source of each is
the Debian source package named below, at the version given (\`apt-get
source NAME=VERSION\` on Debian, or Debian's snapshot archive).

| Debian package | version | source package | source version | licence |
|---|---|---|---|---|
${srcRows.join('\n')}

Corresponding source in one go: ${uniqueSources.map((s) => `\`apt-get source ${s.source}=${s.sourceVersion}\``).join(', ')}.
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  packToolchain().then(
    (r) => process.stdout.write(`${r.tarball}\n`),
    (e: unknown) => {
      process.stderr.write(`toolchain:pack: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
