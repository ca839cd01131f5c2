// The meta-mode lesson in the page: the steps of sim/meta-lesson.ts (the
// same the Node demo runs), each typed into the traced terminal, with the
// targets bmake rebuilt, its reasons, and the .meta record each reason
// points at. Steps may be taken in any order: the ones before are replayed
// out of sight first, so every step starts from the state it explains.
import type { ExecResult } from '../sim/machine.js';
import {
  META_STEPS, TARGETS, citeRecords, explain, filemonRecords, prepareCommand, readBmakeOutput, sameTargets, settleCommand, stepCommand,
  LESSON_PROJECT, type MetaOutcome, type MetaStep,
} from '../sim/meta-lesson.js';

export interface LessonHost {
  exec(cmd: string): Promise<ExecResult>;
  getFile(path: string): Promise<Uint8Array>;
  /** Types cmd into the terminal and resolves with what it printed, once the prompt is back. */
  typeAndWait(cmd: string): Promise<string>;
}

/** What the tests and the benchmark read (window.playground.lesson). */
export interface LessonState {
  step: number;
  running: boolean;
  /** Steps finished in this page, by number (from 1). */
  results: Record<number, { rebuilt: string[]; reasons: string[]; records: string[]; ok: boolean; ms: number }>;
  error?: string;
}

const decoder = new TextDecoder();
const OBJ = `${LESSON_PROJECT}/obj`;

export class MetaLesson {
  readonly state: LessonState = { step: 1, running: false, results: {} };
  /** Last step run in order since the project was copied (0: copied, -1: not yet). */
  private done = -1;
  /** Called when a step finishes (the page updates the link). */
  onStep?: (n: number) => void;

  constructor(private readonly root: HTMLElement, private readonly host: LessonHost) {
    this.render();
  }

  /** Shows step n (from 1) without running it. */
  select(n: number): void {
    this.state.step = Math.min(Math.max(1, n), META_STEPS.length);
    this.render();
  }

  /** Runs step n (from 1), replaying the steps before it if needed. */
  async run(n: number): Promise<void> {
    if (this.state.running) return;
    this.select(n);
    const step = META_STEPS[this.state.step - 1];
    this.state.running = true;
    this.state.error = undefined;
    this.render();
    const t0 = performance.now();
    try {
      const k = this.state.step;
      if (this.done < 0 || this.done >= k) {
        this.progress('copying the project afresh');
        await this.must(prepareCommand());
        this.done = 0;
      }
      for (let j = this.done + 1; j < k; j++) {
        this.progress(`replaying step ${j} out of sight, so that step ${k} starts where it should`);
        await this.must(settleCommand());
        await this.must(stepCommand(META_STEPS[j - 1]));
        this.done = j;
      }
      this.progress(`running step ${k} in the terminal`);
      await this.must(settleCommand());
      const before = step.kind === 'build' && k > 1 ? await this.metaFiles() : {};
      const out = await this.host.typeAndWait(stepCommand(step));
      const outcome: MetaOutcome = step.kind === 'build' ? readBmakeOutput(out, OBJ) : { rebuilt: [], reasons: [] };
      citeRecords(outcome.reasons, before);
      const mainMeta = await this.readText(`${OBJ}/main.o.meta`);
      this.done = k;
      const reasonsOk = step.reasons.every((re) => outcome.reasons.some((r) => re.test(r.text))) && (step.reasons.length > 0 || outcome.reasons.length === 0);
      this.state.results[k] = {
        rebuilt: outcome.rebuilt,
        reasons: outcome.reasons.map((r) => r.text),
        records: outcome.reasons.map((r) => r.record ?? ''),
        ok: sameTargets(outcome.rebuilt, step.expect) && reasonsOk,
        ms: performance.now() - t0,
      };
      this.render({ outcome, mainMeta });
      this.onStep?.(k);
    } catch (e) {
      this.state.error = e instanceof Error ? e.message : String(e);
      this.done = -1;
      this.render();
    } finally {
      this.state.running = false;
      const b = this.root.querySelector<HTMLButtonElement>('.lesson-run');
      if (b) {
        b.disabled = false;
        b.textContent = `Run step ${this.state.step} again`;
      }
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
    const p = this.root.querySelector('.lesson-progress');
    if (p) p.textContent = `${text}…`;
  }

  private render(facts?: { outcome: MetaOutcome; mainMeta?: string }): void {
    const n = this.state.step;
    const step = META_STEPS[n - 1];
    const el = (tag: string, cls?: string, text?: string) => {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const nav = el('ol', 'lesson-steps');
    nav.setAttribute('aria-label', 'Lesson steps');
    META_STEPS.forEach((s, i) => {
      const li = el('li');
      const b = el('button', `lesson-step${i + 1 === n ? ' current' : ''}${this.state.results[i + 1] ? ' done' : ''}`, String(i + 1)) as HTMLButtonElement;
      b.title = s.name;
      b.dataset.step = String(i + 1);
      if (i + 1 === n) b.setAttribute('aria-current', 'step');
      b.setAttribute('aria-label', `Step ${i + 1}: ${s.name}`);
      b.addEventListener('click', () => this.select(i + 1));
      li.append(b);
      nav.append(li);
    });
    const head = el('h3', 'lesson-title', `Step ${n} of ${META_STEPS.length}: ${step.name}`);
    const cmd = el('pre', 'lesson-command');
    cmd.append(el('code', undefined, `$ ${stepCommand(step)}`));
    const actions = el('div', 'lesson-actions');
    const runB = el('button', 'lesson-run', this.state.running ? 'Running…' : `Run step ${n}`) as HTMLButtonElement;
    runB.disabled = this.state.running;
    runB.addEventListener('click', () => void this.run(n));
    const prev = el('button', 'lesson-prev', '◀ Previous') as HTMLButtonElement;
    prev.disabled = n === 1;
    prev.addEventListener('click', () => this.select(n - 1));
    const next = el('button', 'lesson-next', 'Next ▶') as HTMLButtonElement;
    next.disabled = n === META_STEPS.length;
    next.addEventListener('click', () => this.select(n + 1));
    actions.append(prev, runB, next);
    const progress = el('p', 'lesson-progress');
    progress.setAttribute('aria-live', 'polite');
    const result = this.state.results[n];
    const about = el('p', 'lesson-about', explain(step, facts ?? {}));
    const parts: HTMLElement[] = [nav, head, cmd, actions, progress, about];
    if (this.state.error) parts.push(el('p', 'lesson-error', `The step failed: ${this.state.error}`));
    if (result && facts) parts.push(...this.outcomeView(step, facts.outcome, facts.mainMeta));
    else if (!result) parts.push(el('p', 'lesson-hint', `Press "Run step ${n}": the command is typed into the terminal, and what bmake rebuilt and why appears here.`));
    this.root.replaceChildren(...parts);
  }

  private outcomeView(step: MetaStep, o: MetaOutcome, mainMeta?: string): HTMLElement[] {
    const out: HTMLElement[] = [];
    const box = document.createElement('div');
    box.className = 'lesson-outcome';
    if (step.kind === 'build') {
      const r = document.createElement('p');
      r.className = 'lesson-rebuilt';
      r.innerHTML = '<strong>Rebuilt:</strong> <span class="targets"></span>';
      r.querySelector('.targets')!.textContent = o.rebuilt.length ? o.rebuilt.join(' ') : 'nothing';
      box.append(r);
      const h = document.createElement('p');
      h.innerHTML = '<strong>bmake -dM says why</strong> (and the .meta record it points at):';
      box.append(h);
      const ul = document.createElement('ul');
      ul.className = 'lesson-reasons';
      for (const why of o.reasons) {
        const li = document.createElement('li');
        const t = document.createElement('code');
        t.className = 'reason';
        t.textContent = why.text;
        li.append(t);
        if (why.record) {
          const rec = document.createElement('code');
          rec.className = `record rec rec-${why.record[0]}`;
          rec.textContent = why.record;
          li.append(document.createTextNode(` ← ${why.meta} line ${why.line}: `), rec);
        }
        ul.append(li);
      }
      if (!o.reasons.length) ul.innerHTML = '<li class="none">no reason to rebuild anything</li>';
      box.append(ul);
    } else {
      const p = document.createElement('p');
      p.innerHTML = '<strong>The filemon section of obj/main.o.meta</strong> (project files highlighted):';
      const pre = document.createElement('div');
      pre.className = 'lesson-meta records';
      for (const line of mainMeta ? filemonRecords(mainMeta) : []) {
        const d = document.createElement('div');
        d.className = `rec rec-${line[0]}${line.includes(` ${LESSON_PROJECT}/`) ? ' mark' : ''}`;
        d.textContent = line;
        pre.append(d);
      }
      box.append(p, pre);
    }
    out.push(box);
    return out;
  }
}
