// Running the fixture projects of test/fixtures (mocha, vitest, Jest) in a
// child process as a user's project runs its suite, and reading what each of
// their test files recorded (RESULTS: one JSON line per file). FIXTURE_TMP
// is a folder of the run's own (for a runner's cache), removed after it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packageRoot } from '../../images/linux/recipe/layout.js';

export interface FileRecord {
  file: string;
  pid: number;
  /** The worker: its process, and its thread in a threads pool. */
  worker: string;
  guest: string;
  seen: string[];
  /** When the file's first test ended (Date.now()). */
  at?: number;
}

export interface FixtureRun {
  code: number;
  out: string;
  records: FileRecord[];
  ms: number;
  /** When the runner was started (Date.now()). */
  startedAt: number;
}

/**
 * The runners import the package by its name, so it must be in
 * node_modules, as in a user's project: a link to this package (npm
 * link's layout).
 */
export function linkPackage(): void {
  const link = join(packageRoot, 'node_modules/filemon-sim');
  if (
    existsSync(link) ||
    (() => {
      try {
        return lstatSync(link).isSymbolicLink();
      } catch {
        return false;
      }
    })()
  )
    return;
  symlinkSync('..', link, 'dir');
}

/** Runs node with args in cwd and collects what the fixture's files recorded. */
export function runFixture(args: string[], env: NodeJS.ProcessEnv, cwd = packageRoot): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'filemon-sim-fixture-'));
  const results = join(dir, 'results.jsonl');
  const started = performance.now();
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, RESULTS: results, FIXTURE_TMP: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const records = existsSync(results)
        ? readFileSync(results, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as FileRecord)
        : [];
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, out, records, ms: performance.now() - started, startedAt });
    });
  });
}

export const recordedFiles = (rs: FileRecord[]): string[] => rs.map((r) => r.file).sort();

/** The workers of a run, each with the guests it used. */
export function guestsByWorker(rs: FileRecord[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rs) m.set(r.worker, (m.get(r.worker) ?? new Set()).add(r.guest));
  return m;
}

const FIXTURES = join(packageRoot, 'test/fixtures');
const MOCHA_PROJECT = join(FIXTURES, 'mocha-project');
export const VITEST_PROJECT = join(FIXTURES, 'vitest-project');
export const JEST_PROJECT = join(FIXTURES, 'jest-project');
/** Plain output, and no CI detection or filemon-sim settings unless a run asks for them. */
const PLAIN = { NO_COLOR: '1', FORCE_COLOR: '0', CI: '', GITHUB_ACTIONS: '', FILEMON_SIM_UPDATE: '', FILEMON_SIM_RESTORE: '', FILEMON_SIM_SHARD: '' };

/** mocha --require filemon-sim/mocha on the mocha fixture project's files. */
export function runMochaProject(args: string[], env: NodeJS.ProcessEnv): Promise<FixtureRun> {
  const mocha = join(packageRoot, 'node_modules/mocha/bin/mocha.js');
  return runFixture([mocha, '--no-config', '--require', 'filemon-sim/mocha', '--timeout', '600000', ...args, join(MOCHA_PROJECT, '*.test.mjs')], { ...PLAIN, ...env });
}

/** vitest run in the vitest fixture project (POOL, WORKERS, FILES in env). */
export function runVitestProject(args: string[], env: NodeJS.ProcessEnv): Promise<FixtureRun> {
  return runFixture([join(packageRoot, 'node_modules/vitest/vitest.mjs'), 'run', ...args], { ...PLAIN, ...env }, VITEST_PROJECT);
}

/** jest in the Jest fixture project (WORKERS, FILES in env). */
export function runJestProject(args: string[], env: NodeJS.ProcessEnv): Promise<FixtureRun> {
  return runFixture([join(packageRoot, 'node_modules/jest/bin/jest.js'), '--ci=false', ...args], { ...PLAIN, ...env }, JEST_PROJECT);
}

/** A fixture project's runner: args and environment in, its run out. */
type ProjectRun = (args: string[], env: NodeJS.ProcessEnv) => Promise<FixtureRun>;

/**
 * The update flags of a runner integration: with `missing` (the runner's
 * CI mode) a golden file that does not exist fails, naming `hint`; the
 * runner's own update flag and FILEMON_SIM_UPDATE=1 each rewrite a stale
 * one; then it matches.
 */
export async function assertUpdateFlags(run: ProjectRun, golden: string, stale: string, missing: [string[], NodeJS.ProcessEnv], hint: string): Promise<void> {
  const r0 = await run(...missing);
  assert.equal(r0.code, 1, r0.out);
  assert.match(r0.out, new RegExp(`golden trace .*${basename(golden).replace('.', '\\.')} does not exist; run the test with ${hint}`));
  assert.equal(existsSync(golden), false);
  for (const [args, env] of [
    [['-u'], {}],
    [[], { FILEMON_SIM_UPDATE: '1' }],
  ] as [string[], NodeJS.ProcessEnv][]) {
    writeFileSync(golden, readFileSync(stale));
    const r = await run(args, env);
    assert.equal(r.code, 0, r.out);
    assert.match(readFileSync(golden, 'utf8'), /^R 2 \/etc\/hostname$/m, `${args.join(' ')} ${JSON.stringify(env)} rewrote it`);
  }
  const again = await run([], {});
  assert.equal(again.code, 0, again.out);
}

/** A runner's --shard=K/2 with two workers: the two shares hold every fixture file once, two each. */
export async function assertTwoShards(run: ProjectRun): Promise<void> {
  const shares = [];
  for (const k of [1, 2]) {
    const r = await run([`--shard=${k}/2`], { WORKERS: '2' });
    assert.equal(r.code, 0, r.out);
    shares.push(recordedFiles(r.records));
  }
  assert.deepEqual(shares.flat().sort(), ['a', 'b', 'c', 'd'], `shares: ${JSON.stringify(shares)}`);
  assert.ok(
    shares.every((x) => x.length === 2),
    `shares: ${JSON.stringify(shares)}`,
  );
}
