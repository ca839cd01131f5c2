// Which Debian packages make the guest, resolved against the archive at
// build time: old versions leave the archive, so none is written here.
import { BuildError } from './run.js';
import { candidate, dependsOf, hostArch, type PackageRef } from './debian.js';

export interface ResolvedPackages {
  /** Kernel release, e.g. 6.1.0-50-686 (the name of /lib/modules/<release>). */
  kernelRelease: string;
  packages: PackageRef[];
}

/**
 * The newest linux-image-*-686 (through the linux-image-686 metapackage),
 * its headers and kbuild at the very same version, busybox-static and
 * SeaBIOS. kbuild is taken for the host's architecture: it holds the tools
 * (modpost, fixdep) that run on the build host while building modules.
 */
export function resolveGuestPackages(): ResolvedPackages {
  const image = dependsOf('linux-image-686', 'i386').find((n) => /^linux-image-.*-686$/.test(n));
  if (!image) {
    throw new BuildError(
      'no linux-image-*-686 kernel found for i386: is the i386 architecture enabled ' +
        '(dpkg --add-architecture i386) and apt-get update done?',
    );
  }
  const kernelRelease = image.replace(/^linux-image-/, '');
  const version = need(image, 'i386');
  const headers = `linux-headers-${kernelRelease}`;
  const common = dependsOf(headers, 'i386').find((n) => /^linux-headers-.*-common$/.test(n));
  const kbuild = dependsOf(headers, 'i386').find((n) => /^linux-kbuild-/.test(n));
  if (!common || !kbuild) throw new BuildError(`${headers} does not name its -common headers and kbuild packages`);

  return {
    kernelRelease,
    packages: [
      { name: image, arch: 'i386', version },
      { name: headers, arch: 'i386', version },
      { name: common, arch: 'all', version },
      { name: kbuild, arch: hostArch(), version },
      { name: 'busybox-static', arch: 'i386', version: need('busybox-static', 'i386') },
      { name: 'seabios', arch: 'all', version: need('seabios', 'all') },
    ],
  };
}

function need(name: string, arch: string): string {
  const v = candidate(name, arch === 'all' ? hostArch() : arch);
  if (!v) throw new BuildError(`apt has no candidate for ${name}:${arch}; run apt-get update, or check the sources list`);
  return v;
}
