// The playground's static site: `node playground/site.mjs build [--out DIR]`
// writes it (default playground/dist/, ignored by git); `node
// playground/site.mjs serve` builds what is missing and serves it on
// localhost (PORT, default 8080). Every asset path in the page is relative,
// so the folder can be served from any sub-path of any static host.
//
// Plain JavaScript on purpose: it runs from the package's build output
// (dist/) and needs no compile step of its own. `npm run build` first.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dist = join(root, 'dist');

/** Default output folder. */
export const defaultOutDir = join(here, 'dist');

const log = (m) => process.stderr.write(`playground: ${m}\n`);

async function core() {
  const need = (p) => {
    const f = join(dist, p);
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
    return import(pathToFileURL(f).href);
  };
  const [image, boot, store, key, layout, machine, bundle] = await Promise.all([
    need('sim/node/image.js'),
    need('sim/node/boot.js'),
    need('sim/node/state-store.js'),
    need('sim/guest/state-key.js'),
    need('images/linux/recipe/layout.js'),
    need('sim/guest/machine.js'),
    need('sim/node/browser-bundle.js'),
  ]);
  return { ...image, ...boot, ...store, ...key, ...layout, ...bundle, DEFAULT_MEMORY_MIB: machine.DEFAULT_MEMORY_MIB };
}

function copyIfChanged(from, to) {
  const a = statSync(from);
  const b = statSync(to, { throwIfNoEntry: false });
  if (b && b.size === a.size && readFileSync(from).equals(readFileSync(to))) return;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, `${to}.tmp`);
  renameSync(`${to}.tmp`, to);
}

/** Text assets (and wasm) get precompressed .br and .gz twins. */
const COMPRESSIBLE = /\.(html|js|mjs|css|json|wasm|map|svg)$/;

/**
 * Writes file.br (brotli, best) and file.gz (gzip -9) beside each
 * compressible file below dir, for static hosts that serve such variants
 * (and for serveStatic, which does); twins of files gone are removed.
 */
function precompress(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      precompress(p);
      continue;
    }
    if (/\.(br|gz)$/.test(e.name)) {
      if (!existsSync(p.replace(/\.(br|gz)$/, ''))) rmSync(p);
      continue;
    }
    if (!COMPRESSIBLE.test(e.name)) continue;
    const st = statSync(p);
    for (const [ext, fn] of [
      ['.br', (b) => brotliCompressSync(b, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: b.length } })],
      ['.gz', (b) => gzipSync(b, { level: 9 })],
    ]) {
      const twin = statSync(p + ext, { throwIfNoEntry: false });
      if (twin && twin.mtimeMs >= st.mtimeMs) continue;
      writeFileSync(`${p + ext}.tmp`, fn(readFileSync(p)));
      renameSync(`${p + ext}.tmp`, p + ext);
    }
  }
}

/**
 * Builds the site into outDir: guest image (built if missing), the toolchain
 * disk when asked for (toolchain: its folder; `site.mjs build` and `serve`
 * pass the local build's when there is one), saved state
 * (booted and saved if missing; zstd as stored beside the image), emulator
 * and parser wasm, the page bundle, and precompressed .br/.gz twins of the
 * text and wasm assets. Returns {outDir, stateKey}.
 */
export async function buildSite({ outDir = defaultOutDir, minify = true, onLog = log, toolchain } = {}) {
  const c = await core();
  // The toolchain disk (gcc) when asked for: the guest boots with it, and the page fetches its blocks only when gcc reads them.
  const toolchainDir = toolchain ?? false;
  const image = await c.loadImage({ log: onLog, toolchain: toolchainDir });
  const memoryMiB = c.DEFAULT_MEMORY_MIB;
  const key = await c.stateKey({ manifest: image.manifest, toolchain: image.toolchain?.manifest, v86Version: c.v86Version, memoryMiB });
  let statePath = c.stateLocation(image.toolchain ?? image, key, { v86Version: c.v86Version, memoryMiB }).restore;
  if (!statePath) {
    onLog('no saved state for this image yet: booting the guest once to save it');
    const { machine, info } = await c.bootMachine({ log: onLog, toolchain: toolchainDir });
    await machine.close();
    statePath = info.statePath;
  }
  const assets = join(outDir, 'assets');
  mkdirSync(join(assets, 'image'), { recursive: true });

  // The saved state as stored (zstd; v86 decompresses it while restoring),
  // named by its key (the page checks it).
  const stateFile = c.stateFileName(key);
  copyIfChanged(statePath, join(assets, stateFile));
  for (const f of readdirSync(assets)) if (/^state-/.test(f) && f !== stateFile) rmSync(join(assets, f));

  // The guest image, as fetchImage() expects it.
  let imageBytes = 0;
  for (const o of Object.values(image.manifest.outputs)) {
    copyIfChanged(join(image.dir, o.file), join(assets, 'image', o.file));
    imageBytes += o.bytes;
  }
  writeFileSync(join(assets, 'image', 'manifest.json'), JSON.stringify(image.manifest, null, 2));
  let toolchainBytes = 0;
  if (image.toolchain) {
    const o = image.toolchain.manifest.outputs.disk;
    copyIfChanged(join(image.toolchain.dir, o.file), join(assets, 'toolchain', o.file));
    writeFileSync(join(assets, 'toolchain', 'manifest.json'), JSON.stringify(image.toolchain.manifest, null, 2));
    toolchainBytes = o.bytes;
  } else rmSync(join(assets, 'toolchain'), { recursive: true, force: true });

  copyIfChanged(c.v86WasmPath, join(assets, 'v86.wasm'));
  const parserWasm = join(dist, 'wasm', 'filemon-parser.wasm');
  if (!existsSync(parserWasm)) throw new Error(`${parserWasm} is missing: run npm run build:wasm`);
  copyIfChanged(parserWasm, join(assets, 'filemon-parser.wasm'));

  writeFileSync(
    join(assets, 'site.json'),
    JSON.stringify(
      {
        v86Wasm: { file: 'v86.wasm', bytes: statSync(join(assets, 'v86.wasm')).size },
        parserWasm: { file: 'filemon-parser.wasm', bytes: statSync(join(assets, 'filemon-parser.wasm')).size },
        image: { dir: 'image/', bytes: imageBytes },
        ...(image.toolchain ? { toolchain: { dir: 'toolchain/', bytes: toolchainBytes } } : {}),
        state: { file: stateFile, key, bytes: statSync(join(assets, stateFile)).size, rawBytes: c.stateRawBytes(statePath) },
      },
      null,
      2,
    ),
  );

  await c.bundleForBrowser(join(here, 'main.ts'), join(outDir, 'app.js'), {
    minify,
    define: { __V86_VERSION__: JSON.stringify(c.v86Version) },
  });
  // The saved state and the emulator are most of the bytes before the prompt:
  // preloading them lets their download start with the page instead of after
  // app.js, site.json and manifest.json (four round trips later).
  const preload = (file) => `<link rel="preload" href="assets/${file}" as="fetch" crossorigin="anonymous">`;
  const html = readFileSync(join(here, 'index.html'), 'utf8');
  const head = '<link rel="stylesheet" href="app.css">';
  if (!html.includes(head)) throw new Error(`${join(here, 'index.html')} lost its stylesheet link, where the preload links go`);
  writeFileSync(join(outDir, 'index.html'), html.replace(head, [head, preload(stateFile), preload('v86.wasm')].join('\n')));
  copyIfChanged(join(here, 'favicon.svg'), join(outDir, 'favicon.svg'));
  precompress(outDir);
  onLog(`site written to ${outDir} (state key ${key})`);
  return { outDir, stateKey: key };
}

/** Builds (what is missing) and serves the site on localhost. */
export async function serveSite({ outDir = defaultOutDir, port = Number(process.env.PORT ?? 8080), onLog = log, toolchain } = {}) {
  await buildSite({ outDir, onLog, toolchain });
  const { serveStatic } = await import(pathToFileURL(join(dist, 'sim/node/static-server.js')).href);
  const server = await serveStatic({ '/': outDir }, port, '127.0.0.1');
  return { ...server, url: server.url.replace('127.0.0.1', 'localhost') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd = 'serve', ...rest] = process.argv.slice(2);
  const outIdx = rest.indexOf('--out');
  const outDir = outIdx >= 0 ? resolve(rest[outIdx + 1]) : defaultOutDir;
  try {
    // The published playground has gcc when the toolchain disk is built (npm run images).
    const { toolchainDir } = await import(pathToFileURL(join(dist, 'images/linux/recipe/layout.js')).href);
    const toolchain = existsSync(join(toolchainDir, 'manifest.json')) ? toolchainDir : false;
    if (cmd === 'build') {
      await buildSite({ outDir, toolchain });
      process.exit(0);
    } else if (cmd === 'serve') {
      const s = await serveSite({ outDir, toolchain });
      process.stdout.write(`filemon-sim playground: ${s.url}  (Ctrl-C stops it)\n`);
    } else {
      process.stderr.write('usage: node playground/site.mjs build [--out DIR] | serve [--out DIR]\n');
      process.exit(2);
    }
  } catch (e) {
    process.stderr.write(`playground: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
