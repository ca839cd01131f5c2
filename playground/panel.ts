// The trace panel: each command line's records as they arrive (log lines
// coloured by letter, the manual's meaning on hover), a process tree and
// the file sets of the trace model, filters by letter and by pid.
import type { CommandGroup, ShellEvent, ShellSession } from '../sim/guest/shell-session.js';
import { formatEntry, isEvent, type LogEntry, type ProcessInfo, type FileRef, type FileMove } from '../sim/trace/index.js';
import { drawGraph, processGraph, ZoomPan } from './graph.js';
import { LETTERS, LETTER_MEANING } from '../sim/browser/letters.js';

/** The views of the right-hand panel, one tab each. */
export type PanelView = 'records' | 'tree' | 'files' | 'graph' | 'lesson';

export interface PanelElements {
  records: HTMLElement;
  tree: HTMLElement;
  files: HTMLElement;
  /** The process graph's view: a command chooser, the picture's frame, zoom buttons and the SVG download. */
  graph: { root: HTMLElement; frame: HTMLElement; command: HTMLSelectElement; caption: HTMLElement };
  /** The meta-mode lesson's view (drawn by playground/lesson.ts). */
  lesson: HTMLElement;
  letterFilters: HTMLElement;
  pidFilter: HTMLInputElement;
  status: HTMLElement;
}

export class TracePanel {
  /** Every command line's section, of this shell and the ones before it (an `exit` or a reset keeps them). */
  private readonly sections = new Map<CommandGroup, { id: number; root: HTMLElement; title: HTMLElement; meta: HTMLElement; list: HTMLElement }>();
  private shellPid = 0;
  private readonly pidStyle = document.createElement('style');
  private view: PanelView = 'records';
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Called after a record row is added (for the tests and the benchmark). */
  onRow?: (kind: string, text: string) => void;
  /** Called after the process graph is drawn, with its number of processes (for the tests and the benchmark). */
  onGraph?: (processes: number, ms: number) => void;
  readonly zoom: ZoomPan;
  private graphFrame = 0;
  private graphDrawn: CommandGroup | undefined;
  /** The group the picture is of: the latest command line unless one is chosen. */
  private graphGroup: CommandGroup | 'latest' = 'latest';

  constructor(
    private readonly el: PanelElements,
    private readonly session: ShellSession,
  ) {
    document.head.append(this.pidStyle);
    for (const l of LETTERS) {
      const label = document.createElement('label');
      label.className = `letter rec-${l}`;
      label.title = LETTER_MEANING[l];
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.letter = l;
      box.addEventListener('change', () => el.records.classList.toggle(`hide-${l}`, !box.checked));
      label.append(box, l);
      el.letterFilters.append(label);
    }
    el.pidFilter.addEventListener('input', () => this.applyPidFilter());
    this.zoom = new ZoomPan(el.graph.frame);
    el.graph.command.addEventListener('change', () => {
      const v = el.graph.command.value;
      this.graphGroup = v === 'latest' ? 'latest' : ([...this.sections].find(([, s]) => String(s.id) === v)?.[0] ?? 'latest');
      this.refreshModel();
    });
    session.on((e) => this.onEvent(e));
  }

  show(view: PanelView): void {
    this.view = view;
    this.el.records.hidden = view !== 'records';
    this.el.tree.hidden = view !== 'tree';
    this.el.files.hidden = view !== 'files';
    this.el.graph.root.hidden = view !== 'graph';
    this.el.lesson.hidden = view !== 'lesson';
    this.refreshModel();
  }

  private applyPidFilter(): void {
    const pid = this.el.pidFilter.value.trim();
    const ok = /^\d+$/.test(pid);
    this.pidStyle.textContent = ok ? `.records .rec:not([data-pids~="${pid}"]) { display: none; }` : '';
    this.refreshModel();
  }

  private pidFilter(): number | null {
    const v = this.el.pidFilter.value.trim();
    return /^\d+$/.test(v) ? Number(v) : null;
  }

  private onEvent(e: ShellEvent): void {
    switch (e.type) {
      case 'session-start':
        this.shellPid = e.pid;
        this.status(`shell pid ${e.pid}: every command in the terminal is traced`);
        break;
      case 'command': {
        const id = this.addSection(e.command);
        if (isCommandLine(e.command)) this.el.graph.command.append(new Option(`$ ${e.command.line}`, String(id)));
        this.scheduleRefresh();
        break;
      }
      case 'entries': {
        const s = this.sections.get(e.command);
        if (!s) return;
        const stick = this.atBottom();
        for (const entry of e.entries) this.addRow(s.list, entry, false);
        this.updateMeta(e.command);
        if (stick) this.scrollDown();
        this.scheduleRefresh();
        break;
      }
      case 'prompt': {
        const s = this.sections.get(e.command);
        if (!s) return;
        // Records after the prompt moved to the next group (sim/guest/shell-session.ts); at-prompt records may turn out a line typed ahead.
        const kept = new Set(e.command.entries.map((x) => String(x.line)));
        for (const row of Array.from(s.list.children) as HTMLElement[]) if (!kept.has(row.dataset.line ?? '')) row.remove();
        s.title.textContent = this.titleOf(e.command);
        s.root.classList.toggle('completion', !!e.command.completion);
        if (isCommandLine(e.command) && !this.el.graph.command.querySelector(`option[value="${s.id}"]`)) {
          this.el.graph.command.append(new Option(`$ ${e.command.line}`, String(s.id)));
        }
        // The shell's prompt-drawing records, dimmed.
        for (const p of e.command.promptEvents) {
          const row = s.list.querySelector(`[data-line="${p.line}"]`);
          if (row) {
            row.classList.add('prompt');
            (row as HTMLElement).title = `${LETTER_MEANING[p.kind]}: the shell itself, before drawing its prompt (busybox looks the user up in /etc/passwd)`;
          }
        }
        this.updateMeta(e.command);
        this.scheduleRefresh();
        break;
      }
      case 'warning':
        this.status(e.message);
        break;
      case 'session-end':
        this.status(`the shell ended (${e.status}); the log is complete`);
        break;
      default:
        break;
    }
  }

  /** Adds g's section; returns its id (unique across shells). */
  private addSection(g: CommandGroup): number {
    const id = this.sections.size;
    const root = document.createElement('div');
    root.className = `group running${g.index === 0 ? ' shell-start' : ''}${g.completion ? ' completion' : ''}`;
    root.dataset.index = String(g.index);
    const h = document.createElement('h3');
    const title = document.createElement('span');
    title.className = 'line';
    title.textContent = this.titleOf(g);
    const meta = document.createElement('span');
    meta.className = 'meta';
    h.append(title, meta);
    const list = document.createElement('div');
    list.className = 'list';
    root.append(h, list);
    const stick = this.atBottom();
    this.el.records.append(root);
    this.sections.set(g, { id, root, title, meta, list });
    // The previous group is over once a new one starts.
    for (const [pg, s] of this.sections) if (pg !== g) s.root.classList.remove('running');
    this.updateMeta(g);
    if (stick) this.scrollDown();
    return id;
  }

  private titleOf(g: CommandGroup): string {
    if (g.index === 0) return `a new shell, pid ${this.shellPid}`;
    return g.completion ? 'at the prompt: the shell completing a word (Tab)' : `$ ${g.line}`;
  }

  private addRow(list: HTMLElement, entry: LogEntry, _prompt: boolean): void {
    const row = document.createElement('div');
    const text = formatEntry(entry).replace(/\n$/, '');
    row.textContent = text;
    row.dataset.line = String(entry.line);
    if (isEvent(entry)) {
      row.className = `rec rec-${entry.kind}`;
      row.title = LETTER_MEANING[entry.kind];
      row.dataset.pids = entry.kind === 'F' ? `${entry.pid} ${entry.child}` : String(entry.pid);
    } else {
      row.className = 'rec note';
      row.dataset.pids = '';
      row.title = entry.kind === 'error' ? entry.message : 'header or footer line of the log';
    }
    list.append(row);
    this.onRow?.(isEvent(entry) ? entry.kind : entry.kind, text);
  }

  private updateMeta(g: CommandGroup): void {
    const s = this.sections.get(g);
    if (!s) return;
    const n = g.events.length;
    s.meta.textContent = `${n} record${n === 1 ? '' : 's'}`;
    s.root.classList.toggle('running', !g.done);
  }

  private atBottom(): boolean {
    const r = this.el.records;
    return r.scrollHeight - r.scrollTop - r.clientHeight < 40;
  }

  private scrollDown(): void {
    this.el.records.scrollTop = this.el.records.scrollHeight;
  }

  status(text: string): void {
    this.el.status.textContent = text;
  }

  private scheduleRefresh(): void {
    if (this.view === 'graph') {
      // The picture follows the records at most once a frame.
      if (!this.graphFrame)
        this.graphFrame = requestAnimationFrame(() => {
          this.graphFrame = 0;
          this.refreshModel();
        });
      return;
    }
    if (this.view === 'records' || this.view === 'lesson' || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshModel();
    }, 150);
  }

  /** The group the picture shows. */
  graphCommand(): CommandGroup | undefined {
    if (this.graphGroup !== 'latest') return this.graphGroup;
    const groups = [...this.sections.keys()].filter(isCommandLine);
    return groups[groups.length - 1];
  }

  private drawGraph(): void {
    const g = this.graphCommand();
    const cap = this.el.graph.caption;
    if (!g) {
      this.el.graph.frame.replaceChildren();
      cap.textContent = 'Type a command: its processes are drawn here.';
      return;
    }
    const t0 = performance.now();
    const model = processGraph(g.events);
    const title = `Processes of: ${g.line}`;
    const svg = drawGraph(model, title);
    this.el.graph.frame.replaceChildren(svg);
    if (g === this.graphDrawn) this.zoom.keep();
    else this.zoom.fit();
    this.graphDrawn = g;
    const exits = model.nodes.filter((n) => n.exit).length;
    const part = this.zoom.whole ? '' : ' · too big to read whole: its top is shown, drag or zoom out (−) for the rest';
    cap.textContent = `${title} · ${model.nodes.length} process${model.nodes.length === 1 ? '' : 'es'}, ${exits} exited${g.done ? '' : ' (running)'}${part} · drag to pan, wheel or + − to zoom, 0 to fit`;
    this.onGraph?.(model.nodes.length, performance.now() - t0);
  }

  /** The command line each process of this shell was started by, by pid. */
  private commandLines(): Map<number, string> {
    const out = new Map<number, string>();
    for (const g of this.session.commands) {
      if (!isCommandLine(g)) continue;
      for (const e of g.events) if (e.kind === 'F' && !out.has(e.child)) out.set(e.child, g.line);
    }
    return out;
  }

  /** Redraws the process tree or the file sets from the trace model. */
  refreshModel(): void {
    if (this.view === 'records' || this.view === 'lesson') return;
    if (this.view === 'graph') {
      this.drawGraph();
      return;
    }
    const trace = this.session.traceModel();
    const pid = this.pidFilter();
    const lineOf = this.commandLines();
    if (this.view === 'tree') {
      const tree = trace.processes();
      const ul = document.createElement('ul');
      const item = (p: ProcessInfo): HTMLElement => {
        const li = document.createElement('li');
        const exe = p.execs.length ? p.execs[p.execs.length - 1].given : '';
        const exit = p.exit ? (p.exit.signal ? `killed by signal ${p.exit.signal}` : `exit ${p.exit.status}`) : 'no X record yet';
        li.innerHTML = '<span class="pid"></span> <span class="exe"></span> <span class="exit"></span>';
        (li.children[0] as HTMLElement).textContent = String(p.pid);
        (li.children[1] as HTMLElement).textContent = exe;
        (li.children[2] as HTMLElement).textContent = `(${exit})`;
        // busybox runs its applets as /proc/self/exe: the command line says which one.
        const line = lineOf.get(p.pid);
        if (exe === '/proc/self/exe' && line) {
          const c = document.createElement('span');
          c.className = 'cmdline';
          c.textContent = ` a busybox applet, from the command line: ${line}`;
          li.children[1].after(c);
        }
        if (pid !== null && p.pid === pid) li.style.outline = '1px solid var(--accent)';
        if (p.children.length) {
          const sub = document.createElement('ul');
          for (const c of p.children) sub.append(item(c));
          li.append(sub);
        }
        return li;
      };
      for (const r of tree.roots) ul.append(item(r));
      this.el.tree.replaceChildren(ul);
      if (!tree.roots.length) this.el.tree.textContent = 'No processes yet.';
    } else {
      const f = trace.files();
      const keep = (r: FileRef) => pid === null || r.pid === pid;
      const parts: Array<[string, string, string[]]> = [
        ['Read (R)', 'R', f.read.filter(keep).map((r) => r.path)],
        ['Written (W)', 'W', f.written.filter(keep).map((r) => r.path)],
        ['Executed (E)', 'E', f.executed.filter(keep).map((r) => r.path)],
        ['Deleted (D)', 'D', f.deleted.filter(keep).map((r) => r.path)],
        ['Renamed (M)', 'M', f.renamed.filter((m: FileMove) => keep(m.from)).map((m) => `${m.from.path} → ${m.to.path}`)],
        ['Linked (L)', 'L', f.linked.filter((m: FileMove) => keep(m.from)).map((m) => `${m.from.path} → ${m.to.path}`)],
      ];
      const out: HTMLElement[] = [];
      for (const [title, letter, items] of parts) {
        const h = document.createElement('h4');
        h.className = `rec-${letter}`;
        h.textContent = `${title}: ${items.length}`;
        h.title = LETTER_MEANING[letter];
        const ul = document.createElement('ul');
        for (const p of items) {
          const li = document.createElement('li');
          li.textContent = p;
          ul.append(li);
        }
        if (!items.length) ul.innerHTML = '<li class="none">none</li>';
        out.push(h, ul);
      }
      this.el.files.replaceChildren(...out);
    }
  }
}

/** A group of a command line (not the shell's start, nor its completion at the prompt). */
function isCommandLine(g: CommandGroup): boolean {
  return g.index > 0 && !g.completion;
}
