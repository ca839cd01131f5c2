// Node adapter: a ready Machine in one call. Restores the saved state that
// matches the image when there is one, else boots cold and saves it.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { outDir } from '../../images/linux/layout.js';
import { DEFAULT_MEMORY_MIB, Machine, type BootOptions } from '../machine.js';
import { zeroFreeMemory } from '../snapshot.js';
import { stateKey } from '../state-key.js';
import { loadImage, v86Version, v86WasmPath } from './image.js';

export interface NodeBootOptions extends Partial<Omit<BootOptions, 'image' | 'wasmPath'>> {
  /** Use and keep a saved state beside the image (default true). */
  savedState?: boolean;
  /** Build the image when it is missing (default true). */
  build?: boolean;
  /** Progress lines (image build, boot). */
  log?: (msg: string) => void;
}

export interface BootInfo {
  /** 'restored' from a saved state, or 'cold' boot. */
  start: 'restored' | 'cold';
  ms: number;
  statePath: string;
}

/** Boots the guest for Node: image built if missing, saved state used and made. */
export async function bootMachine(opts: NodeBootOptions = {}): Promise<{ machine: Machine; info: BootInfo }> {
  const t0 = performance.now();
  const image = await loadImage({ build: opts.build, log: opts.log });
  const memoryMiB = opts.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const statePath = join(outDir, `state-${await stateKey({ manifest: image.manifest, v86Version, memoryMiB })}.bin`);
  const useState = opts.savedState !== false;
  const base = { ...opts, image, wasmPath: v86WasmPath, memoryMiB };

  if (useState && !opts.state && existsSync(statePath)) {
    const machine = await Machine.boot({ ...base, state: readStateFile(statePath) });
    return { machine, info: { start: 'restored', ms: performance.now() - t0, statePath } };
  }
  opts.log?.(opts.state ? 'restoring the given state' : 'booting the guest (cold boot, about 10-20 s)');
  const machine = await Machine.boot(base);
  if (useState && !opts.state) {
    await zeroFreeMemory(machine);
    const state = await machine.saveState();
    // Several processes or workers may boot cold at once: each writes its own temp file.
    const tmp = `${statePath}.${randomUUID()}.tmp`;
    writeFileSync(tmp, new Uint8Array(state));
    renameSync(tmp, statePath);
    removeStaleStates(statePath);
    opts.log?.(`saved the booted state for fast starts: ${statePath}`);
  }
  return { machine, info: { start: opts.state ? 'restored' : 'cold', ms: performance.now() - t0, statePath } };
}

/** States of earlier images or options can never be restored again. */
function removeStaleStates(current: string): void {
  for (const f of readdirSync(outDir)) {
    if (/^state-[0-9a-f]{16}\.bin$/.test(f) && f !== basename(current)) rmSync(join(outDir, f), { force: true });
  }
}

/** A saved state file as an ArrayBuffer, without a copy when Node gave the file its own buffer. */
export function readStateFile(path: string): ArrayBuffer {
  const buf = readFileSync(path);
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf.buffer as ArrayBuffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
