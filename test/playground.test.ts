// The playground page in Debian's Chromium: loads from the saved state to a
// prompt, traces what is typed, runs every teaching example, downloads the
// log, uploads a file, and says so clearly when something is missing or the
// guest crashes. Served from a sub-path, as a static host would.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page, Request } from 'playwright-core';
import { packageRoot, toolchainDir } from '../images/linux/recipe/layout.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';
import { parseTrace } from '../sim/node/parser-wasm.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { EXAMPLES } from '../playground/examples.js';
import type * as Site from '../playground/site.mjs';
import { groupRecords, openPlayground, run, typeCommand } from './browser/playground-driver.js';

const RESULTS = join(packageRoot, 'test-results');

describe('browser playground', function () {
  this.timeout(300_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let url: string;
  let page: Page;
  let siteDir: string;

  before(async () => {
    const { buildSite } = (await import(pathToFileURL(join(packageRoot, 'playground/site.mjs')).href)) as typeof Site;
    const { outDir } = await buildSite({ minify: true, toolchain: toolchainDir, onLog: (m) => process.stderr.write(`      [playground] ${m}\n`) });
    siteDir = outDir;
    server = await serveStatic({ '/some/sub/path/': outDir });
    url = `${server.url}some/sub/path/`;
    chromium = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('loads from the saved state to a usable prompt', async () => {
    page = await openPlayground(chromium.context, url);
    const info = await page.evaluate(() => ({ start: window.playground.start, readyAt: window.playground.readyAt }));
    assert.equal(info.start, 'restored');
    assert.match(await page.locator('.xterm-rows').innerText(), /~ # /);
  });

  it('restoring a matching state fetches no kernel or initramfs, and gets text assets compressed', async () => {
    const p = await chromium.context.newPage();
    const requests: string[] = [];
    const encodings = new Map<string, string>();
    p.on('request', (r) => requests.push(r.url()));
    p.on('response', (r) => encodings.set(new URL(r.url()).pathname.replace(/^.*\//, ''), r.headers()['content-encoding'] ?? ''));
    await p.goto(url);
    await p.waitForFunction(() => window.playground?.ready === true || window.playground?.error !== undefined, undefined, { timeout: 120_000 });
    assert.equal(await p.evaluate(() => window.playground.start), 'restored');
    assert.ok(!requests.some((u) => /bzImage|initramfs\.cpio/.test(u)), `kernel or initramfs fetched:\n${requests.join('\n')}`);
    assert.ok(
      requests.some((u) => /bios\.bin$/.test(u)),
      requests.join('\n'),
    );
    // Preloaded by index.html and taken over by the page's own fetch: one request each.
    for (const f of [/state-[0-9a-f]{16}\.zst$/, /v86\.wasm$/]) {
      assert.equal(requests.filter((u) => f.test(u)).length, 1, `${f} requested other than once:\n${requests.join('\n')}`);
    }
    for (const f of ['app.js', 'v86.wasm', 'filemon-parser.wasm']) assert.equal(encodings.get(f), 'br', `${f} not served brotli`);
    await p.close();
  });

  it('shows R and W of cat /etc/passwd > /home/copy in the trace panel', async () => {
    const rows = await run(page, 'cat /etc/passwd > /home/copy');
    assert.ok(
      rows.some((r) => /^R \d+ \/etc\/passwd$/.test(r)),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((r) => /^W \d+ \/home\/copy$/.test(r)),
      rows.join('\n'),
    );
    const title = await page.locator('.group .rec-R').first().getAttribute('title');
    assert.equal(title, 'R open(2) or openat(2) for read');
    await page.screenshot({ path: join(RESULTS, 'playground.png') });
  });

  for (const ex of EXAMPLES) {
    it(`teaching example "${ex.title}" shows its records`, async () => {
      const rows = await run(page, ex.command, () => page.click(`button[data-example="${ex.id}"]`));
      for (const re of ex.expect)
        assert.ok(
          rows.some((r) => re.test(r)),
          `${re} not in\n${rows.join('\n')}`,
        );
      for (const re of ex.absent ?? []) assert.ok(!rows.some((r) => re.test(r)), `${re} in\n${rows.join('\n')}`);
      assert.match(await page.locator('#example-about').innerText(), new RegExp(ex.command.slice(0, 10).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    });
  }

  it('fetches nothing of the toolchain disk until gcc runs, then only the blocks it reads, and shows the bytes', async () => {
    const ranges: string[] = [];
    const onRequest = (r: Request) => {
      if (/\/toolchain\/toolchain\.squashfs$/.test(r.url())) ranges.push(r.headers().range ?? '(whole)');
    };
    chromium.context.on('request', onRequest);
    try {
      const p = await openPlayground(chromium.context, url);
      const copy = await run(p, 'cat /etc/passwd > /home/copy');
      assert.ok(
        copy.some((r) => /^W \d+ \/home\/copy$/.test(r)),
        copy.join('\n'),
      );
      const fork = await run(p, 'fms-forktree');
      assert.ok(
        fork.some((r) => /^X \d+ 0 15$/.test(r)),
        fork.join('\n'),
      );
      assert.deepEqual(ranges, [], 'the toolchain disk was fetched before gcc ran');
      assert.deepEqual(await p.evaluate(() => window.playground.toolchain), { requests: 0, bytes: 0 });
      assert.equal(await p.locator('#toolchain-fetch').isVisible(), false, 'the toolchain progress shows before gcc');

      const gcc = EXAMPLES.find((e) => e.id === 'gcc')!;
      const rows = await run(p, gcc.command, () => p.click('button[data-example="gcc"]'));
      for (const re of gcc.expect)
        assert.ok(
          rows.some((r) => re.test(r)),
          `${re} not in\n${rows.join('\n')}`,
        );
      assert.match(await p.locator('.xterm-rows').innerText(), /^hello$/m);
      const fetched = (await p.evaluate(() => window.playground.toolchain))!;
      assert.equal(fetched.requests, ranges.length);
      assert.ok(
        ranges.every((r) => /^bytes=\d+-\d+$/.test(r)),
        ranges.join(' '),
      );
      const total = (JSON.parse(readFileSync(join(siteDir, 'assets/toolchain/manifest.json'), 'utf8')) as { outputs: { disk: { bytes: number } } }).outputs.disk.bytes;
      assert.ok(fetched.bytes > 0 && fetched.bytes < total / 2, `fetched ${fetched.bytes} of ${total} bytes`);
      assert.equal(await p.locator('#toolchain-fetch').isVisible(), true);
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      assert.match(
        await p.locator('#toolchain-text').innerText(),
        new RegExp(`fetched ${mb(fetched.bytes).replace('.', '\\.')} of ${mb(total).replace('.', '\\.')} in ${fetched.requests} range requests`),
      );
      const width = await p.locator('#toolchain-bar').evaluate((e) => (e as HTMLElement).style.width);
      assert.equal(width, `${((100 * fetched.bytes) / total).toFixed(1)}%`);
      // A second compile reads what the first fetched: no request.
      await run(p, gcc.command);
      assert.equal(ranges.length, fetched.requests, 'the second gcc fetched more of the disk');
      process.stderr.write(`      first gcc compile fetched ${fetched.bytes} bytes of the ${total}-byte toolchain disk in ${fetched.requests} requests\n`);
      await p.close();
    } finally {
      chromium.context.off('request', onRequest);
    }
  });

  it('has a process tree and file sets, and filters by letter and pid', async () => {
    await page.click('.tab[data-view="tree"]');
    assert.match(await page.locator('#view-tree').innerText(), /fms-forktree[\s\S]*killed by signal 15/);
    await page.click('.tab[data-view="files"]');
    const files = await page.locator('#view-files').innerText();
    assert.match(files, /Read \(R\): \d+[\s\S]*\/etc\/passwd/);
    assert.match(files, /Written \(W\): \d+[\s\S]*\/home\/copy/);
    assert.match(files, /Deleted \(D\): \d+[\s\S]*\/tmp\/b/);
    await page.click('.tab[data-view="records"]');
    await page.uncheck('input[data-letter="X"]');
    assert.equal(await page.locator('#view-records .rec-X').first().isVisible(), false);
    assert.equal(await page.locator('#view-records .rec-R').first().isVisible(), true);
    await page.check('input[data-letter="X"]');
    const pid = (await groupRecords(page, 'fms-forktree')).find((r) => r.startsWith('E '))!.split(' ')[1];
    await page.fill('#pid-filter', pid);
    const visible = await page.locator('#view-records .rec:visible').allInnerTexts();
    assert.ok(visible.length > 0 && visible.every((t) => t.split(' ').slice(1, 3).includes(pid) || t.split(' ')[1] === pid), visible.join('\n'));
    await page.fill('#pid-filter', '');
  });

  it('downloads the trace as a .log that parses and ends with the footer, and as .json', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-log')]);
    const log = readFileSync(await dl.path());
    const trace = parseTrace(new Uint8Array(log));
    assert.equal(trace.errors.length, 0);
    assert.ok(trace.complete);
    assert.match(log.toString(), /^# filemon version 5\n[\s\S]*\nR \d+ \/etc\/passwd\n[\s\S]*\n# Bye bye\n$/);
    const [dj] = await Promise.all([page.waitForEvent('download'), page.click('#dl-json')]);
    const json = JSON.parse(readFileSync(await dj.path(), 'utf8')) as { complete: boolean; events: Array<{ kind: string }> };
    assert.ok(json.complete && json.events.some((e) => e.kind === 'W'));
  });

  it('uploads a file from the visitor into the guest', async () => {
    await page.setInputFiles('#upload', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the visitor\n') });
    await page.waitForFunction(() => /uploaded notes\.txt/.test(document.getElementById('status')!.textContent ?? ''));
    const rows = await run(page, 'cat /home/notes.txt');
    assert.ok(
      rows.some((r) => /^R \d+ \/home\/notes\.txt$/.test(r)),
      rows.join('\n'),
    );
    assert.match(await page.locator('.xterm-rows').innerText(), /hello from the visitor/);
    await page.close();
  });

  it('says which asset failed to download, with a retry', async () => {
    const p = await chromium.context.newPage();
    // The BIOS: restoring the saved state needs it (and not the kernel).
    await p.route('**/assets/image/bios.bin', (r) => r.fulfill({ status: 404, body: 'gone' }));
    await p.goto(url);
    await p.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    assert.match(await p.locator('#error').innerText(), /A file failed to download[\s\S]*bios\.bin[\s\S]*404/i);
    assert.equal(await p.locator('#error-retry').isVisible(), true);
    await p.close();
  });

  it('says so when the saved state does not match the image, and boots cold', async () => {
    const p = await chromium.context.newPage();
    await p.route('**/assets/site.json', async (r) => {
      const site = (await (await r.fetch()).json()) as { state: { key: string } };
      site.state.key = '0000000000000000';
      await r.fulfill({ json: site });
    });
    const requests: string[] = [];
    p.on('request', (req) => requests.push(req.url()));
    await p.goto(url);
    await p.waitForSelector('#notice:not([hidden])', { timeout: 30_000 });
    assert.match(await p.locator('#notice').innerText(), /does not match[\s\S]*booting the guest cold/);
    await p.waitForFunction(() => window.playground?.ready === true || window.playground?.error !== undefined, undefined, { timeout: 240_000 });
    const state = await p.evaluate(() => ({ start: window.playground.start, error: window.playground.error }));
    assert.deepEqual(state, { start: 'cold', error: undefined });
    // index.html preloads the state playground:build made for this image (a
    // mismatch means a stale deployment); the page itself fetches no state.
    assert.ok(requests.filter((u) => /state-.*\.zst$/.test(u)).length <= 1, requests.join('\n'));
    // A cold boot is the one start that needs the kernel and initramfs.
    assert.ok(requests.some((u) => /bzImage$/.test(u)) && requests.some((u) => /initramfs\.cpio$/.test(u)), requests.join('\n'));
    const rows = await run(p, 'cat /etc/passwd > /tmp/x');
    assert.ok(
      rows.some((r) => /^R \d+ \/etc\/passwd$/.test(r)),
      rows.join('\n'),
    );
    await p.close();
  });

  it('says so in a browser without WebAssembly', async () => {
    const p = await chromium.context.newPage();
    await p.addInitScript(() => {
      delete (window as { WebAssembly?: unknown }).WebAssembly;
    });
    await p.goto(url);
    await p.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    assert.match(await p.locator('#error').innerText(), /no WebAssembly/);
    await p.close();
  });

  it('shows the console text when the guest kernel panics', async () => {
    const p = await openPlayground(chromium.context, url);
    await typeCommand(p, 'echo c > /proc/sysrq-trigger');
    await p.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    assert.match(await p.locator('#error').innerText(), /kernel crashed[\s\S]*Kernel panic/i);
    await p.close();
  });
});
