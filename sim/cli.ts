#!/usr/bin/env node
// filemon-sim: the command line. Each subcommand lives in sim/cli/.
import { parseCommand } from './cli/parse.js';
import { runCommand } from './cli/run.js';
import { traceCommand } from './cli/trace.js';
import { diffCommand } from './cli/diff.js';
import { MAKE_RULE_HELP } from './export/make.js';
import { CliError } from './cli/common.js';

const USAGE = `usage: filemon-sim <command> [options]

commands:
  trace [options] -- CMD [ARGS...] run CMD under /dev/filemon in the guest and
                                   print its filemon log; exits with CMD's status
  parse [view] [-o OUT] FILE       views of an existing log or bmake .meta file,
                                   on the host alone; exit 1 if malformed or
                                   incomplete
  diff [options] A B               compare two logs or .meta files (- for stdin)
                                   as golden traces are: normalized records and
                                   dependency sets; exit 0 equal, 1 different,
                                   2 on bad input
  shell [--log FILE] [-q] [--max N]  interactive guest shell, every command traced; records per command on stderr (Ctrl-] quits)
  run [options] -- CMD [ARGS...]   run CMD in the guest untraced; its output
                                   and exit status are passed through
  help                             this text

views (trace and parse; default: the raw log):
  --json             the parsed trace as JSON
  --tree             the process tree
  --deps             files read, written, executed, deleted, renamed, linked
  --format make      a make depfile (gcc -MD style); the rule is below
  --format dot       a Graphviz graph: processes (exec chain, pid, exit) with
                     fork edges, and the files each touched, edges labelled
                     R W E D (renamed/linked between files); render it with
                     dot -Tsvg
  -o, --output FILE  write the view to FILE instead of stdout

options of trace:
  --put HOST:GUEST   copy a file or directory into the guest first (repeatable)
  --get GUEST:HOST   copy a file or directory out afterwards (repeatable)
  -q, --quiet        hide CMD's own output (shown on stderr while the log is
                     on stdout, else on stdout and stderr)

the --format make rule:
  ${MAKE_RULE_HELP.replace(/\n/g, '\n  ')}

options of diff (records are compared with pids renumbered 1, 2... in order
of appearance and times zeroed; by default records about /proc/ and /dev/
and reads of the dynamic loader, ld.so.cache and libc are left out):
  --ignore PREFIX    also leave out paths starting with PREFIX (repeatable)
  --keep WHAT        keep what is left out by default: loader, proc or dev
  --json             the diff as JSON: records removed/added, edits, sets
  --color, --no-color  colours (default: on a terminal, unless NO_COLOR)
  -U N               lines of context around each change (default 3)

options of trace and run:
  --cwd DIR          working directory in the guest
  --env NAME=VALUE   environment variable (repeatable)
  --timeout SECONDS  kill CMD and its processes after this long (default 120)
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
    case 'diff':
      return diffCommand(rest);
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
