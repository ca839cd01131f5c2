// Files crossing between host and guest: what each entry is survives both
// ways (symlinks, modes, times, hard links), special files are named and not
// copied, and neither side can be made to write outside the destination.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, Simulator, TransferError } from 'filemon-sim';
import { writeHostTree } from '../sim/node/host-tree.js';
import { encodeTree, EntryKind, type TreeEntry } from '../sim/transfer/tree.js';
import { runCli } from './helpers/cli.js';

const T2020 = new Date('2020-02-03T04:05:06Z').getTime() / 1000;
const T2019 = new Date('2019-01-01T00:00:00Z').getTime() / 1000;

/** An entry for crafted trees: what a guest (or a broken agent) might send. */
function entry(kind: EntryKind, name: string, more: Partial<TreeEntry> = {}): TreeEntry {
  const mode = kind === EntryKind.Dir ? 0o040755 : 0o100644;
  return { kind, name, mode, mtime: { sec: T2020, nsec: 0 }, atime: { sec: T2020, nsec: 0 }, link: '', data: new Uint8Array(0), ...more };
}

describe('transfers between host and guest', function () {
  this.timeout(300_000);
  let sim: Simulator;
  let dir: string;
  let secret: string;
  let src: string;
  const sh = async (cmd: string) => {
    const r = await sim.machine.exec(cmd);
    assert.equal(r.status, 0, `${cmd}: ${new TextDecoder().decode(r.stderr)}`);
    return new TextDecoder().decode(r.stdout);
  };

  before(async () => {
    sim = await Simulator.start();
    dir = mkdtempSync(join(tmpdir(), 'fms-transfer-'));
    // A host file outside the tree: its content must never reach the guest.
    secret = join(dir, 'secret');
    writeFileSync(secret, 'TOKEN-never-in-the-guest\n');
    src = join(dir, 'src');
    mkdirSync(join(src, 'd/old'), { recursive: true });
    writeFileSync(join(src, 'a'), 'alpha\n');
    writeFileSync(join(src, 'd/script'), '#!/bin/sh\necho hi\n', { mode: 0o750 });
    symlinkSync('../a', join(src, 'd/rel'));
    symlinkSync(secret, join(src, 'abs'));
    symlinkSync('no/such/target', join(src, 'dangling'));
    writeFileSync(join(src, 'd/old/f'), 'old\n');
    utimesSync(join(src, 'd/old/f'), T2020, T2020);
    utimesSync(join(src, 'd/old'), T2020, T2020);
    writeFileSync(join(src, 'one'), 'linked\n');
    linkSync(join(src, 'one'), join(src, 'd/two'));
    execFileSync('mkfifo', [join(src, 'fifo')]);
  });

  after(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('put keeps symlinks unfollowed, modes, mtimes and hard links, and names a FIFO', async () => {
    const report = await sim.put(src, '/tmp/in');
    assert.deepEqual(report.skipped, [{ path: join(src, 'fifo'), type: 'FIFO' }]);
    assert.deepEqual(report.refused, []);
    assert.equal(await sh('for l in d/rel abs dangling; do readlink /tmp/in/$l; done'), `../a\n${secret}\nno/such/target\n`);
    assert.equal(await sh('cat /tmp/in/d/rel'), 'alpha\n');
    assert.doesNotMatch(await sh('grep -r TOKEN /tmp/in || true'), /TOKEN/);
    assert.equal(await sh('stat -c "%a %Y" /tmp/in/d/script /tmp/in/d/old/f /tmp/in/d/old'), `750 ${Math.floor(lstatSync(join(src, 'd/script')).mtimeMs / 1000)}\n644 ${T2020}\n755 ${T2020}\n`);
    const [one, two] = (await sh('stat -c "%i %h" /tmp/in/one /tmp/in/d/two')).trim().split('\n');
    assert.equal(one, two, 'the hard-linked pair is one inode');
    assert.match(one, / 2$/);
    assert.equal(await sh('test -e /tmp/in/fifo || echo absent'), 'absent\n');
  });

  it('get brings the same back, names a guest FIFO, and keeps times to the microsecond', async () => {
    await sh(
      'mkdir -p /tmp/out/sub && echo x > /tmp/out/sub/x && ln -s x /tmp/out/sub/rel && ln -s /etc/shadow /tmp/out/abs' +
        ' && ln /tmp/out/sub/x /tmp/out/hard && mkfifo /tmp/out/fifo && chmod 700 /tmp/out/sub' +
        ' && touch -d "2020-02-03 04:05:06" /tmp/out/sub/x && touch -h -d "2019-01-01 00:00:00" /tmp/out/abs',
    );
    const out = join(dir, 'out');
    const report = await sim.get('/tmp/out', out);
    assert.deepEqual(report.skipped, [{ path: '/tmp/out/fifo', type: 'FIFO' }]);
    assert.equal(readlinkSync(join(out, 'sub/rel')), 'x');
    assert.equal(readlinkSync(join(out, 'abs')), '/etc/shadow');
    assert.equal(lstatSync(join(out, 'abs')).mtimeMs / 1000, T2019);
    assert.equal(lstatSync(join(out, 'sub/x')).mtimeMs / 1000, T2020);
    assert.equal(lstatSync(join(out, 'sub')).mode & 0o7777, 0o700);
    assert.equal(lstatSync(join(out, 'hard')).ino, lstatSync(join(out, 'sub/x')).ino);
    assert.equal(existsSync(join(out, 'fifo')), false);
    // And the host tree round-trips: guest -> host -> guest keeps the link text.
    await sim.put(out, '/tmp/again');
    assert.equal(await sh('readlink /tmp/again/abs'), '/etc/shadow\n');
  });

  it('strict fails on a FIFO and copies nothing', async () => {
    await assert.rejects(sim.put(src, '/tmp/strict', { strict: true }), (e: TransferError) => {
      assert.ok(e instanceof TransferError);
      assert.match(e.message, new RegExp(`put ${src} to /tmp/strict \\(strict\\): 1 entry not copied: ${join(src, 'fifo')} \\(a FIFO`));
      return true;
    });
    assert.equal(await sh('test -e /tmp/strict || echo absent'), 'absent\n');
    await assert.rejects(sim.get('/tmp/out', join(dir, 'strict'), { strict: true }), TransferError);
    assert.equal(existsSync(join(dir, 'strict')), false);
  });

  it('a guest cannot make the host write through a symlink, not even over two gets', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const dest = join(dir, 'twice');
    await sh(`mkdir -p /tmp/evil && ln -s ${outside} /tmp/evil/sub`);
    await sim.get('/tmp/evil', dest);
    assert.equal(readlinkSync(join(dest, 'sub')), outside);
    await sh('rm /tmp/evil/sub && mkdir /tmp/evil/sub && echo pwned > /tmp/evil/sub/file');
    await sim.get('/tmp/evil', dest);
    assert.equal(existsSync(join(outside, 'file')), false, 'written through the symlink');
    assert.equal(readFileSync(join(dest, 'sub/file'), 'utf8'), 'pwned\n');
    // What a hostile agent could send: a path through the link, "..", an absolute name, a link out.
    symlinkSync(outside, join(dest, 'link'));
    const refused = writeHostTree(dest, [
      entry(EntryKind.Dir, ''),
      entry(EntryKind.File, 'link/file', { data: new Uint8Array([1]) }),
      entry(EntryKind.File, '../escape'),
      entry(EntryKind.File, '/etc/x'),
      entry(EntryKind.Hardlink, 'h', { link: '../secret' }),
    ]);
    assert.deepEqual(
      refused.map((r) => [r.path.slice(dest.length), r.reason]),
      [
        ['/link/file', 'its path goes through a symlink or a file in the destination'],
        ['/../escape', 'the guest sent a "." or ".." component'],
        ['//etc/x', 'the guest sent an absolute name'],
        ['/h', 'the guest sent a hard link to a "." or ".." component'],
      ],
    );
    assert.equal(existsSync(join(outside, 'file')), false);
    assert.equal(existsSync(join(dir, 'escape')), false);
  });

  it('the guest side of put does not write through a symlink either, and names what it refused', async () => {
    await sh('mkdir -p /tmp/dst /tmp/elsewhere && ln -s /tmp/elsewhere /tmp/dst/sub');
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub/file'), 'in\n');
    await sim.put(tree, '/tmp/dst');
    assert.equal(await sh('test -e /tmp/elsewhere/file || echo absent; cat /tmp/dst/sub/file'), 'absent\nin\n');
    await sh('rm -r /tmp/dst/sub && ln -s /tmp/elsewhere /tmp/dst/sub');
    const refused = await sim.machine.putTree(
      '/tmp/dst',
      encodeTree([
        entry(EntryKind.Dir, ''),
        entry(EntryKind.File, 'sub/file', { data: new Uint8Array([1]) }),
        entry(EntryKind.File, '../up'),
        entry(EntryKind.Symlink, 'ok', { link: '../../anything' }),
      ]),
    );
    assert.deepEqual(refused, [
      { name: 'sub/file', reason: 'its path goes through a symlink or a file in the destination' },
      { name: '../up', reason: 'a "." or ".." component' },
    ]);
    assert.equal(await sh('test -e /tmp/elsewhere/file || echo absent; test -e /tmp/up || echo absent; readlink /tmp/dst/ok'), 'absent\nabsent\n../../anything\n');
  });

  it('bmake rebuilds exactly what is out of date after a put of a tree with older objects', async () => {
    const proj = join(dir, 'proj');
    mkdirSync(proj);
    writeFileSync(join(proj, 'Makefile'), 'prog: a.o b.o\n\tcat a.o b.o > prog\na.o: a.c\n\tcp a.c a.o\nb.o: b.c\n\tcp b.c b.o\n');
    const at = (f: string, day: number) => {
      if (!existsSync(join(proj, f))) writeFileSync(join(proj, f), `${f}\n`);
      utimesSync(join(proj, f), T2020 + day * 86400, T2020 + day * 86400);
    };
    at('Makefile', 0);
    at('a.c', 1);
    at('a.o', 2);
    at('b.o', 2);
    at('prog', 2);
    at('b.c', 3);
    await sim.put(proj, '/tmp/proj');
    const r = await sim.machine.exec('cd /tmp/proj && bmake');
    assert.equal(new TextDecoder().decode(r.stdout), 'cp b.c b.o\ncat a.o b.o > prog\n');
  });

  it('errors name their path once and say what to do', async () => {
    await assert.rejects(sim.machine.getFile('/home/nonexist'), (e: Error) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.message, 'cannot read the guest file /home/nonexist: No such file or directory; check the guest path');
      return true;
    });
    await assert.rejects(sim.get('/home/nonexist', join(dir, 'none')), /^AgentError: cannot read \/home\/nonexist in the guest: No such file or directory; check the guest path$/);
    await assert.rejects(sim.machine.mkdir('/proc/x'), /^AgentError: cannot create the guest directory \/proc\/x: [^:]+$/);
    await assert.rejects(sim.put(join(dir, 'no-such'), '/tmp/x'), new RegExp(`^Error: cannot read ${join(dir, 'no-such')} on the host \\(ENOENT: no such file or directory\\); check the path$`));
  });

  it('the CLI names what it did not copy on stderr, and a refusal or --strict fails the run', async () => {
    const out = join(dir, 'cli-out');
    const r = await runCli(['trace', '-q', '--put', `${src}:/home/in`, '--get', `/home/res:${out}`, '--cwd', '/home', '--', 'sh', '-c', 'mkdir res && cp in/a res/a && mkfifo res/p && ln -s a res/l']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^filemon-sim: --put ${src}:/home/in: not copied: ${join(src, 'fifo')} \\(a FIFO: FIFOs, sockets and device nodes are not copied\\); --strict makes this an error$`, 'm'),
    );
    assert.match(r.stderr, /^filemon-sim: --get \/home\/res:.*: not copied: \/home\/res\/p \(a FIFO/m);
    assert.equal(readlinkSync(join(out, 'l')), 'a');
    const strict = await runCli(['trace', '-q', '--strict', '--put', `${src}:/home/in`, '--', 'true']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /not copied \(--strict\): .*fifo \(a FIFO/);
    assert.match(strict.stderr, /a --put was refused \(see above\); nothing was run/);
    // A guest file in the way of a host directory: refused, named, exit status 1.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'x'), { recursive: true });
    const g = await runCli(['trace', '-q', '--get', `/home/b:${blocked}`, '--', 'sh', '-c', 'mkdir /home/b && echo f > /home/b/x']);
    assert.equal(g.code, 1, g.stderr);
    assert.match(g.stderr, new RegExp(`^filemon-sim: --get /home/b:${blocked}: refused ${join(blocked, 'x')}: a directory of that name is in the way$`, 'm'));
  });
});
