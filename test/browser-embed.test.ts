// The browser entry (filemon-sim/browser) embedded in another page, in
// Debian's Chromium, through its script-tag build (dist/browser/): a page
// with <filemon-sim-terminal> shows an example's records, and the Simulator
// API traces and puts files. The guest's files come from the
// playground's built assets folder, served beside the page as any static
// host would.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import type * as Site from '../playground/site.mjs';
import { PARALLEL_BUILD } from './helpers/parallel-build.js';

/** Course notes with a live terminal: two tags, nothing to build. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course notes: fork and exit</title>
<link rel="stylesheet" href="lib/filemon-sim.css">
<script type="module" src="lib/filemon-sim.js"></script></head>
<body style="background:#fff;color:#111;font-family:sans-serif">
<h1>Fork and exit</h1>
<p>Every fork is an F record and every exit an X record. Try it:</p>
<filemon-sim-terminal assets="site/assets/" command="fms-forktree" style="display:block;height:420px"></filemon-sim-terminal>
</body></html>
`;

/** The Simulator API from the same script: start, trace, put; the result lands in window.apiResult. */
const API_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API</title></head><body>
<script type="module">
import { Simulator } from './lib/filemon-sim.js';
try {
  const sim = await Simulator.start({ assets: 'site/assets/' });
  const a = await sim.trace('cat /etc/hostname');
  await sim.put('/home/from-page.txt', 'written by the embedding page\\n');
  const b = await sim.trace(['cat', '/home/from-page.txt']);
  const lines = (t) => t.trace.events.map((e) => e.kind + ' ' + (e.path ?? ''));
  window.apiResult = { start: sim.start, hostname: lines(a), put: lines(b), status: b.status };
  await sim.close();
} catch (e) {
  window.apiResult = { error: String(e) };
}
</script></body></html>
`;

/** Deterministic mode through the same API: a cold boot in the page (no v86Version to check the site's state), then bmake -j4. */
const DETERMINISTIC_PAGE = (cmd: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>deterministic</title></head><body>
<script type="module">
import { Simulator } from './lib/filemon-sim.js';
try {
  const notices = [];
  const sim = await Simulator.start({ assets: 'site/assets/', deterministic: true, onNotice: (t) => notices.push(t) });
  const r = await sim.trace(['sh', '-c', ${JSON.stringify(cmd)}], { restore: true });
  window.embedDetResult = { start: sim.start, notices, status: r.status, log: new TextDecoder().decode(r.log), deterministic: r.deterministic };
  await sim.close();
} catch (e) {
  window.embedDetResult = { error: String(e) };
}
</script></body></html>
`;

declare global {
  interface Window {
    apiResult?: { start: string; hostname: string[]; put: string[]; status: number } | { error: string };
    embedDetResult?: { start: string; notices: string[]; status: number; log: string; deterministic: boolean } | { error: string };
  }
}

describe('browser entry embedded in another page', function () {
  this.timeout(300_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;

  before(async () => {
    const { buildSite } = (await import(pathToFileURL(join(packageRoot, 'playground/site.mjs')).href)) as typeof Site;
    const { outDir } = await buildSite({ minify: true, onLog: (m) => process.stderr.write(`      [playground] ${m}\n`) });
    const pageDir = join(packageRoot, 'dist/browser-embed');
    mkdirSync(pageDir, { recursive: true });
    writeFileSync(join(pageDir, 'index.html'), PAGE);
    writeFileSync(join(pageDir, 'api.html'), API_PAGE);
    writeFileSync(join(pageDir, 'deterministic.html'), DETERMINISTIC_PAGE(PARALLEL_BUILD));
    // The script-tag build (npm run build writes it), the pages, and the playground's assets folder.
    const lib = join(packageRoot, 'dist/browser');
    assert.ok(existsSync(join(lib, 'filemon-sim.js')), 'dist/browser/filemon-sim.js is missing: npm run build');
    server = await serveStatic({ '/notes/': pageDir, '/notes/lib/': lib, '/notes/site/': outDir });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('is the package export filemon-sim/browser, ESM with types, and filemon-sim/browser/script for a script tag', () => {
    assert.equal(import.meta.resolve('filemon-sim/browser'), pathToFileURL(join(packageRoot, 'dist/sim/browser/index.js')).href);
    assert.ok(existsSync(join(packageRoot, 'dist/sim/browser/index.d.ts')));
    assert.equal(import.meta.resolve('filemon-sim/browser/script'), pathToFileURL(join(packageRoot, 'dist/browser/filemon-sim.js')).href);
  });

  it('<filemon-sim-terminal command="fms-forktree"> runs the example and shows its records', async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}notes/`);
    await page
      .waitForFunction(() => !!document.querySelector('filemon-sim-terminal .fms-group.fms-done .rec-X'), undefined, { timeout: 120_000 })
      .catch((e: Error) => {
        throw new Error(`${e.message}; page errors: ${errors.join('; ')}`);
      });
    const group = await page.$$eval('filemon-sim-terminal .fms-group', (gs) => gs.map((g) => Array.from(g.children).map((c) => c.textContent ?? '')));
    const forktree = group.find((g) => g[0] === '$ fms-forktree');
    assert.ok(forktree, JSON.stringify(group));
    for (const re of [/^E \d+ \/usr\/local\/bin\/fms-forktree$/, /^F \d+ \d+$/, /^X \d+ 7 0$/, /^X \d+ 3 0$/, /^X \d+ 0 15$/]) {
      assert.ok(
        forktree.some((r) => re.test(r)),
        `${re} not in\n${forktree.join('\n')}`,
      );
    }
    assert.match(await page.locator('filemon-sim-terminal .xterm-rows').innerText(), /child \d+ killed by signal 15/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the Simulator API starts from the assets folder, traces and puts files', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${server.url}notes/api.html`);
    await page.waitForFunction(() => window.apiResult !== undefined, undefined, { timeout: 120_000 });
    const r = await page.evaluate(() => window.apiResult!);
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.start, 'restored');
    assert.ok(r.hostname.includes('R /etc/hostname'), r.hostname.join('\n'));
    assert.ok(r.put.includes('R /home/from-page.txt'), r.put.join('\n'));
    assert.equal(r.status, 0);
    await page.close();
  });

  it('the Simulator API in deterministic mode boots cold in the page and traces bmake -j4 to the golden log', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${server.url}notes/deterministic.html`);
    await page.waitForFunction(() => window.embedDetResult !== undefined, undefined, { timeout: 300_000 });
    const r = await page.evaluate(() => window.embedDetResult!);
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.start, 'cold');
    assert.match(r.notices.join('\n'), /Deterministic mode restores only a state saved in that mode/);
    assert.equal(r.status, 0);
    assert.ok(r.deterministic);
    assert.equal(r.log, readFileSync(join(packageRoot, 'test/fixtures/golden/bmake-j4-deterministic.log'), 'utf8'));
    await page.close();
  });
});
