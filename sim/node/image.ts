// Node adapter: loads the guest image from images/out/linux, building it
// first when it is missing, and keeps saved states beside it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildImage } from '../../images/linux/build.js';
import { manifestPath, outDir } from '../../images/linux/layout.js';
import type { GuestImage, ImageManifest } from '../image.js';

export interface LoadImageOptions {
  /** Build the image when it is missing (the default). */
  build?: boolean;
  log?: (msg: string) => void;
}

export class ImageMissingError extends Error {
  constructor() {
    super(`the guest image is missing (${manifestPath}); build it with: npm run images`);
  }
}

export async function loadImage(opts: LoadImageOptions = {}): Promise<GuestImage> {
  if (!existsSync(manifestPath)) {
    if (opts.build === false) throw new ImageMissingError();
    opts.log?.('guest image missing: building it (npm run images)');
    await buildImage({ log: opts.log });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ImageManifest;
  const read = (file: string) => new Uint8Array(readFileSync(join(outDir, file)));
  return {
    manifest,
    bios: read(manifest.outputs.bios.file),
    kernel: read(manifest.outputs.kernel.file),
    initramfs: read(manifest.outputs.initramfs.file),
  };
}

const require = createRequire(import.meta.url);

/** v86's WebAssembly file inside node_modules. */
export const v86WasmPath = join(dirname(require.resolve('v86')), 'v86.wasm');

/** The installed v86 version: saved states are only valid for the same one. */
export const v86Version = (
  JSON.parse(readFileSync(join(dirname(require.resolve('v86')), '..', 'package.json'), 'utf8')) as { version: string }
).version;
