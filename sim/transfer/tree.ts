// A tree of files as it crosses between host and guest (the layout is in
// images/linux/guest/agent/protocol.h): entries that keep what each file is, a
// symlink's target text, mode and times, hard links within the tree.
// Platform-free; reading and writing host trees is in sim/node/host-tree.ts.

export enum EntryKind {
  File = 1,
  Dir = 2,
  Symlink = 3,
  Hardlink = 4,
  /** A FIFO, socket or device node: named, never copied. */
  Other = 5,
}

/** Seconds and nanoseconds since the epoch. */
export interface Time {
  sec: number;
  nsec: number;
}

export interface TreeEntry {
  kind: EntryKind;
  /** Relative to the tree's root, '/' separated; "" is the root itself. */
  name: string;
  /** st_mode, file type bits included. */
  mode: number;
  mtime: Time;
  atime: Time;
  /** A symlink's target, unchanged; a hard link's earlier file entry's name. */
  link: string;
  /** A file's bytes. */
  data: Uint8Array;
}

/** An entry that was not moved, and why. */
export interface Refusal {
  /** The entry's path on the side it was to be read from or written to. */
  path: string;
  reason: string;
}

/** A FIFO, socket or device node that a transfer named and did not copy. */
export interface Skipped {
  path: string;
  /** "FIFO", "socket", "character device", "block device". */
  type: string;
}

const HEADER = 48;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** What is wrong with a tree entry's name, or undefined ("" is the root). */
export function badName(name: string): string | undefined {
  if (name === '') return undefined;
  if (name.startsWith('/')) return 'an absolute name';
  if (name.includes('\0')) return 'a NUL byte in its name';
  for (const c of name.split('/')) {
    if (c === '') return 'an empty component';
    if (c === '.' || c === '..') return 'a "." or ".." component';
  }
  return undefined;
}

/** What an Other entry is, from its mode. */
export function specialType(mode: number): string {
  switch (mode & 0o170000) {
    case 0o010000:
      return 'FIFO';
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'character device';
    case 0o060000:
      return 'block device';
    default:
      return `file of type 0o${(mode & 0o170000).toString(8)}`;
  }
}

/** The bytes of a tree, ready for the wire. */
export function encodeTree(entries: readonly TreeEntry[]): Uint8Array {
  const names = entries.map((e) => [utf8.encode(e.name), utf8.encode(e.link)] as const);
  const size = entries.reduce((n, e, i) => n + HEADER + names[i][0].length + names[i][1].length + e.data.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  entries.forEach((e, i) => {
    const [name, link] = names[i];
    dv.setUint32(p, e.kind, true);
    dv.setUint32(p + 4, e.mode >>> 0, true);
    dv.setBigInt64(p + 8, BigInt(e.mtime.sec), true);
    dv.setUint32(p + 16, e.mtime.nsec, true);
    dv.setUint32(p + 20, e.atime.nsec, true);
    dv.setBigInt64(p + 24, BigInt(e.atime.sec), true);
    dv.setUint32(p + 32, name.length, true);
    dv.setUint32(p + 36, link.length, true);
    dv.setBigUint64(p + 40, BigInt(e.data.length), true);
    p += HEADER;
    out.set(name, p);
    out.set(link, p + name.length);
    out.set(e.data, p + name.length + link.length);
    p += name.length + link.length + e.data.length;
  });
  return out;
}

/** The entries of a tree's bytes; file data are views into bytes. Throws on a truncated tree. */
export function decodeTree(bytes: Uint8Array): TreeEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: TreeEntry[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (p + HEADER > bytes.length) throw new RangeError(`the tree ends inside an entry's header at byte ${p}`);
    const nameLen = dv.getUint32(p + 32, true);
    const linkLen = dv.getUint32(p + 36, true);
    const dataLen = Number(dv.getBigUint64(p + 40, true));
    const start = p + HEADER;
    const end = start + nameLen + linkLen + dataLen;
    if (end > bytes.length) throw new RangeError(`the tree ends inside the entry at byte ${p}`);
    entries.push({
      kind: dv.getUint32(p, true),
      mode: dv.getUint32(p + 4, true),
      mtime: { sec: Number(dv.getBigInt64(p + 8, true)), nsec: dv.getUint32(p + 16, true) },
      atime: { sec: Number(dv.getBigInt64(p + 24, true)), nsec: dv.getUint32(p + 20, true) },
      name: fromUtf8.decode(bytes.subarray(start, start + nameLen)),
      link: fromUtf8.decode(bytes.subarray(start + nameLen, start + nameLen + linkLen)),
      data: bytes.subarray(start + nameLen + linkLen, end),
    });
    p = end;
  }
  return entries;
}
