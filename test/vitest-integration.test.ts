// The vitest integration (filemon-sim/vitest) in a project's own suite: the
// fixture project test/fixtures/vitest-project run by vitest in its threads
// and forks pools with two workers, a golden mismatch's message, and the
// update flags.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTwoShards, assertUpdateFlags, guestsByWorker, linkPackage, recordedFiles, runVitestProject, VITEST_PROJECT } from './helpers/runner-fixtures.js';

const vitest = runVitestProject;
const PASSWD_GOLDEN = join(VITEST_PROJECT, 'golden/cat-passwd.log');

describe('vitest integration (filemon-sim/vitest)', function () {
  this.timeout(1_200_000);
  let dir: string;
  before(() => {
    linkPackage();
    dir = mkdtempSync(join(tmpdir(), 'filemon-sim-vitest-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('threads pool, two workers: each worker has its own guest, shared by the files it runs', async () => {
    const r = await vitest([], { POOL: 'threads', WORKERS: '2' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Tests {2}8 passed \(8\)/);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    const workers = guestsByWorker(r.records);
    assert.equal(workers.size, 2, `workers: ${[...workers.keys()]}`);
    for (const [w, guests] of workers) assert.equal(guests.size, 1, `worker ${w} used one guest`);
    assert.equal(new Set(r.records.map((x) => x.guest)).size, 2, 'the two workers have different guests');
    assert.ok(
      r.records.every((x) => x.pid === r.records[0].pid),
      'threads of one process',
    );
    // Without restoring, a worker's second file sees what its first one left.
    for (const x of r.records) {
      const before = r.records.filter((y) => y.worker === x.worker && r.records.indexOf(y) < r.records.indexOf(x)).map((y) => `marker-${y.file}`);
      assert.deepEqual(x.seen, before, `file ${x.file}`);
    }
  });

  it('forks pool, two workers, FILEMON_SIM_RESTORE=file: a guest per worker process, restored for each file', async () => {
    const r = await vitest([], { POOL: 'forks', WORKERS: '2', FILEMON_SIM_RESTORE: 'file' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    const workers = guestsByWorker(r.records);
    assert.equal(new Set(r.records.map((x) => x.pid)).size, 2, 'two worker processes');
    for (const [w, guests] of workers) assert.equal(guests.size, 1, `worker ${w} used one guest`);
    assert.ok(r.records.length > workers.size, 'some worker ran two files');
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });

  it('configure({ restoreEachFile }) in a setupFiles file: run again for each file, and each file starts from the starting state', async () => {
    const r = await vitest([], { POOL: 'threads', WORKERS: '2', RESTORE_IN_CODE: '1' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    assert.ok(r.records.length > guestsByWorker(r.records).size, 'some worker ran two files');
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });

  it('a mismatch fails with the readable diff and says how to update', async () => {
    const r = await vitest([], { FILES: 'golden.test.mjs', GOLDEN_CMD: 'cat /etc/hostname', GOLDEN_FILE: PASSWD_GOLDEN });
    assert.equal(r.code, 1, r.out);
    assert.ok(
      r.out.includes(
        `trace differs from golden trace ${PASSWD_GOLDEN} (vitest -u or FILEMON_SIM_UPDATE=1 rewrites it):\n` +
          `--- ${PASSWD_GOLDEN}\n+++ actual trace\n@@ -3,8 +3,7 @@\n # Start 0.000000\n V 5\n E 2 /bin/sh\n-W 2 /tmp/copy\n-R 2 /etc/passwd\n+R 2 /etc/hostname\n X 2 0 0\n`,
      ),
      r.out,
    );
    assert.match(r.out, /\+ newly read: \/etc\/hostname\n\s+- no longer read: \/etc\/passwd/);
  });

  it('vitest -u and FILEMON_SIM_UPDATE=1 rewrite the golden file; in CI a missing one fails', async () => {
    const golden = join(dir, 'hostname.log');
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => vitest(args, { FILES: 'golden.test.mjs', GOLDEN_CMD: 'cat /etc/hostname', GOLDEN_FILE: golden, ...env });
    await assertUpdateFlags(run, golden, PASSWD_GOLDEN, [[], { CI: '1' }], 'vitest -u or FILEMON_SIM_UPDATE=1');
  });

  it("--shard=K/N splits the files as vitest does, each machine's workers starting their own guests", async () => {
    await assertTwoShards(vitest);
  });
});
