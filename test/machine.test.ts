// The foundation: the guest boots in v86 and runs commands for the host.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AgentError, CommandTimeoutError, GuestPanicError, MachineClosedError, BootTimeoutError } from '../sim/errors.js';
import type { Machine } from '../sim/guest/machine.js';
import { bootMachine, isZstd } from '../sim/node/boot.js';
import { loadImage } from '../sim/node/image.js';
import { dropPageCache } from '../sim/guest/snapshot.js';
import { sharedGuest, text } from './helpers/guest.js';

/** Bytes a..a+n of a repeatable pattern that runs through every byte value. */
function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 8)) & 0xff;
  return out;
}

describe('guest machine', function () {
  this.timeout(180_000);
  let m: Machine;

  before(async () => {
    m = await sharedGuest();
  });

  it('boots and runs echo', async () => {
    const r = await m.exec('echo hello from the guest');
    assert.equal(r.status, 0);
    assert.equal(r.signal, 0);
    assert.equal(text(r.stdout), 'hello from the guest\n');
    assert.equal(text(r.stderr), '');
  });

  it('runs our own kernel, which names our build', async () => {
    const { manifest } = await loadImage({ build: false });
    const r = await m.exec(['uname', '-r']);
    assert.equal(text(r.stdout), `${manifest.kernelRelease}\n`);
    assert.match(manifest.kernelRelease, /^6\.1\.\d+-filemon-sim$/);
    // uname -v: kbuild's version (ours) and the source package's date, never the build's.
    const v = await m.exec(['uname', '-v']);
    assert.match(text(v.stdout), /^#filemon-sim /);
    const proc = await m.exec(['cat', '/proc/version']);
    assert.match(text(proc.stdout), /^Linux version 6\.1\.\d+-filemon-sim \(filemon-sim@filemon-sim\)/);
    // Built in: no driver is a module, and nothing but filemon.ko is loaded.
    assert.equal(text((await m.exec('cut -d" " -f1 /proc/modules')).stdout), 'filemon\n');
  });

  it('runs an argv without a shell, searching PATH', async () => {
    const r = await m.exec(['uname', '-m']);
    assert.equal(text(r.stdout), 'i686\n');
  });

  it('reports exit codes', async () => {
    for (const code of [0, 1, 3, 42, 255]) {
      const r = await m.exec(`exit ${code}`);
      assert.equal(r.status, code);
      assert.equal(r.signal, 0);
    }
  });

  it('reports the terminating signal', async () => {
    const r = await m.exec('kill -TERM $$; sleep 5');
    assert.equal(r.signal, 15);
    assert.equal(r.status, 0);
    const k = await m.exec(['sh', '-c', 'kill -KILL $$']);
    assert.equal(k.signal, 9);
  });

  it('answers 127 and says so for a command that does not exist', async () => {
    const r = await m.exec(['no-such-command', 'x']);
    assert.equal(r.status, 127);
    assert.match(text(r.stderr), /no-such-command: command not found/);
  });

  it('carries all 256 byte values on stdout', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const escapes = [...all].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
    const r = await m.exec(['printf', escapes]);
    assert.deepEqual(r.stdout, all);
  });

  it('keeps stderr apart from stdout', async () => {
    const r = await m.exec('echo out; echo err >&2; echo out2; echo err2 >&2');
    assert.equal(text(r.stdout), 'out\nout2\n');
    assert.equal(text(r.stderr), 'err\nerr2\n');
  });

  it('returns 1 MiB and 16 MiB of stdout intact', async () => {
    for (const size of [1 << 20, 16 << 20]) {
      const expected = pattern(size);
      await m.putFile('/tmp/pattern.bin', expected);
      const r = await m.exec(`cat /tmp/pattern.bin; echo done >&2`);
      assert.equal(r.stdout.length, size);
      assert.ok(Buffer.from(r.stdout).equals(Buffer.from(expected)), `stdout of ${size} bytes differs`);
      assert.equal(text(r.stderr), 'done\n');
    }
    await m.exec('rm /tmp/pattern.bin');
  });

  it('passes stdin through, small and large, binary-safe', async () => {
    const small = await m.exec(['wc', '-c'], { stdin: 'twelve bytes' });
    assert.equal(text(small.stdout).trim(), '12');
    const big = pattern(3 << 20);
    const r = await m.exec(['cat'], { stdin: big });
    assert.ok(Buffer.from(r.stdout).equals(Buffer.from(big)));
    const none = await m.exec(['cat']);
    assert.equal(none.stdout.length, 0, 'no stdin means an empty one, not a hang');
  });

  it('honours cwd and env', async () => {
    const r = await m.exec('pwd; echo "$GREETING" "$HOME"', { cwd: '/proc', env: { GREETING: 'hi there', HOME: '/home' } });
    assert.equal(text(r.stdout), '/proc\nhi there /home\n');
    const bad = await m.exec('pwd', { cwd: '/nonexistent' });
    assert.equal(bad.status, 126);
    assert.match(text(bad.stderr), /cannot change directory to \/nonexistent: No such file or directory/);
  });

  it('runs 50 commands in a row', async () => {
    for (let i = 0; i < 50; i++) {
      const r = await m.exec(['echo', String(i)]);
      assert.equal(text(r.stdout), `${i}\n`);
    }
  });

  it('puts files into the guest and gets them back', async () => {
    const small = new TextEncoder().encode('a small file\n');
    await m.putFile('/home/put/deep/small.txt', small, 0o600);
    assert.deepEqual(await m.getFile('/home/put/deep/small.txt'), small);
    const mode = await m.exec(['stat', '-c', '%a', '/home/put/deep/small.txt']);
    assert.equal(text(mode.stdout), '600\n');

    const big = pattern(5 << 20);
    await m.putFile('/home/put/big.bin', big);
    const sum = await m.exec(['wc', '-c', '/home/put/big.bin']);
    assert.equal(text(sum.stdout), `${big.length} /home/put/big.bin\n`);
    assert.ok(Buffer.from(await m.getFile('/home/put/big.bin')).equals(Buffer.from(big)));

    await assert.rejects(m.getFile('/home/put/missing'), /^AgentError: cannot read the guest file \/home\/put\/missing: No such file or directory; check the guest path$/);
    await assert.rejects(m.putFile('relative/path', 'x'), /absolute guest path/);
    await m.exec('rm -r /home/put');
  });

  it('streams a 64 MiB file both ways (the agent never holds it whole)', async () => {
    const big = pattern(64 << 20);
    let back: Uint8Array;
    try {
      await m.putFile('/home/huge.bin', big);
      back = await m.getFile('/home/huge.bin');
    } finally {
      await m.exec('rm -f /home/huge.bin');
    }
    assert.equal(back.length, big.length);
    assert.ok(Buffer.from(back).equals(Buffer.from(big)));
  });

  it('kills a timed-out command with its whole process tree, and goes on', async () => {
    const started = Date.now();
    await assert.rejects(m.exec('sleep 300 & setsid sleep 301 & echo started; sleep 302', { timeoutMs: 1500 }), (e: unknown) => {
      assert.ok(e instanceof CommandTimeoutError);
      assert.match(e.message, /sleep 302.*timed out after 1500 ms/);
      assert.equal(text(e.result!.stdout), 'started\n');
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
    const ps = await m.exec('ps -o args | grep "sleep 30[012]" || true');
    assert.equal(text(ps.stdout), '', 'no sleep of the killed command survives');
    const after = await m.exec('echo still usable');
    assert.equal(text(after.stdout), 'still usable\n');
  });

  it('ends what a command left running when it exits', async () => {
    const r = await m.exec('sleep 200 & echo bye');
    assert.equal(text(r.stdout), 'bye\n');
    const ps = await m.exec('ps -o args | grep "sleep 20[0]" || true');
    assert.equal(text(ps.stdout), '');
  });

  it('restores the zstd-compressed state file and runs commands', async () => {
    const { machine, info } = await bootMachine();
    try {
      assert.equal(info.start, 'restored');
      assert.match(info.statePath, /\.zst$/);
      assert.ok(isZstd(readFileSync(info.statePath)), 'the state file is a zstd frame');
      const r = await machine.exec('echo restored; cat /proc/uptime >/dev/null');
      assert.equal(text(r.stdout), 'restored\n');
      assert.equal((await machine.exec(['true'])).status, 0);
    } finally {
      await machine.close();
    }
  });

  it('zeroes memory the guest frees, so a saved state keeps no stale pages', async () => {
    // Its own guest: it drops the page cache and reads v86's memory.
    const { machine } = await bootMachine();
    try {
      // Pages wholly of 0xa5 in guest RAM (v86's view): none occur by chance.
      const stalePages = () => {
        const mem = (machine as unknown as { emulator: { v86: { cpu: { mem8: Uint8Array } } } }).emulator.v86.cpu.mem8;
        const words = new Uint32Array(mem.buffer, mem.byteOffset, mem.byteLength >> 2);
        let n = 0;
        for (let p = 0; p < words.length; p += 1024) {
          let i = p;
          while (i < p + 1024 && words[i] === 0xa5a5a5a5) i++;
          if (i === p + 1024) n++;
        }
        return n;
      };
      assert.equal((await machine.exec("head -c 16m /dev/zero | tr '\\0' '\\245' > /tmp/stale")).status, 0);
      assert.ok(stalePages() >= 4000, `the file's pages are seen in guest memory (${stalePages()})`);
      await machine.exec('rm /tmp/stale');
      await dropPageCache(machine);
      assert.equal(stalePages(), 0, 'pages freed by the guest are zero');
    } finally {
      await machine.close();
    }
  });

  it('restores a saved state', async () => {
    await m.exec('mkdir -p /home/restore && echo before > /home/restore/marker');
    const state = await m.saveState();
    await m.exec('echo after > /home/restore/marker; touch /home/restore/later');
    await m.restoreState(state);
    assert.equal(text((await m.exec('cat /home/restore/marker; ls /home/restore')).stdout), 'before\nmarker\n');

    const { machine: other, info } = await bootMachine({ state, savedState: false });
    try {
      assert.equal(info.start, 'restored');
      assert.equal(text((await other.exec('cat /home/restore/marker')).stdout), 'before\n');
      const clock = Number(text((await other.exec('date +%s')).stdout));
      assert.ok(Math.abs(clock - Date.now() / 1000) < 5, 'the guest clock follows the host after a restore');
    } finally {
      await other.close();
    }
    await m.exec('rm -rf /home/restore');
  });

  it('keeps the guest clock running across a save and restore', async () => {
    // The TSC is Linux's clock here. Had it gone back, the guest would keep
    // its time still until the TSC caught up: sleeps, poll timeouts and
    // timers would stop (fms-shell then never gave a prompt).
    const cpu = (m as unknown as { emulator: { v86: { cpu: { store_current_tsc(): void; current_tsc: Uint32Array } } } }).emulator.v86.cpu;
    const tscMs = () => {
      cpu.store_current_tsc();
      return (cpu.current_tsc[0] + cpu.current_tsc[1] * 2 ** 32) / 1e6; // v86 counts 10^9 per second
    };
    const uptime = async () => Number(text((await m.exec('cat /proc/uptime')).stdout).split(' ')[0]);
    const state = await m.saveState();
    const atSave = tscMs();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await m.restoreState(state);
    const restoring = performance.now() - t0;
    // From the saved value on, plus at most the time restoreState took; the 300 ms before must not count.
    const jump = tscMs() - atSave;
    assert.ok(jump >= 0 && jump <= restoring + 20, `the TSC moved ${jump.toFixed(0)} ms in a restore of ${restoring.toFixed(0)} ms`);
    const before = await uptime();
    await new Promise((r) => setTimeout(r, 1000));
    const ran = (await uptime()) - before;
    assert.ok(ran > 0.5 && ran < 2, `the guest's clock ran ${ran.toFixed(2)} s in 1 s of host time`);
  });
});

describe('guest machine failures', function () {
  this.timeout(180_000);

  it('rejects the request a dying agent was serving, and goes on with the new agent', async () => {
    const { machine } = await bootMachine();
    try {
      await assert.rejects(machine.exec('kill -KILL $PPID; sleep 10'), (e: unknown) => {
        assert.ok(e instanceof AgentError, String(e));
        assert.match(e.message, /guest agent restarted/);
        return true;
      });
      assert.equal(new TextDecoder().decode((await machine.exec(['echo', 'back'])).stdout), 'back\n');
    } finally {
      await machine.close();
    }
  });

  it('rejects the pending call with the console text on a kernel panic', async () => {
    const { machine } = await bootMachine();
    try {
      await assert.rejects(machine.exec('echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger'), (e: unknown) => {
        assert.ok(e instanceof GuestPanicError, String(e));
        assert.match(e.console, /sysrq triggered crash|Kernel panic/);
        return true;
      });
      await assert.rejects(machine.exec('true'), GuestPanicError);
    } finally {
      await machine.close();
    }
  });

  it('says so when a boot does not finish in time', async () => {
    await assert.rejects(bootMachine({ savedState: false, bootTimeoutMs: 500 }), (e: unknown) => {
      assert.ok(e instanceof BootTimeoutError);
      assert.match(e.message, /did not become ready within 500 ms/);
      return true;
    });
  });

  it('refuses calls after close', async () => {
    const { machine } = await bootMachine();
    await machine.close();
    await assert.rejects(machine.exec('true'), (e: unknown) => e instanceof MachineClosedError && /exec: the machine is closed/.test(e.message));
    await assert.rejects(machine.getFile('/etc/passwd'), MachineClosedError);
  });
});
