// Shared pieces of the CLI: errors with exit codes, option parsing, progress.

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
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
export function parseEnv(pairs: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CliError(`--env wants NAME=VALUE, got "${p}"`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

export function parseTimeout(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--timeout wants seconds, got "${s}"`);
  return Math.round(n * 1000);
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
  cold: { type: 'boolean' },
  'no-build': { type: 'boolean' },
} as const;

interface GuestRunValues {
  cwd?: string;
  env?: string[];
  timeout?: string;
  image?: string;
  cold?: boolean;
  'no-build'?: boolean;
}

/** GUEST_RUN_OPTIONS' values as boot options and exec options. */
export function guestRun(values: GuestRunValues) {
  return {
    boot: { image: values.image, savedState: !values.cold, build: !values['no-build'], log: progress },
    exec: { cwd: values.cwd, env: parseEnv(values.env), timeoutMs: parseTimeout(values.timeout) },
  };
}
