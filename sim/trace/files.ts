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
  /** The record's paths hold "' '": from and to are one of several readings. */
  readonly ambiguous: boolean;
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
  const c = new FileCollector();
  for (const e of events) c.add(e);
  return c.sets;
}

/** Collects the sets record by record, holding one entry per file, not the records. */
export class FileCollector {
  readonly #read = new Unique<FileRef>();
  readonly #written = new Unique<FileRef>();
  readonly #executed = new Unique<FileRef>();
  readonly #deleted = new Unique<FileRef>();
  readonly #renamed = new Unique<FileMove>();
  readonly #linked = new Unique<FileMove>();
  readonly #single = { R: this.#read, W: this.#written, E: this.#executed, D: this.#deleted };
  readonly #cwd = new CwdTracker();

  /** Takes one record into the sets. */
  add(e: TraceEvent): void {
    const ref = (given: string): FileRef => ({ ...this.#cwd.resolve(e.pid, given), pid: e.pid, line: e.line });
    switch (e.kind) {
      case 'F':
        this.#cwd.fork(e.pid, e.child);
        break;
      case 'C':
        this.#cwd.chdir(e.pid, e.path);
        break;
      case 'R':
      case 'W':
      case 'E':
      case 'D': {
        const r = ref(e.path);
        this.#single[e.kind].add(r.path, r);
        break;
      }
      case 'L':
      case 'M': {
        const move = { from: ref(e.from), to: ref(e.to), ambiguous: e.ambiguous };
        (e.kind === 'M' ? this.#renamed : this.#linked).add(move.from.path + '\0' + move.to.path, move);
        break;
      }
    }
  }

  get sets(): FileSets {
    return {
      read: this.#read.items,
      written: this.#written.items,
      executed: this.#executed.items,
      deleted: this.#deleted.items,
      renamed: this.#renamed.items,
      linked: this.#linked.items,
    };
  }
}
