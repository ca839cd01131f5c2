// `npm test` step before mocha: the host programs the tests run (installed
// with apt-get as root when missing, as .ci/run does), the guest image
// (built if missing, which also installs its own host tools), and the
// guest's saved states (without and with the toolchain disk): a cold boot (and the state's compression) happens
// here once, outside any test's timeout, so every test restores.
import { spawnSync } from 'node:child_process';
import { buildImage } from '../images/linux/recipe/build.js';
import { toolchainDir } from '../images/linux/recipe/layout.js';
import { buildToolchain } from '../images/linux/recipe/toolchain/build.js';
import { bootMachine } from '../sim/node/boot.js';
import { HOST_PROGRAMS, missingHostPrograms, missingProgramsLine } from './helpers/host-programs.js';

/** Installs the missing host programs as root; otherwise fails naming them. */
function ensureHostPrograms(): void {
  const missing = missingHostPrograms();
  if (!missing.length) return;
  if (process.getuid?.() !== 0) throw new Error(`${missingProgramsLine(missing)} (as root)`);
  const pkgs = [...new Set(missing.map((n) => HOST_PROGRAMS[n].pkg))];
  process.stderr.write(`test setup: installing ${pkgs.join(' ')} for the tests\n`);
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = missingHostPrograms();
  if (still.length) throw new Error(`apt-get install did not provide them: ${missingProgramsLine(still)}`);
}

async function main(): Promise<void> {
  ensureHostPrograms();
  await buildImage();
  buildToolchain();
  // The guest's saved states without and with the toolchain disk (test/toolchain.test.ts and the real builds use it).
  for (const toolchain of [false, toolchainDir] as const) {
    const { machine, info } = await bootMachine({ toolchain, log: (m) => process.stderr.write(`test setup: ${m}\n`) });
    await machine.close();
    process.stderr.write(`test setup: guest${toolchain ? ' with the toolchain' : ''} ${info.start} in ${(info.ms / 1000).toFixed(1)} s (${info.statePath})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`test setup: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
