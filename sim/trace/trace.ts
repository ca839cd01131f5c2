// A whole parsed log and the views consumers want of it.

import { collectFiles, type FileSets } from './files.js';
import { formatEntries } from './format.js';
import { normalizeEntries } from './normalize.js';
import { encodeText } from './path-bytes.js';
import { buildProcessTree, type ProcessTree } from './processes.js';
import { LogSummary } from './summary.js';
import { isEvent, type ErrorLine, type Footer, type Header, type LogEntry, type TraceEvent } from './types.js';

/** A parsed filemon log: its records, header and footer, malformed lines, and views of it. */
export class Trace {
  /** Every line of the log, in order: header, records, footer and errors. */
  readonly entries: readonly LogEntry[];
  /** The records (A C D E F L M R W X). */
  readonly events: readonly TraceEvent[];
  readonly errors: readonly ErrorLine[];
  readonly header: Header;
  readonly footer: Footer;
  /** The footer was seen: filemon closed the log. */
  readonly complete: boolean;

  constructor(entries: readonly LogEntry[]) {
    const summary = new LogSummary();
    const events: TraceEvent[] = [];
    const errors: ErrorLine[] = [];
    for (const e of entries) {
      summary.add(e);
      if (isEvent(e)) events.push(e);
      else if (e.kind === 'error') errors.push(e);
    }
    this.entries = entries;
    this.events = events;
    this.errors = errors;
    this.header = summary.header;
    this.footer = summary.footer;
    this.complete = summary.complete;
  }

  /** The process tree: fork edges, exec chains, exits. */
  processes(): ProcessTree {
    return buildProcessTree(this.events);
  }

  /** The files read, written, executed, deleted, renamed and linked, paths resolved against each process's cwd. */
  files(): FileSets {
    return collectFiles(this.events);
  }

  /** The log as filemon v5 text. Paths that were not UTF-8 hold escapes: use formatBytes() to write a file. */
  format(): string {
    return formatEntries(this.entries);
  }

  /** The log as bytes, byte for byte what was parsed when it was well-formed. */
  formatBytes(): Uint8Array {
    return encodeText(this.format());
  }

  /** Pids renumbered 1, 2... in order of first appearance and times zeroed, for golden files. */
  normalize(): Trace {
    return new Trace(normalizeEntries(this.entries));
  }

  /** The trace as the `--json` document; a path that is not UTF-8 as `{"base64": …}`. */
  toJSON(): object {
    return {
      header: this.header,
      footer: this.footer,
      complete: this.complete,
      events: this.events,
      errors: this.errors,
    };
  }
}
