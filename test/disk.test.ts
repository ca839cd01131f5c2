// The guest's read-only disk in Node: what the prompt does not need lives
// on it (images/linux/recipe/bulk.ts) and v86 reads it from the file at offsets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outDir } from '../images/linux/recipe/layout.js';
import type { Machine } from '../sim/guest/machine.js';
import type { FileDisk } from '../sim/node/disk.js';
import { dropPageCache } from '../sim/guest/snapshot.js';
import { sharedGuest, text } from './helpers/guest.js';

/** Debian's libc as extracted for the image build: the disk's copy must be byte-identical. */
const LIBC = 'lib/i386-linux-gnu/libc.so.6';

describe('read-only disk', function () {
  this.timeout(180_000);
  let m: Machine;
  let disk: FileDisk;
  let source: Uint8Array;

  before(async () => {
    m = await sharedGuest();
    disk = m.options.image.disk as FileDisk;
    const sysroot = join(outDir, 'sysroot');
    source = new Uint8Array(readFileSync(join(sysroot, LIBC)));
  });

  it('is mounted as /dev/sda and its folders are back where they were', async () => {
    const r = await m.exec(['sh', '-c', 'grep " squashfs " /proc/mounts; ls /usr/bin/bmake /usr/bin/tcc /usr/include/stdio.h /lib/ld-linux.so.2']);
    assert.equal(r.status, 0, text(r.stderr));
    assert.match(text(r.stdout), /^\/dev\/sda \S+ squashfs ro/m);
  });

  it('serves a file byte-identical to its source, reading only what the guest asks for', async () => {
    await dropPageCache(m);
    const before = { ...disk.stats };
    const got = await m.getFile(`/${LIBC}`);
    assert.equal(got.length, source.length);
    assert.ok(Buffer.from(got).equals(Buffer.from(source)), `/${LIBC} read from the disk differs from Debian's file`);
    const read = disk.stats.bytes - before.bytes;
    assert.ok(read > 0, 'nothing was read from the disk file');
    assert.ok(read < disk.byteLength / 2, `reading one file read ${read} of the disk's ${disk.byteLength} bytes`);
  });

  it('keeps its folders writable (an overlay on /)', async () => {
    const r = await m.exec(['sh', '-c', 'echo hi > /usr/bin/fms-disk-probe && cat /usr/bin/fms-disk-probe && rm /usr/bin/fms-disk-probe && ! [ -e /usr/bin/fms-disk-probe ]']);
    assert.equal(r.status, 0, text(r.stderr));
    assert.equal(text(r.stdout), 'hi\n');
  });

  it('reads the same bytes after a restore', async () => {
    await m.exec(['sh', '-c', `cat /${LIBC} > /dev/null`]);
    await dropPageCache(m);
    const state = await m.saveState();
    await m.exec(['sh', '-c', 'cat /usr/include/stdio.h > /dev/null']);
    await m.restoreState(state);
    const got = await m.getFile(`/${LIBC}`);
    assert.ok(Buffer.from(got).equals(Buffer.from(source)), `/${LIBC} differs after a restore`);
    await m.putFile('/tmp/disk-probe.c', '#include <stdio.h>\nint main(void){puts("from the disk");return 0;}\n');
    const r = await m.exec(['tcc', '-run', '/tmp/disk-probe.c']);
    assert.equal(text(r.stdout), 'from the disk\n', text(r.stderr));
  });
});
