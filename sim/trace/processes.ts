// The process tree of a trace: who forked whom, what each one executed, where
// it worked and how it ended.

import { CwdTracker, type ResolvedPath } from './cwd.js';
import type { TraceEvent } from './types.js';

/** One process of a trace: its pid, parent and children, the images it executed, its working directories and its exit. */
export interface ProcessInfo {
  readonly pid: number;
  /** The forking process, or null for a process first seen without an F record. */
  readonly parent: number | null;
  readonly children: ProcessInfo[];
  /** Images executed (E), in order. */
  readonly execs: ResolvedPath[];
  /** Working directories in order: the one inherited at F when known, then each C. */
  readonly cwd: ResolvedPath[];
  /** From X; null when the log has no exit for this process. */
  exit: { readonly status: number; readonly signal: number | null } | null;
  /** Line of the first record about this process. */
  readonly line: number;
}

/** A trace's processes: the roots of their fork tree, and all in order of first appearance. */
export interface ProcessTree {
  /** Processes without a known parent; the others hang below them. */
  readonly roots: ProcessInfo[];
  /** Every process in order of first appearance. A pid reused after X gets a second entry. */
  readonly all: ProcessInfo[];
}

export function buildProcessTree(events: readonly TraceEvent[]): ProcessTree {
  const b = new ProcessTreeBuilder();
  for (const e of events) b.add(e);
  return b.tree;
}

/** Builds the tree record by record, holding one entry per process, not the records. */
export class ProcessTreeBuilder {
  readonly tree: ProcessTree = { roots: [], all: [] };
  readonly #live = new Map<number, ProcessInfo>();
  readonly #cwd = new CwdTracker();

  /** Takes one record into the tree. */
  add(e: TraceEvent): void {
    const p = this.#live.get(e.pid) ?? this.#create(e.pid, null, e.line);
    switch (e.kind) {
      case 'F': {
        this.#cwd.fork(e.pid, e.child);
        const child = this.#create(e.child, p, e.line);
        const dir = this.#cwd.cwdOf(e.child);
        if (dir !== null) child.cwd.push({ path: dir, given: dir, resolved: true });
        break;
      }
      case 'C':
        p.cwd.push(this.#cwd.chdir(e.pid, e.path));
        break;
      case 'E':
        p.execs.push(this.#cwd.resolve(e.pid, e.path));
        break;
      case 'X':
        p.exit = { status: e.status, signal: e.signal };
        this.#live.delete(e.pid);
        break;
    }
  }

  #create(pid: number, parent: ProcessInfo | null, line: number): ProcessInfo {
    const p: ProcessInfo = { pid, parent: parent?.pid ?? null, children: [], execs: [], cwd: [], exit: null, line };
    (parent ? parent.children : this.tree.roots).push(p);
    this.tree.all.push(p);
    this.#live.set(pid, p);
    return p;
  }
}
