// One booted guest shared by the test files of a mocha run: booting (or
// restoring) costs seconds, a command milliseconds.
import type { Machine } from '../../sim/guest/machine.js';
import { bootMachine } from '../../sim/node/boot.js';

let shared: Promise<Machine> | undefined;

export function sharedGuest(): Promise<Machine> {
  shared ??= bootMachine({ log: (m) => process.stderr.write(`      [guest] ${m}\n`) }).then((r) => r.machine);
  return shared;
}

/** Closes the shared guest; a later sharedGuest() boots a fresh one. */
export async function closeSharedGuest(): Promise<void> {
  const m = shared;
  shared = undefined;
  if (m) await (await m).close();
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// The guest holds the event loop open: close it when mocha is done.
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await closeSharedGuest();
  },
};
