// What v86 asks of a disk besides its reads, answered alike by the guest's
// read-only disks in Node (sim/node/disk.ts, a file read at offsets) and in
// browsers (sim/browser/disk.ts, range requests). A class, not an object
// literal: v86's state saver warns about plain objects it meets (the IDE
// state holds the disk and calls its get_state).
import type { GuestDisk } from './image.js';

export abstract class ReadOnlyDisk implements GuestDisk {
  onload?: (e: object) => void;
  abstract readonly byteLength: number;
  /** The disk's file or URL, for errors. */
  protected abstract readonly source: string;

  abstract get(start: number, len: number, fn: (data: Uint8Array) => void): void;

  // v86 reads sector 0 only to guess a geometry from a partition table;
  // the disk is a bare squashfs with none. Answered without reading, in
  // Node and browsers alike, so both get v86's default geometry and share
  // saved states.
  get_and_cache(_start: number, len: number, fn: (data: Uint8Array) => void): void {
    fn(new Uint8Array(len));
  }

  get_from_cache(): undefined {
    return undefined;
  }

  set(start: number, _data: Uint8Array, _fn: () => void): void {
    // The guest mounts the disk read-only: a write is a bug in the guest's setup.
    throw new Error(`the guest wrote to its read-only disk ${this.source} at byte ${start}; it must be mounted read-only`);
  }

  load(): void {
    this.onload?.(Object.create(null) as object);
  }

  get_buffer(fn: (b?: ArrayBuffer) => void): void {
    fn(undefined);
  }

  // Nothing is ever written, so a saved state holds none of the disk.
  get_state(): unknown[] {
    return [];
  }

  set_state(_state: unknown[]): void {}
}
