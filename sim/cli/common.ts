// Shared pieces of the CLI: errors with exit codes, option parsing, progress.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IgnoreOptions } from '../diff/index.js';
import { MAX_TIMEOUT_MS } from '../errors.js';
import { MAX_MEMORY_MIB, MIN_MEMORY_MIB } from '../guest/machine.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Runs a node:util parseArgs call, turning its errors into CliErrors naming the subcommand. */
export function parseOptions<R>(sub: string, parse: () => R): R {
  try {
    return parse();
  } catch (e) {
    throw new CliError(`${sub}: ${e instanceof Error ? e.message : String(e)}; see filemon-sim ${sub} --help`);
  }
}

/** NAME=VALUE strings to an object. */
function parseEnv(pairs: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CliError(`--env wants NAME=VALUE, got "${p}"`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

function parseTimeout(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliError(`--timeout wants seconds, got "${s}"`);
  const ms = Math.round(n * 1000);
  if (ms > MAX_TIMEOUT_MS) {
    throw new CliError(`--timeout ${s}: at most ${Math.floor(MAX_TIMEOUT_MS / 1000)} seconds (about 24 days, the limit of timers); 0 for no timeout`);
  }
  return ms;
}

function parseMemory(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < MIN_MEMORY_MIB || n > MAX_MEMORY_MIB) {
    throw new CliError(`--memory wants whole MiB from ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB}, got "${s}"`);
  }
  return n;
}

/** Fails now, before any guest work, when the view could not be written to path. */
export function checkOutputPath(path: string | undefined): void {
  if (!path || path === '-') return;
  const full = resolve(path);
  const dir = dirname(full);
  try {
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${dir} does not exist` : (e as Error).message;
    throw new CliError(`-o ${path}: cannot write there (${why}); nothing was run`);
  }
}

/** Progress lines on stderr, only when it is a terminal or FILEMON_SIM_PROGRESS=1. */
export function progress(msg: string): void {
  if (process.stderr.isTTY || process.env.FILEMON_SIM_PROGRESS === '1') process.stderr.write(`filemon-sim: ${msg}\n`);
}

/** Options of every subcommand that runs a command in the guest. */
export const GUEST_RUN_OPTIONS = {
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  image: { type: 'string' },
  memory: { type: 'string' },
  cold: { type: 'boolean' },
  deterministic: { type: 'boolean' },
  'no-build': { type: 'boolean' },
} as const;

interface GuestRunValues {
  cwd?: string;
  env?: string[];
  timeout?: string;
  image?: string;
  memory?: string;
  cold?: boolean;
  deterministic?: boolean;
  'no-build'?: boolean;
}

/** GUEST_RUN_OPTIONS' values as boot options and exec options. */
export function guestRun(values: GuestRunValues) {
  return {
    boot: {
      image: values.image,
      savedState: !values.cold,
      build: !values['no-build'],
      log: progress,
      memoryMiB: parseMemory(values.memory),
      deterministic: !!values.deterministic,
    },
    exec: { cwd: values.cwd, env: parseEnv(values.env), timeoutMs: parseTimeout(values.timeout) },
  };
}

/** What --keep can bring back of what is left out by default. */
const KEEPABLE = ['loader', 'proc', 'dev'] as const;

/** --ignore PREFIX and --keep WHAT (diff and the --format exports). */
export const IGNORE_OPTIONS = {
  ignore: { type: 'string', multiple: true },
  keep: { type: 'string', multiple: true },
} as const;

/** The IgnoreOptions that --ignore and --keep give; errors start with `sub: ` when given. */
export function ignoreOptions(values: { ignore?: string[]; keep?: string[] }, sub?: string): IgnoreOptions {
  const ignore: IgnoreOptions = { prefixes: values.ignore ?? [] };
  for (const k of values.keep ?? []) {
    if (!(KEEPABLE as readonly string[]).includes(k)) throw new CliError(`${sub ? `${sub}: ` : ''}--keep wants one of ${KEEPABLE.join(', ')}, got "${k}"`);
    ignore[k as (typeof KEEPABLE)[number]] = false;
  }
  return ignore;
}
