// Command lines the page types for the visitor (examples, links, lesson
// steps) wait for the shell's prompt, one after another, instead of being
// typed into a running command (whose records they would join, and which
// might read them as its input).
import type { CommandGroup, ShellSession } from '../sim/guest/shell-session.js';

/** As long as a visitor may leave a command running. */
const FOREVER_MS = 24 * 3600_000;

/** Thrown when the shell ended (exit, "Stop / reset shell") while a line waited or ran. */
export class ShellEndedError extends Error {}

export class CommandQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Lines queued or running. */
  private busy = 0;

  constructor(
    private readonly session: ShellSession,
    private readonly typeLine: (cmd: string) => void,
  ) {}

  /** Resolves once the shell is at its prompt; calls waiting() first if it is not. */
  async idle(waiting?: () => void): Promise<void> {
    if (this.session.atPrompt) return;
    waiting?.();
    await this.session.waitFor((e) => (e.type === 'prompt' && this.session.atPrompt ? true : undefined), FOREVER_MS, 'prompt');
  }

  /**
   * Types cmd at the next prompt, after the lines queued before it, and
   * resolves with its group once the prompt is back; waiting() is called if
   * it cannot be typed at once, typed() right before it is typed.
   */
  run(cmd: string, hooks: { waiting?: () => void; typed?: () => void } = {}): Promise<CommandGroup> {
    if (!this.session.atPrompt || this.busy) hooks.waiting?.();
    const mine = this.tail.then(() => this.typeWhenIdle(cmd, hooks.typed));
    this.busy++;
    const settle = () => this.busy--;
    mine.then(settle, settle);
    this.tail = mine.catch(() => undefined);
    return mine;
  }

  private async typeWhenIdle(cmd: string, typed?: () => void): Promise<CommandGroup> {
    await this.idle();
    const done = this.session.waitFor<CommandGroup | 'ended'>(
      (e) => (e.type === 'prompt' && e.command.line === cmd ? e.command : e.type === 'session-end' ? 'ended' : undefined),
      FOREVER_MS,
      `prompt after ${cmd}`,
    );
    typed?.();
    this.typeLine(cmd);
    const g = await done;
    if (g === 'ended') throw new ShellEndedError(`the shell ended while \`${cmd}\` ran (exit, or "Stop / reset shell")`);
    return g;
  }
}
