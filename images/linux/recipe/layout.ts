// Where the guest image's sources and build outputs live.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is images/linux/recipe/layout.ts, compiled to dist/images/linux/recipe/. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Guest-side sources (agent, init, kernel module, test programs): what runs in the guest. */
export const sourceDir = join(packageRoot, 'images/linux/guest');

/** The recipe's own files that are not compiled (the kernel's config fragment and build script). */
export const recipeDir = join(packageRoot, 'images/linux/recipe');

/** Build outputs: ignored by git. FILEMON_SIM_IMAGE_DIR moves them. */
export const outDir = process.env.FILEMON_SIM_IMAGE_DIR ? resolve(process.env.FILEMON_SIM_IMAGE_DIR) : join(packageRoot, 'images/out/linux');

/** The toolchain disk's build output (images/linux/recipe/toolchain), beside the base image's folder. */
export const toolchainDir = join(outDir, '..', 'toolchain');

/** The toolchain folder's disk file (its manifest.json names it). */
export const toolchainFiles = { disk: 'toolchain.squashfs' } as const;

export const manifestPath = join(outDir, 'manifest.json');

/** The files a booted guest needs, by role. */
export const outputFiles = {
  bios: 'bios.bin',
  kernel: 'bzImage',
  initramfs: 'initramfs.cpio',
  /** The read-only disk (images/linux/recipe/bulk.ts): read block by block, never loaded whole. */
  disk: 'disk.squashfs',
} as const;
