// The meta-mode lesson's host-side reading of bmake's output and the
// playground's links, without a guest: what the page and the Node demo
// conclude from bmake's own words.
import assert from 'node:assert/strict';
import { META_STEPS, citeRecords, explain, readBmakeOutput, stepCommand } from '../sim/lessons/meta.js';
import { linkFor, readLink } from '../playground/links.js';

const P = '/home/demo/meta-project';
/** What the terminal showed for step 3 (CR LF line ends, as a pty writes them). */
const STEP3 = [
  `/home/demo/meta-project # cd ${P} && touch -d '2024-01-01 02:00:00' eval.h && bmake -dM`,
  `${P}/obj/main.o.meta: 51: file '${P}/eval.h' is newer than the target...`,
  `Building ${P}/obj/main.o`,
  `tcc -O2 -I${P}/local -I${P}/include -c ${P}/main.c -o main.o`,
  `${P}/obj/eval.o.meta: 20: file '${P}/eval.h' is newer than the target...`,
  `Building ${P}/obj/eval.o`,
  `Building ${P}/obj/calc`,
  'tcc -o calc main.o lexer.o eval.o',
  'Skipping meta for all: no commands',
].join('\r\n');

describe('meta-mode lesson: reading bmake', () => {
  it('reads the rebuilt targets and the reasons with the .meta line they name', () => {
    const o = readBmakeOutput(STEP3);
    assert.deepEqual(o.rebuilt, ['main.o', 'eval.o', 'calc']);
    assert.deepEqual(
      o.reasons.map((r) => [r.meta, r.line, r.file]),
      [
        ['main.o.meta', 51, `${P}/eval.h`],
        ['eval.o.meta', 20, `${P}/eval.h`],
      ],
    );
    assert.equal(o.reasons[0].text, `main.o.meta: 51: file '${P}/eval.h' is newer than the target...`);
  });

  it("cites the record at the named line, or the file's first record when the line does not name it", () => {
    const meta = ['# Meta data file', 'CMD tcc', ...Array.from({ length: 48 }, (_, i) => `R 116 /usr/include/h${i}.h`), `R 116 ${P}/eval.h`, `R 116 ${P}/lexer.h`].join('\n');
    const o = readBmakeOutput(`${P}/obj/main.o.meta: 51: file '${P}/lexer.h' is newer than the target...\n${P}/obj/main.o.meta: missing files: ${P}/eval.h...`);
    citeRecords(o.reasons, { 'main.o.meta': meta });
    assert.deepEqual(
      o.reasons.map((r) => [r.line, r.record]),
      [
        [52, `R 116 ${P}/lexer.h`],
        [51, `R 116 ${P}/eval.h`],
      ],
    );
  });

  it('fills an explanation from the run and leaves no placeholder', () => {
    const o = readBmakeOutput(STEP3);
    citeRecords(o.reasons, { 'main.o.meta': Array.from({ length: 50 }, () => 'x').join('\n') + `\nR 116 ${P}/eval.h` });
    const text = explain(META_STEPS[2], { outcome: o });
    assert.match(text, /rebuilt three targets, main\.o, eval\.o and calc\. It gave two reasons/);
    assert.match(text, new RegExp(`main\\.o\\.meta line 51: "R 116 ${P}/eval\\.h"`));
    for (const s of META_STEPS) assert.doesNotMatch(explain(s, {}), /\{\w+\}/, s.id);
  });

  it('has build steps that cd to the project and run bmake -dM', () => {
    assert.equal(stepCommand(META_STEPS[0]), `cd ${P} && bmake -dM`);
    assert.equal(stepCommand(META_STEPS[5], 4), `cd ${P} && rm local/config.h && bmake -dM -j4`);
  });
});

describe('playground links', () => {
  it('reads #example, #lesson and #cmd, and rejects what does not exist', () => {
    assert.deepEqual(readLink('#example=fork-tree'), { example: 'fork-tree' });
    assert.deepEqual(readLink('#lesson=meta&step=3'), { lesson: 'meta', step: 3 });
    assert.deepEqual(readLink('#cmd=ls%20-l%20%2Fetc'), { cmd: 'ls -l /etc' });
    assert.match(readLink('#lesson=meta&step=99').error ?? '', /steps are 1 to 7/);
    assert.match(readLink('#lesson=make').error ?? '', /only lesson is "meta"/);
    assert.deepEqual(readLink(''), {});
  });

  it('writes links that read back the same', () => {
    const base = 'http://localhost:8080/sub/path/?x=1#old';
    for (const l of [{ example: 'copy' }, { lesson: 'meta' as const, step: 5 }, { cmd: "cat /etc/passwd > '/home/a b'" }]) {
      const href = linkFor(base, l);
      assert.ok(href.startsWith('http://localhost:8080/sub/path/?x=1#'), href);
      assert.deepEqual(readLink(new URL(href).hash), l);
    }
    assert.equal(linkFor(base, {}), 'http://localhost:8080/sub/path/?x=1');
  });
});
