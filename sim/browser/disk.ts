// The guest's read-only disk in browsers: v86's disk buffer interface over
// HTTP range requests of fixed chunks, each fetched once on the guest's
// first read of it and kept. v86's own URL disk forgets its chunks at every
// restore (its state holds written blocks only); the disk never changes,
// so this one keeps them, and a saved state holds none of it.
import { ReadOnlyDisk } from '../guest/read-only-disk.js';

/**
 * Bytes per range request, and per cached chunk: one squashfs block
 * (images/linux/recipe/bulk.ts), so a small file costs one request.
 */
export const DISK_CHUNK_BYTES = 128 << 10;

/** What a disk read on demand has fetched: range requests and their bytes. */
export interface DiskFetches {
  /** Range requests made. */
  requests: number;
  /** Bytes they brought. */
  bytes: number;
}

/** The disk at a URL, fetched in chunks as the guest reads them. */
export class RemoteDisk extends ReadOnlyDisk {
  readonly stats: DiskFetches = { requests: 0, bytes: 0 };
  /** Called after each chunk arrives: what has been fetched so far. */
  onfetch?: (stats: DiskFetches) => void;
  private readonly chunks = new Map<number, Uint8Array>();
  private readonly inflight = new Map<number, Promise<Uint8Array>>();

  /** The disk at url, `byteLength` long (the manifest's figure). */
  constructor(
    readonly url: string,
    readonly byteLength: number,
  ) {
    super();
  }

  protected get source(): string {
    return this.url;
  }

  private chunk(index: number): Promise<Uint8Array> {
    const have = this.chunks.get(index);
    if (have) return Promise.resolve(have);
    let p = this.inflight.get(index);
    if (p) return p;
    const start = index * DISK_CHUNK_BYTES;
    const end = Math.min(start + DISK_CHUNK_BYTES, this.byteLength) - 1;
    const what = `${this.url} (bytes ${start}-${end})`;
    p = (async () => {
      let res: Response;
      try {
        res = await fetch(this.url, { headers: { range: `bytes=${start}-${end}` } });
      } catch (e) {
        throw new Error(`could not load ${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (res.status !== 206) throw new Error(`could not load ${what}: HTTP ${res.status}; the server must answer range requests (206)`);
      const data = new Uint8Array(await res.arrayBuffer());
      if (data.length !== end - start + 1) throw new Error(`could not load ${what}: got ${data.length} bytes`);
      this.chunks.set(index, data);
      this.stats.requests++;
      this.stats.bytes += data.length;
      this.onfetch?.(this.stats);
      return data;
    })();
    p.finally(() => this.inflight.delete(index)).catch(() => undefined);
    this.inflight.set(index, p);
    return p;
  }

  /**
   * Fetches every chunk not fetched yet. A deterministic guest needs this
   * before it starts (Machine.boot calls it): a read answered when the
   * network delivers would land at a point of the guest's run that host
   * timing chose.
   */
  async loadAll(): Promise<void> {
    const count = Math.ceil(this.byteLength / DISK_CHUNK_BYTES);
    await Promise.all(Array.from({ length: count }, (_, i) => this.chunk(i)));
  }

  get(start: number, len: number, fn: (data: Uint8Array) => void): void {
    const first = Math.floor(start / DISK_CHUNK_BYTES);
    const last = Math.floor((start + len - 1) / DISK_CHUNK_BYTES);
    const have: Uint8Array[] = [];
    for (let i = first; i <= last && this.chunks.has(i); i++) have.push(this.chunks.get(i)!);
    // Fetched already: answered at once, as the file disk in Node answers.
    if (have.length === last - first + 1) {
      fn(assemble(start, len, first, have));
      return;
    }
    const wanted: Array<Promise<Uint8Array>> = [];
    for (let i = first; i <= last; i++) wanted.push(this.chunk(i));
    Promise.all(wanted).then(
      (got) => fn(assemble(start, len, first, got)),
      // v86 has no way to fail a read (the guest's read waits): say why, loudly.
      (e: unknown) => console.error(`the guest's disk read failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}

/** Bytes start..start+len of the disk out of its chunks first, first+1, ... */
function assemble(start: number, len: number, first: number, chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(len);
  chunks.forEach((c, k) => {
    const base = (first + k) * DISK_CHUNK_BYTES;
    const from = Math.max(start, base);
    const to = Math.min(start + len, base + c.length);
    out.set(c.subarray(from - base, to - base), from - start);
  });
  return out;
}
