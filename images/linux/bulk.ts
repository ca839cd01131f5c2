// The read-only bulk of the guest's files (C headers, mk-files and demo
// sources) goes into one zstd squashfs inside the initramfs, which an init.d
// hook loop-mounts and binds back at the same paths. It stays compressed in
// guest memory (4.5 MB of files in 0.6 MB), so the initramfs unpacks faster
// at boot and a saved state holds fewer raw bytes; what programs read of it
// is page cache, dropped before a state is saved. The static programs stay
// out: squashfs compresses file by file, while the state's zstd finds the
// libc they share, so in the squashfs they would make the state 2 MB bigger.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildError, run } from './run.js';

/** Folders of the guest's tree moved into the squashfs; the init.d hook binds each back. */
export const BULK_DIRS = ['usr/include', 'usr/share'];

/** Where the squashfs file and its mount point live in the guest. */
export const BULK_IMAGE = 'usr/lib/filemon-sim/bulk.squashfs';
export const BULK_MOUNT = 'usr/lib/filemon-sim/bulk';

/**
 * Moves BULK_DIRS of root into root/BULK_IMAGE, leaving empty folders to
 * bind them on, and writes the hook that mounts it. Reproducible: fixed times, root-owned, no xattrs, and
 * mksquashfs's own sorted, single-order output.
 */
export function packBulk(root: string, workDir: string): void {
  const tree = join(workDir, 'bulk-tree');
  rmSync(tree, { recursive: true, force: true });
  for (const d of BULK_DIRS) {
    if (!existsSync(join(root, d))) throw new BuildError(` ${d} is missing from the guest tree; a part that installs into it failed`);
    mkdirSync(dirname(join(tree, d)), { recursive: true });
    renameSync(join(root, d), join(tree, d));
    mkdirSync(join(root, d));
  }
  mkdirSync(join(root, BULK_MOUNT), { recursive: true });
  const image = join(root, BULK_IMAGE);
  run('mksquashfs', [
    tree, image, '-noappend', '-quiet', '-no-progress', '-comp', 'zstd', '-Xcompression-level', '19',
    '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-reproducible',
  ]);
  rmSync(tree, { recursive: true, force: true });
  writeFileSync(join(root, 'etc/init.d/bulk.sh'), [
    '# Sourced by /init before the other hooks: the read-only bulk of the guest\'s files',
    '# (images/linux/bulk.ts), a squashfs bound back at the folders it came from.',
    `if mount -t squashfs -o loop,ro /${BULK_IMAGE} /${BULK_MOUNT}; then`,
    `\tfor d in ${BULK_DIRS.join(' ')}; do`,
    `\t\tmount --bind /${BULK_MOUNT}/$d /$d || echo "init: binding /$d failed" >&2`,
    '\tdone',
    'else',
    '\techo "init: mounting the read-only bulk failed" >&2',
    'fi',
    '',
  ].join('\n'));
}
