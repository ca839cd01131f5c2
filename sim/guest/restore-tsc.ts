// v86's restore sets the guest's TSC with set_tsc (src/rust/cpu/cpu.rs),
// which takes the new offset from read_tsc(), a value that already has the
// old offset subtracted: the restored TSC comes out off by whatever offset
// the emulator had. A fresh emulator's offset is its creation time (the
// TSC jumps ahead by it); after one restore it is about minus that state's
// TSC, so the next restore set the TSC back by seconds or minutes. Linux
// never lets its clock run backwards: it held CLOCK_MONOTONIC still until
// the TSC caught up, and sleeps, poll timeouts and timers stopped while
// commands that wait on no timer still ran.
//
// Setting the TSC to its own current value first makes the offset zero,
// and then v86's restore sets the saved value exactly.
import type { V86 } from 'v86';

interface TscInternals {
  /** Writes the current TSC into current_tsc (low and high 32 bits). */
  store_current_tsc(): void;
  /** A proxy that reads a fresh Uint32Array view of wasm memory on each access. */
  current_tsc: ArrayLike<number>;
  set_tsc(low: number, high: number): void;
}

function tscOf(emulator: V86): TscInternals | undefined {
  const cpu = (emulator as unknown as { v86?: { cpu?: Partial<TscInternals> } }).v86?.cpu;
  const usable = cpu && typeof cpu.store_current_tsc === 'function' && typeof cpu.set_tsc === 'function' && cpu.current_tsc?.length === 2;
  return usable ? (cpu as TscInternals) : undefined;
}

/** v86's restore_state with the guest's TSC set to the state's value exactly. */
export async function restoreWithExactTsc(emulator: V86, state: ArrayBuffer): Promise<void> {
  const cpu = tscOf(emulator);
  if (cpu) {
    cpu.store_current_tsc();
    cpu.set_tsc(cpu.current_tsc[0], cpu.current_tsc[1]);
  }
  // Synchronous inside: the guest runs no instruction between the two.
  await emulator.restore_state(state);
}
