// The guest's files that its prompt does not need (programs other than the
// agent and shell, shared libraries, C headers, mk-files, test programs) go
// into one zstd squashfs that the guest sees as a read-only IDE disk
// (/dev/sda), mounted by an init.d hook and put back at the same paths as
// overlays whose writable layer is on / (so they stay writable, as before).
// The disk is not in guest memory: v86 reads its blocks as the guest asks
// (in Node from the file, in browsers by HTTP range requests), and what the
// guest has read is page cache, dropped before a state is saved. So neither
// the initramfs nor a saved state grows with what the disk holds.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildError, run } from './run.js';

/**
 * Folders of the guest's tree moved onto the disk; the init.d hook puts
 * each back. /init, busybox (/bin), the agent and the shell (/sbin) and the
 * kernel modules (/lib/modules) stay in the initramfs: they run before the
 * disk is mounted or are what the prompt is. Whole /usr, not its folders
 * one by one: each overlay mount costs the guest about 0.14 s of boot
 * (measured in v86; a bind mount 0.03 s).
 */
const BULK_DIRS = ['lib/i386-linux-gnu', 'usr'];

/** Where the disk is mounted in the guest, and where its folders' writable layers live. */
const BULK_MOUNT = 'lib/filemon-sim/disk';
const BULK_RW = 'lib/filemon-sim/rw';
/** Where the toolchain disk is mounted when attached. */
const TOOLCHAIN_MOUNT = 'lib/filemon-sim/toolchain';

/** squashfs block size: what one read of a file fetches at least (compressed). */
const BLOCK_SIZE = '128K';

/**
 * Moves BULK_DIRS of root into the squashfs file dest, leaving empty folders
 * to mount them on, and writes the hook that mounts it. Reproducible: fixed
 * times, root-owned, no xattrs, and mksquashfs's own sorted output. The
 * image is padded to 4 KiB (mksquashfs's default), a whole number of sectors.
 */
export function packDisk(root: string, workDir: string, dest: string): void {
  const tree = join(workDir, 'disk-tree');
  rmSync(tree, { recursive: true, force: true });
  for (const d of BULK_DIRS) {
    if (!existsSync(join(root, d))) throw new BuildError(` ${d} is missing from the guest tree; a part that installs into it failed`);
    mkdirSync(dirname(join(tree, d)), { recursive: true });
    renameSync(join(root, d), join(tree, d));
    mkdirSync(join(root, d));
  }
  mkdirSync(join(root, BULK_MOUNT), { recursive: true });
  const tmp = `${dest}.tmp`;
  run('mksquashfs', [
    tree,
    tmp,
    '-noappend',
    '-quiet',
    '-no-progress',
    '-comp',
    'zstd',
    '-Xcompression-level',
    '19',
    '-b',
    BLOCK_SIZE,
    '-all-root',
    '-no-xattrs',
    '-mkfs-time',
    '0',
    '-all-time',
    '0',
    '-reproducible',
  ]);
  // Unchanged bytes keep the old file: open descriptors and saved states stay valid.
  if (existsSync(dest) && readFileSync(dest).equals(readFileSync(tmp))) rmSync(tmp);
  else renameSync(tmp, dest);
  rmSync(tree, { recursive: true, force: true });
  writeFileSync(
    join(root, 'etc/init.d/bulk.sh'),
    [
      "# Sourced by /init before the other hooks: the read-only disk of the guest's files",
      '# (images/linux/recipe/bulk.ts), a squashfs on /dev/sda, its folders put back as overlays.',
      // The disk's device node appears once libata has probed it.
      'n=0',
      'while [ ! -b /dev/sda ] && [ $n -lt 100 ]; do usleep 20000; n=$((n + 1)); done',
      // The toolchain disk (images/linux/recipe/toolchain), when the harness attached it
      // as hdb and said so on the command line: the top lower layer of each folder.
      'tc=',
      'if [ "$FMS_TOOLCHAIN" = sdb ]; then',
      '\tn=0',
      '\twhile [ ! -b /dev/sdb ] && [ $n -lt 100 ]; do usleep 20000; n=$((n + 1)); done',
      `\tmkdir -p /${TOOLCHAIN_MOUNT}`,
      `\tif mount -t squashfs -o ro /dev/sdb /${TOOLCHAIN_MOUNT}; then tc=/${TOOLCHAIN_MOUNT}; else`,
      '\t\techo "init: mounting the toolchain disk /dev/sdb failed: the harness must attach the toolchain package\'s toolchain.squashfs as hdb" >&2',
      '\tfi',
      'fi',
      `if mount -t squashfs -o ro /dev/sda /${BULK_MOUNT}; then`,
      `\tfor d in ${BULK_DIRS.join(' ')}; do`,
      `\t\trw=/${BULK_RW}/$d`,
      '\t\tmkdir -p $rw/upper $rw/work',
      `\t\tlower=/${BULK_MOUNT}/$d`,
      '\t\t[ -n "$tc" ] && [ -d "$tc/$d" ] && lower=$tc/$d:$lower',
      `\t\tmount -t overlay -o lowerdir=$lower,upperdir=$rw/upper,workdir=$rw/work overlay /$d ||`,
      '\t\t\techo "init: mounting the overlay on /$d failed" >&2',
      '\tdone',
      'else',
      '\techo "init: mounting the read-only disk /dev/sda failed: the harness must attach the image\'s disk.squashfs as hda" >&2',
      'fi',
      '',
    ].join('\n'),
  );
}
