// A trace as a Graphviz graph: one box per process (its exec chain, pid and
// exit), fork edges between them, and the files each process touched, with
// edges by what was done (read, written, executed, deleted, renamed, linked).
import { pathFilter, type IgnoreOptions } from '../diff/index.js';
import type { ProcessInfo, Trace } from '../trace/index.js';
import { ProcessFiles } from './process-files.js';

/** A double-quoted DOT string. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function exitLabel(p: ProcessInfo): string {
  if (!p.exit) return 'no exit recorded';
  return p.exit.signal ? `killed by signal ${p.exit.signal}` : `exit ${p.exit.status}`;
}

export function formatDot(trace: Trace, ignore: IgnoreOptions = {}): string {
  const ignored = pathFilter(ignore);
  const { all } = trace.processes();
  const groups = new ProcessFiles(trace);
  const ids = new Map<ProcessInfo, string>(all.map((p, i) => [p, `p${i}`]));
  const fileIds = new Map<string, string>();
  const out = ['digraph filemon {', '  rankdir=LR;', '  node [fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  const file = (path: string): string => {
    let id = fileIds.get(path);
    if (!id) {
      fileIds.set(path, (id = `f${fileIds.size}`));
      out.push(`  ${id} [shape=note, label=${q(path)}];`);
    }
    return id;
  };
  for (const p of all) {
    const execs = p.execs.map((e) => e.path).join('\n→ ') || '(no exec)';
    const failed = p.exit && (p.exit.status !== 0 || p.exit.signal);
    out.push(`  ${ids.get(p)} [shape=box, style="rounded${failed ? ',bold' : ''}", ${failed ? 'color=red, ' : ''}label=${q(`pid ${p.pid}\n${execs}\n${exitLabel(p)}`)}];`);
  }
  for (const p of all) for (const c of p.children) out.push(`  ${ids.get(p)} -> ${ids.get(c)} [label="fork", style=bold];`);
  for (const p of all) {
    const id = ids.get(p)!;
    const f = groups.of([p.pid]);
    for (const r of f.read) if (!ignored(r.path, 'R')) out.push(`  ${file(r.path)} -> ${id} [label="R", color=darkgreen];`);
    for (const r of f.executed) if (!ignored(r.path, 'E')) out.push(`  ${file(r.path)} -> ${id} [label="E", color=purple, style=dashed];`);
    for (const r of f.written) if (!ignored(r.path, 'W')) out.push(`  ${id} -> ${file(r.path)} [label="W", color=orange];`);
    for (const r of f.deleted) if (!ignored(r.path, 'D')) out.push(`  ${id} -> ${file(r.path)} [label="D", color=red];`);
    for (const [kind, moves] of [
      ['M', f.renamed],
      ['L', f.linked],
    ] as const) {
      for (const m of moves) {
        if (ignored(m.from.path, kind) && ignored(m.to.path, kind)) continue;
        out.push(`  ${file(m.from.path)} -> ${file(m.to.path)} [label=${q(`${kind === 'M' ? 'renamed' : 'linked'} by ${p.pid}`)}, color=blue];`);
      }
    }
  }
  out.push('}');
  return out.join('\n') + '\n';
}
