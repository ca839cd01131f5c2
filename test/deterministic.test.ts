// Deterministic mode (sim/guest/deterministic.ts): the same command from the same
// state gives byte-identical stdout, stderr and log, whatever the host does.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator, assertTraceMatches, type TraceResult } from 'filemon-sim';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { PARALLEL_BUILD } from './helpers/parallel-build.js';
const GOLDEN = join(packageRoot, 'test/fixtures/golden/bmake-j4-deterministic.log');
const CLI = join(packageRoot, 'dist/sim/cli.js');
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const same = (a: TraceResult, b: TraceResult) =>
  Buffer.from(a.log).equals(Buffer.from(b.log)) && Buffer.from(a.stdout).equals(Buffer.from(b.stdout)) && Buffer.from(a.stderr).equals(Buffer.from(b.stderr));

/** A busy loop on the host, competing with the emulator for the CPU. */
function busyLoop(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** Seconds from the log's # Start to its # Stop. */
function logSeconds(log: Uint8Array): number {
  const t = (tag: string) => Number(new RegExp(`^# ${tag} (\\d+\\.\\d+)`, 'm').exec(text(log))?.[1]);
  return t('Stop') - t('Start');
}

describe('deterministic mode', function () {
  this.timeout(900_000);
  let sim: Simulator;

  before(async () => {
    sim = await Simulator.start({ deterministic: true, log: (m) => process.stderr.write(`      [deterministic] ${m}\n`) });
  });

  after(async () => {
    await sim?.close();
  });

  it('ten runs of bmake -j4 from clean, half of them beside a busy loop, give byte-identical logs, stdout and stderr', async () => {
    const runs: Array<{ r: TraceResult; ms: number }> = [];
    for (let i = 0; i < 10; i++) {
      const busy = i % 2 ? busyLoop() : undefined;
      try {
        const t0 = performance.now();
        const r = await sim.trace(['sh', '-c', PARALLEL_BUILD], { restore: true });
        runs.push({ r, ms: performance.now() - t0 });
      } finally {
        busy?.kill();
      }
    }
    const first = runs[0].r;
    assert.equal(first.status, 0, text(first.stderr));
    assert.ok(first.trace.complete && first.deterministic);
    assert.match(text(first.stdout), /# filemon version 5/, "the .meta files hold the jobs' filemon records");
    const forks = first.trace.events.filter((e) => e.kind === 'F').length;
    assert.ok(forks >= 4, `bmake -j4 forked its jobs (${forks} forks)`);
    for (const [i, { r }] of runs.entries()) assert.ok(same(first, r), `run ${i + 1} differs from run 1:\n${text(r.log)}\n---\n${text(first.log)}`);
    const ms = runs.map((x) => Math.round(x.ms));
    process.stderr.write(`      ten identical runs took ${ms.join(' ')} ms\n`);
  });

  it('while the normal mode gives a different log each run (so the test above can fail)', async () => {
    const normal = await Simulator.start();
    try {
      const logs: string[] = [];
      for (let i = 0; i < 3; i++) logs.push(text((await normal.trace(['sh', '-c', PARALLEL_BUILD], { restore: true })).log));
      assert.equal(new Set(logs).size, 3, 'three normal-mode logs, three different texts');
    } finally {
      await normal.close();
    }
  });

  it('matches a golden log of the parallel build committed in the repository, byte for byte', async () => {
    const r = await sim.trace(['sh', '-c', PARALLEL_BUILD], { restore: true });
    assertTraceMatches(r, GOLDEN);
  });

  it('sleep 2 takes far less than 2 s of host time, and its log says 2 s passed', async () => {
    const t0 = performance.now();
    const r = await sim.trace(['sleep', '2']);
    const ms = performance.now() - t0;
    assert.equal(r.status, 0);
    assert.ok(ms < 1000, `sleep 2 took ${Math.round(ms)} ms of host time`);
    const s = logSeconds(r.log);
    assert.ok(s >= 2 && s < 2.1, `the log's # Start to # Stop: ${s} s`);
    const date = text((await sim.machine.exec(['date', '-u', '+%Y'])).stdout).trim();
    assert.equal(date, '2024', 'the guest clock is virtual, from 2024-01-01');
  });

  it('two deterministic guests tracing at once give the same log as one alone', async () => {
    const alone = await sim.trace(['sh', '-c', PARALLEL_BUILD], { restore: true });
    const other = await Simulator.start({ deterministic: true });
    try {
      const [a, b] = await Promise.all([sim.trace(['sh', '-c', PARALLEL_BUILD], { restore: true }), other.trace(['sh', '-c', PARALLEL_BUILD], { restore: true })]);
      assert.ok(same(alone, a) && same(alone, b), 'logs of parallel deterministic guests differ');
    } finally {
      await other.close();
    }
  });

  it('a trace right after a start gives the log of the same trace after a restore, and after a guest crash', async () => {
    const fresh = await Simulator.start({ deterministic: true });
    try {
      // The kernel's random numbers and bmake -j4's temporary names, pids and times.
      const cmd = ['sh', '-c', `cat /proc/sys/kernel/random/uuid; ${PARALLEL_BUILD}`];
      const first = await fresh.trace(cmd);
      await assert.rejects(fresh.machine.exec(['sh', '-c', 'echo c > /proc/sysrq-trigger'], { timeoutMs: 20_000 }), { name: 'GuestPanicError' });
      const again = await fresh.trace(cmd, { restore: true });
      assert.ok(same(first, again), `${text(first.stdout)}\n---\n${text(again.stdout)}`);
    } finally {
      await fresh.close();
    }
  });

  it('filemon-sim diff of two `trace --deterministic` runs of bmake -j4 is empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'filemon-sim-det-'));
    try {
      const logs = ['a.log', 'b.log'].map((name) => {
        const out = join(dir, name);
        const r = spawnSync(process.execPath, [CLI, 'trace', '--deterministic', '-q', '-o', out, '--', 'sh', '-c', PARALLEL_BUILD], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return out;
      });
      const d = spawnSync(process.execPath, [CLI, 'diff', ...logs], { encoding: 'utf8' });
      assert.equal(d.status, 0, d.stdout + d.stderr);
      assert.equal(d.stdout, '');
      // And the files themselves are the same bytes: the golden log, which the Simulator wrote after a restore.
      assert.ok(readFileSync(logs[0]).equals(readFileSync(logs[1])), 'the two logs differ in bytes');
      assert.ok(readFileSync(logs[0]).equals(readFileSync(GOLDEN)), "the CLI's log is not the golden log");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a golden log compared exactly fails on a changed time and says the records are equal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'filemon-sim-golden-'));
    try {
      const golden = join(dir, 'g.log');
      const log = '# filemon version 5\n# Target pid 44\n# Start 1704067201.000001\nV 5\nE 45 /bin/true\nX 45 0 0\n# Stop 1704067201.000002\n# Bye bye\n';
      writeFileSync(golden, log);
      assertTraceMatches(log, golden, { exact: true, update: false });
      assert.throws(() => assertTraceMatches(log.replace('000002', '000003'), golden, { exact: true, update: false }), /first at line 7:[\s\S]*only pids, times or the order of records differ/);
      // The normalized comparison is still there.
      assertTraceMatches(log.replace('000002', '000003'), golden, { exact: false, update: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
