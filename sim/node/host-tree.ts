// Host trees for Simulator.put and get: read without following a symlink,
// written without writing through one. Below the root the caller named,
// each level is checked with lstat and files are opened with O_NOFOLLOW and
// O_EXCL, so a symlink in the destination (left by a guest, or by an
// earlier transfer into the same folder) never redirects a write.
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  futimesSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { badName, EntryKind, specialType, type Refusal, type Skipped, type Time, type TreeEntry } from '../transfer/tree.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONE = new Uint8Array(0);

export interface HostTree {
  entries: TreeEntry[];
  skipped: Skipped[];
  refused: Refusal[];
}

function time(ns: bigint): Time {
  const sec = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n ? 1n : 0n);
  return { sec: Number(sec), nsec: Number(ns - sec * 1_000_000_000n) };
}

const seconds = (t: Time) => t.sec + t.nsec / 1e9;

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : String(err.message ?? e);
}

/** The tree at root, in name order, directories before what they hold; throws if root itself cannot be read. */
export function readHostTree(root: string): HostTree {
  const tree: HostTree = { entries: [], skipped: [], refused: [] };
  const firstLink = new Map<string, string>();
  const visit = (path: string, name: string, st: BigIntStats) => {
    const entry = { name, mode: Number(st.mode), mtime: time(st.mtimeNs), atime: time(st.atimeNs), link: '', data: NONE };
    if (st.isSymbolicLink()) {
      tree.entries.push({ ...entry, kind: EntryKind.Symlink, link: readlinkSync(path) });
    } else if (st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1n ? firstLink.get(inode) : undefined;
      if (first !== undefined) {
        tree.entries.push({ ...entry, kind: EntryKind.Hardlink, link: first });
        return;
      }
      const fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
      try {
        tree.entries.push({ ...entry, kind: EntryKind.File, data: readFileSync(fd) });
      } finally {
        closeSync(fd);
      }
      if (st.nlink > 1n) firstLink.set(inode, name);
    } else if (st.isDirectory()) {
      tree.entries.push({ ...entry, kind: EntryKind.Dir });
      for (const n of readdirSync(path).sort()) {
        const child = join(path, n);
        try {
          visit(child, name ? `${name}/${n}` : n, lstatSync(child, { bigint: true }));
        } catch (e) {
          tree.refused.push({ path: child, reason: `cannot read it (${reason(e)})` });
        }
      }
    } else {
      tree.skipped.push({ path, type: specialType(Number(st.mode)) });
    }
  };
  let st: BigIntStats;
  try {
    st = lstatSync(root, { bigint: true });
  } catch (e) {
    throw new Error(`cannot read ${root} on the host (${reason(e)}); check the path`);
  }
  visit(root, '', st);
  return tree;
}

class Refused extends Error {}

/** Makes the directories above name below root, one level at a time; refuses a level that is not a real directory. */
function parentOf(root: string, name: string): void {
  let p = root;
  for (const c of name.split('/').slice(0, -1)) {
    p = join(p, c);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) mkdirSync(p, 0o700);
    else if (!st.isDirectory()) throw new Refused('its path goes through a symlink or a file in the destination');
  }
}

/** Removes what is at path unless it is a directory (which is refused). */
function clear(path: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw new Refused('a directory of that name is in the way');
  if (st) unlinkSync(path);
}

function writeFile(path: string, e: TreeEntry): void {
  clear(path);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    for (let off = 0; off < e.data.length; ) off += writeSync(fd, e.data, off);
    fchmodSync(fd, e.mode & 0o7777);
    futimesSync(fd, seconds(e.atime), seconds(e.mtime));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes entries (from decodeTree) at root; gives what it refused. The root
 * is the caller's own path and may be a symlink to a directory; nothing
 * below it is written through one.
 */
export function writeHostTree(root: string, entries: readonly TreeEntry[]): Refusal[] {
  const refused: Refusal[] = [];
  const dirs: Array<[string, TreeEntry]> = [];
  let rootIsDir = false;
  for (const e of entries) {
    const bad = badName(e.name);
    // A bad name is shown as sent, not resolved.
    const path = bad ? `${root}/${e.name}` : e.name ? join(root, ...e.name.split('/')) : root;
    try {
      if (bad) throw new Refused(`the guest sent ${bad}`);
      if (e.name && !rootIsDir) throw new Refused('an entry below a root that is not a directory');
      if (e.name) parentOf(root, e.name);
      else mkdirSync(dirname(root), { recursive: true });
      switch (e.kind) {
        case EntryKind.File:
          writeFile(path, e);
          break;
        case EntryKind.Dir:
          // The root may be the caller's own symlink to a directory; below it, a symlink is replaced (as the guest side does).
          if (!(e.name ? lstatSync : statSync)(path, { throwIfNoEntry: false })?.isDirectory()) {
            clear(path);
            mkdirSync(path, 0o700);
          }
          dirs.push([path, e]);
          if (!e.name) rootIsDir = true;
          break;
        case EntryKind.Symlink:
          clear(path);
          symlinkSync(e.link, path);
          lutimesSync(path, seconds(e.atime), seconds(e.mtime));
          break;
        case EntryKind.Hardlink: {
          const badLink = badName(e.link);
          if (badLink || !e.link) throw new Refused(`the guest sent a hard link to ${badLink ?? 'the root'}`);
          parentOf(root, e.link);
          clear(path);
          linkSync(join(root, ...e.link.split('/')), path);
          break;
        }
        default:
          throw new Refused('FIFOs, sockets and device nodes are not copied');
      }
    } catch (err) {
      refused.push({ path, reason: err instanceof Refused ? err.message : reason(err) });
    }
  }
  // Innermost first, once their contents are written: each still a real directory.
  for (const [path, e] of dirs.reverse()) {
    try {
      if (path !== root && !lstatSync(path).isDirectory()) throw new Refused('it is no longer a directory');
      chmodSync(path, e.mode & 0o7777);
      utimesSync(path, seconds(e.atime), seconds(e.mtime));
    } catch (err) {
      refused.push({ path, reason: `cannot set its mode and times (${err instanceof Refused ? err.message : reason(err)})` });
    }
  }
  return refused;
}
