// Deterministic-mode page: restores the deterministic saved state in the
// browser with the same harness core as Node and traces the command given
// in the URL (?state=FILE&cmd=...); the result lands in window.detResult.
import { fetchImage } from '../../sim/browser/image.js';
import { Machine } from '../../sim/guest/machine.js';
import { TraceSession } from '../../sim/simulator.js';
import { loadTraceParser } from '../../sim/trace/index.js';

declare global {
  interface Window {
    detResult?: { status: number; log: string; stdout: string; stderr: string } | { error: string };
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const at = (p: string) => new URL(p, location.href).href;
  const bytes = async (url: string) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.arrayBuffer();
  };
  const image = await fetchImage(at('image/'));
  const state = await bytes(at(`image/${params.get('state')}`));
  const parser = await loadTraceParser(new Uint8Array(await bytes(at('parser/filemon-parser.wasm'))));
  const machine = await Machine.boot({ image, wasmPath: at('v86/v86.wasm'), state, deterministic: true });
  // The request sequence of Node's Simulator.start() then trace(cmd, { restore: true }).
  const session = new TraceSession(machine, parser, async () => state);
  const r = await session.trace(['sh', '-c', params.get('cmd') ?? 'true'], { restore: true });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  window.detResult = { status: r.status, log: text(r.log), stdout: text(r.stdout), stderr: text(r.stderr) };
  await machine.close();
}

main().catch((e: unknown) => {
  window.detResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
});
