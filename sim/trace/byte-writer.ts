// Output assembled in a fixed buffer and handed on in large pieces, so that a
// view of a huge log is written as it is produced, never held as one string.

const encoder = new TextEncoder();

/** Where a ByteWriter hands its filled buffers. */
export type ByteSink = (piece: Uint8Array) => void;

/** Writes bytes into a fixed buffer, handing it to a sink when full. */
export class ByteWriter {
  readonly #sink: ByteSink;
  readonly #size: number;
  #buf: Uint8Array;
  #pos = 0;

  /** For hot loops: room(n), then write up to n bytes into buffer() from at(), then advance(). */
  buffer(): Uint8Array {
    return this.#buf;
  }

  /** The write position in the buffer. */
  at(): number {
    return this.#pos;
  }

  /** Moves the write position to `to`, after bytes written into {@link ByteWriter.buffer} directly. */
  advance(to: number): void {
    this.#pos = to;
  }

  constructor(sink: ByteSink, size = 1 << 20) {
    this.#sink = sink;
    this.#size = size;
    this.#buf = new Uint8Array(size);
  }

  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }

  /** Hands on what is buffered; the sink owns the piece. */
  flush(): void {
    if (this.#pos === 0) return;
    const piece = this.#buf.subarray(0, this.#pos);
    this.#buf = new Uint8Array(this.#size);
    this.#pos = 0;
    this.#sink(piece);
  }

  /** One byte. */
  byte(c: number): void {
    if (this.#pos >= this.#buf.length) this.flush();
    this.#buf[this.#pos++] = c;
  }

  /** ASCII text (JSON punctuation, keys, numbers' digits). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    const bytes = encoder.encode(s);
    this.bytes(bytes, 0, bytes.length);
  }

  /** `len` bytes of `src` from `at`. */
  bytes(src: Uint8Array, at: number, len: number): void {
    if (len > this.#buf.length) {
      this.flush();
      this.#sink(src.slice(at, at + len));
      return;
    }
    this.room(len);
    this.#buf.set(src.subarray(at, at + len), this.#pos);
    this.#pos += len;
  }

  /** A 32-bit integer in decimal. */
  int(n: number): void {
    this.room(11);
    this.#pos = putInt(this.#buf, this.#pos, n);
  }
}

/** Copies src to buf at p; returns the new end. Short copies: a loop beats subarray + set. */
export function put(buf: Uint8Array, p: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) buf[p++] = src[i];
  return p;
}

/** Writes n (a 32-bit integer) in decimal at p; returns the new end. */
export function putInt(buf: Uint8Array, p: number, n: number): number {
  if (n < 0) {
    buf[p++] = 0x2d;
    n = -n;
  }
  if (n < 10) {
    buf[p] = 0x30 + n;
    return p + 1;
  }
  let digits = 1;
  for (let m = 10; m <= n && digits < 10; m *= 10) digits++;
  const end = p + digits;
  for (let q = end; q > p; n = (n / 10) | 0) buf[--q] = 0x30 + (n % 10);
  return end;
}
