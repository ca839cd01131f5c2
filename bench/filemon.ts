// /dev/filemon's overhead beside the tool people would use instead, in v86.
//
// Two workloads, each run untraced, under filemon, and under Debian's i386
// strace -f (filtered to file and process calls, and unfiltered):
//  - syscall: bench_workload once 2000 200 (2000 open/read/close of small
//    files and 200 fork+exec), filemon through fms-trace;
//  - build: the meta-mode demo project built from clean by bmake in meta
//    mode, with filemon (.MAKE.MODE=meta) against .MAKE.MODE='meta
//    nofilemon' (untraced and the strace runs).
// Rounds alternate the modes; each figure is the median of the rounds, as
// guest instructions (v86's counter, which host load cannot move) and wall
// time (noisy on a shared machine), with its ratio to untraced.
//
//   npm run bench:filemon [-- --rounds N] [--opens N] [--execs N]
//                         [--only syscall|build] [--no-strace]
//                         [--workload-binary PATH]
//
// Each measurement is also logged on stderr as it is taken, so a long run
// on a loaded machine gives figures before it ends.
//
// strace is not part of the image: the bench fetches strace:i386 with
// apt-get download into images/out/bench-cache and copies the binary into
// the guest. --workload-binary puts a host-built bench_workload in the
// guest first (to measure an older image that lacks the "once" mode).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir } from '../images/linux/recipe/layout.js';
import { run } from '../images/linux/recipe/run.js';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { InstructionMeter } from './instructions.js';

const GUEST_STRACE = '/tmp/strace';
const WORKLOAD = '/usr/lib/filemon-tests/bench_workload';
const DEMO_SOURCE = '/usr/share/filemon-sim/meta-project';
const BUILD_DIR = '/root/bench-meta';

interface Mode {
  name: string;
  /** Shell command of one run. */
  command: string;
}

interface Workload {
  name: string;
  /** Run before each measured command, not measured. */
  prepare: string;
  modes: Mode[];
}

function workloads(opens: number, execs: number, strace: boolean): Workload[] {
  const syscall = `${WORKLOAD} once ${opens} ${execs}`;
  const bmake = (mode: string) => `cd ${BUILD_DIR} && bmake .MAKE.MODE='${mode}' >/dev/null`;
  return [
    {
      name: `syscall (${opens} open/read/close + ${execs} fork+exec)`,
      prepare: 'rm -f /tmp/bench.log',
      modes: [
        { name: 'untraced', command: syscall },
        { name: 'filemon', command: `fms-trace -o /tmp/bench.log -- ${syscall}` },
        { name: 'strace -f -e trace=file,process', command: `${GUEST_STRACE} -f -e trace=file,process -o /tmp/bench.log ${syscall}` },
        { name: 'strace -f', command: `${GUEST_STRACE} -f -o /tmp/bench.log ${syscall}` },
      ],
    },
    {
      name: 'build (meta-mode demo project from clean, bmake + tcc)',
      prepare: `rm -rf ${BUILD_DIR} /tmp/bench.log && cp -a ${DEMO_SOURCE} ${BUILD_DIR} && mkdir ${BUILD_DIR}/obj`,
      modes: [
        { name: 'untraced (meta nofilemon)', command: bmake('meta nofilemon') },
        { name: 'filemon (meta)', command: bmake('meta') },
        { name: 'strace -f -e trace=file,process', command: `${GUEST_STRACE} -f -e trace=file,process -o /tmp/bench.log sh -c "${bmake('meta nofilemon')}"` },
        { name: 'strace -f', command: `${GUEST_STRACE} -f -o /tmp/bench.log sh -c "${bmake('meta nofilemon')}"` },
      ],
    },
  ].map((w) => ({ ...w, modes: strace ? w.modes : w.modes.filter((x) => !x.name.startsWith('strace')) }));
}

/** strace:i386 from Debian's archive, cached beside the image. */
function straceBinary(log: (m: string) => void): Uint8Array {
  const cache = join(outDir, '..', 'bench-cache');
  const root = join(cache, 'strace-root');
  const bin = join(root, 'usr/bin/strace');
  if (!existsSync(bin)) {
    mkdirSync(cache, { recursive: true });
    log('fetching strace:i386 (apt-get download)');
    for (const f of readdirSync(cache)) if (f.endsWith('.deb')) run('rm', ['-f', join(cache, f)]);
    run('apt-get', ['download', 'strace:i386'], { cwd: cache });
    const deb = readdirSync(cache).find((f) => /^strace_.*_i386\.deb$/.test(f));
    if (!deb) throw new Error('apt-get download strace:i386 gave no .deb: is the i386 architecture enabled (dpkg --add-architecture i386; apt-get update)?');
    run('dpkg-deb', ['-x', join(cache, deb), root]);
  }
  return readFileSync(bin);
}

async function measure(m: Machine, command: string): Promise<{ instructions: number; ms: number }> {
  const meter = new InstructionMeter(m);
  const t0 = performance.now();
  const r = await m.exec(command, { timeoutMs: 1_800_000 });
  const ms = performance.now() - t0;
  const instructions = meter.stop();
  if (r.status !== 0) throw new Error(`\`${command}\` failed (${r.status}): ${new TextDecoder().decode(r.stderr)}`);
  return { instructions, ms };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const count = (name: string, dflt: number) => {
    const n = Number(option(name) ?? dflt);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive integer`);
    return n;
  };
  const rounds = count('--rounds', 5);
  const only = option('--only');
  const withStrace = !process.argv.includes('--no-strace');
  const chosen = workloads(count('--opens', 2000), count('--execs', 200), withStrace).filter((w) => !only || w.name.startsWith(only));
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const strace = straceBinary(log);
  // Cold boots take minutes on a loaded machine; the figures are unaffected.
  const { machine } = await bootMachine({ log, bootTimeoutMs: 900_000 });
  try {
    await machine.putFile(GUEST_STRACE, strace, 0o755);
    const binary = option('--workload-binary');
    if (binary) await machine.putFile(WORKLOAD, readFileSync(binary), 0o755);
    const uname = new TextDecoder().decode((await machine.exec('uname -r')).stdout).trim();
    process.stdout.write(`guest kernel ${uname}; ${rounds} rounds after one warm-up round, modes alternating; medians\n`);
    for (const w of chosen) {
      const results = new Map<string, { instructions: number[]; ms: number[] }>(w.modes.map((x) => [x.name, { instructions: [], ms: [] }]));
      for (let round = 0; round <= rounds; round++) {
        for (const mode of w.modes) {
          const prep = await machine.exec(w.prepare, { timeoutMs: 120_000 });
          if (prep.status !== 0) throw new Error(`\`${w.prepare}\` failed: ${new TextDecoder().decode(prep.stderr)}`);
          const r = await measure(machine, mode.command);
          log(`${w.name.split(' ')[0]} round ${round}${round ? '' : ' (warm-up)'} ${mode.name}: ${(r.instructions / 1e6).toFixed(1)} M instructions, ${r.ms.toFixed(0)} ms`);
          if (round === 0) continue;
          results.get(mode.name)!.instructions.push(r.instructions);
          results.get(mode.name)!.ms.push(r.ms);
        }
        if (round > 0) log(`${w.name}: round ${round}/${rounds} done`);
      }
      const base = results.get(w.modes[0].name)!;
      const baseI = median(base.instructions);
      const baseMs = median(base.ms);
      process.stdout.write(`\n${w.name}\n`);
      process.stdout.write(`  ${'mode'.padEnd(34)} ${'instructions'.padStart(14)} ${'ratio'.padStart(7)} ${'wall ms'.padStart(10)} ${'ratio'.padStart(7)}\n`);
      for (const mode of w.modes) {
        const r = results.get(mode.name)!;
        const i = median(r.instructions);
        const ms = median(r.ms);
        process.stdout.write(
          `  ${mode.name.padEnd(34)} ${(i / 1e6).toFixed(1).padStart(12)} M ${(i / baseI).toFixed(3).padStart(7)} ${ms.toFixed(0).padStart(10)} ${(ms / baseMs).toFixed(3).padStart(7)}\n`,
        );
      }
    }
  } finally {
    await machine.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
