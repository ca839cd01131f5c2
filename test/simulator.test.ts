// The Simulator API other projects use in their tests, imported the way
// they import it.
import assert from 'node:assert/strict';
import { Simulator } from 'filemon-sim';

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

  it('returns the command\'s output and exit apart from the trace', async () => {
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
});
