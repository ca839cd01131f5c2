// FILEMON_SIM_SHARD=K/N for mocha, which has no --shard: the plugin narrows
// the run's spec files to its share before mocha loads them (serial run) or
// hands them to its workers (--parallel). Mocha's own methods are wrapped,
// since a root-hook plugin runs after the files are chosen and loaded.
import Mocha from 'mocha';
import { parseShard, shardFiles, type Shard } from './shard.js';

const narrowed = new WeakSet<Mocha>();

function narrow(mocha: Mocha, shard: Shard): void {
  // A worker is handed one file that is already its share.
  if (narrowed.has(mocha) || (mocha.options as { isWorker?: boolean }).isWorker) return;
  narrowed.add(mocha);
  const all = mocha.files;
  mocha.files = shardFiles(all, shard);
  process.stderr.write(`filemon-sim: shard ${shard.index}/${shard.count}: ${mocha.files.length} of ${all.length} spec files\n`);
}

/** Wraps the Mocha methods that take up the spec files, once per process. */
export function installShard(shard = parseShard()): void {
  if (!shard) return;
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
