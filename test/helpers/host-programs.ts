// The host programs the tests run, each with the Debian package that
// provides it. The test run's setup (test/setup-host.ts) installs the
// missing ones as root, as .ci/run does, or stops on one line naming them;
// a test calls hostProgram() so that, run without the setup, it fails on the
// same line rather than deep inside an assertion. host-programs.test.ts
// keeps this table, the tests, .ci/run and the README in step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM } from './browser.js';

interface HostProgram {
  /** The Debian package that provides it. */
  pkg: string;
  /** What the tests use it for, for the error line. */
  use: string;
  /** Only tests that run as root use it (they skip otherwise). */
  rootOnly?: boolean;
  /** Looked up at this path rather than on PATH. */
  path?: string;
}

export const HOST_PROGRAMS = {
  chromium: { pkg: 'chromium', use: 'the browser tests', path: CHROMIUM },
  dot: { pkg: 'graphviz', use: 'the export tests render --format dot with it' },
  make: { pkg: 'make', use: 'the export tests read --format make with it' },
  python3: { pkg: 'python3', use: "the dirdeps test runs bmake's meta2deps.py with it" },
  tar: { pkg: 'tar', use: 'the consumer and dirdeps tests unpack archives with it' },
  strace: { pkg: 'strace', use: 'the consumer test records what it ran with it', rootOnly: true },
  useradd: { pkg: 'passwd', use: 'the consumer test creates its user with it', rootOnly: true },
  userdel: { pkg: 'passwd', use: 'the consumer test removes its user with it', rootOnly: true },
} satisfies Record<string, HostProgram>;

export type HostProgramName = keyof typeof HOST_PROGRAMS;

const isRoot = () => process.getuid?.() === 0;

/** The program's full path, or undefined when it is not installed. */
function findHostProgram(name: HostProgramName): string | undefined {
  const p: HostProgram = HOST_PROGRAMS[name];
  if (p.path) return existsSync(p.path) ? p.path : undefined;
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return undefined;
}

/** The programs this run's tests need (root-only ones only as root) that are missing. */
export function missingHostPrograms(): HostProgramName[] {
  return (Object.keys(HOST_PROGRAMS) as HostProgramName[]).filter((n) => (isRoot() || !(HOST_PROGRAMS[n] as HostProgram).rootOnly) && !findHostProgram(n));
}

/** One line naming each missing program, its package and the command that installs them. */
export function missingProgramsLine(names: HostProgramName[]): string {
  const pkgs = [...new Set(names.map((n) => HOST_PROGRAMS[n].pkg))];
  const each = names.map((n) => `${n} (Debian package ${HOST_PROGRAMS[n].pkg}: ${HOST_PROGRAMS[n].use})`);
  return `missing host program${names.length === 1 ? '' : 's'}: ${each.join('; ')}; install with: apt-get install -y ${pkgs.join(' ')}`;
}

/** The program's path for a test to run; throws the one-line error when it is missing. */
export function hostProgram(name: HostProgramName): string {
  const path = findHostProgram(name);
  if (!path) throw new Error(missingProgramsLine([name]));
  return path;
}
