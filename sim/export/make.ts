// A trace as a make depfile (the format of gcc -MD, read by `include` or
// `-include`): one rule per file the trace left written, its prerequisites
// the files read or executed by the process tree that wrote it (the rule is
// MAKE_RULE_HELP, shown by `filemon-sim help`).
import { pathFilter, type IgnoreOptions } from '../diff/index.js';
import { CwdTracker } from '../trace/cwd.js';
import type { FileRef, Trace } from '../trace/index.js';
import type { ProcessInfo } from '../trace/index.js';
import { ProcessFiles, processAt, subtreePids } from './process-files.js';

export const MAKE_RULE_HELP = `each file written (W, or the new name of an M rename) and not deleted or
renamed away after its last write is a target. Its prerequisites are the
files read (R) or executed (E), over the whole trace, by the process tree
that wrote it: the process that first wrote its final version (after its
last deletion or rename away) with its descendants, widened to its
parent's tree as long as that tree writes no other target (so cc's
preprocessor and assembler count together, while the jobs of a shell or
make that write different files stay apart); the target itself excluded.
Records about /proc/ and /dev/ and reads of the dynamic loader and
libc are left out. Each prerequisite that is not a target also gets an
empty rule (as gcc -MP), so make does not fail once it is gone. Relative
paths are resolved against the writing process's directory when the log
tells it.`;

/** A path as make reads it in a rule: spaces, #, : and \\ escaped, $ doubled. */
function escapeMake(path: string): string {
  return path.replace(/([ \t#:\\])/g, '\\$1').replace(/\$/g, '$$$$');
}

/**
 * The files the trace leaves written, each at the write that made its final
 * version: the first write (W, or M's new name) after the path's last
 * deletion or rename away. A file removed after its last write is no target.
 */
function finalWrites(trace: Trace): FileRef[] {
  const cwd = new CwdTracker();
  const live = new Map<string, FileRef>();
  const write = (pid: number, line: number, given: string) => {
    const r = { ...cwd.resolve(pid, given), pid, line };
    if (!live.has(r.path)) live.set(r.path, r);
  };
  const remove = (pid: number, given: string) => live.delete(cwd.resolve(pid, given).path);
  for (const e of trace.events) {
    switch (e.kind) {
      case 'F':
        cwd.fork(e.pid, e.child);
        break;
      case 'C':
        cwd.chdir(e.pid, e.path);
        break;
      case 'W':
        write(e.pid, e.line, e.path);
        break;
      case 'D':
        remove(e.pid, e.path);
        break;
      case 'M':
        remove(e.pid, e.from);
        write(e.pid, e.line, e.to);
        break;
    }
  }
  return [...live.values()].sort((a, b) => a.line - b.line);
}

export function formatMakeDepfile(trace: Trace, ignore: IgnoreOptions = {}): string {
  const ignored = pathFilter(ignore);
  const { all } = trace.processes();
  const groups = new ProcessFiles(trace);
  const targets = finalWrites(trace).filter((t) => !ignored(t.path, 'W') && !t.path.includes('\n'));
  const seen = new Set(targets.map((t) => t.path));

  // How many targets each process tree writes; a target's tree is widened
  // upwards while the wider tree writes no other target.
  const parentOf = new Map<ProcessInfo, ProcessInfo>();
  for (const p of all) for (const c of p.children) parentOf.set(c, p);
  const writers = targets.map((t) => processAt(all, t.pid, t.line));
  const written = new Map<ProcessInfo, number>();
  for (const w of writers) for (let p = w; p; p = parentOf.get(p)) written.set(p, (written.get(p) ?? 0) + 1);
  const treeOf = (w: ProcessInfo): ProcessInfo => {
    let top = w;
    for (let p = parentOf.get(top); p && written.get(p) === 1 && written.get(top) === 1; p = parentOf.get(p)) top = p;
    return top;
  };

  const lines = ['# make depfile written by filemon-sim (rule: filemon-sim help, --format make)'];
  const prereqsOnly = new Set<string>();
  const bySubtree = new Map<string, string[]>();
  targets.forEach((t, i) => {
    const writer = writers[i];
    const pids = writer ? subtreePids(treeOf(writer)) : [t.pid];
    const key = pids.join(',');
    let inputs = bySubtree.get(key);
    if (!inputs) {
      const f = groups.of(pids);
      const items = [...f.read.map((r) => ({ r, kind: 'R' })), ...f.executed.map((r) => ({ r, kind: 'E' }))]
        .sort((a, b) => a.r.line - b.r.line)
        .filter(({ r, kind }) => !ignored(r.path, kind) && !r.path.includes('\n'))
        .map(({ r }) => r.path);
      inputs = [...new Set(items)];
      bySubtree.set(key, inputs);
    }
    const prereqs = inputs.filter((p) => p !== t.path);
    for (const p of prereqs) if (!seen.has(p)) prereqsOnly.add(p);
    lines.push(`${escapeMake(t.path)}:${prereqs.map((p) => ` \\\n  ${escapeMake(p)}`).join('')}`);
  });
  for (const p of prereqsOnly) lines.push('', `${escapeMake(p)}:`);
  return lines.join('\n') + '\n';
}
