// /dev/filemon conformance: the C programs of images/linux/guest/tests run in the
// guest; each one's output, with pids and times replaced by placeholders
// (normalize.awk), must equal its expected/<case>.txt line for line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDir } from '../images/linux/recipe/layout.js';
import type { Machine } from '../sim/guest/machine.js';
import { sharedGuest, text } from './helpers/guest.js';

const GUEST_DIR = '/usr/lib/filemon-tests';
const EXPECTED_DIR = join(sourceDir, 'tests/expected');
const cases = readdirSync(EXPECTED_DIR)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('/dev/filemon conformance (in the guest)', function () {
  this.timeout(120_000);
  let m: Machine;

  before(async () => {
    m = await sharedGuest();
  });

  it('has a case for every record letter and error of the spec', () => {
    for (const c of [
      'rec_a',
      'rec_c',
      'rec_d',
      'rec_e',
      'rec_f',
      'rec_l',
      'rec_m',
      'rec_r',
      'rec_w',
      'rec_x',
      'rec_rw',
      'err_setfd',
      'err_setpid',
      'err_busy',
      'err_ioctl',
      'err_efault',
      'err_toolong',
      'err_enospc',
      'fork_tree',
      'vfork_exec',
      'threads',
      'exec_fail',
      'open_fail',
      'killed',
      'two_instances',
      'close_running',
      'tracer_dies',
      'setid_exec',
      'manual_example',
      // FreeBSD 11+ behaviours (issue 13) and killed writers (issue 14)
      'rec_fault',
      'rec_long',
      'rec_e_script',
      'killed_core',
      'err_setpid_cred',
      'setpid_exec_busy',
      'mem_pressure',
      'exit_group_writes',
      'kill9_writes',
    ]) {
      assert.ok(cases.includes(c), `missing conformance case ${c}`);
    }
  });

  for (const name of cases) {
    it(name, async () => {
      const program = name === 'manual_example' ? `${GUEST_DIR}/manual_example` : `${GUEST_DIR}/fmt ${name}`;
      // Each case works in /tmp/fmtest/<case> and leaves it behind; in the
      // guest the test files share, the killed writers' logs alone filled
      // half of /tmp (12-15 MB each, more the faster the guest), and later
      // files met ENOSPC. Removed once the output is read.
      const r = await m.exec(`${program} > /tmp/fmt.out 2>&1; st=$?; awk -f ${GUEST_DIR}/normalize.awk /tmp/fmt.out; rm -rf /tmp/fmt.out /tmp/fmtest/${name}; exit $st`);
      const expected = readFileSync(join(EXPECTED_DIR, `${name}.txt`), 'utf8');
      assert.equal(text(r.stdout), expected);
      assert.equal(r.status, 0, text(r.stderr));
    });
  }

  it('module: mode 0666, no unload while open, unload and reload after, clean kernel log', async () => {
    const r = await m.exec(['sh', `${GUEST_DIR}/module-check.sh`]);
    assert.match(text(r.stdout), /^module-check: ok$/m, text(r.stdout));
    assert.equal(r.status, 0);
  });
});
