// The built `filemon-sim` CLI run in a child process, as a user runs it.
// Asynchronous, so a guest the test process holds keeps running meanwhile.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../images/linux/recipe/layout.js';

export const CLI = join(packageRoot, 'dist/sim/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Standard input; none (closed at once) by default. */
  stdin?: string;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(opts.stdin ?? '');
  });
}
