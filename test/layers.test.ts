// The tree's layers: every import of the library (sim/), the log parser
// (assembly/), the image recipe, the image package and the playground goes
// down the layers below or stays in its own, never back up; the one
// exception is the library's on-demand build of the image in a checkout
// (sim/node/image.ts → images/linux/recipe/), which must stay lazy (a dynamic
// or type-only import). Code the browser loads never reaches Node's modules.
// Imports are read with TypeScript's parser, so comments and strings that
// look like imports do not count.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../images/linux/recipe/layout.js';

/** Lowest first. A path ending in / is a folder and everything below it. */
const LAYERS: { name: string; parts: string[] }[] = [
  { name: 'the log parser', parts: ['assembly/'] },
  { name: 'shared helpers', parts: ['sim/errors.ts', 'sim/bytes.ts'] },
  { name: 'the trace model', parts: ['sim/trace/', 'sim/diff/', 'sim/export/', 'sim/transfer/'] },
  { name: 'the guest plumbing', parts: ['sim/guest/'] },
  { name: 'the simulator and the lessons', parts: ['sim/simulator.ts', 'sim/lessons/meta.ts'] },
  { name: 'the platform adapters', parts: ['sim/node/', 'sim/browser/'] },
  { name: 'the entry points (library, CLI, test runners, demo)', parts: ['sim/index.ts', 'sim/cli.ts', 'sim/cli/', 'sim/testing/', 'sim/lessons/meta-demo.ts'] },
  { name: 'the tools beside the library (image recipe, image package, playground)', parts: ['images/linux/recipe/', 'packages/', 'playground/'] },
];

/** Upward imports allowed, each lazy: dynamic import() or type-only. */
const LAZY_UPWARD = [{ from: 'sim/node/image.ts', to: 'images/linux/recipe/', why: 'the on-demand image build in a checkout' }];

/** What the browser loads: the browser entry and the playground's page scripts. */
const BROWSER_ENTRIES = ['sim/browser/index.ts', 'sim/browser/element.ts'];
const isBrowserEntry = (f: string) => BROWSER_ENTRIES.includes(f) || /^playground\/[^/]+\.ts$/.test(f);

const SCANNED = ['assembly', 'sim', 'images/linux/recipe', 'packages', 'playground'];

interface Import {
  spec: string;
  /** Resolved repository path for a relative import. */
  target?: string;
  /** import()/require-free lazy load, or erased at compile time. */
  kind: 'static' | 'dynamic' | 'type';
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(packageRoot, dir), { withFileTypes: true })) {
    const p = posix.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...sourceFiles(p));
    } else if (/\.(ts|mts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveSpec(from: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const p = posix.normalize(posix.join(posix.dirname(from), spec));
  for (const c of [p.replace(/\.js$/, '.ts'), p, `${p}.ts`]) if (files.has(c)) return c;
  return p;
}

/** The imports of one file: import/export declarations, import() calls, import('x') types. */
function importsOf(file: string, text: string, files: Set<string>): Import[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const found: Import[] = [];
  const add = (spec: string, kind: Import['kind']) => found.push({ spec, target: resolveSpec(file, spec, files), kind });
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const typeOnly =
        !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(n.moduleSpecifier.text, typeOnly ? 'type' : 'static');
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      add(n.moduleSpecifier.text, n.isTypeOnly ? 'type' : 'static');
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      add(n.arguments[0].text, 'dynamic');
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      add(n.argument.literal.text, 'type');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.parts.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

const isNodeBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]);

/** Every broken rule in a tree given as path → source text. */
function layerViolations(sources: Map<string, string>): string[] {
  const files = new Set(sources.keys());
  const imports = new Map([...sources].map(([f, text]) => [f, importsOf(f, text, files)]));
  const problems: string[] = [];
  for (const [f, list] of imports) {
    const from = layerOf(f);
    if (from < 0) {
      problems.push(`${f} is in no layer: add its folder to LAYERS in test/layers.test.ts`);
      continue;
    }
    for (const i of list) {
      if (!i.target) continue;
      const to = layerOf(i.target);
      if (to <= from) continue;
      const allowed = LAZY_UPWARD.find((a) => a.from === f && i.target!.startsWith(a.to));
      if (allowed && i.kind !== 'static') continue;
      problems.push(
        allowed ? `${f} imports ${i.spec} statically: ${allowed.why} must stay lazy (import() or import type)` : `${f} (${LAYERS[from].name}) imports ${i.spec} (${LAYERS[to].name}), a higher layer`,
      );
    }
  }
  // What the browser loads: value imports reachable from its entries.
  const seen = new Set<string>();
  const queue = [...files].filter(isBrowserEntry).map((f) => ({ f, via: [f] }));
  while (queue.length) {
    const { f, via } = queue.shift()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of imports.get(f) ?? []) {
      if (i.kind === 'type') continue;
      if (isNodeBuiltin(i.spec)) problems.push(`browser code imports Node's ${i.spec}: ${via.join(' → ')}`);
      else if (i.target && files.has(i.target)) queue.push({ f: i.target, via: [...via, i.target] });
    }
  }
  return problems;
}

function tree(): Map<string, string> {
  return new Map(SCANNED.flatMap(sourceFiles).map((f) => [f, readFileSync(join(packageRoot, f), 'utf8')]));
}

describe('layers of the tree', () => {
  it('every import goes down the layers, the browser code reaches no Node module', () => {
    const sources = tree();
    assert.ok(sources.has('sim/guest/machine.ts') && sources.has('images/linux/recipe/build.ts'), 'the scan found the tree');
    assert.deepEqual(layerViolations(sources), []);
  });

  it('the on-demand image build is the one upward import, and lazy', () => {
    const sources = tree();
    const files = new Set(sources.keys());
    const toRecipe = importsOf('sim/node/image.ts', sources.get('sim/node/image.ts')!, files).filter((i) => i.target?.startsWith('images/linux/recipe/'));
    assert.ok(
      toRecipe.some((i) => i.kind === 'dynamic'),
      'sim/node/image.ts loads the recipe with import()',
    );
  });

  it('reports a planted upward import, a static import of the lazy build and Node code in the browser', () => {
    const sources = tree();
    const plant = (f: string, line: string) => sources.set(f, `${line}\n${sources.get(f)}`);
    plant('sim/trace/summary.ts', "import { Machine } from '../guest/machine.js';");
    plant('sim/node/image.ts', "import { buildImage } from '../../images/linux/recipe/build.js';");
    plant('sim/guest/protocol.ts', "import { readFileSync } from 'node:fs';");
    const found = layerViolations(sources);
    assert.ok(
      found.some((p) => p.startsWith('sim/trace/summary.ts (the trace model) imports ../guest/machine.js (the guest plumbing)')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('sim/node/image.ts imports ../../images/linux/recipe/build.js statically')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /^browser code imports Node's node:fs: sim\/browser\/.* → sim\/guest\/protocol\.ts$/.test(p)),
      found.join('\n'),
    );
    assert.equal(found.length, 3, found.join('\n'));
  });
});
