// What a put or get of a tree did: the entries it could not copy, said once
// each with their path, and the error that makes them fail the transfer.
import type { Refusal, Skipped } from './tree.js';

/** Options of `put()` and `get()`. */
export interface TransferOptions {
  /** Fail, copying nothing, when the tree holds a FIFO, socket or device node (they are never copied). */
  strict?: boolean;
}

/** What a `put()` or `get()` copied, skipped (FIFOs, sockets, devices) and refused. */
export interface TransferReport {
  /** Entries written: files, directories, symlinks and hard links, the root included. */
  copied: number;
  /** FIFOs, sockets and device nodes: named, not copied. */
  skipped: Skipped[];
  /** Entries refused or failed (a put or get with any of these throws TransferError). */
  refused: Refusal[];
}

/** A put or get that refused entries, or met special files with strict set. */
export class TransferError extends Error {
  constructor(
    readonly what: string,
    readonly report: TransferReport,
  ) {
    const problems = [...report.refused.map((r) => `${r.path}: ${r.reason}`), ...report.skipped.map(skippedText)];
    super(`${what}: ${problems.length} entr${problems.length === 1 ? 'y' : 'ies'} not copied: ${problems.join('; ')}`);
  }
}

/** "PATH (a FIFO: not copied)", for a warning line. */
export function skippedText(s: Skipped): string {
  return `${s.path} (a ${s.type}: FIFOs, sockets and device nodes are not copied)`;
}
