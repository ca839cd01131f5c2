// Byte scanning helpers over raw linear memory. Callers guarantee that every
// range [p, end) lies inside the input buffer, so no load can trap.

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const NEWLINES: u64 = 0x0a0a0a0a0a0a0a0a;

/** Address of the first '\n' in [p, end), or end. Tests 8 bytes per step. */
// @ts-ignore: decorator
@inline
export function findNewline(p: usize, end: usize): usize {
  while (p + 8 <= end) {
    const x = load<u64>(p) ^ NEWLINES;
    // Nonzero exactly when some byte of x is zero; the lowest flagged byte is
    // always a true zero, which is all we need (wasm is little-endian).
    const hit = (x - ONES) & ~x & HIGHS;
    if (hit != 0) return p + <usize>(ctz(hit) >> 3);
    p += 8;
  }
  while (p < end && load<u8>(p) != 0x0a) p++;
  return p;
}

/** Where the last readNumber stopped. */
export let numberEnd: usize = 0;

/**
 * Reads a canonical decimal i32 at p (as printf's %d writes it: optional '-'
 * when signed, no leading zeros, no '+', no "-0"). Returns the value, or
 * i64 -1 << 32 when there is none; numberEnd is set to the first byte after it.
 */
export function readNumber(p: usize, end: usize, signed: bool): i64 {
  let negative = false;
  if (signed && p < end && load<u8>(p) == 0x2d) {
    negative = true;
    p++;
  }
  const start = p;
  let value: i64 = 0;
  while (p < end) {
    const digit = <u32>load<u8>(p) - 0x30;
    if (digit > 9) break;
    value = value * 10 + digit;
    if (value > <i64>i32.MAX_VALUE + <i64>negative) return NO_NUMBER;
    p++;
  }
  numberEnd = p;
  const digits = p - start;
  if (digits == 0) return NO_NUMBER;
  if (digits > 1 && load<u8>(start) == 0x30) return NO_NUMBER;
  if (negative) {
    if (value == 0) return NO_NUMBER;
    return -value;
  }
  return value;
}

export const NO_NUMBER: i64 = -1 << 32;

/** Whether the bytes at p spell the ASCII literal lit, within [p, end). */
export function startsWith(p: usize, end: usize, lit: string): bool {
  const n = <usize>lit.length;
  if (end - p < n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<i32>load<u8>(p + i) != lit.charCodeAt(<i32>i)) return false;
  }
  return true;
}

/**
 * Whether [p, end) is S.UUUUUU: seconds as 1 to 15 digits without leading
 * zeros (exact as a JS number), then exactly 6 digits of microseconds.
 */
export function isTime(p: usize, end: usize): bool {
  const n = end - p;
  if (n < 8 || n > 22) return false;
  const dot = end - 7;
  if (load<u8>(dot) != 0x2e) return false;
  if (load<u8>(p) == 0x30 && dot - p > 1) return false;
  for (let q = p; q < end; q++) {
    if (q != dot && <u32>load<u8>(q) - 0x30 > 9) return false;
  }
  return true;
}
