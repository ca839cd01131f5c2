// The toolchain package as the harness names it: which programs are in it,
// so that a command that was not found because it is not installed says
// which package brings it. Browser-safe.

/** The npm package that ships the toolchain disk (packages/toolchain-linux-i386): gcc, binutils, GNU make. */
export const TOOLCHAIN_PACKAGE = '@filemon-sim/toolchain-linux-i386';

/**
 * Programs a user runs that only the toolchain disk has (test/toolchain.test.ts
 * checks each is in its /usr/bin). Those busybox has too (sed, grep, awk,
 * ar, strings, the coreutils) are left out: without the toolchain they are
 * found, as busybox's.
 */
export const TOOLCHAIN_PROGRAMS = [
  'gcc',
  'gcc-12',
  'cc',
  'c89',
  'c99',
  'cpp',
  'cpp-12',
  'gcov',
  'as',
  'ld',
  'ld.bfd',
  'ranlib',
  'nm',
  'objdump',
  'objcopy',
  'readelf',
  'strip',
  'size',
  'addr2line',
  'c++filt',
  'make',
  'gawk',
];

/**
 * The note for a command of a guest without the toolchain that exited 127
 * because a toolchain program was not found (busybox sh's "NAME: not found",
 * or fms-trace's own failed exec of argv[0]); undefined otherwise.
 */
export function missingToolchainNote(status: number, argv: string[], stderr: string): string | undefined {
  if (status !== 127) return undefined;
  const named = new Set<string>();
  for (const m of stderr.matchAll(/(?:^|: )([\w.+-]+): (?:command )?not found$/gm)) named.add(m[1]);
  const first = argv[0]?.split('/').pop();
  if (first && !argv[0].includes('/') && TOOLCHAIN_PROGRAMS.includes(first) && /No such file or directory|not found/.test(stderr)) named.add(first);
  const missing = [...named].filter((n) => TOOLCHAIN_PROGRAMS.includes(n));
  if (!missing.length) return undefined;
  return `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in the toolchain package ${TOOLCHAIN_PACKAGE}, which this guest does not have: npm install ${TOOLCHAIN_PACKAGE} beside the image package (or name a toolchain folder with FILEMON_SIM_TOOLCHAIN)`;
}
