// Tracing commands in a running guest: each trace runs the command under
// /dev/filemon with the guest's fms-trace tool, fetches the log and parses
// it. One guest serves many traces, one at a time; a state restore between
// traces only when asked. Browser-safe: the Node entry (sim/index.ts) adds
// start().
import { AgentError, AgentRestartedError, checkTimeoutMs, CommandTimeoutError, MachineError } from './errors.js';
import { DEFAULT_EXEC_TIMEOUT_MS, type ExecOptions, type ExecResult, type Machine } from './guest/machine.js';
import { formatMetaFile } from './export/meta.js';
import { missingToolchainNote } from './guest/toolchain.js';
import type { Trace, TraceParser } from './trace/index.js';

/** Options of {@link TraceSession.trace}: those of {@link Machine.exec}, and a restore first. */
export interface TraceOptions extends ExecOptions {
  /** Put the guest back into its starting state before this trace. */
  restore?: boolean;
}

/** A traced command: its status and output, its log and the parsed {@link Trace}. */
export interface TraceResult extends ExecResult {
  /** The parsed log. */
  trace: Trace;
  /** The log as filemon wrote it. */
  log: Uint8Array;
  /** The command as given to trace(). */
  command: string | string[];
  /** The command's working directory in the guest. */
  cwd: string;
  /** This trace as the .meta file bmake would write for a target built by the command. */
  toMeta(opts: MetaOptions): Uint8Array;
  /** From a deterministic guest: the same command from the same state gives this log byte for byte. */
  deterministic: boolean;
  /** Set when the command was not found because the guest has no toolchain: names the package that brings it. */
  note?: string;
}

/** Options of {@link TraceResult.toMeta}. */
export interface MetaOptions {
  /** The target the .meta file describes (its TARGET line, and its name: TARGET.meta). */
  target: string;
}

/** The agent's working directory, which commands start in without a cwd: /init's. */
export const GUEST_DEFAULT_CWD = '/';

/** The guest tool, by absolute path: the command's PATH is the command's. */
const TRACE_TOOL = '/usr/bin/fms-trace';
/** Each trace's log (and list of killed pids) has its own name, removed once read. */
const LOG_DIR = '/tmp';
/** fms-trace's exit status when tracing itself failed. */
const TRACE_FAILED = 125;
/** fms-trace's exit status when it killed the command at its timeout. */
const TRACE_TIMED_OUT = 124;
/**
 * How long past the trace's timeout the agent waits before killing the
 * tracer too: fms-trace kills the command's processes at the timeout and
 * needs a moment to see them all exit.
 */
const TRACER_GRACE_MS = 30_000;

/** Tracing failed in the guest (the device, the log, or the tool never started), not the command. */
export class TraceError extends MachineError {}

/**
 * A trace that ran past its timeout. The tracer killed the command's
 * processes (`killed`, their pids), waited for their exits and closed the
 * log: `trace` and `log` hold everything up to the kill, footer included.
 * When even the tracer had to be killed, `killed` is empty and the log may
 * lack its footer (`trace.complete` is false).
 */
export class TraceTimeoutError extends CommandTimeoutError {
  constructor(
    command: string,
    timeoutMs: number,
    result: { stdout: Uint8Array; stderr: Uint8Array },
    readonly trace: Trace,
    readonly log: Uint8Array,
    readonly killed: number[],
  ) {
    super(command, timeoutMs, result);
    this.message = killed.length
      ? `command ${command} timed out after ${timeoutMs} ms; killed ${killed.length} process${killed.length === 1 ? '' : 'es'} (pids ${killed.join(' ')}); the log holds all records up to their exits`
      : `command ${command} timed out after ${timeoutMs} ms and the tracer did not finish within ${TRACER_GRACE_MS} ms more; everything was killed and the log may be incomplete`;
  }
}

/** Tracing on a running Machine, one trace at a time; the base of the Node and browser Simulators. */
export class TraceSession {
  /** Traces (and restores) run one after another: see trace(). */
  private queue: Promise<unknown> = Promise.resolve();
  private traces = 0;

  constructor(
    readonly machine: Machine,
    private readonly parser: TraceParser,
    /** Gives the state restore() returns to (the state the guest started from). */
    private readonly baseline: () => Promise<ArrayBuffer>,
  ) {}

  /**
   * Runs cmd (a shell string, or an argv) under filemon. Calls made while
   * another trace runs wait for it: a trace is a run and a fetch, and a
   * restore must not fall between them.
   */
  trace(cmd: string | string[], opts: TraceOptions = {}): Promise<TraceResult> {
    return this.serial(async () => {
      if (opts.restore) await this.restoreNow();
      return this.traceNow(cmd, opts);
    });
  }

  private async traceNow(cmd: string | string[], opts: TraceOptions): Promise<TraceResult> {
    const argv = typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : cmd;
    if (!argv.length) throw new TypeError('trace needs a command');
    const shown = JSON.stringify(argv.join(' '));
    const logPath = `${LOG_DIR}/.filemon-sim-trace-${++this.traces}.log`;
    const killedPath = `${logPath}.killed`;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    checkTimeoutMs(timeoutMs);
    const tool = [TRACE_TOOL, '-o', logPath, ...(timeoutMs ? ['-t', String(timeoutMs), '-k', killedPath] : []), '--', ...argv];
    let r: ExecResult;
    try {
      r = await this.machine.exec(tool, { ...opts, timeoutMs: timeoutMs ? timeoutMs + TRACER_GRACE_MS : 0 });
    } catch (e) {
      if (!(e instanceof CommandTimeoutError)) throw e;
      // The tracer itself hung past its grace: the agent killed everything.
      const log = await this.fetchLog(logPath, shown, e.result?.stderr);
      throw new TraceTimeoutError(shown, timeoutMs, e.result ?? r0(), this.parser.parseTrace(log), log, []);
    }
    const stderr = new TextDecoder().decode(r.stderr);
    if (r.status === TRACE_FAILED && /^fms-trace: tracing failed: /m.test(stderr)) {
      throw new TraceError(`tracing ${shown} failed in the guest: ${stderr.trim()}`);
    }
    const log = await this.fetchLog(logPath, shown, r.stderr, r.status);
    const trace = this.parser.parseTrace(log);
    if (timeoutMs && r.status === TRACE_TIMED_OUT) {
      // 124 is also a status a command may exit with: only the list says it was killed.
      const killed = await this.machine.getFile(killedPath, { remove: true }).then(
        (b) => new TextDecoder().decode(b).split('\n').filter(Boolean).map(Number),
        () => undefined,
      );
      if (killed) throw new TraceTimeoutError(shown, timeoutMs, r, trace, log, killed);
    }
    const exit = commandExit(trace, r.status);
    const cwd = guestCwd(opts.cwd);
    const note = this.machine.options.image.toolchain ? undefined : missingToolchainNote(exit.status, argv, stderr);
    return {
      ...r,
      ...exit,
      trace,
      log,
      command: cmd,
      cwd,
      deterministic: this.machine.deterministic,
      ...(note ? { note } : {}),
      toMeta: ({ target }) =>
        formatMetaFile({
          command: cmd,
          cwd,
          target,
          log,
          status: exit.signal || exit.status,
          stdout: r.stdout,
          stderr: r.stderr,
        }),
    };
  }

  /**
   * This trace's log. Its absence means the tracer never started (a missing
   * cwd, say): the agent's message on stderr says why.
   */
  private async fetchLog(path: string, shown: string, stderr?: Uint8Array, status?: number): Promise<Uint8Array> {
    try {
      return await this.machine.getFile(path, { remove: true });
    } catch (e) {
      if (!(e instanceof AgentError) || e instanceof AgentRestartedError) throw e;
      const said = stderr ? new TextDecoder().decode(stderr).trim() : '';
      throw new TraceError(`tracing ${shown}: the tracer did not start in the guest${status === undefined ? '' : ` (exit status ${status})`}, so there is no log` + (said ? `; it said: ${said}` : ''));
    }
  }

  /** Puts the guest back into the state it started from (also after a guest crash). */
  restore(): Promise<void> {
    return this.serial(() => this.restoreNow());
  }

  private async restoreNow(): Promise<void> {
    await this.machine.restoreState(await this.baseline());
    // The baseline has no logs: names restart, so the same trace from it runs the same command line.
    this.traces = 0;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the guest. */
  close(): Promise<void> {
    return this.machine.close();
  }
}

/** Where a command given cwd (maybe none, maybe relative) runs in the guest. */
export function guestCwd(cwd?: string): string {
  if (!cwd) return GUEST_DEFAULT_CWD;
  return cwd.startsWith('/') ? cwd : `${GUEST_DEFAULT_CWD}${cwd}`;
}

function r0(): { stdout: Uint8Array; stderr: Uint8Array } {
  return { stdout: new Uint8Array(0), stderr: new Uint8Array(0) };
}

/**
 * The command's own exit: the X record of the first traced process, which
 * fms-trace forked and which exec'd the command. fms-trace's exit status
 * (128 + signal for a killed command) is the fallback for a log without it.
 */
export function commandExit(trace: Trace, toolStatus: number): { status: number; signal: number } {
  const root = trace.processes().roots[0];
  if (root?.exit) return { status: root.exit.status, signal: root.exit.signal ?? 0 };
  return toolStatus > 128 && toolStatus < 128 + 65 ? { status: 0, signal: toolStatus - 128 } : { status: toolStatus, signal: 0 };
}
