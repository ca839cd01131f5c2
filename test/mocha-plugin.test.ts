// The test-runner helpers in a project's own suite: the fixture project
// test/fixtures/mocha-project run by mocha with --require filemon-sim/mocha,
// serially and with --parallel --jobs 2 and in FILEMON_SIM_SHARD shares, and
// test/fixtures/node-test-project by `node --test` with filemon-sim/node-test.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { parseShard, shardFiles } from '../sim/testing/shard.js';
import { linkPackage, recordedFiles, runFixture, runMochaProject } from './helpers/runner-fixtures.js';

const mocha = runMochaProject;
const nodeTest = (file: string) => runFixture(['--test', file], {});

const files = recordedFiles;

describe('mocha plugin (filemon-sim/mocha)', function () {
  this.timeout(1_200_000);
  before(linkPackage);

  it('serially: one guest shared by all files, closed at the end', async () => {
    const r = await mocha([], { FILEMON_SIM_RESTORE: '' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /8 passing/);
    assert.deepEqual(files(r.records), ['a', 'b', 'c', 'd']);
    assert.equal(new Set(r.records.map((x) => x.guest)).size, 1, 'one guest for the whole run');
    // Without restoring, each file sees the markers of the files before it.
    for (const [i, x] of r.records.entries())
      assert.deepEqual(
        x.seen,
        r.records
          .slice(0, i)
          .map((y) => `marker-${y.file}`)
          .sort(),
      );
    // mocha ran without --exit: it only ends once the guest is closed.
  });

  it('serially with FILEMON_SIM_RESTORE=file: each file starts from the starting state, before its own before() hooks', async () => {
    const r = await mocha([], { FILEMON_SIM_RESTORE: 'file' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(files(r.records), ['a', 'b', 'c', 'd']);
    assert.equal(new Set(r.records.map((x) => x.guest)).size, 1);
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });

  it('with --parallel --jobs 2: one guest per worker, shared by the files it runs, restored per file', async () => {
    const r = await mocha(['--parallel', '--jobs', '2'], { FILEMON_SIM_RESTORE: 'file' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /8 passing/);
    assert.deepEqual(files(r.records), ['a', 'b', 'c', 'd']);
    const pids = new Set(r.records.map((x) => x.pid));
    assert.ok(pids.size <= 2 && !pids.has(process.pid), `workers: ${[...pids]}`);
    for (const pid of pids) {
      const guests = new Set(r.records.filter((x) => x.pid === pid).map((x) => x.guest));
      assert.equal(guests.size, 1, `worker ${pid} used one guest`);
    }
    assert.ok(r.records.length > pids.size, 'some worker ran two files');
    for (const x of r.records) assert.deepEqual(x.seen, [], `file ${x.file} saw ${x.seen}`);
  });
});

describe('mocha sharding (FILEMON_SIM_SHARD=K/N)', function () {
  this.timeout(1_200_000);
  before(linkPackage);

  it('deals the files out by their sorted relative paths: shares differ by one at most, hold every file once, whatever the order or checkout', () => {
    const files = ['z.test.js', 'a.test.js', 'sub/m.test.js', 'b.test.js', 'sub/c.test.js', 'q.test.js', 'k.test.js'];
    for (const n of [1, 2, 3, 7, 9]) {
      const shares = Array.from({ length: n }, (_, i) =>
        shardFiles(
          files.map((f) => `/ci/a/${f}`),
          { index: i + 1, count: n },
          '/ci/a',
        ),
      );
      const all = shares.flat();
      assert.deepEqual([...all].sort(), files.map((f) => `/ci/a/${f}`).sort(), `N=${n}: the union is every file, none twice`);
      const sizes = shares.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `N=${n}: sizes ${sizes}`);
      // Another machine: another checkout folder, another listing order.
      const other = shardFiles(
        [...files].reverse().map((f) => `/home/x/${f}`),
        { index: 1, count: n },
        '/home/x',
      );
      assert.deepEqual(other.map((f) => f.slice('/home/x/'.length)).sort(), shares[0].map((f) => f.slice('/ci/a/'.length)).sort());
    }
  });

  it('refuses a value that is not K/N, saying what it wants', () => {
    for (const v of ['3', '0/2', '3/2', 'a/b', '1/0']) assert.throws(() => parseShard(v), /FILEMON_SIM_SHARD=.* is not K\/N with 1 <= K <= N/);
    assert.equal(parseShard(''), undefined);
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  });

  it('N runs of the suite (serial and --parallel) together run each spec file exactly once', async () => {
    // One after another, as CI machines would run them side by side: each boots its own guest.
    const runs = [];
    for (const [k, args] of [
      ['1/3', []],
      ['2/3', ['--parallel', '--jobs', '2']],
      ['3/3', []],
    ] as [string, string[]][]) {
      runs.push(await mocha(args, { FILEMON_SIM_SHARD: k }));
    }
    for (const r of runs) assert.equal(r.code, 0, r.out);
    const ran = runs.map((r) => files(r.records));
    assert.deepEqual(ran.flat().sort(), ['a', 'b', 'c', 'd'], `shares: ${JSON.stringify(ran)}`);
    assert.deepEqual(
      ran.map((x) => x.length),
      [2, 1, 1],
    );
    assert.match(runs[0].out, /filemon-sim: shard 1\/3: 2 of 4 spec files/);
  });

  it('stops a run with a bad FILEMON_SIM_SHARD before any test', async () => {
    const r = await mocha([], { FILEMON_SIM_SHARD: '5/4' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /FILEMON_SIM_SHARD=5\/4 is not K\/N/);
    assert.deepEqual(r.records, []);
  });
});

describe('node:test helper (filemon-sim/node-test)', function () {
  this.timeout(600_000);
  before(linkPackage);

  it('starts a guest for the file, shares it between tests and closes it', async () => {
    const r = await nodeTest(join(packageRoot, 'test/fixtures/node-test-project/trace.test.mjs'));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^# pass 2$/m);
    assert.match(r.out, /^# fail 0$/m);
  });
});
