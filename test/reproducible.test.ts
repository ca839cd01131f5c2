// Reproducible image: the cheap parts rebuilt from a copy of the sources in
// another folder, into another output folder, give the very bytes of the
// image's own build (filemon.ko against our kernel, bmake from Debian's
// source package, the agent as a static tool). The whole image is checked
// the same way by hand (docs/image.md, "Reproducible image").
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../images/linux/recipe/build.js';
import { outDir, sourceDir } from '../images/linux/recipe/layout.js';
import type { BuildContext } from '../images/linux/recipe/part.js';
import { agent } from '../images/linux/recipe/parts/agent.js';
import { bmake } from '../images/linux/recipe/parts/bmake.js';
import { filemonModule } from '../images/linux/recipe/parts/filemon.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('reproducible image', function () {
  this.timeout(900_000);
  let other: string;
  let ctx: BuildContext;

  before(async () => {
    // The image (and its kernel) as npm run images makes it; a no-op when built.
    const manifest = await buildImage({ log: () => undefined });
    other = mkdtempSync(join(tmpdir(), 'filemon-sim-repro-'));
    const src = join(other, 'elsewhere/images/linux/guest');
    mkdirSync(src, { recursive: true });
    for (const d of ['agent', 'include', 'filemon', 'bmake', 'demo']) cpSync(join(sourceDir, d), join(src, d), { recursive: true });
    const out = join(other, 'out');
    mkdirSync(out);
    // The downloaded source package is an input, not an output: shared.
    symlinkSync(join(outDir, 'sources'), join(out, 'sources'));
    ctx = {
      sysroot: join(outDir, 'sysroot'),
      kernelRelease: manifest.kernelRelease,
      kernelBuildDir: join(outDir, 'kernel/build'),
      outDir: out,
      sourceDir: src,
      log: () => undefined,
      // Every step runs: nothing is taken from a cache.
      step: (_name, _key, _outputs, fn) => {
        fn();
        return true;
      },
    };
  });

  after(() => {
    if (other && existsSync(other)) rmSync(other, { recursive: true, force: true });
  });

  it('gives the same filemon.ko built in another folder', () => {
    const [ko] = filemonModule.build(ctx);
    assert.equal(sha(ko.from), sha(join(outDir, 'build/filemon/filemon/filemon.ko')));
  });

  it('gives the same static agent built in another folder', () => {
    const [bin] = agent.build(ctx);
    assert.equal(sha(bin.from), sha(join(outDir, 'build/fms-agent/fms-agent')));
  });

  it('gives the same bmake built in another folder', () => {
    const [bin] = bmake.build(ctx);
    assert.equal(sha(bin.from), sha(join(outDir, 'build/bmake/bmake')));
  });
});
