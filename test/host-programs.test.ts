// The host programs the tests run: each one in HOST_PROGRAMS, so that the
// setup installs it and a missing one is named on one line; each package in
// .ci/run and in the README, so that a fresh machine has them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { HOST_PROGRAMS, hostProgram } from './helpers/host-programs.js';

/** Programs every Debian machine with Node has: run by name, not listed. */
const BASE_SYSTEM = new Set(['sh', 'id', 'mkfifo', 'npm', 'apt-get']);

function testSources(dir = join(packageRoot, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testSources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('host programs of the tests', () => {
  it('are run through hostProgram() unless every machine has them', () => {
    const byName: string[] = [];
    for (const file of testSources()) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/\b(?:spawnSync|execFileSync|execFile|spawn)\(\s*'([^']+)'/g)) {
        if (!BASE_SYSTEM.has(m[1])) byName.push(`${file.slice(packageRoot.length + 1)}: ${m[1]}`);
      }
      for (const m of src.matchAll(/\bhostProgram\('([\w.+-]+)'\)/g)) {
        assert.ok(m[1] in HOST_PROGRAMS, `${file}: hostProgram('${m[1]}') is not in HOST_PROGRAMS`);
      }
    }
    assert.deepEqual(byName, [], 'run these through hostProgram() and list them in test/helpers/host-programs.ts');
  });

  it('are installed by .ci/run and named in the README', () => {
    const ci = readFileSync(join(packageRoot, '.ci/run'), 'utf8');
    const installed = new Set([...ci.replace(/\\\n/g, ' ').matchAll(/apt-get install -y --no-install-recommends([^\n]*)/g)].flatMap((m) => m[1].trim().split(/\s+/)));
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    for (const [name, p] of Object.entries(HOST_PROGRAMS)) {
      assert.ok(installed.has(p.pkg), `.ci/run does not install ${p.pkg} (for ${name})`);
      assert.match(readme, new RegExp(`\\b${p.pkg}\\b`), `README.md does not name ${p.pkg} (for ${name})`);
    }
  });

  it('a missing one fails on one line naming it and its package', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      assert.throws(
        () => hostProgram('dot'),
        (e: Error) => {
          assert.equal(e.message, 'missing host program: dot (Debian package graphviz: the export tests render --format dot with it); install with: apt-get install -y graphviz');
          return true;
        },
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
