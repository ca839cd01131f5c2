// Deterministic mode in Chromium: the same saved state and command give the
// same log, stdout and stderr as in Node, byte for byte.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Simulator, type TraceResult } from 'filemon-sim';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { bootMachine } from '../sim/node/boot.js';
import { bundleForBrowser } from '../sim/node/browser-bundle.js';
import { PARSER_WASM_URL } from '../sim/node/parser-wasm.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { PARALLEL_BUILD } from './helpers/parallel-build.js';

describe('deterministic mode in Chromium', function () {
  this.timeout(600_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let node: TraceResult;
  let stateFile: string;

  before(async () => {
    // Where the deterministic state is (booted and saved if missing).
    const { machine, info } = await bootMachine({ deterministic: true });
    await machine.close();
    const statePath = info.statePath;
    const sim = await Simulator.start({ deterministic: true });
    try {
      node = await sim.trace(['sh', '-c', PARALLEL_BUILD], { restore: true });
    } finally {
      await sim.close();
    }
    stateFile = basename(statePath);
    const pageDir = join(packageRoot, 'dist/browser-deterministic');
    mkdirSync(pageDir, { recursive: true });
    await bundleForBrowser(join(packageRoot, 'test/browser/deterministic-page.ts'), join(pageDir, 'page.js'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>deterministic</title><script type="module" src="page.js"></script>\n');
    const v86Dir = dirname(createRequire(import.meta.url).resolve('v86'));
    server = await serveStatic({ '/': pageDir, '/image/': dirname(statePath), '/v86/': v86Dir, '/parser/': dirname(fileURLToPath(PARSER_WASM_URL)) });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('traces bmake -j4 to the same bytes as Node', async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?state=${encodeURIComponent(stateFile)}&cmd=${encodeURIComponent(PARALLEL_BUILD)}`);
    await page.waitForFunction(() => window.detResult !== undefined, undefined, { timeout: 300_000 });
    const result = await page.evaluate(() => window.detResult);
    assert.ok(result && !('error' in result), JSON.stringify({ result, errors }));
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.log, text(node.log));
    assert.equal(result.stdout, text(node.stdout));
    assert.equal(result.stderr, text(node.stderr));
    // And both are the golden log committed in the repository.
    assert.equal(result.log, readFileSync(join(packageRoot, 'test/fixtures/golden/bmake-j4-deterministic.log'), 'utf8'));
  });
});
