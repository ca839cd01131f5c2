// bmake's meta mode in the guest, end to end: the use case filemon exists
// for. The steps are the meta-mode lesson's (sim/lessons/meta.ts), the same
// the playground page walks through: a small C project whose Makefile names
// no header is built with bmake (meta mode, object directory) and tcc; then
// files are touched or deleted and bmake -dM is run again, each time
// reporting which targets it rebuilt and why. The dependencies on headers
// come only from /dev/filemon's records in the .meta files.
//
// `npm run demo:meta [-- -jN] [-- CC=gcc]` runs it on a booted guest (gcc with the toolchain disk); tests call
// runMetaDemo() with the shared guest.
import { pathToFileURL } from 'node:url';
import type { Machine } from '../guest/machine.js';
import { LESSON_PROJECT, META_STEPS, TIMES, isReasonLine, prepareCommand, readBmakeOutput, sameTargets, settleCommand, stepCommand } from './meta.js';
import { filemonSection } from '../trace/index.js';
import { parseTrace } from '../node/parser-wasm.js';

export { DEMO_SOURCE, META_STEPS, TIMES, sameTargets, type MetaStep } from './meta.js';

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
  /** Per-command timeout (default 120 s). */
  timeoutMs?: number;
  /** The compiler (bmake CC=...): default the Makefile's tcc; gcc needs the toolchain disk. */
  cc?: string;
}

export interface MetaDemoResult {
  project: string;
  objdir: string;
  /** One per step of META_STEPS (a 'look' step rebuilds nothing). */
  decisions: MetaDecision[];
  /** obj/main.o.meta after the first build, and its filemon section parsed on the host. */
  mainMeta: { bytes: Uint8Array; records: number; complete: boolean; projectReads: string[] };
  /** calc's output for "2/3" after the first and after the last step. */
  runs: string[];
}

const decoder = new TextDecoder();

/** Runs the lesson's steps on machine, printing as it goes; returns every rebuild decision. */
export async function runMetaDemo(machine: Machine, print: (line: string) => void = () => {}, opts: MetaDemoOptions = {}): Promise<MetaDemoResult> {
  const project = LESSON_PROJECT;
  const objdir = `${project}/obj`;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const sh = async (cmd: string) => {
    const r = await machine.exec(cmd, { cwd: '/', timeoutMs });
    return { status: r.status, stdout: decoder.decode(r.stdout), stderr: decoder.decode(r.stderr) };
  };
  const must = async (cmd: string) => {
    const r = await sh(cmd);
    if (r.status !== 0) throw new Error(`meta demo: \`${cmd}\` failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };

  await must(prepareCommand());
  print(`project ${project}, objects in ${objdir}; file times are reset before each step (sources ${TIMES.sources}, objects ${TIMES.objects})`);

  const decisions: MetaDecision[] = [];
  const runs: string[] = [];
  let mainMeta: MetaDemoResult['mainMeta'] | undefined;
  for (const [i, step] of META_STEPS.entries()) {
    const command = stepCommand(step, opts.jobs, opts.cc);
    await must(settleCommand());
    const t0 = performance.now();
    const r = await sh(command);
    const ms = performance.now() - t0;
    const outcome = step.kind === 'build' ? readBmakeOutput(`${r.stdout}\n${r.stderr}`, objdir) : { rebuilt: [], reasons: [] };
    const reasons =
      step.kind === 'build'
        ? r.stderr
            .split('\n')
            .filter(isReasonLine)
            .map((l) => l.trim())
        : [];
    decisions.push({ step: step.name, change: step.change, command, status: r.status, rebuilt: outcome.rebuilt, reasons, stdout: r.stdout, stderr: r.stderr, ms });

    print('');
    print(`${i + 1}. ${step.name}: ${command}`);
    if (step.kind === 'build') {
      print(`   rebuilt: ${outcome.rebuilt.length ? outcome.rebuilt.join(' ') : 'nothing'}${r.status ? ` (bmake exit status ${r.status})` : ''}  [${(ms / 1000).toFixed(1)} s]`);
      for (const why of outcome.reasons) print(`   why: ${why.text}`);
    }
    if (r.status !== 0) print(r.stdout + r.stderr);

    if (step.kind === 'look' || (i === 0 && !mainMeta)) {
      const bytes = await machine.getFile(`${objdir}/main.o.meta`);
      const section = filemonSection(bytes);
      const trace = section ? parseTrace(section) : undefined;
      const projectReads = trace
        ? trace
            .files()
            .read.map((f) => f.path)
            .filter((p) => p.startsWith(`${project}/`))
            .map((p) => p.slice(project.length + 1))
        : [];
      mainMeta = { bytes, records: trace?.events.length ?? 0, complete: trace?.complete ?? false, projectReads };
      print(
        `   main.o.meta: ${section ? `filemon section of ${mainMeta.records} records${mainMeta.complete ? '' : ' (no footer!)'}` : 'NO filemon section'}; files of the project it read: ${projectReads.join(' ')}`,
      );
    }
    if (i === 0 || i === META_STEPS.length - 1) {
      const out = (await must(`${project}/obj/calc '2/3'`)).trim();
      runs.push(out);
      print(`   ./obj/calc '2/3' prints: ${out}`);
    }
  }
  return { project, objdir, decisions, mainMeta: mainMeta!, runs };
}

async function main(argv: string[]): Promise<number> {
  const jobsArg = argv.find((a) => /^-j\d+$/.test(a));
  const jobs = jobsArg ? Number(jobsArg.slice(2)) : undefined;
  const cc = argv.find((a) => a.startsWith('CC='))?.slice(3);
  const { bootMachine } = await import('../node/boot.js');
  const t0 = performance.now();
  const { machine, info } = await bootMachine({ log: (m) => process.stderr.write(`${m}\n`), bootTimeoutMs: 300_000 });
  process.stdout.write(`guest ${info.start} in ${(info.ms / 1000).toFixed(1)} s\n`);
  try {
    if (cc === 'gcc' && !machine.options.image.toolchain)
      throw new Error('CC=gcc needs the toolchain disk: install the toolchain package, or set FILEMON_SIM_TOOLCHAIN (images/out/toolchain in a checkout)');
    const t1 = performance.now();
    const result = await runMetaDemo(machine, (l) => process.stdout.write(`${l}\n`), { jobs, cc });
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
