// Browser adapter: fetches the guest image (manifest, BIOS, kernel,
// initramfs) from a base URL, reporting progress and checking each file
// against the manifest's sha256.
import { sha256Hex, type GuestImage, type ImageManifest, type ManifestOutput } from '../image.js';

export interface FetchProgress {
  /** 'manifest', 'bios', 'kernel' or 'initramfs'. */
  stage: string;
  loaded: number;
  total: number;
}

export class AssetError extends Error {
  constructor(readonly url: string, reason: string) {
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
  const size = Number(res.headers.get('content-length')) || total;
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

/** Loads the image published at baseUrl (a folder URL ending in '/'). */
export async function fetchImage(baseUrl: string, onProgress?: (p: FetchProgress) => void): Promise<GuestImage> {
  const manifestUrl = new URL('manifest.json', baseUrl).href;
  const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(manifestUrl, 'manifest', 0, onProgress))) as ImageManifest;
  const [bios, kernel, initramfs] = await Promise.all([
    fetchOutput(baseUrl, 'bios', manifest.outputs.bios, onProgress),
    fetchOutput(baseUrl, 'kernel', manifest.outputs.kernel, onProgress),
    fetchOutput(baseUrl, 'initramfs', manifest.outputs.initramfs, onProgress),
  ]);
  return { manifest, bios, kernel, initramfs };
}
