// Writes a trace the way the CLI's view flags ask: the raw log, --json,
// --tree or --deps; to stdout or to a file (-o). Every view is fed the
// parser's batches as they come, so `parse` streams a log of any size: the
// log and --json views hold nothing, --tree one entry per process and --deps
// one per file; --format make|dot holds the records until the end (the
// exports need the whole trace).
import { writeFileSync } from 'node:fs';
import { concatBytes } from '../bytes.js';
import { traceParser } from '../node/parser-wasm.js';
import { JsonLogWriter, LogWriter, WasmLogParser, decodeEvent, Trace, type ByteSink, type LogEntry, type RawBatch } from '../trace/index.js';
import { EXPORT_FORMATS, exportTrace, isExportFormat, type ExportFormat } from '../export/index.js';
import { DepsView, TreeView, errorText } from '../trace/views.js';
import { K_BYE, K_ERROR, F_AMBIGUOUS, EVENT_WORDS, W_TAG } from '../../assembly/layout.js';
import type { IgnoreOptions } from '../diff/index.js';
import { CliError, IGNORE_OPTIONS, ignoreOptions } from './common.js';

export interface ViewFlags {
  json?: boolean;
  tree?: boolean;
  deps?: boolean;
  /** make or dot (sim/export/). */
  format?: string;
  /** --ignore and --keep: what the --format exports leave out. */
  ignore?: string[];
  keep?: string[];
  output?: string;
}

export const VIEW_OPTIONS = {
  json: { type: 'boolean' },
  tree: { type: 'boolean' },
  deps: { type: 'boolean' },
  format: { type: 'string' },
  ...IGNORE_OPTIONS,
  output: { type: 'string', short: 'o' },
} as const;

/** Receives every parser call of a log, then its end. */
export interface BatchConsumer {
  batch(b: RawBatch): void;
  end(): void;
}

/** Throws when more than one view is asked for. */
export function checkViewFlags(flags: ViewFlags): void {
  if ([flags.json, flags.tree, flags.deps, flags.format !== undefined].filter(Boolean).length > 1) throw new CliError('choose one of --json, --tree, --deps, --format');
  if (flags.format === 'meta') throw new CliError('--format meta goes with trace: a .meta file holds the command, its cwd and output besides the log');
  if (flags.format !== undefined && !isExportFormat(flags.format)) throw new CliError(`--format wants one of ${EXPORT_FORMATS.join(', ')}, got "${flags.format}"`);
  if ((flags.ignore?.length || flags.keep?.length) && flags.format === undefined) throw new CliError('--ignore and --keep go with --format make|dot (the other views show every record)');
  ignoreOptions(flags);
}

/** --format make|dot: the records kept until the end, then exported from the whole trace. */
class ExportView implements BatchConsumer {
  private readonly entries: LogEntry[] = [];
  constructor(
    readonly format: ExportFormat,
    readonly ignore: IgnoreOptions,
    readonly sink: ByteSink,
  ) {}
  batch(b: RawBatch): void {
    for (let i = 0; i < b.count; i++) this.entries.push(decodeEvent(b, i));
  }
  end(): void {
    this.sink(new TextEncoder().encode(exportTrace(new Trace(this.entries), this.format, this.ignore)));
  }
}

/** A view that takes decoded entries and writes its text at the end. */
class TextView implements BatchConsumer {
  constructor(
    readonly view: TreeView | DepsView,
    readonly sink: ByteSink,
  ) {}
  batch(b: RawBatch): void {
    for (let i = 0; i < b.count; i++) this.view.add(decodeEvent(b, i));
  }
  end(): void {
    this.sink(new TextEncoder().encode(this.view.text()));
  }
}

/** The view the flags choose, writing to sink; extra fields go into --json output. */
export function createView(flags: ViewFlags, sink: ByteSink, extra: object = {}): BatchConsumer {
  checkViewFlags(flags);
  if (flags.json) return new JsonLogWriter(sink, extra);
  if (flags.tree) return new TextView(new TreeView(), sink);
  if (flags.deps) return new TextView(new DepsView(), sink);
  if (flags.format !== undefined) return new ExportView(flags.format as ExportFormat, ignoreOptions(flags), sink);
  return new LogWriter(sink);
}

/** Diagnostics for stderr: the first MAX_REPORTED malformed and ambiguous lines, then counts. */
export class LogDiagnostics implements BatchConsumer {
  static readonly MAX_REPORTED = 100;
  readonly errors: string[] = [];
  readonly ambiguous: string[] = [];
  errorCount = 0;
  ambiguousCount = 0;
  complete = false;

  batch(b: RawBatch): void {
    for (let i = 0; i < b.count; i++) {
      const tag = b.words[i * EVENT_WORDS + W_TAG];
      const kind = tag & 0xff;
      if (kind === K_BYE) this.complete = true;
      else if (kind === K_ERROR) {
        if (this.errorCount++ < LogDiagnostics.MAX_REPORTED) this.errors.push(errorText(decodeEvent(b, i) as LogEntry & { kind: 'error' }));
      } else if ((tag >>> 16) & F_AMBIGUOUS) {
        if (this.ambiguousCount++ < LogDiagnostics.MAX_REPORTED) {
          const e = decodeEvent(b, i);
          this.ambiguous.push(`line ${e.line}: this ${e.kind} record can be read more than one way: its paths hold "' '", so where "from" ends is a guess`);
        }
      }
    }
  }

  end(): void {}

  /** The report for stderr ('' when all is well), each line prefixed with the file's name. */
  report(file: string): string {
    let s = '';
    const list = (what: string, items: string[], count: number): void => {
      s += `${file}: ${count} ${what}:\n${items.map((l) => `${l}\n`).join('')}`;
      if (count > items.length) s += `... and ${count - items.length} more ${what}\n`;
    };
    if (this.ambiguousCount) list('ambiguous record(s)', this.ambiguous, this.ambiguousCount);
    if (this.errorCount) list('malformed line(s)', this.errors, this.errorCount);
    if (!this.complete) s += `${file}: the log is incomplete: no "# Bye bye" footer (the tracer died or had not closed /dev/filemon)\n`;
    return s;
  }
}

/** The chosen view of a log held in memory, as bytes; extra fields go into --json output. */
export function renderView(_trace: Trace, log: Uint8Array, flags: ViewFlags, extra: object = {}): Uint8Array {
  const pieces: Uint8Array[] = [];
  const view = createView(flags, (p) => pieces.push(p), extra);
  const parser = new WasmLogParser(traceParser().module);
  const sink = (b: RawBatch): void => view.batch(b);
  parser.push(log, sink);
  parser.end(sink);
  view.end();
  return concatBytes(pieces);
}

export function writeView(bytes: Uint8Array, output?: string): void {
  if (output && output !== '-') writeFileSync(output, bytes);
  else process.stdout.write(bytes);
}
