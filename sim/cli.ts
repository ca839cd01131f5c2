#!/usr/bin/env node
// filemon-sim: the command line. Each subcommand lives in sim/cli/.
import { runCommand } from './cli/run.js';
import { CliError } from './cli/common.js';

const USAGE = `usage: filemon-sim <command> [options]

commands:
  run [options] -- CMD [ARGS...]   run CMD in the emulated guest; its output
                                   and exit status are passed through
  help                             this text

options of run:
  --cwd DIR          working directory in the guest
  --env NAME=VALUE   environment variable (repeatable)
  --timeout SECONDS  kill CMD and its processes after this long (default 120)
  --cold             boot cold instead of restoring the saved state
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      return runCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new CliError(`unknown command "${cmd}"; see filemon-sim help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`filemon-sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof CliError ? e.exitCode : 1);
  },
);
