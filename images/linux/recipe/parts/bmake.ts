// bmake with meta mode on /dev/filemon: built from Debian's bmake source
// package (Debian's binary package has no filemon support) as a static i386
// program whose filemon back end is filemon_dev.c on our
// <dev/filemon/filemon.h>; its sys.mk; the meta-mode demo project; and
// the mk-files of Debian's bmake binary package (/usr/share/bmake/mk-bmake:
// meta.autodep.mk, gendirdeps.mk, dirdeps.mk, meta2deps.sh...) with the
// dirdeps demo project that builds through them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestSource } from '../../../../sim/guest/image.js';
import { aptUpdate, candidate, type PackageRef } from '../debian.js';
import { gccVersion, type GuestPart, hashSources, prefixMapFlags } from '../part.js';
import { BuildError, have, run } from '../run.js';

const SOURCE = 'bmake';

/** Our deb-src entries, copied from the configured deb entries. */
const SRC_LIST_DIR = '/etc/apt/sources.list.d';
const SRC_FILE_STEM = 'filemon-sim-src';

let resolvedSource: ManifestSource | undefined;

export const bmake: GuestPart & { sources(): ManifestSource[] } = {
  name: 'bmake',
  /** Debian's binary package, for its mk-files only (its bmake has no filemon). */
  packages(): PackageRef[] {
    const version = candidate('bmake', 'i386');
    if (!version) throw new BuildError('apt has no candidate for bmake:i386; run apt-get update, or check the sources list');
    return [{ name: 'bmake', arch: 'i386', version }];
  },
  build(ctx) {
    let version = sourceVersion(ctx.log);
    let dsc: string;
    try {
      dsc = fetchSource(version, ctx.outDir, ctx.log);
    } catch (e) {
      if (!(e instanceof BuildError)) throw e;
      // Stale source lists name a version that has left the archive.
      ctx.log(`${e.message}\nretrying after apt-get update of the deb-src entries`);
      addDebSrc(ctx.log);
      version = sourceVersion(ctx.log);
      dsc = fetchSource(version, ctx.outDir, ctx.log);
    }
    resolvedSource = { name: SOURCE, version, sha256: createHash('sha256').update(readFileSync(dsc)).digest('hex') };

    const work = join(ctx.outDir, 'build/bmake');
    const bin = join(work, 'bmake');
    const header = join(ctx.sourceDir, 'include/dev/filemon/filemon.h');
    const key = hashSources(join(ctx.sourceDir, 'include'), resolvedSource.sha256, gccVersion(), readFileSync(new URL(import.meta.url)).toString());
    ctx.step('bmake', key, [bin], () => {
      ctx.log(`building bmake ${version} from source (gcc -m32 -static, filemon on /dev/filemon)`);
      const src = join(work, 'src');
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      ensureDpkgSource(ctx.log);
      run('dpkg-source', ['--no-check', '-x', dsc, src]);
      // The prefix maps keep the build folders out of the binary (__FILE__).
      const cc = ['gcc', '-m32', ...prefixMapFlags(ctx), `-ffile-prefix-map=${src}/=bmake/`].join(' ');
      const env = { ...process.env, CC: cc, LDFLAGS: '-static' };
      const conf = run('sh', ['./configure', `--with-filemon=${header}`, '--with-machine_arch=i386', '--with-default-sys-path=/usr/share/mk'], { cwd: src, env });
      if (!/Using: filemon_dev\.c/.test(conf.stdout + conf.stderr)) {
        throw new BuildError(
          `bmake's configure did not pick filemon_dev.c for ${header}:\n${conf.stdout
            .split('\n')
            .filter((l) => /filemon|Using/.test(l))
            .join('\n')}`,
        );
      }
      run('sh', ['./make-bootstrap.sh'], { cwd: src, env });
      run('strip', ['-o', bin, join(src, 'bmake')]);
    });
    return [
      { from: bin, to: 'usr/bin/bmake', mode: 0o755 },
      { from: join(ctx.sourceDir, 'bmake/sys.mk'), to: 'usr/share/mk/sys.mk', mode: 0o644 },
      { from: join(ctx.sourceDir, 'demo/meta-project'), to: 'usr/share/filemon-sim/meta-project' },
      { from: join(ctx.sysroot, 'usr/share/bmake/mk-bmake'), to: 'usr/share/bmake/mk-bmake' },
      { from: join(ctx.sourceDir, 'demo/dirdeps-project'), to: 'usr/share/filemon-sim/dirdeps-project' },
    ];
  },
  /** The source package used, for the manifest (known after build()). */
  sources() {
    return resolvedSource ? [resolvedSource] : [];
  },
};

/**
 * bmake's source package (apt-get source, Debian's patches applied by
 * dpkg-source) unpacked afresh into dest, for the real-build test and
 * bench, which build it in the guest with gcc (test/real-builds.test.ts).
 * Kept while the source version is the same. Returns the version.
 */
export function unpackBmakeSource(outDir: string, dest: string, log: (msg: string) => void): string {
  const version = sourceVersion(log);
  const stamp = `${dest}.version`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version && existsSync(dest)) return version;
  const dsc = fetchSource(version, outDir, log);
  ensureDpkgSource(log);
  rmSync(dest, { recursive: true, force: true });
  run('dpkg-source', ['--no-check', '-x', dsc, dest]);
  writeFileSync(stamp, version);
  return version;
}

/** The newest bmake source version apt knows, adding deb-src entries if it knows none. */
function sourceVersion(log: (msg: string) => void): string {
  let versions = showsrcVersions();
  if (!versions.length) {
    addDebSrc(log);
    versions = showsrcVersions();
  }
  if (!versions.length) {
    throw new BuildError(`apt knows no source package ${SOURCE} even after adding deb-src entries (${SRC_LIST_DIR}/${SRC_FILE_STEM}.*)`);
  }
  return versions.reduce((a, b) => (run('dpkg', ['--compare-versions', a, 'ge', b], { okCodes: [1] }).status === 0 ? a : b));
}

function showsrcVersions(): string[] {
  const out = run('apt-cache', ['showsrc', SOURCE], { okCodes: [100] }).stdout;
  const versions: string[] = [];
  for (const para of out.split(/\n\n+/)) {
    if (new RegExp(`^Package: ${SOURCE}$`, 'm').test(para)) {
      const m = /^Version: (\S+)$/m.exec(para);
      if (m) versions.push(m[1]);
    }
  }
  return versions;
}

/**
 * Writes deb-src twins of the configured deb entries (deb822 .sources files
 * and one-line .list files alike) into files of our own, then updates the
 * package lists from those entries only (exit 100 for one out-of-sync index
 * is tolerated, as in aptUpdate).
 */
function addDebSrc(log: (msg: string) => void): void {
  if (process.getuid?.() !== 0) throw new BuildError('adding deb-src entries for bmake needs root: run `npm run images` as root');
  const stanzas: string[] = [];
  const lines: string[] = [];
  const files = [
    ...(existsSync('/etc/apt/sources.list') ? ['/etc/apt/sources.list'] : []),
    ...readdirSync(SRC_LIST_DIR)
      .filter((f) => /\.(list|sources)$/.test(f) && !f.startsWith(SRC_FILE_STEM))
      .map((f) => join(SRC_LIST_DIR, f)),
  ];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.sources')) {
      for (const para of text.split(/\n\s*\n/)) {
        if (/^Types:.*\bdeb\b/m.test(para) && !/^Enabled:\s*no/im.test(para)) {
          stanzas.push(para.trim().replace(/^Types:.*$/m, 'Types: deb-src'));
        }
      }
    } else {
      for (const l of text.split('\n')) if (/^deb\s/.test(l)) lines.push(l.replace(/^deb/, 'deb-src'));
    }
  }
  if (!stanzas.length && !lines.length) throw new BuildError(`no deb entries in /etc/apt to copy as deb-src for ${SOURCE}`);
  // A directory holding only our entries, for an update that reads only them.
  const own = mkdtempSync(join(tmpdir(), 'filemon-sim-src-'));
  const header = "# deb-src twins of the deb entries, added by filemon-sim's image build (apt-get source bmake).\n";
  for (const [ext, body] of [
    ['sources', stanzas.join('\n\n')],
    ['list', lines.join('\n')],
  ] as const) {
    if (!body) continue;
    writeFileSync(join(SRC_LIST_DIR, `${SRC_FILE_STEM}.${ext}`), header + body + '\n');
    writeFileSync(join(own, `${SRC_FILE_STEM}.${ext}`), header + body + '\n');
  }
  log(`added deb-src entries in ${SRC_LIST_DIR}/${SRC_FILE_STEM}.*; apt-get update for them`);
  const r = run('apt-get', ['update', '-o', `Dir::Etc::SourceParts=${own}`, '-o', 'Dir::Etc::SourceList=/dev/null', '-o', 'APT::Get::List-Cleanup=0'], {
    okCodes: [100],
  });
  rmSync(own, { recursive: true, force: true });
  if (r.status === 100) log('apt-get update reported failed index files; going on with what resolved');
  if (!showsrcVersions().length) aptUpdate(log);
}

/** apt-get source --download-only into cache (kept between builds); returns the .dsc. */
function fetchSource(version: string, outDir: string, log: (msg: string) => void): string {
  const cache = join(outDir, 'sources', `${SOURCE}_${version.replace(/:/g, '%3a')}`);
  const find = () => (existsSync(cache) ? readdirSync(cache).find((f) => f.endsWith('.dsc')) : undefined);
  let dsc = find();
  if (!dsc) {
    log(`downloading source package ${SOURCE} ${version}`);
    const tmp = `${cache}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    run('apt-get', ['source', '--download-only', `${SOURCE}=${version}`], { cwd: tmp });
    renameSync(tmp, cache);
    dsc = find();
    if (!dsc) throw new BuildError(`apt-get source ${SOURCE}=${version} gave no .dsc`);
  }
  return join(cache, dsc);
}

/** dpkg-source (unpacks the source package and applies Debian's patches) is in dpkg-dev. */
function ensureDpkgSource(log: (msg: string) => void): void {
  if (have('dpkg-source')) return;
  if (process.getuid?.() !== 0) throw new BuildError('building bmake needs dpkg-source: apt-get install dpkg-dev (as root)');
  log('installing host tool: dpkg-source (dpkg-dev) to unpack the bmake source package');
  run('apt-get', ['install', '-y', '--no-install-recommends', 'dpkg-dev'], { live: true, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
