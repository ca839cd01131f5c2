// Making a saved state small: v86 stores only the guest's non-zero memory
// pages. The kernel runs with init_on_free=1 (KERNEL_CMDLINE), so every
// page it frees is zeroed at once: the unpacked initramfs image, exited
// processes, deleted files. What is left to drop before saving is the page
// cache, which the guest can reread.
import type { Machine } from './machine.js';

const DROP_PAGE_CACHE = 'sync && echo 3 > /proc/sys/vm/drop_caches';

/** Frees the guest's page cache (zeroed as it is freed); call right before saveState(). */
export async function dropPageCache(machine: Machine): Promise<void> {
  const r = await machine.exec(['sh', '-c', DROP_PAGE_CACHE], { timeoutMs: 300_000 });
  if (r.status !== 0) throw new Error(`dropping the guest's page cache failed: ${new TextDecoder().decode(r.stderr)}`);
}
