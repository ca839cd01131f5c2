// `filemon-sim` end to end: each test runs the real CLI, which restores
// the saved guest state and traces in the emulator.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '../sim/node/image.js';
import { guestRun } from '../sim/cli/common.js';
import { runCli } from './helpers/cli.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });

/** The log's lines with pids and times replaced, for exact comparison. */
function shape(log: string): string[] {
  const pids = new Map<string, string>();
  const pid = (p: string) => {
    if (!pids.has(p)) pids.set(p, `<PID${pids.size + 1}>`);
    return pids.get(p)!;
  };
  return log
    .trimEnd()
    .split('\n')
    .map((l) =>
      l
        .replace(/^# (Start|Stop) \d+\.\d{6}$/, '# $1 <TIME>')
        .replace(/^# Target pid (\d+)$/, (_, p: string) => `# Target pid ${pid(p)}`)
        .replace(/^([A-Z]) (\d+) (\d+)(?= |$)/, (_m, k: string, a: string, b: string) => (k === 'F' ? `F ${pid(a)} ${pid(b)}` : `${k} ${pid(a)} ${b}`))
        .replace(/^([ACDELMRWX]) (\d+) /, (_, k: string, p: string) => `${k} ${pid(p)} `),
    );
}

describe('filemon-sim CLI', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    await loadImage({ log: (m) => process.stderr.write(`      [image] ${m}\n`) });
    dir = mkdtempSync(join(tmpdir(), 'filemon-sim-cli-'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trace prints the raw log of a command, the command's output apart", async () => {
    const r = await cli(['trace', '--', 'sh', '-c', 'cat /etc/passwd > /home/copy; echo done']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(shape(r.stdout), [
      '# filemon version 5',
      '# Target pid <PID1>',
      '# Start <TIME>',
      'V 5',
      'E <PID2> /bin/sh',
      'W <PID2> /home/copy',
      'F <PID2> <PID3>',
      'E <PID3> /proc/self/exe',
      'R <PID3> /etc/passwd',
      'X <PID3> 0 0',
      'X <PID2> 0 0',
      '# Stop <TIME>',
      '# Bye bye',
    ]);
    assert.equal(r.stderr, 'done\n', "the command's stdout goes to stderr while the log is on stdout");
  });

  it("trace -o writes the log to a file and passes the command's output through; parse reads it back", async () => {
    const log = join(dir, 'copy.log');
    const r = await cli(['trace', '-o', log, '--', 'sh', '-c', 'echo out; echo err >&2; cp /etc/passwd /home/c2']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^R \d+ \/etc\/passwd$/m);
    assert.match(text, /^W \d+ \/home\/c2$/m);
    const p = await cli(['parse', log]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, text, 'parse prints a well-formed log back byte for byte');
  });

  it('--json, --tree and --deps give the parsed views', async () => {
    const cmd = ['--', 'sh', '-c', 'cd /home && echo x > a && mv a b && ln -s b c && rm b && (exit 3); exit 5'];
    const j = await cli(['trace', '--json', '-q', ...cmd]);
    assert.equal(j.code, 5);
    const json = JSON.parse(j.stdout) as { status: number; complete: boolean; events: Array<{ kind: string }> };
    assert.equal(json.status, 5);
    assert.equal(json.complete, true);
    assert.deepEqual([...new Set(json.events.map((e) => e.kind))].sort(), ['C', 'D', 'E', 'F', 'L', 'M', 'W', 'X']);
    assert.equal(json.events.filter((e) => e.kind === 'M').length, 1);

    const t = await cli(['trace', '--tree', '-q', ...cmd]);
    const lines = t.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^\d+ \/bin\/sh \[exit 5\] cd \/home$/);
    assert.ok(
      lines.some((l) => /^[├└]─ \d+ \(no exec\) \[exit 3\]$/.test(l)),
      t.stdout,
    );

    const d = await cli(['trace', '--deps', '-q', ...cmd]);
    assert.equal(d.stdout, 'written:\n  /home/a\nexecuted:\n  /bin/sh\ndeleted:\n  /home/b\nrenamed:\n  /home/a -> /home/b\nlinked:\n  /home/b -> /home/c\n');
  });

  it('--put copies into the guest before the run and --get copies out after it', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'alpha\n');
    writeFileSync(join(src, 'sub/b.bin'), Buffer.from([0, 1, 2, 255]));
    const out = join(dir, 'out');
    const r = await cli([
      'trace',
      '--put',
      `${src}:/home/in`,
      '--get',
      '/home/result:' + out,
      '--cwd',
      '/home',
      '--',
      'sh',
      '-c',
      'mkdir result && cp in/a.txt result/a.copy && cp in/sub/b.bin result/b.copy',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^R \d+ in\/a\.txt$/m);
    assert.match(r.stdout, /^W \d+ result\/b\.copy$/m);
    assert.equal(readFileSync(join(out, 'a.copy'), 'utf8'), 'alpha\n');
    assert.deepEqual([...readFileSync(join(out, 'b.copy'))], [0, 1, 2, 255]);
  });

  it("exits with the command's status, 128 + signal when it was killed", async () => {
    assert.equal((await cli(['trace', '-q', '--', 'sh', '-c', 'exit 7'])).code, 7);
    const k = await cli(['trace', '--', 'sh', '-c', 'kill -9 $$']);
    assert.equal(k.code, 137);
    assert.match(k.stdout, /^X \d+ 0 9$/m);
  });

  it('gives 127 and the trace for a command that does not exist', async () => {
    const r = await cli(['trace', '--', 'no-such-tool', 'arg']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /no-such-tool: command not found/);
    assert.match(r.stdout, /^X \d+ 127 0$/m);
    assert.match(r.stdout, /^# Bye bye$/m);
  });

  it('says what timed out, kills it, names what it killed and shows the whole log', async () => {
    const r = await cli(['trace', '--timeout', '1.5', '--', 'sh', '-c', 'cat /etc/group > /dev/null; sleep 60']);
    assert.equal(r.code, 124);
    const m = /sh -c cat \/etc\/group > \/dev\/null; sleep 60 timed out after 1500 ms; killed its \d+ process(?:es)? \(pids ([\d ]+)\)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.match(r.stdout, /^R \d+ \/etc\/group$/m);
    // The tracer outlived what it killed: each one's exit, then the footer.
    for (const pid of m[1].split(' ')) assert.match(r.stdout, new RegExp(`^X ${pid} 0 9$`, 'm'));
    assert.match(r.stdout, /\nX \d+ 0 9\n# Stop \d+\.\d{6}\n# Bye bye\n$/);
    const run = await cli(['run', '--timeout', '1', '--', 'sleep', '30']);
    assert.equal(run.code, 124, run.stderr);
    assert.match(run.stderr, /sleep 30 timed out after 1000 ms/);
  });

  it('refuses a timeout beyond what timers hold', async () => {
    const r = await cli(['trace', '--timeout', '99999999999', '--', 'true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--timeout 99999999999: at most \d+ seconds/);
  });

  it('finds a bad -o and a missing --put source before starting the guest', async () => {
    // With no image, anything that gets as far as the guest fails on the image instead.
    const env = { FILEMON_SIM_IMAGE_DIR: join(dir, 'no-image') };
    const o = await cli(['trace', '--no-build', '-o', '/nonexistent/x', '--', 'true'], env);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /-o \/nonexistent\/x: cannot write there \(\/nonexistent does not exist\); nothing was run/);
    const p = await cli(['trace', '--no-build', '--put', '/no/such/src:/home/x', '--', 'true'], env);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /--put \/no\/such\/src:.*cannot read \/no\/such\/src \(ENOENT\)/);
  });

  it('says clearly when the tracer cannot start the command', async () => {
    const r = await cli(['trace', '--cwd', '/no/such/dir', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the tracer did not start .*cannot change directory to \/no\/such\/dir/);
    assert.equal(r.stdout, '');
  });

  it('--memory sets the guest memory (the boot with it: simulator.test.ts)', async () => {
    const bad = await cli(['run', '--memory', '12', '--', 'true']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--memory wants whole MiB from 64 to 2048, got "12"/);
    assert.equal(guestRun({ memory: '320' }).boot.memoryMiB, 320);
    assert.equal(guestRun({}).boot.memoryMiB, undefined, 'the default size when not given');
  });

  it('explains a missing image in one line with what to do', async () => {
    const empty = join(dir, 'no-image');
    mkdirSync(empty, { recursive: true });
    const r = await cli(['trace', '--no-build', '--', 'true'], { FILEMON_SIM_IMAGE_DIR: empty });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /guest image is missing .*build it with: npm run images/);
  });

  it('parse lists malformed lines with their numbers and fails; and an incomplete log fails', async () => {
    const bad = join(dir, 'bad.log');
    writeFileSync(bad, '# filemon version 5\n# Target pid 1\n# Start 1.000000\nV 5\nR 2 /ok\nQ 2 /what\nF 2\n# Stop 2.000000\n# Bye bye\n');
    const r = await cli(['parse', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /2 malformed line\(s\)/);
    assert.match(r.stderr, /^line 6: /m);
    assert.match(r.stderr, /^line 7: /m);

    const cut = join(dir, 'cut.log');
    writeFileSync(cut, '# filemon version 5\n# Target pid 1\n# Start 1.000000\nV 5\nR 2 /ok\n');
    const c = await cli(['parse', '--deps', cut]);
    assert.equal(c.code, 1);
    assert.equal(c.stdout, 'read:\n  /ok\n');
    assert.match(c.stderr, /incomplete/);
  });

  it('trace --format meta writes a bmake .meta file (TARGET from --target or -o NAME.meta) that parse reads back', async () => {
    const meta = join(dir, 'copy.meta');
    const r = await cli(['trace', '--format', 'meta', '--cwd', '/home', '-o', meta, '--', 'sh', '-c', 'cat /etc/passwd > copy; echo done']);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(meta, 'utf8').split('\n');
    assert.deepEqual(lines.slice(0, 8), [
      '# Meta data file /home/copy.meta',
      "CMD sh -c 'cat /etc/passwd > copy; echo done'",
      'CWD /home',
      'TARGET copy',
      '-- command output --',
      'done',
      '',
      '-- filemon acquired metadata --',
    ]);
    const deps = await cli(['parse', '--deps', meta]);
    assert.equal(deps.code, 0, deps.stderr);
    assert.match(deps.stdout, /^read:\n {2}\/etc\/passwd\n/);
    // Without --cwd, CWD is where the guest's commands start: pwd says so.
    const named = await cli(['trace', '--format', 'meta', '--target', 'all', '-q', '--', 'pwd']);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /^# Meta data file \/all\.meta\nCMD pwd\nCWD \/\nTARGET all\n-- command output --\n\/\n\n/);
  });

  it('--format meta and --target say what they need before starting the guest', async () => {
    for (const [args, message] of [
      [['trace', '--format', 'meta', '--', 'true'], /--format meta needs --target NAME/],
      [['trace', '--target', 'x', '--', 'true'], /--target goes with --format meta/],
      [['trace', '--format', 'meta', '--target', 'x', '--json', '--', 'true'], /choose one of/],
      [['parse', '--format', 'meta', '-'], /--format meta goes with trace/],
    ] as [string[], RegExp][]) {
      const r = await cli(args, { FILEMON_SIM_IMAGE: join(dir, 'no-image') });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('parse finds the filemon section of a bmake .meta file', async () => {
    const meta = join(dir, 'hello.o.meta');
    writeFileSync(
      meta,
      '# Meta data file /home/obj/hello.o.meta\nCMD cc -c hello.c\nCWD /home\nTARGET hello.o\n-- command output --\n\n-- filemon acquired metadata --\n# filemon version 5\n# Target pid 10\n# Start 1.000000\nV 5\nE 11 /usr/bin/cc\nR 11 hello.c\nW 11 hello.o\nX 11 0 0\n# Stop 2.000000\n# Bye bye\n',
    );
    const r = await cli(['parse', '--deps', meta]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'read:\n  hello.c (relative, cwd unknown)\nwritten:\n  hello.o (relative, cwd unknown)\nexecuted:\n  /usr/bin/cc\n');
  });
});
