// A deterministic guest: the same requests from the same saved state give
// the same guest execution, instruction for instruction, whatever the host
// does meanwhile. Every way host timing reaches the guest is cut:
//
// - Time. v86's wasm core reads the clock through its microtick import
//   (the TSC, the local APIC timer, the main loop's time slices); the PIT,
//   the ACPI PM timer and the RTC's update bit read the same function as a
//   static of v86's main class; the RTC's date and alarms read Date.now().
//   All of them get a virtual clock: guest instructions executed (v86's
//   instruction counter) at INSTRUCTIONS_PER_MS, plus the time skipped
//   while the guest slept.
// - Idling. A halted guest that works for the host (a request in flight)
//   skips ahead to its next timer at once instead of waiting for it; one
//   that waits for the host (no request in flight) is held still, clock and
//   all, until the host writes.
// - Host input. Console bytes reach the guest only at a tick that starts
//   with the guest halted, so where they land depends on the guest alone.
//   9p replies (the in-memory file system) complete in microtasks, always
//   between the same two ticks.
// - Entropy. v86's get_rand_int (RDRAND, the kernel's seed) comes from a
//   generator with a fixed seed, reset on every restore. The NE2000 card,
//   whose MAC address v86 draws from Math.random, is left out (the guest
//   has no network).
// - Host times in the state: the 9p folder's files carry the virtual epoch
//   as their times, not the host's clock when they were made.
// - The JIT. v86 compiles hot code asynchronously and runs the interpreter
//   until the module is ready; where a time slice ends (and so where an
//   interrupt lands) depends on which code is compiled. Here modules are
//   compiled synchronously and handed to the JIT at the end of the time
//   slice (its state is locked while it compiles). The JIT also keeps
//   history no restore resets (its hash tables' order), so a state's first
//   restore starts a new emulator and runs a fixed warm-up, and every
//   restore puts back a snapshot of the whole core taken then (Machine).
//
// With all that, a cold boot is deterministic too: its saved state is the
// same bytes on every machine, so a golden log written on one machine
// holds on another.
//
// v86's internals are reached through its object (as restore-tsc.ts
// does); a v86 without them is refused with DeterminismUnsupportedError.
import type { V86 } from 'v86';
import { MachineError } from '../errors.js';

/**
 * Guest instructions per virtual millisecond: about what v86 executes on
 * one core of a current machine, so timer interrupts come about as often
 * per instruction as in the normal mode.
 */
const INSTRUCTIONS_PER_MS = 60_000;
/** The guest's wall clock at a deterministic cold boot (2024-01-01T00:00:00Z). */
const VIRTUAL_EPOCH_MS = Date.UTC(2024, 0, 1);
/**
 * The least the clock advances between two readings (10 TSC ticks): v86's
 * rdtsc extrapolates from host-timing history when it reads the same
 * value twice, so it never may.
 */
const MIN_STEP_MS = 1e-5;
/** v86's TSC ticks per millisecond (TSC_RATE in src/rust/cpu/cpu.rs). */
const TSC_PER_MS = 1_000_000;
/** v86 keeps compiled modules at this offset in its function table (WASM_TABLE_OFFSET). */
const WASM_TABLE_OFFSET = 1024;
const SEED = 0x2545f491;

/** v86 does not have what deterministic mode needs. */
class DeterminismUnsupportedError extends MachineError {}

/**
 * v86's whole wasm memory and function table at one moment: its JIT's
 * state (hash tables, free lists, hotness) and the modules it compiled,
 * all of which a restore must put back to be the same every time.
 */
export interface CoreSnapshot {
  memory: Uint8Array;
  table: unknown[];
}

/** What the machine tells the clock about the guest's work for the host. */
export interface GuestActivity {
  /**
   * True while the host waits for the guest (a boot, a request in flight,
   * input it has not taken yet): a halted guest then skips ahead. False:
   * the guest waits for the host and is held still.
   */
  busy(): boolean;
  /**
   * True when only an interactive port (a traced shell) keeps the guest
   * busy: a halted guest then sleeps in host time before it skips ahead,
   * so an idle shell does not spin (its input comes at typing time anyway).
   */
  interactive(): boolean;
  /** Hands queued host input to the guest where it has room; true when some was delivered. */
  deliver(): boolean;
}

interface CpuInternals {
  instruction_counter: ArrayLike<number>;
  in_hlt: ArrayLike<number>;
  wasm_memory: WebAssembly.Memory;
  jit_imports: WebAssembly.ModuleImports;
  wm: { wasm_table: WebAssembly.Table };
  codegen_finalize(index: number, start: number, flags: number, ptr: number, len: number): void;
  codegen_finalize_finished(index: number, start: number, flags: number): void;
  run_hardware_timers(acpi: boolean, now: number): number;
  store_current_tsc(): void;
  current_tsc: ArrayLike<number>;
  set_tsc(low: number, high: number): void;
  devices: { rtc?: { rtc_time: number; last_update: number } };
}

interface MainInternals {
  cpu: CpuInternals;
  running: boolean;
  stopping: boolean;
  idle: boolean;
  do_tick(): void;
  next_tick(t: number): void;
  stop(): void;
  yield(t: number, tick: number): void;
  constructor: { microtick: () => number; prototype: { yield(t: number, tick: number): void } };
}

/** The deterministic guest whose tick is running (ticks never nest); v86's static clock reads its time. */
let ticking: DeterministicClock | undefined;
const hostDateNow = Date.now;
const dispatching = new WeakSet<object>();

export class DeterministicClock {
  private main: MainInternals | undefined;
  private activity: GuestActivity | undefined;
  private instructions = 0;
  private lastCounter = 0;
  private offsetMs = 0;
  private lastMs = 0;
  private frozenAt: number | undefined;
  private rng = SEED;
  /** What the last time slice returned: > 0 when the guest halted with nothing due before that many ms. */
  private wait = 0;
  private held = false;
  /** An idle interactive guest's host-time sleep (see GuestActivity.interactive). */
  private pacer: ReturnType<typeof setTimeout> | undefined;
  private paced = false;
  private heldWaiters: Array<() => void> = [];
  /** Modules compiled in this time slice, for the JIT to take at its end. */
  private compiled: Array<[index: number, start: number, flags: number]> = [];
  private readonly dateNow = () => VIRTUAL_EPOCH_MS + this.now();

  /** v86's wasm imports with the clock and the random numbers replaced; give to wasm_fn. */
  imports(imports: WebAssembly.Imports): WebAssembly.Imports {
    const env = imports.env as WebAssembly.ModuleImports | undefined;
    if (!env || typeof env.microtick !== 'function' || typeof env.get_rand_int !== 'function') {
      throw new DeterminismUnsupportedError('deterministic mode: this v86 does not import microtick and get_rand_int from JavaScript; use the v86 version in package.json (npm ci)');
    }
    return { ...imports, env: { ...env, microtick: () => this.now(), get_rand_int: () => this.random() } };
  }

  /** Virtual milliseconds: strictly increasing, a function of the guest's execution alone. */
  now(): number {
    if (this.frozenAt !== undefined) return this.frozenAt;
    const cpu = this.main?.cpu;
    if (cpu) {
      const c = cpu.instruction_counter[0] >>> 0;
      this.instructions += (c - this.lastCounter) >>> 0;
      this.lastCounter = c;
    }
    this.lastMs = Math.max(this.offsetMs + this.instructions / INSTRUCTIONS_PER_MS, this.lastMs + MIN_STEP_MS);
    return this.lastMs;
  }

  private random(): number {
    // xorshift32: any fixed sequence will do.
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return x | 0;
  }

  /** Takes over the loaded (not yet started) emulator's clocks, scheduling and JIT. */
  attach(emulator: V86, activity: GuestActivity): void {
    const main = (emulator as unknown as { v86?: MainInternals }).v86;
    const cpu = main?.cpu;
    const need: Array<[string, unknown]> = [
      ['v86.do_tick', main?.do_tick],
      ['v86.next_tick', main?.next_tick],
      ['v86.yield', main?.yield],
      ['v86.stop', main?.stop],
      ['the static v86.microtick', main?.constructor?.microtick],
      ['cpu.instruction_counter', cpu?.instruction_counter?.length],
      ['cpu.in_hlt', cpu?.in_hlt?.length],
      ['cpu.codegen_finalize', cpu?.codegen_finalize],
      ['cpu.codegen_finalize_finished', cpu?.codegen_finalize_finished],
      ['cpu.run_hardware_timers', cpu?.run_hardware_timers],
      ['cpu.jit_imports', cpu?.jit_imports],
      ['cpu.wm.wasm_table', cpu?.wm?.wasm_table],
      ['cpu.wasm_memory', cpu?.wasm_memory],
      ['cpu.store_current_tsc', cpu?.store_current_tsc],
      ['cpu.set_tsc', cpu?.set_tsc],
      ['cpu.current_tsc', cpu?.current_tsc?.length],
      ['the RTC', cpu?.devices?.rtc],
    ];
    const missing = need.filter(([, v]) => !v).map(([name]) => name);
    if (!main || !cpu || missing.length) {
      throw new DeterminismUnsupportedError(
        `deterministic mode needs v86 internals this v86 lacks (${missing.join(', ') || 'its emulator object'}): use the v86 version in package.json (npm ci), or run without deterministic mode`,
      );
    }
    this.main = main;
    this.activity = activity;
    this.resync();
    dispatchStaticClock(main.constructor);

    cpu.codegen_finalize = (index, start, flags, ptr, len) => {
      const code = new Uint8Array(cpu.wasm_memory.buffer, ptr >>> 0, len >>> 0);
      const instance = new WebAssembly.Instance(new WebAssembly.Module(code), { e: cpu.jit_imports });
      cpu.wm.wasm_table.set(index + WASM_TABLE_OFFSET, instance.exports.f as never);
      // Not from here: the JIT holds its state's lock until codegen_finalize returns.
      this.compiled.push([index, start, flags]);
    };
    const timers = cpu.run_hardware_timers;
    // Called by the main loop between time slices, with the JIT's state free.
    cpu.run_hardware_timers = (acpi, now) => {
      this.finishCompiled();
      return timers.call(cpu, acpi, now);
    };

    const yieldOnce = main.constructor.prototype.yield;
    // Always come back at once: how long the guest may sleep is decided by tick(), in virtual time.
    main.yield = (t, tick) => {
      this.wait = t;
      yieldOnce.call(main, 0, tick);
    };
    const doTick = main.do_tick;
    main.do_tick = () => this.tick(() => doTick.call(main));
    const stop = main.stop;
    // v86 stops at its next tick, which a held guest would never have.
    main.stop = () => {
      stop.call(main);
      clearTimeout(this.pacer);
      if (this.held) {
        this.held = false;
        main.next_tick(0);
      }
    };
  }

  /**
   * Before a cold boot: the RTC's date (the kernel reads it once) and the
   * 9p folder's times go to the virtual epoch.
   */
  startAtEpoch(emulator: V86): void {
    const rtc = this.main!.cpu.devices.rtc!;
    rtc.rtc_time = VIRTUAL_EPOCH_MS;
    rtc.last_update = this.dateNow();
    const inodes = (emulator as unknown as { fs9p?: { inodes?: Array<{ atime: number; mtime: number; ctime: number }> } }).fs9p?.inodes ?? [];
    for (const inode of inodes) inode.atime = inode.mtime = inode.ctime = VIRTUAL_EPOCH_MS / 1000;
  }

  private tick(run: () => void): void {
    const main = this.main!;
    const activity = this.activity!;
    // Decided only where the last time slice ended halted with nothing due
    // (wait > 0), never after an interrupt or a restore (wait 0): so how
    // many ticks the host happened to run cannot matter.
    if (main.running && !main.stopping && main.cpu.in_hlt[0] && this.wait > 0) {
      if (activity.deliver()) this.wait = 0;
      else {
        if (!activity.busy()) {
          // Waiting for the host: nothing runs and no time passes until it writes (kick()).
          this.held = true;
          for (const w of this.heldWaiters.splice(0)) w();
          return;
        }
        if (!this.paced && activity.interactive()) {
          this.held = true;
          this.pacer = setTimeout(() => {
            this.paced = true;
            this.kick();
          }, this.wait);
          return;
        }
        this.paced = false;
        this.skip(this.wait);
      }
    }
    this.held = false;
    ticking = this;
    Date.now = this.dateNow;
    try {
      run();
    } finally {
      ticking = undefined;
      Date.now = hostDateNow;
    }
  }

  /** Moves the clock to the next timer of a halted guest. */
  private skip(ms: number): void {
    this.now();
    this.offsetMs = this.lastMs + ms - this.instructions / INSTRUCTIONS_PER_MS;
    this.lastMs += ms - MIN_STEP_MS;
  }

  /** The host queued input: a held guest takes it at its next tick. */
  kick(): void {
    if (!this.held || !this.main) return;
    this.held = false;
    clearTimeout(this.pacer);
    const wait = this.wait;
    this.main.next_tick(0);
    // Still halted with nothing due: the tick delivers the input.
    this.wait = wait;
  }

  /** Resolves once the guest is held waiting for the host: the point where a state is saved. */
  settled(): Promise<void> {
    if (this.held) return Promise.resolve();
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  /**
   * Before a state is restored: the clock stands still until restored().
   * v86's restore sets the TSC from clock readings, and between them the
   * instruction counter jumps to the state's and each reading steps; with
   * a clock that moved, the restored TSC came out off by an amount that
   * depended on the run before (a trace right after a start and the same
   * trace after a restore gave different logs). With the clock still it is
   * the state's value exactly.
   */
  restoring(): void {
    this.frozenAt = this.lastMs;
  }

  /**
   * After a state was restored: the clock restarts at the state's TSC (so
   * it is the state's, not this emulator's history), the TSC offset goes to
   * zero and the random numbers restart from the seed. The JIT's state is
   * the caller's to make the same each time (a new emulator, or putBack()).
   */
  restored(): void {
    const cpu = this.main!.cpu;
    this.frozenAt ??= this.lastMs;
    cpu.store_current_tsc();
    // With the clock still, setting the TSC to its own value leaves v86's offset at zero (see restore-tsc.ts).
    cpu.set_tsc(cpu.current_tsc[0], cpu.current_tsc[1]);
    const tscMs = (cpu.current_tsc[1] * 2 ** 32 + (cpu.current_tsc[0] >>> 0)) / TSC_PER_MS;
    this.frozenAt = undefined;
    this.resync();
    this.offsetMs = tscMs;
    this.lastMs = tscMs - MIN_STEP_MS;
    this.rng = SEED;
    this.wait = 0;
    if (this.held) this.kick();
  }

  /** The core as it is now (call while the guest is held: no wasm code runs). */
  snapshot(): CoreSnapshot {
    const cpu = this.main!.cpu;
    this.finishCompiled();
    const table = cpu.wm.wasm_table;
    return { memory: new Uint8Array(cpu.wasm_memory.buffer).slice(), table: Array.from({ length: table.length }, (_, i) => table.get(i)) };
  }

  /** Puts a snapshot() of this emulator back; a state restore follows (restored()). */
  putBack(s: CoreSnapshot): void {
    const cpu = this.main!.cpu;
    // Modules compiled since belong to the run being undone.
    this.compiled.length = 0;
    const memory = new Uint8Array(cpu.wasm_memory.buffer);
    memory.set(s.memory);
    memory.fill(0, s.memory.length);
    const table = cpu.wm.wasm_table;
    for (let i = 0; i < table.length; i++) table.set(i, (s.table[i] ?? null) as never);
  }

  private finishCompiled(): void {
    const cpu = this.main!.cpu;
    for (const [index, start, flags] of this.compiled.splice(0)) cpu.codegen_finalize_finished(index, start, flags);
  }

  private resync(): void {
    this.instructions = 0;
    this.lastCounter = this.main ? this.main.cpu.instruction_counter[0] >>> 0 : 0;
  }
}

/** Points v86's static clock (the JS devices') at the deterministic guest whose tick runs, else the host's. */
function dispatchStaticClock(main: { microtick: () => number }): void {
  if (dispatching.has(main)) return;
  dispatching.add(main);
  const host = main.microtick;
  main.microtick = () => (ticking ? ticking.now() : host());
}

/**
 * Runs fn with Date.now at the virtual epoch: v86 stamps the files the host
 * creates in the 9p folder with Date.now() (synchronously, before its first
 * await), and the guest reads those times.
 */
export function atVirtualEpoch<T>(fn: () => T): T {
  Date.now = () => VIRTUAL_EPOCH_MS;
  try {
    return fn();
  } finally {
    Date.now = hostDateNow;
  }
}

/** v86's zstd exports (the same code its restore_state runs on a compressed state). */
interface ZstdExports {
  memory: WebAssembly.Memory;
  zstd_create_ctx(len: number): number;
  zstd_get_src_ptr(ctx: number): number;
  zstd_read(ctx: number, len: number): number;
  zstd_read_free(ptr: number, len: number): void;
  zstd_free_ctx(ctx: number): void;
}

/** True when bytes start with the zstd frame magic (28 b5 2f fd). */
function isZstd(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd;
}

/**
 * The state uncompressed, for a deterministic guest to restore. v86 would
 * decompress a zstd state inside the emulator's own instance, and what
 * that leaves in its memory changes the runs after it (a guest restored
 * from the compressed file and one restored from the same state raw gave
 * different logs); so a scratch instance of the core decompresses it.
 */
export async function uncompressedState(state: ArrayBuffer, core: WebAssembly.Module): Promise<ArrayBuffer> {
  const src = new Uint8Array(state);
  if (!isZstd(src)) return state;
  const env: Record<string, unknown> = {};
  for (const i of WebAssembly.Module.imports(core)) {
    if (i.kind === 'function')
      env[i.name] = () => {
        throw new DeterminismUnsupportedError(`v86's core called ${i.name} while decompressing a state`);
      };
    else if (i.kind === 'table') env[i.name] = new WebAssembly.Table({ element: 'anyfunc', initial: 1024 });
  }
  const ex = (await WebAssembly.instantiate(core, { env: env as WebAssembly.ModuleImports })).exports as unknown as ZstdExports;
  if (typeof ex.zstd_create_ctx !== 'function' || typeof ex.zstd_read !== 'function') {
    throw new DeterminismUnsupportedError(
      'deterministic mode: this v86 core has no zstd exports to decompress the state with; use the v86 version in package.json (npm ci), or give an uncompressed state',
    );
  }
  const ctx = ex.zstd_create_ctx(src.length);
  new Uint8Array(ex.memory.buffer).set(src, ex.zstd_get_src_ptr(ctx));
  const take = (n: number): Uint8Array => {
    const p = ex.zstd_read(ctx, n) >>> 0;
    const bytes = new Uint8Array(ex.memory.buffer, p, n).slice();
    ex.zstd_read_free(p, n);
    return bytes;
  };
  // The state's header: its third word is the whole state's length.
  const header = take(16);
  const total = new DataView(header.buffer).getInt32(8, true);
  const out = new Uint8Array(total);
  out.set(header);
  for (let at = 16; at < total; ) {
    const n = Math.min(1 << 20, total - at);
    out.set(take(n), at);
    at += n;
  }
  ex.zstd_free_ctx(ctx);
  return out.buffer;
}
