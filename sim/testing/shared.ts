// One Simulator per process for test runners: started on first use, shared
// by every test file the process runs, optionally put back into its starting
// state when a new file begins, closed at the end.
import { Simulator, type SimulatorOptions } from '../index.js';

/** Options of the shared per-process Simulator: how to start it, and whether to restore it when each test file begins. */
export interface SharedSimulatorOptions {
  /** Passed to Simulator.start(). */
  start?: SimulatorOptions;
  /**
   * Restore the starting state when a test file begins, so no file sees
   * what an earlier one left in the guest. Default: FILEMON_SIM_RESTORE=file
   * in the environment.
   */
  restoreEachFile?: boolean;
}

let options: SharedSimulatorOptions = {};
let started: Promise<Simulator> | undefined;
/** The files this process's guest has served, to restore when a new one begins. */
const files = new Set<string>();

/** Sets the options of the shared Simulator; call before it starts (in a --require'd file). */
export function configureSharedSimulator(opts: SharedSimulatorOptions): void {
  // A runner's setup file runs again for each file a worker takes (vitest): the same options again are fine.
  if (started && JSON.stringify(opts) === JSON.stringify(options)) return;
  if (started) throw new Error('filemon-sim: the shared Simulator has already started; configure it in a file loaded with --require, before any test runs');
  options = opts;
}

function restoreEachFile(): boolean {
  return options.restoreEachFile ?? process.env.FILEMON_SIM_RESTORE === 'file';
}

/** The process's shared Simulator, started on the first call. */
export function sharedSimulator(): Promise<Simulator> {
  if (!started) {
    started = Simulator.start(options.start);
    // A failed start is retried by the next caller, not cached.
    started.catch(() => (started = undefined));
  }
  return started;
}

/**
 * Called when a test file begins: starts the guest if needed and, when
 * restoring each file (restore, else the configured default), puts the
 * guest back into its starting state unless this is the first file it serves.
 */
export async function beginFile(file: string, restore = restoreEachFile()): Promise<Simulator> {
  const sim = await sharedSimulator();
  if (!files.has(file)) {
    if (files.size && restore) await sim.restore();
    files.add(file);
  }
  return sim;
}

/** Closes the shared Simulator; a later sharedSimulator() starts a new one. */
export async function closeSharedSimulator(): Promise<void> {
  const s = started;
  started = undefined;
  files.clear();
  if (s) await (await s.catch(() => undefined))?.close();
}
