// Seeded generators of filemon logs, for round-trip tests, fuzzing and the
// parser benchmark. Same seed, same bytes, on every machine.
import { concatBytes } from '../../sim/bytes.js';

/** mulberry32: small, fast, good enough to drive tests reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)];
export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const enc = new TextEncoder();
const WORDS = ['usr', 'lib', 'src', 'obj', 'include', 'bin', 'tmp', 'a.c', 'b.h', 'libc.so.7', '..', '.', 'dir with space', "it's", 'é', '日本'];

/** A typical path: 1 to 6 names, absolute or relative. */
function randomPathText(r: () => number): string {
  const parts: string[] = [];
  const n = int(r, 1, 6);
  for (let i = 0; i < n; i++) parts.push(pick(r, WORDS));
  return (r() < 0.6 ? '/' : '') + parts.join('/');
}

/** Random bytes without newline: quotes, spaces, invalid UTF-8... */
function wildPath(r: () => number): Uint8Array {
  const b = new Uint8Array(int(r, 1, 40));
  for (let i = 0; i < b.length; i++) {
    const c = int(r, 0, 255);
    b[i] = c === 0x0a ? 0x80 : c;
  }
  return b;
}

type Part = string | Uint8Array;

/** A path without newline; with `wild`, sometimes arbitrary bytes. */
function randomPath(r: () => number, wild: boolean): Part {
  return wild && r() < 0.3 ? wildPath(r) : randomPathText(r);
}

/** One well-formed v5 record line, newline included, as parts to concatenate. */
function recordParts(r: () => number, wild: boolean): Part[] {
  const pid = int(r, 1, 99999);
  const kind = pick(r, ['R', 'R', 'R', 'W', 'A', 'C', 'D', 'E', 'F', 'L', 'M', 'X']);
  switch (kind) {
    case 'F':
      return [`F ${pid} ${int(r, 1, 2147483647)}\n`];
    case 'X':
      return [`X ${pid} ${int(r, -5, 255)} ${int(r, 0, 31)}\n`];
    case 'L':
    case 'M':
      return [`${kind} ${pid} '`, randomPath(r, wild), "' '", randomPath(r, wild), "'\n"];
    default:
      return [`${kind} ${pid} `, randomPath(r, wild), '\n'];
  }
}

const cat = (parts: Part[]): Uint8Array => concatBytes(parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p)));

const time = (r: () => number): string => `${int(r, 0, 1999999999)}.${String(int(r, 0, 999999)).padStart(6, '0')}`;

/** A whole well-formed log: header, records, and a footer unless cut short. */
export function randomLog(r: () => number, records: number, wild: boolean): Uint8Array {
  const parts: Part[] = [];
  if (r() < 0.9) parts.push(`# filemon version 5\n# Target pid ${int(r, 1, 99999)}\n# Start ${time(r)}\nV 5\n`);
  for (let i = 0; i < records; i++) parts.push(...recordParts(r, wild));
  const end = r();
  if (end < 0.8) parts.push(`# Stop ${time(r)}\n# Bye bye\n`);
  else if (end < 0.9) parts.push(`# Stop ${time(r)}\n`);
  return cat(parts);
}

/** A complete log of about `bytes` bytes with typical records, for the benchmark. */
export function benchLog(bytes: number, seed = 1): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(bytes + 65536);
  let at = enc.encodeInto('# filemon version 5\n# Target pid 4242\n# Start 1700000000.012345\nV 5\n', out).written;
  while (at < bytes) {
    // Text parts only, encoded a block at a time: generating stays quick.
    let block = '';
    while (block.length < 16384) block += recordParts(r, false).join('');
    at += enc.encodeInto(block, out.subarray(at)).written;
  }
  at += enc.encodeInto('# Stop 1700000001.543210\n# Bye bye\n', out.subarray(at)).written;
  return out.subarray(0, at);
}
