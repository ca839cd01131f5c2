// A trace written as a bmake .meta file (result.toMeta, trace --format
// meta): laid out as bmake writes one, read by Debian's meta2deps.py on the
// host to the same answer as bmake's own file, and taken by bmake in the
// guest as the target's meta file (its records decide the rebuild).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMetaFile, metaFileName } from '../sim/export/meta.js';
import type { Machine } from '../sim/guest/machine.js';
import { traceParser } from '../sim/node/parser-wasm.js';
import { TraceSession } from '../sim/simulator.js';
import { sharedGuest, text } from './helpers/guest.js';
import { hostProgram } from './helpers/host-programs.js';

const enc = new TextEncoder();
const DIR = '/home/meta-file';
/** The object directory bmake builds in; the input lies in the source tree beside it. */
const OBJ = `${DIR}/obj`;
const MK = '/usr/share/bmake/mk-bmake';
const CMD = 'cat ../src/lib/in.txt > out.txt';
/** A target whose input is not a source: only the .meta file's R record ties them. */
const MAKEFILE = `.MAKE.MODE = meta curdirok=yes verbose\nout.txt:\n\t${CMD}\nfail.txt:\n\tfalse\n`;

/** A .meta file with its filemon log's pids and times made alike, to compare layouts. */
function shape(meta: string): string {
  return meta.replace(/^(# Target pid|# Start|# Stop) .*$/gm, '$1 <N>').replace(/^([A-Z]) \d+ /gm, '$1 <PID> ');
}

describe('.meta files from traces', () => {
  describe('the layout (host)', () => {
    it("is bmake's: header, output, a newline, the marker, the log", () => {
      const meta = formatMetaFile({
        command: ['cc', '-c', 'a b.c'],
        cwd: '/src/obj',
        target: 'a.o',
        stdout: enc.encode('hello\n'),
        stderr: new Uint8Array(0),
        log: enc.encode('# filemon version 5\nV 5\n# Bye bye\n'),
      });
      assert.equal(
        text(meta),
        [
          '# Meta data file /src/obj/a.o.meta',
          "CMD cc -c 'a b.c'",
          'CWD /src/obj',
          'TARGET a.o',
          '-- command output --',
          'hello',
          '',
          '-- filemon acquired metadata --',
          '# filemon version 5',
          'V 5',
          '# Bye bye',
          '',
        ].join('\n'),
      );
    });

    it("adds bmake's error line before the log for a failed command", () => {
      const meta = text(formatMetaFile({ command: 'false', cwd: '/', target: 'x', stdout: new Uint8Array(0), stderr: new Uint8Array(0), log: enc.encode('# Bye bye\n'), status: 1 }));
      assert.ok(meta.endsWith('-- command output --\n\n*** Error code 1\n\n-- filemon acquired metadata --\n# Bye bye\n'), meta);
    });

    it('names the file as bmake does: TARGET.meta in the cwd, slashes made _', () => {
      assert.equal(metaFileName('/o', 'a.o'), '/o/a.o.meta');
      assert.equal(metaFileName('/o', 'sub/a.o'), '/o/sub_a.o.meta');
      assert.equal(metaFileName('/o', '/o/a.o'), '/o/a.o.meta');
      assert.equal(metaFileName('/o', '/o/sub/a.o'), '/o/sub_a.o.meta');
      assert.equal(metaFileName('/o', '/x/a.o'), '/o/_x_a.o.meta');
    });

    it('refuses what cannot be a .meta file, saying why', () => {
      const parts = { command: 'true', cwd: '/', stdout: new Uint8Array(0), stderr: new Uint8Array(0), log: new Uint8Array(0) };
      assert.throws(() => formatMetaFile({ ...parts, target: '' }), /needs a target name/);
      assert.throws(() => formatMetaFile({ ...parts, target: 'a\nb' }), /holds a newline/);
      assert.throws(() => formatMetaFile({ ...parts, target: 'a', cwd: 'rel' }), /CWD must be absolute/);
    });
  });

  describe("beside bmake's own (in the guest)", function () {
    this.timeout(600_000);
    let m: Machine;
    let ours: string;
    let bmakes: string;
    let session: TraceSession;

    const sh = async (cmd: string) => {
      const r = await m.exec(cmd, { cwd: OBJ, timeoutMs: 120_000 });
      assert.equal(r.status, 0, `\`${cmd}\` failed: ${text(r.stderr)}${text(r.stdout)}`);
      return text(r.stdout) + text(r.stderr);
    };

    before(async () => {
      m = await sharedGuest();
      await m.exec(`rm -rf ${DIR} && mkdir -p ${OBJ}`);
      await m.putFile(`${DIR}/src/lib/in.txt`, 'input\n');
      await m.putFile(`${OBJ}/Makefile`, MAKEFILE);
      await sh('bmake');
      bmakes = text(await m.getFile(`${OBJ}/out.txt.meta`));
      session = new TraceSession(m, traceParser(), () => Promise.reject(new Error('no restore in this test')));
      const r = await session.trace(CMD, { cwd: OBJ });
      assert.equal(r.status, 0, text(r.stderr));
      ours = text(r.toMeta({ target: 'out.txt' }));
    });

    it("has bmake's layout, line for line (pids and times aside)", () => {
      assert.equal(shape(ours).split('\n').slice(0, 8).join('\n'), shape(bmakes).split('\n').slice(0, 8).join('\n'));
      assert.equal(shape(ours), shape(bmakes));
    });

    it("has bmake's layout for a failed command too", async () => {
      await m.exec('bmake fail.txt', { cwd: OBJ });
      const theirs = text(await m.getFile(`${OBJ}/fail.txt.meta`));
      // bmake runs a command without shell syntax itself, not through sh.
      const r = await session.trace(['false'], { cwd: OBJ });
      assert.equal(shape(text(r.toMeta({ target: 'fail.txt' }))), shape(theirs));
    });

    it("meta2deps.py reads ours to the same answer as bmake's", async () => {
      const host = mkdtempSync(join(tmpdir(), 'fms-meta-'));
      try {
        // meta2deps.py checks that paths exist: the guest's tree is mapped under host.
        const at = (p: string) => join(host, p);
        mkdirSync(at(`${DIR}/src/lib`), { recursive: true });
        mkdirSync(at(OBJ), { recursive: true });
        writeFileSync(at(`${DIR}/src/lib/in.txt`), 'input\n');
        writeFileSync(at('meta2deps.py'), await m.getFile(`${MK}/meta2deps.py`));
        const run = (meta: string, name: string) => {
          const p = join(at(OBJ), name);
          writeFileSync(p, meta.split(DIR).join(at(DIR)));
          return execFileSync(hostProgram('python3'), [at('meta2deps.py'), '-S', at(`${DIR}/src`), '-R', 'obj', `CURDIR=${at(OBJ)}`, p], { cwd: at(OBJ), encoding: 'utf8' });
        };
        const fromBmake = run(bmakes, 'bmake.meta');
        const fromOurs = run(ours, 'ours.meta');
        assert.match(fromBmake, /^src:\/?lib$/m, `meta2deps.py on bmake's file said:\n${fromBmake}`);
        assert.equal(fromOurs, fromBmake);
      } finally {
        rmSync(host, { recursive: true, force: true });
      }
    });

    it("bmake takes ours as the target's meta file: up to date, then out of date once its recorded input changes", async () => {
      await m.putFile(`${OBJ}/out.txt.meta`, ours);
      // out.txt has no sources: only a meta file's records can make it out of date.
      await sh('touch out.txt');
      const upToDate = await sh('bmake -dM 2>&1');
      assert.doesNotMatch(upToDate, /is newer than the target|malformed|cat \.\.\/src/, upToDate);
      await sh('sleep 1; touch ../src/lib/in.txt');
      const rebuilt = await sh('bmake -dM 2>&1');
      assert.match(rebuilt, /out\.txt\.meta: ?\d+: file '.*in\.txt' is newer than the target/, rebuilt);
      assert.match(rebuilt, /^cat \.\.\/src\/lib\/in\.txt > out\.txt$/m);
    });
  });
});
