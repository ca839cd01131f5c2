// Small process helpers for the image build: every failure names the command.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export class BuildError extends Error {}

export interface RunOptions {
  cwd?: string;
  /** Show the command's output live (downloads, compiles) instead of capturing it. */
  live?: boolean;
  /** Exit codes that count as success besides 0. */
  okCodes?: number[];
  input?: string | Uint8Array;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const spawnOpts: SpawnSyncOptions = {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    maxBuffer: 256 << 20,
    stdio: opts.live ? ['ignore', 'inherit', 'inherit'] : ['pipe', 'pipe', 'pipe'],
  };
  if (opts.input !== undefined) spawnOpts.stdio = ['pipe', opts.live ? 'inherit' : 'pipe', opts.live ? 'inherit' : 'pipe'];
  const r = spawnSync(cmd, args, spawnOpts);
  if (r.error) throw new BuildError(`${cmd} could not be started: ${r.error.message}`);
  const status = r.status ?? 128;
  const result = { status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
  if (status !== 0 && !(opts.okCodes ?? []).includes(status)) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    throw new BuildError(`\`${cmd} ${args.join(' ')}\` failed with exit status ${status}${tail ? ':\n' + tail : ''}`);
  }
  return result;
}

/** True when `cmd` is found on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
