// Several Simulators in one Node process, from the same saved state, tracing
// at the same time: each gets its own log, files and guest state.
import assert from 'node:assert/strict';
import { Simulator } from 'filemon-sim';

describe('parallel Simulators', function () {
  this.timeout(600_000);
  let sims: Simulator[] = [];

  before(async () => {
    sims = await Promise.all([Simulator.start(), Simulator.start()]);
  });

  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
  });

  it('two Simulators tracing at the same time each get their own correct log', async () => {
    const rounds = 8;
    const run = async (sim: Simulator, name: string) => {
      const seen: string[] = [];
      for (let i = 0; i < rounds; i++) {
        const r = await sim.trace(['sh', '-c', `echo ${name}${i} > /tmp/${name}-${i}; cat /tmp/${name}-${i}`]);
        assert.equal(r.status, 0);
        assert.equal(new TextDecoder().decode(r.stdout), `${name}${i}\n`);
        assert.ok(r.trace.complete, 'a complete log');
        const paths = r.trace.events.flatMap((e) => ('path' in e ? [e.path] : []));
        assert.ok(paths.includes(`/tmp/${name}-${i}`), `${name} round ${i}: ${paths}`);
        for (const p of paths) assert.ok(!/^\/tmp\/[ab]-/.test(p) || p === `/tmp/${name}-${i}`, `${name} round ${i} saw ${p}`);
        seen.push(...paths);
      }
      return seen;
    };
    const [a, b] = await Promise.all([run(sims[0], 'a'), run(sims[1], 'b')]);
    assert.ok(a.length && b.length);
    // Each guest has only its own files.
    const ls = async (sim: Simulator) =>
      new TextDecoder()
        .decode((await sim.machine.exec('ls /tmp | grep -E "^[ab]-" | sort')).stdout)
        .trim()
        .split('\n');
    assert.deepEqual(
      await ls(sims[0]),
      Array.from({ length: rounds }, (_, i) => `a-${i}`),
    );
    assert.deepEqual(
      await ls(sims[1]),
      Array.from({ length: rounds }, (_, i) => `b-${i}`),
    );
  });

  it("moves large payloads through each guest's own 9p folder at the same time", async () => {
    const big = (seed: number) => Uint8Array.from({ length: 300_000 }, (_, i) => (i * seed) & 0xff);
    await Promise.all(sims.map((s, i) => s.machine.putFile('/home/big', big(i + 3))));
    const back = await Promise.all(sims.map(async (s) => (await s.trace(['cat', '/home/big'])).stdout));
    for (const [i, b] of back.entries()) assert.deepEqual(b, big(i + 3));
  });

  it('restores one without touching the other', async () => {
    await Promise.all(sims.map((s, i) => s.machine.putFile('/home/mark', `${i}`)));
    await sims[0].restore();
    assert.notEqual((await sims[0].machine.exec('cat /home/mark')).status, 0);
    assert.equal(new TextDecoder().decode((await sims[1].machine.exec('cat /home/mark')).stdout), '1');
  });
});
