// Foundation figures: cold boot, saved state size, state restore to first
// command, `true` round trip, and guest->host throughput over each path of
// the channel. Wall times are noisy on a shared machine.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { decodeTree, encodeTree, EntryKind, type TreeEntry } from '../sim/transfer/tree.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function throughput(m: Machine, bytes: number): Promise<number> {
  await m.exec(`head -c ${bytes} /dev/zero > /tmp/blob`);
  await m.exec('cat /tmp/blob > /dev/null'); // warm the page cache and JIT
  const [r, ms] = await timed(() => m.exec(['cat', '/tmp/blob']));
  if (r.stdout.length !== bytes) throw new Error(`expected ${bytes} bytes, got ${r.stdout.length}`);
  await m.exec('rm /tmp/blob');
  return bytes / 1e6 / (ms / 1000);
}

/** Boots may take minutes on a loaded shared machine: the figures say how long. */
const SLOW = 900_000;

const entry = (kind: EntryKind, name: string, data = new Uint8Array(0)): TreeEntry => ({
  kind,
  name,
  mode: kind === EntryKind.Dir ? 0o040755 : 0o100644,
  mtime: { sec: 1.6e9, nsec: 0 },
  atime: { sec: 1.6e9, nsec: 0 },
  link: '',
  data,
});

/**
 * Trees in one request (putTree/getTree, what Simulator.put/get use) against
 * one request per file (putFile/getFile, what they did before), side by
 * side: 32 MiB in one file, and 2,000 files of 1 kB in 20 directories.
 */
async function transfers(m: Machine, out: (label: string, value: string) => void): Promise<void> {
  const big = [entry(EntryKind.File, '', new Uint8Array(32 << 20))];
  const small = [entry(EntryKind.Dir, '')];
  for (let d = 0; d < 20; d++) {
    small.push(entry(EntryKind.Dir, `d${d}`));
    for (let f = 0; f < 100; f++) small.push(entry(EntryKind.File, `d${d}/f${f}`, new Uint8Array(1000).fill(f)));
  }
  const rate = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
  const perFile = (n: number, ms: number) => `${(ms / n).toFixed(2)} ms/file (${(ms / 1000).toFixed(2)} s)`;
  // One 32 MiB copy in the guest's memory at a time.
  const [, pt] = await timed(() => m.putTree('/tmp/big', encodeTree(big)));
  const [, gt] = await timed(async () => decodeTree((await m.getTree('/tmp/big')).tree));
  await m.exec('rm /tmp/big');
  const [, pf] = await timed(() => m.putFile('/tmp/big', big[0].data));
  const [, gf] = await timed(() => m.getFile('/tmp/big'));
  await m.exec('rm /tmp/big');
  out('host->guest 32 MiB: tree / per file', `${rate(32 << 20, pt)} / ${rate(32 << 20, pf)}`);
  out('guest->host 32 MiB: tree / per file', `${rate(32 << 20, gt)} / ${rate(32 << 20, gf)}`);
  const files = small.filter((e) => e.kind === EntryKind.File);
  const [, st] = await timed(() => m.putTree('/tmp/small', encodeTree(small)));
  const [, sf] = await timed(async () => {
    for (const e of small) {
      if (e.kind === EntryKind.Dir) await m.mkdir(`/tmp/small1/${e.name}`);
      else await m.putFile(`/tmp/small1/${e.name}`, e.data);
    }
  });
  out('host->guest 2,000 files: tree', perFile(files.length, st));
  out('host->guest 2,000 files: per file', perFile(files.length, sf));
  const [, sg] = await timed(async () => decodeTree((await m.getTree('/tmp/small')).tree));
  const [, sgf] = await timed(async () => {
    for (const e of files) await m.getFile(`/tmp/small1/${e.name}`);
  });
  out('guest->host 2,000 files: tree', perFile(files.length, sg));
  out('guest->host 2,000 files: per file', perFile(files.length, sgf));
}

async function main(): Promise<void> {
  const out = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);

  // Cold boot: the saved state is neither used nor replaced.
  const [cold, coldMs] = await timed(() => bootMachine({ savedState: false, bootTimeoutMs: SLOW }));
  out('cold boot to agent ready', `${(coldMs / 1000).toFixed(2)} s`);
  // The guest's own work, independent of the host's load: v86's counter
  // (32 bits: a boot of more than 4.3 G instructions would read short).
  const counter = cold.machine.instructionCounter();
  out('  guest instructions to agent ready', `${(counter / 1e9).toFixed(2)} G`);
  const uptime = await cold.machine.exec(['cat', '/proc/uptime']);
  out('  guest uptime at agent ready', `${new TextDecoder().decode(uptime.stdout).split(' ')[0]} s`);
  const release = await cold.machine.exec(['uname', '-rv']);
  out('  kernel', new TextDecoder().decode(release.stdout).trim());
  await cold.machine.close();

  // Makes the saved state if it is missing.
  const made = await bootMachine({ bootTimeoutMs: SLOW });
  await made.machine.close();
  if (!existsSync(made.info.statePath)) throw new Error('no saved state was written');
  const onDisk = statSync(made.info.statePath).size;
  const raw = made.info.statePath.endsWith('.zst') ? spawnSync('zstd', ['-dc', made.info.statePath], { maxBuffer: 1 << 30 }).stdout.length : onDisk;
  out('saved state on disk (compressed / raw)', `${(onDisk / 1e6).toFixed(1)} MB / ${(raw / 1e6).toFixed(1)} MB`);
  const restores: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const { machine } = await bootMachine({ bootTimeoutMs: SLOW });
    await machine.exec(['true']);
    restores.push(performance.now() - t);
    await machine.close();
  }
  out('state restore to first command (median of 5)', `${(median(restores) / 1000).toFixed(3)} s`);

  const { machine } = await bootMachine();
  // Right after a restore v86's JIT has compiled nothing: the first couple
  // of hundred commands run slower. Both figures are shown.
  const trip = async () => (await timed(() => machine.exec(['true'])))[1];
  const afterRestore: number[] = [];
  for (let i = 0; i < 100; i++) afterRestore.push(await trip());
  for (let i = 0; i < 200; i++) await trip();
  const trips: number[] = [];
  for (let i = 0; i < 100; i++) trips.push(await trip());
  out('`true` round trip, first 100 after restore', `${median(afterRestore).toFixed(1)} ms median`);
  out('`true` round trip, JIT warm (median of 100)', `${median(trips).toFixed(1)} ms`);
  out('  (min / max)', `${Math.min(...trips).toFixed(1)} / ${Math.max(...trips).toFixed(1)} ms`);

  out('guest->host, 48 KiB stdout (console path)', `${(await throughput(machine, 48 << 10)).toFixed(1)} MB/s`);
  out('guest->host, 32 MiB stdout (9p path)', `${(await throughput(machine, 32 << 20)).toFixed(1)} MB/s`);
  const data = new Uint8Array(32 << 20);
  const [, putMs] = await timed(() => machine.putFile('/tmp/up', data));
  out('host->guest, 32 MiB putFile (9p path)', `${(data.length / 1e6 / (putMs / 1000)).toFixed(1)} MB/s`);
  const [, getMs] = await timed(() => machine.getFile('/tmp/up'));
  out('guest->host, 32 MiB getFile (9p path)', `${(data.length / 1e6 / (getMs / 1000)).toFixed(1)} MB/s`);
  await machine.exec('rm /tmp/up');
  await transfers(machine, out);
  await machine.close();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
