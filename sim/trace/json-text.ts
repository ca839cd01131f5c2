// Paths in JSON without loss. filemon's paths are bytes; JSON strings are
// Unicode. A path whose bytes are valid UTF-8 is a JSON string; any other is
// {"base64": "<its bytes in standard base64>"}, so that strict JSON decoders
// accept every document and no byte is replaced or lost.

import { encodeText } from './path-bytes.js';

const encoder = new TextEncoder();

/** The JSON form of a path's bytes. */
export type JsonPath = string | { readonly base64: string };

/** Lone surrogates U+DC80..U+DCFF are how decodeText keeps bytes that are not UTF-8. */
const ESCAPED = /[\uDC80-\uDCFF]/u;

/** The JSON form of a string from decodeText. */
export function jsonText(text: string): JsonPath {
  return ESCAPED.test(text) ? { base64: base64(encodeText(text)) } : text;
}

/** The bytes of a JSON path form (the inverse of jsonText, as bytes). */
export function jsonPathBytes(p: JsonPath): Uint8Array {
  return typeof p === 'string' ? encoder.encode(p) : unbase64(p.base64);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const BASE64_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
    s += i + 1 < b.length ? ALPHABET[(n >> 6) & 63] : '=';
    s += i + 2 < b.length ? ALPHABET[n & 63] : '=';
  }
  return s;
}

function unbase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of clean) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error(`not base64: ${JSON.stringify(s)}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
