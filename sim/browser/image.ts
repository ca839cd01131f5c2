// Browser adapter: fetches the guest image (manifest, BIOS, kernel,
// initramfs) from a base URL, reporting progress and checking each file
// against the manifest's sha256. Restoring a saved state needs only the
// BIOS: the kernel and initramfs are fetched for a cold boot alone. The
// disk is never fetched whole: its chunks come as the guest reads them, by
// HTTP range requests (sim/browser/disk.ts; the server must answer them).
import { sha256Hex, type GuestImage, type ImageManifest, type ManifestOutput, type ToolchainManifest } from '../guest/image.js';
import { RemoteDisk } from './disk.js';

/** Download progress of the image files, in bytes. */
export interface FetchProgress {
  /** 'manifest', 'bios', 'kernel' or 'initramfs'. */
  stage: string;
  loaded: number;
  total: number;
}

/** An image or site file that could not be fetched, or whose bytes do not match the manifest. */
export class AssetError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`could not load ${url}: ${reason}`);
  }
}

/** Fetches url as bytes, calling onProgress as they arrive. */
export async function fetchBytes(url: string, stage: string, total: number, onProgress?: (p: FetchProgress) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new AssetError(url, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok || !res.body) throw new AssetError(url, `HTTP ${res.status} ${res.statusText}`);
  // With a content-encoding, content-length counts the compressed bytes
  // while the stream gives the decoded ones: the expected total is the size.
  const size = (res.headers.get('content-encoding') ? 0 : Number(res.headers.get('content-length'))) || total;
  const out = new Uint8Array(size);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length <= out.length) out.set(value, loaded);
    else chunks.push(value);
    loaded += value.length;
    onProgress?.({ stage, loaded, total: Math.max(size, loaded) });
  }
  if (!chunks.length && loaded === out.length) return out;
  // The server sent more than it announced: join what came.
  const all = new Uint8Array(loaded);
  all.set(out.subarray(0, Math.min(loaded, out.length)));
  let p = out.length;
  for (const c of chunks) {
    all.set(c, p);
    p += c.length;
  }
  return all;
}

async function fetchOutput(base: string, stage: string, o: ManifestOutput, onProgress?: (p: FetchProgress) => void): Promise<Uint8Array> {
  const url = new URL(o.file, base).href;
  const bytes = await fetchBytes(url, stage, o.bytes, onProgress);
  const sum = await sha256Hex(bytes);
  if (sum !== o.sha256) throw new AssetError(url, `its sha256 ${sum} is not the manifest's ${o.sha256}; rebuild or re-deploy the image`);
  return bytes;
}

/** Loads the image published at baseUrl (a folder URL ending in "/"): all a cold boot needs (the disk is read on demand). */
export async function fetchImage(baseUrl: string, onProgress?: (p: FetchProgress) => void): Promise<GuestImage> {
  const manifestUrl = new URL('manifest.json', baseUrl).href;
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(manifestUrl, 'manifest', 0, onProgress))) as ImageManifest;
  return fetchGuestImage(baseUrl, manifest, { cold: true }, onProgress);
}

export type ImageStage = 'bios' | 'kernel' | 'initramfs';

/** The image's disk at baseUrl: chunks fetched as the guest reads them. */
function imageDisk(baseUrl: string, manifest: ImageManifest): RemoteDisk {
  const o = manifest.outputs.disk;
  return new RemoteDisk(new URL(o.file, baseUrl).href, o.bytes);
}

/** The toolchain's disk at baseUrl (its folder): chunks fetched as the guest reads them, none before. */
export function toolchainDisk(baseUrl: string, manifest: ToolchainManifest): RemoteDisk {
  const o = manifest.outputs.disk;
  return new RemoteDisk(new URL(o.file, baseUrl).href, o.bytes);
}

/**
 * The image files a start needs, by progress stage: the BIOS to restore a
 * saved state (which holds the booted kernel and its memory); the kernel
 * and initramfs as well for a cold boot.
 */
export function neededOutputs(manifest: ImageManifest, cold: boolean): Array<[ImageStage, ManifestOutput]> {
  const o = manifest.outputs;
  return cold
    ? [
        ['bios', o.bios],
        ['kernel', o.kernel],
        ['initramfs', o.initramfs],
      ]
    : [['bios', o.bios]];
}

/**
 * Fetches what neededOutputs() names for this start. Restoring, the image's
 * kernel and initramfs are empty: Machine.boot() with a state never reads
 * them.
 */
export async function fetchGuestImage(baseUrl: string, manifest: ImageManifest, opts: { cold: boolean }, onProgress?: (p: FetchProgress) => void): Promise<GuestImage & { disk: RemoteDisk }> {
  const got = await Promise.all(neededOutputs(manifest, opts.cold).map(async ([stage, o]) => [stage, await fetchOutput(baseUrl, stage, o, onProgress)] as const));
  const files = Object.fromEntries(got) as Partial<Record<ImageStage, Uint8Array>>;
  const empty = new Uint8Array(0);
  return { manifest, bios: files.bios!, kernel: files.kernel ?? empty, initramfs: files.initramfs ?? empty, disk: imageDisk(baseUrl, manifest) };
}
