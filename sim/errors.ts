// Errors the harness raises, each saying what failed and what to do.

/** The base class of the harness's errors. */
export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The guest kernel panicked or oopsed; `console` holds what it printed. */
export class GuestPanicError extends MachineError {
  constructor(readonly console: string) {
    super(
      `the guest kernel crashed; its console said:\n${console}\n` +
        'this guest is stopped: restore it (Simulator.restore(), trace(cmd, { restore: true }) or Machine.restoreState()) or close it and start a new one',
    );
  }
}

/** The guest did not come up (or answer after a restore) in time. */
export class BootTimeoutError extends MachineError {
  constructor(
    ms: number,
    readonly console: string,
  ) {
    super(`the guest did not become ready within ${ms} ms; last console output:\n${console || '(none)'}\n` + 'rebuild the image (npm run images) or raise bootTimeoutMs');
  }
}

/** A call on a Machine after its `close()`. */
export class MachineClosedError extends MachineError {
  constructor(what: string) {
    super(`${what}: the machine is closed; boot a new one`);
  }
}

/** A command ran past its timeout; its whole process tree was killed. */
export class CommandTimeoutError extends MachineError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    readonly result?: { stdout: Uint8Array; stderr: Uint8Array },
  ) {
    super(`command ${command} timed out after ${timeoutMs} ms; its processes in the guest were killed`);
  }
}

/** The agent could not carry out a request (bad path, missing directory...). */
export class AgentError extends MachineError {}

/**
 * The guest agent died while serving a request and /init started a new one;
 * `reason` is how the old one ended, as the new one found out. The guest
 * goes on: later requests are served, though the processes the command
 * killed (the traced shell, with kill -9 -1) stay dead until a restore.
 */
export class AgentRestartedError extends AgentError {
  constructor(readonly reason: string) {
    super(
      `the guest agent restarted while serving this request: the previous one died (${reason || 'it crashed or was killed'}); ` +
        'the new one serves the next requests; restore the guest to bring back what else was killed',
    );
  }
}

/**
 * The longest timeout a command may have: Node's and browsers' timers stop
 * at 2^31 - 1 ms, and the harness adds its grace periods on top.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1 - 60_000;

/** Throws a RangeError for a timeout that is not whole milliseconds from 0 to max. */
export function checkTimeoutMs(ms: number, max = MAX_TIMEOUT_MS): void {
  if (!Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new RangeError(`timeoutMs ${ms}: give whole milliseconds from 0 (no timeout) to ${MAX_TIMEOUT_MS} (about 24 days, the limit of timers)`);
  }
}
