// The guest agent: static i386 C, serving the harness on /dev/hvc0.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashSources, type GuestPart } from '../part.js';
import { run } from '../run.js';

export const gccVersion = (): string => run('gcc', ['-dumpfullversion']).stdout.trim();

export const agent: GuestPart = {
  name: 'agent',
  build(ctx) {
    const src = join(ctx.sourceDir, 'agent');
    const out = join(ctx.outDir, 'build/agent');
    const bin = join(out, 'fms-agent');
    ctx.step('agent', hashSources(src, gccVersion()), [bin], () => {
      ctx.log('compiling fms-agent (gcc -m32 -static)');
      mkdirSync(out, { recursive: true });
      run('gcc', ['-m32', '-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', bin, join(src, 'agent.c')]);
    });
    return [{ from: bin, to: 'sbin/fms-agent', mode: 0o755 }];
  },
};
