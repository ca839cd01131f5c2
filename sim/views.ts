// Text views of a trace for people: the process tree and the dependency
// sets. Shared by the CLI and the playground.
import type { FileMove, FileRef, ProcessInfo, Trace } from './trace/index.js';

function exitText(p: ProcessInfo): string {
  if (!p.exit) return 'no exit recorded';
  if (p.exit.signal) return `killed by signal ${p.exit.signal}`;
  return `exit ${p.exit.status}`;
}

/** One line per process, children indented below their parent. */
export function formatTree(trace: Trace): string {
  const lines: string[] = [];
  // The process's own chdirs are the last entries of its cwd history (the
  // first may be the directory inherited at fork).
  const chdirs = new Map<number, number>();
  for (const e of trace.events) if (e.kind === 'C') chdirs.set(e.pid, (chdirs.get(e.pid) ?? 0) + 1);
  const walk = (p: ProcessInfo, prefix: string, last: boolean, root: boolean) => {
    const execs = p.execs.map((e) => e.given).join(' → ');
    const own = chdirs.get(p.pid) ?? 0;
    const cwds = own ? p.cwd.slice(-own).map((c) => c.given) : [];
    const parts = [`${p.pid}`, execs || '(no exec)', `[${exitText(p)}]`];
    if (cwds.length) parts.push(`cd ${cwds.join(', ')}`);
    lines.push(`${root ? '' : prefix + (last ? '└─ ' : '├─ ')}${parts.join(' ')}`);
    const next = root ? '' : prefix + (last ? '   ' : '│  ');
    p.children.forEach((c, i) => walk(c, next, i === p.children.length - 1, false));
  };
  for (const r of trace.processes().roots) walk(r, '', true, true);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function refText(f: FileRef): string {
  return f.resolved ? f.path : `${f.path} (relative, cwd unknown)`;
}

function moveText(m: FileMove): string {
  return `${refText(m.from)} -> ${refText(m.to)}`;
}

/** The read, written, executed, deleted, renamed and linked sets. */
export function formatDeps(trace: Trace): string {
  const f = trace.files();
  const sections: Array<[string, string[]]> = [
    ['read', f.read.map(refText)],
    ['written', f.written.map(refText)],
    ['executed', f.executed.map(refText)],
    ['deleted', f.deleted.map(refText)],
    ['renamed', f.renamed.map(moveText)],
    ['linked', f.linked.map(moveText)],
  ];
  return sections
    .filter(([, items]) => items.length)
    .map(([name, items]) => `${name}:\n${items.map((i) => `  ${i}`).join('\n')}\n`)
    .join('');
}

/** Parser errors as "line N: reason" lines. */
export function formatErrors(trace: Trace): string {
  return trace.errors.map((e) => `line ${e.line}: ${e.message}`).join('\n') + (trace.errors.length ? '\n' : '');
}
