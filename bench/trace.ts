// Tracing latency as users see it: `filemon-sim trace -- true` from a cold
// CLI start (saved state present), and Simulator.trace('true') on a
// running simulator. Prints medians.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/layout.js';
import { Simulator } from '../sim/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const cli = join(packageRoot, 'dist/sim/cli.js');
  // Makes sure the saved state exists before timing cold CLI starts.
  await (await Simulator.start()).close();
  const cold: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'trace', '-q', '-o', '/dev/null', '--', 'true']);
    cold.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`filemon-sim trace failed: ${r.stderr}`);
  }
  console.log(`filemon-sim trace -- true, cold CLI start (median of 10)  ${(median(cold) / 1000).toFixed(3)} s`);

  const sim = await Simulator.start();
  const once = async () => {
    const t = performance.now();
    await sim.trace('true');
    return performance.now() - t;
  };
  // v86's JIT starts empty after a restore: first runs are slower.
  const first: number[] = [];
  for (let i = 0; i < 100; i++) first.push(await once());
  for (let i = 0; i < 100; i++) await once();
  const warm: number[] = [];
  for (let i = 0; i < 100; i++) warm.push(await once());
  await sim.close();
  console.log(`Simulator.trace('true'), first 100 after start (median)          ${median(first).toFixed(1)} ms`);
  console.log(`Simulator.trace('true') on a running simulator (median of 100)  ${median(warm).toFixed(1)} ms`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
