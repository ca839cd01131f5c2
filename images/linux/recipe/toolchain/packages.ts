// Which Debian packages make the toolchain disk: the ones asked for below
// and their dependency closure, resolved by apt at build time (so no
// version is written here) as if installed on an empty i386 system.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageRef } from '../debian.js';
import { BuildError, run } from '../run.js';

/**
 * The C toolchain (gcc's driver, cpp, cc1, binutils' as and ld, glibc's and
 * the kernel's headers and crt files), GNU make, and the GNU tools that
 * configure scripts run where busybox's applets differ.
 */
const TOOLCHAIN_PACKAGES = ['gcc-12', 'cpp-12', 'gcc', 'binutils', 'libgcc-12-dev', 'libc6-dev', 'linux-libc-dev', 'make', 'sed', 'grep', 'gawk', 'diffutils', 'coreutils', 'findutils'];

/**
 * Packages counted as present, so that their own closure stays out: the
 * guest installs no packages, so dpkg (which readline-common pulls in, with
 * tar and its compressors) has nothing to do there.
 */
const ASSUMED_PRESENT = ['dpkg'];

/**
 * The packages with their dependencies (Depends and Pre-Depends, no
 * Recommends), as `apt-get --simulate install` resolves them for i386 on a
 * system whose dpkg status lists ASSUMED_PRESENT only.
 */
export function resolveToolchainPackages(workDir: string): PackageRef[] {
  mkdirSync(workDir, { recursive: true });
  const status = join(workDir, 'dpkg-status');
  const dpkgVersion = run('apt-cache', ['policy', 'dpkg:i386']).stdout.match(/Candidate:\s*(\S+)/)?.[1];
  if (!dpkgVersion || dpkgVersion === '(none)') throw new BuildError('apt has no candidate for dpkg:i386: is the i386 architecture enabled and apt-get update done?');
  writeFileSync(
    status,
    ASSUMED_PRESENT.map((p) => [`Package: ${p}`, 'Status: install ok installed', 'Architecture: i386', `Version: ${dpkgVersion}`, 'Essential: yes', ''].join('\n')).join('\n') + '\n',
  );
  const r = run(
    'apt-get',
    [
      '--simulate',
      '-o',
      `Dir::State::status=${status}`,
      '-o',
      'APT::Architecture=i386',
      '-o',
      'APT::Architectures::=i386',
      '-o',
      'APT::Install-Recommends=false',
      '-o',
      'APT::Install-Suggests=false',
      'install',
      ...TOOLCHAIN_PACKAGES,
    ],
    { okCodes: [100] },
  );
  if (r.status !== 0) {
    throw new BuildError(`apt could not resolve the toolchain packages (${TOOLCHAIN_PACKAGES.join(' ')}) for i386:\n${(r.stdout + r.stderr).trim().split('\n').slice(-15).join('\n')}`);
  }
  const refs = [...r.stdout.matchAll(/^Inst (\S+) \((\S+) .*\[(\w+)\]\)/gm)].map((m) => ({ name: m[1], version: m[2], arch: m[3] }));
  const missing = TOOLCHAIN_PACKAGES.filter((p) => !refs.some((x) => x.name === p));
  if (missing.length) throw new BuildError(`apt's resolution of the toolchain left out ${missing.join(', ')}:\n${r.stdout}`);
  return refs.sort((a, b) => a.name.localeCompare(b.name));
}
