// The guest's read-only disk in Node: v86's disk buffer interface over a
// file read at offsets, so the disk is never loaded whole and a saved state
// holds none of it (get_state is empty: nothing is ever written).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { GuestDisk } from '../image.js';

/** Open disk files by path: machines booted from one image share one descriptor (reopened when the file was replaced). */
const open = new Map<string, number>();

/** Counters of what v86 read from a disk: its tests check them. */
export interface DiskReads {
  reads: number;
  bytes: number;
}

export type FileDisk = GuestDisk & { readonly stats: DiskReads };

/** The disk at path, expected to be `bytes` long (the manifest's figure). */
export function fileDisk(path: string, bytes: number): FileDisk {
  let fd = open.get(path);
  // A rebuilt image replaces the file: machines on the old one keep their descriptor.
  if (fd !== undefined && fstatSync(fd).ino !== statSync(path).ino) fd = undefined;
  const fresh = fd === undefined;
  if (fd === undefined) {
    fd = openSync(path, 'r');
    open.set(path, fd);
  }
  const size = fstatSync(fd).size;
  if (size !== bytes) {
    // A shared descriptor stays open for the machines using it.
    if (fresh) closeSync(fd);
    open.delete(path);
    throw new Error(`${path} has ${size} bytes, manifest.json says ${bytes}; the image folder is damaged`);
  }
  const file = fd;
  const stats: DiskReads = { reads: 0, bytes: 0 };
  const read = (start: number, len: number): Uint8Array => {
    const data = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = readSync(file, data, done, len - done, start + done);
      if (n === 0) throw new Error(`reading ${path} at ${start + done}: the file ended early (was it changed while in use?)`);
      done += n;
    }
    stats.reads++;
    stats.bytes += len;
    return data;
  };
  const disk: FileDisk = {
    byteLength: bytes,
    stats,
    get: (start, len, fn) => fn(read(start, len)),
    // v86 reads sector 0 only to guess a geometry from a partition table;
    // the disk is a bare squashfs with none. Answered without reading, as in
    // browsers, so both get v86's default geometry and share saved states.
    get_and_cache: (_start, len, fn) => fn(new Uint8Array(len)),
    get_from_cache: () => undefined,
    set(start) {
      // The guest mounts the disk read-only: a write is a bug in the guest's setup.
      throw new Error(`the guest wrote to its read-only disk ${path} at byte ${start}; it must be mounted read-only`);
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
