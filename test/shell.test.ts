// The traced interactive shell through the real emulator: fms-shell in the
// guest on /dev/hvc1 (terminal) and /dev/hvc2 (live filemon log).
import assert from 'node:assert/strict';
import type { Machine } from '../sim/guest/machine.js';
import { traceParser } from '../sim/node/parser-wasm.js';
import { ShellSession, type CommandGroup } from '../sim/guest/shell-session.js';
import { formatEntry } from '../sim/trace/index.js';
import { sharedGuest } from './helpers/guest.js';

describe('traced interactive shell', function () {
  this.timeout(120_000);
  let machine: Machine;
  let session: ShellSession;
  let screen = '';
  let shown: (() => void) | undefined;
  /** Resolves once the terminal has shown text matching re. */
  const onScreen = (re: RegExp) =>
    new Promise<void>((resolve) => {
      shown = () => re.test(screen) && resolve();
      shown();
    });

  // On a guest that was saved and restored, as a user's may be: v86 used to
  // set the TSC back by seconds then, the guest's clock stood still and
  // fms-shell gave no prompt (sim/guest/restore-tsc.ts).
  before(async () => {
    machine = await sharedGuest();
    await machine.restoreState(await machine.saveState());
  });

  beforeEach(async () => {
    screen = '';
    session = new ShellSession(machine, {
      parser: traceParser(),
      onOutput: (d) => {
        screen += new TextDecoder().decode(d);
        shown?.();
      },
    });
    const first = session.nextPrompt();
    session.start(24, 80);
    await first;
  });

  afterEach(async () => {
    if (session.running) {
      const end = session.ended();
      session.stop();
      await end;
    }
    session.close();
  });

  const lines = (g: CommandGroup) => g.events.map((e) => formatEntry(e).trimEnd());

  async function run(cmd: string): Promise<CommandGroup> {
    const prompt = session.nextPrompt();
    session.input(`${cmd}\r`);
    return prompt;
  }

  it('traces a command line: R and W of cat /etc/passwd > /home/copy, then a prompt again', async () => {
    const before = screen.length;
    const g = await run('cat /etc/passwd > /home/copy');
    assert.equal(g.line, 'cat /etc/passwd > /home/copy');
    const recs = lines(g);
    const w = recs.find((l) => /^W \d+ \/home\/copy$/.test(l));
    const r = recs.find((l) => /^R \d+ \/etc\/passwd$/.test(l));
    assert.ok(w && r, recs.join('\n'));
    // busybox ash runs its applets (cat is one) as /proc/self/exe
    assert.ok(
      recs.some((l) => /^E \d+ (\/bin\/cat|\/proc\/self\/exe)$/.test(l)),
      recs.join('\n'),
    );
    assert.ok(
      recs.some((l) => /^X \d+ 0 0$/.test(l)),
      recs.join('\n'),
    );
    // The prompt came back on the terminal, without the marker.
    await new Promise((r) => setTimeout(r, 50));
    const after = screen.slice(before);
    assert.match(after, /cat \/etc\/passwd > \/home\/copy\r\n/);
    assert.match(after, /~ # (\x1b\[6n)?$/); // busybox asks the terminal where the cursor is
    assert.doesNotMatch(screen, /fms-prompt/);
    assert.equal((await machine.exec('cmp /etc/passwd /home/copy && rm /home/copy')).status, 0);
  });

  it('Ctrl-C interrupts the foreground command: its signals are not ignored, it dies of SIGINT, a prompt comes back', async () => {
    const prompt = session.nextPrompt();
    session.input(`sh -c 'grep -E "^Sig(Ign|Cgt)" /proc/self/status; echo started; exec sleep 30'\r`);
    await onScreen(/^started\r?$/m);
    const ign = /SigIgn:\s*([0-9a-f]+)/.exec(screen);
    assert.ok(ign, screen);
    assert.equal(BigInt(`0x${ign[1]}`) & 0b110n, 0n, `SIGINT or SIGQUIT ignored (SigIgn ${ign[1]})`);
    const t = performance.now();
    session.input('\x03');
    const g = await prompt;
    assert.ok(performance.now() - t < 20_000, 'the prompt came back only when sleep ended');
    assert.ok(
      lines(g).some((l) => /^X \d+ 0 2$/.test(l)),
      lines(g).join('\n'),
    );
  });

  it('groups by command line: builtins, pipelines, and an Enter typed into a running command', async () => {
    const a = await run('echo hi > /tmp/b1');
    assert.deepEqual(
      lines(a).filter((l) => !l.startsWith('X')),
      [`W ${session.shellPid} /tmp/b1`],
    );
    const b = await run('cat /etc/passwd | wc -l');
    assert.ok(lines(b).filter((l) => l.startsWith('E ')).length === 2, lines(b).join('\n'));
    // `cat` reads a line from the terminal: that Enter is cat's, not a new command line.
    const prompt = session.nextPrompt();
    session.input('head -n 1 > /tmp/b2\r');
    await new Promise((r) => setTimeout(r, 300));
    session.input('typed into head\r');
    const c = await prompt;
    assert.ok(lines(c).some((l) => /^W \d+ \/tmp\/b2$/.test(l)));
    assert.equal(session.commands[session.commands.length - 1], c);
    assert.equal(new TextDecoder().decode((await machine.exec('cat /tmp/b2')).stdout), 'typed into head\n');
  });

  it('groups lines typed ahead in one go by the command line each one is', async () => {
    const n = session.commands.length;
    const done = session.waitFor((e) => (e.type === 'prompt' && e.command.line === 'cat /tmp/ta1' ? e.command : undefined), 30_000);
    session.input('echo one > /tmp/ta1\rcat /tmp/ta1\r');
    const second = await done;
    const first = session.commands[n];
    assert.equal(first.line, 'echo one > /tmp/ta1');
    assert.deepEqual(lines(first), [`W ${session.shellPid} /tmp/ta1`]);
    assert.equal(session.commands[n + 1], second);
    assert.ok(
      lines(second).some((l) => /^R \d+ \/tmp\/ta1$/.test(l)),
      lines(second).join('\n'),
    );
    assert.ok(!lines(second).some((l) => l.startsWith('W ')), lines(second).join('\n'));
  });

  it('gives a line typed while a command runs a group of its own, once the shell reads it', async () => {
    const done = session.waitFor((e) => (e.type === 'prompt' && e.command.line === 'cat /etc/hostname' ? e.command : undefined), 30_000);
    session.input('sleep 1\r');
    await onScreen(/sleep 1\r\n/);
    session.input('cat /etc/hostname\r');
    const typed = await done;
    const sleep = session.commands.find((g) => g.line === 'sleep 1')!;
    assert.ok(
      lines(typed).some((l) => /^R \d+ \/etc\/hostname$/.test(l)),
      lines(typed).join('\n'),
    );
    assert.ok(!lines(sleep).some((l) => /hostname/.test(l)), lines(sleep).join('\n'));
    assert.ok(!typed.completion);
  });

  it('groups the reads of Tab completion apart, as completion, not in the finished line', async () => {
    const g = await run('true');
    const at = session.waitFor((e) => (e.type === 'entries' && e.command.completion ? e.command : undefined), 10_000);
    session.input('ls /us\t');
    const c = await at;
    assert.equal(c.line, '');
    assert.ok(
      lines(c).some((l) => /^R \d+ \//.test(l)),
      lines(c).join('\n'),
    );
    assert.ok(!lines(g).some((l) => /^R \d+ \/(usr)?\/?$/.test(l)), lines(g).join('\n'));
    const next = await run('\x15true');
    assert.notEqual(next, c);
    assert.ok(c.completion, 'still completion once a command line follows');
  });

  it('ends with the footer when the shell exits, and forwards the window size', async () => {
    const g = await run('stty size');
    assert.match(screen, /24 80\r\n/);
    void g;
    session.resize(30, 100);
    await new Promise((r) => setTimeout(r, 100));
    screen = '';
    await run('stty size');
    assert.match(screen, /30 100\r\n/);
    const end = session.ended();
    session.input('exit 3\r');
    assert.equal(await end, 'exit 3');
    const log = new TextDecoder().decode(session.logBytes());
    assert.match(log, /^# filemon version 5\n# Target pid \d+\n# Start \d+\.\d{6}\nV 5\nE \d+ \/bin\/sh\n/);
    assert.match(log, /\n# Stop \d+\.\d{6}\n# Bye bye\n$/);
    assert.ok(traceParser().parseTrace(log).complete);
  });
});
