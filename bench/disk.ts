// The read-on-demand disk against v86's 9p, on the same files in one run:
// each read in the guest with a cold page cache, from /dev/sda (the image's
// squashfs, images/linux/recipe/bulk.ts) and from the 9p folder (the transport a
// 9p `basefs` lazy load uses once it has fetched a file), in guest
// instructions (v86's counter: independent of the host's load) and wall
// time (noisy on a shared machine). Then what each costs a saved state:
// the disk's none; v86 saves the 9p file system's files (their data, as a
// basefs lazy load keeps them once fetched) and an inode per file with it.
// Usage: npm run bench:disk
import type { V86 } from 'v86';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { dropPageCache } from '../sim/guest/snapshot.js';

const DROP = 'sync && echo 3 > /proc/sys/vm/drop_caches';

/** Representative reads: one big shared library, a compile's worth of headers. */
const CASES: Array<{ what: string; files: string }> = [
  { what: 'libc.so.6 (2.2 MB, one file)', files: '/lib/i386-linux-gnu/libc.so.6' },
  { what: 'usr/include/*.h (small files)', files: '/usr/include/*.h' },
];

/** v86 itself, for the 9p side: the harness keeps it private. */
const emulatorOf = (m: Machine): V86 => (m as unknown as { emulator: V86 }).emulator;

async function measure(m: Machine, cmd: string): Promise<{ instructions: number; ms: number }> {
  await m.exec(['sh', '-c', DROP]);
  const i0 = m.instructionCounter();
  const t0 = performance.now();
  const r = await m.exec(['sh', '-c', cmd]);
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${new TextDecoder().decode(r.stderr)}`);
  // 32-bit counter: wraps after 4.3 G instructions.
  return { instructions: (m.instructionCounter() - i0) >>> 0, ms };
}

async function main(): Promise<void> {
  const out = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
  const { machine: m } = await bootMachine({ bootTimeoutMs: 900_000 });
  const emulator = emulatorOf(m);
  const stateBytes = async () => {
    await dropPageCache(m);
    return (await m.saveState()).byteLength;
  };
  const disk0 = await stateBytes();
  await m.exec(['sh', '-c', `cat ${CASES.map((c) => c.files).join(' ')} > /dev/null`]);
  const disk1 = await stateBytes();
  out('saved state (raw): after boot / after reading the files from the disk', `${(disk0 / 1e6).toFixed(2)} MB / ${(disk1 / 1e6).toFixed(2)} MB`);
  let copies = 0;
  for (const c of CASES) {
    // The same files, copied into the 9p folder under flat names.
    const list = new TextDecoder()
      .decode((await m.exec(['sh', '-c', `ls ${c.files}`])).stdout)
      .trim()
      .split('\n');
    const names: string[] = [];
    for (const f of list) {
      const name = `bench-9p-${copies++}`;
      await emulator.create_file(`/${name}`, await m.getFile(f));
      names.push(`/run/fms/${name}`);
    }
    const bytes = Number(new TextDecoder().decode((await m.exec(['sh', '-c', `cat ${c.files} | wc -c`])).stdout));
    // Twice each, alternating, to show the spread.
    for (let round = 1; round <= 2; round++) {
      const disk = await measure(m, `cat ${c.files} > /dev/null`);
      const nine = await measure(m, `cat ${names.join(' ')} > /dev/null`);
      out(`${c.what}, ${list.length} files, ${(bytes / 1e6).toFixed(2)} MB, round ${round}`, '');
      out('  disk: guest instructions / wall', `${(disk.instructions / 1e6).toFixed(1)} M / ${disk.ms.toFixed(0)} ms`);
      out('  9p:   guest instructions / wall', `${(nine.instructions / 1e6).toFixed(1)} M / ${nine.ms.toFixed(0)} ms`);
      out('  9p / disk (instructions)', `${(nine.instructions / disk.instructions).toFixed(2)}×`);
    }
  }
  // What 9p files cost a saved state: their data and an inode each.
  const nine1 = await stateBytes();
  for (let i = 0; i < 2000; i++) await emulator.create_file(`/bench-9p-state-${i}`, new Uint8Array(0));
  const nine2 = await stateBytes();
  out('saved state (raw): with the files read through 9p', `${(nine1 / 1e6).toFixed(2)} MB`);
  out('  and 2,000 more (empty) 9p files', `${(nine2 / 1e6).toFixed(2)} MB`);
  await m.close();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
