// Node adapter: v86's WebAssembly core, compiled once per thread, and the
// V8 setting that keeps v86's own JIT output out of V8's optimizing tier.
//
// v86 translates hot guest code into small WebAssembly modules, dozens per
// hundred traces while a guest warms up. V8 compiles each with its baseline
// compiler (Liftoff) and, once it runs hot, again with its optimizing one
// (TurboFan) on background threads. Measured here (docs/design/test-runner-integrations.md): over
// a fresh guest's first 300 traces that background work took more CPU than
// the emulator itself (23-29 ms against 14 ms per trace) and made the
// emulator no faster. With one guest it ran on the idle second core; with
// two guests on two cores it competed with them, and two guests traced
// slower than one. So once the core is compiled, V8 compiles later modules
// with Liftoff only. The core itself, compiled before that, keeps tiering
// up: it is the emulator's hot loop.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { v86WasmPath } from './image.js';

let core: WebAssembly.Module | undefined;

/** v86.wasm compiled (once per thread, with V8's tiers); V8's --liftoff-only is set from then on, process-wide. */
export function v86Core(): WebAssembly.Module {
  if (core) return core;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(v86WasmPath));
  } catch (err) {
    throw new Error(`cannot read v86's WebAssembly at ${v86WasmPath} (${(err as Error).message}): reinstall the v86 package (npm ci)`);
  }
  if (process.env.FILEMON_SIM_WASM_TIERUP === '1') return (core = new WebAssembly.Module(bytes));
  // V8 fixes a module's tiers when it compiles it, and the flag is the
  // process's: another thread (a worker that started a guest before this
  // one) may have set it already, so it is lifted while the core compiles.
  // --liftoff-only also turned dynamic tiering off: that comes back too
  // (checked with %IsLiftoffFunction: without it the core stays on Liftoff).
  setFlagsFromString('--no-liftoff-only');
  setFlagsFromString('--wasm-dynamic-tiering');
  core = new WebAssembly.Module(bytes);
  setFlagsFromString('--liftoff-only');
  return core;
}
