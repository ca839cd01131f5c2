// The playground as a teacher uses it, in Debian's Chromium: the meta-mode
// lesson step by step (rebuilt targets and bmake's reasons), links that open
// an example or a lesson step, the process graph and its SVG download, and
// what a visitor notices: layouts at 1280x720 and 768 px, keyboard-only use,
// an axe-core scan. Screenshots go to test-results/ (ignored by git).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packageRoot } from '../images/linux/recipe/layout.js';
import type { StaticServer } from '../sim/node/static-server.js';
import { META_STEPS, sameTargets } from '../sim/lessons/meta.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { axeViolations, openPlayground, servePlaygroundSite, waitForGroup, waitStep } from './browser/playground-driver.js';

const RESULTS = join(packageRoot, 'test-results');

/** Runs lesson step n from the page's buttons and returns its result. */
async function runStep(page: Page, n: number) {
  await page.click(`.lesson-step[data-step="${n}"]`);
  await page.click('.lesson-run');
  return waitStep(page, n);
}

describe('browser playground: lesson, links, graph', function () {
  this.timeout(600_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let url: string;

  before(async () => {
    ({ server, url } = await servePlaygroundSite('teach'));
    chromium = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  describe('the meta-mode lesson', () => {
    let page: Page;
    before(async () => {
      page = await openPlayground(chromium.context, url);
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.click('#open-lesson');
    });
    after(() => page?.close());

    for (const [i, step] of META_STEPS.entries()) {
      const n = i + 1;
      it(`step ${n}, ${step.name}: shows ${step.kind === 'look' ? 'the filemon section' : `rebuilt ${step.expect.join(' ') || 'nothing'}`} and bmake's reason`, async () => {
        const r = await runStep(page, n);
        if (step.kind === 'look') {
          const lines = await page.locator('.lesson-meta .rec').allInnerTexts();
          assert.ok(
            lines.some((l) => /^E \d+ \/usr\/bin\/tcc$/.test(l)),
            lines.join('\n'),
          );
          assert.ok(
            lines.some((l) => /^R \d+ \/home\/demo\/meta-project\/eval\.h$/.test(l)),
            lines.join('\n'),
          );
          assert.ok(
            lines.some((l) => /^W \d+ main\.o$/.test(l)),
            lines.join('\n'),
          );
          assert.match(await page.locator('.lesson-about').innerText(), /"R \d+ \/home\/demo\/meta-project\/eval\.h"/);
          await page.screenshot({ path: join(RESULTS, 'lesson-meta-file.png') });
          return;
        }
        assert.ok(sameTargets(r.rebuilt, step.expect), `rebuilt ${r.rebuilt.join(' ')}; expected ${step.expect.join(' ')}`);
        const shown = (await page.locator('.lesson-rebuilt .targets').innerText()).trim();
        assert.equal(shown, step.expect.length ? r.rebuilt.join(' ') : 'nothing');
        for (const re of step.reasons)
          assert.ok(
            r.reasons.some((t) => re.test(t)),
            `${re} not in\n${r.reasons.join('\n')}`,
          );
        if (!step.reasons.length) assert.deepEqual(r.reasons, []);
        // Each reason cites the .meta record that made it so: the R (or other) line of the file it names.
        const reasons = await page.locator('.lesson-reasons li').allInnerTexts();
        for (const re of step.reasons) {
          const li = reasons.find((t) => re.test(t));
          assert.ok(li, reasons.join('\n'));
          const file = /'([^']+)'|missing files: (\S+?)(?:\.\.\.)?(?:\s|$)/.exec(li)!;
          const path = file[1] ?? file[2];
          assert.match(li, new RegExp(`← \\S+\\.meta line \\d+: R \\d+ ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`), li);
        }
        assert.ok(r.ok, 'the page judged the step as promised');
        if (n === 3) await page.screenshot({ path: join(RESULTS, 'lesson-header-touched.png') });
      });
    }

    it('the lesson passes an axe-core scan (no serious or critical violations)', async () => {
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  describe('links', () => {
    it('#example=fork-tree runs that example once the guest is ready', async () => {
      const page = await openPlayground(chromium.context, `${url}#example=fork-tree`);
      const rows = await waitForGroup(page, 'fms-forktree', 0, 60_000);
      assert.ok(
        rows.some((r) => /^X \d+ 0 15$/.test(r)),
        rows.join('\n'),
      );
      assert.match(await page.locator('#example-about').innerText(), /fms-forktree/);
      await page.close();
    });

    it('#lesson=meta&step=3 opens the lesson and runs step 3 (steps 1 and 2 replayed first)', async () => {
      const page = await openPlayground(chromium.context, `${url}#lesson=meta&step=3`);
      const r = await waitStep(page, 3);
      assert.ok(sameTargets(r.rebuilt, META_STEPS[2].expect), r.rebuilt.join(' '));
      assert.equal(await page.locator('#view-lesson').isVisible(), true);
      assert.match(await page.locator('.lesson-title').innerText(), /^Step 3 of/);
      await page.close();
    });

    it('#cmd=... types a command; an unknown example is reported', async () => {
      const page = await openPlayground(chromium.context, `${url}#cmd=${encodeURIComponent('cat /etc/hostname')}`);
      const rows = await waitForGroup(page, 'cat /etc/hostname', 0, 60_000);
      assert.ok(
        rows.some((r) => /^R \d+ \/etc\/hostname$/.test(r)),
        rows.join('\n'),
      );
      await page.close();
      const p2 = await openPlayground(chromium.context, `${url}#example=nope`);
      await p2.waitForFunction(() => window.playground.linkDone === true);
      // Said above the panel, where it stays (not in the status line, which the next event replaces).
      assert.match(await p2.locator('#link-error').innerText(), /"nope".*does not exist/);
      await p2.close();
    });

    it('"Copy link" gives a link to the current example', async () => {
      await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const page = await openPlayground(chromium.context, url);
      await page.click('button[data-example="copy"]');
      await page.click('#copy-link');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, `${url}#example=copy`);
      await page.close();
    });
  });

  describe('the process graph', () => {
    let page: Page;
    before(async () => {
      page = await openPlayground(chromium.context, `${url}#example=fork-tree`);
      await waitForGroup(page, 'fms-forktree', 0, 60_000);
      await page.click('.tab[data-view="graph"]');
    });
    after(() => page?.close());

    it('draws a node per process of the fork tree, with its exit status and signal', async () => {
      await page.waitForSelector('#graph-frame svg g.proc');
      const nodes = await page.$$eval('#graph-frame g.proc', (gs) => gs.map((g) => ({ pid: g.getAttribute('data-pid'), exit: g.getAttribute('data-exit'), text: g.textContent })));
      // The shell, fms-forktree, its three children and one grandchild.
      assert.equal(nodes.length, 6, JSON.stringify(nodes));
      const exits = nodes.map((n) => n.exit).sort();
      assert.deepEqual(exits, ['', '0 0', '0 0', '0 15', '3 0', '7 0']);
      assert.ok(nodes.some((n) => /E \/usr\/local\/bin\/fms-forktree/.test(n.text ?? '') && n.exit === '0 0'));
      assert.ok(nodes.some((n) => /X 0 15: killed by signal 15 \(SIGTERM\)/.test(n.text ?? '')));
      // Children are drawn left to right in fork order: exit 0, then 3 (the grandchild's parent), then signal 15.
      const row = await page.$$eval('#graph-frame g.proc', (gs) =>
        gs.map((g) => ({ exit: g.getAttribute('data-exit'), x: g.querySelector('rect')!.getBBox().x, y: g.querySelector('rect')!.getBBox().y })),
      );
      const kids = row.filter((n) => ['0 0', '3 0', '0 15'].includes(n.exit ?? '') && n.y === Math.max(...row.filter((m) => m.exit === '0 15').map((m) => m.y)));
      assert.deepEqual(
        kids.sort((a, b) => a.x - b.x).map((n) => n.exit),
        ['0 0', '3 0', '0 15'],
        JSON.stringify(row),
      );
      const edges = await page.locator('#graph-frame path.fork').count();
      assert.equal(edges, 5);
      await page.screenshot({ path: join(RESULTS, 'graph-fork-tree.png') });
    });

    it('zooms with the buttons and the keyboard', async () => {
      const box = () => page.$eval('#graph-frame svg', (s) => s.getAttribute('viewBox')!.split(' ').map(Number));
      const before = await box();
      await page.click('#graph-zoom-in');
      const zoomed = await box();
      assert.ok(zoomed[2] < before[2], `${zoomed} vs ${before}`);
      await page.focus('#graph-frame');
      await page.keyboard.press('ArrowRight');
      assert.ok((await box())[0] > zoomed[0]);
      await page.keyboard.press('0');
      const fitted = await box();
      assert.deepEqual(fitted.slice(0, 2), [0, 0]);
      assert.ok(fitted[2] >= before[2] - 1, `${fitted} vs ${before}`);
    });

    it('downloads the picture as an SVG file that parses as SVG', async () => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#graph-svg')]);
      assert.equal(dl.suggestedFilename(), 'filemon-sim-processes.svg');
      const text = readFileSync(await dl.path(), 'utf8');
      assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
      const parsed = await page.evaluate((t) => {
        const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
        return { error: doc.getElementsByTagName('parsererror').length, root: doc.documentElement.localName, ns: doc.documentElement.namespaceURI, procs: doc.querySelectorAll('g.proc').length };
      }, text);
      assert.deepEqual(parsed, { error: 0, root: 'svg', ns: 'http://www.w3.org/2000/svg', procs: 6 });
    });

    it('the graph view passes an axe-core scan (no serious or critical violations)', async () => {
      assert.deepEqual(await axeViolations(page), []);
    });
  });

  describe('what a visitor notices', () => {
    it('at 768 px wide (a tablet) the panels stack and nothing overflows sideways', async () => {
      const page = await openPlayground(chromium.context, url);
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.waitForTimeout(300); // the layout settles (ResizeObserver fits the terminal)
      const r = await page.evaluate(() => {
        const l = document.querySelector('.left')!.getBoundingClientRect();
        const rt = document.querySelector('.right')!.getBoundingClientRect();
        return { stacked: rt.top >= l.bottom - 1, scroll: document.documentElement.scrollWidth, width: window.innerWidth };
      });
      assert.ok(r.stacked, JSON.stringify(r));
      assert.ok(r.scroll <= r.width, JSON.stringify(r));
      await page.screenshot({ path: join(RESULTS, 'tablet-768.png'), fullPage: true });
      await page.close();
    });

    it('at 1280x720 the terminal and the panel sit side by side within the window', async () => {
      const page = await openPlayground(chromium.context, url);
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.waitForTimeout(300);
      const r = await page.evaluate(() => {
        const l = document.querySelector('.left')!.getBoundingClientRect();
        const rt = document.querySelector('.right')!.getBoundingClientRect();
        const box = document.getElementById('terminal')!.getBoundingClientRect();
        const scr = document.querySelector('#terminal .xterm-screen')!.getBoundingClientRect();
        return {
          side: rt.left >= l.right - 1 && Math.abs(rt.top - l.top) < 2,
          bottom: Math.max(l.bottom, rt.bottom),
          scroll: document.documentElement.scrollWidth,
          termInside: scr.bottom <= box.bottom + 1 && scr.right <= box.right + 1,
        };
      });
      assert.ok(r.side && r.scroll <= 1280, JSON.stringify(r));
      assert.ok(r.termInside, "the terminal's rows stay inside its box");
      assert.ok(r.bottom <= 720, `the page is taller than the window: ${r.bottom}`);
      await page.screenshot({ path: join(RESULTS, 'desktop-1280x720.png') });
      await page.close();
    });

    it('every button and field is reachable with the keyboard alone (Esc then Tab leaves the terminal)', async () => {
      const page = await openPlayground(chromium.context, url);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const reached = new Set<string>();
      const name = () =>
        page.evaluate(() => {
          const a = document.activeElement as HTMLElement | null;
          if (!a || a === document.body) return 'body';
          if (a.closest('#terminal')) return 'terminal';
          return a.id || (a.dataset.example ? `example:${a.dataset.example}` : a.dataset.view ? `tab:${a.dataset.view}` : a.dataset.letter ? `letter:${a.dataset.letter}` : a.outerHTML.slice(0, 60));
        });
      for (let i = 0; i < 80; i++) {
        const n = await name();
        reached.add(n);
        if (n === 'terminal') await page.keyboard.press('Escape');
        await page.keyboard.press('Tab');
      }
      const wanted = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('button, select, input, [tabindex="0"]'))
          .filter((e) => e.offsetParent !== null || e.id === 'upload-button')
          .map(
            (e) =>
              (e.closest('#terminal') ? 'terminal' : e.id) ||
              (e.dataset.example ? `example:${e.dataset.example}` : e.dataset.view ? `tab:${e.dataset.view}` : e.dataset.letter ? `letter:${e.dataset.letter}` : e.outerHTML.slice(0, 60)),
          ),
      );
      const missed = wanted.filter((w) => !reached.has(w));
      assert.deepEqual(missed, [], `reached: ${[...reached].join(', ')}`);
      assert.ok(reached.has('terminal'));
      // Enter on a focused example button runs it.
      await page.focus('button[data-example="fail"]');
      await page.keyboard.press('Enter');
      await waitForGroup(page, 'cat /no/such/file', 0, 60_000);
      await page.close();
    });

    it('the loaded page passes an axe-core scan (no serious or critical violations)', async () => {
      const page = await openPlayground(chromium.context, url);
      assert.deepEqual(await axeViolations(page), []);
      await page.close();
    });
  });
});
