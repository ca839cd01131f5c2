// FILEMON_SIM_SHARD=K/N for mocha, which has no --shard: the plugin narrows
// the run's spec files to its share before mocha loads them (serial run) or
// hands them to its workers (--parallel). Mocha's own methods are wrapped,
// since a root-hook plugin runs after the files are chosen and loaded.
import Mocha from 'mocha';
import { parseShard, shardFiles, type Shard } from './shard.js';

const narrowed = new WeakSet<Mocha>();
let requested: Shard | undefined;
let applied = false;

function narrow(mocha: Mocha, shard: Shard): void {
  // A worker is handed one file that is already its share.
  if (narrowed.has(mocha) || (mocha.options as { isWorker?: boolean }).isWorker) return;
  narrowed.add(mocha);
  applied = true;
  const all = mocha.files;
  mocha.files = shardFiles(all, shard);
  process.stderr.write(`filemon-sim: shard ${shard.index}/${shard.count}: ${mocha.files.length} of ${all.length} spec files\n`);
}

/**
 * Throws when a shard was asked for but this process's mocha loaded its
 * files without one: another copy of mocha than the one filemon-sim
 * imports (a global mocha with a local filemon-sim, say). Call from a root
 * hook of a serial run; workers get their file already chosen.
 */
export function checkShardApplied(): void {
  if (!requested || applied) return;
  throw new Error(
    `filemon-sim: FILEMON_SIM_SHARD=${requested.index}/${requested.count} was set, but this mocha is not the copy filemon-sim wraps, so its files were not narrowed to the share; run the project's own mocha (npx mocha)`,
  );
}

/** Wraps the Mocha methods that take up the spec files, once per process. */
export function installShard(shard = parseShard()): void {
  if (!shard) return;
  requested = shard;
  const proto = Mocha.prototype as unknown as Record<'loadFiles' | 'loadFilesAsync' | 'run', (this: Mocha, ...args: unknown[]) => unknown>;
  for (const name of ['loadFiles', 'loadFilesAsync', 'run'] as const) {
    const original = proto[name];
    if ((original as { shardWrapped?: boolean }).shardWrapped) continue;
    const wrapped = function (this: Mocha, ...args: unknown[]) {
      narrow(this, shard);
      return original.apply(this, args);
    };
    proto[name] = Object.assign(wrapped, { shardWrapped: true });
  }
}
