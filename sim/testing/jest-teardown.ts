// Jest's globalTeardown for filemon-sim (set by `preset: 'filemon-sim'`):
// with --runInBand the tests run in Jest's own process, whose guest would
// keep it from exiting; worker processes end with theirs.
/**
 * Jest's global teardown of `preset: 'filemon-sim'`.
 * @module filemon-sim/jest/teardown
 */
import { closeSharedSimulator } from './shared.js';

/** Closes the shared guest when Jest ran the tests in its own process (`--runInBand`). */
export default async function closeFilemonSim(): Promise<void> {
  await closeSharedSimulator();
}
