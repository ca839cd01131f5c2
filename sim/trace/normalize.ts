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
  return entries.map((e): LogEntry => {
    const { line } = e;
    switch (e.kind) {
      case 'start':
      case 'stop':
        return { kind: e.kind, line, time: ZERO };
      case 'target':
        return { kind: e.kind, line, pid: pid(e.pid) };
      case 'F':
        return { kind: e.kind, line, pid: pid(e.pid), child: pid(e.child) };
      case 'X':
        return { kind: e.kind, line, pid: pid(e.pid), status: e.status, signal: e.signal };
      case 'L':
      case 'M':
        return { kind: e.kind, line, pid: pid(e.pid), from: e.from, to: e.to, cut: e.cut, ambiguous: e.ambiguous };
      case 'A':
      case 'C':
      case 'D':
      case 'E':
      case 'R':
      case 'W':
        return { kind: e.kind, line, pid: pid(e.pid), path: e.path, cut: e.cut };
      default:
        return e;
    }
  });
}
