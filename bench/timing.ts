// Wall-time helpers shared by the benchmarks.
import type { Simulator } from '../sim/index.js';

/** The median (of an even count, the mean of the middle two). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Host milliseconds of each of n traces of `true`, one after the other. */
export async function timeTraces(sim: Simulator, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await sim.trace('true');
    times.push(performance.now() - t);
  }
  return times;
}
