// What a new npm user pays: both tarballs' sizes, the installed size, and the
// time from `npm install` of the two tarballs (offline, from npm's cache,
// primed as the consumer test does) to
// the log of the first traced command, in a fresh folder as a non-root user
// (the consumer test's set-up, test/helpers/consumer.ts). Needs root.
import { join } from 'node:path';
import { Consumer, packBoth } from '../test/helpers/consumer.js';

const MB = (n: number) => (n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { main, image } = await packBoth((m) => process.stderr.write(`install: ${m}\n`));
  const rounds = Number(process.env.ROUNDS ?? 3);
  const totals: number[] = [];
  let installed = 0;
  for (let i = 0; i < rounds; i++) {
    const c = Consumer.create();
    try {
      const tgz = [c.give(main.tarball), c.give(image.tarball)];
      c.primeCache([main.tarball, image.tarball]);
      const init = await c.run(['npm', 'init', '-y']);
      if (init.code !== 0) throw new Error(`npm init: ${init.stderr}`);
      const install = await c.run(['npm', 'install', ...tgz]);
      if (install.code !== 0) throw new Error(`npm install: ${install.stderr}`);
      const trace = await c.run(['npx', 'filemon-sim', 'trace', '-q', '--', 'true']);
      if (trace.code !== 0 || !trace.stdout.includes('# Bye bye')) throw new Error(`filemon-sim trace: ${trace.stderr}`);
      installed = Consumer.sizeOf(join(c.project, 'node_modules'));
      totals.push(install.ms + trace.ms);
      console.log(`round ${i + 1}: npm install ${s(install.ms)}, first trace ${s(trace.ms)}, total ${s(install.ms + trace.ms)}`);
    } finally {
      c.dispose();
    }
  }
  const median = [...totals].sort((a, b) => a - b)[Math.floor(totals.length / 2)];
  console.log(`filemon-sim tarball                         ${MB(main.size)} packed, ${MB(main.unpackedSize)} unpacked`);
  console.log(`image package tarball                       ${MB(image.size)} packed, ${MB(image.unpackedSize)} unpacked (target <= 15 MB packed)`);
  console.log(`installed node_modules (with v86)           ${MB(installed)}`);
  console.log(`npm install (offline) to first trace's log  ${s(median)} median of ${rounds} (target <= 15 s)`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench install: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
