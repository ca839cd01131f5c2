// A saved emulator state only fits the machine it came from: the same
// image, v86 build, memory size and kernel command line.
import { imageIdentity, sha256Hex, type ImageManifest } from './image.js';
import { KERNEL_CMDLINE } from './machine.js';

export interface StateKeyInput {
  manifest: ImageManifest;
  v86Version: string;
  memoryMiB: number;
}

/** Short hex key naming the saved state for these inputs. */
export async function stateKey(k: StateKeyInput): Promise<string> {
  const id = [imageIdentity(k.manifest), k.v86Version, k.memoryMiB, KERNEL_CMDLINE].join('|');
  return (await sha256Hex(id)).slice(0, 16);
}
