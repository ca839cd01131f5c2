// Debian side of the image build: host tools, package resolution, download
// and extraction, all through apt-get/apt-cache/dpkg (no addresses here).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError, have, run } from './run.js';

export interface PackageRef {
  name: string;
  arch: string;
  version: string;
}

export interface DownloadedPackage extends PackageRef {
  /** The .deb's file name inside the download cache. */
  file: string;
}

const isRoot = () => process.getuid?.() === 0;

/** Host programs the build runs, and the Debian package that provides each. */
const HOST_TOOLS: Array<{ check: () => boolean; pkg: string; what: string }> = [
  { check: () => have('cpio'), pkg: 'cpio', what: 'cpio (packs the initramfs)' },
  { check: () => have('mksquashfs'), pkg: 'squashfs-tools', what: 'mksquashfs (the read-only bulk of the guest files)' },
  { check: () => have('depmod') || existsSync('/sbin/depmod'), pkg: 'kmod', what: 'depmod (module index)' },
  { check: () => have('make'), pkg: 'make', what: 'make (kernel module build)' },
  { check: canCompileI386, pkg: 'gcc-multilib libc6-dev-i386', what: 'gcc -m32 -static (guest programs)' },
  { check: () => have('flex'), pkg: 'flex', what: 'flex (kernel build: kconfig)' },
  { check: () => have('bison'), pkg: 'bison', what: 'bison (kernel build: kconfig)' },
  { check: () => have('bc'), pkg: 'bc', what: 'bc (kernel build: timeconst)' },
  { check: () => have('xz'), pkg: 'xz-utils', what: 'xz (unpacks the kernel source)' },
  { check: () => have('zstd'), pkg: 'zstd', what: 'zstd (compressed kernel, saved states)' },
  { check: () => have('perl'), pkg: 'perl', what: 'perl (kernel build scripts)' },
];

function canCompileI386(): boolean {
  if (!have('gcc')) return false;
  const r = run('sh', ['-c', 'printf "int main(void){return 0;}" | gcc -m32 -static -x c -o /dev/null -'], {
    okCodes: [1, 2, 3, 4],
  });
  return r.status === 0;
}

/** Checks apt/dpkg and root, and installs missing build tools with apt-get. */
export function ensureHost(log: (msg: string) => void): void {
  const missing = ['apt-get', 'apt-cache', 'dpkg', 'dpkg-deb'].filter((c) => !have(c));
  if (missing.length) {
    throw new BuildError(`the guest image is built from Debian packages and needs ${missing.join(', ')}; ` + 'run `npm run images` on a Debian or Ubuntu host (as root).');
  }
  const needed = HOST_TOOLS.filter((t) => !t.check());
  const needsI386 = !run('dpkg', ['--print-foreign-architectures']).stdout.split(/\s+/).includes('i386');
  if ((needed.length || needsI386) && !isRoot()) {
    const steps = [needsI386 ? 'dpkg --add-architecture i386 && apt-get update' : '', needed.length ? `apt-get install -y ${needed.map((t) => t.pkg).join(' ')}` : ''].filter(Boolean);
    throw new BuildError(`building the guest image needs root, or first as root: ${steps.join(' && ')}`);
  }
  if (needsI386) {
    log('enabling the i386 architecture (dpkg --add-architecture i386)');
    run('dpkg', ['--add-architecture', 'i386']);
    aptUpdate(log);
  }
  if (needed.length) {
    log(`installing host tools: ${needed.map((t) => t.what).join(', ')}`);
    if (!haveAptLists()) aptUpdate(log);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...needed.flatMap((t) => t.pkg.split(' '))], {
      live: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const still = needed.filter((t) => !t.check());
    if (still.length) throw new BuildError(`still missing after apt-get install: ${still.map((t) => t.what).join(', ')}`);
  }
}

function haveAptLists(): boolean {
  return existsSync('/var/lib/apt/lists') && readdirSync('/var/lib/apt/lists').some((f) => f.endsWith('_Packages'));
}

/**
 * apt-get update. Exit 100 ("some index files failed") is tolerated: one
 * out-of-sync index must not stop the build when the packages still resolve.
 */
export function aptUpdate(log: (msg: string) => void): void {
  if (!isRoot()) throw new BuildError('apt-get update needs root: run `npm run images` as root');
  log('apt-get update');
  const r = run('apt-get', ['update'], { okCodes: [100] });
  if (r.status === 100) log('apt-get update reported failed index files; going on with what resolved');
}

/** The version apt would install for name:arch, or undefined if it has none. */
export function candidate(name: string, arch: string): string | undefined {
  const out = run('apt-cache', ['policy', `${name}:${arch}`]).stdout;
  const m = /Candidate:\s*(\S+)/.exec(out);
  return m && m[1] !== '(none)' ? m[1] : undefined;
}

/** Names that name:arch depends on, per apt-cache depends. */
export function dependsOf(name: string, arch: string): string[] {
  const out = run('apt-cache', ['depends', `${name}:${arch}`], { okCodes: [100] }).stdout;
  return [...out.matchAll(/^\s+Depends:\s*<?([^:>\s]+)/gm)].map((m) => m[1]);
}

export function hostArch(): string {
  return run('dpkg', ['--print-architecture']).stdout.trim();
}

/**
 * Downloads each package into cacheDir unless its .deb is already there.
 * Returns the file name of each.
 */
export function download(refs: PackageRef[], cacheDir: string, log: (msg: string) => void): DownloadedPackage[] {
  mkdirSync(cacheDir, { recursive: true });
  return refs.map((ref) => {
    const file = debFileName(ref);
    if (!existsSync(join(cacheDir, file))) {
      log(`downloading ${ref.name}:${ref.arch} ${ref.version}`);
      const tmp = join(cacheDir, '.partial');
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp);
      run('apt-get', ['download', `${ref.name}:${ref.arch}=${ref.version}`], { cwd: tmp, live: true });
      const got = readdirSync(tmp).filter((f) => f.endsWith('.deb'));
      if (got.length !== 1) throw new BuildError(`apt-get download ${ref.name} gave ${got.length} files`);
      renameSync(join(tmp, got[0]), join(cacheDir, file));
      rmSync(tmp, { recursive: true, force: true });
    }
    return { ...ref, file };
  });
}

/** apt's own naming of a .deb: name_version_arch.deb with ':' as %3a. */
function debFileName(ref: PackageRef): string {
  return `${ref.name}_${ref.version.replace(/:/g, '%3a')}_${ref.arch}.deb`;
}

export function extract(debPath: string, into: string): void {
  mkdirSync(into, { recursive: true });
  run('dpkg-deb', ['-x', debPath, into]);
}
