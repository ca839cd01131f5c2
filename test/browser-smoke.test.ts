// The same harness core and guest image, booted in Debian's Chromium; its
// disk fetched by range requests, only the chunks the guest reads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { outDir, packageRoot } from '../images/linux/recipe/layout.js';
import { bundleForBrowser } from '../sim/node/browser-bundle.js';
import { DISK_CHUNK_BYTES } from '../sim/browser/disk.js';
import { loadImage } from '../sim/node/image.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';

describe('browser smoke test', function () {
  this.timeout(240_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let diskFile: string;
  let diskBytes: number;
  /** Each request for the disk file: its Range header ('' for none). */
  const diskRequests: string[] = [];

  before(async () => {
    const image = await loadImage({ log: (m) => process.stderr.write(`      [image] ${m}\n`) });
    diskFile = image.manifest.outputs.disk.file;
    diskBytes = image.manifest.outputs.disk.bytes;
    const pageDir = join(packageRoot, 'dist/browser-smoke');
    mkdirSync(pageDir, { recursive: true });
    await bundleForBrowser(join(packageRoot, 'test/browser/smoke-page.ts'), join(pageDir, 'smoke.js'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>smoke</title><script type="module" src="smoke.js"></script>\n');
    const v86Dir = dirname(createRequire(import.meta.url).resolve('v86'));
    server = await serveStatic({ '/': pageDir, '/image/': outDir, '/v86/': v86Dir });
    server.server.on('request', (req) => {
      if (req.url === `/image/${diskFile}`) diskRequests.push(String(req.headers.range ?? ''));
    });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('boots the guest in Chromium, runs echo and reads its disk in chunks, before and after a restore', async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.smokeResult !== undefined, undefined, { timeout: 180_000 });
    const result = await page.evaluate(() => window.smokeResult);
    // Debian's libc as extracted for the image build (test/browser/smoke-page.ts reads the guest's).
    const libc = createHash('sha256')
      .update(readFileSync(join(outDir, 'sysroot/lib/i386-linux-gnu/libc.so.6')))
      .digest('hex');
    assert.deepEqual(result, { status: 0, stdout: 'hello from the browser\n', diskFile: libc, diskFileAfterRestore: libc }, JSON.stringify({ result, errors }));

    // Every request is one range of one chunk, none fetched twice (the disk
    // keeps them, across the restore too), and most of the disk never.
    const chunks = diskRequests.map((r) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(r);
      assert.ok(m, `a request for the disk without one byte range: "${r}"`);
      const [start, end] = [Number(m[1]), Number(m[2])];
      assert.equal(start % DISK_CHUNK_BYTES, 0, `range ${r} does not start at a chunk`);
      return { start, bytes: end - start + 1 };
    });
    const fetched = chunks.reduce((n, c) => n + c.bytes, 0);
    assert.equal(new Set(chunks.map((c) => c.start)).size, chunks.length, `a chunk was fetched twice: ${diskRequests.join(', ')}`);
    assert.ok(fetched < diskBytes / 2, `${diskRequests.length} requests fetched ${fetched} of the disk's ${diskBytes} bytes`);
    process.stderr.write(`      [disk] ${diskRequests.length} range requests, ${fetched} of ${diskBytes} bytes\n`);
  });
});
