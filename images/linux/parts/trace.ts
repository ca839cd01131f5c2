// fms-trace: the guest tool that runs one command under /dev/filemon
// (used by `filemon-sim trace` and the Simulator).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashSources, type GuestPart } from '../part.js';
import { run } from '../run.js';
import { gccVersion } from './agent.js';

export const traceTool: GuestPart = {
  name: 'trace',
  build(ctx) {
    const src = join(ctx.sourceDir, 'trace');
    const out = join(ctx.outDir, 'build/trace');
    const bin = join(out, 'fms-trace');
    const key = hashSources(src, hashSources(join(ctx.sourceDir, 'include')), gccVersion());
    ctx.step('trace', key, [bin], () => {
      ctx.log('compiling fms-trace (gcc -m32 -static)');
      mkdirSync(out, { recursive: true });
      run('gcc', ['-m32', '-static', '-O2', '-Wall', '-Wextra', '-Werror', '-I', join(ctx.sourceDir, 'include'), '-o', bin, join(src, 'fms-trace.c')]);
    });
    return [{ from: bin, to: 'usr/bin/fms-trace', mode: 0o755 }];
  },
};
