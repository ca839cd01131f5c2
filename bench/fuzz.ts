// The parser's long fuzz run (not in the default test run, which runs a short
// deterministic slice of the same fuzzer): structured, feedback-guided
// mutations of the seed corpus in test/fixtures/, checked by the oracles of
// test/helpers/fuzz.ts.
// Usage: npm run bench:fuzz [-- INPUTS [SEED]]   (default 1000000 inputs, seed 1)

import { fuzz } from '../test/helpers/fuzz.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const t0 = performance.now();
console.log(`fuzzing the parser: ${count} inputs, seed ${seed}`);
const r = fuzz(count, seed, (done, p) => {
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${done} inputs, ${p.features} features, corpus ${p.corpus}, ${p.failures.length} failures, ${(done / s).toFixed(0)} inputs/s`);
});
const seconds = (performance.now() - t0) / 1000;
console.log(`done: ${r.inputs} inputs in ${seconds.toFixed(0)} s; ${r.features} features; corpus ${r.corpus}; slowest input ${r.slowestMs.toFixed(1)} ms; ${r.failures.length} failures`);
for (const f of r.failures) console.log(`  FAIL ${JSON.stringify(new TextDecoder().decode(f.input))}: ${f.error}`);
process.exitCode = r.failures.length ? 1 : 0;
