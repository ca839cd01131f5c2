// The test-runner helpers in a project's own suite: the fixture project
// test/fixtures/mocha-project run by mocha with --require filemon-sim/mocha,
// serially and with --parallel --jobs 2, and test/fixtures/node-test-project
// by `node --test` with filemon-sim/node-test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/layout.js';

const PROJECT = join(packageRoot, 'test/fixtures/mocha-project');
const MOCHA = join(packageRoot, 'node_modules/mocha/bin/mocha.js');

interface FileRecord {
  file: string;
  pid: number;
  guest: string;
  seen: string[];
}

/**
 * mocha imports --require'd modules from its own folder, so the package
 * must be in node_modules under its name, as in a user's project: a link
 * to this package (npm link's layout).
 */
function linkPackage(): void {
  const link = join(packageRoot, 'node_modules/filemon-sim');
  if (existsSync(link) || (() => { try { return lstatSync(link).isSymbolicLink(); } catch { return false; } })()) return;
  symlinkSync('..', link, 'dir');
}

function mocha(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; records: FileRecord[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'filemon-sim-mocha-'));
  const results = join(dir, 'results.jsonl');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOCHA, '--no-config', '--require', 'filemon-sim/mocha', '--timeout', '600000', ...args,
      join(PROJECT, '*.test.mjs')], { cwd: packageRoot, env: { ...process.env, ...env, RESULTS: results }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const records = existsSync(results) ? readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FileRecord) : [];
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, out, records });
    });
  });
}

function nodeTest(file: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', file], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

const files = (rs: FileRecord[]) => rs.map((r) => r.file).sort();

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
    r.records.forEach((x, i) => assert.deepEqual(x.seen, r.records.slice(0, i).map((y) => `marker-${y.file}`).sort()));
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
