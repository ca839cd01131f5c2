// `filemon-sim run -- CMD`: run a command in the guest, output passed through.
import { parseArgs } from 'node:util';
import { bootMachine } from '../node/boot.js';
import { CommandTimeoutError } from '../errors.js';
import { CliError, parseEnv, parseOptions, parseTimeout, progress } from './common.js';

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('run', () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        cwd: { type: 'string' },
        env: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        cold: { type: 'boolean' },
        'no-build': { type: 'boolean' },
      },
    }),
  );
  if (!positionals.length) throw new CliError('run: no command given; usage: filemon-sim run -- CMD [ARGS...]');
  const { machine, info } = await bootMachine({ savedState: !values.cold, build: !values['no-build'], log: progress });
  progress(`guest ${info.start === 'restored' ? 'restored' : 'booted'} in ${(info.ms / 1000).toFixed(2)} s`);
  try {
    const r = await machine.exec(positionals, {
      cwd: values.cwd,
      env: parseEnv(values.env),
      timeoutMs: parseTimeout(values.timeout),
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.signal ? 128 + r.signal : r.status;
  } catch (e) {
    if (e instanceof CommandTimeoutError && e.result) {
      process.stdout.write(e.result.stdout);
      process.stderr.write(e.result.stderr);
    }
    throw e;
  } finally {
    await machine.close();
  }
}
