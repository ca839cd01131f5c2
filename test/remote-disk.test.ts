// The browser's disk (sim/browser/disk.ts) against the static server, run in
// Node (which has fetch): reads across chunk edges give the file's bytes,
// each chunk is fetched once, and a restore keeps what was fetched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DISK_CHUNK_BYTES, RemoteDisk } from '../sim/browser/disk.js';
import { serveStatic, type StaticServer } from '../sim/node/static-server.js';

const read = (disk: RemoteDisk, start: number, len: number) => new Promise<Uint8Array>((resolve) => disk.get(start, len, resolve));

describe('remote disk (range requests)', () => {
  let dir: string;
  let server: StaticServer;
  const data = randomBytes(DISK_CHUNK_BYTES * 3 + 4096);
  const ranges: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fms-disk-'));
    writeFileSync(join(dir, 'disk.img'), data);
    server = await serveStatic({ '/': dir });
    server.server.on('request', (req) => ranges.push(String(req.headers.range ?? '')));
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads across chunk edges, fetching each chunk once, and keeps them across a restore', async () => {
    const disk = new RemoteDisk(`${server.url}disk.img`, data.length);
    const span = await read(disk, DISK_CHUNK_BYTES - 512, 1024);
    assert.ok(Buffer.from(span).equals(data.subarray(DISK_CHUNK_BYTES - 512, DISK_CHUNK_BYTES + 512)));
    assert.deepEqual(ranges, [`bytes=0-${DISK_CHUNK_BYTES - 1}`, `bytes=${DISK_CHUNK_BYTES}-${2 * DISK_CHUNK_BYTES - 1}`]);
    disk.set_state(disk.get_state());
    const again = await read(disk, 0, 512);
    assert.ok(Buffer.from(again).equals(data.subarray(0, 512)));
    // The last chunk is short: the file's end.
    const tail = await read(disk, data.length - 512, 512);
    assert.ok(Buffer.from(tail).equals(data.subarray(data.length - 512)));
    assert.equal(ranges.length, 3, ranges.join(', '));
    assert.deepEqual(disk.stats, { requests: 3, bytes: 2 * DISK_CHUNK_BYTES + 4096 });
  });

  it('refuses writes with a message naming the disk', () => {
    const disk = new RemoteDisk(`${server.url}disk.img`, data.length);
    assert.throws(() => disk.set(0, new Uint8Array(512), () => undefined), /wrote to its read-only disk .*disk\.img at byte 0/);
  });
});
