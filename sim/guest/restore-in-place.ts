// Restoring a saved state into a running emulator without throwing away
// v86's JIT. v86's restore zeroes all guest memory, unpacks the state's
// pages and clears every compiled block, so the next hundred commands run
// cold (several times slower). Here only the pages whose bytes change are
// written, and only their compiled code is dropped (as v86 does for any
// write it sees); code for the kernel and programs that did not change
// stays compiled. Falls back to v86's own restore when its internals differ.
import type { V86 } from 'v86';
import { restoreWithExactTsc } from './restore-tsc.js';

interface PageBitmap {
  get(page: number): number | boolean;
}

interface V86CpuInternals {
  /** A proxy that makes a fresh view of wasm_memory on each access (the memory may grow). */
  mem8: Uint8Array;
  wasm_memory: WebAssembly.Memory;
  memory_size: ArrayLike<number>;
  unpack_memory(bitmap: PageBitmap, packed: Uint8Array): void;
  jit_clear_cache(): void;
  jit_dirty_cache(start: number, end: number): void;
}

const PAGE = 4096;

function cpuOf(emulator: V86): V86CpuInternals | undefined {
  const cpu = (emulator as unknown as { v86?: { cpu?: Partial<V86CpuInternals> } }).v86?.cpu;
  const usable =
    cpu &&
    cpu.wasm_memory instanceof WebAssembly.Memory &&
    typeof cpu.mem8?.byteOffset === 'number' &&
    cpu.memory_size &&
    typeof cpu.unpack_memory === 'function' &&
    typeof cpu.jit_clear_cache === 'function' &&
    typeof cpu.jit_dirty_cache === 'function';
  return usable ? (cpu as V86CpuInternals) : undefined;
}

/** 32-bit words of a page when it is aligned, else null. */
function words(bytes: Uint8Array, at: number): Int32Array | null {
  const offset = bytes.byteOffset + at;
  return offset % 4 === 0 ? new Int32Array(bytes.buffer, offset, PAGE / 4) : null;
}

function samePage(mem: Uint8Array, at: number, src: Uint8Array, from: number): boolean {
  const a = words(mem, at);
  const b = words(src, from);
  if (a && b) {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < PAGE; i++) if (mem[at + i] !== src[from + i]) return false;
  return true;
}

function zeroPage(mem: Uint8Array, at: number): boolean {
  const a = words(mem, at);
  if (a) {
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < PAGE; i++) if (mem[at + i] !== 0) return false;
  return true;
}

/** Restores state into the emulator; returns how many pages changed, or null after v86's own restore. */
export async function restoreInPlace(emulator: V86, state: ArrayBuffer): Promise<number | null> {
  const cpu = cpuOf(emulator);
  if (!cpu) {
    await restoreWithExactTsc(emulator, state);
    return null;
  }
  let changed = 0;
  const unpack = (bitmap: PageBitmap, packed: Uint8Array): void => {
    // One real view for the whole loop (the memory does not grow meanwhile).
    const mem = new Uint8Array(cpu.wasm_memory.buffer, cpu.mem8.byteOffset, cpu.memory_size[0]);
    const pages = cpu.memory_size[0] / PAGE;
    let next = 0;
    let runStart = -1;
    const flush = (end: number) => {
      // Dropped before the CPU runs again: set_state runs synchronously.
      if (runStart >= 0) cpu.jit_dirty_cache(runStart * PAGE, end * PAGE);
      runStart = -1;
    };
    for (let p = 0; p < pages; p++) {
      const at = p * PAGE;
      let differs: boolean;
      if (bitmap.get(p)) {
        const from = next++ * PAGE;
        differs = !samePage(mem, at, packed, from);
        if (differs) mem.set(packed.subarray(from, from + PAGE), at);
      } else {
        differs = !zeroPage(mem, at);
        if (differs) mem.fill(0, at, at + PAGE);
      }
      if (differs) {
        changed++;
        if (runStart < 0) runStart = p;
      } else flush(p);
    }
    flush(pages);
  };
  const own = { unpack: cpu.unpack_memory, clear: cpu.jit_clear_cache };
  cpu.unpack_memory = unpack;
  cpu.jit_clear_cache = () => undefined;
  try {
    await restoreWithExactTsc(emulator, state);
  } finally {
    cpu.unpack_memory = own.unpack;
    cpu.jit_clear_cache = own.clear;
  }
  return changed;
}
