// The playground in front of a class (issue 23), in Debian's Chromium: each
// lesson step keeps and draws its own outcome, one step runs at a time,
// "Run all steps"; Ctrl-C and the Stop / reset control; examples and steps
// wait for the prompt; a group per command line; links on hashchange and
// Back/Forward, errors that stay; Copy link of what is on screen; records
// that survive `exit`; completion grouped apart; explanations that fit.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packageRoot } from '../images/linux/recipe/layout.js';
import type { StaticServer } from '../sim/node/static-server.js';
import { META_STEPS, sameTargets } from '../sim/lessons/meta.js';
import { EXAMPLES } from '../playground/examples.js';
import { launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { axeViolations, groupCount, openPlayground, servePlaygroundSite, typeCommand, waitForGroup, waitStep } from './browser/playground-driver.js';

const RESULTS = join(packageRoot, 'test-results');

/** What the lesson view shows for the step on screen. */
function shown(page: Page) {
  return page.evaluate(() => {
    const v = document.getElementById('view-lesson')!;
    const q = (s: string) => v.querySelector<HTMLElement>(s)?.innerText.trim();
    return {
      title: q('.lesson-title') ?? '',
      run: q('.lesson-run') ?? '',
      targets: q('.lesson-rebuilt .targets'),
      reasons: Array.from(v.querySelectorAll<HTMLElement>('.lesson-reasons li')).map((l) => l.innerText),
      about: q('.lesson-about'),
      prediction: q('.lesson-prediction'),
      running: q('.lesson-running'),
      done: Array.from(v.querySelectorAll<HTMLElement>('.lesson-step.done')).map((b) => Number(b.dataset.step)),
    };
  });
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six'];

describe('browser playground in front of a class', function () {
  this.timeout(600_000);
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let url: string;

  before(async () => {
    ({ server, url } = await servePlaygroundSite('class'));
    chromium = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  describe('the lesson, step by step', () => {
    let page: Page;
    before(async () => {
      page = await openPlayground(chromium.context, url);
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.click('#open-lesson');
    });
    after(() => page?.close());

    it('a step not yet run describes a prediction, not a result', async () => {
      await page.click('.lesson-step[data-step="3"]');
      const s = await shown(page);
      assert.equal(s.targets, undefined, 'no outcome is drawn');
      assert.equal(s.about, undefined, 'no explanation of a result');
      assert.match(s.prediction ?? '', /should rebuild main\.o, eval\.o and calc/);
      assert.doesNotMatch(s.prediction ?? '', /rebuilt nothing|was not rebuilt/);
      assert.equal(s.run, 'Run step 3');
    });

    it("Next during a run shows which step is running and no other step's outcome", async () => {
      await page.click('.lesson-step[data-step="1"]');
      await page.click('.lesson-run');
      await page.waitForFunction(() => window.playground.lesson?.running === true);
      await page.click('.lesson-next');
      await page.click('.lesson-next');
      const s = await shown(page);
      assert.match(s.title, /^Step 3 of/);
      assert.equal(s.targets, undefined);
      assert.match(s.running ?? '', /Step 1 is running/);
      assert.doesNotMatch(s.run, /again/);
      await waitStep(page, 1);
      const after = await shown(page);
      assert.match(after.title, /^Step 3 of/, 'the step shown stays where the visitor went');
      assert.equal(after.targets, undefined, 'step 3 still has no outcome');
      assert.equal(await page.evaluate(() => location.hash), '#lesson=meta&step=3', 'the address follows the step shown');
    });

    it('steps 1 to 4 run one by one; Previous to each shows its own outcome', async () => {
      for (const n of [2, 3, 4]) {
        await page.click(`.lesson-step[data-step="${n}"]`);
        await page.click('.lesson-run');
        await waitStep(page, n);
      }
      const results = await page.evaluate(() => window.playground.lesson!.results);
      for (const n of [4, 3, 2, 1]) {
        if (n < 4) await page.click('.lesson-prev');
        const s = await shown(page);
        assert.match(s.title, new RegExp(`^Step ${n} of`));
        assert.equal(s.run, `Run step ${n} again`);
        assert.deepEqual(s.done, [1, 2, 3, 4]);
        const step = META_STEPS[n - 1];
        if (step.kind === 'look') continue;
        assert.equal(s.targets, results[n].rebuilt.join(' ') || 'nothing');
        assert.ok(sameTargets(results[n].rebuilt, step.expect), `step ${n} rebuilt ${results[n].rebuilt}`);
        assert.equal(s.reasons.length, Math.max(results[n].reasons.length, 1));
        for (const r of results[n].reasons)
          assert.ok(
            s.reasons.some((li) => li.startsWith(r)),
            `${r} not on step ${n}'s page`,
          );
        // Numbers in words agree with the list they count.
        const m = /\b(no|one|two|three|four|five|six) targets?\b/.exec(s.about ?? '');
        assert.ok(m, `step ${n}'s text counts its targets: ${s.about}`);
        assert.equal(WORDS.indexOf(m[1]), results[n].rebuilt.length, s.about);
        if (n === 1) assert.doesNotMatch(s.reasons.join(' '), /no reason to rebuild anything/, 'step 1 rebuilt everything: the reasons say why there are none');
      }
    });

    it('the lesson with a step running passes an axe-core scan', async () => {
      await page.click('.lesson-step[data-step="5"]');
      await page.click('.lesson-run');
      await page.waitForFunction(() => window.playground.lesson?.running === true);
      assert.deepEqual(await axeViolations(page), []);
      await waitStep(page, 5);
    });
  });

  describe('the lesson across runs', () => {
    it('a link at step 3 moved to step 5 while step 3 runs: each step shows its own outcome', async () => {
      const page = await openPlayground(chromium.context, `${url}#lesson=meta&step=3`);
      await page.waitForFunction(() => window.playground.lesson?.running === true);
      await page.evaluate(() => (location.hash = '#lesson=meta&step=5'));
      const r3 = await waitStep(page, 3);
      const r5 = await waitStep(page, 5);
      assert.ok(sameTargets(r3.rebuilt, META_STEPS[2].expect), r3.rebuilt.join(' '));
      assert.ok(sameTargets(r5.rebuilt, []), r5.rebuilt.join(' '));
      await page.waitForFunction(() => window.playground.lesson?.running === false);
      let s = await shown(page);
      assert.match(s.title, /^Step 5 of/);
      assert.equal(s.targets, 'nothing');
      await page.click('.lesson-step[data-step="3"]');
      s = await shown(page);
      assert.equal(s.targets, r3.rebuilt.join(' '));
      await page.close();
    });

    it('"Run all steps" runs every step in order, and each keeps its outcome', async () => {
      const page = await openPlayground(chromium.context, url);
      await page.click('#open-lesson');
      await page.click('.lesson-run-all');
      await waitStep(page, META_STEPS.length, 400_000);
      const st = await page.evaluate(() => window.playground.lesson!);
      for (const [i, step] of META_STEPS.entries()) {
        assert.ok(st.results[i + 1]?.ok, `step ${i + 1} (${step.id}) as promised`);
      }
      await page.close();
    });
  });

  describe('the terminal', () => {
    let page: Page;
    before(async () => {
      page = await openPlayground(chromium.context, url);
      await page.setViewportSize({ width: 1280, height: 720 });
    });
    after(() => page?.close());

    it('Ctrl-C on sleep 30 gives a prompt within 2 s and an X record with the signal', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'sleep 30');
      // sleep's own E record (the group before may have one too): the shell has left its line editor.
      await page.waitForFunction(
        (f) =>
          Array.from(document.querySelectorAll('#view-records .group'))
            .slice(f)
            .some((g) => g.querySelector('.line')?.textContent === '$ sleep 30' && g.querySelector('.rec-E')),
        from,
      );
      const t = Date.now();
      await page.keyboard.press('Control+C');
      const rows = await waitForGroup(page, 'sleep 30', from, 10_000);
      assert.ok(Date.now() - t < 2000, `the prompt took ${Date.now() - t} ms`);
      assert.ok(
        rows.some((r) => /^X \d+ 0 2$/.test(r)),
        rows.join('\n'),
      );
    });

    it('Ctrl-\\ quits the foreground command: an X record with SIGQUIT', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'sleep 30');
      await page.waitForFunction(
        (f) =>
          Array.from(document.querySelectorAll('#view-records .group'))
            .slice(f)
            .some((g) => g.querySelector('.line')?.textContent === '$ sleep 30' && g.querySelector('.rec-E')),
        from,
      );
      await page.keyboard.press('Control+Backslash');
      const rows = await waitForGroup(page, 'sleep 30', from, 10_000);
      assert.ok(
        rows.some((r) => /^X \d+ 0 3$/.test(r)),
        rows.join('\n'),
      );
    });

    it('an example clicked during a command waits for the prompt and gets its own group', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'sleep 3');
      await page.click('button[data-example="copy"]');
      assert.match(await page.locator('#status').innerText(), /when the current command ends/);
      const sleep = await waitForGroup(page, 'sleep 3', from, 20_000);
      const copy = await waitForGroup(page, EXAMPLES[0].command, from, 20_000);
      assert.ok(!sleep.some((r) => /\/home\/copy/.test(r)), sleep.join('\n'));
      assert.ok(
        copy.some((r) => /^W \d+ \/home\/copy$/.test(r)),
        copy.join('\n'),
      );
    });

    it('a command line typed while another runs gets its own group', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'sleep 2');
      await page.waitForTimeout(300);
      await page.keyboard.type('cat /etc/hostname');
      await page.keyboard.press('Enter');
      const rows = await waitForGroup(page, 'cat /etc/hostname', from, 20_000);
      assert.ok(
        rows.some((r) => /^R \d+ \/etc\/hostname$/.test(r)),
        rows.join('\n'),
      );
      const sleep = await waitForGroup(page, 'sleep 2', from, 20_000);
      assert.ok(!sleep.some((r) => /hostname/.test(r)), sleep.join('\n'));
    });

    it('a lesson step clicked during sleep 8 waits, then runs', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'sleep 8');
      await page.click('#open-lesson');
      await page.click('.lesson-run');
      assert.match(await page.locator('.lesson-running').innerText(), /when the current command ends/);
      const r = await waitStep(page, 1, 60_000);
      assert.ok(r.ok, JSON.stringify(r));
      const sleep = await waitForGroup(page, 'sleep 8', from, 5000);
      assert.ok(!sleep.some((l) => /bmake|tcc/.test(l)), sleep.join('\n'));
      await page.click('.tab[data-view="records"]');
    });

    it('"Stop / reset shell" ends a command that ignores Ctrl-C, and the records stay', async () => {
      await typeCommand(page, 'trap "" INT; yes > /dev/null');
      await page.waitForTimeout(500);
      const before = await groupCount(page);
      await page.click('#shell-reset');
      await page.waitForFunction((n) => document.querySelectorAll('#view-records .group').length > n && window.playground.session?.running === true, before, { timeout: 20_000 });
      await page.waitForSelector('#view-records .group.shell-start:last-of-type', { timeout: 20_000 });
      assert.ok((await groupCount(page)) > before, 'earlier records kept');
      assert.ok((await page.locator('#view-records .group .line', { hasText: '$ sleep 30' }).count()) > 0);
    });

    it('`exit` keeps the earlier records; the new shell starts a group of its own', async () => {
      const before = await groupCount(page);
      await typeCommand(page, 'exit');
      await page.waitForFunction((n) => document.querySelectorAll('#view-records .group.shell-start').length >= 2 && document.querySelectorAll('#view-records .group').length > n, before, {
        timeout: 20_000,
      });
      assert.ok((await page.locator('#view-records .group .line', { hasText: '$ sleep 30' }).count()) > 0, 'records of the first shell are still there');
    });

    it("Tab completion's reads are grouped as completion, dimmed, not in the finished command's group", async () => {
      // The shell `exit` restarted must have shown its prompt: a line typed
      // before it is typed ahead, which is not what this test is about.
      await page.waitForFunction(() => window.playground.session?.running === true && window.playground.session.atPrompt, undefined, { timeout: 20_000 });
      const from = await groupCount(page);
      await typeCommand(page, 'true');
      await waitForGroup(page, 'true', from, 10_000);
      await page.click('#terminal');
      await page.keyboard.type('ls /us');
      await page.keyboard.press('Tab');
      await page.waitForSelector('#view-records .group.completion .rec', { timeout: 10_000 });
      const t = await waitForGroup(page, 'true', from, 1000);
      assert.ok(!t.some((r) => /\/usr/.test(r)), t.join('\n'));
      const colour = await page.$eval('#view-records .group.completion .rec', (e) => getComputedStyle(e).color);
      const dim = await page.$eval('#view-records .group .rec.prompt, .status', (e) => getComputedStyle(e).color);
      assert.equal(colour, dim);
      await page.keyboard.press('Control+U');
    });
  });

  describe('links', () => {
    for (const [hash, says] of [
      ['#lesson=meta&step=9', /step 9/],
      ['#lesson=meta&step=0', /step 0/],
      ['#lesson=foo', /"foo"/],
    ] as const) {
      it(`${hash} says what is wrong, and it stays said`, async () => {
        const page = await openPlayground(chromium.context, `${url}${hash}`);
        await page.waitForTimeout(1500);
        const err = page.locator('#link-error');
        assert.equal(await err.isVisible(), true);
        assert.match(await err.innerText(), says);
        if (hash.endsWith('step=9')) {
          assert.deepEqual(await axeViolations(page), [], 'with the error shown');
          await page.click('#link-error-close');
          assert.equal(await err.isVisible(), false, 'dismissed');
        }
        await page.close();
      });
    }

    it('setting the hash in an open tab runs it; Back and Forward run what they go to', async () => {
      const page = await openPlayground(chromium.context, url);
      let from = await groupCount(page);
      await page.evaluate(() => (location.hash = '#example=fail'));
      await waitForGroup(page, 'cat /no/such/file', from, 30_000);
      from = await groupCount(page);
      await page.evaluate(() => (location.hash = '#cmd=cat%20%2Fetc%2Fhostname'));
      await waitForGroup(page, 'cat /etc/hostname', from, 30_000);
      from = await groupCount(page);
      await page.goBack();
      await waitForGroup(page, 'cat /no/such/file', from, 30_000);
      from = await groupCount(page);
      await page.goForward();
      await waitForGroup(page, 'cat /etc/hostname', from, 30_000);
      await page.close();
    });

    it('Copy link copies the typed command on screen', async () => {
      await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const page = await openPlayground(chromium.context, url);
      const from = await groupCount(page);
      await typeCommand(page, 'cat /etc/hostname');
      await waitForGroup(page, 'cat /etc/hostname', from, 30_000);
      await page.click('#copy-link');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${url}#cmd=cat%20%2Fetc%2Fhostname`);
      await page.close();
    });
  });

  describe('explanations', () => {
    for (const [w, h] of [
      [1280, 720],
      [390, 844],
    ] as const) {
      it(`the example box shows each example's whole text at ${w}x${h}`, async () => {
        const page = await openPlayground(chromium.context, url);
        await page.setViewportSize({ width: w, height: h });
        await page.waitForTimeout(300);
        for (const ex of EXAMPLES) {
          await page.evaluate((id) => document.querySelector<HTMLButtonElement>(`button[data-example="${id}"]`)!.click(), ex.id);
          const box = await page.$eval('#example-about', (e) => ({ scroll: e.scrollHeight, client: e.clientHeight, text: e.textContent }));
          assert.ok(box.scroll <= box.client + 1, `${ex.id}: ${box.scroll} > ${box.client}`);
          assert.ok(box.text?.includes(ex.about));
        }
        await page.screenshot({ path: join(RESULTS, `examples-${w}.png`) });
        await page.close();
      });
    }

    it('the texts the issue names say what their records show', () => {
      const about = (id: string) => EXAMPLES.find((e) => e.id === id)!.about;
      assert.match(about('fail'), /\bE\b/);
      assert.match(about('manual'), /\bC\b[\s\S]*manual_example/);
      assert.match(about('manual'), /example\.in/);
      assert.match(about('moves'), /no E record/);
    });
  });

  describe('smaller points', () => {
    let page: Page;
    before(async () => {
      page = await openPlayground(chromium.context, url);
    });
    after(() => page?.close());

    it('has a favicon', async () => {
      const href = await page.$eval('link[rel="icon"]', (l) => (l as HTMLLinkElement).href);
      const r = await page.request.get(href);
      assert.equal(r.status(), 200);
    });

    it('the tabs move with the arrow keys', async () => {
      await page.focus('.tab[data-view="records"]');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.view), 'tree');
      assert.equal(await page.locator('#view-tree').isVisible(), true);
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.view), 'records');
    });

    it('the letter filters are hidden on the Lesson tab', async () => {
      await page.click('.tab[data-view="lesson"]');
      assert.equal(await page.locator('.filters').isVisible(), false);
      await page.click('.tab[data-view="records"]');
      assert.equal(await page.locator('.filters').isVisible(), true);
    });

    it('Fit keeps a 31-process tree readable: its top at a legible size, and says so', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'for i in $(seq 30); do /bin/true; done');
      await waitForGroup(page, 'for i in $(seq 30); do /bin/true; done', from, 60_000);
      await page.click('.tab[data-view="graph"]');
      await page.waitForFunction(() => (window.playground.graph?.processes ?? 0) >= 31);
      await page.click('#graph-fit');
      const scale = await page.$eval('#graph-frame svg', (svg) => svg.getBoundingClientRect().width / Number(svg.getAttribute('viewBox')!.split(' ')[2]));
      assert.ok(scale >= 0.55, `drawn at ${scale.toFixed(2)} of its size`);
      assert.match(await page.locator('#graph-caption').innerText(), /too big to read whole/);
      await page.click('.tab[data-view="records"]');
    });

    it("at 200 % zoom (640x360) an example leaves the terminal's size and output where they were", async () => {
      await page.setViewportSize({ width: 640, height: 360 });
      await page.waitForTimeout(300);
      const size = () => page.evaluate(() => document.querySelector('#terminal .xterm-screen')!.getBoundingClientRect().height);
      const before = await size();
      const from = await groupCount(page);
      await page.click('button[data-example="forge"]');
      await waitForGroup(page, 'fms-forge', from, 30_000);
      assert.equal(await size(), before);
      await page.setViewportSize({ width: 1280, height: 720 });
    });

    it('a 40 MB upload says so while it runs, and appears in the guest only once whole', async () => {
      const big = Buffer.alloc(40 << 20, 0x61);
      await page.setInputFiles('#upload', { name: 'big.bin', mimeType: 'application/octet-stream', buffer: big });
      await page.waitForFunction(() => /uploading big\.bin \(4\d\.\d MB\)/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 5000 });
      await page.waitForFunction(() => /uploaded big\.bin|upload of big\.bin failed/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 120_000 });
      assert.match(await page.locator('#status').innerText(), /uploaded big\.bin \(41943040 bytes\)/);
      const ls = await page.evaluate(async () => new TextDecoder().decode((await window.playground.machine!.exec('ls -la /home; stat -c %s /home/big.bin; rm /home/big.bin', { cwd: '/' })).stdout));
      assert.match(ls, /\n41943040\n$/);
      assert.doesNotMatch(ls, /\.part/);
    });

    it('the Processes tab shows the command line beside /proc/self/exe', async () => {
      const from = await groupCount(page);
      await typeCommand(page, 'cat /etc/hostname');
      await waitForGroup(page, 'cat /etc/hostname', from, 30_000);
      await page.click('.tab[data-view="tree"]');
      assert.match(await page.locator('#view-tree').innerText(), /\/proc\/self\/exe.*cat \/etc\/hostname/);
    });
  });
});
