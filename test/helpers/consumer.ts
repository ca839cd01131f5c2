// A new npm user's machine, inside this one: both packages packed, a fresh
// folder owned by a non-root user made for the run, a PATH holding node, npm
// and sh (no apt-get, dpkg, gcc or make), npm offline on a copy of the cache
// that `npm ci` filled. Every command runs under strace, so the programs it
// executed are known exactly. Needs root (useradd) and strace.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packImage, npmPack, packOutDir } from '../../packages/image-linux-i386/pack.js';
import { packToolchain } from '../../packages/toolchain-linux-i386/pack.js';
import { packageRoot } from '../../sim/node/image.js';
import { hostProgram } from './host-programs.js';

export interface Packed {
  tarball: string;
  size: number;
  unpackedSize: number;
  files: string[];
}

/** Packs filemon-sim (from dist/), the image package and the toolchain package (building what is missing). */
export async function packBoth(log: (m: string) => void): Promise<{ main: Packed; image: Packed; toolchain: Packed }> {
  const image = await packImage(log);
  const toolchain = await packToolchain(log);
  const mainDir = join(packOutDir, 'main');
  rmSync(mainDir, { recursive: true, force: true });
  const m = npmPack(packageRoot, mainDir);
  const list = (tgz: string) =>
    execFileSync(hostProgram('tar'), ['-tzf', tgz], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
  const mainTgz = join(mainDir, m.filename);
  return {
    main: { tarball: mainTgz, size: m.size, unpackedSize: m.unpackedSize, files: list(mainTgz) },
    image: { tarball: image.tarball, size: image.packedBytes, unpackedSize: image.unpackedBytes, files: list(image.tarball) },
    toolchain: { tarball: toolchain.tarball, size: toolchain.packedBytes, unpackedSize: toolchain.unpackedBytes, files: list(toolchain.tarball) },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Programs the consumer must never run: a build of the image needs them. */
export const BUILD_TOOLS = /^(apt|apt-get|apt-cache|dpkg|dpkg-deb|dpkg-query|gcc|gcc-\d+|cc|cc1|c\+\+|g\+\+|make|ld|as|x86_64-linux-gnu-gcc(-\d+)?|cpio|depmod)$/;

export class Consumer {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly bin: string;
  readonly cache: string;
  private readonly stracePrefix: string;
  private runs = 0;

  private constructor(
    readonly user: string,
    readonly uid: number,
    readonly gid: number,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'filemon-sim-consumer-'));
    this.home = join(this.root, 'home');
    this.project = join(this.home, 'project');
    this.bin = join(this.root, 'bin');
    this.cache = join(this.home, '.npm');
    this.stracePrefix = join(this.root, 'strace', 'run');
  }

  /** Makes the user, the folders, the PATH and the npm cache copy. */
  static create(): Consumer {
    if (process.getuid?.() !== 0) throw new Error('the consumer test needs root (it creates a user)');
    hostProgram('strace');
    const user = `fmsc${process.pid}`;
    execFileSync(hostProgram('useradd'), ['--no-create-home', '--shell', '/bin/sh', user]);
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    const c = new Consumer(user, uid, gid);
    chmodSync(c.root, 0o755);
    mkdirSync(c.project, { recursive: true });
    mkdirSync(c.bin);
    mkdirSync(join(c.root, 'strace'));
    for (const tool of ['node', 'npm', 'npx', 'sh']) {
      const path = which(tool);
      if (!path) throw new Error(`${tool} is not on PATH`);
      symlinkSync(path, join(c.bin, tool));
    }
    const cacheSrc = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    cpSync(join(cacheSrc, '_cacache'), join(c.cache, '_cacache'), { recursive: true });
    chownTree(c.home, uid, gid);
    return c;
  }

  /**
   * npm ci caches tarballs and abbreviated metadata only, but npm install
   * (npm 11) resolves every package from its full metadata, and a fresh
   * install picks the newest versions in range, not the lockfile's. So the
   * same install is done once as root, through the registry, in a scratch
   * folder with the consumer's cache; the consumer's own install is then
   * offline.
   */
  primeCache(specs: string[]): void {
    const scratch = mkdtempSync(join(tmpdir(), 'filemon-sim-prime-'));
    try {
      execFileSync('npm', ['init', '-y'], { cwd: scratch, stdio: 'ignore' });
      execFileSync('npm', ['install', '--cache', this.cache, '--no-audit', '--no-fund', ...specs], { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    chownTree(this.cache, this.uid, this.gid);
  }

  /** Copies a file (a tarball, a runtime) where the user can read it; returns its new path. */
  give(file: string, into: 'home' | 'bin' = 'home'): string {
    const to = join(into === 'bin' ? this.bin : this.home, basename(file));
    copyFileSync(file, to);
    chmodSync(to, 0o755);
    chownSync(to, this.uid, this.gid);
    return to;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      HOME: this.home,
      USER: this.user,
      PATH: this.bin,
      LANG: 'C.UTF-8',
      npm_config_cache: this.cache,
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...extra,
    };
  }

  /** Runs argv as the user in the project folder, under strace (execve only). */
  run(argv: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    const log = `${this.stracePrefix}-${++this.runs}`;
    const args = ['-f', '-qq', '--seccomp-bpf', '-e', 'trace=execve', '-o', log, '-u', this.user, '--', ...argv];
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(hostProgram('strace'), args, { cwd: this.project, env: this.env(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? 128 + (signal ? 9 : 0), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: performance.now() - t0 });
      });
    });
  }

  /** Every program any run tried to execute (strace's execve paths). */
  executed(): string[] {
    const dir = join(this.root, 'strace');
    const paths: string[] = [];
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/execve\("([^"]*)"/g)) paths.push(m[1]);
    }
    return paths;
  }

  /** Folders named `out` under an `images` folder, anywhere the user could write. */
  imagesOutDirs(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        const p = join(dir, e.name);
        if (e.name === 'out' && basename(dir) === 'images') found.push(p);
        else walk(p);
      }
    };
    walk(this.root);
    return found;
  }

  /** Bytes on disk of a folder's files. */
  static sizeOf(dir: string): number {
    let n = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) n += Consumer.sizeOf(p);
      else if (e.isFile()) n += statSync(p).size;
    }
    return n;
  }

  dispose(): void {
    try {
      execFileSync(hostProgram('userdel'), [this.user], { stdio: 'ignore' });
    } finally {
      rmSync(this.root, { recursive: true, force: true });
    }
  }
}

function which(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

/** The exact version of a package installed in this repository (so npm finds it in the cache). */
export function devVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The README's mocha example: the ts block that imports filemon-sim and calls describe(). */
export function readmeMochaExample(readme: string): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const example = blocks.find((b) => b.includes("from 'filemon-sim'") && b.includes('describe('));
  if (!example) throw new Error('README.md has no ```ts block importing filemon-sim with a describe(): the consumer test runs that example');
  return example;
}
