// The files one group of processes touched, with relative paths resolved,
// through the public Trace API: a trace holding every F and C record (they
// carry each process's directory) plus the group's own records.
import { Trace, type FileSets, type ProcessInfo, type TraceEvent } from '../trace/index.js';

export class ProcessFiles {
  /** F and C records of every process, in log order. */
  readonly #skeleton: TraceEvent[] = [];
  readonly #byPid = new Map<number, TraceEvent[]>();

  constructor(trace: Trace) {
    for (const e of trace.events) {
      if (e.kind === 'F' || e.kind === 'C') this.#skeleton.push(e);
      else {
        let list = this.#byPid.get(e.pid);
        if (!list) this.#byPid.set(e.pid, (list = []));
        list.push(e);
      }
    }
  }

  /**
   * The file sets of these pids' records (a pid reused after its exit counts
   * as one process here).
   */
  of(pids: Iterable<number>): FileSets {
    const own: TraceEvent[] = [];
    for (const pid of new Set(pids)) own.push(...(this.#byPid.get(pid) ?? []));
    own.sort((a, b) => a.line - b.line);
    // Merge by line: the skeleton's and the group's records in log order.
    const merged: TraceEvent[] = [];
    let i = 0;
    for (const e of own) {
      while (i < this.#skeleton.length && this.#skeleton[i].line < e.line) merged.push(this.#skeleton[i++]);
      merged.push(e);
    }
    return new Trace(merged).files();
  }
}

/** p and every process below it. */
export function subtreePids(p: ProcessInfo): number[] {
  const pids: number[] = [];
  const walk = (q: ProcessInfo): void => {
    pids.push(q.pid);
    q.children.forEach(walk);
  };
  walk(p);
  return pids;
}

/** The process that had this pid at this line (pids are reused after exit). */
export function processAt(all: readonly ProcessInfo[], pid: number, line: number): ProcessInfo | undefined {
  let found: ProcessInfo | undefined;
  for (const p of all) if (p.pid === pid && p.line <= line) found = p;
  return found;
}
