// The Jest integration (filemon-sim/jest, through `preset: 'filemon-sim'`)
// in a project's own suite: the fixture project test/fixtures/jest-project
// run by Jest with two workers and in its own process, a golden mismatch's
// message, and the update flags.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTwoShards, assertUpdateFlags, guestsByWorker, linkPackage, recordedFiles, runJestProject, JEST_PROJECT } from './helpers/runner-fixtures.js';

const jest = runJestProject;
const PASSWD_GOLDEN = join(JEST_PROJECT, 'golden/cat-passwd.log');

describe('Jest integration (filemon-sim/jest)', function () {
  this.timeout(1_200_000);
  let dir: string;
  before(() => {
    linkPackage();
    dir = mkdtempSync(join(tmpdir(), 'filemon-sim-jest-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two workers: each worker process has its own guest, shared by its files, and ends cleanly', async () => {
    const r = await jest([], { WORKERS: '2' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Tests: {7}8 passed, 8 total/);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    const workers = guestsByWorker(r.records);
    assert.equal(workers.size, 2, `workers: ${[...workers.keys()]}`);
    for (const [w, guests] of workers) assert.equal(guests.size, 1, `worker ${w} used one guest`);
    assert.equal(new Set(r.records.map((x) => x.guest)).size, 2, 'the two workers have different guests');
    assert.doesNotMatch(r.out, /failed to exit gracefully|did not exit/, 'the guests were closed with their workers');
    for (const x of r.records) {
      const before = r.records.filter((y) => y.worker === x.worker && r.records.indexOf(y) < r.records.indexOf(x)).map((y) => `marker-${y.file}`);
      assert.deepEqual(x.seen.sort(), before.sort(), `file ${x.file}`);
    }
  });

  it("in Jest's own process with FILEMON_SIM_RESTORE=file: one guest restored per file, closed by the preset's teardown", async () => {
    const r = await jest(['--runInBand'], { FILEMON_SIM_RESTORE: 'file' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    assert.equal(new Set(r.records.map((x) => x.guest)).size, 1);
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });

  it('testEnvironmentOptions { restoreEachFile: true }: each file a worker takes starts from the starting state', async () => {
    const r = await jest(['--testEnvironmentOptions', JSON.stringify({ restoreEachFile: true })], { WORKERS: '2' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(recordedFiles(r.records), ['a', 'b', 'c', 'd']);
    assert.ok(r.records.length > guestsByWorker(r.records).size, 'some worker ran two files');
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });

  it('a mismatch fails with the readable diff and says how to update', async () => {
    const r = await jest([], { FILES: 'golden.test.cjs', GOLDEN_CMD: 'cat /etc/hostname', GOLDEN_FILE: PASSWD_GOLDEN });
    assert.equal(r.code, 1, r.out);
    assert.ok(
      r.out.includes(
        `trace differs from golden trace ${PASSWD_GOLDEN} (jest -u or FILEMON_SIM_UPDATE=1 rewrites it):\n` +
          `    --- ${PASSWD_GOLDEN}\n    +++ actual trace\n    @@ -3,8 +3,7 @@\n     # Start 0.000000\n     V 5\n     E 2 /bin/sh\n    -W 2 /tmp/copy\n    -R 2 /etc/passwd\n    +R 2 /etc/hostname\n`,
      ),
      r.out,
    );
    assert.match(r.out, /\+ newly read: \/etc\/hostname\n\s+- no longer read: \/etc\/passwd/);
  });

  it('jest -u and FILEMON_SIM_UPDATE=1 rewrite the golden file; with --ci a missing one fails', async () => {
    const golden = join(dir, 'hostname.log');
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => jest(args, { FILES: 'golden.test.cjs', GOLDEN_CMD: 'cat /etc/hostname', GOLDEN_FILE: golden, ...env });
    await assertUpdateFlags(run, golden, PASSWD_GOLDEN, [['--ci'], {}], 'jest -u or FILEMON_SIM_UPDATE=1');
  });

  it("--shard=K/N splits the files as jest does, each machine's workers starting their own guests", async () => {
    await assertTwoShards(jest);
  });
});
