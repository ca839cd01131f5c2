// The traced interactive shell, host side: a terminal byte stream to the
// guest's fms-shell (/dev/hvc1) and its live filemon log (/dev/hvc2),
// parsed as it arrives and grouped by command line. Browser-safe: used by
// the Node CLI (`filemon-sim shell`) and the playground page alike.
//
// Grouping: fms-shell sends a boundary frame ('C') at each Enter the shell
// itself reads (the shell is the pty's foreground process group), after
// flushing every record written before that Enter; and a prompt frame ('P')
// when the shell prints its prompt again, after flushing the records of the
// finished command line. So a group holds exactly the records caused between
// an Enter on a command line and the next one, builtins and pipelines
// included, without guessing from pids (an Enter typed into a running
// command does not start a group). See images/linux/guest/shell/fms-shell.c.
import { concatBytes } from '../bytes.js';
import type { TraceParser } from '../trace/index.js';
import { LogStream } from '../trace/stream.js';
import { Trace } from '../trace/trace.js';
import { isEvent, type LogEntry, type TraceEvent } from '../trace/types.js';

/** The one thing needed of a Machine: its extra virtio console ports. */
export interface PortOpener {
  openPort(n: number, onData: (data: Uint8Array) => void): { write(data: Uint8Array): void; close(): void };
}

const TERMINAL_PORT = 1;
const START_RETRY_MS = 2000;
/** Frame types fms-shell sends, and the longest payload it sends (a log read is at most 64 KiB). */
const FRAME_TYPES = new Set([0x53, 0x4c, 0x43, 0x50, 0x57, 0x45]);
const MAX_FRAME = 1 << 20;
const TRACE_PORT = 2;

/** The records of one command line (group 0: what the shell did before the first one). */
export interface CommandGroup {
  index: number;
  /** The command line as typed ('' for group 0). */
  line: string;
  entries: LogEntry[];
  events: TraceEvent[];
  /** performance.now() when the Enter was sent (or the session started). */
  startedAt: number;
  /** performance.now() when the prompt came back. */
  endedAt?: number;
  /** The prompt came back: the command line finished. */
  done: boolean;
  /**
   * Records the shell made at its prompt, between command lines (Tab
   * completion reads directories): a group of their own, with no line.
   */
  completion?: boolean;
  /**
   * Records the shell made to draw the prompt that ended this group, kept
   * out of events: busybox's line editor looks the user up (R <shell pid>
   * /etc/passwd) each time, right before printing the prompt.
   */
  promptEvents: TraceEvent[];
}

/** What a traced shell reports: a command line's start, its records, terminal bytes, errors, and the shell's end. */
export type ShellEvent =
  | { type: 'session-start'; pid: number }
  | { type: 'command'; command: CommandGroup }
  | { type: 'entries'; command: CommandGroup; entries: LogEntry[] }
  | { type: 'prompt'; command: CommandGroup }
  | { type: 'log'; bytes: Uint8Array }
  | { type: 'warning'; message: string }
  | { type: 'session-end'; status: string };

export interface ShellSessionOptions {
  /** Compiled parser (loadTraceParser / traceParser()). */
  parser: TraceParser;
  /** Shell output for the terminal. */
  onOutput: (data: Uint8Array) => void;
  onEvent?: (e: ShellEvent) => void;
  /**
   * The command line being entered, asked at each Enter (e.g. read from the
   * terminal's screen). Default: a small line editor fed with the input.
   */
  currentLine?: () => string | undefined;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Tracks the typed line from input bytes: printable text, backspace, Ctrl-U/C; escape sequences skipped. */
class LineTracker {
  private bytes: number[] = [];
  private esc = 0; // 0 none, 1 after ESC, 2 inside CSI/SS3

  feed(b: number): void {
    if (this.esc === 1) {
      this.esc = b === 0x5b || b === 0x4f ? 2 : 0;
      return;
    }
    if (this.esc === 2) {
      if (b >= 0x40 && b <= 0x7e) this.esc = 0;
      return;
    }
    if (b === 0x1b) this.esc = 1;
    else if (b === 0x7f || b === 0x08) {
      while (this.bytes.length && (this.bytes.pop()! & 0xc0) === 0x80);
    } else if (b === 0x15 || b === 0x03) this.bytes = [];
    else if (b >= 0x20 || b === 0x09) this.bytes.push(b);
  }

  take(): string {
    const s = dec.decode(new Uint8Array(this.bytes)).trim();
    this.bytes = [];
    return s;
  }
}

/** The guest's traced interactive shell (`fms-shell`): its terminal, and its live log grouped by command line. */
export class ShellSession {
  private readonly term;
  private readonly trace;
  private stream: LogStream | undefined;
  private frameBuf: Uint8Array = new Uint8Array(0);
  private enters = 0;
  private lastCr = false;
  private readonly labels = new Map<number, { line: string; at: number }>();
  private readonly tracker = new LineTracker();
  private listeners: Array<(e: ShellEvent) => void> = [];
  private logChunks: Uint8Array[] = [];
  private allEntries: LogEntry[] = [];
  /** Command groups of the current session, in order. */
  commands: CommandGroup[] = [];
  /** The shell's pid, once the session started. */
  shellPid = 0;
  running = false;
  /** How the last session ended ("exit 0", "signal 9"). */
  endStatus: string | undefined;
  private closed = false;
  private starting = false;
  /** An Enter was sent since the last prompt: the shell is not waiting for a line. */
  private enterPending = false;
  private startTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    machine: PortOpener,
    private readonly opts: ShellSessionOptions,
  ) {
    this.term = machine.openPort(TERMINAL_PORT, (d) => opts.onOutput(d));
    this.trace = machine.openPort(TRACE_PORT, (d) => this.onTraceBytes(d));
    if (opts.onEvent) this.listeners.push(opts.onEvent);
  }

  /** Adds a listener; returns its remover. */
  on(fn: (e: ShellEvent) => void): () => void {
    this.listeners.push(fn);
    return () => (this.listeners = this.listeners.filter((f) => f !== fn));
  }

  /** Starts a shell in the guest (ending a running one). */
  start(rows = 24, cols = 80): void {
    this.enters = 0;
    this.lastCr = false;
    this.labels.clear();
    this.starting = true;
    const send = () => {
      if (!this.starting || this.closed) return;
      this.trace.write(enc.encode(`start ${rows | 0} ${cols | 0}\n`));
      // Right after a cold boot fms-shell may not have its ports open yet,
      // and drops what came before: ask again until the session starts.
      this.startTimer = setTimeout(send, START_RETRY_MS);
    };
    clearTimeout(this.startTimer);
    send();
  }

  /** Terminal window size: the shell and its programs get SIGWINCH. */
  resize(rows: number, cols: number): void {
    this.trace.write(enc.encode(`size ${rows | 0} ${cols | 0}\n`));
  }

  /** Hangs up the shell; a 'session-end' event follows. */
  stop(): void {
    this.trace.write(enc.encode('stop\n'));
  }

  /** Keys typed in the terminal. */
  input(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? enc.encode(data) : data;
    for (const b of bytes) {
      const enter = b === 0x0d || (b === 0x0a && !this.lastCr);
      this.lastCr = b === 0x0d;
      if (enter) {
        this.enterPending = true;
        // The screen knows about history and completion, the typed bytes are
        // ahead of a lagging echo: the longer one is the line.
        const fromScreen = this.opts.currentLine?.() ?? '';
        const typed = this.tracker.take();
        this.labels.set(this.enters++, { line: fromScreen.length > typed.length ? fromScreen : typed, at: now() });
      } else {
        this.tracker.feed(b);
      }
    }
    this.term.write(bytes);
  }

  /** The shell is at its prompt, waiting for a command line (nothing runs, nothing typed ahead). */
  get atPrompt(): boolean {
    const g = this.current();
    return this.running && !this.enterPending && g?.done === true && !(g.completion && this.ranMore(g));
  }

  /** At-prompt records that do more than the shell's own reads: a line typed ahead runs (see 'P'). */
  private ranMore(g: CommandGroup): boolean {
    return g.events.some((e) => !(e.kind === 'R' && e.pid === this.shellPid));
  }

  /** Everything parsed so far in this session, as a Trace (processes(), files()). */
  traceModel(): Trace {
    return new Trace(this.allEntries);
  }

  /** The log bytes received so far in this session: exactly what filemon wrote. */
  logBytes(): Uint8Array {
    return concatBytes(this.logChunks);
  }

  /**
   * The log as a complete v5 file: the bytes filemon wrote, plus, while the
   * session still runs (filemon has not closed yet), the footer filemon
   * would write if it closed now.
   */
  completeLog(): Uint8Array {
    const bytes = this.logBytes();
    if (this.stream?.complete) return bytes;
    const t = Date.now();
    const stop = `# Stop ${Math.floor(t / 1000)}.${String((t % 1000) * 1000).padStart(6, '0')}\n# Bye bye\n`;
    const nl = bytes.length && bytes[bytes.length - 1] !== 0x0a ? '\n' : '';
    return concatBytes([bytes, enc.encode(nl + stop)]);
  }

  /** Resolves at the next prompt (the shell is ready for a command line). */
  nextPrompt(timeoutMs = 30_000): Promise<CommandGroup> {
    return this.waitFor((e) => (e.type === 'prompt' ? e.command : undefined), timeoutMs, 'prompt');
  }

  /** Resolves when the session ends, with its status. */
  ended(timeoutMs = 30_000): Promise<string> {
    if (!this.running && this.endStatus !== undefined) return Promise.resolve(this.endStatus);
    return this.waitFor((e) => (e.type === 'session-end' ? e.status : undefined), timeoutMs, 'session end');
  }

  /** Resolves with the first event fn maps to a value. */
  waitFor<T>(fn: (e: ShellEvent) => T | undefined, timeoutMs: number, what = 'event'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`shell session: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((e) => {
        const v = fn(e);
        if (v === undefined) return;
        clearTimeout(t);
        off();
        resolve(v);
      });
    });
  }

  /** Closes the terminal and log ports; the shell ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.startTimer);
    this.term.close();
    this.trace.close();
  }

  private emit(e: ShellEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private onTraceBytes(d: Uint8Array): void {
    this.frameBuf = this.frameBuf.length ? concatBytes([this.frameBuf, d]) : d;
    let at = 0;
    while (this.frameBuf.length - at >= 5) {
      const b = this.frameBuf;
      const len = (b[at + 1] | (b[at + 2] << 8) | (b[at + 3] << 16) | (b[at + 4] << 24)) >>> 0;
      // Not a frame (bytes the guest tty echoed before fms-shell set raw mode): skip a byte.
      if (!FRAME_TYPES.has(b[at]) || len > MAX_FRAME) {
        at++;
        continue;
      }
      if (b.length - at - 5 < len) break;
      const type = String.fromCharCode(b[at]);
      // A copy: the parser keeps byte chunks by reference.
      const payload = b.slice(at + 5, at + 5 + len);
      at += 5 + len;
      this.onFrame(type, payload);
    }
    this.frameBuf = at === this.frameBuf.length ? new Uint8Array(0) : this.frameBuf.slice(at);
  }

  private current(): CommandGroup {
    return this.commands[this.commands.length - 1];
  }

  private onFrame(type: string, payload: Uint8Array): void {
    switch (type) {
      case 'S': {
        this.starting = false;
        clearTimeout(this.startTimer);
        this.shellPid = Number(dec.decode(payload));
        this.running = true;
        this.enterPending = false;
        this.endStatus = undefined;
        this.stream = new LogStream(this.opts.parser.module);
        this.logChunks = [];
        this.allEntries = [];
        this.commands = [{ index: 0, line: '', entries: [], events: [], promptEvents: [], startedAt: now(), done: false }];
        this.emit({ type: 'session-start', pid: this.shellPid });
        this.emit({ type: 'command', command: this.current() });
        break;
      }
      case 'L': {
        if (!this.stream) return;
        this.logChunks.push(payload);
        this.emit({ type: 'log', bytes: payload });
        const entries = this.stream.push(payload);
        this.addEntries(entries);
        break;
      }
      case 'C': {
        const idx = (payload[0] | (payload[1] << 8) | (payload[2] << 16) | (payload[3] << 24)) >>> 0;
        const label = this.labels.get(idx);
        // Enters before this one went to running commands: no group of theirs will come.
        for (const k of this.labels.keys()) if (k <= idx) this.labels.delete(k);
        const prev = this.current();
        if (prev && !prev.done) prev.done = true;
        const g: CommandGroup = { index: this.commands.length, line: label?.line ?? '', entries: [], events: [], promptEvents: [], startedAt: label?.at ?? now(), done: false };
        this.commands.push(g);
        this.emit({ type: 'command', command: g });
        break;
      }
      case 'P': {
        const g = this.current();
        // A prompt drawn again (after SIGWINCH, Ctrl-L) ends nothing new.
        if (!g || g.endedAt !== undefined) return;
        // Records after the prompt's lookup came after the prompt: the shell
        // at once read a line typed while the command ran. They move on.
        const moved = this.splitAtPrompt(g);
        // At-prompt records that ran more than completion does were a line typed ahead.
        if (g.completion && this.ranMore(g)) {
          const typed = this.takeTypedAhead();
          if (typed) {
            g.completion = false;
            g.line = typed.line;
          }
        }
        g.done = true;
        g.endedAt = now();
        this.enterPending = false;
        this.emit({ type: 'prompt', command: g });
        this.addEntries(moved);
        break;
      }
      case 'W':
        this.emit({ type: 'warning', message: dec.decode(payload) });
        break;
      case 'E': {
        if (this.stream) this.addEntries(this.stream.end());
        const g = this.current();
        if (g && !g.done) {
          g.done = true;
          g.endedAt = now();
        }
        this.running = false;
        this.endStatus = dec.decode(payload);
        this.emit({ type: 'session-end', status: this.endStatus });
        break;
      }
      default:
        break;
    }
  }

  /**
   * Moves g's prompt lookup (R <shell pid> /etc/passwd: busybox's line
   * editor makes it right before each prompt) to promptEvents, and takes
   * the entries after it out of g; returns them.
   */
  private splitAtPrompt(g: CommandGroup): LogEntry[] {
    const at = g.events.findIndex((e) => e.kind === 'R' && e.pid === this.shellPid && e.path === '/etc/passwd');
    if (at < 0) return [];
    const lookup = g.events[at];
    g.promptEvents.push(lookup);
    g.events.splice(at);
    const cut = g.entries.findIndex((e) => e.line > lookup.line);
    if (cut < 0) return [];
    const moved = g.entries.splice(cut);
    this.allEntries.splice(this.allEntries.length - moved.length);
    return moved;
  }

  /** The oldest Enter that no command line started from (typed while a command ran), taken. */
  private takeTypedAhead(): { line: string; at: number } | undefined {
    const idx = Math.min(...this.labels.keys());
    const label = this.labels.get(idx);
    this.labels.delete(idx);
    return label?.line ? label : undefined;
  }

  private addEntries(entries: LogEntry[]): void {
    if (!entries.length) return;
    let g = this.current();
    // Records after the prompt came back and before the next command line
    // are the shell's own, at its prompt (completion), or those of a line
    // typed ahead (see 'P'): not the finished line's.
    if (g.endedAt !== undefined && this.running && entries.some(isEvent)) {
      g = { index: this.commands.length, line: '', entries: [], events: [], promptEvents: [], startedAt: now(), done: true, completion: true };
      this.commands.push(g);
      this.emit({ type: 'command', command: g });
    }
    for (const e of entries) {
      this.allEntries.push(e);
      g.entries.push(e);
      if (isEvent(e)) g.events.push(e);
    }
    this.emit({ type: 'entries', command: g, entries });
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
