// The guest kernel: Debian's linux-source-6.1 at the stock i386 kernel's
// version, configured as tinyconfig plus guest.config (this folder), built
// by build.sh. Its object tree stays for building filemon.ko against it.
// Cached by the source package's version and sha256, the fragment and the
// build script: nothing else goes into its bytes (build.sh fixes kbuild's
// timestamp, user, host and version and maps the build paths away).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../run.js';

export interface KernelBuild {
  /** kbuild's object tree (O=): KDIR for external modules. */
  buildDir: string;
  bzImage: string;
  /** e.g. 6.1.176-filemon-sim: uname -r, /lib/modules/<release>. */
  release: string;
  /** The fragment's sha256, for the manifest. */
  configSha256: string;
}

/** kbuild's version string (uname -v starts with #<this>): names our build. */
export const KERNEL_BUILD_VERSION = 'filemon-sim';

export interface KernelBuildInput {
  /** The linux-source-6.1 .deb, its version and sha256. */
  deb: string;
  version: string;
  sha256: string;
  /** images/linux/recipe: kernel/ holds guest.config and build.sh. */
  recipeDir: string;
  outDir: string;
  log: (msg: string) => void;
  step: (name: string, key: string, outputs: string[], fn: () => void) => boolean;
}

export function buildKernel(k: KernelBuildInput): KernelBuild {
  const here = join(k.recipeDir, 'kernel');
  const fragment = join(here, 'guest.config');
  const script = join(here, 'build.sh');
  const work = join(k.outDir, 'kernel');
  const buildDir = join(work, 'build');
  const bzImage = join(buildDir, 'arch/x86/boot/bzImage');
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const configSha256 = sha(readFileSync(fragment));
  const key = [`linux-source ${k.version} ${k.sha256}`, `fragment ${configSha256}`, `build.sh ${sha(readFileSync(script))}`, KERNEL_BUILD_VERSION].join('\n');
  const symvers = join(buildDir, 'Module.symvers');
  k.step('kernel', key, [bzImage, symvers], () => {
    k.log(`building the kernel from linux-source ${k.version} (tinyconfig + guest.config; about 5-10 min on 2 cores)`);
    const t = performance.now();
    run('sh', [script, k.deb, fragment, work, KERNEL_BUILD_VERSION], { live: true });
    k.log(`kernel built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  });
  const releaseFile = join(buildDir, 'include/config/kernel.release');
  if (!existsSync(releaseFile)) throw new Error(`kernel build left no ${releaseFile}`);
  return { buildDir, bzImage, release: readFileSync(releaseFile, 'utf8').trim(), configSha256 };
}
