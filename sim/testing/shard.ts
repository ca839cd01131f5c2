// Splitting a suite's spec files over CI machines: FILEMON_SIM_SHARD=K/N
// runs the K-th of N shares. Files are sorted by their path relative to the
// working directory (the same on every machine whatever the checkout's
// location) and dealt out in turn, so the shares differ by one file at most,
// together hold every file and no file is in two.
import { relative, sep } from 'node:path';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The shard FILEMON_SIM_SHARD (or the value given) asks for; undefined when unset. */
export function parseShard(value = process.env.FILEMON_SIM_SHARD): Shard | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`filemon-sim: FILEMON_SIM_SHARD=${value} is not K/N with 1 <= K <= N (as 2/4: the second of four shares of the spec files); fix it or unset it to run every file`);
  }
  return { index, count };
}

/** The files of this shard, in the order given. */
export function shardFiles(files: readonly string[], shard: Shard, cwd = process.cwd()): string[] {
  const key = (f: string) => relative(cwd, f).split(sep).join('/');
  const order = [...new Set(files)].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const mine = new Set(order.filter((_, i) => i % shard.count === shard.index - 1));
  return files.filter((f) => mine.has(f));
}
