// Golden fixtures: test/fixtures/logs/NAME.filemon with NAME.expected.json
// beside it. Run the tests with UPDATE_GOLDEN=1 to rewrite the expectations
// after a deliberate change, then review the diff before committing.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Trace } from '../../sim/trace/index.js';

const DIR = new URL('../../../test/fixtures/logs/', import.meta.url);

export interface Fixture {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export function fixtures(): Fixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.filemon'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.filemon'.length), bytes: new Uint8Array(readFileSync(new URL(f, DIR))) }));
}

/** Everything a consumer sees of a trace, as plain JSON. */
export function observe(trace: Trace): unknown {
  return JSON.parse(JSON.stringify({ trace, processes: trace.processes().roots, files: trace.files() }));
}

/** The stored expectation for a fixture (written first when UPDATE_GOLDEN is set). */
export function golden(name: string, actual: unknown): unknown {
  const file = new URL(`${name}.expected.json`, DIR);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
  return JSON.parse(readFileSync(file, 'utf8'));
}
