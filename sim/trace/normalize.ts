// Makes two runs of one program comparable (golden files): pids become
// 1, 2, 3... in order of first appearance, and times become zero.

import type { LogEntry } from './types.js';

const ZERO = { sec: 0, usec: 0 };

export function normalizeEntries(entries: readonly LogEntry[]): LogEntry[] {
  const pids = new Map<number, number>();
  const pid = (p: number): number => {
    let n = pids.get(p);
    if (n === undefined) pids.set(p, (n = pids.size + 1));
    return n;
  };
  // Spreading reads the lazy paths into plain properties, which is fine here.
  return entries.map((e): LogEntry => {
    switch (e.kind) {
      case 'start':
      case 'stop': return { ...e, time: ZERO };
      case 'F': return { ...e, pid: pid(e.pid), child: pid(e.child) };
      case 'target':
      case 'A': case 'C': case 'D': case 'E': case 'R': case 'W':
      case 'L': case 'M': case 'X': return { ...e, pid: pid(e.pid) };
      default: return e;
    }
  });
}
