// Node adapter: a ready Machine in one call. Restores the saved state that
// matches the image when there is one, else boots cold and saves it.
// States are stored zstd-compressed (state-<key>.zst, Debian's zstd on the
// host); v86 decompresses such a state itself when it restores it.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_MEMORY_MIB, Machine, type BootOptions } from '../guest/machine.js';
import { dropPageCache } from '../guest/snapshot.js';
import { stateKey } from '../guest/state-key.js';
import { loadImage, v86Version, v86WasmPath } from './image.js';
import { prepareSave, pruneStates, stateLocation, touchState } from './state-store.js';
import { v86Core } from './v86-core.js';

/** Options of {@link bootMachine} and {@link Simulator.start} in Node: the image folder, the saved state, building a missing image, progress, and the Machine's boot options. */
export interface NodeBootOptions extends Partial<Omit<BootOptions, 'image' | 'wasmPath'>> {
  /** A guest image folder to use instead of looking for one (see sim/node/image.ts). */
  image?: string;
  /** A toolchain folder to attach, or false for none (see LoadImageOptions.toolchain). */
  toolchain?: string | false;
  /** Use and keep a saved state (default true): beside a local build, else in the user cache. */
  savedState?: boolean;
  /** Build the image when it is missing (default true). */
  build?: boolean;
  /** Progress lines (image build, boot). */
  log?: (msg: string) => void;
}

/** How a guest was started: restored from a saved state or booted cold, how long it took, and the state file. */
export interface BootInfo {
  /** 'restored' from a saved state, or 'cold' boot. */
  start: 'restored' | 'cold';
  ms: number;
  statePath: string;
}

/** Boots the guest for Node: image built if missing, saved state used and made. */
export async function bootMachine(opts: NodeBootOptions = {}): Promise<{ machine: Machine; info: BootInfo }> {
  const t0 = performance.now();
  const image = await loadImage({ image: opts.image, build: opts.build, toolchain: opts.toolchain, log: opts.log });
  const memoryMiB = opts.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const deterministic = !!opts.deterministic;
  const key = await stateKey({ manifest: image.manifest, toolchain: image.toolchain?.manifest, v86Version, memoryMiB, deterministic });
  const useState = opts.savedState !== false;
  // A guest with the toolchain keeps its states with the toolchain (beside a package's, else in the user cache).
  const statesOf = image.toolchain ?? image;
  const where = stateLocation(statesOf, key, { v86Version, memoryMiB });
  const base = { ...opts, image, wasmPath: v86WasmPath, wasm: opts.wasm ?? v86Core(), memoryMiB };
  // A shipped state that does not fit is worth a warning when it costs a cold boot; later runs use the cached one.
  if (useState && !opts.state && where.mismatch) {
    if (where.restore) opts.log?.(where.mismatch);
    else process.emitWarning(where.mismatch, 'FilemonSimStateWarning');
  }

  if (useState && !opts.state && where.restore) {
    const statePath = where.restore;
    touchState(statePath);
    const machine = await Machine.boot({ ...base, state: readStateFile(statePath) });
    return { machine, info: { start: 'restored', ms: performance.now() - t0, statePath } };
  }
  const statePath = where.save;
  opts.log?.(opts.state ? 'restoring the given state' : 'booting the guest (cold boot, a few seconds)');
  const machine = await Machine.boot(base);
  if (useState && !opts.state) {
    await dropPageCache(machine);
    const state = await machine.saveState();
    prepareSave(statePath);
    // Several processes or workers may boot cold at once: each writes its own temp file.
    const tmp = `${statePath}.${randomUUID()}.tmp`;
    writeFileSync(tmp, compressState(new Uint8Array(state), opts.log));
    renameSync(tmp, statePath);
    const otherKey = await stateKey({ manifest: image.manifest, toolchain: image.toolchain?.manifest, v86Version, memoryMiB, deterministic: !deterministic });
    pruneStates(statePath, statesOf, [stateLocation(statesOf, otherKey, { v86Version, memoryMiB }).save]);
    opts.log?.(`saved the booted state for fast starts: ${statePath}`);
    // The first command must run as it will after any later start, which restores this state.
    if (deterministic) await machine.restoreState(state);
  }
  return { machine, info: { start: opts.state ? 'restored' : 'cold', ms: performance.now() - t0, statePath } };
}

/**
 * zstd level for saved states: 19 gives about a third less than 3 on a
 * guest state, and decompression speed does not depend on the level.
 */
const STATE_ZSTD_LEVEL = 19;

/**
 * A raw v86 state (save_state()) as one zstd frame with its content size,
 * through Debian's zstd program. v86 recognises the frame's magic number
 * in restore_state() and decompresses it in its own wasm. Without a zstd
 * program (an npm-only install saving a state to its cache) the state is
 * kept raw: v86 restores both.
 */
function compressState(raw: Uint8Array, log?: (msg: string) => void): Uint8Array {
  const r = spawnSync('zstd', ['-q', `-${STATE_ZSTD_LEVEL}`, '-c'], { input: raw, maxBuffer: raw.length + (64 << 20) });
  if (r.error) {
    log?.(`zstd could not be started (${r.error.message}): the saved state is kept uncompressed`);
    return raw;
  }
  if (r.status !== 0) throw new Error(`zstd failed with status ${r.status}: ${r.stderr.toString().trim()}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
}

/**
 * The size of a saved state file's contents once decompressed. Used by
 * playground/site.mjs, which loads dist/ by path where knip cannot follow.
 * @public
 */
export function stateRawBytes(path: string): number {
  const bytes = readFileSync(path);
  if (!isZstd(bytes)) return bytes.length;
  const r = spawnSync('zstd', ['-dc', path], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd -d ${path} failed: ${r.stderr?.toString().trim()}`);
  return r.stdout.length;
}

/** True when bytes start with the zstd frame magic (28 b5 2f fd). */
export function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd;
}

/** A saved state file as an ArrayBuffer (zstd: v86 decompresses it), without a copy when Node gave the file its own buffer. */
export function readStateFile(path: string): ArrayBuffer {
  const buf = readFileSync(path);
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf.buffer as ArrayBuffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
