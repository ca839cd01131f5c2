// Writes the script-tag build of the browser entry: dist/browser/filemon-sim.js
// (ESM, everything bundled) and dist/browser/filemon-sim.css (xterm.js's
// styles). Run by `npm run build`.
import { join } from 'node:path';
import { packageRoot } from './image.js';
import { bundleForBrowser } from './browser-bundle.js';

await bundleForBrowser(join(packageRoot, 'sim/browser/element.ts'), join(packageRoot, 'dist/browser/filemon-sim.js'), { minify: true });
