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

/** Whether bytes[at, at + len) are well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array, at: number, len: number): boolean {
  const end = at + len;
  for (let i = at; i < end; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const n = validSequence(bytes, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** Length of the well-formed UTF-8 sequence at i, before end (Unicode table 3-7), or 0. */
function validSequence(b: Uint8Array, i: number, end = b.length): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < end && b[i + k] >= lo && b[i + k] <= hi;
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

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  ' ': '\\ ',
  '\\': '\\\\',
};
const octal = (byte: number): string => '\\' + byte.toString(8).padStart(3, '0');
/** Characters that need escaping: controls (C0, DEL, C1), space, backslash, and kept invalid bytes. */
const NEEDS_ESCAPE = /[\x00-\x20\x7f-\x9f\\\uDC80-\uDCFF]/u;

/**
 * A name for a terminal, escaped as `ls -b` does: C escapes for \a \b \t \n
 * \v \f \r, "\ " for a space and "\\" for a backslash, octal \ooo for every
 * other control byte and for bytes that are not UTF-8; printable UTF-8 stays
 * as it is. The name's bytes can be read back from the result, and no byte of
 * it can move the cursor, clear the screen or fake a line of its own.
 * With escapeSpace false, spaces stay (for a whole line shown in a message).
 */
export function visibleName(text: string, escapeSpace = true): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let s = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === ' ' && !escapeSpace) s += ch;
    else if (NAMED_ESCAPES[ch]) s += NAMED_ESCAPES[ch];
    else if (c >= 0xdc80 && c <= 0xdcff) s += octal(c - 0xdc00);
    else if (c < 0x20 || c === 0x7f) s += octal(c);
    else if (c >= 0x80 && c <= 0x9f) for (const b of encoder.encode(ch)) s += octal(b);
    else s += ch;
  }
  return s;
}
