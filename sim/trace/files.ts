// The files a trace touched, by what was done to them, with relative paths
// resolved against the cwd of the process that used them.

import { CwdTracker, type ResolvedPath } from './cwd.js';
import type { TraceEvent } from './types.js';

/** A file, at its first mention for that use. */
export interface FileRef extends ResolvedPath {
  readonly pid: number;
  readonly line: number;
}

/** M (rename) and L (link, symlink): from → to. */
export interface FileMove {
  readonly from: FileRef;
  readonly to: FileRef;
}

/** Each list holds every path once, in order of first appearance. */
export interface FileSets {
  readonly read: FileRef[];
  readonly written: FileRef[];
  readonly executed: FileRef[];
  readonly deleted: FileRef[];
  readonly renamed: FileMove[];
  readonly linked: FileMove[];
}

/** Items in order of first appearance, each key once. */
class Unique<T> {
  readonly items: T[] = [];
  readonly #keys = new Set<string>();

  add(key: string, item: T): void {
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.items.push(item);
  }
}

/**
 * A records are left out: each is followed by the R or W record of the same
 * open, which carries the fuller path. L does not tell a symlink from a hard
 * link, so its "from" is resolved like any path (a symlink's target is really
 * relative to the link's directory).
 */
export function collectFiles(events: readonly TraceEvent[]): FileSets {
  const read = new Unique<FileRef>();
  const written = new Unique<FileRef>();
  const executed = new Unique<FileRef>();
  const deleted = new Unique<FileRef>();
  const renamed = new Unique<FileMove>();
  const linked = new Unique<FileMove>();
  const single = { R: read, W: written, E: executed, D: deleted };
  const cwd = new CwdTracker();
  const ref = (e: TraceEvent, given: string): FileRef => ({ ...cwd.resolve(e.pid, given), pid: e.pid, line: e.line });

  for (const e of events) {
    switch (e.kind) {
      case 'F': cwd.fork(e.pid, e.child); break;
      case 'C': cwd.chdir(e.pid, e.path); break;
      case 'R':
      case 'W':
      case 'E':
      case 'D': {
        const r = ref(e, e.path);
        single[e.kind].add(r.path, r);
        break;
      }
      case 'L':
      case 'M': {
        const move = { from: ref(e, e.from), to: ref(e, e.to) };
        (e.kind === 'M' ? renamed : linked).add(move.from.path + '\0' + move.to.path, move);
        break;
      }
    }
  }
  return {
    read: read.items, written: written.items, executed: executed.items, deleted: deleted.items,
    renamed: renamed.items, linked: linked.items,
  };
}
