// A page that embeds filemon-sim the way course notes would, through the
// browser entry only: <filemon-sim-terminal> running a command (default
// page), or the Simulator API (?api: start, put, trace), whose result lands
// in window.apiResult.
import '@xterm/xterm/css/xterm.css';
import { Simulator, defineTerminalElement } from '../../sim/browser/index.js';

declare global {
  interface Window {
    apiResult?: { start: string; hostname: string[]; put: string[]; status: number } | { error: string };
  }
}

async function api(): Promise<void> {
  const sim = await Simulator.start({ assets: 'site/assets/' });
  const a = await sim.trace('cat /etc/hostname');
  await sim.put('/home/from-page.txt', 'written by the embedding page\n');
  const b = await sim.trace(['cat', '/home/from-page.txt']);
  const lines = (t: typeof a) => t.trace.events.map((e) => `${e.kind} ${'path' in e ? e.path : ''}`);
  window.apiResult = { start: sim.start, hostname: lines(a), put: lines(b), status: b.status };
  await sim.close();
}

if (new URLSearchParams(location.search).has('api')) {
  api().catch((e: unknown) => (window.apiResult = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }));
} else {
  defineTerminalElement();
}
