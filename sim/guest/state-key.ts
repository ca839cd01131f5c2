// A saved emulator state only fits the machine it came from: the same
// image, v86 build, memory size and kernel command line; and a
// deterministic guest only restores a state saved in that mode (its clock
// and devices' times are virtual, and the state itself is reproducible).
import { imageIdentity, sha256Hex, type ImageManifest, type ToolchainManifest } from './image.js';
import { KERNEL_CMDLINE } from './machine.js';

export interface StateKeyInput {
  manifest: ImageManifest;
  /** The toolchain disk attached, if any. */
  toolchain?: ToolchainManifest;
  v86Version: string;
  memoryMiB: number;
  /** A state saved by a deterministic guest (BootOptions.deterministic). */
  deterministic?: boolean;
}

/** Short hex key naming the saved state for these inputs. */
export async function stateKey(k: StateKeyInput): Promise<string> {
  // The normal mode's keys stay as they were: its saved states remain valid.
  const id = [imageIdentity(k.manifest, k.toolchain), k.v86Version, k.memoryMiB, KERNEL_CMDLINE, ...(k.deterministic ? ['deterministic'] : [])].join('|');
  return (await sha256Hex(id)).slice(0, 16);
}
