// Which Debian packages make the guest, resolved against the archive at
// build time: old versions leave the archive, so none is written here.
import { BuildError } from './run.js';
import { candidate, dependsOf, hostArch, type PackageRef } from './debian.js';

/** The source package our kernel is built from (kernel/). */
const KERNEL_SOURCE = 'linux-source-6.1';

export interface ResolvedPackages {
  /** linux-source-6.1 at the stock i386 kernel's version (built by kernel/). */
  kernelSource: PackageRef;
  packages: PackageRef[];
}

/**
 * linux-source-6.1 at the very version of the newest stock i386 kernel
 * (linux-image-686's linux-image-*-686: Debian builds both from one source,
 * so our kernel is the same upstream release with Debian's patches;
 * apt-get download fails, naming it, if that version has no source .deb),
 * busybox-static and SeaBIOS.
 */
export function resolveGuestPackages(): ResolvedPackages {
  const image = dependsOf('linux-image-686', 'i386').find((n) => /^linux-image-.*-686$/.test(n));
  if (!image) {
    throw new BuildError('no linux-image-*-686 kernel found for i386: is the i386 architecture enabled ' + '(dpkg --add-architecture i386) and apt-get update done?');
  }
  const version = need(image, 'i386');
  const kernelSource = { name: KERNEL_SOURCE, arch: 'all', version };
  return {
    kernelSource,
    packages: [kernelSource, { name: 'busybox-static', arch: 'i386', version: need('busybox-static', 'i386') }, { name: 'seabios', arch: 'all', version: need('seabios', 'all') }],
  };
}

function need(name: string, arch: string): string {
  const v = candidate(name, arch === 'all' ? hostArch() : arch);
  if (!v) throw new BuildError(`apt has no candidate for ${name}:${arch}; run apt-get update, or check the sources list`);
  return v;
}
