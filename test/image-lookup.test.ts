// Where the guest image and its saved states come from: the lookup order
// (option, FILEMON_SIM_IMAGE, the installed image package, the local build,
// building), its errors, and states kept out of read-only image folders.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { DEFAULT_MEMORY_MIB } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { IMAGE_PACKAGE, loadImage, mainPackage, readManifest, v86Version } from '../sim/node/image.js';
import { pruneStates, stateFileName, stateLocation, userCacheDir } from '../sim/node/state-store.js';
import { stateKey } from '../sim/guest/state-key.js';
import { runCli } from './helpers/cli.js';

describe('image lookup and saved-state locations', function () {
  this.timeout(900_000);
  let tmp: string;
  let localDir: string;

  let initramfsBr: string;

  /**
   * An image folder made of links to the local build's outputs and manifest
   * (no states); with packed, the initramfs brotli-compressed as the image
   * package ships it.
   */
  function imageFolder(at: string, opts: { packed?: boolean } = {}): string {
    mkdirSync(at, { recursive: true });
    const m = readManifest(localDir, 'the local build');
    for (const f of [...Object.values(m.outputs).map((o) => o.file), 'manifest.json']) {
      if (opts.packed && f === m.outputs.initramfs.file) symlinkSync(initramfsBr, join(at, `${f}.br`));
      else symlinkSync(join(localDir, f), join(at, f));
    }
    return at;
  }

  before(async () => {
    localDir = (await loadImage({ log: (m) => process.stderr.write(`      [image] ${m}\n`) })).dir;
    tmp = mkdtempSync(join(tmpdir(), 'filemon-sim-lookup-'));
    const raw = readFileSync(join(localDir, readManifest(localDir, 'the local build').outputs.initramfs.file));
    initramfsBr = join(tmp, 'initramfs.cpio.br');
    writeFileSync(initramfsBr, brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } }));
  });

  it('reads an output stored brotli-compressed, and says which file is damaged or missing', async () => {
    const dir = imageFolder(join(tmp, 'packed'), { packed: true });
    const m = readManifest(dir, 'test');
    const image = await loadImage({ image: dir });
    assert.deepEqual(image.initramfs, new Uint8Array(readFileSync(join(localDir, m.outputs.initramfs.file))));
    const br = join(dir, `${m.outputs.initramfs.file}.br`);
    rmSync(br);
    writeFileSync(br, readFileSync(initramfsBr).subarray(0, 1000));
    const damaged = await loadImage({ image: dir });
    assert.throws(() => damaged.initramfs, /initramfs\.cpio\.br is not valid brotli \(.*\); the image folder is damaged/);
    rmSync(br);
    const missing = await loadImage({ image: dir });
    assert.throws(() => missing.initramfs, /initramfs\.cpio is missing, and so is initramfs\.cpio\.br \(manifest\.json names it as the initramfs\)/);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('says which disk file is missing or of the wrong size', async () => {
    const dir = imageFolder(join(tmp, 'no-disk'));
    const m = readManifest(dir, 'test');
    const disk = join(dir, m.outputs.disk.file);
    rmSync(disk);
    await assert.rejects(loadImage({ image: dir }), /the image option: .*disk\.squashfs is missing \(manifest\.json names it as the disk\)/);
    writeFileSync(disk, 'short');
    await assert.rejects(loadImage({ image: dir }), /disk\.squashfs has 5 bytes, manifest\.json says \d+; the image folder is damaged/);
  });

  it('keys a deterministic state apart from the normal one, and saving one beside a local build keeps the other', async () => {
    const manifest = readManifest(localDir, 'the local build');
    const normal = await stateKey({ manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
    const deterministic = await stateKey({ manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB, deterministic: true });
    assert.notEqual(normal, deterministic);
    assert.equal(await stateKey({ manifest, v86Version, memoryMiB: DEFAULT_MEMORY_MIB, deterministic: false }), normal);
    const dir = join(tmp, 'two-modes');
    mkdirSync(dir);
    const [a, b, stale] = [normal, deterministic, '00000000000000aa'].map((k) => join(dir, stateFileName(k)));
    for (const f of [a, b, stale]) writeFileSync(f, 'state');
    pruneStates(a, { dir, source: 'local' } as Parameters<typeof pruneStates>[1], [b]);
    assert.deepEqual(readdirSync(dir).sort(), [a, b].map((f) => f.slice(dir.length + 1)).sort());
  });

  it('takes the image option first, then FILEMON_SIM_IMAGE', async () => {
    const a = imageFolder(join(tmp, 'a'));
    const b = imageFolder(join(tmp, 'b'));
    const saved = process.env.FILEMON_SIM_IMAGE;
    process.env.FILEMON_SIM_IMAGE = b;
    try {
      assert.deepEqual(await pick(loadImage({ image: a })), { dir: a, source: 'option' });
      assert.deepEqual(await pick(loadImage()), { dir: b, source: 'env' });
    } finally {
      if (saved === undefined) delete process.env.FILEMON_SIM_IMAGE;
      else process.env.FILEMON_SIM_IMAGE = saved;
    }
    await assert.rejects(loadImage({ image: tmp }), /the image option: .* is not a guest image folder \(no manifest\.json\)/);
  });

  it('finds the installed image package from the working directory, and refuses another version', async () => {
    const project = join(tmp, 'project');
    const pkg = imageFolder(join(project, 'node_modules', IMAGE_PACKAGE));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: IMAGE_PACKAGE, version: mainPackage.version }));
    const env = { FILEMON_SIM_IMAGE: '' };
    const v = await runCli(['--version'], { cwd: project, env });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, new RegExp(`^image: ${IMAGE_PACKAGE}, ${pkg.replace(/[/.]/g, '\\$&')} \\(kernel `, 'm'));

    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: IMAGE_PACKAGE, version: '0.0.1' }));
    const r = await runCli(['trace', '--', 'true'], { cwd: project, env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`${IMAGE_PACKAGE} 0\\.0\\.1 .* does not match filemon-sim ${mainPackage.version}; install the matching one: npm install ${IMAGE_PACKAGE}@${mainPackage.version}`),
    );
  });

  it('says it cannot build without apt-get and dpkg, and names the package to install', async () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const empty = join(tmp, 'no-image');
    mkdirSync(empty);
    const r = await runCli(['trace', '--', 'true'], { env: { PATH: bin, FILEMON_SIM_IMAGE_DIR: empty, FILEMON_SIM_IMAGE: '' } });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /looked at: option image \(not given\); FILEMON_SIM_IMAGE \(not set\); package @filemon-sim\/image-linux-i386 \(not installed\); local build .*no-image \(not built\)/);
    assert.match(r.stderr, /building it needs a Debian host with apt-get and dpkg, and apt-get and dpkg are not on PATH/);
    assert.match(r.stderr, new RegExp(`Install the image package: npm install ${IMAGE_PACKAGE}@${mainPackage.version}`));
    assert.deepEqual(readdirSync(empty), [], 'nothing was built');
  });

  it('uses the cache folder ($XDG_CACHE_HOME) for states of read-only image folders', async () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(tmp, 'xdg');
    try {
      assert.equal(userCacheDir(), join(tmp, 'xdg', 'filemon-sim'));
      const dir = imageFolder(join(tmp, 'ro'));
      const key = '0123456789abcdef';
      const cached = join(tmp, 'xdg', 'filemon-sim', 'states', stateFileName(key));
      assert.deepEqual(stateLocation({ dir, source: 'package' }, key, { v86Version, memoryMiB: 256 }), { restore: undefined, save: cached });
      writeFileSync(join(dir, stateFileName(key)), '');
      assert.deepEqual(stateLocation({ dir, source: 'package' }, key, { v86Version, memoryMiB: 256 }), { restore: join(dir, stateFileName(key)), save: cached });
      assert.deepEqual(stateLocation({ dir, source: 'local' }, key, { v86Version, memoryMiB: 256 }).save, join(dir, stateFileName(key)));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('reports a packaged state made for another v86, boots cold and saves a fresh state to the cache, leaving the image folder alone', async () => {
    // Packed as the image package ships it: the cold boot unpacks the initramfs.
    const dir = imageFolder(join(tmp, 'old-state'), { packed: true });
    writeFileSync(join(dir, stateFileName('00000000000000aa')), 'not a state');
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ file: stateFileName('00000000000000aa'), key: '00000000000000aa', v86Version: '0.0.1', memoryMiB: DEFAULT_MEMORY_MIB }));
    const before = readdirSync(dir).sort();
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(tmp, 'xdg2');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const { machine, info } = await bootMachine({ image: dir, bootTimeoutMs: 600_000, log: (m) => process.stderr.write(`      [boot] ${m}\n`) });
      await machine.close();
      const key = await stateKey({ manifest: readManifest(dir, 'test'), v86Version, memoryMiB: DEFAULT_MEMORY_MIB });
      const cached = join(tmp, 'xdg2', 'filemon-sim', 'states', stateFileName(key));
      assert.equal(info.start, 'cold');
      assert.equal(info.statePath, cached);
      assert.ok(existsSync(cached), 'no fresh state in the cache');
      await new Promise((r) => setImmediate(r));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0],
        new RegExp(`it was made for v86 0\\.0\\.1 and this is v86 ${v86Version.replace(/[.+]/g, '\\$&')}\\. Booting cold once .* saving a fresh state to ${cached.replace(/[/.]/g, '\\$&')}`),
      );
      assert.deepEqual(readdirSync(dir).sort(), before, 'the image folder was written to');

      // The next start restores the cached state, saying so on the progress log only.
      const progress: string[] = [];
      const again = await bootMachine({ image: dir, log: (m) => progress.push(m) });
      await again.machine.close();
      assert.equal(again.info.start, 'restored');
      assert.equal(again.info.statePath, cached);
      await new Promise((r) => setImmediate(r));
      assert.equal(warnings.length, 1, 'warned again though the cached state was used');
      assert.match(progress.join('\n'), /does not fit: .* Using the one in /);
    } finally {
      process.off('warning', onWarning);
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });
});

async function pick(p: Promise<{ dir: string; source: string }>): Promise<{ dir: string; source: string }> {
  const { dir, source } = await p;
  return { dir, source };
}
