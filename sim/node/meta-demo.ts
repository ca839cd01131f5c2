// bmake's meta mode in the guest, end to end: the use case filemon exists
// for. A small C project whose Makefile names no header is built with bmake
// (meta mode, object directory) and tcc; then files are touched or deleted
// and bmake -dM is run again, each time reporting which targets it rebuilt
// and why. The dependencies on headers come only from /dev/filemon's records
// in the .meta files.
//
// `npm run demo:meta [-- -jN]` runs it on a booted guest; tests call
// runMetaDemo() with the shared guest.
import { pathToFileURL } from 'node:url';
import type { Machine } from '../machine.js';
import { filemonSection } from '../trace/index.js';
import { parseTrace } from './parser-wasm.js';

/** Where the image installs the demo project (images/linux/demo/meta-project). */
export const DEMO_SOURCE = '/usr/share/filemon-sim/meta-project';

/**
 * File times are set explicitly, never left to the clock: meta mode compares
 * whole seconds (a file is newer only if its mtime's second is greater), so a
 * change made within the second of a build would go unseen. Sources get T0,
 * everything in the object directory T1 after each build, a touched file T2.
 */
export const TIMES = { sources: '2024-01-01 00:00:00', objects: '2024-01-01 01:00:00', touched: '2024-01-01 02:00:00' };

export interface MetaStep {
  name: string;
  /** Shell command run in the project directory before bmake ('' for none). */
  change: string;
  /** Targets expected to be rebuilt, relative to the object directory. */
  expect: string[];
}

/** The demo's steps, in order; each runs bmake -dM after its change. */
export const META_STEPS: MetaStep[] = [
  { name: 'first build', change: '', expect: ['main.o', 'lexer.o', 'eval.o', 'calc'] },
  { name: 'nothing changed', change: '', expect: [] },
  { name: 'header eval.h touched (included by main.c and eval.c)', change: `touch -d '${TIMES.touched}' eval.h`, expect: ['main.o', 'eval.o', 'calc'] },
  { name: 'header lexer.h touched (included by all three, two of them through eval.h)', change: `touch -d '${TIMES.touched}' lexer.h`, expect: ['main.o', 'lexer.o', 'eval.o', 'calc'] },
  { name: 'NOTES touched (not part of the build)', change: `touch -d '${TIMES.touched}' NOTES`, expect: [] },
  { name: 'local/config.h deleted (include/config.h is found instead)', change: 'rm local/config.h', expect: ['main.o', 'eval.o', 'calc'] },
  { name: 'nothing changed', change: '', expect: [] },
];

export interface MetaDecision {
  step: string;
  change: string;
  /** The bmake command line. */
  command: string;
  status: number;
  /** Targets bmake built, relative to the object directory, in the order it started them. */
  rebuilt: string[];
  /** bmake -dM's reasons (out-of-date lines), as printed. */
  reasons: string[];
  /** bmake's whole stdout and stderr. */
  stdout: string;
  stderr: string;
  ms: number;
}

export interface MetaDemoOptions {
  /** bmake -jN (job mode); default: compat mode. */
  jobs?: number;
  /** Parent directory of the project in the guest; not under /tmp, which meta mode ignores. */
  home?: string;
  /** Per-command timeout (default 120 s). */
  timeoutMs?: number;
}

export interface MetaDemoResult {
  project: string;
  objdir: string;
  decisions: MetaDecision[];
  /** obj/main.o.meta after the first build, and its filemon section parsed on the host. */
  mainMeta: { bytes: Uint8Array; records: number; complete: boolean; projectReads: string[] };
  /** calc's output for "2/3" after the first and after the last step. */
  runs: string[];
}

const decoder = new TextDecoder();
const REASON = /is newer than the target|missing files|required but missing|build command has changed|extra build commands|missing filemon data|working directory has changed/;

/** Runs the demo's steps on machine, printing as it goes; returns every rebuild decision. */
export async function runMetaDemo(machine: Machine, print: (line: string) => void = () => {}, opts: MetaDemoOptions = {}): Promise<MetaDemoResult> {
  const home = opts.home ?? '/home/demo';
  const project = `${home}/meta-project`;
  const objdir = `${project}/obj`;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const sh = async (cmd: string, cwd = project) => {
    const r = await machine.exec(cmd, { cwd, timeoutMs });
    return { status: r.status, stdout: decoder.decode(r.stdout), stderr: decoder.decode(r.stderr) };
  };
  const must = async (cmd: string, cwd?: string) => {
    const r = await sh(cmd, cwd);
    if (r.status !== 0) throw new Error(`meta demo: \`${cmd}\` failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const settleTimes = () =>
    must(`find . -path ./obj -prune -o -exec touch -d '${TIMES.sources}' {} + && find obj -exec touch -d '${TIMES.objects}' {} +`);

  await must(`rm -rf '${project}' && mkdir -p '${home}' && cp -a '${DEMO_SOURCE}' '${project}' && mkdir '${objdir}'`, '/');
  const command = `bmake -dM${opts.jobs ? ` -j${opts.jobs}` : ''}`;
  print(`project ${project} (from ${DEMO_SOURCE}), objects in ${objdir}; each step runs \`${command}\``);

  const decisions: MetaDecision[] = [];
  const runs: string[] = [];
  let mainMeta: MetaDemoResult['mainMeta'] | undefined;
  for (const [i, step] of META_STEPS.entries()) {
    await settleTimes();
    if (step.change) await must(step.change);
    const t0 = performance.now();
    const r = await sh(command);
    const ms = performance.now() - t0;
    const rebuilt = [...r.stdout.matchAll(/^Building (.*)$/gm)].map((m) => m[1].startsWith(`${objdir}/`) ? m[1].slice(objdir.length + 1) : m[1]);
    const reasons = r.stderr.split('\n').filter((l) => REASON.test(l)).map((l) => l.trim());
    decisions.push({ step: step.name, change: step.change, command, status: r.status, rebuilt, reasons, stdout: r.stdout, stderr: r.stderr, ms });

    print('');
    print(`${i + 1}. ${step.name}${step.change ? `: ${step.change}` : ''}`);
    print(`   rebuilt: ${rebuilt.length ? rebuilt.join(' ') : 'nothing'}${r.status ? ` (bmake exit status ${r.status})` : ''}  [${(ms / 1000).toFixed(1)} s]`);
    for (const why of reasons) print(`   why: ${why.replace(`${objdir}/`, '')}`);
    if (r.status !== 0) print(r.stdout + r.stderr);

    if (i === 0) {
      const bytes = await machine.getFile(`${objdir}/main.o.meta`);
      const section = filemonSection(bytes);
      const trace = section ? parseTrace(section) : undefined;
      const projectReads = trace ? trace.files().read.map((f) => f.path).filter((p) => p.startsWith(`${project}/`)).map((p) => p.slice(project.length + 1)) : [];
      mainMeta = { bytes, records: trace?.events.length ?? 0, complete: trace?.complete ?? false, projectReads };
      print(`   main.o.meta: ${section ? `filemon section of ${mainMeta.records} records${mainMeta.complete ? '' : ' (no footer!)'}` : 'NO filemon section'}; files of the project it read: ${projectReads.join(' ')}`);
    }
    if (i === 0 || i === META_STEPS.length - 1) {
      const out = (await must(`./obj/calc '2/3'`)).trim();
      runs.push(out);
      print(`   ./obj/calc '2/3' prints: ${out}`);
    }
  }
  return { project, objdir, decisions, mainMeta: mainMeta!, runs };
}

/** Same targets, whatever the order (job mode starts them in any order). */
export function sameTargets(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join(' ') === [...b].sort().join(' ');
}

async function main(argv: string[]): Promise<number> {
  const jobsArg = argv.find((a) => /^-j\d+$/.test(a));
  const jobs = jobsArg ? Number(jobsArg.slice(2)) : undefined;
  const { bootMachine } = await import('./boot.js');
  const t0 = performance.now();
  const { machine, info } = await bootMachine({ log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`guest ${info.start} in ${(info.ms / 1000).toFixed(1)} s\n`);
  try {
    const t1 = performance.now();
    const result = await runMetaDemo(machine, (l) => process.stdout.write(`${l}\n`), { jobs });
    const wrong = result.decisions.filter((d, i) => d.status !== 0 || !sameTargets(d.rebuilt, META_STEPS[i].expect));
    process.stdout.write(`\ndemo steps took ${((performance.now() - t1) / 1000).toFixed(1)} s (${((performance.now() - t0) / 1000).toFixed(1)} s with the guest start)\n`);
    if (wrong.length) {
      process.stdout.write(`unexpected decisions in: ${wrong.map((d) => d.step).join('; ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    await machine.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`demo:meta: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
