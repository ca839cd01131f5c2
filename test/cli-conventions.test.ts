// The command line's conventions: --version, --help and -h on the command
// and every subcommand, exit status 2 and one line for usage errors, and no
// Node stack trace for a user's mistake. No guest is booted here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { IMAGE_PACKAGE, mainPackage, packageRoot, v86Version } from '../sim/node/image.js';
import { SUBCOMMAND_USAGE } from '../sim/cli/usage.js';

const CLI = join(packageRoot, 'dist/sim/cli.js');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('filemon-sim CLI conventions', () => {
  it('--version names both packages, the image and its state key, and v86', () => {
    const r = cli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `filemon-sim ${mainPackage.version}`);
    assert.match(lines[1], new RegExp(`^${IMAGE_PACKAGE.replace('/', '\\/')} (not installed|\\S+ \\(.*\\))$`));
    assert.match(r.stdout, /^image: .*\(kernel \S+\)$/m);
    assert.match(r.stdout, /^state key: [0-9a-f]{16} \(/m);
    assert.equal(lines.at(-1), `v86 ${v86Version}, node ${process.version}`);
  });

  it('--help and -h on the command print the usage and exit 0', () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = cli([flag]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^usage: filemon-sim <command> \[options\]/);
      assert.match(r.stdout, /--version/);
    }
  });

  for (const sub of Object.keys(SUBCOMMAND_USAGE)) {
    it(`--help and -h on ${sub} print its usage and exit 0`, () => {
      for (const args of [
        [sub, '--help'],
        [sub, '-h'],
        ['help', sub],
      ]) {
        const r = cli(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.ok(r.stdout.startsWith(`usage: filemon-sim ${sub}`), `${args.join(' ')} printed:\n${r.stdout}`);
      }
    });
  }

  it('a -h after -- belongs to the guest command, not to filemon-sim', () => {
    const r = cli(['parse', '--', '-h']);
    assert.notEqual(r.stdout.startsWith('usage:'), true);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no command', [], /^filemon-sim: no command given; see filemon-sim --help$/],
    ['an unknown command', ['frob'], /^filemon-sim: unknown command "frob"; see filemon-sim --help$/],
    ['help on an unknown command', ['help', 'frob'], /^filemon-sim: help: unknown command "frob"/],
    ['an unknown option', ['trace', '--bogus', '--', 'true'], /^filemon-sim: trace: Unknown option '--bogus'.*see filemon-sim trace --help$/],
    ['trace without a command', ['trace'], /^filemon-sim: trace: no command given/],
    ['run without a command', ['run'], /^filemon-sim: run: no command given/],
    ['parse without a file', ['parse'], /^filemon-sim: parse: give one log file/],
    ['a bad --env', ['run', '--env', 'X', '--', 'true'], /^filemon-sim: --env wants NAME=VALUE/],
    ['a bad --timeout', ['trace', '--timeout', 'soon', '--', 'true'], /^filemon-sim: --timeout wants seconds/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`${what}: exit 2 and one line, no stack trace`, () => {
      const r = cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, `more than one line:\n${r.stderr}`);
      assert.match(r.stderr.trimEnd(), message);
    });
  }

  it('a user error that is not a usage error (a missing file) exits 1 with one line, no stack trace', () => {
    const r = cli(['parse', '/nonexistent/log']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^filemon-sim: parse: cannot read \/nonexistent\/log: ENOENT/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });
});
