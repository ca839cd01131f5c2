// filemon-sim for Node: `import { Simulator } from 'filemon-sim'`.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { bootMachine, readStateFile, type NodeBootOptions } from './node/boot.js';
import { traceParser } from './node/parser-wasm.js';
import { TraceSession } from './simulator.js';

export type SimulatorOptions = NodeBootOptions;

/**
 * A running guest for tracing commands. start() restores the saved state
 * (or boots and saves it); trace() runs a command under /dev/filemon.
 */
export class Simulator extends TraceSession {
  static async start(opts: SimulatorOptions = {}): Promise<Simulator> {
    // Compiled before the guest's core: modules compiled after it stay on V8's baseline tier (sim/node/v86-core.ts).
    const parser = traceParser();
    const { machine, info } = await bootMachine(opts);
    // The state to go back to on restore: the saved one, or one taken now.
    const initial = opts.savedState === false || opts.state ? machine.saveState() : undefined;
    const baseline = () =>
      initial ?? Promise.resolve(readStateFile(info.statePath));
    return new Simulator(machine, parser, baseline);
  }

  /** Copies a host file or directory (recursively) into the guest. */
  async put(hostPath: string, guestPath: string): Promise<void> {
    const st = statSync(hostPath);
    if (!st.isDirectory()) {
      await this.machine.putFile(guestPath, new Uint8Array(readFileSync(hostPath)), st.mode & 0o7777);
      return;
    }
    await this.machine.mkdir(guestPath, st.mode & 0o7777);
    for (const name of readdirSync(hostPath)) await this.put(join(hostPath, name), posix.join(guestPath, name));
  }

  /** Copies a guest file or directory (recursively) to the host. */
  async get(guestPath: string, hostPath: string): Promise<void> {
    const dirs = await this.machine.exec(['find', guestPath, '-type', 'd']);
    const isDir = dirs.status === 0 && dirs.stdout.length > 0;
    if (!isDir) {
      mkdirSync(dirname(hostPath), { recursive: true });
      writeFileSync(hostPath, await this.machine.getFile(guestPath));
      return;
    }
    const lines = (b: Uint8Array) => new TextDecoder().decode(b).split('\n').filter(Boolean);
    for (const d of lines(dirs.stdout)) mkdirSync(join(hostPath, posix.relative(guestPath, d)), { recursive: true });
    const files = await this.machine.exec(['find', guestPath, '-type', 'f']);
    for (const f of lines(files.stdout)) writeFileSync(join(hostPath, posix.relative(guestPath, f)), await this.machine.getFile(f));
  }
}

export { TraceSession, TraceError, TraceTimeoutError, type TraceOptions, type TraceResult } from './simulator.js';
export { Machine, type BootOptions, type ExecOptions, type ExecResult } from './machine.js';
export * from './errors.js';
export { bootMachine, type NodeBootOptions, type BootInfo } from './node/boot.js';
export { IMAGE_PACKAGE, ImageMissingError, ImageInvalidError } from './node/image.js';
export { parseTrace, createLogStream } from './node/parser-wasm.js';
export { Trace, LogStream, filemonSection } from './trace/index.js';
export type * from './trace/index.js';
export { formatTree, formatDeps, formatErrors } from './views.js';
export { assertTraceMatches, goldenText, type GoldenOptions, type TraceLike } from './testing/golden.js';
export {
  diffTraces, formatTraceDiff, traceDiffJSON, comparable, withoutIgnored,
  type IgnoreOptions, type TraceDiff, type SetChange, type DiffOptions, type FormatDiffOptions,
} from './diff/index.js';
