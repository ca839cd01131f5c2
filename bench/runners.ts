// The first test's time in the runner integrations, side by side in one run:
// from starting the runner to the end of the first test that traced (the
// guest's start included), in the fixture projects of test/fixtures with
// one and with two workers: the mocha plugin (serial, --parallel --jobs 2),
// vitest (threads and forks pools) and Jest (in its own process, two
// workers). Noisy: each is a few seconds on a shared machine; ROUNDS (3)
// runs each way and the median is shown.
import { linkPackage, runJestProject, runMochaProject, runVitestProject, type FixtureRun } from '../test/helpers/runner-fixtures.js';

interface Way {
  name: string;
  run: () => Promise<FixtureRun>;
}

const WAYS: Way[] = [
  { name: 'mocha plugin, serial', run: () => runMochaProject([], {}) },
  { name: 'mocha plugin, --parallel --jobs 2', run: () => runMochaProject(['--parallel', '--jobs', '2'], {}) },
  { name: 'vitest threads, 1 worker', run: () => runVitestProject([], { POOL: 'threads', WORKERS: '1' }) },
  { name: 'vitest threads, 2 workers', run: () => runVitestProject([], { POOL: 'threads', WORKERS: '2' }) },
  { name: 'vitest forks, 1 worker', run: () => runVitestProject([], { POOL: 'forks', WORKERS: '1' }) },
  { name: 'vitest forks, 2 workers', run: () => runVitestProject([], { POOL: 'forks', WORKERS: '2' }) },
  { name: 'Jest, 1 worker (in band)', run: () => runJestProject([], { WORKERS: '1' }) },
  { name: 'Jest, 2 workers', run: () => runJestProject([], { WORKERS: '2' }) },
];

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  linkPackage();
  const rounds = Number(process.env.ROUNDS ?? 3);
  const first = new Map<string, number[]>(WAYS.map((w) => [w.name, []]));
  const total = new Map<string, number[]>(WAYS.map((w) => [w.name, []]));
  // Rounds outside, ways inside: a slow spell of the machine hits every way alike.
  for (let i = 0; i < rounds; i++) {
    for (const way of WAYS) {
      const r = await way.run();
      const at = r.records.map((x) => x.at).filter((x): x is number => x !== undefined);
      if (r.code !== 0 || !at.length) throw new Error(`${way.name}: the run failed (exit ${r.code}):\n${r.out}`);
      first.get(way.name)!.push(Math.min(...at) - r.startedAt);
      total.get(way.name)!.push(r.ms);
      process.stderr.write(`round ${i + 1}: ${way.name}: first test ${s(Math.min(...at) - r.startedAt)}, whole run ${s(r.ms)}\n`);
    }
  }
  console.log(`first traced test's end from the runner's start (guest start included), 4 files x 2 tests, median of ${rounds}:`);
  for (const way of WAYS) console.log(`  ${way.name.padEnd(36)} first test ${s(median(first.get(way.name)!)).padStart(7)}   whole run ${s(median(total.get(way.name)!)).padStart(7)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench runners: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
