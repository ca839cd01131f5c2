// Restoring the starting state keeps v86's compiled code for the pages that
// did not change (sim/guest/restore-in-place.ts): the guest is back in its saved
// state, and the traces after a restore run warm.
import assert from 'node:assert/strict';
import { Simulator } from 'filemon-sim';

/** Blocks v86 has compiled to WebAssembly and installed (its table slots 1024..1923). */
function compiledBlocks(sim: Simulator): number {
  const cpu = (sim.machine as unknown as { emulator: { v86: { cpu: { wm: { wasm_table: WebAssembly.Table } } } } }).emulator.v86.cpu;
  let n = 0;
  for (let i = 0; i < 900; i++) if (cpu.wm.wasm_table.get(1024 + i)) n++;
  return n;
}

describe('restore keeps the JIT', function () {
  this.timeout(600_000);
  let sim: Simulator;
  before(async () => (sim = await Simulator.start()));
  after(() => sim?.close());

  it('keeps the compiled code of unchanged pages and brings the guest back', async () => {
    for (let i = 0; i < 40; i++) await sim.trace('true');
    const warm = compiledBlocks(sim);
    assert.ok(warm > 20, `${warm} blocks compiled after 40 traces`);
    for (let round = 0; round < 5; round++) {
      await sim.machine.putFile('/home/marker', `${round}`);
      await sim.trace(`dd if=/dev/urandom of=/tmp/noise bs=64k count=${round + 1} 2>/dev/null; cat /home/marker`);
      await sim.restore();
      const kept = compiledBlocks(sim);
      assert.ok(kept >= warm / 2, `round ${round}: ${kept} of ${warm} compiled blocks kept`);
      assert.notEqual((await sim.machine.exec('cat /home/marker')).status, 0, 'the marker is gone');
      assert.notEqual((await sim.machine.exec('ls /tmp/noise')).status, 0, 'the noise file is gone');
      const r = await sim.trace(['sh', '-c', `echo ${round} > /tmp/r; cat /tmp/r`]);
      assert.equal(new TextDecoder().decode(r.stdout), `${round}\n`);
      assert.ok(r.trace.events.some((e) => e.kind === 'W' && e.path === '/tmp/r'));
    }
  });
});
