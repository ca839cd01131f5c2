// A new npm user, no Debian tools: filemon-sim and the image package packed
// and installed offline into a fresh folder by a non-root user whose PATH has
// node, npm and sh only; the README's mocha example and the CLI run from
// there (gcc is missing, and the CLI names the toolchain package), then the
// toolchain package is installed too and gcc compiles in the guest, then the
// CLI under Bun and Deno. Nothing may be built on the host and no host build
// tool may run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, chownSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, posix } from 'node:path';
import { IMAGE_PACKAGE, packageRoot } from '../sim/node/image.js';
import { TOOLCHAIN_PACKAGE } from '../sim/guest/toolchain.js';
import { hostProgram } from './helpers/host-programs.js';
import { BUILD_TOOLS, Consumer, devVersion, packBoth, readmeMochaExample, type Packed } from './helpers/consumer.js';

/** The trace's records of `cat /etc/passwd > /home/copy`: R and W, whatever the pids. */
function assertCopyTraced(log: string, who: string): void {
  assert.match(log, /^# filemon version 5$/m, `${who}: no filemon header in:\n${log}`);
  assert.match(log, /^R \d+ \/etc\/passwd$/m, `${who}: no R record of /etc/passwd in:\n${log}`);
  assert.match(log, /^W \d+ \/home\/copy$/m, `${who}: no W record of /home/copy in:\n${log}`);
  assert.match(log, /^# Bye bye$/m, `${who}: the log has no footer`);
}

/** What the consumer installs to run the README's example: mocha and TypeScript. */
const TOOLS = ['mocha', 'typescript', '@types/mocha', '@types/node'];

const TRACE = ['trace', '--', 'sh', '-c', 'cat /etc/passwd > /home/copy'];
/** A compile in the guest: needs the toolchain package. */
const GCC = ['trace', '--', 'sh', '-c', 'printf "#include <stdio.h>\\nint main(void) { puts(\\"hi\\"); return 0; }\\n" > /tmp/x.c && gcc -c /tmp/x.c -o /tmp/x.o'];

describe('consumer: installed from the tarballs, no Debian, no root, no build', function () {
  this.timeout(900_000);
  let consumer: Consumer;
  let main: Packed;
  let image: Packed;
  let toolchain: Packed;

  before(async function () {
    if (process.getuid?.() !== 0) {
      process.stderr.write('      consumer test skipped: it needs root to create its user\n');
      this.skip();
    }
    ({ main, image, toolchain } = await packBoth((m) => process.stderr.write(`      [pack] ${m}\n`)));
    consumer = Consumer.create();
    consumer.primeCache([main.tarball, image.tarball, ...TOOLS.map((n) => `${n}@${devVersion(n)}`)]);
  });

  after(() => consumer?.dispose());

  it('packs filemon-sim with its library, CLI, wasm, types, README and licence only', () => {
    const bad = main.files.filter((f) => /^(test|bench|images|playground|assembly|sim)\//.test(f) || /^dist\/(test|bench|images|packages|playground)\//.test(f) || f.endsWith('.map'));
    assert.deepEqual(bad, [], 'files that serve no user are packed');
    for (const f of ['dist/sim/index.js', 'dist/sim/index.d.ts', 'dist/sim/cli.js', 'dist/assembly/layout.js', 'dist/wasm/filemon-parser.wasm', 'README.md', 'LICENSE', 'package.json']) {
      assert.ok(main.files.includes(f), `${f} is not packed`);
    }
    // Every relative import of a packed module is packed too, but for the
    // image recipe, which only a repository checkout has (imported on demand).
    const unresolved: string[] = [];
    for (const f of main.files.filter((f) => f.endsWith('.js'))) {
      const src = execFileSync(hostProgram('tar'), ['-xzOf', main.tarball, `package/${f}`], { encoding: 'utf8' });
      for (const [, spec] of src.matchAll(/(?:from |import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = posix.join(posix.dirname(f), spec);
        if (!main.files.includes(target) && !target.startsWith('dist/images/linux/')) unresolved.push(`${f} imports ${spec}`);
      }
    }
    assert.deepEqual(unresolved, [], 'imports of files that are not packed');
  });

  it('packs the image package with every output of the manifest, the manifest, the saved state and a README', () => {
    const manifest = JSON.parse(readFileSync(join(consumerImageStage(image), 'manifest.json'), 'utf8')) as { outputs: Record<string, { file: string }> };
    // The initramfs brotli-compressed (readImage unpacks it), the others as they are.
    const packedName = (role: string, file: string) => (role === 'initramfs' ? `${file}.br` : file);
    for (const [role, o] of Object.entries(manifest.outputs)) assert.ok(image.files.includes(packedName(role, o.file)), `${packedName(role, o.file)} is not packed`);
    assert.ok(!image.files.includes(manifest.outputs.initramfs.file), 'the uncompressed initramfs is packed too');
    for (const f of ['manifest.json', 'state.json', 'README.md', 'package.json']) assert.ok(image.files.includes(f), `${f} is not packed`);
    assert.ok(
      image.files.some((f) => /^state-[0-9a-f]{16}\.zst/.test(f)),
      'no saved state packed',
    );
    // Its README: contents and size, and the GPL sources named with their versions from the manifest.
    const readme = readFileSync(join(consumerImageStage(image), 'README.md'), 'utf8');
    for (const [role, o] of Object.entries(manifest.outputs)) assert.ok(readme.includes(`| \`${packedName(role, o.file)}\` |`), `README does not list ${packedName(role, o.file)}`);
    assert.match(readme, new RegExp(`about ${(image.size / 1e6).toFixed(1)} MB as the npm tarball`));
    assert.match(readme, /\| `linux` \| [^|]+ \| GPL-2\.0-only \|/);
    assert.match(readme, /\| `busybox` \| [^|]+ \| GPL-2\.0-only \|/);
    assert.match(readme, /apt-get source busybox=\S+/);
  });

  it('installs offline with npm and runs the README mocha example and the CLI', async () => {
    const c = consumer;
    const mainTgz = c.give(main.tarball);
    const imageTgz = c.give(image.tarball);
    const init = await c.run(['npm', 'init', '-y']);
    assert.equal(init.code, 0, init.stderr);
    const tools = TOOLS.map((n) => `${n}@${devVersion(n)}`);
    const install = await c.run(['npm', 'install', mainTgz, imageTgz, ...tools]);
    assert.equal(install.code, 0, `npm install failed:\n${install.stderr}`);

    // The example exactly as README.md has it, type-checked against the installed types.
    const readme = readFileSync(join(c.project, 'node_modules/filemon-sim/README.md'), 'utf8');
    writeFileSync(join(c.project, 'example.test.mts'), readmeMochaExample(readme));
    writeFileSync(
      join(c.project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, skipLibCheck: true, types: ['mocha', 'node'] }, files: ['example.test.mts'] }),
    );
    for (const f of ['example.test.mts', 'tsconfig.json']) chownSync(join(c.project, f), c.uid, c.gid);
    const tsc = await c.run(['npx', 'tsc', '-p', '.']);
    assert.equal(tsc.code, 0, `the README example does not compile against the installed package:\n${tsc.stdout}${tsc.stderr}`);
    const mocha = await c.run(['npx', 'mocha', '--timeout', '300000', 'example.test.mjs']);
    assert.equal(mocha.code, 0, `the README example failed:\n${mocha.stdout}${mocha.stderr}`);
    assert.match(mocha.stdout, /1 passing/);

    const cli = await c.run(['npx', 'filemon-sim', ...TRACE]);
    assert.equal(cli.code, 0, cli.stderr);
    assertCopyTraced(cli.stdout, 'npx filemon-sim');

    const version = await c.run(['npx', 'filemon-sim', '--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^${IMAGE_PACKAGE.replace('/', '\\/')} ${JSON.parse(readFileSync(join(c.project, 'node_modules', IMAGE_PACKAGE, 'package.json'), 'utf8')).version} `, 'm'));
    assert.match(version.stdout, /^state key: [0-9a-f]{16} \(saved: .*node_modules\/@filemon-sim\/image-linux-i386\/state-/m, 'the packaged state is not the one used');

    // The base package alone has no gcc: the shell says so, and filemon-sim names the package that has it.
    const gcc = await c.run(['npx', 'filemon-sim', ...GCC]);
    assert.equal(gcc.code, 127, gcc.stderr);
    assert.match(gcc.stderr, /gcc: not found/);
    assert.match(gcc.stderr, new RegExp(`filemon-sim: gcc is in the toolchain package ${TOOLCHAIN_PACKAGE.replace('/', '\\/')}, which this guest does not have: npm install`));
  });

  it('with the toolchain package installed too, gcc compiles a file in the guest (cc1, as in the trace)', async () => {
    const c = consumer;
    const install = await c.run(['npm', 'install', c.give(toolchain.tarball)]);
    assert.equal(install.code, 0, `npm install of the toolchain failed:\n${install.stderr}`);
    const gcc = await c.run(['npx', 'filemon-sim', ...GCC]);
    assert.equal(gcc.code, 0, gcc.stderr);
    assert.match(gcc.stdout, /^E \d+ \S*\/cc1$/m);
    assert.match(gcc.stdout, /^E \d+ \S*\/as$/m);
    assert.match(gcc.stdout, /^R \d+ \/usr\/include\/stdio\.h$/m);
    assert.match(gcc.stdout, /^W \d+ \/tmp\/x\.o$/m);
    assert.doesNotMatch(gcc.stderr, /toolchain package/);
  });

  it('runs the same CLI trace under Bun and Deno', async () => {
    const c = consumer;
    const cliJs = 'node_modules/filemon-sim/dist/sim/cli.js';
    const bun = c.give(join(devDir('bun'), 'bin', 'bun.exe'), 'bin');
    const deno = c.give(join(devDir('deno'), 'deno'), 'bin');
    const b = await c.run([bun, cliJs, ...TRACE]);
    assert.equal(b.code, 0, `bun: ${b.stderr}`);
    assertCopyTraced(b.stdout, 'bun');
    const d = await c.run([deno, 'run', '--allow-all', '--no-prompt', cliJs, ...TRACE], { env: { DENO_DIR: join(c.home, '.deno'), DENO_NO_UPDATE_CHECK: '1' } });
    assert.equal(d.code, 0, `deno: ${d.stderr}`);
    assertCopyTraced(d.stdout, 'deno');
  });

  it('built nothing: no images/out folder, no build tool run, the image package untouched, no state in the user cache', () => {
    const c = consumer;
    assert.deepEqual(c.imagesOutDirs(), []);
    const ran = c.executed();
    assert.ok(
      ran.some((p) => p.endsWith('/node')),
      'strace saw no node: the exec log is not being recorded',
    );
    const tools = ran.filter((p) => BUILD_TOOLS.test(p.split('/').pop()!));
    assert.deepEqual(tools, [], 'build tools were executed');
    const installed = readdirSync(join(c.project, 'node_modules', IMAGE_PACKAGE)).sort();
    assert.deepEqual(installed, [...image.files].sort(), 'files appeared in or vanished from the installed image package');
    const installedToolchain = readdirSync(join(c.project, 'node_modules', TOOLCHAIN_PACKAGE)).sort();
    assert.deepEqual(installedToolchain, [...toolchain.files].sort(), 'files appeared in or vanished from the installed toolchain package');
    assert.ok(!existsSync(join(c.home, '.cache/filemon-sim/states')), 'a state was saved to the user cache though the packaged one fits');
  });
});

function consumerImageStage(p: Packed): string {
  // The staging folder beside the tarball holds what was packed.
  return join(p.tarball, '..', 'image-linux-i386');
}

function devDir(name: string): string {
  return join(packageRoot, 'node_modules', name);
}
