// The parsed form of a filemon log: one entry per line, in log order.
// Records (TraceEvent) carry the letter of the spec as their kind; header,
// footer and error lines use words. Paths are strings from decodeText, so a
// path that is not UTF-8 keeps its bytes (see path-bytes.ts).

/** Records whose data is one path: openat-relative, chdir, unlink, exec, read, write. */
export type PathKind = 'A' | 'C' | 'D' | 'E' | 'R' | 'W';

/** A record naming one path: A, C, D, E, R or W. */
export interface PathRecord {
  readonly kind: PathKind;
  readonly line: number;
  readonly pid: number;
  readonly path: string;
  /** The record is 1023 bytes long: filemon may have cut the path. */
  readonly cut: boolean;
}

/** F: fork or vfork. */
export interface ForkRecord {
  readonly kind: 'F';
  readonly line: number;
  readonly pid: number;
  readonly child: number;
}

/** L (link, symlink) and M (rename): two quoted paths. */
export interface PairRecord {
  readonly kind: 'L' | 'M';
  readonly line: number;
  readonly pid: number;
  readonly from: string;
  readonly to: string;
  readonly cut: boolean;
  /**
   * The paths hold "' '", so the line splits into from and to in more than
   * one way; from and to are the first split that leaves both non-empty.
   */
  readonly ambiguous: boolean;
}

/** X: process exit. signal is null in logs older than version 5, which lack the field. */
export interface ExitRecord {
  readonly kind: 'X';
  readonly line: number;
  readonly pid: number;
  readonly status: number;
  readonly signal: number | null;
}

/** A record of the log: a path, a fork, a pair of paths (L, M) or an exit. */
export type TraceEvent = PathRecord | ForkRecord | PairRecord | ExitRecord;

/** Seconds and microseconds, as in "# Start 1700000000.012345". */
export interface Time {
  readonly sec: number;
  readonly usec: number;
}

/** "# filemon version N" (kind 'version') and the "V N" record (kind 'V'). */
export interface VersionLine {
  readonly kind: 'version' | 'V';
  readonly line: number;
  readonly version: number;
}

/** "# Target pid N": the process that attached the log. */
export interface TargetLine {
  readonly kind: 'target';
  readonly line: number;
  readonly pid: number;
}

/** "# Start S.U" (header) and "# Stop S.U" (footer). */
export interface TimeLine {
  readonly kind: 'start' | 'stop';
  readonly line: number;
  readonly time: Time;
}

/** "# Bye bye": the last line of a complete log. */
export interface ByeLine {
  readonly kind: 'bye';
  readonly line: number;
}

/** Why a line is malformed. */
export type ErrorReason = 'unknown-record' | 'missing-field' | 'extra-field' | 'bad-number' | 'bad-quote' | 'line-too-long' | 'unterminated-line' | 'empty-line' | 'bad-time';

/** A line that is not a well-formed record, header or footer line. */
export interface ErrorLine {
  readonly kind: 'error';
  readonly line: number;
  readonly reason: ErrorReason;
  /** What failed and what to do about it. */
  readonly message: string;
  /** The line as read (at most MAX_LINE bytes of it), without newline. */
  readonly text: string;
}

/** One line of a log: a record, a header or footer line, or a malformed line. */
export type LogEntry = TraceEvent | VersionLine | TargetLine | TimeLine | ByeLine | ErrorLine;

/** The log's header: version, target pid and `# Start` time. */
export interface Header {
  /** From "# filemon version N", else from "V N". */
  readonly version: number | null;
  readonly targetPid: number | null;
  readonly start: Time | null;
}

/** The log's footer: the `# Stop` time, and whether `# Bye bye` closed it. */
export interface Footer {
  readonly stop: Time | null;
  /** "# Bye bye" seen: filemon closed the log, so it is complete. */
  readonly bye: boolean;
}

/** True for a record, false for header, footer and malformed lines. */
export function isEvent(e: LogEntry): e is TraceEvent {
  return e.kind.length === 1 && e.kind !== 'V';
}
