// The guest's read-only disk in browsers: v86's disk buffer interface over
// HTTP range requests of fixed chunks, each fetched once on the guest's
// first read of it and kept. v86's own URL disk forgets its chunks at every
// restore (its state holds written blocks only); the disk never changes,
// so this one keeps them, and a saved state holds none of it.
import type { GuestDisk } from '../image.js';

/**
 * Bytes per range request, and per cached chunk: one squashfs block
 * (images/linux/bulk.ts), so a small file costs one request.
 */
export const DISK_CHUNK_BYTES = 128 << 10;

export interface DiskFetches {
  /** Range requests made. */
  requests: number;
  /** Bytes they brought. */
  bytes: number;
}

export type RemoteDisk = GuestDisk & {
  readonly stats: DiskFetches;
  /** Called after each chunk arrives: what has been fetched so far. */
  onfetch?: (stats: DiskFetches) => void;
};

/** The disk at url, `bytes` long (the manifest's figure). */
export function remoteDisk(url: string, bytes: number): RemoteDisk {
  const chunks = new Map<number, Uint8Array>();
  const inflight = new Map<number, Promise<Uint8Array>>();
  const stats: DiskFetches = { requests: 0, bytes: 0 };

  const fetchChunk = (index: number): Promise<Uint8Array> => {
    const have = chunks.get(index);
    if (have) return Promise.resolve(have);
    let p = inflight.get(index);
    if (p) return p;
    const start = index * DISK_CHUNK_BYTES;
    const end = Math.min(start + DISK_CHUNK_BYTES, bytes) - 1;
    p = (async () => {
      let res: Response;
      try {
        res = await fetch(url, { headers: { range: `bytes=${start}-${end}` } });
      } catch (e) {
        throw new Error(`could not load ${url} (bytes ${start}-${end}): ${e instanceof Error ? e.message : String(e)}`);
      }
      if (res.status !== 206) {
        throw new Error(`could not load ${url} (bytes ${start}-${end}): HTTP ${res.status}; the server must answer range requests (206)`);
      }
      const data = new Uint8Array(await res.arrayBuffer());
      if (data.length !== end - start + 1) throw new Error(`could not load ${url} (bytes ${start}-${end}): got ${data.length} bytes`);
      chunks.set(index, data);
      inflight.delete(index);
      stats.requests++;
      stats.bytes += data.length;
      disk.onfetch?.(stats);
      return data;
    })();
    p.catch(() => inflight.delete(index));
    inflight.set(index, p);
    return p;
  };

  const disk: RemoteDisk = {
    byteLength: bytes,
    stats,
    get(start, len, fn) {
      const first = Math.floor(start / DISK_CHUNK_BYTES);
      const last = Math.floor((start + len - 1) / DISK_CHUNK_BYTES);
      const wanted: Array<Promise<Uint8Array>> = [];
      for (let i = first; i <= last; i++) wanted.push(fetchChunk(i));
      Promise.all(wanted).then(
        (got) => {
          const out = new Uint8Array(len);
          for (let i = first; i <= last; i++) {
            const c = got[i - first];
            const base = i * DISK_CHUNK_BYTES;
            const from = Math.max(start, base);
            const to = Math.min(start + len, base + c.length);
            out.set(c.subarray(from - base, to - base), from - start);
          }
          fn(out);
        },
        // v86 has no way to fail a read: the guest would wait forever, so say why loudly.
        (e: unknown) => {
          console.error(`the guest's disk read failed: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    },
    // v86 reads sector 0 only to guess a geometry from a partition table;
    // the disk is a bare squashfs with none, so nothing is fetched for it
    // (v86 then takes its default geometry, as sim/node/disk.ts does).
    get_and_cache(_start, len, fn) {
      fn(new Uint8Array(len));
    },
    get_from_cache: () => undefined,
    set(start) {
      throw new Error(`the guest wrote to its read-only disk ${url} at byte ${start}; it must be mounted read-only`);
    },
    load() {
      disk.onload?.(Object.create(null) as object);
    },
    get_buffer(fn) {
      fn(undefined);
    },
    get_state: () => [],
    set_state: () => undefined,
  };
  return disk;
}
