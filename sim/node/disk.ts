// The guest's read-only disk in Node: v86's disk buffer interface over a
// file read at offsets, so the disk is never loaded whole and a saved state
// holds none of it (get_state is empty: nothing is ever written).
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ReadOnlyDisk } from '../guest/read-only-disk.js';

/** Open disk files by path: machines booted from one image share one descriptor. */
const open = new Map<string, number>();

/** Counters of what v86 read from a disk: its tests check them. */
export interface DiskReads {
  reads: number;
  bytes: number;
}

/** The disk file, read at offsets as the guest asks. */
export class FileDisk extends ReadOnlyDisk {
  readonly stats: DiskReads = { reads: 0, bytes: 0 };

  private constructor(
    private readonly path: string,
    private readonly fd: number,
    readonly byteLength: number,
  ) {
    super();
  }

  protected get source(): string {
    return this.path;
  }

  /** The disk at path, expected to be `bytes` long (the manifest's figure). */
  static open(path: string, bytes: number): FileDisk {
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
    return new FileDisk(path, fd, bytes);
  }

  private read(start: number, len: number): Uint8Array {
    const data = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, data, done, len - done, start + done);
      if (n === 0) throw new Error(`reading ${this.path} at ${start + done}: the file ended early (was it changed while in use?)`);
      done += n;
    }
    this.stats.reads++;
    this.stats.bytes += len;
    return data;
  }

  get(start: number, len: number, fn: (data: Uint8Array) => void): void {
    fn(this.read(start, len));
  }
}
