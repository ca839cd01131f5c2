// What deterministic mode costs, measured side by side with the normal mode
// in one run (notes/issue-24.md):
//  - bench:trace's figure: Simulator.trace('true') on a running simulator
//    (median of 100), and the first 100 after sim.restore();
//  - bench:filemon's build: the meta-mode demo from clean with filemon
//    (bmake meta mode, traced by fms-trace), rounds alternating between the
//    modes, three ways: each round from the starting state (sim.restore():
//    the normal mode keeps v86's compiled code, a deterministic restore
//    starts a new emulator with none), each round in a new Simulator (both
//    start with no compiled code, as a CLI run does), and rounds one after
//    another in one running guest (both keep their compiled code). Guest
//    instructions (v86's counter) and wall time, and the spread of the
//    rounds' wall times against their logs: the deterministic mode's must
//    all be the same bytes (but for the running guest, whose state changes
//    from round to round); and the median time of what came before each
//    build (the restore, or Simulator.start()).
//
//   npm run bench:deterministic [-- --rounds N]
//
// Wall times are noisy on a shared machine; instructions are not.
import { createHash } from 'node:crypto';
import type { Machine } from '../sim/guest/machine.js';
import { Simulator } from '../sim/index.js';
import { median, timeTraces } from './timing.js';
import { InstructionMeter } from './instructions.js';

const DEMO_SOURCE = '/usr/share/filemon-sim/meta-project';
const BUILD_DIR = '/root/bench-meta';
const PREPARE = `rm -rf ${BUILD_DIR} && cp -a ${DEMO_SOURCE} ${BUILD_DIR} && mkdir ${BUILD_DIR}/obj`;
const BUILD = `cd ${BUILD_DIR} && bmake .MAKE.MODE=meta >/dev/null`;

interface BuildResult {
  /** The restore or the Simulator.start() before the build. */
  setupMs: number;
  ms: number;
  instructions: number;
  log: string;
}

/** One build: prepare, then the traced build alone measured. */
async function build(sim: Simulator, setupMs = 0): Promise<BuildResult> {
  const m: Machine = sim.machine;
  const prep = await m.exec(PREPARE);
  if (prep.status !== 0) throw new Error(`\`${PREPARE}\` failed: ${new TextDecoder().decode(prep.stderr)}`);
  const meter = new InstructionMeter(m);
  const t0 = performance.now();
  const r = await sim.trace(['sh', '-c', BUILD], { timeoutMs: 600_000 });
  const ms = performance.now() - t0;
  const instructions = meter.stop();
  if (r.status !== 0) throw new Error(`the build failed (${r.status}): ${new TextDecoder().decode(r.stderr)}`);
  return { setupMs, ms, instructions, log: createHash('sha256').update(r.log).digest('hex').slice(0, 12) };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rounds');
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 10;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const modes = [
    { name: 'normal', sim: await Simulator.start({ log }) },
    { name: 'deterministic', sim: await Simulator.start({ deterministic: true, log }) },
  ];
  try {
    process.stdout.write(`Simulator.trace('true'), median of 100, modes one after the other\n`);
    for (const { name, sim } of modes) {
      await timeTraces(sim, 100);
      const warm = median(await timeTraces(sim, 100));
      await sim.restore();
      const afterRestore = median(await timeTraces(sim, 100));
      process.stdout.write(`  ${name.padEnd(14)} running ${warm.toFixed(1)} ms   first 100 after restore ${afterRestore.toFixed(1)} ms\n`);
    }

    const ways: Array<{ title: string; run: (x: (typeof modes)[number]) => Promise<BuildResult> }> = [
      {
        title: 'restored before each round (sim.restore())',
        run: async (x) => {
          const t = performance.now();
          await x.sim.restore();
          return build(x.sim, performance.now() - t);
        },
      },
      {
        title: 'a new Simulator each round (as a CLI run)',
        run: async (x) => {
          const t = performance.now();
          const sim = await Simulator.start({ deterministic: x.name === 'deterministic' });
          try {
            return await build(sim, performance.now() - t);
          } finally {
            await sim.close();
          }
        },
      },
      { title: 'one running guest, no restore', run: (x) => build(x.sim) },
    ];
    for (const way of ways) {
      const results = new Map(modes.map((x) => [x.name, [] as BuildResult[]]));
      for (const x of modes) await way.run(x); // warm-up round
      for (let round = 0; round < rounds; round++) {
        // Alternating order, so slow spells of a shared machine fall on both.
        for (const x of round % 2 ? [...modes].reverse() : modes) {
          const r = await way.run(x);
          results.get(x.name)!.push(r);
          log(`${way.title}: round ${round + 1} ${x.name}: ${(r.instructions / 1e6).toFixed(1)} M instructions, ${r.ms.toFixed(0)} ms, log ${r.log}`);
        }
      }
      report(`build (meta-mode demo from clean, bmake meta mode under filemon), ${way.title}, ${rounds} rounds each`, results);
    }
  } finally {
    await Promise.all(modes.map((x) => x.sim.close()));
  }
}

function report(title: string, results: Map<string, BuildResult[]>): void {
  const base = results.get('normal')!;
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`  ${'mode'.padEnd(14)} ${'M instr'.padStart(9)} ${'ratio'.padStart(6)} ${'wall ms'.padStart(8)} ${'ratio'.padStart(6)}  wall min-max ms   distinct logs  setup ms\n`);
  for (const [name, rs] of results) {
    const ins = median(rs.map((r) => r.instructions));
    const ms = median(rs.map((r) => r.ms));
    const walls = rs.map((r) => r.ms);
    process.stdout.write(
      `  ${name.padEnd(14)} ${(ins / 1e6).toFixed(1).padStart(9)} ${(ins / median(base.map((r) => r.instructions))).toFixed(3).padStart(6)} ` +
        `${ms.toFixed(0).padStart(8)} ${(ms / median(base.map((r) => r.ms))).toFixed(2).padStart(6)}  ` +
        `${Math.min(...walls)
          .toFixed(0)
          .padStart(6)}-${Math.max(...walls)
          .toFixed(0)
          .padEnd(9)} ${String(new Set(rs.map((r) => r.log)).size).padEnd(14)} ` +
        `${median(rs.map((r) => r.setupMs)).toFixed(0)}\n`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
