// The process tree of a trace: who forked whom, what each one executed, where
// it worked and how it ended.

import { CwdTracker, type ResolvedPath } from './cwd.js';
import type { TraceEvent } from './types.js';

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

export interface ProcessTree {
  /** Processes without a known parent; the others hang below them. */
  readonly roots: ProcessInfo[];
  /** Every process in order of first appearance. A pid reused after X gets a second entry. */
  readonly all: ProcessInfo[];
}

export function buildProcessTree(events: readonly TraceEvent[]): ProcessTree {
  const roots: ProcessInfo[] = [];
  const all: ProcessInfo[] = [];
  const live = new Map<number, ProcessInfo>();
  const cwd = new CwdTracker();

  const create = (pid: number, parent: ProcessInfo | null, line: number): ProcessInfo => {
    const p: ProcessInfo = { pid, parent: parent?.pid ?? null, children: [], execs: [], cwd: [], exit: null, line };
    (parent ? parent.children : roots).push(p);
    all.push(p);
    live.set(pid, p);
    return p;
  };
  const get = (pid: number, line: number): ProcessInfo => live.get(pid) ?? create(pid, null, line);

  for (const e of events) {
    const p = get(e.pid, e.line);
    switch (e.kind) {
      case 'F': {
        cwd.fork(e.pid, e.child);
        const child = create(e.child, p, e.line);
        const dir = cwd.cwdOf(e.child);
        if (dir !== null) child.cwd.push({ path: dir, given: dir, resolved: true });
        break;
      }
      case 'C': p.cwd.push(cwd.chdir(e.pid, e.path)); break;
      case 'E': p.execs.push(cwd.resolve(e.pid, e.path)); break;
      case 'X':
        p.exit = { status: e.status, signal: e.signal };
        live.delete(e.pid);
        break;
    }
  }
  return { roots, all };
}
