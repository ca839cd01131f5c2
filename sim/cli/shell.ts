// `filemon-sim shell`: an interactive shell in the guest on this terminal,
// every command traced by /dev/filemon. After each command line its records
// are listed on stderr; --log FILE keeps the whole live log.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { bootMachine } from '../node/boot.js';
import { traceParser } from '../node/parser-wasm.js';
import { ShellSession, type CommandGroup } from '../guest/shell-session.js';
import { formatEntry } from '../trace/index.js';
import { parseOptions, progress } from './common.js';

const QUIT = 0x1d; // Ctrl-]
const LETTER_COLOURS: Record<string, string> = { R: '32', W: '33', E: '35', F: '36', X: '36', D: '31', M: '34', L: '34', A: '32', C: '37' };

export async function shellCommand(args: string[]): Promise<number> {
  const { values } = parseOptions('shell', () =>
    parseArgs({
      args,
      options: {
        log: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        max: { type: 'string' },
        cold: { type: 'boolean' },
        deterministic: { type: 'boolean' },
      },
    }),
  );
  const maxLines = values.max === undefined ? 20 : Math.max(0, Number(values.max) | 0);
  const { machine, info } = await bootMachine({ savedState: !values.cold, log: progress, deterministic: !!values.deterministic });
  progress(`guest ${info.start === 'restored' ? 'restored' : 'booted'} in ${(info.ms / 1000).toFixed(2)} s`);
  const stdin = process.stdin;
  const stdout = process.stdout;
  const tty = stdin.isTTY === true;
  const colour = process.stderr.isTTY === true;
  const log = values.log ? createWriteStream(values.log) : undefined;

  const session = new ShellSession(machine, {
    parser: traceParser(),
    onOutput: (d) => stdout.write(d),
  });

  const summary = (g: CommandGroup): void => {
    if (values.quiet || g.index === 0) return;
    const lines = g.events.map((e) => formatEntry(e).trimEnd());
    const shown = maxLines ? lines.slice(0, maxLines) : [];
    const out: string[] = [];
    const head = `[filemon] ${g.completion ? '(at the prompt: completion)' : g.line || '(command)'}: ${lines.length} record${lines.length === 1 ? '' : 's'}`;
    out.push(colour ? `\x1b[2m${head}\x1b[0m` : head);
    for (const l of shown) out.push(colour ? `  \x1b[${LETTER_COLOURS[l[0]] ?? '0'}m${l}\x1b[0m` : `  ${l}`);
    if (lines.length > shown.length && maxLines) out.push(`  ... ${lines.length - shown.length} more (--max N, or --log FILE for all)`);
    process.stderr.write(out.join('\r\n') + '\r\n');
  };

  const done = new Promise<string>((resolve) => {
    session.on((e) => {
      if (e.type === 'log') log?.write(e.bytes);
      else if (e.type === 'prompt') summary(e.command);
      else if (e.type === 'warning') process.stderr.write(`filemon-sim: ${e.message}\r\n`);
      else if (e.type === 'session-end') resolve(e.status);
    });
  });

  const restore = (): void => {
    if (tty) stdin.setRawMode(false);
    stdin.pause();
  };
  process.on('exit', restore);
  let quit = false;
  const onData = (d: Buffer): void => {
    const i = tty ? d.indexOf(QUIT) : -1;
    if (i >= 0) {
      if (i > 0) session.input(new Uint8Array(d.subarray(0, i)));
      quit = true;
      session.stop();
      return;
    }
    session.input(new Uint8Array(d));
  };
  const onResize = (): void => session.resize(stdout.rows, stdout.columns);

  if (tty) stdin.setRawMode(true);
  stdin.on('data', onData);
  // End of piped input: an EOF (Ctrl-D) for the shell, as a terminal would send.
  stdin.on('end', () => session.input(new Uint8Array([4])));
  if (stdout.isTTY) stdout.on('resize', onResize);
  progress(`traced shell: every command is logged by /dev/filemon${tty ? '; Ctrl-] or exit to leave' : ''}`);
  session.start(stdout.isTTY ? stdout.rows : 24, stdout.isTTY ? stdout.columns : 80);

  const status = await done;
  stdin.off('data', onData);
  if (stdout.isTTY) stdout.off('resize', onResize);
  restore();
  session.close();
  await new Promise<void>((r) => (log ? log.end(() => r()) : r()));
  await machine.close();
  if (values.log) progress(`the whole log is in ${values.log}`);
  if (quit) return 0;
  const m = /^(exit|signal) (\d+)$/.exec(status);
  if (!m) return 1;
  return m[1] === 'signal' ? 128 + Number(m[2]) : Number(m[2]);
}
