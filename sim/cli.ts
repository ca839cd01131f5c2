#!/usr/bin/env node
// filemon-sim: the command line. Each subcommand lives in sim/cli/.
import { parseCommand } from './cli/parse.js';
import { runCommand } from './cli/run.js';
import { traceCommand } from './cli/trace.js';
import { diffCommand } from './cli/diff.js';
import { CliError } from './cli/common.js';
import { SUBCOMMAND_USAGE, USAGE, wantsHelp } from './cli/usage.js';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') {
    process.stdout.write(await (await import('./cli/version.js')).versionText());
    return 0;
  }
  if (cmd === undefined) throw new CliError('no command given; see filemon-sim --help');
  if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
    const topic = cmd !== 'help' ? undefined : wantsHelp(rest) ? 'help' : rest[0];
    if (topic !== undefined && !(topic in SUBCOMMAND_USAGE)) throw new CliError(`help: unknown command "${topic}"; see filemon-sim --help`);
    process.stdout.write(topic ? SUBCOMMAND_USAGE[topic] : USAGE);
    return 0;
  }
  if (cmd in SUBCOMMAND_USAGE && wantsHelp(rest)) {
    process.stdout.write(SUBCOMMAND_USAGE[cmd]);
    return 0;
  }
  switch (cmd) {
    case 'shell':
      return (await import('./cli/shell.js')).shellCommand(rest);
    case 'trace':
      return traceCommand(rest);
    case 'parse':
      return parseCommand(rest);
    case 'run':
      return runCommand(rest);
    case 'diff':
      return diffCommand(rest);
    default:
      throw new CliError(`unknown command "${cmd}"; see filemon-sim --help`);
  }
}

// Warnings (a saved state that does not fit) as one line, without Node's hint about --trace-warnings.
process.removeAllListeners('warning');
process.on('warning', (w) => process.stderr.write(`filemon-sim: warning: ${w.message}\n`));

// User errors print one line; FILEMON_SIM_DEBUG=1 adds the stack, for bug reports.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const debug = process.env.FILEMON_SIM_DEBUG === '1' && e instanceof Error && e.stack;
    process.stderr.write(`filemon-sim: ${debug ? e.stack : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof CliError ? e.exitCode : 1);
  },
);
