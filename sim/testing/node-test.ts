// The shared Simulator for node's own test runner (`node --test`), which
// runs each test file in its own process: useSimulator() registers before()
// and after() hooks at the top of a file (start, and close) and returns a
// getter.
//
//   import { test } from 'node:test';
//   import { useSimulator } from 'filemon-sim/node-test';
//   const sim = useSimulator();
//   test('copies', async () => { const r = await sim().trace('cp a b'); ... });
/**
 * For node's test runner: `useSimulator()` starts a guest before a file's tests and closes it after.
 * @module filemon-sim/node-test
 */
import { after, before } from 'node:test';
import type { Simulator } from '../index.js';
import { closeSharedSimulator, configureSharedSimulator, sharedSimulator, type SharedSimulatorOptions } from './shared.js';

/**
 * Starts the shared Simulator before the file's tests and closes it after
 * them. The getter throws before the guest is ready.
 */
export function useSimulator(opts?: Pick<SharedSimulatorOptions, 'start'>): () => Simulator {
  if (opts) configureSharedSimulator(opts);
  let sim: Simulator | undefined;
  before(
    async () => {
      sim = await sharedSimulator();
    },
    { timeout: 600_000 },
  );
  after(async () => {
    sim = undefined;
    await closeSharedSimulator();
  });
  return () => {
    if (!sim) throw new Error('filemon-sim: the Simulator is not ready: call sim() inside tests or hooks, after useSimulator() at the top of the file');
    return sim;
  };
}

export { sharedSimulator, closeSharedSimulator } from './shared.js';
