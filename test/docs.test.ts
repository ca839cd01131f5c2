// The documentation cannot drift: docs/cli.md names every command, flag and
// environment variable of `--help` (sim/cli/usage.ts) and no flag the help
// lacks; every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md
// and docs/ reaches a file or a heading; TypeDoc builds the API reference with no warning (an undocumented
// export, a broken {@link}, a referenced type left out).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { SUBCOMMAND_USAGE, USAGE } from '../sim/cli/usage.js';

const FLAG = /(?<![\w-])--?[A-Za-z][\w-]*/g;

/** The flags a help text defines: the first column of its indented option lines. */
function helpFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const line of help.split('\n')) {
    const m = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line);
    if (m) for (const f of m[1].matchAll(FLAG)) flags.add(f[0]);
  }
  return flags;
}

/** docs/cli.md's synopsis: each `filemon-sim NAME` line with its continuation lines. */
function synopsis(doc: string): Map<string, Set<string>> {
  const block = /```\n(filemon-sim [\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/cli.md has no synopsis block starting with filemon-sim');
  const commands = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of block[1].split('\n')) {
    const m = /^filemon-sim (\w+)/.exec(line);
    if (m) commands.set(m[1], (current = new Set()));
    else if (!line.startsWith(' ')) current = undefined;
    if (current) for (const f of line.replace(/^filemon-sim \w+/, '').matchAll(FLAG)) current.add(f[0]);
  }
  return commands;
}

/** The guides at the top of the repository. */
const TOP_LEVEL = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'];

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? markdownFiles(p) : n.endsWith('.md') ? [p] : [];
  });
}

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('documentation', () => {
  const cliDoc = readFileSync(join(packageRoot, 'docs/cli.md'), 'utf8');

  it('docs/cli.md has every command and flag of --help, and no other flag', () => {
    const documented = synopsis(cliDoc);
    const commands = [
      ...USAGE.split('commands:\n')[1]
        .split('\n\n')[0]
        .matchAll(/^ {2}(\w+)/gm),
    ].map((m) => m[1]);
    assert.deepEqual([...documented.keys()].filter((c) => c !== 'COMMAND').sort(), [...commands].sort(), 'the commands of docs/cli.md and of --help differ');
    for (const c of commands) {
      const help = SUBCOMMAND_USAGE[c];
      assert.ok(help, `--help lists ${c} but it has no help of its own`);
      const want = helpFlags(help);
      const have = documented.get(c)!;
      assert.deepEqual(
        [...want].filter((f) => !have.has(f)),
        [],
        `docs/cli.md's synopsis of ${c} lacks flags of \`filemon-sim ${c} --help\``,
      );
      assert.deepEqual(
        [...have].filter((f) => !want.has(f)),
        [],
        `docs/cli.md's synopsis of ${c} has flags \`filemon-sim ${c} --help\` lacks`,
      );
    }
    const allFlags = new Set([...Object.values(SUBCOMMAND_USAGE).flatMap((h) => [...helpFlags(h)]), '--version', '--help', '-h']);
    const prose = cliDoc.replace(/```[\s\S]*?```/g, '');
    const unknown = [...prose.matchAll(/`([^`]*)`/g)]
      .flatMap((m) => (/^(filemon-sim|--?[A-Za-z])/.test(m[1]) ? [...m[1].matchAll(FLAG)].map((f) => f[0]) : []))
      .filter((f) => !allFlags.has(f) && !f.startsWith('--format'));
    assert.deepEqual([...new Set(unknown)], [], 'docs/cli.md names flags that no --help has');
    for (const v of USAGE.split('environment:\n')[1].matchAll(/^ {2}([A-Z_]+)/gm)) assert.ok(cliDoc.includes(v[1]), `docs/cli.md does not name ${v[1]}`);
  });

  it('README.md stays short and holds no measurement history', () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines: move reference text to docs/`);
    assert.doesNotMatch(readme, /\b20\d\d-\d\d-\d\d\b/, 'README.md holds a dated figure: it belongs in docs/benchmarks.md');
  });

  it('every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ reaches a file or a heading', () => {
    const files = [...TOP_LEVEL.map((n) => join(packageRoot, n)), ...markdownFiles(join(packageRoot, 'docs'))];
    const broken: string[] = [];
    const anchors = (file: string) =>
      new Set(
        [
          ...readFileSync(file, 'utf8')
            .replace(/```[\s\S]*?```/g, '')
            .matchAll(/^#+ (.*)$/gm),
        ].map((m) => slug(m[1])),
      );
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const to = path ? join(dirname(file), path) : file;
        const where = `${relative(packageRoot, file)}: ${target}`;
        if (!existsSync(to)) broken.push(`${where} (no such file)`);
        else if (anchor && !anchors(to).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('every npm script and repository path the guides name exists', () => {
    // The guides, not the design notes: those record what was true when written.
    const guides = [
      ...TOP_LEVEL.map((n) => join(packageRoot, n)),
      ...readdirSync(join(packageRoot, 'docs'))
        .filter((n) => n.endsWith('.md'))
        .map((n) => join(packageRoot, 'docs', n)),
    ];
    const scripts = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    // Build outputs the guides name (playground/dist/) exist only once built: .gitignore's folders.
    const outputs = readFileSync(join(packageRoot, '.gitignore'), 'utf8')
      .split('\n')
      .filter((l) => /^[\w.-]+\/[\w./-]*\/$/.test(l));
    const stale: string[] = [];
    for (const file of guides) {
      const text = readFileSync(file, 'utf8');
      const where = relative(packageRoot, file);
      for (const [, name] of text.matchAll(/npm run ([\w:-]+)/g)) if (!(name in scripts)) stale.push(`${where}: npm run ${name}`);
      for (const [, path] of text.matchAll(/`((?:sim|images\/linux|test|bench|playground|packages|assembly|docs)\/[\w./-]*[\w/])`/g)) {
        if (!existsSync(join(packageRoot, path)) && !outputs.some((o) => `${path}/`.startsWith(o))) stale.push(`${where}: ${path}`);
      }
    }
    assert.deepEqual(stale, [], 'named in the guides but missing from package.json or the tree');
  });

  it('TypeDoc builds the API reference with no warning', function () {
    this.timeout(300_000);
    const r = spawnSync(join(packageRoot, 'node_modules/.bin/typedoc'), ['--emit', 'none'], { cwd: packageRoot, encoding: 'utf8' });
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    assert.equal(r.status, 0, `npm run docs fails:\n${out}`);
    assert.doesNotMatch(out, /\[warning\]/, out);
  });
});
