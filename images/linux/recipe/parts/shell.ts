// The interactive traced shell (fms-shell on /dev/hvc1 and /dev/hvc2,
// started at boot by an init.d hook in a respawn loop, so it is idle in
// every saved state) and the playground's small example programs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gccVersion, type GuestPart, hashSources, PREFIX_MAPPED, prefixMapFlags, type StagedFile } from '../part.js';
import { run } from '../run.js';

const CFLAGS = ['-m32', '-static', '-O2', '-s', '-Wall', '-Wextra', '-Werror'];

/** The example programs: source file in examples/ -> name in /usr/local/bin. */
const EXAMPLES: Record<string, string> = {
  'forktree.c': 'fms-forktree',
  'openat.c': 'fms-openat',
  'forge.c': 'fms-forge',
};

const HOOK = `# Sourced by /init: the traced interactive shell, idle until the host asks.
( while :; do /sbin/fms-shell; sleep 1; done ) </dev/null >/dev/null 2>&1 &
`;

export const shell: GuestPart = {
  name: 'shell',
  build(ctx) {
    const out = join(ctx.outDir, 'build/shell');
    const include = join(ctx.sourceDir, 'include');
    const shellSrc = join(ctx.sourceDir, 'shell');
    const exSrc = join(ctx.sourceDir, 'examples');
    const bin = join(out, 'fms-shell');
    const key = hashSources(shellSrc, hashSources(exSrc), hashSources(include), gccVersion(), CFLAGS.join(' '), PREFIX_MAPPED);
    const exBins = Object.values(EXAMPLES).map((n) => join(out, n));
    ctx.step('shell', key, [bin, ...exBins], () => {
      ctx.log('compiling fms-shell and the example programs (gcc -m32 -static)');
      mkdirSync(out, { recursive: true });
      run('gcc', [...CFLAGS, ...prefixMapFlags(ctx), `-I${include}`, '-o', bin, join(shellSrc, 'fms-shell.c')]);
      for (const [src, name] of Object.entries(EXAMPLES)) {
        run('gcc', [...CFLAGS, ...prefixMapFlags(ctx), `-I${include}`, '-o', join(out, name), join(exSrc, src)]);
      }
    });
    const hook = join(out, 'fms-shell.sh');
    mkdirSync(out, { recursive: true });
    writeFileSync(hook, HOOK);
    const staged: StagedFile[] = [
      { from: bin, to: 'sbin/fms-shell', mode: 0o755 },
      { from: hook, to: 'etc/init.d/fms-shell.sh', mode: 0o644 },
    ];
    for (const name of Object.values(EXAMPLES)) staged.push({ from: join(out, name), to: `usr/local/bin/${name}`, mode: 0o755 });
    return staged;
  },
};
