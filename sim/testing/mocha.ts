// The mocha root-hook plugin: `mocha --require filemon-sim/mocha`. One guest
// per mocha process (per worker with --parallel), shared by its test files;
// FILEMON_SIM_RESTORE=file restores the starting state before each file;
// closed when the run (or, with --parallel, the worker) ends.
// FILEMON_SIM_SHARD=K/N runs the K-th of N shares of the spec files.
//
//   import { simulator } from 'filemon-sim/mocha';
//   it('copies', async () => { const r = await (await simulator()).trace('cp a b'); ... });
/**
 * The mocha plugin: `mocha --require filemon-sim/mocha` shares one guest per mocha process.
 * @module filemon-sim/mocha
 */
import type { Context, Suite } from 'mocha';
import { checkShardApplied, installShard } from './mocha-shard.js';
import { beginFile, closeSharedSimulator, sharedSimulator } from './shared.js';

installShard();

export { configureSharedSimulator as configure, type SharedSimulatorOptions } from './shared.js';

/** The shared Simulator of this mocha process or worker. */
export const simulator = sharedSimulator;

/**
 * mocha's parallel workers are child processes of a worker pool that runs
 * one file per root-hook cycle and ends the process itself; the guest must
 * outlive each file there.
 */
function inParallelWorker(): boolean {
  return process.connected === true && /[\\/]mocha[\\/]lib[\\/]nodejs[\\/]worker\.c?js$/.test(process.argv[1] ?? '');
}

/**
 * Puts a hook at the front of each top-level suite's before-all hooks that
 * starts its file (restoring the guest when asked), so the file's own
 * before() hooks already see a fresh guest. mocha keeps them in _beforeAll.
 */
function hookFiles(root: Suite): void {
  for (const suite of root.suites) {
    const file = suite.file;
    if (!file) continue;
    suite.beforeAll('filemon-sim: start of test file', async function (this: Context) {
      this.timeout(Math.max(this.timeout(), 300_000));
      await beginFile(file);
    });
    const hooks = (suite as unknown as { _beforeAll?: unknown[] })._beforeAll;
    if (Array.isArray(hooks)) hooks.unshift(hooks.pop());
  }
}

/** mocha's root hooks: the shared Simulator's start before the run (and its restore per file when asked) and its close at the end. */
export const mochaHooks = {
  /** Starts the shared guest and hooks the per-file restore into each test file. */
  async beforeAll(this: Context): Promise<void> {
    // Restoring or booting takes seconds, a cold boot under load minutes.
    this.timeout(Math.max(this.timeout(), 600_000));
    if (!inParallelWorker()) checkShardApplied();
    await sharedSimulator();
    const root = this.test?.parent;
    if (root) hookFiles(root);
  },
  /** Closes the shared guest. */
  async afterAll(this: Context): Promise<void> {
    if (inParallelWorker()) return; // the worker's exit ends the guest with it
    await closeSharedSimulator();
  },
};
