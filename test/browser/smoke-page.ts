// Browser smoke page: boots the same guest image with the same harness
// core as Node, runs echo, and reads a file from the guest's disk before
// and after a restore (v86 fetches the disk's chunks by range requests as
// the guest reads them). The result lands in window.smokeResult.
import { fetchImage } from '../../sim/browser/image.js';
import { sha256Hex } from '../../sim/guest/image.js';
import { Machine } from '../../sim/guest/machine.js';

/** On the guest's disk (images/linux/recipe/bulk.ts). */
export const DISK_FILE = '/lib/i386-linux-gnu/libc.so.6';

export interface SmokeResult {
  status: number;
  stdout: string;
  /** sha256 of DISK_FILE read after boot and again after a restore. */
  diskFile: string;
  diskFileAfterRestore: string;
}

declare global {
  interface Window {
    smokeResult?: SmokeResult | { error: string };
  }
}

async function main(): Promise<void> {
  const image = await fetchImage(new URL('image/', location.href).href);
  const machine = await Machine.boot({ image, wasmPath: new URL('v86/v86.wasm', location.href).href });
  const r = await machine.exec(['echo', 'hello from the browser']);
  const diskFile = await sha256Hex(await machine.getFile(DISK_FILE));
  const drop = await machine.exec(['sh', '-c', 'sync && echo 3 > /proc/sys/vm/drop_caches']);
  if (drop.status !== 0) throw new Error(`dropping the page cache failed: ${new TextDecoder().decode(drop.stderr)}`);
  const state = await machine.saveState();
  await machine.restoreState(state);
  const diskFileAfterRestore = await sha256Hex(await machine.getFile(DISK_FILE));
  window.smokeResult = { status: r.status, stdout: new TextDecoder().decode(r.stdout), diskFile, diskFileAfterRestore };
  await machine.close();
}

main().catch((e: unknown) => {
  window.smokeResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
