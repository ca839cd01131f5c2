// Watches the guest kernel's serial console: keeps a tail of what it
// printed and reports a panic or oops, with the text that follows it.

/** Lines that mean the guest kernel is broken. */
const CRASH = /^(?:\[[\s\d.]+\]\s*)?(?:Kernel panic - not syncing|BUG: |Oops|general protection fault|kernel BUG at)/;
const TAIL_CHARS = 64 << 10;
/** The rest of a crash report arrives right after its first line. */
const REPORT_SETTLE_MS = 300;

export class ConsoleWatch {
  private text = '';
  private line = '';
  private crashed = false;
  private report: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onCrash: (report: string) => void,
    private readonly onText?: (text: string) => void,
  ) {}

  push(byte: number): void {
    const ch = String.fromCharCode(byte);
    this.onText?.(ch);
    this.text += ch;
    if (this.text.length > 2 * TAIL_CHARS) this.text = this.text.slice(-TAIL_CHARS);
    if (ch !== '\n') {
      this.line += ch;
      return;
    }
    if (!this.crashed && CRASH.test(this.line)) {
      this.crashed = true;
      const start = this.text.length - this.line.length - 1;
      this.report = setTimeout(() => this.onCrash(this.text.slice(Math.max(0, start - 2000))), REPORT_SETTLE_MS);
    }
    this.line = '';
  }

  /** Watches afresh: the guest was restored to a state from before any crash. */
  reset(): void {
    clearTimeout(this.report);
    this.crashed = false;
    this.line = '';
  }

  tail(chars = 4000): string {
    return this.text.slice(-chars);
  }
}
