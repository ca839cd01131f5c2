// Soak run: random traced workloads against one Simulator for a while
// (default 10 minutes), each log checked against what its workload did.
//
//   npm run bench:soak -- [--minutes N] [--seed N] [--memory MiB]
//
// Workloads: files with long and odd names (written, read, renamed, linked,
// removed), fork fans, fork chains, multithreaded programs, kills, timeouts;
// a third of the time several run at once (concurrent sim.trace() calls).
// Every log must be complete and well formed, every process in it must have
// its X record, the workload's own records must be there, and no record may
// name another workload's files. Prints traces, records checked, failures;
// exits 1 when something failed.
import { parseArgs } from 'node:util';
import { Simulator, TraceTimeoutError, type Trace, type TraceResult } from '../sim/index.js';
import { rng } from '../test/helpers/parse-gen.js';

interface Workload {
  kind: string;
  cmd: string;
  timeoutMs?: number;
  /** Problems found in the outcome; empty when the log is right. */
  check(out: TraceResult | TraceTimeoutError): string[];
}

const ROOT = '/tmp/soak';
/** Characters a file name may hold besides letters: odd for shells and parsers, never '/', NUL or a newline. */
const ODD = [' ', "'", '"', '$', '*', '?', '[', ']', '\\', '#', '&', ';', '|', '\t', 'é', '漢', '😀', '-', '=', '%'];

const sq = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The C program of the threads workload, compiled in the guest with tcc. */
const THREADS_C = `#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static const char *dir;
static void *run(void *arg) {
	char p[512];
	snprintf(p, sizeof(p), "%s/t%ld", dir, (long)arg);
	FILE *f = fopen(p, "w");
	if (f) { fputs("x", f); fclose(f); }
	return NULL;
}
int main(int argc, char **argv) {
	int n = atoi(argv[2]);
	pthread_t t[64];
	dir = argv[1];
	for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, run, (void *)i);
	for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
	return 0;
}
`;

class Soak {
  private next = 0;
  traces = 0;
  records = 0;
  readonly failures: string[] = [];
  readonly byKind = new Map<string, number>();

  constructor(
    private readonly rand: () => number,
    private readonly threads: boolean,
  ) {}

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  private name(): string {
    const len = this.rand() < 0.2 ? this.int(100, 250) : this.int(1, 20);
    let s = '';
    while (s.length < len) s += this.rand() < 0.3 ? ODD[this.int(0, ODD.length - 1)] : String.fromCharCode(97 + this.int(0, 25));
    // Names are bytes in the guest: keep within NAME_MAX (255 bytes) with room for ".moved".
    while (new TextEncoder().encode(s).length > 240) s = [...s].slice(0, -1).join('');
    return s === '.' || s === '..' ? 'dot' : s;
  }

  /** A workload, with its own directory. */
  make(): Workload & { dir: string } {
    const id = `w${++this.next}`;
    const dir = `${ROOT}/${id}`;
    const kinds = ['files', 'fork-fan', 'fork-chain', 'kill', 'timeout', ...(this.threads ? ['threads'] : [])];
    const kind = kinds[this.int(0, kinds.length - 1)];
    return { dir, ...this.workload(kind, dir) };
  }

  private workload(kind: string, dir: string): Workload {
    switch (kind) {
      case 'files': {
        const names = [...new Set(Array.from({ length: this.int(1, 8) }, () => this.name()))];
        const paths = names.map((n) => `${dir}/${n}`);
        const lines = [`mkdir -p ${sq(dir)}`];
        for (const p of paths) lines.push(`echo data > ${sq(p)}`, `cat ${sq(p)} > /dev/null`);
        const moved = `${paths[0]}.moved`;
        const linked = `${paths[0]}.link`;
        lines.push(`mv ${sq(paths[0])} ${sq(moved)}`, `ln -s ${sq(moved)} ${sq(linked)}`, `rm ${sq(linked)}`);
        return {
          kind,
          cmd: lines.join('\n'),
          check: (out) =>
            expectDone(out, (t) => {
              const p: string[] = [];
              for (const path of paths) {
                if (!has(t, 'W', path)) p.push(`no W record for ${JSON.stringify(path)}`);
                if (!has(t, 'R', path)) p.push(`no R record for ${JSON.stringify(path)}`);
              }
              if (!t.events.some((e) => e.kind === 'M' && e.from === paths[0] && e.to === moved)) p.push('no M record');
              if (!t.events.some((e) => e.kind === 'L' && e.from === moved && e.to === linked)) p.push('no L record');
              if (!has(t, 'D', linked)) p.push('no D record');
              return p;
            }),
        };
      }
      case 'fork-fan': {
        const n = this.int(5, 60);
        const cmd = `i=0; while [ $i -lt ${n} ]; do (exit $((i % 7))) & i=$((i + 1)); done; wait`;
        return {
          kind,
          cmd,
          check: (out) =>
            expectDone(out, (t) => {
              const root = t.processes().roots[0];
              const codes = (root?.children ?? []).map((c) => c.exit?.status ?? -1).sort((a, b) => a - b);
              const want = Array.from({ length: n }, (_, i) => i % 7).sort((a, b) => a - b);
              return codes.join() === want.join() ? [] : [`children's exit statuses ${codes.join()} instead of ${want.join()}`];
            }),
        };
      }
      case 'fork-chain': {
        const depth = this.int(5, 80);
        const cmd = `f() { if [ $1 -gt 0 ]; then (f $(($1 - 1))); fi; }; f ${depth}`;
        return {
          kind,
          cmd,
          check: (out) =>
            expectDone(out, (t) => {
              const forks = t.events.filter((e) => e.kind === 'F').length;
              return forks === depth ? [] : [`${forks} F records for a chain of ${depth}`];
            }),
        };
      }
      case 'threads': {
        const n = this.int(2, 16);
        return {
          kind,
          cmd: `mkdir -p ${sq(dir)} && /usr/local/bin/soak-threads ${sq(dir)} ${n}`,
          check: (out) =>
            expectDone(out, (t) => {
              const p: string[] = [];
              for (let i = 0; i < n; i++) if (!has(t, 'W', `${dir}/t${i}`)) p.push(`no W record for thread ${i}'s file (${n} threads)`);
              return p;
            }),
        };
      }
      case 'kill': {
        const n = this.int(1, 5);
        const cmd = `i=0; while [ $i -lt ${n} ]; do sleep 30 & kill -9 $!; i=$((i + 1)); done; wait; sh -c 'kill -9 $$'`;
        return {
          kind,
          cmd,
          check: (out) =>
            expectDone(out, (t) => {
              const killed = t.processes().all.filter((p) => p.exit?.signal === 9).length;
              return killed >= n + 1 ? [] : [`${killed} processes ended by signal 9, expected at least ${n + 1}`];
            }),
        };
      }
      default: {
        // timeout: processes still running when the time is up.
        const n = this.int(1, 4);
        const timeoutMs = this.int(300, 2000);
        const cmd = `mkdir -p ${sq(dir)}; echo x > ${sq(dir)}/before; i=0; while [ $i -lt ${n} ]; do sleep 60 & i=$((i + 1)); done; wait`;
        return {
          kind: 'timeout',
          cmd,
          timeoutMs,
          check: (out) => {
            if (!(out instanceof TraceTimeoutError)) return ['did not time out'];
            const p = common(out.trace);
            const pids = new Set(out.trace.processes().all.map((x) => x.pid));
            if (out.killed.length < n + 1) p.push(`killed ${out.killed.length} processes, expected at least ${n + 1}`);
            for (const k of out.killed) if (!pids.has(k)) p.push(`killed pid ${k} is not in the log`);
            for (const x of out.trace.processes().all) {
              if (out.killed.includes(x.pid) && x.exit?.signal !== 9) p.push(`killed pid ${x.pid} has no X record with signal 9`);
            }
            if (!has(out.trace, 'W', `${dir}/before`)) p.push('no W record for the file written before the timeout');
            return p;
          },
        };
      }
    }
  }

  /** Runs workloads (several at once when batch > 1) and checks them. */
  async run(sim: Simulator, batch: number): Promise<void> {
    const ws = Array.from({ length: batch }, () => this.make());
    const outs = await Promise.all(
      ws.map((w) =>
        sim.trace(w.cmd, { timeoutMs: w.timeoutMs ?? 120_000 }).catch((e: unknown) => {
          if (e instanceof TraceTimeoutError && w.timeoutMs) return e;
          return e instanceof Error ? e : new Error(String(e));
        }),
      ),
    );
    ws.forEach((w, i) => {
      const out = outs[i];
      this.traces++;
      this.byKind.set(w.kind, (this.byKind.get(w.kind) ?? 0) + 1);
      let problems: string[];
      if (out instanceof Error && !(out instanceof TraceTimeoutError)) problems = [`trace failed: ${out.message}`];
      else {
        const trace = out.trace;
        this.records += trace.events.length;
        problems = w.check(out);
        // No record of this log may name another workload's directory.
        for (const e of trace.events) {
          for (const p of e.kind === 'M' || e.kind === 'L' ? [e.from, e.to] : 'path' in e ? [e.path] : []) {
            if (p.startsWith(`${ROOT}/`) && !(p === w.dir || p.startsWith(`${w.dir}/`))) problems.push(`record of another trace: ${e.kind} ${p}`);
          }
        }
      }
      if (problems.length) {
        const done = out instanceof Error && !(out instanceof TraceTimeoutError) ? undefined : out;
        const log = done ? new TextDecoder().decode(done.log) : '';
        const stderr = done ? new TextDecoder().decode(done instanceof TraceTimeoutError ? done.result?.stderr : done.stderr) : '';
        this.failures.push(
          `${w.kind} (${w.dir}): ${problems.join('; ')}\n  command: ${JSON.stringify(w.cmd).slice(0, 300)}\n` +
            `  stderr: ${JSON.stringify(stderr.slice(0, 500))}\n  log:\n${log.slice(0, 3000).replace(/^/gm, '    ')}`,
        );
      }
    });
    await sim.machine.exec(['rm', '-rf', ...ws.map((w) => w.dir)]);
  }
}

function has(t: Trace, kind: string, path: string): boolean {
  return t.events.some((e) => e.kind === kind && 'path' in e && e.path === path);
}

/** What holds for every log: well formed, complete, an X for every process. */
function common(t: Trace): string[] {
  const p: string[] = [];
  if (t.errors.length) p.push(`${t.errors.length} malformed lines`);
  if (!t.complete) p.push('no footer');
  for (const x of t.processes().all) if (!x.exit) p.push(`pid ${x.pid} has no X record`);
  return p;
}

function expectDone(out: TraceResult | TraceTimeoutError, more: (t: Trace) => string[]): string[] {
  if (out instanceof TraceTimeoutError) return [`timed out: ${out.message}`];
  return [...common(out.trace), ...more(out.trace)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { minutes: { type: 'string' }, seed: { type: 'string' }, memory: { type: 'string' } },
  });
  const minutes = Number(values.minutes ?? 10);
  const seed = Number(values.seed ?? Date.now() % 1e9);
  if (!(minutes > 0) || !Number.isInteger(seed)) throw new Error('usage: soak [--minutes N] [--seed N] [--memory MiB]');
  const rand = rng(seed);
  const sim = await Simulator.start({ memoryMiB: values.memory ? Number(values.memory) : undefined });
  try {
    await sim.machine.putFile('/tmp/soak-threads.c', THREADS_C);
    const cc = await sim.machine.exec(['tcc', '-o', '/usr/local/bin/soak-threads', '/tmp/soak-threads.c', '-lpthread']);
    const threads = cc.status === 0;
    if (!threads) console.log(`soak: no threads workload (tcc failed: ${new TextDecoder().decode(cc.stderr).trim()})`);
    const soak = new Soak(rand, threads);
    console.log(`soak: seed ${seed}, ${minutes} min, one Simulator`);
    const t0 = performance.now();
    const end = t0 + minutes * 60_000;
    let shown = t0;
    while (performance.now() < end) {
      await soak.run(sim, rand() < 0.33 ? 2 + Math.floor(rand() * 3) : 1);
      if (performance.now() - shown > 30_000) {
        shown = performance.now();
        console.log(`soak: ${((shown - t0) / 1000).toFixed(0)} s: ${soak.traces} traces, ${soak.records} records checked, ${soak.failures.length} failures`);
      }
    }
    const secs = (performance.now() - t0) / 1000;
    for (const f of soak.failures.slice(0, 20)) console.log(`FAIL ${f}`);
    console.log(`soak: ${secs.toFixed(0)} s, seed ${seed}`);
    console.log(`soak: workloads ${[...soak.byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    console.log(`soak: traces ${soak.traces}, records checked ${soak.records}, failures ${soak.failures.length}`);
    process.exitCode = soak.failures.length ? 1 : 0;
  } finally {
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(`soak: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(2);
});
