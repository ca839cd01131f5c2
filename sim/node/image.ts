// Node adapter: finds the guest image, in this order: an explicit folder
// (the `image` option), FILEMON_SIM_IMAGE, the installed image package, the
// local build output of a repository checkout (images/out/linux), and last
// building it there (Debian hosts only). An image folder holds manifest.json,
// the files its `outputs` name (or FILE.br, brotli-compressed; never the
// disk, which is read at offsets), and saved states.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import type { GuestImage, GuestToolchain, ImageManifest, ToolchainManifest } from '../guest/image.js';
import { TOOLCHAIN_PACKAGE } from '../guest/toolchain.js';
import { FileDisk } from './disk.js';

/** The npm package that ships the prebuilt guest (packages/image-linux-i386). */
export const IMAGE_PACKAGE = '@filemon-sim/image-linux-i386';

/** Where an image was found; only a local build keeps its saved states beside it. */
export type ImageSource = 'option' | 'env' | 'package' | 'local' | 'built';

export interface LoadImageOptions {
  /** An image folder to use (manifest.json and the files it names); nothing else is tried. */
  image?: string;
  /** Build the image when none is found, in a repository checkout on Debian (default true). */
  build?: boolean;
  /**
   * A toolchain folder (manifest.json and toolchain.squashfs) to attach, or
   * false for none. Default: FILEMON_SIM_TOOLCHAIN when set, else the
   * toolchain package when the image is the image package and the toolchain
   * package is installed beside it; an image given by folder gets a
   * toolchain only when one is named.
   */
  toolchain?: string | false;
  log?: (msg: string) => void;
}

export interface LoadedImage extends GuestImage {
  /** The folder the image came from. */
  dir: string;
  source: ImageSource;
  toolchain?: LoadedToolchain;
}

/** A toolchain folder as found: its states live beside it (a package's) or in the user cache. */
interface LoadedToolchain extends GuestToolchain {
  dir: string;
  source: Extract<ImageSource, 'option' | 'env' | 'package'>;
}

/** No image anywhere, and it could not (or may not) be built. The message lists every place looked at. */
export class ImageMissingError extends Error {
  constructor(
    readonly looked: string[],
    reason: string,
  ) {
    super(`the guest image is missing (looked at: ${looked.join('; ')}); ${reason}. ` + `Install the image package: npm install ${IMAGE_PACKAGE}@${mainPackage.version}`);
  }
}

/** An image folder or image package that is there but unusable. */
export class ImageInvalidError extends Error {}

const require = createRequire(import.meta.url);

/** This package's root: this file is compiled to dist/sim/node/. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** filemon-sim's own name and version. */
export const mainPackage = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };

/** v86's WebAssembly file inside node_modules. */
export const v86WasmPath = join(dirname(require.resolve('v86')), 'v86.wasm');

/** The installed v86 version: saved states are only valid for the same one. */
export const v86Version = (JSON.parse(readFileSync(join(dirname(require.resolve('v86')), '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The image package's folder and version, resolved from this package and from the working directory; null when not installed. */
export function findImagePackage(name = IMAGE_PACKAGE): { dir: string; version: string } | null {
  for (const from of [import.meta.url, pathToFileURL(join(process.cwd(), 'index.js')).href]) {
    let pkgJson: string;
    try {
      pkgJson = createRequire(from).resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
    return { dir: dirname(pkgJson), version };
  }
  return null;
}

/**
 * images/out/linux in a repository checkout (the build recipe is there); null
 * in an installed package. The one import from the library into the image
 * recipe (images/linux/recipe/), and on demand only: dynamic, so neither a
 * Node user who has the image package nor a bundler ever loads the recipe
 * (test/layers.test.ts allows this import and no other).
 */
async function localBuild(): Promise<{ outDir: string; build: typeof import('../../images/linux/recipe/build.js').buildImage } | null> {
  const buildJs = join(packageRoot, 'dist/images/linux/recipe/build.js');
  if (!existsSync(buildJs) || !existsSync(join(packageRoot, 'images/linux/recipe'))) return null;
  const [{ outDir }, { buildImage }] = await Promise.all([import('../../images/linux/recipe/layout.js'), import('../../images/linux/recipe/build.js')]);
  return { outDir, build: buildImage };
}

/** A program on PATH, without running it. */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, name)));
}

/** Where the image is, without reading it: the lookup order above; builds it only as the last step. */
export async function locateImage(opts: LoadImageOptions = {}): Promise<{ dir: string; source: ImageSource; what: string }> {
  if (opts.image) return { dir: resolve(opts.image), source: 'option', what: 'the image option' };
  const env = process.env.FILEMON_SIM_IMAGE;
  if (env) return { dir: resolve(env), source: 'env', what: 'FILEMON_SIM_IMAGE' };

  const looked = [`option image (not given)`, `FILEMON_SIM_IMAGE (not set)`];
  const pkg = findImagePackage();
  if (pkg) {
    if (pkg.version !== mainPackage.version) {
      throw new ImageInvalidError(
        `${IMAGE_PACKAGE} ${pkg.version} (${pkg.dir}) does not match ${mainPackage.name} ${mainPackage.version}; ` + `install the matching one: npm install ${IMAGE_PACKAGE}@${mainPackage.version}`,
      );
    }
    return { dir: pkg.dir, source: 'package', what: IMAGE_PACKAGE };
  }
  looked.push(`package ${IMAGE_PACKAGE} (not installed)`);

  const local = await localBuild();
  if (!local) throw new ImageMissingError(looked, `this installed ${mainPackage.name} has no image recipe to build one`);
  if (existsSync(join(local.outDir, 'manifest.json'))) return { dir: local.outDir, source: 'local', what: 'the local build' };
  looked.push(`local build ${local.outDir} (not built)`);
  if (opts.build === false) throw new ImageMissingError(looked, 'building was turned off; in this checkout build it with: npm run images');
  const missing = ['apt-get', 'dpkg'].filter((t) => !onPath(t));
  if (missing.length) {
    throw new ImageMissingError(looked, `building it needs a Debian host with apt-get and dpkg, and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on PATH`);
  }
  opts.log?.('guest image missing: building it (npm run images)');
  await local.build({ log: opts.log });
  return { dir: local.outDir, source: 'built', what: 'the local build' };
}

/** The image, found (or built) by locateImage and read. */
export async function loadImage(opts: LoadImageOptions = {}): Promise<LoadedImage> {
  const { dir, source, what } = await locateImage(opts);
  const image = readImage(dir, source, what);
  const toolchain = locateToolchain(opts.toolchain, source);
  if (toolchain) image.toolchain = { ...readToolchain(toolchain.dir, toolchain.what), dir: toolchain.dir, source: toolchain.source };
  return image;
}

/** The toolchain folder to attach (see LoadImageOptions.toolchain), or null for none. */
function locateToolchain(option: string | false | undefined, imageSource: ImageSource): { dir: string; what: string; source: LoadedToolchain['source'] } | null {
  if (option === false) return null;
  if (option) return { dir: resolve(option), what: 'the toolchain option', source: 'option' };
  const env = process.env.FILEMON_SIM_TOOLCHAIN;
  if (env) return { dir: resolve(env), what: 'FILEMON_SIM_TOOLCHAIN', source: 'env' };
  if (imageSource !== 'package') return null;
  const pkg = findImagePackage(TOOLCHAIN_PACKAGE);
  if (!pkg) return null;
  if (pkg.version !== mainPackage.version) {
    throw new ImageInvalidError(
      `${TOOLCHAIN_PACKAGE} ${pkg.version} (${pkg.dir}) does not match ${mainPackage.name} ${mainPackage.version}; ` +
        `install the matching one: npm install ${TOOLCHAIN_PACKAGE}@${mainPackage.version}`,
    );
  }
  return { dir: pkg.dir, what: TOOLCHAIN_PACKAGE, source: 'package' };
}

/** A toolchain folder: its manifest.json and the disk it names, opened for reads at offsets. */
function readToolchain(dir: string, what: string): GuestToolchain {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new ImageInvalidError(`${what}: ${dir} is not a toolchain folder (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ToolchainManifest;
  if (manifest.kind !== 'toolchain') throw new ImageInvalidError(`${what}: ${manifestFile} is not a toolchain's manifest (it has no "kind": "toolchain"); is it an image folder?`);
  const diskPath = join(dir, manifest.outputs.disk.file);
  if (!existsSync(diskPath)) throw new ImageInvalidError(`${what}: ${diskPath} is missing (manifest.json names it as the toolchain disk)`);
  try {
    return { manifest, disk: FileDisk.open(diskPath, manifest.outputs.disk.bytes) };
  } catch (err) {
    throw new ImageInvalidError(`${what}: ${(err as Error).message}`);
  }
}

/** An image folder's manifest.json. */
export function readManifest(dir: string, what: string): ImageManifest {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new ImageInvalidError(`${what}: ${dir} is not a guest image folder (no manifest.json)`);
  return JSON.parse(readFileSync(manifestFile, 'utf8')) as ImageManifest;
}

/**
 * The suffix of an output stored brotli-compressed: the image package ships
 * the initramfs so (3.5 MB against 7 MB in npm's gzip, whose 32 KiB window
 * misses what the guest's programs have in common).
 */
export const COMPRESSED_SUFFIX = '.br';

/** Reads an image folder: manifest.json and the files its outputs name, each checked against its size when read. */
function readImage(dir: string, source: ImageSource, what: string): LoadedImage {
  const manifest = readManifest(dir, what);
  const read = (role: 'bios' | 'kernel' | 'initramfs') => {
    const out = manifest.outputs[role];
    const path = join(dir, out.file);
    const compressed = path + COMPRESSED_SUFFIX;
    if (existsSync(path)) return checkSize(new Uint8Array(readFileSync(path)), path);
    if (!existsSync(compressed)) {
      throw new ImageInvalidError(`${what}: ${path} is missing, and so is ${out.file}${COMPRESSED_SUFFIX} (manifest.json names it as the ${role})`);
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(brotliDecompressSync(readFileSync(compressed)));
    } catch (err) {
      throw new ImageInvalidError(`${what}: ${compressed} is not valid brotli (${(err as Error).message}); the image folder is damaged`);
    }
    return checkSize(bytes, `${compressed} (unpacked)`);

    function checkSize(b: Uint8Array, from: string): Uint8Array {
      if (b.byteLength !== out.bytes) {
        throw new ImageInvalidError(`${what}: ${from} has ${b.byteLength} bytes, manifest.json says ${out.bytes}; the image folder is damaged`);
      }
      return b;
    }
  };
  // The kernel and initramfs (about 20 MB) are read on first use: restoring
  // a saved state needs only the BIOS.
  const diskPath = join(dir, manifest.outputs.disk.file);
  if (!existsSync(diskPath)) throw new ImageInvalidError(`${what}: ${diskPath} is missing (manifest.json names it as the disk)`);
  let disk: FileDisk;
  try {
    disk = FileDisk.open(diskPath, manifest.outputs.disk.bytes);
  } catch (err) {
    throw new ImageInvalidError(`${what}: ${(err as Error).message}`);
  }
  const known: Omit<LoadedImage, 'kernel' | 'initramfs'> = { manifest, bios: read('bios'), disk, dir, source };
  const image = known as LoadedImage;
  for (const role of ['kernel', 'initramfs'] as const) {
    let bytes: Uint8Array | undefined;
    Object.defineProperty(image, role, { enumerable: true, get: () => (bytes ??= read(role)) });
  }
  return image;
}
