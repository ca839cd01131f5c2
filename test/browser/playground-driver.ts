// Drives the playground page for the tests and the benchmark.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { packageRoot } from '../../images/linux/recipe/layout.js';
import { serveStatic, type StaticServer } from '../../sim/node/static-server.js';
import type * as Site from '../../playground/site.mjs';

/** The hooks playground/main.ts leaves on window. */
interface PlaygroundHooks {
  ready: boolean;
  readyAt?: number;
  start?: 'restored' | 'cold';
  error?: string;
  marks: { enter?: number; x?: number; prompt?: number };
  /** The meta-mode lesson (playground/lesson.ts). */
  lesson?: {
    step: number;
    running: boolean;
    results: Record<number, { rebuilt: string[]; reasons: string[]; records: string[]; ok: boolean; ms: number }>;
    error?: string;
  };
  graph?: { processes: number; at: number; ms: number };
  linkDone?: boolean;
  /** What the page fetched of the toolchain disk (absent when the site has none). */
  toolchain?: { requests: number; bytes: number };
  /** The shell session (sim/guest/shell-session.ts): whether a shell runs, and whether it waits for a line. */
  session?: { running: boolean; atPrompt: boolean };
  /** The guest (sim/guest/machine.ts), for what a test checks behind the page's back. */
  machine?: { exec(cmd: string, opts: { cwd: string }): Promise<{ status: number; stdout: Uint8Array }> };
}

declare global {
  interface Window {
    playground: PlaygroundHooks;
  }
}

/** Opens the page and waits for the first prompt. */
export async function openPlayground(context: BrowserContext, url: string, timeoutMs = 120_000): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  try {
    await page.waitForFunction(() => window.playground?.ready === true || window.playground?.error !== undefined, undefined, { timeout: timeoutMs });
  } catch (e) {
    throw new Error(`the playground did not become ready: ${(e as Error).message}; page errors: ${errors.join('; ')}`);
  }
  const err = await page.evaluate(() => window.playground.error);
  if (err) throw new Error(`the playground failed: ${err}; page errors: ${errors.join('; ')}`);
  return page;
}

/** Types a command into the terminal, as a visitor would, and presses Enter. */
export async function typeCommand(page: Page, cmd: string): Promise<void> {
  await page.click('#terminal');
  await page.keyboard.type(cmd);
  await page.keyboard.press('Enter');
}

/** How many command groups the panel shows. */
export function groupCount(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelectorAll('#view-records .group').length);
}

/** The record lines of the last group whose command line is cmd (among groups from index `from` on). */
export async function groupRecords(page: Page, cmd: string, from = 0): Promise<string[]> {
  return page.evaluate(
    ([c, f]) => {
      const groups = Array.from(document.querySelectorAll('#view-records .group'))
        .slice(f)
        .filter((g) => g.querySelector('.line')?.textContent === `$ ${c}`);
      const g = groups[groups.length - 1];
      return g ? Array.from(g.querySelectorAll('.rec')).map((r) => r.textContent ?? '') : [];
    },
    [cmd, from] as const,
  );
}

/**
 * Waits until a group of cmd, from index `from` on (the count before the
 * command was typed), is finished (the prompt came back); returns its record lines.
 */
export async function waitForGroup(page: Page, cmd: string, from = 0, timeoutMs = 30_000): Promise<string[]> {
  await page.waitForFunction(
    ([c, f]) => {
      const groups = Array.from(document.querySelectorAll('#view-records .group'))
        .slice(f)
        .filter((g) => g.querySelector('.line')?.textContent === `$ ${c}`);
      const g = groups[groups.length - 1];
      return g !== undefined && !g.classList.contains('running');
    },
    [cmd, from] as const,
    { timeout: timeoutMs },
  );
  return groupRecords(page, cmd, from);
}

/** Types cmd (or runs action) and waits for its group to finish. */
export async function run(page: Page, cmd: string, action?: () => Promise<void>): Promise<string[]> {
  const from = await groupCount(page);
  await (action ? action() : typeCommand(page, cmd));
  return waitForGroup(page, cmd, from);
}

/** The playground site built (minified) and served at /prefix/. */
export async function servePlaygroundSite(prefix: string): Promise<{ server: StaticServer; url: string }> {
  const { buildSite } = (await import(pathToFileURL(join(packageRoot, 'playground/site.mjs')).href)) as typeof Site;
  const { outDir } = await buildSite({ minify: true, onLog: (m) => process.stderr.write(`      [playground] ${m}\n`) });
  const server = await serveStatic({ [`/${prefix}/`]: outDir });
  return { server, url: `${server.url}${prefix}/` };
}

/** Waits for lesson step n's outcome (failing on the lesson's error) and returns it. */
export async function waitStep(page: Page, n: number, timeout = 240_000) {
  await page.waitForFunction((k) => window.playground.lesson?.results[k] !== undefined || window.playground.lesson?.error !== undefined, n, { timeout });
  const st = await page.evaluate(() => window.playground.lesson!);
  assert.equal(st.error, undefined, `step ${n} failed: ${st.error}`);
  return st.results[n];
}

/** axe-core's serious and critical violations on the page as it is. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help} (${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join('; ')})`,
      );
  });
}
