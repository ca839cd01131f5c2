// filemon-sim in a browser: the Node Simulator's API (start, trace, put,
// get, restore) on a guest whose files are fetched from a folder on any
// static host, the folder `node playground/site.mjs build` writes
// (site.json, image/, v86.wasm, filemon-parser.wasm and the zstd saved
// state). The saved state is used when it fits the image, emulator and
// memory size; otherwise the guest boots cold, and onNotice says why.
// Restoring fetches only the BIOS of the image: the kernel and initramfs
// are fetched for a cold boot alone.
import { GuestPanicError } from '../errors.js';
import type { ImageManifest, ToolchainManifest } from '../guest/image.js';
import { DEFAULT_MEMORY_MIB, Machine } from '../guest/machine.js';
import { ShellSession, type ShellSessionOptions } from '../guest/shell-session.js';
import { TraceSession } from '../simulator.js';
import { dropPageCache } from '../guest/snapshot.js';
import { stateKey } from '../guest/state-key.js';
import { loadTraceParser, type TraceParser } from '../trace/index.js';
import type { DiskFetches, RemoteDisk } from './disk.js';
import { decodeState } from './gunzip.js';
import { fetchBytes, fetchGuestImage, neededOutputs, toolchainDisk, type FetchProgress } from './image.js';

/** The assets folder's site.json (written by playground/site.mjs). */
export interface SiteInfo {
  v86Wasm: { file: string; bytes: number };
  parserWasm: { file: string; bytes: number };
  image: { dir: string; bytes: number };
  /** The toolchain disk's folder (its manifest.json and disk), when the site has it: attached as hdb, read on demand. */
  toolchain?: { dir: string; bytes: number };
  state: { file: string; key: string; bytes: number; rawBytes: number } | null;
}

/** What a page sees of a disk the guest reads on demand: its size, what has been fetched, and a call after each fetched chunk. */
export interface OnDemandDisk {
  /** The whole disk's size. */
  readonly byteLength: number;
  /** What has been fetched so far. */
  readonly stats: DiskFetches;
  /** Called after each chunk arrives, with the totals so far. */
  onfetch?: (stats: DiskFetches) => void;
}

/** Options of the browser {@link Simulator.start}: where the assets are, and the guest's boot options. */
export interface BrowserStartOptions {
  /** URL of the assets folder (ends in '/'; relative URLs resolve against the page). */
  assets: string;
  /**
   * The version of the v86 bundled with the page, to check that the saved
   * state fits it. Without it the state is tried and, if it cannot be
   * restored, the guest boots cold.
   */
  v86Version?: string;
  /** false: never use the saved state (boot cold, 20-60 s). */
  savedState?: boolean;
  /** Bytes of each file as they arrive (stage: emulator, bios, kernel, initramfs, state, parser). */
  onProgress?: (p: FetchProgress) => void;
  /** Once the files to fetch are known: their stages and sizes in bytes. */
  onPlan?: (files: Array<{ stage: string; bytes: number }>) => void;
  /** What start() is doing now, in words. */
  onStage?: (text: string) => void;
  /** Why the saved state is not used. */
  onNotice?: (text: string) => void;
  /** Every character of the guest kernel's serial console. */
  onConsole?: (text: string) => void;
  /**
   * Run the guest on virtual time (see the Node Simulator): the same
   * command gives the same log as in Node, byte for byte. Restores only a
   * state saved in that mode (checked with v86Version), else boots cold,
   * which in this mode takes seconds and gives the same state as Node's.
   */
  deterministic?: boolean;
}

/** The Simulator in a browser: a guest whose files come from an assets folder on a static host (the `assets/` folder `npm run playground:build` writes), with the Node entry's tracing API. */
export class Simulator extends TraceSession {
  private constructor(
    machine: Machine,
    /** The compiled log parser (parseTrace, stream). */
    readonly logParser: TraceParser,
    /** How the guest started: from the saved state, or booted cold. */
    readonly start: 'restored' | 'cold',
    baseline: () => Promise<ArrayBuffer>,
  ) {
    super(machine, logParser, baseline);
  }

  /** Fetches the assets, restores the saved state (or boots cold) and compiles the parser. */
  static async start(opts: BrowserStartOptions): Promise<Simulator> {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
      throw new Error('this browser has no WebAssembly, which the emulator and the log parser need');
    }
    const base = new URL(opts.assets, typeof document === 'undefined' ? undefined : document.baseURI).href;
    const at = (p: string) => new URL(p, base).href;
    const stage = (t: string) => opts.onStage?.(t);
    stage('Downloading the site description…');
    const site = JSON.parse(new TextDecoder().decode(await fetchBytes(at('site.json'), 'site', 0))) as SiteInfo;
    const imageBase = at(site.image.dir);
    const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(new URL('manifest.json', imageBase).href, 'manifest', 0))) as ImageManifest;
    // The toolchain's manifest only: its disk's chunks come when the guest first reads them (a compile).
    const toolchainBase = site.toolchain ? at(site.toolchain.dir) : undefined;
    const toolchainManifest = toolchainBase ? (JSON.parse(new TextDecoder().decode(await fetchBytes(new URL('manifest.json', toolchainBase).href, 'manifest', 0))) as ToolchainManifest) : undefined;

    // The saved state only fits the image, v86 build and memory it was saved with.
    let useState = opts.savedState !== false && site.state !== null;
    const deterministic = !!opts.deterministic;
    if (useState && site.state && opts.v86Version) {
      const key = await stateKey({ manifest, toolchain: toolchainManifest, v86Version: opts.v86Version, memoryMiB: DEFAULT_MEMORY_MIB, deterministic });
      if (site.state.key !== key) {
        useState = false;
        opts.onNotice?.(
          `The saved state (key ${site.state.key}) does not match this image, emulator, memory size and mode (key ${key}): booting the guest cold, which also downloads the kernel and initramfs. Rebuild the site (npm run playground:build) to get a matching state.`,
        );
      }
    } else if (useState && deterministic) {
      // An unchecked state may be a normal-mode one, which a deterministic guest must not resume.
      useState = false;
      opts.onNotice?.("Deterministic mode restores only a state saved in that mode, and without v86Version the site's state cannot be checked: booting the guest cold.");
    } else if (site.state === null) opts.onNotice?.('This site has no saved state: booting the guest cold, which also downloads the kernel and initramfs.');
    opts.onPlan?.([
      { stage: 'emulator', bytes: site.v86Wasm.bytes },
      ...neededOutputs(manifest, !useState).map(([s, o]) => ({ stage: s, bytes: o.bytes })),
      ...(useState && site.state ? [{ stage: 'state', bytes: site.state.bytes }] : []),
      { stage: 'parser', bytes: site.parserWasm.bytes },
    ]);

    let [image, v86Wasm, parserWasm, stateBytes] = await Promise.all([
      fetchGuestImage(imageBase, manifest, { cold: !useState }, opts.onProgress),
      fetchBytes(at(site.v86Wasm.file), 'emulator', site.v86Wasm.bytes, opts.onProgress),
      fetchBytes(at(site.parserWasm.file), 'parser', site.parserWasm.bytes, opts.onProgress),
      useState && site.state ? fetchBytes(at(site.state.file), 'state', site.state.bytes, opts.onProgress) : Promise.resolve(undefined),
    ]);
    if (toolchainBase && toolchainManifest) image.toolchain = { manifest: toolchainManifest, disk: toolchainDisk(toolchainBase, toolchainManifest) };
    let state: ArrayBuffer | undefined;
    if (stateBytes) {
      try {
        state = await decodeState(stateBytes);
      } catch (e) {
        opts.onNotice?.(`The saved state could not be read (${e instanceof Error ? e.message : String(e)}): booting cold.`);
      }
    }
    // A cold boot needs the kernel and initramfs that a restore skipped.
    const coldImage = async () =>
      image.kernel.length ? image : (image = { ...(await fetchGuestImage(imageBase, manifest, { cold: true }, opts.onProgress)), disk: image.disk, toolchain: image.toolchain });
    if (!state) await coldImage();
    const parser = await loadTraceParser(parserWasm);
    const wasmPath = URL.createObjectURL(new Blob([v86Wasm as BlobPart], { type: 'application/wasm' }));
    const boot = (s: ArrayBuffer | undefined) => {
      stage(s ? 'Restoring the guest…' : 'Booting the guest (cold boot)…');
      return Machine.boot({ image, wasmPath, state: s, bootTimeoutMs: s ? 30_000 : 180_000, onConsole: opts.onConsole, deterministic });
    };
    let machine: Machine;
    try {
      machine = await boot(state);
    } catch (e) {
      // Unchecked state (no v86Version given) that does not fit: boot cold instead.
      if (!state || opts.v86Version || e instanceof GuestPanicError) throw e;
      opts.onNotice?.(`The saved state could not be restored (${e instanceof Error ? e.message : String(e)}): booting the guest cold, which also downloads the kernel and initramfs.`);
      state = undefined;
      await coldImage();
      machine = await boot(undefined);
    }
    // A deterministic cold boot saves what Node's does (page cache dropped), so the state is the same bytes.
    if (deterministic && !state) await dropPageCache(machine);
    const initial = state ?? (await machine.saveState());
    // As in Node: the first command runs as it will after any restore of this state.
    if (deterministic && !state) await machine.restoreState(initial);
    return new Simulator(machine, parser, state ? 'restored' : 'cold', async () => initial);
  }

  /** Writes data to a guest file (parent folders must exist). */
  async put(guestPath: string, data: Uint8Array | string | Blob, mode = 0o644): Promise<void> {
    const bytes = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
    await this.machine.putFile(guestPath, bytes, mode);
  }

  /** A guest file's bytes. */
  get(guestPath: string): Promise<Uint8Array> {
    return this.machine.getFile(guestPath);
  }

  /** The toolchain disk when the site has one (its stats and onfetch show what a compile fetched). */
  get toolchainDisk(): OnDemandDisk | undefined {
    return this.machine.options.image.toolchain?.disk as RemoteDisk | undefined;
  }

  /** A traced interactive shell (call start() on it): what the terminal shows; every command's records. */
  shell(opts: Omit<ShellSessionOptions, 'parser'>): ShellSession {
    return new ShellSession(this.machine, { ...opts, parser: this.logParser });
  }
}
