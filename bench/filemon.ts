// /dev/filemon overhead in v86: one fixed guest workload (2000 open/read/
// close of small files and 200 fork+exec) untraced and traced, alternately,
// in the same guest session; prints both times and their ratio.
import { bootMachine } from '../sim/node/boot.js';

async function main(): Promise<void> {
  const { machine } = await bootMachine();
  try {
    const r = await machine.exec(['/usr/lib/filemon-tests/bench_workload', '2000', '200', '5'], { timeoutMs: 600_000 });
    if (r.status !== 0) throw new Error(`bench_workload failed (${r.status}): ${new TextDecoder().decode(r.stderr)}`);
    process.stdout.write('workload: 2000 open/read/close + 200 fork+exec, in v86, 5 rounds each way\n');
    process.stdout.write(new TextDecoder().decode(r.stdout));
  } finally {
    await machine.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
