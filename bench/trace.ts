// Tracing latency and throughput as users see them:
// - `filemon-sim trace -- true` from a cold CLI start (saved state present);
// - Simulator.trace('true'): median of the first 100 after a start, warm,
//   and the first 100 after a restore of the starting state;
// - traces per second with 1 and with 2 guests in parallel worker threads,
//   the same total work, measured side by side in one run, with the
//   process's CPU time per trace (load on a shared machine moves it less),
//   in short alternating blocks on the same two warm guests; then the same
//   ratio for plain arithmetic: what this machine's two cores give at best.
// `node dist/bench/trace.js [--no-cli] [--parallel-only | --no-parallel]`;
// BENCH_ROUNDS (blocks), BENCH_TRACES (per block) and BENCH_WARMUP change
// the parallel part; FILEMON_SIM_WASM_TIERUP=1 measures with V8's default
// tiering (before).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { Simulator } from '../sim/index.js';
import { median, timeTraces } from './timing.js';

/** Arithmetic on a 512 KiB table: CPU-bound work with no guest in it. */
function arithmetic(n: number): number {
  const table = new Float64Array(1 << 16);
  let x = 0;
  for (let i = 0; i < n; i++) {
    const j = Math.imul(i, 0x9e3779b1) & 0xffff;
    table[j] = table[j] * 0.5 + i;
    x += table[(j + 7) & 0xffff];
  }
  return x;
}

type WorkKind = 'traces' | 'arithmetic';

/**
 * A worker thread: starts a guest and warms it (or warms the arithmetic),
 * says 'ready', then runs the number of traces (or loop steps) each message
 * asks for and answers; a message of 0 ends it.
 */
async function worker(): Promise<void> {
  const { kind, warmup } = workerData as { kind: WorkKind; warmup: number };
  const sim = kind === 'traces' ? await Simulator.start() : undefined;
  const work = async (n: number) => (sim ? (await timeTraces(sim, n)).length : arithmetic(n));
  await work(warmup);
  parentPort!.postMessage('ready');
  for (;;) {
    const n = await new Promise<number>((r) => parentPort!.once('message', r));
    if (!n) break;
    parentPort!.postMessage(await work(n)); // the result, so the loop is not dropped
  }
  await sim?.close();
}

/** Two warm workers; `run` has some of them do `count` units between them. */
class WorkerPair {
  private constructor(private readonly workers: Worker[]) {}

  static async start(kind: WorkKind, warmup: number): Promise<WorkerPair> {
    const self = fileURLToPath(import.meta.url);
    const pair = new WorkerPair([0, 1].map(() => new Worker(self, { workerData: { kind, warmup } })));
    await Promise.all(pair.workers.map((w) => pair.answer(w)));
    return pair;
  }

  private answer(w: Worker): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const fail = (e: unknown) => reject(e instanceof Error ? e : new Error(`a benchmark worker exited (status ${e}) before answering`));
      w.once('error', fail)
        .once('exit', fail)
        .once('message', () => {
          w.off('error', fail).off('exit', fail);
          resolve();
        });
    });
  }

  /** Milliseconds and process CPU milliseconds (all threads) for `count` units on `guests` workers. */
  async run(guests: 1 | 2, count: number): Promise<{ ms: number; cpuMs: number }> {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const busy = this.workers.slice(0, guests);
    await Promise.all(
      busy.map((w) => {
        const done = this.answer(w);
        w.postMessage(count / guests);
        return done;
      }),
    );
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => {
        const exited = new Promise((r) => w.once('exit', r));
        w.postMessage(0);
        return exited;
      }),
    );
  }
}

/**
 * The same work on one worker and split over two, in short alternating
 * blocks (one-two, two-one, ...), so that the machine's slow spells fall on
 * both alike. Returns total seconds of each, CPU per unit and the block ratios.
 */
async function oneAgainstTwo(pair: WorkerPair, blocks: number, count: number) {
  const one = { ms: 0, cpuMs: 0 };
  const two = { ms: 0, cpuMs: 0 };
  const ratios: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const order: Array<1 | 2> = b % 2 ? [2, 1] : [1, 2];
    const r: Record<number, { ms: number; cpuMs: number }> = {};
    for (const g of order) r[g] = await pair.run(g, count);
    for (const [sum, x] of [
      [one, r[1]],
      [two, r[2]],
    ] as const) {
      sum.ms += x.ms;
      sum.cpuMs += x.cpuMs;
    }
    ratios.push(r[1].ms / r[2].ms);
  }
  return { one, two, ratio: one.ms / two.ms, ratios: ratios.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  // Makes sure the saved state exists before timing starts.
  await (await Simulator.start()).close();
  if (!args.has('--no-cli') && !args.has('--parallel-only')) {
    const cli = join(packageRoot, 'dist/sim/cli.js');
    const cold: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [cli, 'trace', '-q', '-o', '/dev/null', '--', 'true']);
      cold.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`filemon-sim trace failed: ${r.stderr}`);
    }
    console.log(`filemon-sim trace -- true, cold CLI start (median of 10)           ${(median(cold) / 1000).toFixed(3)} s`);
  }
  if (!args.has('--parallel-only')) {
    const t = performance.now();
    const sim = await Simulator.start();
    const startMs = performance.now() - t;
    const first = await timeTraces(sim, 100);
    await timeTraces(sim, 100);
    const warm = await timeTraces(sim, 100);
    // Simulator.restore() keeps v86's compiled code for unchanged pages.
    await sim.restore();
    const afterRestore = await timeTraces(sim, 100);
    await sim.close();
    console.log(`Simulator.start()                                                  ${startMs.toFixed(0)} ms`);
    console.log(`Simulator.trace('true'), first 100 after start (median)            ${median(first).toFixed(1)} ms`);
    console.log(`Simulator.trace('true') on a running simulator (median of 100)    ${median(warm).toFixed(1)} ms`);
    console.log(`Simulator.trace('true'), first 100 after sim.restore() (median)    ${median(afterRestore).toFixed(1)} ms`);
  }
  if (args.has('--no-parallel')) return;
  // Same total work with one guest and with two, in alternating blocks.
  const perBlock = Number(process.env.BENCH_TRACES ?? 50);
  const blocks = Number(process.env.BENCH_ROUNDS ?? 20);
  // Warm means v86's JIT has filled: it still compiles ~30 modules per 100
  // traces at traces 100-200 and ~15 at 200-300 (docs/design/test-runner-integrations.md).
  const warmup = Number(process.env.BENCH_WARMUP ?? 300);
  const guests = await WorkerPair.start('traces', warmup);
  process.stderr.write(`bench: 2 guests warm, timing ${blocks} blocks of ${perBlock} traces on 1 and on 2 guests\n`);
  const g = await oneAgainstTwo(guests, blocks, perBlock);
  await guests.close();
  // About 0.15 s of arithmetic per block on one thread.
  const arith = await WorkerPair.start('arithmetic', 5e6);
  const a = await oneAgainstTwo(arith, blocks, 5e7);
  await arith.close();
  const total = blocks * perBlock;
  const rate = (x: { ms: number }) => `${((total * 1000) / x.ms).toFixed(1)}/s`;
  const cpu = (x: { cpuMs: number }) => `${(x.cpuMs / total).toFixed(1)} ms CPU/trace`;
  const spread = (r: number[]) => `blocks ${r[Math.floor(r.length / 4)].toFixed(2)}-${r[Math.floor((3 * r.length) / 4)].toFixed(2)}x between quartiles`;
  console.log(`traces per second, ${total} traces, 1 guest                     ${rate(g.one)} (${cpu(g.one)})`);
  console.log(`traces per second, ${total} traces, 2 guests                    ${rate(g.two)} (${cpu(g.two)})`);
  console.log(`2 guests against 1                                               ${g.ratio.toFixed(2)}x (${spread(g.ratios)})`);
  console.log(`2 threads against 1 on arithmetic alone (this machine's best)   ${a.ratio.toFixed(2)}x (${spread(a.ratios)}), load ${loadavg()[0].toFixed(2)}`);
}

if (isMainThread) {
  process.on('exit', (code) => process.stderr.write(`bench: exit ${code}\n`));
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else {
  // An error here reaches the main thread as the worker's 'error' event.
  await worker();
}
