// `npm test` step before mocha: the guest image (built if missing, which
// also installs its host tools), Debian's Chromium for the browser tests and
// strace for the consumer test (it records every program the consumer ran),
// and the guest's saved state: a cold boot (and the state's compression)
// happens here once, outside any test's timeout, so every test restores.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { buildImage } from '../images/linux/build.js';
import { bootMachine } from '../sim/node/boot.js';
import { CHROMIUM } from './helpers/browser.js';

async function main(): Promise<void> {
  await buildImage();
  const { machine, info } = await bootMachine({ log: (m) => process.stderr.write(`test setup: ${m}\n`) });
  await machine.close();
  process.stderr.write(`test setup: guest ${info.start} in ${(info.ms / 1000).toFixed(1)} s (${info.statePath})\n`);
  if (!existsSync(CHROMIUM)) {
    if (process.getuid?.() !== 0) {
      throw new Error(`the browser tests need Chromium at ${CHROMIUM}: run as root apt-get install chromium`);
    }
    process.stderr.write('test setup: installing Debian\'s chromium for the browser tests\n');
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error('apt-get install chromium failed; install it and run npm test again');
  }
  if (process.getuid?.() === 0 && !existsSync('/usr/bin/strace')) {
    process.stderr.write('test setup: installing strace for the consumer test\n');
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'strace'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0) throw new Error('apt-get install strace failed; install it and run npm test again');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`test setup: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
