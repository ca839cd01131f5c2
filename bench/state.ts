// What a saved state holds: the guest's non-zero memory pages (v86 stores
// no zero page), itemized by what the guest kernel says each page is
// (/proc/kpageflags) and where it lies (the kernel image's sections, from
// the build's System.map), each kind's raw bytes and its bytes compressed
// alone with zstd -19, as the state file is. Boots cold, drops the page
// cache as the saved state does, then saves. Sizes are exact; the one-off
// boot's wall time is not reported.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEMORY_MIB } from '../sim/guest/machine.js';
import { bootMachine } from '../sim/node/boot.js';
import { loadImage } from '../sim/node/image.js';
import { dropPageCache } from '../sim/guest/snapshot.js';

const PAGE = 4096;
/** Linux's i386 PAGE_OFFSET with CONFIG_VMSPLIT_3G: kernel symbol address - this = physical address. */
const PAGE_OFFSET = 0xc0000000;
/** /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h). */
const KPF = { lru: 5, slab: 7, buddy: 10, anon: 12, swapbacked: 14, pgtable: 26, reserved: 32 } as const;

const zstdBytes = (data: Uint8Array): number => {
  const r = spawnSync('zstd', ['-19', '-q', '-c'], { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString()}`);
  return r.stdout.length;
};

/** v86's state layout (save_state): a 16-byte header, a JSON block naming the buffers, the buffers 4-byte aligned. */
function stateBuffers(state: Uint8Array): Uint8Array[] {
  const header = new Int32Array(state.buffer, state.byteOffset, 4);
  const info = JSON.parse(new TextDecoder().decode(state.subarray(16, 16 + header[3]))) as { buffer_infos: { offset: number; length: number }[] };
  const base = (16 + header[3] + 3) & ~3;
  return info.buffer_infos.map((b) => state.subarray(base + b.offset, base + b.offset + b.length));
}

/** The kernel image's section starts (physical), from System.map. */
function kernelSections(systemMap: string): { name: string; start: number }[] {
  const addr = new Map<string, number>();
  for (const line of readFileSync(systemMap, 'utf8').split('\n')) {
    const [a, , name] = line.split(' ');
    if (name) addr.set(name, parseInt(a, 16) - PAGE_OFFSET);
  }
  const at = (s: string) => {
    const v = addr.get(s);
    if (v === undefined) throw new Error(`${systemMap} has no ${s}`);
    return v;
  };
  return [
    { name: 'kernel text', start: at('_text') },
    { name: 'kernel rodata', start: at('_etext') },
    { name: 'kernel data', start: at('_sdata') },
    { name: 'kernel init (freed)', start: at('__init_begin') },
    { name: 'kernel bss', start: at('__init_end') },
    { name: '', start: at('_end') },
  ];
}

async function main(): Promise<void> {
  const image = await loadImage();
  // A local build keeps its kernel's symbols; an installed image package has none (no sections then).
  const systemMap = join(image.dir, 'kernel/build/System.map');
  const { machine } = await bootMachine({ image: image.dir, savedState: false, bootTimeoutMs: 900_000 });
  await dropPageCache(machine);
  // Read to the 9p folder, so that the reading leaves no page cache behind.
  const r = await machine.exec(['sh', '-c', 'dd if=/proc/kpageflags of=/run/fms/kpageflags bs=65536 2>/dev/null']);
  if (r.status !== 0) throw new Error('reading /proc/kpageflags failed: the kernel needs CONFIG_PROC_PAGE_MONITOR');
  const kpf = await machine.getFile('/run/fms/kpageflags', { remove: true });
  const state = new Uint8Array(await machine.saveState());
  await machine.close();

  const flags = new BigUint64Array(kpf.buffer, kpf.byteOffset, kpf.length / 8);
  const buffers = stateBuffers(state);
  // The memory: the largest buffer (the packed non-zero pages), and its bitmap (one bit a page).
  const packed = buffers.reduce((a, b) => (b.length > a.length ? b : a));
  const pages = (DEFAULT_MEMORY_MIB << 20) / PAGE;
  const bitmap = buffers.find((b) => b.length === pages / 8);
  if (!bitmap) throw new Error(`no ${pages / 8}-byte page bitmap in the state: v86's state layout changed`);
  const sections = existsSync(systemMap) ? kernelSections(systemMap) : [];
  const has = (f: bigint, bit: number) => (f & (1n << BigInt(bit))) !== 0n;
  const kindOf = (pfn: number): string => {
    const f = flags[pfn] ?? 0n;
    const pa = pfn * PAGE;
    if (has(f, KPF.buddy)) return 'free pages (not zero)';
    if (has(f, KPF.slab)) return 'slab';
    if (has(f, KPF.pgtable)) return 'page tables';
    if (has(f, KPF.anon)) return 'process memory (anonymous)';
    if (has(f, KPF.swapbacked)) return 'tmpfs files (the initramfs)';
    if (has(f, KPF.lru)) return 'page cache (mapped files)';
    const section = sections.find((s, i) => i < sections.length - 1 && pa >= s.start && pa < sections[i + 1].start);
    if (section) return section.name;
    if (has(f, KPF.reserved)) return pa < 1 << 20 ? 'reserved, first MiB (BIOS)' : 'reserved (memblock: struct pages...)';
    return 'kernel allocations (no page flags)';
  };
  const kinds = new Map<string, Uint8Array[]>();
  let k = 0;
  for (let pfn = 0; pfn < pages; pfn++) {
    if (!(bitmap[pfn >> 3] & (1 << (pfn & 7)))) continue;
    const kind = kindOf(pfn);
    kinds.set(kind, [...(kinds.get(kind) ?? []), packed.subarray(k * PAGE, (k + 1) * PAGE)]);
    k++;
  }
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  const out = (label: string, value: string) => console.log(`${label.padEnd(44)} ${value}`);
  out('saved state, raw / zstd -19', `${mb(state.length)} / ${mb(zstdBytes(state))}`);
  out('  non-zero memory pages', `${k} (${mb(k * PAGE)})`);
  for (const [kind, list] of [...kinds].sort((a, b) => b[1].length - a[1].length)) {
    const bytes = Buffer.concat(list);
    out(`  ${kind}`, `${String(list.length).padStart(5)} pages ${mb(bytes.length).padStart(9)} raw ${mb(zstdBytes(bytes)).padStart(9)} zstd`);
  }
  const rest = Buffer.concat(buffers.filter((b) => b !== packed));
  out('  devices (VGA memory, registers...)', `${mb(rest.length)} raw ${mb(zstdBytes(rest))} zstd`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
