// Tracing latency and throughput as users see them:
// - `filemon-sim trace -- true` from a cold CLI start (saved state present);
// - Simulator.trace('true'): median of the first 100 after a start, warm,
//   and the first 100 after a restore of the starting state;
// - traces per second with 1 and with 2 guests in parallel worker threads,
//   the same total work, measured side by side in one run, with the
//   process's CPU time per trace (load on a shared machine moves it less).
// `node dist/bench/trace.js [--no-cli] [--parallel-only | --no-parallel]`;
// BENCH_TRACES and BENCH_WARMUP change the parallel part's counts;
// FILEMON_SIM_WASM_TIERUP=1 measures with V8's default tiering (before).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { packageRoot } from '../images/linux/layout.js';
import { Simulator } from '../sim/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeTraces(sim: Simulator, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await sim.trace('true');
    times.push(performance.now() - t);
  }
  return times;
}

/** A worker thread: start a guest, warm it, then run `count` traces when told to. */
async function worker(): Promise<void> {
  const { count, warmup } = workerData as { count: number; warmup: number };
  const sim = await Simulator.start();
  await timeTraces(sim, warmup);
  parentPort!.postMessage('ready');
  await new Promise<void>((r) => parentPort!.once('message', () => r()));
  await timeTraces(sim, count);
  parentPort!.postMessage('done');
  await sim.close();
}

/**
 * Seconds for `guests` workers to run `total` traces between them, after each
 * warmed up, and the process's CPU milliseconds (all threads: the guests and
 * V8's compiler and collector threads) in that time.
 */
async function throughput(guests: number, total: number, warmup: number): Promise<{ s: number; cpuMs: number }> {
  const self = fileURLToPath(import.meta.url);
  const workers = Array.from({ length: guests }, () => new Worker(self, { workerData: { count: total / guests, warmup } }));
  // Listened for from the start: a worker may exit before the others finish.
  const exited = workers.map((w) => new Promise((r) => w.once('exit', r)));
  const next = (w: Worker) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`a benchmark worker exited (status ${code}) before reporting`)));
  });
  await Promise.all(workers.map(next));
  process.stderr.write(`bench: ${guests} guest(s) warm, timing ${total} traces\n`);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const done = workers.map(next);
  for (const w of workers) w.postMessage('go');
  await Promise.all(done);
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  await Promise.all(exited);
  return { s, cpuMs: (used.user + used.system) / 1000 };
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
  // Same total work with one guest and with two, side by side, twice.
  const total = Number(process.env.BENCH_TRACES ?? 200);
  // Warm means v86's JIT has filled: it still compiles ~30 modules per 100
  // traces at traces 100-200 and ~15 at 200-300 (notes/issue-15.md).
  const warmup = Number(process.env.BENCH_WARMUP ?? 300);
  for (let round = 1; round <= 2; round++) {
    const one = await throughput(1, total, warmup);
    const two = await throughput(2, total, warmup);
    const cpu = (r: { cpuMs: number }) => `${(r.cpuMs / total).toFixed(1)} ms CPU/trace`;
    console.log(
      `round ${round}: ${total} traces: 1 guest ${(total / one.s).toFixed(1)}/s (${cpu(one)}), ` +
        `2 guests ${(total / two.s).toFixed(1)}/s (${cpu(two)}), ratio ${(one.s / two.s).toFixed(2)}x, load ${loadavg()[0].toFixed(2)}`,
    );
  }
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
