// Browser smoke page: boots the same guest image with the same harness
// core as Node and runs echo; the result lands in window.smokeResult.
import { fetchImage } from '../../sim/browser/image.js';
import { Machine } from '../../sim/machine.js';

declare global {
  interface Window {
    smokeResult?: { status: number; stdout: string } | { error: string };
  }
}

async function main(): Promise<void> {
  const image = await fetchImage(new URL('image/', location.href).href);
  const machine = await Machine.boot({ image, wasmPath: new URL('v86/v86.wasm', location.href).href });
  const r = await machine.exec(['echo', 'hello from the browser']);
  window.smokeResult = { status: r.status, stdout: new TextDecoder().decode(r.stdout) };
  await machine.close();
}

main().catch((e: unknown) => {
  window.smokeResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
