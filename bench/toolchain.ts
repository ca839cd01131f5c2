// The toolchain disk's figures: `gcc -c` of a 300-line C file in the guest,
// first (right after a restore: page cache empty, every block of cc1, as
// and the headers read from the disk) and warm (the same again), in guest
// instructions (v86's counter: the load of a shared machine does not move
// it) and wall time (noisy); for the disk as built (lz4) and, with
// BENCH_COMPARE=1, for the same tree packed with zstd, alternating; then
// bmake built from its own source with gcc (./configure, then make-bootstrap.sh:
// the build without its unit tests), wall and instructions.
// The playground's bytes for its first gcc compile: test/playground.test.ts logs them.
// Usage: npm run bench:toolchain (BENCH_ROUNDS=N, default 2)
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { toolchainDir } from '../images/linux/recipe/layout.js';
import { BMAKE_SOURCE_DIR, packToolchainDisk, type DiskCompression } from '../images/linux/recipe/toolchain/build.js';
import type { ToolchainManifest } from '../sim/guest/image.js';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { Simulator } from '../sim/index.js';
import { InstructionMeter } from './instructions.js';

const DROP = 'sync && echo 3 > /proc/sys/vm/drop_caches';

/** 300 lines of ordinary C: structs, loops, string and stdio calls, several headers. */
export function sourceOf300Lines(): string {
  const lines = ['#include <stdio.h>', '#include <stdlib.h>', '#include <string.h>', '#include <stdint.h>', '#include <errno.h>', ''];
  lines.push('struct item { char name[32]; int64_t weight; struct item *next; };', '');
  for (let i = 0; lines.length < 292; i++) {
    lines.push(
      `static int64_t step${i}(struct item *list, const char *key)`,
      '{',
      '\tint64_t sum = 0;',
      '\tfor (struct item *p = list; p; p = p->next) {',
      `\t\tif (strncmp(p->name, key, sizeof p->name) == 0)`,
      `\t\t\tsum += p->weight * ${i + 1};`,
      '\t\telse',
      `\t\t\tsum ^= (int64_t)strlen(p->name) << ${i % 13};`,
      '\t}',
      '\treturn sum;',
      '}',
      '',
    );
  }
  lines.push('int main(int argc, char **argv)', '{', '\tstruct item a = { "a", 1, NULL };', '\tprintf("%lld\\n", (long long)step0(&a, argc > 1 ? argv[1] : "a"));', '\treturn errno;', '}');
  return lines.join('\n') + '\n';
}

async function timed(m: Machine, cmd: string, cwd = '/tmp'): Promise<{ instructions: number; ms: number }> {
  const meter = new InstructionMeter(m);
  const t0 = performance.now();
  const r = await m.exec(['sh', '-c', cmd], { cwd, timeoutMs: 1_800_000 });
  const ms = performance.now() - t0;
  const instructions = meter.stop();
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${new TextDecoder().decode(r.stderr)}`);
  return { instructions, ms };
}

/** The built toolchain's tree packed with the other compressor, as a toolchain folder of its own. */
function otherCompression(comp: DiskCompression): string {
  const dir = join(toolchainDir, '..', `toolchain-${comp}`);
  const manifest = JSON.parse(readFileSync(join(toolchainDir, 'manifest.json'), 'utf8')) as ToolchainManifest;
  const disk = join(dir, manifest.outputs.disk.file);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(disk)) {
    console.error(`packing the toolchain tree with ${comp} into ${dir} (a few minutes)`);
    packToolchainDisk(join(toolchainDir, 'tree'), disk, comp);
  }
  const sha256 = createHash('sha256').update(readFileSync(disk)).digest('hex');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ ...manifest, compression: comp, outputs: { disk: { file: manifest.outputs.disk.file, sha256, bytes: statSync(disk).size } } }, null, 2) + '\n',
  );
  return dir;
}

async function gccFigures(dir: string, label: string, out: (l: string, v: string) => void): Promise<void> {
  const { machine: m } = await bootMachine({ toolchain: dir, bootTimeoutMs: 900_000 });
  try {
    await m.putFile('/tmp/big.c', sourceOf300Lines());
    await m.exec(['sh', '-c', DROP]);
    const first = await timed(m, 'gcc -O2 -c big.c');
    const warm = await timed(m, 'gcc -O2 -c big.c');
    const disk = (m.options.image.toolchain!.disk as unknown as { stats: { reads: number; bytes: number } }).stats;
    const M = (n: number) => `${(n / 1e6).toFixed(0)} M`;
    out(`${label}: gcc -O2 -c (300 lines), first: instructions / wall`, `${M(first.instructions)} / ${first.ms.toFixed(0)} ms`);
    out(`${label}: gcc -O2 -c (300 lines), warm: instructions / wall`, `${M(warm.instructions)} / ${warm.ms.toFixed(0)} ms`);
    out(`${label}: toolchain disk bytes read by the guest`, `${(disk.bytes / 1e6).toFixed(2)} MB in ${disk.reads} reads`);
  } finally {
    await m.close();
  }
}

async function bmakeBuild(out: (l: string, v: string) => void): Promise<void> {
  const src = join(toolchainDir, BMAKE_SOURCE_DIR);
  const sim = await Simulator.start({ toolchain: toolchainDir, bootTimeoutMs: 900_000 });
  try {
    await sim.put(src, '/tmp/bmake');
    const conf = await timed(sim.machine, 'CC=gcc ./configure >/dev/null', '/tmp/bmake');
    const make = await timed(sim.machine, 'sh ./make-bootstrap.sh >/dev/null', '/tmp/bmake');
    out('bmake from source: ./configure, wall / instructions', `${(conf.ms / 1000).toFixed(1)} s / ${(conf.instructions / 1e9).toFixed(2)} G`);
    out('bmake from source: make (make-bootstrap.sh), wall / instructions', `${(make.ms / 1000).toFixed(1)} s / ${(make.instructions / 1e9).toFixed(2)} G`);
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const out = (label: string, value: string) => console.log(`${label.padEnd(66)} ${value}`);
  const manifest = JSON.parse(readFileSync(join(toolchainDir, 'manifest.json'), 'utf8')) as ToolchainManifest;
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const variants: Array<[string, string]> = [[`${manifest.compression} (${(manifest.outputs.disk.bytes / 1e6).toFixed(1)} MB)`, toolchainDir]];
  if (process.env.BENCH_COMPARE === '1') {
    const other: DiskCompression = manifest.compression === 'lz4' ? 'zstd' : 'lz4';
    const dir = otherCompression(other);
    const bytes = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ToolchainManifest).outputs.disk.bytes;
    variants.push([`${other} (${(bytes / 1e6).toFixed(1)} MB)`, dir]);
  }
  for (let r = 1; r <= rounds; r++) for (const [label, dir] of variants) await gccFigures(dir, `round ${r}, ${label}`, out);
  if (existsSync(join(toolchainDir, BMAKE_SOURCE_DIR))) await bmakeBuild(out);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
