// Trace comparison on the host alone: the diff engine, golden files and
// `filemon-sim diff`. No guest is involved.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTraceMatches, diffTraces, formatTraceDiff, goldenText, parseTrace } from 'filemon-sim';
import { packageRoot } from '../images/linux/recipe/layout.js';
import { runCli } from './helpers/cli.js';

const FIX = join(packageRoot, 'test/fixtures/diff');
const fixture = (name: string) => join(FIX, name);
const log = (name: string) => parseTrace(new Uint8Array(readFileSync(fixture(name))));

const cli = (args: string[], stdin?: string) => runCli(args, { stdin, env: { NO_COLOR: '' } });

const CHANGED_DIFF = `--- a
+++ b
@@ -4,7 +4,9 @@
 V 5
 E 2 /bin/sh
 W 2 /tmp/copy
+R 2 /etc/group
 R 2 /etc/passwd
-X 2 0 0
+D 2 /tmp/old
+X 2 1 0
 # Stop 0.000000
 # Bye bye

dependency sets:
  + newly read: /etc/group
  + newly deleted: /tmp/old
`;

describe('trace diff', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'filemon-sim-diff-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('engine', () => {
    it('finds two runs equal when only pids, times, loader reads, /proc and /dev differ', () => {
      const d = diffTraces(log('copy-a.filemon'), log('copy-b.filemon'));
      assert.equal(d.equal, true);
      assert.deepEqual(d.sets, {});
      assert.equal(formatTraceDiff(d), '');
    });

    it('keeps what it was told to keep', () => {
      const d = diffTraces(log('copy-a.filemon'), log('copy-b.filemon'), { ignore: { loader: false, dev: false } });
      assert.equal(d.equal, false);
      assert.deepEqual(
        d.records.filter((r) => r.op !== ' '),
        [
          { op: '-', text: 'R 2 /etc/ld.so.cache' },
          { op: '-', text: 'R 2 /dev/null' },
        ],
      );
      assert.deepEqual(d.sets.read, { added: [], removed: ['/etc/ld.so.cache', '/dev/null'] });
    });

    it('leaves out paths under a given prefix', () => {
      const d = diffTraces(log('copy-b.filemon'), log('copy-changed.filemon'), { ignore: { prefixes: ['/etc/', '/tmp/'] } });
      assert.deepEqual(
        d.records.filter((r) => r.op !== ' ').map((r) => r.op + r.text),
        ['-X 2 0 0', '+X 2 1 0'],
      );
    });

    it('shows records and dependency sets that changed', () => {
      const d = diffTraces(log('copy-b.filemon'), log('copy-changed.filemon'));
      assert.equal(formatTraceDiff(d, { labels: ['a', 'b'] }), CHANGED_DIFF);
      assert.match(formatTraceDiff(d, { colour: true }), /\x1b\[32m\+R 2 \/etc\/group\x1b\[0m/);
    });
  });

  describe('golden files', () => {
    it('passes when the trace matches its golden file', () => {
      const golden = join(dir, 'match.log');
      writeFileSync(golden, goldenText(log('copy-a.filemon')));
      assertTraceMatches(log('copy-b.filemon'), golden, { update: false });
      assertTraceMatches({ trace: log('copy-a.filemon') }, golden, { update: false });
    });

    it('fails with the diff when the trace changed', () => {
      const golden = join(dir, 'mismatch.log');
      writeFileSync(golden, goldenText(log('copy-b.filemon')));
      assert.throws(
        () => assertTraceMatches(readFileSync(fixture('copy-changed.filemon')), golden, { update: false }),
        (e: Error) => {
          assert.equal(e.name, 'AssertionError');
          const expected = CHANGED_DIFF.replace('--- a\n+++ b', `--- ${golden}\n+++ actual trace`);
          assert.equal(e.message, `trace differs from golden trace ${golden} (FILEMON_SIM_UPDATE=1 rewrites it):\n${expected}`);
          return true;
        },
      );
    });

    it('says how to create a missing golden file', () => {
      assert.throws(() => assertTraceMatches(log('copy-a.filemon'), join(dir, 'none.log'), { update: false }), /does not exist; run the test with FILEMON_SIM_UPDATE=1/);
    });

    it('writes and rewrites the file with FILEMON_SIM_UPDATE=1', () => {
      const golden = join(dir, 'sub/update.log');
      const saved = process.env.FILEMON_SIM_UPDATE;
      process.env.FILEMON_SIM_UPDATE = '1';
      try {
        assertTraceMatches(log('copy-b.filemon'), golden);
        assert.equal(readFileSync(golden, 'utf8'), goldenText(log('copy-b.filemon')));
        assert.match(readFileSync(golden, 'utf8'), /^# filemon version 5\n# Target pid 1\n# Start 0\.000000\nV 5\nE 2 \/bin\/sh\nW 2 \/tmp\/copy\n/);
        assertTraceMatches(log('copy-changed.filemon'), golden);
        assert.equal(readFileSync(golden, 'utf8'), goldenText(log('copy-changed.filemon')));
      } finally {
        if (saved === undefined) delete process.env.FILEMON_SIM_UPDATE;
        else process.env.FILEMON_SIM_UPDATE = saved;
      }
      assertTraceMatches(log('copy-changed.filemon'), golden);
      assert.throws(() => assertTraceMatches(log('copy-b.filemon'), golden));
    });
  });

  describe('filemon-sim diff', () => {
    it('exits 0 with no output for equal logs', async () => {
      const r = await cli(['diff', fixture('copy-a.filemon'), fixture('copy-b.filemon')]);
      assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    });

    it('exits 1 with the diff for different logs, one of them on stdin', async () => {
      const r = await cli(['diff', fixture('copy-b.filemon'), '-'], readFileSync(fixture('copy-changed.filemon'), 'utf8'));
      assert.equal(r.code, 1);
      assert.equal(r.stdout, CHANGED_DIFF.replace('--- a\n+++ b', `--- ${fixture('copy-b.filemon')}\n+++ -`));
    });

    it('colours on request and gives JSON for machines', async () => {
      const coloured = await cli(['diff', '--color', fixture('copy-b.filemon'), fixture('copy-changed.filemon')]);
      assert.match(coloured.stdout, /\x1b\[31m-X 2 0 0\x1b\[0m/);
      const r = await cli(['diff', '--json', fixture('copy-b.filemon'), fixture('copy-changed.filemon')]);
      assert.equal(r.code, 1);
      const j = JSON.parse(r.stdout);
      assert.equal(j.equal, false);
      assert.deepEqual(j.records.added, ['R 2 /etc/group', 'D 2 /tmp/old', 'X 2 1 0']);
      assert.deepEqual(j.records.removed, ['X 2 0 0']);
      assert.deepEqual(j.sets, { read: { added: ['/etc/group'], removed: [] }, deleted: { added: ['/tmp/old'], removed: [] } });
    });

    it('reads the filemon section of bmake .meta files', async () => {
      const meta = join(dir, 'copy.o.meta');
      writeFileSync(meta, `# Meta data file ${meta}\nCMD cp\nCWD /tmp\nTARGET copy\n-- command output --\n\n-- filemon acquired metadata --\n${readFileSync(fixture('copy-a.filemon'), 'utf8')}`);
      const r = await cli(['diff', '--keep', 'loader', meta, fixture('copy-b.filemon')]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^-R 2 \/etc\/ld\.so\.cache$/m);
      assert.deepEqual(await cli(['diff', meta, fixture('copy-b.filemon')]), { code: 0, stdout: '', stderr: '' });
    });

    it('exits 2 naming the problem for malformed, missing or wrong inputs', async () => {
      const bad = await cli(['diff', fixture('copy-a.filemon'), fixture('malformed.filemon')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /malformed\.filemon is not a well-formed filemon log \(2 malformed line\(s\)\):\n {2}line 3: /);
      const missing = await cli(['diff', fixture('copy-a.filemon'), join(dir, 'nope.log')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read .*nope\.log/);
      const notLog = join(dir, 'empty.txt');
      writeFileSync(notLog, '');
      assert.match((await cli(['diff', notLog, fixture('copy-a.filemon')])).stderr, /holds no filemon records/);
      const one = await cli(['diff', fixture('copy-a.filemon')]);
      assert.equal(one.code, 2);
      assert.match(one.stderr, /give two files; usage: filemon-sim diff/);
      assert.match((await cli(['diff', '-', '-'])).stderr, /only one side can be -/);
      assert.match((await cli(['diff', '--keep', 'x', 'a', 'b'])).stderr, /--keep wants one of loader, proc, dev/);
      assert.equal(existsSync(notLog), true);
    });
  });
});
