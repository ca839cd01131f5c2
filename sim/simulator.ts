// Tracing commands in a running guest: each trace runs the command under
// /dev/filemon with the guest's fms-trace tool, fetches the log and parses
// it. One guest serves many traces; a state restore between traces only
// when asked. Browser-safe: the Node entry (sim/index.ts) adds start().
import { CommandTimeoutError, MachineError } from './errors.js';
import type { ExecOptions, ExecResult, Machine } from './machine.js';
import type { Trace, TraceParser } from './trace/index.js';

export interface TraceOptions extends ExecOptions {
  /** Put the guest back into its starting state before this trace. */
  restore?: boolean;
}

export interface TraceResult extends ExecResult {
  /** The parsed log. */
  trace: Trace;
  /** The log as filemon wrote it. */
  log: Uint8Array;
}

/** Where the guest tool writes the log; overwritten by each trace. */
const LOG_PATH = '/tmp/.filemon-sim-trace.log';
/** fms-trace's exit status when tracing itself failed. */
const TRACE_FAILED = 125;

/** Tracing failed in the guest (the device or the log), not the command. */
export class TraceError extends MachineError {}

/** A trace that ran past its timeout; what was logged until then is kept. */
export class TraceTimeoutError extends CommandTimeoutError {
  constructor(cause: CommandTimeoutError, readonly trace: Trace, readonly log: Uint8Array) {
    super(cause.command, cause.timeoutMs, cause.result);
  }
}

export class TraceSession {
  constructor(
    readonly machine: Machine,
    private readonly parser: TraceParser,
    /** Gives the state restore() returns to (the state the guest started from). */
    private readonly baseline: () => Promise<ArrayBuffer>,
  ) {}

  /** Runs cmd (a shell string, or an argv) under filemon. */
  async trace(cmd: string | string[], opts: TraceOptions = {}): Promise<TraceResult> {
    if (opts.restore) await this.restore();
    const argv = typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : cmd;
    if (!argv.length) throw new TypeError('trace needs a command');
    let r: ExecResult;
    try {
      r = await this.machine.exec(['fms-trace', '-o', LOG_PATH, '--', ...argv], opts);
    } catch (e) {
      if (e instanceof CommandTimeoutError) {
        const log = await this.machine.getFile(LOG_PATH);
        throw new TraceTimeoutError(e, this.parser.parseTrace(log), log);
      }
      throw e;
    }
    const stderr = new TextDecoder().decode(r.stderr);
    if (r.status === TRACE_FAILED && /^fms-trace: tracing failed: /m.test(stderr)) {
      throw new TraceError(`tracing ${JSON.stringify(argv.join(' '))} failed in the guest: ${stderr.trim()}`);
    }
    const log = await this.machine.getFile(LOG_PATH);
    const trace = this.parser.parseTrace(log);
    return { ...r, ...commandExit(trace, r.status), trace, log };
  }

  /** Puts the guest back into the state it started from. */
  async restore(): Promise<void> {
    await this.machine.restoreState(await this.baseline());
  }

  close(): Promise<void> {
    return this.machine.close();
  }
}

/**
 * The command's own exit: the X record of the first traced process, which
 * fms-trace forked and which exec'd the command. fms-trace's exit status
 * (128 + signal for a killed command) is the fallback for a log without it.
 */
function commandExit(trace: Trace, toolStatus: number): { status: number; signal: number } {
  const root = trace.processes().roots[0];
  if (root?.exit) return { status: root.exit.status, signal: root.exit.signal ?? 0 };
  return toolStatus > 128 && toolStatus < 128 + 65 ? { status: 0, signal: toolStatus - 128 } : { status: toolStatus, signal: 0 };
}
