// Writes docs/playground.png, the README's picture of the playground: builds
// the site, serves it on localhost, opens it in Debian's Chromium (as the
// browser tests do), runs an example and captures the page at 1280×720.
// `npm run docs:screenshot` (the guest image and its saved state must exist,
// or are built first).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { serveStatic } from '../sim/node/static-server.js';
import { launchChromium } from '../test/helpers/browser.js';
import { openPlayground, run } from '../test/browser/playground-driver.js';
import type * as Site from '../playground/site.mjs';

const { buildSite } = (await import(pathToFileURL(join(packageRoot, 'playground/site.mjs')).href)) as typeof Site;
const { outDir } = await buildSite({ minify: true, onLog: (m) => process.stderr.write(`[playground] ${m}\n`) });
const server = await serveStatic({ '/': outDir });
const chromium = await launchChromium();
try {
  const page = await openPlayground(chromium.context, server.url);
  await page.setViewportSize({ width: 1280, height: 720 });
  await run(page, 'cat /etc/passwd > /home/copy');
  const out = join(packageRoot, 'docs/playground.png');
  await page.screenshot({ path: out });
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await chromium.close();
  await server.close();
}
