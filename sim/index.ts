// filemon-sim for Node: `import { Simulator } from 'filemon-sim'`.
/**
 * The Node entry: the Simulator, the Machine, trace parsing, golden traces and diffs.
 * @module filemon-sim
 */
import { posix } from 'node:path';
import { bootMachine, readStateFile, type NodeBootOptions } from './node/boot.js';
import { readHostTree, writeHostTree } from './node/host-tree.js';
import { traceParser } from './node/parser-wasm.js';
import { TransferError, type TransferOptions, type TransferReport } from './transfer/report.js';
import { decodeTree, encodeTree, EntryKind, specialType } from './transfer/tree.js';
import { TraceSession } from './simulator.js';

/** Options of {@link Simulator.start}: the guest image, its memory and its boot. */
export type SimulatorOptions = NodeBootOptions;

/**
 * A running guest for tracing commands. start() restores the saved state
 * (or boots and saves it); trace() runs a command under /dev/filemon.
 */
export class Simulator extends TraceSession {
  /** Starts a guest: restores the saved state of the image (or boots it cold and saves one) and returns a Simulator on it. */
  static async start(opts: SimulatorOptions = {}): Promise<Simulator> {
    // Compiled before the guest's core: modules compiled after it stay on V8's baseline tier (sim/node/v86-core.ts).
    const parser = traceParser();
    const { machine, info } = await bootMachine(opts);
    // The state to go back to on restore: the saved one, or one taken now.
    const initial = opts.savedState === false || opts.state ? machine.saveState() : undefined;
    const baseline = () => initial ?? Promise.resolve(readStateFile(info.statePath));
    return new Simulator(machine, parser, baseline);
  }

  /**
   * Copies a host file, symlink or directory (recursively) to guestPath in
   * the guest, keeping what each entry is: symlinks cross as symlinks (never
   * followed, their target text unchanged), files and directories keep mode
   * and mtime/atime, hard links within the tree stay linked. FIFOs, sockets
   * and device nodes are not copied: the report names them (strict: nothing
   * is copied and TransferError is thrown). Nothing is written in the guest
   * through a symlink below guestPath. Throws TransferError, naming each
   * one, when entries were refused; the rest is copied.
   */
  async put(hostPath: string, guestPath: string, opts: TransferOptions = {}): Promise<TransferReport> {
    const what = `put ${hostPath} to ${guestPath}`;
    const tree = readHostTree(hostPath);
    if (opts.strict && tree.skipped.length) throw new TransferError(`${what} (strict)`, { copied: 0, skipped: tree.skipped, refused: [] });
    const refused = (await this.machine.putTree(guestPath, encodeTree(tree.entries))).map((r) => ({
      path: r.name ? posix.join(guestPath, r.name) : guestPath,
      reason: r.reason,
    }));
    const report = { copied: tree.entries.length - refused.length, skipped: tree.skipped, refused: [...tree.refused, ...refused] };
    if (report.refused.length) throw new TransferError(what, report);
    return report;
  }

  /**
   * Copies a guest file, symlink or directory (recursively) to hostPath, the
   * same way as put; nothing is written on the host through a symlink below
   * hostPath, and names from the guest that are absolute or hold ".." are
   * refused.
   */
  async get(guestPath: string, hostPath: string, opts: TransferOptions = {}): Promise<TransferReport> {
    const what = `get ${guestPath} to ${hostPath}`;
    const { tree, refused: unread } = await this.machine.getTree(guestPath);
    const entries = decodeTree(tree);
    const inGuest = (name: string) => (name ? posix.join(guestPath, name) : guestPath);
    const skipped = entries.filter((e) => e.kind === EntryKind.Other).map((e) => ({ path: inGuest(e.name), type: specialType(e.mode) }));
    if (opts.strict && skipped.length) throw new TransferError(`${what} (strict)`, { copied: 0, skipped, refused: [] });
    const copies = entries.filter((e) => e.kind !== EntryKind.Other);
    const notWritten = writeHostTree(hostPath, copies);
    const refused = [...unread.map((r) => ({ path: inGuest(r.name), reason: r.reason })), ...notWritten];
    const report = { copied: copies.length - notWritten.length, skipped, refused };
    if (refused.length) throw new TransferError(what, report);
    return report;
  }
}

export { TraceSession, TraceError, TraceTimeoutError, GUEST_DEFAULT_CWD, type MetaOptions, type TraceOptions, type TraceResult } from './simulator.js';
export { Machine, type BootOptions, type ExecOptions, type ExecResult } from './guest/machine.js';
export * from './errors.js';
export { TransferError, type TransferOptions, type TransferReport } from './transfer/report.js';
export type { Refusal, Skipped } from './transfer/tree.js';
export { bootMachine, type NodeBootOptions, type BootInfo } from './node/boot.js';
export { IMAGE_PACKAGE, ImageMissingError, ImageInvalidError } from './node/image.js';
export { TOOLCHAIN_PACKAGE } from './guest/toolchain.js';
export { parseTrace, createLogStream } from './node/parser-wasm.js';
export { Trace, LogStream, filemonSection } from './trace/index.js';
export type * from './trace/index.js';
export { formatTree, formatDeps, formatErrors } from './trace/views.js';
export { assertTraceMatches, goldenText, type GoldenOptions, type TraceLike } from './testing/golden.js';
export {
  diffTraces,
  formatTraceDiff,
  traceDiffJSON,
  comparable,
  withoutIgnored,
  type IgnoreOptions,
  type TraceDiff,
  type SetChange,
  type DiffOptions,
  type FormatDiffOptions,
} from './diff/index.js';
export { formatMetaFile, metaFileName, type MetaFileParts } from './export/meta.js';
