// Errors the harness raises, each saying what failed and what to do.

export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The guest kernel panicked or oopsed; `console` holds what it printed. */
export class GuestPanicError extends MachineError {
  constructor(readonly console: string) {
    super(`the guest kernel crashed; its console said:\n${console}`);
  }
}

/** The guest did not come up (or answer after a restore) in time. */
export class BootTimeoutError extends MachineError {
  constructor(ms: number, readonly console: string) {
    super(
      `the guest did not become ready within ${ms} ms; last console output:\n${console || '(none)'}\n` +
        'rebuild the image (npm run images) or raise bootTimeoutMs',
    );
  }
}

export class MachineClosedError extends MachineError {
  constructor(what: string) {
    super(`${what}: the machine is closed; boot a new one`);
  }
}

/** A command ran past its timeout; its whole process tree was killed. */
export class CommandTimeoutError extends MachineError {
  constructor(readonly command: string, readonly timeoutMs: number, readonly result?: { stdout: Uint8Array; stderr: Uint8Array }) {
    super(`command ${command} timed out after ${timeoutMs} ms; its processes in the guest were killed`);
  }
}

/** The agent could not carry out a request (bad path, missing directory...). */
export class AgentError extends MachineError {}
