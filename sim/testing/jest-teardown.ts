// Jest's globalTeardown for filemon-sim (set by `preset: 'filemon-sim'`):
// with --runInBand the tests run in Jest's own process, whose guest would
// keep it from exiting; worker processes end with theirs.
import { closeSharedSimulator } from './shared.js';

export default async function closeFilemonSim(): Promise<void> {
  await closeSharedSimulator();
}
