// Byte-exact text. filemon writes paths as the program passed them, which
// need not be UTF-8. Valid UTF-8 decodes to the usual string; each byte of an
// invalid sequence becomes a lone surrogate U+DC80..U+DCFF (as Python's
// "surrogateescape"), which valid UTF-8 can never produce, and encodeText
// turns those back into the original bytes.

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
const ESCAPED = /[\uDC80-\uDCFF]/u;

/** Decodes bytes[at, at + len) without losing any byte. */
export function decodeText(bytes: Uint8Array, at: number, len: number): string {
  const view = bytes.subarray(at, at + len);
  let ascii = true;
  for (let i = 0; i < len; i++) {
    if (view[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  // Short ASCII is by far the common case and cheaper than TextDecoder.
  if (ascii && len <= 1024) return String.fromCharCode.apply(null, view as unknown as number[]);
  try {
    return utf8.decode(view);
  } catch {
    return decodeEscaped(view);
  }
}

/** Encodes a string from decodeText back to its exact bytes. */
export function encodeText(text: string): Uint8Array {
  if (!ESCAPED.test(text)) return encoder.encode(text);
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xdc80 && c <= 0xdcff) out.push(c - 0xdc00);
    else for (const b of encoder.encode(ch)) out.push(b);
  }
  return Uint8Array.from(out);
}

function decodeEscaped(b: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < b.length) {
    const n = validSequence(b, i);
    if (n === 0) {
      s += String.fromCharCode(0xdc00 + b[i]);
      i++;
    } else {
      s += utf8.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return s;
}

/** Length of the well-formed UTF-8 sequence at i (Unicode table 3-7), or 0. */
function validSequence(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
