// `npm run images`: assembles the guest (kernel, initramfs, BIOS and
// manifest.json, and the read-only disk) from Debian's packages and our guest-side sources: the
// kernel is built from Debian's linux-source-6.1 (kernel/), the programs
// from our C sources and Debian's i386 packages. Each step is skipped when
// its inputs have not changed; the outputs do not depend on the folder,
// the date, the user or the host (see docs/image.md, "Reproducible image").
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImageManifest, ManifestOutput } from '../../../sim/guest/image.js';
import { packDisk } from './bulk.js';
import { aptUpdate, download, ensureHost, extract, type DownloadedPackage } from './debian.js';
import { manifestPath, outDir, outputFiles, recipeDir, sourceDir } from './layout.js';
import { buildKernel } from './kernel/kernel.js';
import { resolveGuestPackages, type ResolvedPackages } from './packages.js';
import type { BuildContext } from './part.js';
import { guestParts } from './parts/index.js';
import { buildToolchain } from './toolchain/build.js';
import { BuildError, run } from './run.js';

export interface BuildOptions {
  /** Progress lines; defaults to stderr. */
  log?: (msg: string) => void;
  /** Run apt-get update before resolving, for the newest packages. */
  refresh?: boolean;
}

/** The base packages and those the guest parts ask for. */
function resolveAll(): ResolvedPackages {
  const base = resolveGuestPackages();
  return { ...base, packages: [...base.packages, ...guestParts.flatMap((p) => p.packages?.() ?? [])] };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A build step that runs only when its key differs from the last run's. */
function step(name: string, key: string, outputs: string[], fn: () => void): boolean {
  const stamp = join(outDir, '.stamps', name);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key && outputs.every((o) => existsSync(o))) return false;
  fn();
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, key);
  return true;
}

export async function buildImage(opts: BuildOptions = {}): Promise<ImageManifest> {
  const total = 7;
  let n = 0;
  const log = opts.log ?? ((m: string) => process.stderr.write(`images: ${m}\n`));
  const stage = (what: string) => log(`[${++n}/${total}] ${what}`);

  stage('checking host tools (apt-get, dpkg, gcc -m32, cpio, mksquashfs, depmod, flex, bison, bc)');
  ensureHost(log);

  stage('resolving Debian packages');
  if (opts.refresh) aptUpdate(log);
  let resolved: ResolvedPackages;
  let debs: DownloadedPackage[];
  const debDir = join(outDir, 'debs');
  try {
    resolved = resolveAll();
    log(`${resolved.packages.map((p) => `${p.name}=${p.version}`).join(', ')}`);
    stage('downloading packages (cached in images/out/linux/debs)');
    debs = download(resolved.packages, debDir, log);
  } catch (e) {
    if (opts.refresh || !(e instanceof BuildError)) throw e;
    // Stale package lists name versions that have left the archive.
    log(`${e.message}\nretrying after apt-get update`);
    aptUpdate(log);
    resolved = resolveAll();
    stage('downloading packages (cached in images/out/linux/debs)');
    debs = download(resolved.packages, debDir, log);
  }

  const isKernelSource = (d: DownloadedPackage) => d.name === resolved.kernelSource.name;
  const kernelDeb = debs.find(isKernelSource)!;

  stage('extracting packages');
  const sysroot = join(outDir, 'sysroot');
  const unpacked = debs.filter((d) => !isKernelSource(d));
  step('extract', unpacked.map((d) => d.file).join('\n'), [sysroot], () => {
    rmSync(sysroot, { recursive: true, force: true });
    for (const d of unpacked) extract(join(debDir, d.file), sysroot);
  });

  stage(`building the kernel (${kernelDeb.name} ${kernelDeb.version}, tinyconfig + kernel/guest.config)`);
  const kernel = buildKernel({
    deb: join(debDir, kernelDeb.file),
    version: kernelDeb.version,
    sha256: sha256File(join(debDir, kernelDeb.file)),
    recipeDir,
    outDir,
    log,
    step,
  });
  log(`kernel ${kernel.release}`);

  stage('building guest programs and kernel modules');
  const ctx: BuildContext = { sysroot, kernelRelease: kernel.release, kernelBuildDir: kernel.buildDir, outDir, sourceDir, log, step };
  const staged = guestParts.map((part) => part.build(ctx));
  // Parts built from Debian source packages name them through sources().
  const sources = guestParts.flatMap((p) => p.sources?.() ?? []);

  stage('packing the initramfs');
  const root = join(outDir, 'initramfs-root');
  rmSync(root, { recursive: true, force: true });
  stageBase(root, sysroot);
  for (const files of staged) {
    for (const f of files) {
      const dest = join(root, f.to);
      mkdirSync(dirname(dest), { recursive: true });
      if (lstatSync(f.from).isDirectory()) {
        cpSync(f.from, dest, { recursive: true, verbatimSymlinks: true });
      } else {
        copyFileSync(f.from, dest);
        chmodSync(dest, f.mode ?? 0o644);
      }
    }
  }
  const initramfs = join(outDir, outputFiles.initramfs);
  run('depmod', ['-b', root, kernel.release], { env: pathWithSbin() });
  packDisk(root, outDir, join(outDir, outputFiles.disk));
  packCpio(root, initramfs);
  copyIfChanged(kernel.bzImage, join(outDir, outputFiles.kernel));
  copyIfChanged(join(sysroot, 'usr/share/seabios/bios.bin'), join(outDir, outputFiles.bios));

  const describe = (file: string): ManifestOutput => {
    const p = join(outDir, file);
    return { file, sha256: sha256File(p), bytes: statSync(p).size };
  };
  const manifest: ImageManifest = {
    format: 1,
    kernelRelease: kernel.release,
    packages: debs.map((d) => ({ name: d.name, arch: d.arch, version: d.version, sha256: sha256File(join(debDir, d.file)) })),
    ...(sources.length ? { sources } : {}),
    outputs: {
      bios: describe(outputFiles.bios),
      kernel: describe(outputFiles.kernel),
      initramfs: describe(outputFiles.initramfs),
      disk: describe(outputFiles.disk),
    },
  };
  const text = JSON.stringify(manifest, null, 2) + '\n';
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== text) writeFileSync(manifestPath, text);
  const mib = (o: ManifestOutput) => `${(o.bytes / 1048576).toFixed(1)} MiB`;
  log(`done: ${outDir} (initramfs ${mib(manifest.outputs.initramfs)}, disk ${mib(manifest.outputs.disk)})`);
  return manifest;
}

/** depmod lives in /sbin, which a non-login root shell may lack on PATH. */
function pathWithSbin(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
}

function copyIfChanged(from: string, to: string): void {
  if (!existsSync(to) || sha256File(from) !== sha256File(to)) copyFileSync(from, to);
}

/** busybox, /init and a minimal /etc (the drivers are built into the kernel). */
function stageBase(root: string, sysroot: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc/init.d', 'proc', 'sys', 'dev', 'run', 'tmp', 'root', 'home', 'var/tmp', 'mnt']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(join(sysroot, 'bin/busybox'), join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  linkBusyboxApplets(root);
  copyFileSync(join(sourceDir, 'init'), join(root, 'init'));
  chmodSync(join(root, 'init'), 0o755);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(root, 'etc/hostname'), 'filemon-sim\n');
}

/**
 * The links `busybox --install -s /bin` would make at every boot (a third
 * of a second of v86 time), made here: busybox-static is an i386 program,
 * which an amd64 host runs. On a host that cannot, /init makes them.
 */
function linkBusyboxApplets(root: string): void {
  let applets: string[];
  try {
    applets = run(join(root, 'bin/busybox'), ['--list']).stdout.split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const a of applets) if (a !== 'busybox') symlinkSync('/bin/busybox', join(root, 'bin', a));
}

/** newc cpio of root, with fixed times and owners so equal trees give equal bytes. */
function packCpio(root: string, dest: string): void {
  run('find', [root, '-exec', 'touch', '-h', '-d', '@0', '{}', '+']);
  const list = listTree(root).join('\n') + '\n';
  const tmp = `${dest}.tmp`;
  run('sh', ['-c', `cpio --quiet -o -H newc --owner=0:0 --reproducible > '${tmp}'`], { cwd: root, input: list });
  if (existsSync(dest) && sha256File(dest) === sha256File(tmp)) rmSync(tmp);
  else renameSync(tmp, dest);
}

function listTree(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    out.push(relative(root, p));
    if (lstatSync(p).isDirectory()) out.push(...listTree(root, p));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // `npm run images` makes the toolchain disk too (images/linux/recipe/toolchain).
  buildImage({ refresh: process.argv.includes('--refresh') })
    .then(() => buildToolchain())
    .catch((e: unknown) => {
      process.stderr.write(`images: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
