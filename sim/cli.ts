#!/usr/bin/env node
// filemon-sim: the command line. Each subcommand lives in sim/cli/.
import { parseCommand } from './cli/parse.js';
import { runCommand } from './cli/run.js';
import { traceCommand } from './cli/trace.js';
import { CliError } from './cli/common.js';

const USAGE = `usage: filemon-sim <command> [options]

commands:
  trace [options] -- CMD [ARGS...] run CMD under /dev/filemon in the guest and
                                   print its filemon log; exits with CMD's status
  parse [view] [-o OUT] FILE       views of an existing log or bmake .meta file,
                                   on the host alone; exit 1 if malformed or
                                   incomplete
  shell [--log FILE] [-q] [--max N]  interactive guest shell, every command traced; records per command on stderr (Ctrl-] quits)
  run [options] -- CMD [ARGS...]   run CMD in the guest untraced; its output
                                   and exit status are passed through
  help                             this text

views (trace and parse; default: the raw log):
  --json             the parsed trace as JSON
  --tree             the process tree
  --deps             files read, written, executed, deleted, renamed, linked
  -o, --output FILE  write the view to FILE instead of stdout

options of trace:
  --put HOST:GUEST   copy a file or directory into the guest first (repeatable)
  --get GUEST:HOST   copy a file or directory out afterwards (repeatable)
  -q, --quiet        hide CMD's own output (shown on stderr while the log is
                     on stdout, else on stdout and stderr)

options of trace and run:
  --cwd DIR          working directory in the guest
  --env NAME=VALUE   environment variable (repeatable)
  --timeout SECONDS  kill CMD and its processes after this long (default 120,
                     0 for none); exit 124
  --memory MIB       guest memory, 64 to 2048 (default 256)
  --cold             boot cold instead of restoring the saved state
  --no-build         fail instead of building a missing guest image
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'shell': return (await import('./cli/shell.js')).shellCommand(rest);
    case 'trace':
      return traceCommand(rest);
    case 'parse':
      return parseCommand(rest);
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
