// Where saved guest states are read from and written to. A local build
// (images/out/linux) keeps its state beside the image, as the playground and
// the image package take it from there. Every other image folder (the image
// package in node_modules, FILEMON_SIM_IMAGE, the image option) is only read:
// a state it lacks is made once and kept in the user's cache folder.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { LoadedImage } from './image.js';

/** The image folder and how it was found: all that decides where its states live. */
type ImageAt = Pick<LoadedImage, 'dir' | 'source'>;

/** The file name of the saved state for a state key. */
export function stateFileName(key: string): string {
  return `state-${key}.zst`;
}

const STATE_FILE = /^state-[0-9a-f]{16}\.(bin|zst)$/;

/** States kept in the user cache, most recently used first; older ones are removed. */
const CACHE_KEEP = 3;

/** $XDG_CACHE_HOME/filemon-sim, or the platform's cache folder. */
export function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return join(xdg, 'filemon-sim');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'filemon-sim');
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'filemon-sim', 'Cache');
  return join(homedir(), '.cache', 'filemon-sim');
}

/** What the image's packaged state was made for (packages/image-linux-i386 writes state.json). */
interface PackagedState {
  file: string;
  key: string;
  v86Version: string;
  memoryMiB: number;
}

export interface StateLocation {
  /** An existing state to restore, if any. */
  restore?: string;
  /** Where a state made by a cold boot is written. */
  save: string;
  /** Set when the image ships a state that does not fit this machine: says why. */
  mismatch?: string;
}

/** Where the state of this key is, or goes, for this image. */
export function stateLocation(image: ImageAt, key: string, want: { v86Version: string; memoryMiB: number }): StateLocation {
  const file = stateFileName(key);
  const beside = join(image.dir, file);
  if (image.source === 'local' || image.source === 'built') return { restore: existsSync(beside) ? beside : undefined, save: beside };

  const cached = join(userCacheDir(), 'states', file);
  if (existsSync(beside)) return { restore: beside, save: cached };
  const loc: StateLocation = { restore: existsSync(cached) ? cached : undefined, save: cached };
  const shipped = packagedState(image.dir);
  if (shipped) {
    const why =
      shipped.v86Version !== want.v86Version
        ? `it was made for v86 ${shipped.v86Version} and this is v86 ${want.v86Version}`
        : shipped.memoryMiB !== want.memoryMiB
          ? `it was made for ${shipped.memoryMiB} MiB of guest memory and this asks for ${want.memoryMiB} MiB`
          : `its key ${shipped.key} is not this machine's ${key} (another kernel command line)`;
    loc.mismatch =
      `the saved state in ${image.dir} (${shipped.file}) does not fit: ${why}. ` +
      (loc.restore ? `Using the one in ${cached}.` : `Booting cold once (a few seconds) and saving a fresh state to ${cached}.`);
  }
  return loc;
}

function packagedState(dir: string): PackagedState | null {
  const meta = join(dir, 'state.json');
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as PackagedState;
  return null;
}

/** Marks a cached state as just used, so pruning keeps it. */
export function touchState(path: string): void {
  if (!path.startsWith(userCacheDir())) return;
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // A read-only cache still restores; it is only pruned sooner.
  }
}

/**
 * Removes states that can never be restored again (beside a local build) or
 * were used least recently (in the cache); keep names the other mode's
 * state for this image (normal and deterministic states live side by side).
 */
export function pruneStates(saved: string, image: ImageAt, keep: string[] = []): void {
  const dir = join(saved, '..');
  const states = readdirSync(dir).filter((f) => STATE_FILE.test(f) && f !== basename(saved) && !keep.includes(join(dir, f)));
  if (image.source === 'local' || image.source === 'built') {
    for (const f of states) rmSync(join(dir, f), { force: true });
    return;
  }
  const byUse = states.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { f } of byUse.slice(CACHE_KEEP - 1)) rmSync(join(dir, f), { force: true });
}

/** Creates the folder a state is saved into. */
export function prepareSave(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
}
