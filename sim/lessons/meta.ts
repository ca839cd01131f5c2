// The meta-mode lesson: bmake's meta mode in the guest, step by step, the
// use case filemon exists for. One definition, used by the Node demo
// (`npm run demo:meta`, sim/lessons/meta-demo.ts) and the playground page
// (playground/lesson.ts). Browser-safe: no Node module here.
//
// A small C project whose Makefile names no header is built with bmake in
// meta mode (object directory ./obj) and tcc; then files are touched or
// deleted and `bmake -dM` is run again. Which targets bmake rebuilt is read
// from its own output ("Building ..." lines: .MAKE.MODE = meta verbose), and
// why from its -dM debug lines, which name the .meta file and the line of
// the record that decided: "obj/main.o.meta: 27: file '.../eval.h' is newer
// than the target...".

/** Where the image installs the demo project (images/linux/guest/demo/meta-project). */
export const DEMO_SOURCE = '/usr/share/filemon-sim/meta-project';
/** Where the lesson copies it; not under /tmp, which meta mode ignores. */
const LESSON_HOME = '/home/demo';
export const LESSON_PROJECT = `${LESSON_HOME}/meta-project`;

/**
 * File times are set explicitly, never left to the clock: meta mode compares
 * whole seconds (a file is newer only if its mtime's second is greater), so a
 * change made within the second of a build would go unseen. Sources get T0,
 * everything in the object directory T1 before each step, a touched file T2.
 */
export const TIMES = { sources: '2024-01-01 00:00:00', objects: '2024-01-01 01:00:00', touched: '2024-01-01 02:00:00' };

/** The targets of the project, relative to the object directory. */
export const TARGETS = ['main.o', 'lexer.o', 'eval.o', 'calc'];

export interface MetaStep {
  /** Short id, stable for links and tests. */
  id: string;
  /** Title shown in the page and printed by the demo. */
  name: string;
  /** 'build' runs bmake after the change; 'look' only shows a file. */
  kind: 'build' | 'look';
  /** Shell command run in the project directory before bmake ('' for none). */
  change: string;
  /** Targets expected to be rebuilt, relative to the object directory. */
  expect: string[];
  /** What bmake's -dM output must say for this step (each a regular expression over one reason line). */
  reasons: RegExp[];
  /** What the step should do, said before it runs, as a prediction; {expect} and {expectCount} are filled from `expect` (see predict()). */
  predict: string;
  /**
   * Two or three sentences on what happened and why, shown only when the run
   * went as `expect` and `reasons` say; {placeholders} are filled from the
   * run (see explain()).
   */
  about: string;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const newer = (file: string) => new RegExp(`file '${esc(`${LESSON_PROJECT}/${file}`)}' is newer than the target`);

/** The lesson's steps, in order. Step numbers in links (#lesson=meta&step=N) count from 1. */
export const META_STEPS: MetaStep[] = [
  {
    id: 'build',
    name: 'First build in meta mode',
    kind: 'build',
    change: '',
    expect: ['main.o', 'lexer.o', 'eval.o', 'calc'],
    reasons: [],
    predict: 'Nothing is built yet, so bmake should build {expect} ({expectCount}) and write a .meta file for each: the command it ran and the filemon log of that command.',
    about:
      'bmake built {rebuiltCount}, {rebuilt}, since none existed yet (a target with no .meta file is simply out of date, so -dM gives no reason), and for each one wrote a .meta file in obj/: the command it ran and, after "-- filemon acquired metadata --", the filemon log of that command. The Makefile names no header, yet main.o.meta now holds {mainReads}, such as {evalRecord}: the dependencies were learnt from the trace.',
  },
  {
    id: 'meta',
    name: "Look at main.o's .meta file",
    kind: 'look',
    change: '',
    expect: [],
    reasons: [],
    predict: "This shows the filemon section of obj/main.o.meta as the last build left it: the records of `tcc -c main.c`, which bmake compares with main.o's time on its next run. Nothing is built.",
    about:
      "The filemon section of obj/main.o.meta is the log of `tcc -c main.c`: an E record for the compiler ({tccRecord}), an R record for every file it opened for reading (its own headers, /usr/include, and the project's: {projectReads}), a W record for main.o and the X record of its exit. On the next run bmake reads these lines back and compares each R file with main.o's time.",
  },
  {
    id: 'header',
    name: 'Touch eval.h, a header the Makefile never names',
    kind: 'build',
    change: `touch -d '${TIMES.touched}' eval.h`,
    expect: ['main.o', 'eval.o', 'calc'],
    reasons: [newer('eval.h')],
    predict:
      'eval.h is named by no Makefile rule. If the trace is right, bmake should rebuild {expect} ({expectCount}): the objects whose compiler opened eval.h, and calc, which links them. lexer.c never includes eval.h, so lexer.o should stay.',
    about:
      "eval.h appears nowhere in the Makefile, yet bmake rebuilt {rebuiltCount}, {rebuilt}. It gave {reasonCount}, each saying \"file '…/eval.h' is newer than the target\" and pointing at the R record of eval.h in the object's .meta file ({reasonRecord}). lexer.o was not rebuilt: lexer.c never opened eval.h, so lexer.o.meta has no R record of it.",
  },
  {
    id: 'nested',
    name: 'Touch lexer.h, included through eval.h',
    kind: 'build',
    change: `touch -d '${TIMES.touched}' lexer.h`,
    expect: ['main.o', 'lexer.o', 'eval.o', 'calc'],
    reasons: [newer('lexer.h')],
    predict: 'lexer.c includes lexer.h, and main.c and eval.c include it through eval.h. filemon logs every open, nested includes too, so bmake should rebuild {expect} ({expectCount}).',
    about:
      'main.c and eval.c include lexer.h only through eval.h, but filemon logs every open, nested includes too, so every object was rebuilt, and calc with them: {rebuiltCount}, {rebuilt}. bmake gave {reasonCount}; the records cited are the R lines of lexer.h in each .meta file ({reasonRecord}).',
  },
  {
    id: 'unrelated',
    name: 'Touch NOTES, a file no command reads',
    kind: 'build',
    change: `touch -d '${TIMES.touched}' NOTES`,
    expect: [],
    reasons: [],
    predict: 'NOTES will be newer than every target, but no command of the build reads it, so bmake should rebuild nothing.',
    about:
      'NOTES is newer than every target, but no .meta file has an R record of it (no command of the build opened it), so bmake rebuilds nothing and gives no reason. A build that depended on "every file in the folder" would have rebuilt everything.',
  },
  {
    id: 'override',
    name: 'Delete local/config.h, an override header',
    kind: 'build',
    change: 'rm local/config.h',
    expect: ['main.o', 'eval.o', 'calc'],
    reasons: [new RegExp(`missing files: ${esc(`${LESSON_PROJECT}/local/config.h`)}`)],
    predict: 'main.o and eval.o were compiled from local/config.h. Nothing will be newer, but a file they read will be missing, so bmake should rebuild {expect} ({expectCount}).',
    about:
      'The compiler searches local/ before include/, so main.o and eval.o were made from local/config.h; now it is gone, and bmake rebuilt {rebuiltCount}, {rebuilt}, because a file the command read by an absolute path is missing ({reasonRecord}). Nothing is newer here: only the trace knew that these objects read that file, and the rebuilt calc now uses include/config.h.',
  },
  {
    id: 'settled',
    name: 'Run bmake again: nothing changed',
    kind: 'build',
    change: '',
    expect: [],
    reasons: [],
    predict: 'Nothing changed since the last build, so bmake should rebuild nothing.',
    about:
      "The new .meta files record include/config.h instead, and every file they list is older than its target, so bmake has nothing to do. The build learnt its new dependencies from the last run's trace, with no Makefile edit.",
  },
];

/** The bmake command each build step runs (compat mode unless jobs is given; the Makefile's tcc unless cc names another compiler). */
export function bmakeCommand(jobs?: number, cc?: string): string {
  return `bmake -dM${jobs ? ` -j${jobs}` : ''}${cc ? ` CC=${cc}` : ''}`;
}

/** The command a visitor types (or the demo runs) for step: cd, change, bmake or a look at the .meta file. */
export function stepCommand(step: MetaStep, jobs?: number, cc?: string): string {
  if (step.kind === 'look') return `cd ${LESSON_PROJECT} && sed -n '/filemon acquired/,$p' obj/main.o.meta`;
  return `cd ${LESSON_PROJECT} && ${step.change ? `${step.change} && ` : ''}${bmakeCommand(jobs, cc)}`;
}

/** Shell command that copies the project afresh (run out of sight before the first step). */
export function prepareCommand(): string {
  return `rm -rf '${LESSON_PROJECT}' && mkdir -p '${LESSON_HOME}' && cp -a '${DEMO_SOURCE}' '${LESSON_PROJECT}' && mkdir '${LESSON_PROJECT}/obj'`;
}

/** Shell command, run in the project before each step, that puts sources at T0 and objects at T1. */
export function settleCommand(): string {
  return `cd '${LESSON_PROJECT}' && find . -path ./obj -prune -o -exec touch -d '${TIMES.sources}' {} + && find obj -exec touch -d '${TIMES.objects}' {} +`;
}

/** A line of bmake -dM's output that gives a reason to rebuild. */
export const isReasonLine = (line: string): boolean => REASON.test(line);
const REASON = /is newer than the target|missing files|required but missing|build command has changed|extra build commands|missing filemon data|working directory has changed/;

/** One of bmake -dM's reasons, with the .meta file and line it names. */
export interface MetaReason {
  /** The line as printed, object directory removed. */
  text: string;
  /** The .meta file named, relative to the object directory (main.o.meta). */
  meta?: string;
  /** The line number in that .meta file bmake gives. */
  line?: number;
  /** The file the reason is about. */
  file?: string;
  /** The record at that line of the .meta file as it was before the step (filled in by the caller). */
  record?: string;
}

/** What one run of bmake did, read from its output. */
export interface MetaOutcome {
  /** Targets bmake built, relative to the object directory, in the order it started them. */
  rebuilt: string[];
  reasons: MetaReason[];
}

/** Reads bmake's output (stdout and stderr, together or apart): which targets it built and why. */
export function readBmakeOutput(text: string, objdir = `${LESSON_PROJECT}/obj`): MetaOutcome {
  const rel = (p: string) => (p.startsWith(`${objdir}/`) ? p.slice(objdir.length + 1) : p);
  const lines = text.replace(/\r/g, '').split('\n');
  const rebuilt: string[] = [];
  for (const l of lines) {
    const m = /^Building (\S+)\s*$/.exec(l);
    if (m) rebuilt.push(rel(m[1]));
  }
  const reasons: MetaReason[] = [];
  for (const raw of lines) {
    if (!isReasonLine(raw)) continue;
    const l = raw.trim();
    // "X.meta: 51: file '/p' is newer than the target..." or "X.meta: missing files: /p..."
    const m = /^(\S+\.meta):(?: (\d+):)? (?:file '([^']+)'|missing files: (\S+?)(?:\.\.\.)?$)?/.exec(l);
    reasons.push({
      text: l.split(`${objdir}/`).join(''),
      meta: m ? rel(m[1]) : undefined,
      line: m?.[2] ? Number(m[2]) : undefined,
      file: m ? (m[3] ?? m[4]) : undefined,
    });
  }
  return { rebuilt, reasons };
}

/**
 * Fills in each reason's record from the .meta files' text as it was before
 * the step: the line bmake names ("newer than the target" gives one), else
 * (a missing file gives none) the first record of the file it names.
 */
export function citeRecords(reasons: MetaReason[], metaBefore: Record<string, string>): void {
  for (const r of reasons) {
    const text = r.meta !== undefined ? metaBefore[r.meta] : undefined;
    if (text === undefined || !r.file) continue;
    const lines = text.split('\n');
    const names = (l: string | undefined) => l !== undefined && /^[A-Z] \d+ /.test(l) && l.replace(/^[A-Z] \d+ /, '') === r.file;
    if (r.line && names(lines[r.line - 1])) {
      r.record = lines[r.line - 1];
      continue;
    }
    const at = lines.findIndex(names);
    if (at >= 0) {
      r.line = at + 1;
      r.record = lines[at];
    }
  }
}

/** Same targets, whatever the order (job mode starts them in any order). */
export function sameTargets(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join(' ') === [...b].sort().join(' ');
}

/** The lines of a .meta file's filemon section (after the marker), without header and footer. */
export function filemonRecords(metaText: string): string[] {
  const at = metaText.indexOf('-- filemon acquired metadata --');
  if (at < 0) return [];
  return metaText
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((l) => /^[A-Z] /.test(l));
}

/** What explain() may cite. */
export interface ExplainFacts {
  outcome?: MetaOutcome;
  /** obj/main.o.meta's text (after the step for 'build' and 'look'). */
  mainMeta?: string;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** "no targets", "one target", "three targets": a count in words with its noun. */
function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${NUMBER_WORDS[n] ?? String(n)} ${n === 1 ? noun : plural}`;
}

/** "main.o", "main.o and calc", "main.o, eval.o and calc". */
function listOf(items: readonly string[], none = 'nothing'): string {
  if (!items.length) return none;
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Did the run do what the step promises: the expected targets, and the reasons it must give (none when it lists none)? */
export function asExpected(step: MetaStep, outcome: MetaOutcome): boolean {
  const reasonsOk = step.reasons.every((re) => outcome.reasons.some((r) => re.test(r.text))) && (step.reasons.length > 0 || outcome.reasons.length === 0);
  return sameTargets(outcome.rebuilt, step.expect) && reasonsOk;
}

/** What step should do, said before it runs. */
export function predict(step: MetaStep): string {
  const values: Record<string, string> = { expect: listOf(step.expect), expectCount: countOf(step.expect.length, 'target') };
  return step.predict.replace(/\{(\w+)\}/g, (all, k: string) => values[k] ?? all);
}

/**
 * What the run showed, in words drawn from it: the step's sentences when the
 * run went as expected, otherwise what it did and how that differs (the
 * step's sentences would then be wrong).
 */
export function explain(step: MetaStep, facts: ExplainFacts): string {
  const o = facts.outcome ?? { rebuilt: [], reasons: [] };
  if (step.kind === 'build' && !asExpected(step, o)) {
    return `This run did not go as the lesson expects: bmake rebuilt ${countOf(o.rebuilt.length, 'target')} (${listOf(o.rebuilt)}) and gave ${countOf(o.reasons.length, 'reason')}, where it should have rebuilt ${countOf(step.expect.length, 'target')} (${listOf(step.expect)}). bmake's own output is in the terminal.`;
  }
  const recs = facts.mainMeta ? filemonRecords(facts.mainMeta) : [];
  const projectReads = recs.filter((r) => r.startsWith('R ') && r.includes(` ${LESSON_PROJECT}/`));
  const cited = o.reasons.find((r) => r.record);
  const values: Record<string, string> = {
    mainReads: countOf(projectReads.length, 'R record of project files', 'R records of project files'),
    evalRecord: `"${projectReads.find((r) => r.endsWith('/eval.h')) ?? `R <pid> ${LESSON_PROJECT}/eval.h`}"`,
    tccRecord: `"${recs.find((r) => r.startsWith('E ')) ?? 'E <pid> /usr/bin/tcc'}"`,
    projectReads: projectReads.map((r) => `"${r}"`).join(', ') || 'none',
    rebuilt: listOf(o.rebuilt),
    rebuiltCount: countOf(o.rebuilt.length, 'target'),
    reasonCount: countOf(o.reasons.length, 'reason'),
    reasonRecord: cited ? `${cited.meta} line ${cited.line}: "${cited.record}"` : 'see the reasons below',
  };
  return step.about.replace(/\{(\w+)\}/g, (all, k: string) => values[k] ?? all);
}
