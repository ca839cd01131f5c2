// The teaching examples: one click types a prepared command into the
// terminal; the sentence beside it says what its records show. `expect`
// lists records (as regular expressions over the log lines of the command's
// group) the example promises; the tests check them.

export interface Example {
  id: string;
  title: string;
  command: string;
  about: string;
  expect: RegExp[];
  /** Lines that must not appear. */
  absent?: RegExp[];
  /** Needs the toolchain disk (gcc): its blocks are fetched when the example first runs. */
  toolchain?: boolean;
}

export const EXAMPLES: Example[] = [
  {
    id: 'copy',
    title: 'Copy a file',
    command: 'cat /etc/passwd > /home/copy',
    about:
      'The shell opens /home/copy for writing (W) to redirect the output, forks (F) a child that runs cat (E: busybox runs its own applets, cat among them, as /proc/self/exe), which opens /etc/passwd for reading (R) and exits (X 0 0). A build tool reading this log learns that /home/copy depends on /etc/passwd. The dimmed R at the end is the shell looking the user up before it draws the next prompt.',
    expect: [/^W \d+ \/home\/copy$/, /^R \d+ \/etc\/passwd$/, /^F \d+ \d+$/, /^X \d+ 0 0$/],
  },
  {
    id: 'manual',
    title: "The manual's example",
    command: '/usr/lib/filemon-tests/manual_example',
    about:
      "filemon(4)'s own example program, compiled unchanged (the one the conformance suite runs), in a small main(): it changes into a fresh directory (C …/manual_example) and writes the file the example will copy (W example.in). The manual's code then opens /dev/filemon (R and W, O_RDWR), makes filemon.out (W, a relative path, logged as given), and forks (F) a child that calls FILEMON_SET_PID on itself and copies example.in. That moves the child to the program's own log, printed in the terminal (its R, W, L, D and X are there), so this panel sees no X for it; finally the program reads filemon.out back (R).",
    expect: [/^C \d+ \/tmp\/fmtest\/manual_example$/, /^W \d+ example\.in$/, /^W \d+ filemon\.out$/, /^F \d+ \d+$/, /^R \d+ filemon\.out$/],
  },
  {
    id: 'fork-tree',
    title: 'A fork tree',
    command: 'fms-forktree',
    about:
      'Every fork is an F record (parent pid, child pid) and every exit an X record (pid, exit status, signal): a child exits 0, a grandchild 7 and its parent 3, and the last child is killed by SIGTERM, so its X reads status 0, signal 15. The Processes tab lists the tree and the Graph tab draws it.',
    expect: [/^F \d+ \d+$/, /^X \d+ 7 0$/, /^X \d+ 3 0$/, /^X \d+ 0 15$/, /^E \d+ \/usr\/local\/bin\/fms-forktree$/],
  },
  {
    id: 'moves',
    title: 'Rename, link, symlink, unlink',
    command: 'echo data > /tmp/a && mv /tmp/a /tmp/b && ln /tmp/b /tmp/c && ln -s /tmp/b /tmp/d && rm /tmp/b /tmp/c /tmp/d',
    about:
      'mv is a rename(2): M with both paths quoted. ln and ln -s are link(2) and symlink(2): both L. rm unlinks each file: one D per path. There is no E record for mv, ln or rm: busybox runs these applets in the forked child without an exec, so each has its F and X only. A consumer such as bmake strips the single quotes and follows the moves.',
    expect: [/^M \d+ '\/tmp\/a' '\/tmp\/b'$/, /^L \d+ '\/tmp\/b' '\/tmp\/c'$/, /^L \d+ '\/tmp\/b' '\/tmp\/d'$/, /^D \d+ \/tmp\/b$/, /^D \d+ \/tmp\/d$/],
  },
  {
    id: 'openat',
    title: 'openat with a directory fd',
    command: 'fms-openat',
    about:
      'The program opens /etc as a directory (R /etc), then openat(dirfd, "passwd"): filemon logs the relative path as given in an A record, then the R record with the directory joined to it (/etc/passwd).',
    expect: [/^R \d+ \/etc$/, /^A \d+ passwd$/, /^R \d+ \/etc\/passwd$/],
  },
  {
    id: 'fail',
    title: 'A failing open',
    command: 'cat /no/such/file',
    about:
      'cat cannot open /no/such/file, and there is no R record for it: filemon logs only successful system calls. What remains is the fork (F), the exec of cat (E /proc/self/exe: busybox runs its applets as itself) and its exit with status 1 (X … 1 0).',
    expect: [/^F \d+ \d+$/, /^E \d+ \/proc\/self\/exe$/, /^X \d+ 1 0$/],
    absent: [/\/no\/such\/file/],
  },
  {
    id: 'forge',
    title: 'Not a security tool: a forged record',
    command: 'fms-forge',
    about:
      'The program writes to a file named "/tmp/forge/x", a newline, then "R 1 /etc/shadow". filemon writes names unescaped, as FreeBSD does, so the log holds a W record for /tmp/forge/x and then a line that reads as pid 1 reading /etc/shadow, though no process opened it. Nothing tells the forged line from a real one, so no parser can detect it in general: as filemon(4) says, filemon is no security tool. Trust a log as far as you trust every program it traced.',
    expect: [/^W \d+ \/tmp\/forge\/x$/, /^R 1 \/etc\/shadow$/],
  },
  {
    id: 'gcc',
    title: 'Compile with gcc',
    command: 'printf \'#include <stdio.h>\\nint main(void) { puts("hello"); return 0; }\\n\' > /tmp/hello.c && gcc -o /tmp/hello /tmp/hello.c && /tmp/hello',
    about:
      "gcc is a driver: it runs cc1 (E …/cc1), the compiler proper, which reads hello.c and every header it includes (R /usr/include/stdio.h and the headers stdio.h includes in turn) and writes assembly to a temporary file in /tmp (W /tmp/cc….s); then as (E …/as) reads that and writes an object file; then collect2 (E …/collect2) runs ld (E …/ld), which reads the crt files, libc and libgcc and writes /tmp/hello (W). gcc deletes its temporary files (D). The first run fetches the toolchain disk's blocks that these programs read, shown below the examples; a second run fetches nothing.",
    expect: [/^E \d+ \S*\/cc1$/, /^E \d+ \S*\/as$/, /^E \d+ \S*\/collect2$/, /^E \d+ \S*\/ld$/, /^R \d+ \/usr\/include\/stdio\.h$/, /^W \d+ \/tmp\/hello$/],
    toolchain: true,
  },
];

/** The example named id in a link (hyphens optional: fork-tree or forktree). */
export function findExample(id: string): Example | undefined {
  const key = id.toLowerCase().replace(/-/g, '');
  return EXAMPLES.find((e) => e.id.replace(/-/g, '') === key);
}
