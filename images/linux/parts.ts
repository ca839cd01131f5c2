// Guest-side parts built from our sources and put into the initramfs.
// Each part builds into outDir/build/<name> and lists the files it stages.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.js';

export interface BuildContext {
  /** Extracted Debian packages (kernel, headers, kbuild, busybox...). */
  sysroot: string;
  kernelRelease: string;
  outDir: string;
  sourceDir: string;
  log: (msg: string) => void;
  /** Runs fn unless key matches the last run's and the outputs exist. */
  step: (name: string, key: string, outputs: string[], fn: () => void) => boolean;
}

export interface StagedFile {
  from: string;
  /** Path inside the guest, without the leading slash. */
  to: string;
  mode: number;
}

export interface GuestPart {
  name: string;
  build(ctx: BuildContext): StagedFile[];
}

/** Hash of every file below dir plus extra strings: a step's key. */
export function hashSources(dir: string, ...extra: string[]): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  for (const x of extra) h.update(x);
  return h.digest('hex');
}

const gccVersion = () => run('gcc', ['-dumpfullversion']).stdout.trim();

/** The guest agent: static i386 C, serving the harness on /dev/hvc0. */
const agent: GuestPart = {
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

export const guestParts: GuestPart[] = [agent];
