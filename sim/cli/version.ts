// `filemon-sim --version`: both packages' versions, the image in use and
// its saved state's key. Never builds anything.
import { DEFAULT_MEMORY_MIB } from '../guest/machine.js';
import { findImagePackage, IMAGE_PACKAGE, locateImage, mainPackage, readManifest, v86Version } from '../node/image.js';
import { stateLocation } from '../node/state-store.js';
import { stateKey } from '../guest/state-key.js';

function runtime(): string {
  const v = process.versions as Record<string, string | undefined>;
  if (v.bun) return `bun ${v.bun}`;
  if (v.deno) return `deno ${v.deno}`;
  return `node ${process.version}`;
}

export async function versionText(image?: string): Promise<string> {
  const lines = [`${mainPackage.name} ${mainPackage.version}`];
  const pkg = findImagePackage();
  lines.push(pkg ? `${IMAGE_PACKAGE} ${pkg.version} (${pkg.dir})` : `${IMAGE_PACKAGE} not installed`);
  try {
    const found = await locateImage({ image, build: false });
    const manifest = readManifest(found.dir, found.what);
    const key = await stateKey({ manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
    const where = stateLocation(found, key, { v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
    lines.push(`image: ${found.what}, ${found.dir} (kernel ${manifest.kernelRelease})`);
    lines.push(`state key: ${key} (${where.restore ? `saved: ${where.restore}` : `not saved yet; the first run saves it to ${where.save}`})`);
  } catch (e) {
    lines.push(`image: ${e instanceof Error ? e.message : String(e)}`);
  }
  lines.push(`v86 ${v86Version}, ${runtime()}`);
  return lines.join('\n') + '\n';
}
