// The meta-mode lesson in the page: the steps of sim/lessons/meta.ts (the
// same the Node demo runs), each typed into the traced terminal, with the
// targets bmake rebuilt, its reasons, and the .meta record each reason
// points at. Steps may be taken in any order: the ones before are replayed
// out of sight first, so every step starts from the state it explains.
//
// Each step keeps its own outcome and its page is drawn from that alone; a
// step not yet run shows a prediction. One step runs at a time: Run on
// another step (or a link) queues it, and every page says which step runs.
import type { ExecResult } from '../sim/guest/machine.js';
import {
  META_STEPS,
  TARGETS,
  asExpected,
  citeRecords,
  explain,
  filemonRecords,
  predict,
  prepareCommand,
  readBmakeOutput,
  settleCommand,
  stepCommand,
  LESSON_PROJECT,
  type MetaOutcome,
  type MetaStep,
} from '../sim/lessons/meta.js';

export interface LessonHost {
  exec(cmd: string): Promise<ExecResult>;
  getFile(path: string): Promise<Uint8Array>;
  /** Resolves once the terminal is at its prompt; calls waiting() first if it is busy. */
  whenIdle(waiting: () => void): Promise<void>;
  /** Types cmd into the terminal (once it is at its prompt) and resolves with what it printed, once the prompt is back. */
  typeAndWait(cmd: string, waiting: () => void): Promise<string>;
}

/** One step's run, kept for its page. */
export interface StepResult {
  rebuilt: string[];
  reasons: string[];
  records: string[];
  /** The run did what the step promises. */
  ok: boolean;
  ms: number;
  outcome: MetaOutcome;
  /** obj/main.o.meta after the step. */
  mainMeta?: string;
}

/** What the tests and the benchmark read (window.playground.lesson). */
export interface LessonState {
  /** The step shown, from 1. */
  step: number;
  running: boolean;
  /** The step running (or waiting for the prompt to run). */
  runningStep?: number;
  /** Steps waiting for the running one to end, in order. */
  queued: number[];
  /** Steps finished in this page, by number (from 1): each keeps its own outcome. */
  results: Record<number, StepResult>;
  /** Why the last step failed, if it did. */
  error?: string;
  /** The step that failed. */
  errorStep?: number;
}

const decoder = new TextDecoder();
const OBJ = `${LESSON_PROJECT}/obj`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class MetaLesson {
  readonly state: LessonState = { step: 1, running: false, queued: [], results: {} };
  /** Last step run in order since the project was copied (0: copied, -1: not yet). */
  private done = -1;
  /** What the running step is doing, for the banner on every page. */
  private doing = '';
  /** Called when the step shown changes (the page updates its address). */
  onShow?: (n: number) => void;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: LessonHost,
  ) {
    this.render();
  }

  /** Shows step n (from 1) without running it. */
  select(n: number): void {
    const k = Math.min(Math.max(1, n), META_STEPS.length);
    const changed = k !== this.state.step;
    this.state.step = k;
    this.render();
    if (changed) this.onShow?.(k);
  }

  /** Runs step n (from 1), after the running and queued ones; resolves when it has run. */
  run(n: number): Promise<void> {
    return this.enqueue([n]);
  }

  /** Runs every step in order, from a fresh copy of the project (for a class). */
  runAll(): Promise<void> {
    this.state.queued = [];
    return this.enqueue(META_STEPS.map((_, i) => i + 1));
  }

  private drained: Promise<void> = Promise.resolve();

  private enqueue(steps: number[]): Promise<void> {
    for (const k of steps) if (k !== this.state.runningStep && !this.state.queued.includes(k)) this.state.queued.push(k);
    this.render();
    if (!this.state.running) this.drained = this.drain();
    return this.drained;
  }

  private async drain(): Promise<void> {
    this.state.running = true;
    try {
      while (this.state.queued.length) {
        const k = this.state.queued.shift()!;
        // A failed step leaves the project in an unknown state: what was queued after it would explain nothing.
        if (!(await this.runStep(k))) this.state.queued = [];
      }
    } finally {
      this.state.running = false;
      this.state.runningStep = undefined;
      this.render();
    }
  }

  /** Runs step k, replaying the steps before it if needed; false if it failed. */
  private async runStep(k: number): Promise<boolean> {
    const step = META_STEPS[k - 1];
    this.state.runningStep = k;
    this.state.error = this.state.errorStep = undefined;
    const waiting = () => this.progress(`Step ${k} will run when the current command ends (the terminal is busy; Ctrl-C there stops it)`);
    this.progress(`Step ${k} is running`);
    try {
      await this.host.whenIdle(waiting);
      const t0 = performance.now();
      if (this.done < 0 || this.done >= k) {
        this.progress(`Step ${k} is running: copying the project afresh`);
        await this.must(prepareCommand());
        this.done = 0;
      }
      for (let j = this.done + 1; j < k; j++) {
        this.progress(`Step ${k} is running: replaying step ${j} out of sight, so that step ${k} starts where it should`);
        await this.must(settleCommand());
        await this.must(stepCommand(META_STEPS[j - 1]));
        this.done = j;
      }
      await this.must(settleCommand());
      const before = step.kind === 'build' && k > 1 ? await this.metaFiles() : {};
      this.progress(`Step ${k} is running in the terminal`);
      const out = await this.host.typeAndWait(stepCommand(step), waiting);
      const outcome: MetaOutcome = step.kind === 'build' ? readBmakeOutput(out, OBJ) : { rebuilt: [], reasons: [] };
      citeRecords(outcome.reasons, before);
      this.done = k;
      this.state.results[k] = {
        rebuilt: outcome.rebuilt,
        reasons: outcome.reasons.map((r) => r.text),
        records: outcome.reasons.map((r) => r.record ?? ''),
        ok: step.kind === 'look' || asExpected(step, outcome),
        ms: performance.now() - t0,
        outcome,
        mainMeta: await this.readText(`${OBJ}/main.o.meta`),
      };
      return true;
    } catch (e) {
      this.state.error = e instanceof Error ? e.message : String(e);
      this.state.errorStep = k;
      this.done = -1;
      return false;
    } finally {
      this.state.runningStep = undefined;
      this.doing = '';
      this.render();
    }
  }

  private async must(cmd: string): Promise<string> {
    const r = await this.host.exec(cmd);
    if (r.status !== 0) throw new Error(`\`${cmd}\` failed (${r.status}): ${decoder.decode(r.stderr) || decoder.decode(r.stdout)}`);
    return decoder.decode(r.stdout);
  }

  private async readText(path: string): Promise<string | undefined> {
    try {
      return decoder.decode(await this.host.getFile(path));
    } catch {
      return undefined;
    }
  }

  /** The .meta files as they are before a step: the records bmake's reasons will point at. */
  private async metaFiles(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of TARGETS) {
      const text = await this.readText(`${OBJ}/${t}.meta`);
      if (text !== undefined) out[`${t}.meta`] = text;
    }
    return out;
  }

  private progress(text: string): void {
    this.doing = text;
    const p = this.root.querySelector('.lesson-running');
    if (p) p.textContent = this.banner();
    else this.render();
  }

  /** Which step runs and which wait, said on every page. */
  private banner(): string {
    const { runningStep, queued } = this.state;
    const parts: string[] = [];
    if (runningStep !== undefined) parts.push(`${this.doing || `Step ${runningStep} is running`}…`);
    if (queued.length) parts.push(`${queued.length === 1 ? 'Step' : 'Steps'} ${queued.join(', ')} will run after it.`);
    return parts.join(' ');
  }

  private render(): void {
    const n = this.state.step;
    const step = META_STEPS[n - 1];
    const { results, runningStep, queued } = this.state;
    const nav = el('ol', 'lesson-steps');
    nav.setAttribute('aria-label', 'Lesson steps');
    META_STEPS.forEach((s, i) => {
      const k = i + 1;
      const li = el('li');
      const state = results[k] ? 'done' : k === runningStep ? 'running' : queued.includes(k) ? 'queued' : 'not run yet';
      const b = el('button', `lesson-step${k === n ? ' current' : ''}${results[k] ? ' done' : ''}${k === runningStep ? ' running' : ''}`, String(k));
      b.title = s.name;
      b.dataset.step = String(k);
      if (k === n) b.setAttribute('aria-current', 'step');
      b.setAttribute('aria-label', `Step ${k}: ${s.name} (${state})`);
      b.addEventListener('click', () => this.select(k));
      li.append(b);
      nav.append(li);
    });
    const head = el('h3', 'lesson-title', `Step ${n} of ${META_STEPS.length}: ${step.name}`);
    const cmd = el('pre', 'lesson-command');
    cmd.append(el('code', undefined, `$ ${stepCommand(step)}`));
    const actions = el('div', 'lesson-actions');
    const runText = n === runningStep ? 'Running…' : queued.includes(n) ? `Step ${n} is queued` : results[n] ? `Run step ${n} again` : `Run step ${n}`;
    const runB = el('button', 'lesson-run', runText);
    runB.disabled = n === runningStep || queued.includes(n);
    runB.addEventListener('click', () => void this.run(n));
    const prev = el('button', 'lesson-prev', '◀ Previous');
    prev.disabled = n === 1;
    prev.addEventListener('click', () => this.select(n - 1));
    const next = el('button', 'lesson-next', 'Next ▶');
    next.disabled = n === META_STEPS.length;
    next.addEventListener('click', () => this.select(n + 1));
    const all = el('button', 'lesson-run-all', 'Run all steps');
    all.title = 'Runs steps 1 to 7 in order, each in the terminal, from a fresh copy of the project';
    all.disabled = this.state.running;
    all.addEventListener('click', () => void this.runAll());
    actions.append(prev, runB, next, all);
    const banner = el('p', 'lesson-running', this.banner());
    banner.setAttribute('aria-live', 'polite');
    const parts: HTMLElement[] = [nav, head, cmd, actions, banner];
    if (this.state.error && this.state.errorStep === n) {
      parts.push(el('p', 'lesson-error', `Step ${n} failed: ${this.state.error}. Press "Run step ${n}" to run it again from a fresh copy of the project.`));
    }
    const result = results[n];
    if (result) {
      parts.push(el('p', 'lesson-about', explain(step, { outcome: result.outcome, mainMeta: result.mainMeta })), this.outcomeView(step, result));
    } else {
      const p = el('p', 'lesson-prediction');
      p.append(el('strong', undefined, 'What should happen: '), document.createTextNode(predict(step)));
      const shows = `what bmake ${step.kind === 'look' ? 'recorded' : 'rebuilt and why'} appears here`;
      const when =
        n === runningStep
          ? 'It is running: '
          : queued.includes(n)
            ? `It is queued: once step ${runningStep} ends, its command is typed into the terminal, and `
            : `Press "Run step ${n}": the command is typed into the terminal, and `;
      const hint = el('p', 'lesson-hint', n === runningStep ? `${when}${shows} when it ends.` : `${when}${shows}.`);
      parts.push(p, hint);
    }
    this.root.replaceChildren(...parts);
  }

  private outcomeView(step: MetaStep, r: StepResult): HTMLElement {
    const box = el('div', 'lesson-outcome');
    if (step.kind === 'build') {
      const o = r.outcome;
      const rebuilt = el('p', 'lesson-rebuilt');
      rebuilt.append(el('strong', undefined, 'Rebuilt:'), document.createTextNode(' '), el('span', 'targets', o.rebuilt.length ? o.rebuilt.join(' ') : 'nothing'));
      const h = el('p');
      h.append(el('strong', undefined, 'bmake -dM says why'), document.createTextNode(' (and the .meta record it points at):'));
      const ul = el('ul', 'lesson-reasons');
      for (const why of o.reasons) {
        const li = el('li');
        li.append(el('code', 'reason', why.text));
        if (why.record) li.append(document.createTextNode(` ← ${why.meta} line ${why.line}: `), el('code', `record rec rec-${why.record[0]}`, why.record));
        ul.append(li);
      }
      if (!o.reasons.length) {
        // Targets with no .meta file yet are rebuilt without a -dM reason.
        ul.append(el('li', 'none', o.rebuilt.length ? 'no reason printed: these targets had no .meta file yet, so there was nothing to compare' : 'no reason to rebuild anything'));
      }
      box.append(rebuilt, h, ul);
    } else {
      const p = el('p');
      p.append(el('strong', undefined, 'The filemon section of obj/main.o.meta'), document.createTextNode(' (project files highlighted):'));
      const pre = el('div', 'lesson-meta records');
      for (const line of r.mainMeta ? filemonRecords(r.mainMeta) : []) {
        pre.append(el('div', `rec rec-${line[0]}${line.includes(` ${LESSON_PROJECT}/`) ? ' mark' : ''}`, line));
      }
      box.append(p, pre);
    }
    return box;
  }
}
