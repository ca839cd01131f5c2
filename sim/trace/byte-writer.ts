// Output assembled in a fixed buffer and handed on in large pieces, so that a
// view of a huge log is written as it is produced, never held as one string.

export type ByteSink = (piece: Uint8Array) => void;

export class ByteWriter {
  readonly #sink: ByteSink;
  readonly #size: number;
  #buf: Uint8Array;
  #pos = 0;

  constructor(sink: ByteSink, size = 1 << 20) {
    this.#sink = sink;
    this.#size = size;
    this.#buf = new Uint8Array(size);
  }

  /** Makes room for n more bytes (n at most the buffer size). */
  room(n: number): void {
    if (this.#pos + n > this.#buf.length) this.flush();
  }

  /** Hands on what is buffered; the sink owns the piece. */
  flush(): void {
    if (this.#pos === 0) return;
    const piece = this.#buf.subarray(0, this.#pos);
    this.#buf = new Uint8Array(this.#size);
    this.#pos = 0;
    this.#sink(piece);
  }

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
    const bytes = new TextEncoder().encode(s);
    this.bytes(bytes, 0, bytes.length);
  }

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
    if (n < 0) {
      this.#buf[this.#pos++] = 0x2d;
      n = -n;
    }
    if (n < 10) {
      this.#buf[this.#pos++] = 0x30 + n;
      return;
    }
    let digits = 0;
    for (let m = n; m > 0; m = Math.floor(m / 10)) digits++;
    let p = this.#pos + digits;
    this.#pos = p;
    for (; n > 0; n = Math.floor(n / 10)) this.#buf[--p] = 0x30 + (n % 10);
  }
}
