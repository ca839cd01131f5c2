// Comparing two traces: the normalized records, line by line, and the
// dependency sets (files read, written, executed, deleted, renamed,
// linked). One engine for golden files and `filemon-sim diff`. Browser-safe.
import { formatEntry, type FileMove, type FileRef, type FileSets, type Trace } from '../trace/index.js';
import { comparable, pathFilter, type IgnoreOptions } from './ignore.js';
import { diffLines, type LineOp } from './lines.js';

const SET_NAMES = ['read', 'written', 'executed', 'deleted', 'renamed', 'linked'] as const;
type SetName = (typeof SET_NAMES)[number];

/** The paths that entered or left one dependency set between two traces. */
export interface SetChange {
  /** In the second trace only ("newly read"). */
  added: string[];
  /** In the first trace only ("no longer read"). */
  removed: string[];
}

/** The difference of two traces: the normalized records removed and added, and the dependency sets that changed. */
export interface TraceDiff {
  equal: boolean;
  /** The normalized logs as an edit script from the first to the second. */
  records: LineOp[];
  /** Only the sets that changed. */
  sets: Partial<Record<SetName, SetChange>>;
}

/** Options of {@link diffTraces}. */
export interface DiffOptions {
  ignore?: IgnoreOptions;
}

/** The normalized log's lines, as golden files hold them. */
export function comparableLines(trace: Trace, ignore?: IgnoreOptions): string[] {
  return comparable(trace, ignore).entries.map((e) => formatEntry(e).replace(/\n$/, ''));
}

function refText(f: FileRef): string {
  return f.path;
}

function moveText(m: FileMove): string {
  return `${m.from.path} -> ${m.to.path}`;
}

/** Each set as text items; ignored paths (by their resolved form) left out. */
function setItems(trace: Trace, ignore?: IgnoreOptions): Record<SetName, string[]> {
  const f: FileSets = comparable(trace, ignore).files();
  const ignored = pathFilter(ignore);
  const keep = (kind: string) => (r: FileRef) => !ignored(r.path, kind);
  return {
    read: f.read.filter(keep('R')).map(refText),
    written: f.written.filter(keep('W')).map(refText),
    executed: f.executed.filter(keep('E')).map(refText),
    deleted: f.deleted.filter(keep('D')).map(refText),
    renamed: f.renamed.filter((m) => keep('M')(m.from) || keep('M')(m.to)).map(moveText),
    linked: f.linked.filter((m) => keep('L')(m.from) || keep('L')(m.to)).map(moveText),
  };
}

/** Compares two traces as golden traces are compared: records normalized (pids renumbered, times zeroed, ignored paths left out), then the dependency sets. */
export function diffTraces(a: Trace, b: Trace, opts: DiffOptions = {}): TraceDiff {
  const records = diffLines(comparableLines(a, opts.ignore), comparableLines(b, opts.ignore));
  const setsA = setItems(a, opts.ignore);
  const setsB = setItems(b, opts.ignore);
  const sets: Partial<Record<SetName, SetChange>> = {};
  for (const name of SET_NAMES) {
    const inA = new Set(setsA[name]);
    const inB = new Set(setsB[name]);
    const added = setsB[name].filter((x) => !inA.has(x));
    const removed = setsA[name].filter((x) => !inB.has(x));
    if (added.length || removed.length) sets[name] = { added, removed };
  }
  return { equal: records.every((r) => r.op === ' '), records, sets };
}

/** Options of {@link formatTraceDiff}. */
export interface FormatDiffOptions {
  /** Names of the two sides, for the header lines. */
  labels?: [string, string];
  /** ANSI colours (a terminal). */
  colour?: boolean;
  /** Unchanged lines shown around each change. Default 3. */
  context?: number;
}

const SET_WORDS: Record<SetName, [string, string]> = {
  read: ['newly read', 'no longer read'],
  written: ['newly written', 'no longer written'],
  executed: ['newly executed', 'no longer executed'],
  deleted: ['newly deleted', 'no longer deleted'],
  renamed: ['newly renamed', 'no longer renamed'],
  linked: ['newly linked', 'no longer linked'],
};

/** The diff for people: the records as a unified diff, then the set changes. */
export function formatTraceDiff(diff: TraceDiff, opts: FormatDiffOptions = {}): string {
  if (diff.equal) return '';
  const [la, lb] = opts.labels ?? ['expected', 'actual'];
  const ctx = opts.context ?? 3;
  const paint = (code: string, s: string) => (opts.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [paint('1', `--- ${la}`), paint('1', `+++ ${lb}`)];
  const recs = diff.records;
  const changed = recs.map((r, i) => (r.op !== ' ' ? i : -1)).filter((i) => i >= 0);
  // Hunks: runs of changes closer than 2 * context lines apart.
  let i = 0;
  while (i < changed.length) {
    let j = i;
    while (j + 1 < changed.length && changed[j + 1] - changed[j] <= 2 * ctx + 1) j++;
    const from = Math.max(0, changed[i] - ctx);
    const to = Math.min(recs.length, changed[j] + ctx + 1);
    let lineA = 1;
    let lineB = 1;
    for (let k = 0; k < from; k++) {
      if (recs[k].op !== '+') lineA++;
      if (recs[k].op !== '-') lineB++;
    }
    const slice = recs.slice(from, to);
    const countA = slice.filter((r) => r.op !== '+').length;
    const countB = slice.filter((r) => r.op !== '-').length;
    out.push(paint('36', `@@ -${lineA},${countA} +${lineB},${countB} @@`));
    for (const r of slice) {
      const line = `${r.op}${r.text}`;
      out.push(r.op === '-' ? paint('31', line) : r.op === '+' ? paint('32', line) : line);
    }
    i = j + 1;
  }
  const names = SET_NAMES.filter((n) => diff.sets[n]);
  if (names.length) {
    out.push('', paint('1', 'dependency sets:'));
    for (const n of names) {
      const c = diff.sets[n]!;
      const [plus, minus] = SET_WORDS[n];
      for (const x of c.added) out.push(paint('32', `  + ${plus}: ${x}`));
      for (const x of c.removed) out.push(paint('31', `  - ${minus}: ${x}`));
    }
  }
  return out.join('\n') + '\n';
}

/** The diff for machines (`filemon-sim diff --json`). */
export function traceDiffJSON(diff: TraceDiff): object {
  return {
    equal: diff.equal,
    records: {
      removed: diff.records.filter((r) => r.op === '-').map((r) => r.text),
      added: diff.records.filter((r) => r.op === '+').map((r) => r.text),
      edits: diff.records,
    },
    sets: diff.sets,
  };
}
