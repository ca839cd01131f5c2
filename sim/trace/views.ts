// Text views of a trace for people: the process tree and the dependency
// sets. Shared by the CLI and the playground. Names are escaped as `ls -b`
// does (visibleName), so that no byte of a file name is lost, replaced or
// able to pass for something else on a terminal. Each view can be built from
// a whole Trace or entry by entry (TreeView, DepsView), holding only what it
// shows: one entry per process, or per file.
import { FileCollector, ProcessTreeBuilder, isEvent, visibleName, type FileMove, type FileRef, type FileSets, type LogEntry, type ProcessInfo, type ProcessTree, type Trace } from './index.js';

function exitText(p: ProcessInfo): string {
  if (!p.exit) return 'no exit recorded';
  if (p.exit.signal) return `killed by signal ${p.exit.signal}`;
  return `exit ${p.exit.status}`;
}

/** The process tree, fed entry by entry. */
export class TreeView {
  readonly #builder = new ProcessTreeBuilder();
  // The process's own chdirs are the last entries of its cwd history (the
  // first may be the directory inherited at fork).
  readonly #chdirs = new Map<number, number>();

  add(e: LogEntry): void {
    if (!isEvent(e)) return;
    if (e.kind === 'C') this.#chdirs.set(e.pid, (this.#chdirs.get(e.pid) ?? 0) + 1);
    this.#builder.add(e);
  }

  text(): string {
    return formatProcessTree(this.#builder.tree, this.#chdirs);
  }
}

function formatProcessTree(tree: ProcessTree, chdirs: Map<number, number>): string {
  const lines: string[] = [];
  const walk = (p: ProcessInfo, prefix: string, last: boolean, root: boolean) => {
    const execs = p.execs.map((e) => visibleName(e.given)).join(' → ');
    const own = chdirs.get(p.pid) ?? 0;
    const cwds = own ? p.cwd.slice(-own).map((c) => visibleName(c.given)) : [];
    const parts = [`${p.pid}`, execs || '(no exec)', `[${exitText(p)}]`];
    if (cwds.length) parts.push(`cd ${cwds.join(', ')}`);
    lines.push(`${root ? '' : prefix + (last ? '└─ ' : '├─ ')}${parts.join(' ')}`);
    const next = root ? '' : prefix + (last ? '   ' : '│  ');
    for (const [i, c] of p.children.entries()) walk(c, next, i === p.children.length - 1, false);
  };
  for (const r of tree.roots) walk(r, '', true, true);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** One line per process, children indented below their parent. */
export function formatTree(trace: Trace): string {
  const view = new TreeView();
  for (const e of trace.events) view.add(e);
  return view.text();
}

function refText(f: FileRef): string {
  return f.resolved ? visibleName(f.path) : `${visibleName(f.path)} (relative, cwd unknown)`;
}

function moveText(m: FileMove): string {
  const text = `${refText(m.from)} -> ${refText(m.to)}`;
  return m.ambiguous ? `${text} (ambiguous: the paths hold "' '", so the record reads more than one way)` : text;
}

/** The dependency sets, fed entry by entry. */
export class DepsView {
  readonly #files = new FileCollector();

  add(e: LogEntry): void {
    if (isEvent(e)) this.#files.add(e);
  }

  text(): string {
    return formatFileSets(this.#files.sets);
  }
}

function formatFileSets(f: FileSets): string {
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

/** The read, written, executed, deleted, renamed and linked sets. */
export function formatDeps(trace: Trace): string {
  return formatFileSets(trace.files());
}

/** One malformed line for a person: its number, what is wrong, and its text escaped. */
export function errorText(e: { line: number; message: string; text: string }): string {
  const shown = e.text.length > 120 ? `${visibleName(e.text.slice(0, 120), false)}…` : visibleName(e.text, false);
  return `line ${e.line}: ${e.message}: ${shown}`;
}

/** Parser errors as "line N: reason: text" lines. */
export function formatErrors(trace: Trace): string {
  return trace.errors.map((e) => errorText(e)).join('\n') + (trace.errors.length ? '\n' : '');
}
