// A live, traced terminal inside any page: mountTerminal() puts an
// xterm.js terminal on a Simulator's traced shell into an element, with
// (unless turned off) a list of each command line's records beside it; the
// <filemon-sim-terminal> element does the same from attributes. The page
// also loads xterm.js's stylesheet (@xterm/xterm/css/xterm.css).
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { CommandGroup, ShellEvent, ShellSession } from '../guest/shell-session.js';
import { formatEntry, isEvent } from '../trace/index.js';
import { LETTER_COLOUR, LETTER_MEANING } from './letters.js';
import { Simulator, type BrowserStartOptions } from './simulator.js';

/** Options of {@link mountTerminal}. */
export interface MountOptions {
  /** Show the records of each command line beside the terminal (default true). */
  records?: boolean;
  /** Typed once the first prompt is drawn. */
  command?: string;
  /** Terminal font size in pixels (default 13). */
  fontSize?: number;
  /** Every shell event (commands, records, prompts). */
  onEvent?: (e: ShellEvent) => void;
  /** Terminal output, as it is written. */
  onOutput?: (data: Uint8Array) => void;
  /** Every keystroke the visitor sends, before the shell gets it. */
  onInput?: (data: string) => void;
  /** Asked when the shell ends: start a new one? (default yes) */
  restart?: () => boolean;
}

/** A terminal mounted by {@link mountTerminal}: the xterm.js terminal and the traced shell behind it. */
export interface MountedTerminal {
  readonly term: Terminal;
  readonly session: ShellSession;
  /** The element the terminal is drawn in. */
  readonly screen: HTMLElement;
  /** Types a command line (clearing what was half typed) and presses Enter. */
  typeLine(cmd: string): void;
  /** Types cmd and resolves with its records once the prompt is back. */
  run(cmd: string, timeoutMs?: number): Promise<CommandGroup>;
  /** Stops the shell and removes what was mounted. */
  dispose(): void;
}

/** The command line being typed, as the screen shows it (line editing included), prompt removed. */
function screenLine(term: Terminal): string | undefined {
  const buf = term.buffer.active;
  let y = buf.baseY + buf.cursorY;
  let text = buf.getLine(y)?.translateToString(true) ?? '';
  while (y > 0 && buf.getLine(y)?.isWrapped) text = (buf.getLine(--y)?.translateToString(true) ?? '') + text;
  const m = /^\S* [#$] (.*)$/.exec(text);
  return m ? m[1].trim() : undefined;
}

/** Default looks, in a stylesheet of their own (added once) so that a page's rules override them. */
const STYLE = `
.fms-terminal { display: flex; flex-wrap: wrap; gap: 6px; height: 100%; min-height: 240px; }
.fms-screen { flex: 1 1 60%; min-width: 0; height: 100%; min-height: 240px; overflow: hidden; background: #000; padding: 4px; }
.fms-records { flex: 1 1 40%; min-width: 0; height: 100%; min-height: 240px; overflow: auto; background: #161b22; color: #d6dde6; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; padding: 4px 6px; }
.fms-line { font-weight: bold; border-top: 1px solid #30363d; margin-top: 4px; }
.fms-rec { white-space: pre-wrap; word-break: break-all; }
.fms-completion, .fms-completion .fms-rec { color: #8b949e !important; }
`;

function addStyle(): void {
  if (document.getElementById('filemon-sim-terminal-style')) return;
  const style = document.createElement('style');
  style.id = 'filemon-sim-terminal-style';
  style.textContent = STYLE;
  document.head.prepend(style);
}

/** Mounts a terminal on sim's traced shell into element (its screen fills element, or its left part with records). */
export function mountTerminal(element: HTMLElement, sim: Simulator, opts: MountOptions = {}): MountedTerminal {
  const withRecords = opts.records !== false;
  addStyle();
  const screen = document.createElement('div');
  screen.className = 'fms-screen';
  screen.setAttribute('role', 'region');
  screen.setAttribute('aria-label', 'Terminal of the guest: every command is traced. Tab completes; Esc then Tab moves on.');
  const list = document.createElement('div');
  list.className = 'fms-records';
  list.setAttribute('aria-label', 'filemon records of each command');
  list.tabIndex = 0;
  const box = document.createElement('div');
  box.className = 'fms-terminal';
  box.append(screen);
  if (withRecords) box.append(list);
  element.append(box);

  const term = new Terminal({ fontSize: opts.fontSize ?? 13, scrollback: 5000, cursorBlink: true, theme: { background: '#000000' } });
  const fit = new FitAddon();
  term.loadAddon(fit);
  // Tab belongs to the shell (completion); Esc then Tab moves the focus on, so keyboard users are not trapped.
  let escaped = false;
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown') return true;
    if (e.key === 'Tab' && escaped) {
      escaped = false;
      return false; // the browser moves the focus
    }
    escaped = e.key === 'Escape';
    return true;
  });
  term.open(screen);
  fit.fit();
  const resize = new ResizeObserver(() => fit.fit());
  resize.observe(screen);

  const session = sim.shell({
    onOutput: (d) => {
      term.write(d);
      opts.onOutput?.(d);
    },
    currentLine: () => screenLine(term),
  });
  let ended = false;
  const groups = new Map<CommandGroup, HTMLElement>();
  session.on((e) => {
    if (withRecords) drawRecords(e);
    if (e.type === 'session-end' && !ended && (opts.restart?.() ?? true)) {
      term.write(`\r\n[the shell ended (${e.status}); starting a new one]\r\n`);
      setTimeout(() => !ended && session.start(term.rows, term.cols), 300);
    }
    opts.onEvent?.(e);
  });
  const drawRecords = (e: ShellEvent) => {
    // A new shell (after `exit`) adds to the list: the earlier records stay.
    if (e.type === 'command' && e.command.index > 0) {
      const g = document.createElement('div');
      g.className = `fms-group${e.command.completion ? ' fms-completion' : ''}`;
      const h = document.createElement('div');
      h.className = 'fms-line';
      h.textContent = e.command.completion ? '(at the prompt: completion)' : `$ ${e.command.line}`;
      g.append(h);
      list.append(g);
      groups.set(e.command, g);
    } else if (e.type === 'entries') {
      const g = groups.get(e.command);
      if (!g) return;
      for (const entry of e.entries) {
        if (!isEvent(entry)) continue;
        const row = document.createElement('div');
        row.className = `fms-rec rec-${entry.kind}`;
        row.style.color = LETTER_COLOUR[entry.kind] ?? '';
        row.title = LETTER_MEANING[entry.kind] ?? '';
        row.textContent = formatEntry(entry).replace(/\n$/, '');
        row.dataset.line = String(entry.line);
        g.append(row);
      }
      list.scrollTop = list.scrollHeight;
    } else if (e.type === 'prompt') {
      const g = groups.get(e.command);
      if (!g) return;
      g.classList.add('fms-done');
      const kept = new Set(e.command.entries.map((x) => String(x.line)));
      for (const row of Array.from(g.querySelectorAll<HTMLElement>('.fms-rec'))) if (!kept.has(row.dataset.line ?? '')) row.remove();
      // At-prompt records that turned out a line typed ahead (sim/guest/shell-session.ts).
      g.classList.toggle('fms-completion', !!e.command.completion);
      g.firstElementChild!.textContent = e.command.completion ? '(at the prompt: completion)' : `$ ${e.command.line}`;
    }
  };
  term.onData((d) => {
    opts.onInput?.(d);
    session.input(d);
  });
  term.onResize(({ rows, cols }) => session.resize(rows, cols));

  const typeLine = (cmd: string) => {
    session.input('\x15'); // Ctrl-U: clear what was half typed
    term.paste(cmd);
    session.input('\r');
  };
  if (opts.command) {
    const cmd = opts.command;
    session.nextPrompt(120_000).then(
      () => typeLine(cmd),
      () => {},
    );
  }
  session.start(term.rows, term.cols);
  return {
    term,
    session,
    screen,
    typeLine,
    async run(cmd, timeoutMs = 120_000) {
      const done = session.waitFor((e) => (e.type === 'prompt' && e.command.line === cmd ? e.command : undefined), timeoutMs, `prompt after ${cmd}`);
      typeLine(cmd);
      return done;
    },
    dispose() {
      ended = true;
      resize.disconnect();
      session.close();
      term.dispose();
      box.remove();
    },
  };
}

/**
 * <filemon-sim-terminal assets="URL of the assets folder" command="fms-forktree">:
 * starts a Simulator from the assets folder and mounts a terminal with its
 * records; `records="off"` hides the records. Its `simulator` and `mounted`
 * properties are set once it runs; it fires 'ready' then.
 */
export class FilemonSimTerminal extends HTMLElement {
  simulator?: Simulator;
  mounted?: MountedTerminal;
  private starting = false;

  /** Called by the browser when the element is added to a page: starts the guest and mounts the terminal. */
  async connectedCallback(): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    const status = document.createElement('p');
    status.className = 'fms-status';
    status.setAttribute('aria-live', 'polite');
    status.textContent = 'Starting the guest…';
    this.append(status);
    try {
      const opts: BrowserStartOptions = { assets: this.getAttribute('assets') ?? 'assets/', onStage: (t) => (status.textContent = t) };
      this.simulator = await Simulator.start(opts);
      status.remove();
      this.mounted = mountTerminal(this, this.simulator, { command: this.getAttribute('command') ?? undefined, records: this.getAttribute('records') !== 'off' });
      this.dispatchEvent(new CustomEvent('ready'));
    } catch (e) {
      status.textContent = `The guest could not start: ${e instanceof Error ? e.message : String(e)}`;
      this.dispatchEvent(new CustomEvent('error', { detail: e }));
    }
  }

  /** Called by the browser when the element is removed: ends the terminal's shell. */
  disconnectedCallback(): void {
    this.mounted?.dispose();
    void this.simulator?.close();
    this.mounted = undefined;
    this.simulator = undefined;
    this.starting = false;
  }
}

/** Registers <filemon-sim-terminal> (once). */
export function defineTerminalElement(name = 'filemon-sim-terminal'): void {
  if (!customElements.get(name)) customElements.define(name, class extends FilemonSimTerminal {});
}
