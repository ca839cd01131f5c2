// The command line's help texts: the whole command's and each subcommand's
// (`filemon-sim SUB --help`).
import { MAKE_RULE_HELP } from '../export/make.js';

const VIEWS = `views (default: the raw log):
  --json             the parsed trace as JSON
  --tree             the process tree
  --deps             files read, written, executed, deleted, renamed, linked
  --format make      a make depfile (gcc -MD style); the rule is below
  --format dot       a Graphviz graph: processes (exec chain, pid, exit) with
                     fork edges, and the files each touched, edges labelled
                     R W E D (renamed/linked between files); render it with
                     dot -Tsvg
  --ignore PREFIX    with --format: also leave out paths starting with PREFIX
                     (repeatable)
  --keep WHAT        with --format: keep what is left out by default: loader
                     (reads of ld.so, ld.so.cache and libc), proc or dev
  -o, --output FILE  write the view to FILE instead of stdout
`;

const MAKE_RULE = `the --format make rule:
  ${MAKE_RULE_HELP.replace(/\n/g, '\n  ')}
`;

const GUEST_RUN = `guest options:
  --cwd DIR          working directory in the guest
  --env NAME=VALUE   environment variable (repeatable)
  --timeout SECONDS  kill CMD and its processes after this long (default 120,
                     0 for none); exit 124
  --memory MIB       guest memory, 64 to 2048 (default 256)
  --image DIR        the guest image folder to use (else FILEMON_SIM_IMAGE,
                     the installed image package, a repository's local build)
  --cold             boot cold instead of restoring the saved state
  --deterministic    run the guest on virtual time: the same command gives
                     the same output and log, byte for byte, on every run
                     and machine (guest clock starts at 2024-01-01; sleeps
                     take no host time); its own saved state
  --no-build         fail instead of building a missing guest image
`;

export const SUBCOMMAND_USAGE: Record<string, string> = {
  trace: `usage: filemon-sim trace [options] -- CMD [ARGS...]

Runs CMD under /dev/filemon in the guest and prints its filemon log; exits
with CMD's status (128 + signal if killed, 127 if not found, 124 on timeout).

${VIEWS}
trace options:
  --format meta      a bmake .meta file of CMD, as bmake's meta mode writes one
                     for a target CMD builds: CMD, CWD, TARGET, CMD's output
                     and the log, read by meta2deps.py, gendirdeps.mk and bmake
  --target NAME      the .meta file's TARGET (default: NAME of -o NAME.meta)
  --put HOST:GUEST   copy a file or directory into the guest first (repeatable)
  --get GUEST:HOST   copy a file or directory out afterwards (repeatable);
                     both keep symlinks (never followed), modes, times and
                     hard links, name FIFOs, sockets and devices on stderr
                     without copying them, and never write through a
                     symlink below the destination; a refused entry makes
                     the exit status non-zero
  --strict           a FIFO, socket or device in a --put or --get tree is an
                     error and nothing of that tree is copied
  -q, --quiet        hide CMD's own output (shown on stderr while the log is
                     on stdout, else on stdout and stderr)

${GUEST_RUN}
${MAKE_RULE}`,
  parse: `usage: filemon-sim parse [--json|--tree|--deps|--format make|dot [--ignore PREFIX] [--keep WHAT]] [-o OUT] LOG|META|-

Views of an existing filemon log, or of the filemon section of a bmake .meta
file, on the host alone; exits 1 if the log is malformed or incomplete.

${VIEWS}
${MAKE_RULE}`,
  diff: `usage: filemon-sim diff [options] A B

Compares two logs or .meta files (- for stdin) as golden traces are:
normalized records, then the dependency sets that changed. Records are
compared with pids renumbered 1, 2... in order of appearance and times zeroed;
by default records about /proc/ and /dev/ and reads of the dynamic loader,
ld.so.cache and libc are left out. Exit 0 equal, 1 different, 2 on bad input.

  --ignore PREFIX    also leave out paths starting with PREFIX (repeatable)
  --keep WHAT        keep what is left out by default: loader, proc or dev
  --json             the diff as JSON: records removed/added, edits, sets
  --color, --no-color  colours (default: on a terminal, unless NO_COLOR)
  -U N               lines of context around each change (default 3)
`,
  run: `usage: filemon-sim run [options] -- CMD [ARGS...]

Runs CMD in the guest untraced; its output and exit status are passed through.

${GUEST_RUN}`,
  shell: `usage: filemon-sim shell [--log FILE] [-q] [--max N] [--cold] [--deterministic]

An interactive guest shell on this terminal in which every command is traced;
after each command line its records are listed on stderr. Ctrl-] or exit quits.

  --log FILE   keep the whole live filemon log in FILE
  -q           do not list the records
  --max N      list at most N records per command (default 20, 0: none)
  --cold       boot cold instead of restoring the saved state
  --deterministic  the guest on virtual time (see trace --help); what you
               type still arrives when you type it
`,
  help: `usage: filemon-sim help [COMMAND]

Prints the help of filemon-sim or of one command.
`,
};

export const USAGE = `usage: filemon-sim <command> [options]
       filemon-sim --version | --help

commands:
  trace [options] -- CMD [ARGS...] run CMD under /dev/filemon in the guest and
                                   print its filemon log
  parse [view] [-o OUT] FILE       views of an existing log or bmake .meta file,
                                   on the host alone
  diff [options] A B               compare two logs or .meta files (- for stdin)
                                   as golden traces are; exit 1 if they differ
  run [options] -- CMD [ARGS...]   run CMD in the guest untraced
  shell [--log FILE] [-q]          interactive guest shell, every command traced
  help [COMMAND]                   this text, or a command's

filemon-sim COMMAND --help shows a command's options. Usage errors exit 2.

environment:
  FILEMON_SIM_IMAGE     a guest image folder (manifest.json and its files)
  FILEMON_SIM_PROGRESS  1: show progress (image, boot) even when stderr is not
                        a terminal
  XDG_CACHE_HOME        saved states that an installed image lacks are kept in
                        $XDG_CACHE_HOME/filemon-sim (default ~/.cache/filemon-sim)
`;

/** True when -h or --help comes before the `--` that starts a guest command. */
export function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}
