// The Simulator API other projects use in their tests, imported the way
// they import it.
import assert from 'node:assert/strict';
import { AgentRestartedError, GuestPanicError, Simulator, TraceError, TraceTimeoutError } from 'filemon-sim';

describe('Simulator', function () {
  this.timeout(300_000);
  let sim: Simulator;

  before(async () => {
    sim = await Simulator.start();
  });

  after(async () => {
    await sim?.close();
  });

  // The README's example, kept word for word.
  it('traces a copy: it reads its source and writes its target', async () => {
    const { status, trace } = await sim.trace('cp /etc/passwd /home/copy');
    assert.equal(status, 0);
    const files = trace.files();
    assert.ok(files.read.some((f) => f.path === '/etc/passwd'));
    assert.ok(files.written.some((f) => f.path === '/home/copy'));
  });

  it("returns the command's output and exit apart from the trace", async () => {
    const r = await sim.trace(['sh', '-c', 'echo out; echo err >&2; exit 4']);
    assert.equal(r.status, 4);
    assert.equal(r.signal, 0);
    assert.equal(new TextDecoder().decode(r.stdout), 'out\n');
    assert.equal(new TextDecoder().decode(r.stderr), 'err\n');
    assert.ok(r.trace.complete);
    assert.equal(new TextDecoder().decode(r.log), r.trace.format());
  });

  it('goes back to the starting state only when asked', async () => {
    await sim.trace('echo kept > /home/state-marker');
    assert.equal((await sim.trace('cat /home/state-marker')).status, 0);
    const fresh = await sim.trace('cat /home/state-marker', { restore: true });
    assert.notEqual(fresh.status, 0, 'restore: true starts from the saved state, without the marker');
  });

  it('runs 100 traces in a row without growing guest or host memory', async () => {
    const memAvailable = async () => {
      const r = await sim.machine.exec(['sh', '-c', 'sync; echo 3 > /proc/sys/vm/drop_caches; grep MemAvailable /proc/meminfo']);
      return Number(/(\d+) kB/.exec(new TextDecoder().decode(r.stdout))![1]);
    };
    for (let i = 0; i < 5; i++) await sim.trace(['cat', '/etc/passwd']); // warm-up
    global.gc?.();
    const guestBefore = await memAvailable();
    const hostBefore = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) {
      const r = await sim.trace(['sh', '-c', `echo ${i} > /tmp/t; cat /tmp/t`]);
      assert.equal(new TextDecoder().decode(r.stdout), `${i}\n`);
      assert.ok(r.trace.events.some((e) => e.kind === 'W' && e.path === '/tmp/t'));
    }
    global.gc?.();
    const guestAfter = await memAvailable();
    const hostAfter = process.memoryUsage().rss;
    const guestLostKiB = guestBefore - guestAfter;
    const hostGrewMiB = (hostAfter - hostBefore) / 2 ** 20;
    process.stderr.write(`      guest MemAvailable ${guestBefore} -> ${guestAfter} kB; host RSS ${(hostBefore / 2 ** 20).toFixed(0)} -> ${(hostAfter / 2 ** 20).toFixed(0)} MiB\n`);
    assert.ok(guestLostKiB < 2048, `guest lost ${guestLostKiB} KiB of available memory over 100 traces`);
    assert.ok(hostGrewMiB < 96, `host RSS grew ${hostGrewMiB.toFixed(1)} MiB over 100 traces`);
  });

  it('runs a command line longer than a console frame holds inline', async () => {
    const long = 'x'.repeat(5000);
    const r = await sim.trace(`printf %s ${long} | wc -c`);
    assert.equal(new TextDecoder().decode(r.stderr), '');
    assert.equal(new TextDecoder().decode(r.stdout).trim(), '5000');
    const argv = await sim.trace(['sh', '-c', 'printf %s "$1" | wc -c', 'sh', long]);
    assert.equal(new TextDecoder().decode(argv.stdout).trim(), '5000');
  });

  it('gives concurrent traces each its own log', async () => {
    const names = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(names.map((n) => sim.trace(`echo ${n} > /tmp/conc-${n}; cat /tmp/conc-${n}`)));
    results.forEach((r, i) => {
      assert.equal(new TextDecoder().decode(r.stdout), `${names[i]}\n`);
      const written = r.trace.events.flatMap((e) => (e.kind === 'W' ? [e.path] : []));
      assert.deepEqual(written, [`/tmp/conc-${names[i]}`], `trace ${i} got ${JSON.stringify(written)}`);
    });
  });

  it('says so when the tracer never started, instead of a stale log', async () => {
    await sim.trace('cat /etc/passwd');
    await assert.rejects(sim.trace('cat /etc/group', { cwd: '/no/such/dir' }), (e: Error) => {
      assert.ok(e instanceof TraceError, String(e));
      assert.match(e.message, /did not start/);
      assert.match(e.message, /\/no\/such\/dir/);
      return true;
    });
    // The tool is found whatever PATH the command gets; the command is looked up in it.
    const r = await sim.trace(['cat', '/etc/group'], { env: { PATH: '/bin' } });
    assert.equal(r.status, 0, new TextDecoder().decode(r.stderr));
    assert.ok(r.trace.events.some((e) => e.kind === 'R' && e.path === '/etc/group'));
  });

  it('on a timeout kills the command, keeps tracing until its processes are gone and names them', async () => {
    const err = await sim.trace('sleep 60 & sleep 61 & cat /etc/group > /dev/null; wait', { timeoutMs: 1500 }).then(
      () => assert.fail('no timeout'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TraceTimeoutError, String(err));
    const { trace, killed } = err;
    assert.ok(trace.complete, 'the tracer closed the device itself: the log has its footer');
    const procs = trace.processes();
    for (const p of procs.all) assert.ok(p.exit, `process ${p.pid} has its X record\n${trace.format()}`);
    // The shell and its two sleeps were killed; cat had finished.
    const byKill = procs.all.filter((p) => p.exit?.signal === 9).map((p) => p.pid);
    assert.equal(byKill.length, 3, trace.format());
    assert.deepEqual(
      killed,
      byKill.sort((a, b) => a - b),
    );
    assert.match(err.message, /killed 3 processes/);
  });

  it('after kill -9 -1 in the guest says what happened and goes on', async () => {
    await assert.rejects(sim.trace('kill -9 -1; sleep 5'), (e: Error) => {
      assert.ok(e instanceof AgentRestartedError, String(e));
      assert.match(e.message, /killed by signal 9/);
      return true;
    });
    const r = await sim.trace('cat /etc/passwd');
    assert.equal(r.status, 0);
    assert.ok(r.trace.complete);
    await sim.restore();
  });

  it('fills the writable filesystems up to ENOSPC, never a kernel panic', async () => {
    const r = await sim.trace('for d in / /tmp /dev/shm /run /dev; do dd if=/dev/zero of=$d/fill bs=1M 2>&1 | grep -c "No space left"; done', { timeoutMs: 600_000 });
    assert.equal(new TextDecoder().decode(r.stdout), '1\n1\n1\n1\n1\n', new TextDecoder().decode(r.stderr));
    assert.equal((await sim.trace('rm /fill /tmp/fill /dev/shm/fill /run/fill /dev/fill')).status, 0);
    await sim.restore();
  });

  it('restores a guest whose kernel crashed', async () => {
    await assert.rejects(sim.machine.exec(['sh', '-c', 'echo c > /proc/sysrq-trigger; sleep 10']), (e: Error) => {
      assert.ok(e instanceof GuestPanicError, String(e));
      assert.match(e.message, /restore/);
      return true;
    });
    await assert.rejects(sim.trace('true'), GuestPanicError);
    const r = await sim.trace(['cat', '/etc/hostname'], { restore: true });
    assert.equal(new TextDecoder().decode(r.stdout), 'filemon-sim\n');
  });

  it('refuses a timeout no timer can hold, and a memory size the guest cannot have', async () => {
    await assert.rejects(sim.trace('true', { timeoutMs: 99_999_999_999 }), RangeError);
    assert.equal((await sim.trace('true')).status, 0, 'the machine is still fine');
    await assert.rejects(Simulator.start({ memoryMiB: 16 }), /16 MiB/);
  });

  it('boots with the memory size asked for', async function () {
    this.timeout(1_000_000); // a cold boot: slow when the machine is loaded
    const big = await Simulator.start({ memoryMiB: 320, savedState: false, bootTimeoutMs: 900_000 });
    try {
      const r = await big.trace(['grep', 'MemTotal', '/proc/meminfo']);
      const kib = Number(/(\d+) kB/.exec(new TextDecoder().decode(r.stdout))?.[1]);
      assert.ok(kib > 280 * 1024 && kib <= 320 * 1024, `MemTotal ${kib} kB`);
    } finally {
      await big.close();
    }
  });
});
