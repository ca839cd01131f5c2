// `filemon-sim run -- CMD`: run a command in the guest, output passed through.
import { parseArgs } from 'node:util';
import { bootMachine } from '../node/boot.js';
import { CommandTimeoutError } from '../errors.js';
import { missingToolchainNote } from '../guest/toolchain.js';
import { CliError, GUEST_RUN_OPTIONS, guestRun, parseOptions, progress } from './common.js';

/** The exit status for a command killed at its timeout, as timeout(1) and trace give. */
export const TIMED_OUT_EXIT = 124;

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('run', () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: GUEST_RUN_OPTIONS,
    }),
  );
  if (!positionals.length) throw new CliError('run: no command given; usage: filemon-sim run -- CMD [ARGS...]');
  const { boot, exec } = guestRun(values);
  const { machine, info } = await bootMachine(boot);
  progress(`guest ${info.start === 'restored' ? 'restored' : 'booted'} in ${(info.ms / 1000).toFixed(2)} s`);
  try {
    const r = await machine.exec(positionals, exec);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    const note = machine.options.image.toolchain ? undefined : missingToolchainNote(r.status, positionals, new TextDecoder().decode(r.stderr));
    if (note) process.stderr.write(`filemon-sim: ${note}\n`);
    return r.signal ? 128 + r.signal : r.status;
  } catch (e) {
    if (e instanceof CommandTimeoutError) {
      if (e.result) {
        process.stdout.write(e.result.stdout);
        process.stderr.write(e.result.stderr);
      }
      throw new CliError(`run: ${positionals.join(' ')} timed out after ${e.timeoutMs} ms and was killed with its processes (raise --timeout)`, TIMED_OUT_EXIT);
    }
    throw e;
  } finally {
    await machine.close();
  }
}
