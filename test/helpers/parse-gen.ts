// Seeded generators of filemon logs, for round-trip tests, fuzzing and the
// parser benchmark. Same seed, same bytes, on every machine.

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

/**
 * A path of 1..maxLen bytes without newline. With `wild`, any other byte can
 * appear, including invalid UTF-8, quotes and spaces.
 */
export function randomPath(r: () => number, wild: boolean, maxLen = 200): Uint8Array {
  if (wild && r() < 0.3) {
    const n = int(r, 1, Math.min(maxLen, 40));
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let c = int(r, 0, 255);
      if (c === 0x0a) c = 0x80;
      b[i] = c;
    }
    return b;
  }
  const parts: string[] = [];
  const n = int(r, 1, 6);
  for (let i = 0; i < n; i++) parts.push(pick(r, WORDS));
  let s = (r() < 0.6 ? '/' : '') + parts.join('/');
  let b = enc.encode(s);
  if (b.length > maxLen) b = b.subarray(0, maxLen);
  return b;
}

const cat = (parts: (string | Uint8Array)[]): Uint8Array => {
  const bytes = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};

/** One well-formed v5 record line, newline included. */
export function randomRecord(r: () => number, wild: boolean): Uint8Array {
  const pid = int(r, 1, 99999);
  const kind = pick(r, ['R', 'R', 'R', 'W', 'A', 'C', 'D', 'E', 'F', 'L', 'M', 'X']);
  switch (kind) {
    case 'F': return cat([`F ${pid} ${int(r, 1, 2147483647)}\n`]);
    case 'X': return cat([`X ${pid} ${int(r, -5, 255)} ${int(r, 0, 31)}\n`]);
    case 'L':
    case 'M': {
      const pair = (): Uint8Array => {
        // a path ending in a quote could merge with the separator's; keep pairs unambiguous
        let p = randomPath(r, wild, 300);
        while (p.includes(0x27)) p = randomPath(r, false, 300);
        return p;
      };
      return cat([`${kind} ${pid} '`, pair(), "' '", pair(), "'\n"]);
    }
    default: return cat([`${kind} ${pid} `, randomPath(r, wild, 900), '\n']);
  }
}

const time = (r: () => number): string => `${int(r, 0, 1999999999)}.${String(int(r, 0, 999999)).padStart(6, '0')}`;

/** A whole well-formed log: header, records, and a footer unless cut short. */
export function randomLog(r: () => number, records: number, wild: boolean): Uint8Array {
  const parts: (string | Uint8Array)[] = [];
  if (r() < 0.9) parts.push(`# filemon version 5\n# Target pid ${int(r, 1, 99999)}\n# Start ${time(r)}\nV 5\n`);
  for (let i = 0; i < records; i++) parts.push(randomRecord(r, wild));
  const end = r();
  if (end < 0.8) parts.push(`# Stop ${time(r)}\n# Bye bye\n`);
  else if (end < 0.9) parts.push(`# Stop ${time(r)}\n`);
  return cat(parts);
}

/** A realistic log of at least `bytes` bytes: paths of typical length, mostly R. */
export function benchLog(bytes: number, seed = 1): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(bytes + 4096);
  let at = 0;
  const put = (b: Uint8Array): void => {
    out.set(b, at);
    at += b.length;
  };
  put(enc.encode('# filemon version 5\n# Target pid 4242\n# Start 1700000000.012345\nV 5\n'));
  while (at < bytes) put(randomRecord(r, false));
  return out.subarray(0, at);
}
