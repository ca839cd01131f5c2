// The same harness core and guest image, booted in Debian's Chromium.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { outDir, packageRoot } from '../images/linux/layout.js';
import { bundleForBrowser } from '../sim/node/browser-bundle.js';
import { loadImage } from '../sim/node/image.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';

describe('browser smoke test', function () {
  this.timeout(240_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;

  before(async () => {
    await loadImage({ log: (m) => process.stderr.write(`      [image] ${m}\n`) });
    const pageDir = join(packageRoot, 'dist/browser-smoke');
    mkdirSync(pageDir, { recursive: true });
    await bundleForBrowser(join(packageRoot, 'test/browser/smoke-page.ts'), join(pageDir, 'smoke.js'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>smoke</title><script type="module" src="smoke.js"></script>\n');
    const v86Dir = dirname(createRequire(import.meta.url).resolve('v86'));
    server = await serveStatic({ '/': pageDir, '/image/': outDir, '/v86/': v86Dir });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('boots the guest in Chromium and runs echo', async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.smokeResult !== undefined, undefined, { timeout: 180_000 });
    const result = await page.evaluate(() => window.smokeResult);
    assert.deepEqual(result, { status: 0, stdout: 'hello from the browser\n' }, JSON.stringify({ result, errors }));
  });
});
