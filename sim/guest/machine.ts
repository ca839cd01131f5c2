// The emulated guest as an object: boot it (or resume a saved state), run
// commands, move files, save and restore its state. Runs unchanged in Node
// and in browsers; the adapters in sim/node and sim/browser load the image.
import { V86, type V86Options } from 'v86';
import { ConsolePort } from './console-port.js';
import { ConsoleWatch } from './console-watch.js';
import { atVirtualEpoch, DeterministicClock, uncompressedState, type CoreSnapshot, type GuestActivity } from './deterministic.js';
import { AgentError, AgentRestartedError, BootTimeoutError, CommandTimeoutError, GuestPanicError, MachineClosedError, MachineError, checkTimeoutMs } from '../errors.js';
import type { GuestImage } from './image.js';
import { restoreInPlace } from './restore-in-place.js';
import { restoreWithExactTsc } from './restore-tsc.js';
import { encodeFrame, fieldStr, MAX_BODY, fieldU32, FrameReader, FrameType, SPILLED, strField, Tag, u32Field, u64Field, type Field, type Frame } from './protocol.js';

/** What a Machine boots: the image, v86's wasm, memory and timeouts. */
export interface BootOptions {
  image: GuestImage;
  /** Where v86 loads its WebAssembly from: a file path in Node, a URL in a browser. */
  wasmPath: string;
  /** v86's WebAssembly already compiled (then wasmPath is not read): machines can share one compilation. */
  wasm?: WebAssembly.Module;
  /** A state from saveState() of a machine booted from the same image; resumes it instead of booting. */
  state?: ArrayBuffer;
  /**
   * Guest memory in MiB, MIN_MEMORY_MIB to MAX_MEMORY_MIB; a state must be
   * restored with the size it was saved with. Default 256.
   */
  memoryMiB?: number;
  /** How long a cold boot (or a restore) may take to reach the agent. Default 90 s. */
  bootTimeoutMs?: number;
  /** Every character the guest kernel prints on its serial console. */
  onConsole?: (text: string) => void;
  /**
   * Run the guest on virtual time (sim/guest/deterministic.ts): the same requests
   * from the same state give the same guest execution, and so the same
   * output, pids, temporary names and log. Restore states saved in this mode.
   */
  deterministic?: boolean;
}

/** Options of {@link Machine.exec}: stdin, working directory, environment and a timeout. */
export interface ExecOptions {
  cwd?: string;
  /** Added to (or replacing entries of) the guest's base environment. */
  env?: Record<string, string>;
  stdin?: Uint8Array | string;
  /** Kill the command's whole process tree after this long. Default 120 s; 0 for none; at most MAX_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** A finished guest command: its exit status or signal and its output, as bytes. */
export interface ExecResult {
  /** Exit status (0 when killed by a signal). */
  status: number;
  /** The signal that killed the command, or 0. */
  signal: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/**
 * Kernel command line: options measured to work in v86 (see docs/image.md).
 * init_on_free=1 zeroes each page as it is freed, so free memory is zero and
 * a saved state (v86 keeps non-zero pages only) holds live memory alone.
 */
export const KERNEL_CMDLINE = 'console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on init_on_free=1';
/**
 * Added to the command line when the toolchain disk is attached as hdb: it
 * reaches /init as an environment variable, and the disk hook then mounts
 * /dev/sdb beneath /usr (images/linux/recipe/bulk.ts). A guest without it never
 * waits for a second disk.
 */
const TOOLCHAIN_CMDLINE = 'FMS_TOOLCHAIN=sdb';
export const DEFAULT_MEMORY_MIB = 256;
/** Below this the guest cannot hold its image and run; above it v86 cannot map the memory. */
export const MIN_MEMORY_MIB = 64;
export const MAX_MEMORY_MIB = 2048;
export const DEFAULT_EXEC_TIMEOUT_MS = 120_000;
/**
 * What a deterministic guest runs once per state before its snapshot: the
 * image's demo project built twice with bmake -j4 and tcc under filemon, so
 * v86 has compiled the kernel, busybox, bmake and tcc (a restore keeps what
 * the snapshot holds; in the normal mode an in-place restore keeps it).
 */
const WARM_UP =
  'for i in 1 2; do rm -rf /tmp/.warm && cp -a /usr/share/filemon-sim/meta-project /tmp/.warm && mkdir /tmp/.warm/obj && cd /tmp/.warm && /usr/bin/fms-trace -o /tmp/.warm.log -- bmake -j4 >/dev/null 2>&1; cd /; done; rm -rf /tmp/.warm /tmp/.warm.log';
/** Payloads (stdin, file data) above this go through the 9p folder rather than the console. */
const INLINE_LIMIT = 2048;
/** The fields the agent reads from the 9p folder when spilled; strings (argv, env, cwd, path) always travel inline. */
const SPILLABLE = new Set<number>([Tag.Stdin, Tag.Data, Tag.Tree]);
/** How long past its own timeout a command may take before the agent counts as hung. */
const AGENT_GRACE_MS = 15_000;

interface Pending {
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
}

/** A running guest: commands, files and saved states over the agent's channel (the virtio console for control, 9p for bulk data). */
export class Machine {
  private port!: ConsolePort;
  private readonly watch: ConsoleWatch;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Requests run one at a time: the agent removes a reply's spill files at the next request. */
  private queue: Promise<unknown> = Promise.resolve();
  private failure: MachineError | undefined;
  private rejectFailed: (e: Error) => void = () => undefined;
  /** Rejects when the guest fails (kernel crash, hung agent); renewed by a restore. */
  private failed = this.failurePromise();
  private closed = false;
  /** v86 finished setting up (destroy() before that throws inside v86). */
  private loaded = false;
  private readyWaiter: ((info: string) => void) | undefined;
  /** Set in deterministic mode: the guest's virtual clock and host-input gate. */
  private clock: DeterministicClock | undefined;
  /** Ports whose input the deterministic clock delivers (the agent's and openPort's). */
  private readonly ports = new Set<ConsolePort>();
  /** The agent answered once (a cold boot's Ready, or a restored guest): until then the guest works unasked. */
  private agentUp: boolean;
  /** Deterministic mode: the core after the warm-up from a state (its bytes), which every restore of that state starts from. */
  private warm: { core: CoreSnapshot; state: Uint8Array } | undefined;

  private constructor(
    private emulator: V86,
    readonly options: BootOptions,
    clock: DeterministicClock | undefined,
  ) {
    this.clock = clock;
    this.agentUp = !!options.state;
    this.watch = new ConsoleWatch((text) => this.fail(new GuestPanicError(text)), options.onConsole);
    this.wire();
  }

  /** Connects the agent's port and the console watch to the current emulator. */
  private wire(): void {
    const reader = new FrameReader((f) => this.onFrame(f));
    this.port = this.newPort(0, (d) => reader.push(d));
    this.emulator.add_listener('serial0-output-byte', (b: number) => this.watch.push(b));
  }

  /** Boots the guest (or resumes options.state) and waits for its agent. */
  static async boot(options: BootOptions): Promise<Machine> {
    checkMemory(options.memoryMiB ?? DEFAULT_MEMORY_MIB);
    const clock = options.deterministic ? new DeterministicClock() : undefined;
    // A read answered when the network delivers would land where host timing chose.
    if (clock) await Promise.all([options.image.disk.loadAll?.(), options.image.toolchain?.disk.loadAll?.()]);
    if (clock && options.state) options = { ...options, state: await uncompressedState(options.state, await coreOf(options)) };
    const { state } = options;
    const { emulator, loaded } = createEmulator(options, state, clock);
    const machine = new Machine(emulator, options, clock);
    const timeoutMs = options.bootTimeoutMs ?? 90_000;
    try {
      // v86 sets up its devices asynchronously; nothing can be sent before.
      await machine.withTimeout(loaded, timeoutMs);
      machine.loaded = true;
      clock?.attach(emulator, machine.activity());
      if (state) {
        await machine.withTimeout(restoreFresh(emulator, state, clock), timeoutMs);
        await machine.withTimeout(machine.request(FrameType.Ping, []), timeoutMs);
        if (clock) await machine.withTimeout(machine.warmRestore(state, false), timeoutMs);
      } else {
        const ready = new Promise<string>((resolve) => (machine.readyWaiter = resolve));
        if (clock) {
          clock.startAtEpoch(emulator);
          await emulator.run();
        }
        await machine.withTimeout(ready, timeoutMs);
      }
    } catch (e) {
      await machine.close();
      throw e;
    }
    return machine;
  }

  private activity(): GuestActivity {
    return { busy: () => this.busy(), interactive: () => this.interactive(), deliver: () => this.deliverInput() };
  }

  /**
   * A deterministic restore. The first of a state starts a new emulator
   * (unless fresh, just booted from it), runs a fixed warm-up so v86 has
   * compiled the kernel's and the shell's hot code, and keeps a snapshot of
   * the core; every restore of that state puts the snapshot back and then
   * the state in place, so its compiled code, and with it where time
   * slices end, are the same each time.
   */
  private async warmRestore(given: ArrayBuffer, fresh: boolean): Promise<void> {
    const state = await uncompressedState(given, await coreOf(this.options));
    const bytes = new Uint8Array(state);
    if (!this.warm || !sameBytes(this.warm.state, bytes)) {
      this.warm = undefined;
      if (fresh) {
        await this.idle(() => this.restoreIntoNewEmulator(state));
        await this.request(FrameType.Ping, [], 30_000);
      }
      const r = await this.exec(['sh', '-c', WARM_UP], { timeoutMs: 120_000 });
      if (r.status !== 0) throw new MachineError(`deterministic restore: the warm-up failed (${r.status}): ${new TextDecoder().decode(r.stderr)}`);
      await this.idle(async () => {
        await this.clock!.settled();
        this.warm = { core: this.clock!.snapshot(), state: bytes.slice() };
      });
    }
    const warm = this.warm!;
    await this.idle(async () => {
      this.clock!.putBack(warm.core);
      this.clock!.restoring();
      await restoreInPlace(this.emulator, state);
      this.clock!.restored();
      // Request ids reach the guest: from the same state, the same requests carry the same ids.
      this.nextId = 1;
      this.watch.reset();
      if (this.failure) {
        this.failure = undefined;
        this.failed = this.failurePromise();
      }
    });
    await this.request(FrameType.Ping, [], 30_000);
  }

  /**
   * A state's first deterministic restore: v86's JIT keeps state no
   * restore resets (its hash tables' order follows every table made since
   * the emulator started), and that state decides where time slices end.
   * So the state goes into a new emulator, as at boot, and the old one is
   * dropped.
   */
  private async restoreIntoNewEmulator(state: ArrayBuffer): Promise<void> {
    const clock = new DeterministicClock();
    const { emulator, loaded } = createEmulator({ ...this.options, state }, state, clock);
    try {
      await loaded;
      clock.attach(emulator, this.activity());
    } catch (e) {
      await emulator.destroy().catch(() => undefined);
      throw new MachineError(`deterministic restore: the new emulator did not start (${e instanceof Error ? e.message : String(e)}); the old guest goes on: retry, or boot a new machine`);
    }
    for (const p of [...this.ports]) p.close();
    const old = this.emulator;
    this.emulator = emulator;
    this.clock = clock;
    // Request ids reach the guest: from the same state, the same requests carry the same ids.
    this.nextId = 1;
    this.wire();
    await old.destroy();
    await restoreFresh(emulator, state, clock);
  }

  /** p, unless the guest fails first or ms pass (a boot-time wait). */
  private withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BootTimeoutError(ms, this.watch.tail())), ms);
    });
    return Promise.race([p, this.failed, timeout]).finally(() => clearTimeout(timer));
  }

  private failurePromise(): Promise<never> {
    const p = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    p.catch(() => undefined); // observed through withTimeout and check()
    return p;
  }

  private fail(e: MachineError): void {
    if (this.failure || this.closed) return;
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.rejectFailed(e);
  }

  private onFrame(f: Frame): void {
    if (f.type === FrameType.Ready) {
      const info = f.fields.find((x) => x.tag === Tag.Info);
      this.agentUp = true;
      if (this.readyWaiter) {
        this.readyWaiter(info ? fieldStr(info) : '');
        this.readyWaiter = undefined;
        return;
      }
      // A new agent: the old one died (killed by a command or by the OOM
      // killer, or crashed) and took the requests it was serving with it.
      const why = f.fields.find((x) => x.tag === Tag.Restarted);
      const err = new AgentRestartedError(why ? fieldStr(why) : '');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      return;
    }
    const p = this.pending.get(f.id);
    if (!p) return;
    this.pending.delete(f.id);
    p.resolve(f);
  }

  /** Sends one request and waits for its reply; requests are serialised. */
  private request(type: FrameType, fields: Field[], hostTimeoutMs = 0): Promise<Frame> {
    const run = async (): Promise<Frame> => {
      this.check(requestName(type));
      const id = this.nextId++;
      const sent = await this.spillLargeFields(id, fields);
      const inline = sent.reduce((n, f) => n + 6 + f.data.length, 0);
      if (inline > MAX_BODY) throw new RangeError(`${requestName(type)} request: ${inline} bytes of command line, environment and paths; the guest takes at most ${MAX_BODY}`);
      // A deterministic guest keeps its own (virtual) clock.
      if (!this.clock) sent.push(u64Field(Tag.HostTimeMs, Date.now()));
      return new Promise<Frame>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done =
          <T>(fn: (x: T) => void) =>
          (x: T) => {
            if (timer) clearTimeout(timer);
            fn(x);
          };
        this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
        if (hostTimeoutMs) {
          timer = setTimeout(() => {
            this.pending.delete(id);
            this.fail(
              new MachineError(`the guest agent did not answer a ${requestName(type)} request within ${hostTimeoutMs} ms; the guest is hung: restore its state (restoreState) or boot a new machine`),
            );
            reject(this.failure);
          }, hostTimeoutMs);
        }
        this.port.write(encodeFrame({ type, id, fields: sent }));
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async spillLargeFields(id: number, fields: Field[]): Promise<Field[]> {
    return Promise.all(
      fields.map(async (f, i) => {
        if (f.data.length <= INLINE_LIMIT || !SPILLABLE.has(f.tag)) return f;
        const name = `h-${id}-${i}`;
        await (this.clock ? atVirtualEpoch(() => this.emulator.create_file(`/${name}`, f.data)) : this.emulator.create_file(`/${name}`, f.data));
        return strField(f.tag | SPILLED, name);
      }),
    );
  }

  /** A reply field's bytes, reading spilled ones from the 9p folder. */
  private async bytesOf(f: Frame, tag: Tag): Promise<Uint8Array> {
    const field = f.fields.find((x) => (x.tag & ~SPILLED) === tag);
    if (!field) return new Uint8Array(0);
    if (!(field.tag & SPILLED)) return field.data;
    return this.emulator.read_file(`/${fieldStr(field)}`);
  }

  private check(what: string): void {
    if (this.closed) throw new MachineClosedError(what);
    if (this.failure) throw this.failure;
  }

  /**
   * Runs a command in the guest: a string goes to /bin/sh -c, an array is
   * an argv (PATH searched). A command not found exits 127, as in a shell.
   */
  async exec(cmd: string | string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.check('exec');
    const shown = typeof cmd === 'string' ? JSON.stringify(cmd) : JSON.stringify(cmd.join(' '));
    if (Array.isArray(cmd) && cmd.length === 0) throw new TypeError('exec needs a command');
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    // Room for callers' own grace periods (the Simulator's) below the timer limit.
    checkTimeoutMs(timeoutMs, 2 ** 31 - 1 - AGENT_GRACE_MS);
    const fields: Field[] = typeof cmd === 'string' ? [strField(Tag.Shell, cmd)] : cmd.map((a) => strField(Tag.Argv, a));
    if (opts.cwd) fields.push(strField(Tag.Cwd, opts.cwd));
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (!k || k.includes('=')) throw new TypeError(`bad environment variable name ${JSON.stringify(k)}`);
      fields.push(strField(Tag.Env, `${k}=${v}`));
    }
    if (opts.stdin !== undefined) {
      fields.push({ tag: Tag.Stdin, data: typeof opts.stdin === 'string' ? new TextEncoder().encode(opts.stdin) : opts.stdin });
    }
    if (timeoutMs) fields.push(u32Field(Tag.TimeoutMs, timeoutMs));
    const reply = await this.request(FrameType.Exec, fields, timeoutMs ? timeoutMs + AGENT_GRACE_MS : 0);
    this.throwIfError(reply, `exec ${shown}`);
    const result: ExecResult = {
      status: this.u32Of(reply, Tag.Status),
      signal: this.u32Of(reply, Tag.Signal),
      stdout: await this.bytesOf(reply, Tag.Stdout),
      stderr: await this.bytesOf(reply, Tag.Stderr),
    };
    if (reply.fields.some((x) => x.tag === Tag.TimedOut)) throw new CommandTimeoutError(shown, timeoutMs, result);
    return result;
  }

  /** Writes a file in the guest, creating parent directories. */
  async putFile(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const reply = await this.request(FrameType.Put, [strField(Tag.Path, path), u32Field(Tag.Mode, mode), { tag: Tag.Data, data: bytes }]);
    this.throwIfError(reply);
  }

  /** Creates a directory in the guest (and its parents). */
  async mkdir(path: string, mode = 0o755): Promise<void> {
    const reply = await this.request(FrameType.Put, [strField(Tag.Path, path), u32Field(Tag.Mode, 0o040000 | mode)]);
    this.throwIfError(reply);
  }

  /**
   * Writes a tree (sim/transfer/tree.ts) at path in the guest, never through
   * a symlink below path; gives the entries it refused, by name.
   */
  async putTree(path: string, tree: Uint8Array): Promise<Array<{ name: string; reason: string }>> {
    const reply = await this.request(FrameType.PutTree, [strField(Tag.Path, path), { tag: Tag.Tree, data: tree }]);
    this.throwIfError(reply);
    return refusals(reply);
  }

  /** The tree at path in the guest (symlinks not followed), and the entries it could not read. */
  async getTree(path: string): Promise<{ tree: Uint8Array; refused: Array<{ name: string; reason: string }> }> {
    const reply = await this.request(FrameType.GetTree, [strField(Tag.Path, path)]);
    this.throwIfError(reply);
    return { tree: await this.bytesOf(reply, Tag.Tree), refused: refusals(reply) };
  }

  /** v86's count of instructions the guest has executed; 32 bits, it wraps (bench/ follows it). */
  instructionCounter(): number {
    return this.emulator.get_instruction_counter() >>> 0;
  }

  /** Reads a file from the guest; with remove, the guest removes it once read. */
  async getFile(path: string, opts: { remove?: boolean } = {}): Promise<Uint8Array> {
    const fields = [strField(Tag.Path, path)];
    if (opts.remove) fields.push({ tag: Tag.Remove, data: new Uint8Array(0) });
    const reply = await this.request(FrameType.Get, fields);
    this.throwIfError(reply);
    return this.bytesOf(reply, Tag.Data);
  }

  /** The emulator's whole state; boot({state}) or restoreState() resumes it. */
  async saveState(): Promise<ArrayBuffer> {
    this.check('saveState');
    return (await this.idle(async () => {
      // Where the guest stopped after the last reply, not wherever the host happened to call.
      await this.clock?.settled();
      return this.emulator.save_state();
    })) as ArrayBuffer;
  }

  /**
   * Puts the machine back into a state saved from the same image; also
   * revives a machine whose guest crashed or hung. v86's compiled code for
   * unchanged pages is kept. A deterministic machine puts back its core as
   * it was after the state's warm-up (see warmRestore; the first restore of
   * another state starts a new emulator, closing ports from openPort).
   */
  async restoreState(state: ArrayBuffer): Promise<void> {
    if (this.closed) throw new MachineClosedError('restoreState');
    if (this.clock) return this.warmRestore(state, true);
    await this.idle(async () => {
      await restoreInPlace(this.emulator, state);
      this.watch.reset();
      if (this.failure) {
        this.failure = undefined;
        this.failed = this.failurePromise();
      }
    });
    await this.request(FrameType.Ping, [], 30_000);
  }

  /** Runs fn when no request is in flight. */
  private idle<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Another virtio console port of the guest (/dev/hvc<n>, n = 1..3; port 0
   * is the agent's): onData gets what the guest writes, write() sends to it,
   * paced. Used by the traced shell (sim/guest/shell-session.ts). Close it when done.
   */
  openPort(n: number, onData: (data: Uint8Array) => void): ConsolePort {
    this.check('openPort');
    if (!Number.isInteger(n) || n < 1 || n > 3) throw new RangeError(`virtio console port ${n}: use 1, 2 or 3 (0 is the agent's)`);
    return this.newPort(n, onData);
  }

  private newPort(n: number, onData: (data: Uint8Array) => void): ConsolePort {
    const clock = this.clock;
    if (!clock) return new ConsolePort(this.emulator, n, onData);
    const port = new ConsolePort(this.emulator, n, onData, { onQueued: () => clock.kick() });
    const close = port.close.bind(port);
    port.close = () => {
      this.ports.delete(port);
      close();
    };
    this.ports.add(port);
    return port;
  }

  /** The host waits for the guest: a boot, a request in flight, input not yet taken, or an open interactive port. */
  private busy(): boolean {
    if (!this.agentUp || this.pending.size > 0 || this.interactive()) return true;
    for (const p of this.ports) if (p.pending) return true;
    return false;
  }

  /** A port from openPort (a traced shell) is open and no request is in flight. */
  private interactive(): boolean {
    return this.pending.size === 0 && this.ports.size > 1;
  }

  private deliverInput(): boolean {
    let sent = false;
    for (const p of this.ports) sent = p.deliver() || sent;
    return sent;
  }

  /** True in deterministic mode (BootOptions.deterministic). */
  get deterministic(): boolean {
    return !!this.clock;
  }

  /** Text the guest kernel printed lately (its serial console). */
  consoleTail(): string {
    return this.watch.tail();
  }

  /** Stops the emulator; any later call gives {@link MachineClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new MachineClosedError('request');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.port.close();
    if (this.loaded) await this.emulator.destroy();
  }

  private u32Of(f: Frame, tag: Tag): number {
    const x = f.fields.find((y) => y.tag === tag);
    return x && x.data.length === 4 ? fieldU32(x) : 0;
  }

  /** The agent's error, prefixed with what (when its message does not name the request itself) and a hint. */
  private throwIfError(f: Frame, what?: string): void {
    const e = f.fields.find((x) => x.tag === Tag.Error);
    if (!e) return;
    const msg = fieldStr(e);
    const hint = FILE_ERROR_HINTS.find(([re]) => re.test(msg))?.[1];
    throw new AgentError(`${what ? `${what}: ` : ''}${msg}${hint ? `; ${hint}` : ''}`);
  }
}

function checkMemory(mib: number): void {
  if (!Number.isInteger(mib) || mib < MIN_MEMORY_MIB || mib > MAX_MEMORY_MIB) {
    throw new RangeError(`guest memory ${mib} MiB: give whole MiB from ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB}`);
  }
}

function requestName(type: FrameType): string {
  return (
    (
      {
        [FrameType.Exec]: 'exec',
        [FrameType.Put]: 'put',
        [FrameType.Get]: 'get',
        [FrameType.Ping]: 'ping',
        [FrameType.PutTree]: 'put_tree',
        [FrameType.GetTree]: 'get_tree',
      } as Record<number, string>
    )[type] ?? `type ${type}`
  );
}

/** What to do about the agent's file errors, by the error's text (strerror's). */
const FILE_ERROR_HINTS: Array<[RegExp, string]> = [
  [/^cannot read .*: No such file or directory$/, 'check the guest path'],
  [/: Is a directory$/, "a directory is copied with Simulator.get (the CLI's --get)"],
  [/: Not a directory$/, 'a component of the guest path is a file'],
  [/: No space left on device$/, "the guest's files live in its memory: give it more (memoryMiB, --memory)"],
];

function refusals(reply: Frame): Array<{ name: string; reason: string }> {
  return reply.fields
    .filter((x) => x.tag === Tag.Refused)
    .map((x) => {
      const nul = x.data.indexOf(0);
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return nul < 0 ? { name: text(x.data), reason: 'no reason given' } : { name: text(x.data.subarray(0, nul)), reason: text(x.data.subarray(nul + 1)) };
    });
}

interface V86Cpu {
  zero_memory?: (offset: number, length: number) => void;
}

/**
 * Restores a state into a just-constructed, stopped emulator and starts it.
 * v86 zeroes all guest memory before unpacking a state's non-zero pages;
 * a fresh emulator's memory is already zero above the first MiB (where the
 * BIOS ROMs were copied), so only that MiB is zeroed: restoring is about
 * 90 ms faster and leaves the rest of the host memory untouched.
 */
async function restoreFresh(emulator: V86, state: ArrayBuffer, clock: DeterministicClock | undefined): Promise<void> {
  const cpu = (emulator as unknown as { v86?: { cpu?: V86Cpu } }).v86?.cpu;
  const zero = cpu?.zero_memory;
  if (cpu && zero) cpu.zero_memory = (offset, length) => zero(offset, Math.min(length, Math.max(0, (1 << 20) - offset)));
  clock?.restoring();
  try {
    await restoreWithExactTsc(emulator, state);
  } finally {
    if (cpu && zero) cpu.zero_memory = zero;
  }
  clock?.restored();
  await emulator.run();
}

/** v86's wasm_fn: the core from a compiled module (or fetched from a URL), its imports the clock's in deterministic mode. */
function instantiateWith(core: WebAssembly.Module | string, clock: DeterministicClock | undefined): (imports: WebAssembly.Imports) => Promise<WebAssembly.Exports> {
  return async (imports) => {
    const own = clock ? clock.imports(imports) : imports;
    if (core instanceof WebAssembly.Module) return (await WebAssembly.instantiate(core, own)).exports;
    const response = await fetch(core);
    if (!response.ok) throw new Error(`cannot fetch v86's WebAssembly from ${core}: HTTP ${response.status}; check wasmPath`);
    return (await WebAssembly.instantiate(await response.arrayBuffer(), own)).instance.exports;
  };
}

function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? (u.buffer as ArrayBuffer) : (u.slice().buffer as ArrayBuffer);
}

/** A new v86 for the options (resuming state when given), and when it has set itself up. */
function createEmulator(options: BootOptions, state: ArrayBuffer | undefined, clock: DeterministicClock | undefined): { emulator: V86; loaded: Promise<void> } {
  const { image } = options;
  const v86opts: V86Options = {
    wasm_path: options.wasmPath,
    memory_size: (options.memoryMiB ?? DEFAULT_MEMORY_MIB) << 20,
    vga_memory_size: 2 << 20,
    bios: { buffer: toArrayBuffer(image.bios) },
    // A restored state brings its own memory: the kernel is not loaded.
    ...(state ? {} : { bzimage: { buffer: toArrayBuffer(image.kernel) }, initrd: { buffer: toArrayBuffer(image.initramfs) } }),
    cmdline: image.toolchain ? `${KERNEL_CMDLINE} ${TOOLCHAIN_CMDLINE}` : KERNEL_CMDLINE,
    // The read-only disks: attached for a restore too, where the state expects them.
    hda: image.disk,
    ...(image.toolchain ? { hdb: image.toolchain.disk } : {}),
    filesystem: {},
    virtio_console: true,
    // A deterministic guest starts once its clock is attached.
    autostart: !state && !options.deterministic,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    // The NE2000's MAC address comes from Math.random; the guest uses no network.
    ...(clock ? { net_device: { type: 'none' } } : {}),
    ...(options.wasm || clock ? { wasm_fn: instantiateWith(options.wasm ?? options.wasmPath, clock) } : {}),
  } as unknown as V86Options;
  const emulator = new V86(v86opts);
  const loaded = new Promise<void>((resolve) => emulator.add_listener('emulator-loaded', () => resolve()));
  return { emulator, loaded };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** v86's core compiled: the one given, or compiled from wasmPath once per path. */
const compiledCores = new Map<string, Promise<WebAssembly.Module>>();
function coreOf(options: BootOptions): Promise<WebAssembly.Module> {
  if (options.wasm) return Promise.resolve(options.wasm);
  let core = compiledCores.get(options.wasmPath);
  if (!core) {
    core = fetch(options.wasmPath).then(async (r) => {
      if (!r.ok) throw new Error(`cannot fetch v86's WebAssembly from ${options.wasmPath}: HTTP ${r.status}; check wasmPath`);
      return WebAssembly.compile(await r.arrayBuffer());
    });
    compiledCores.set(options.wasmPath, core);
  }
  return core;
}
