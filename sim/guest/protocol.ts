// Frames exchanged with the guest agent (images/linux/guest/agent/protocol.h):
// a 16-byte header (magic, type, id, body length, u32 LE) and a body of
// fields (u16 tag, u32 length, bytes). Keep in sync with protocol.h.

export const MAGIC = 0x31534d46; // "FMS1"
export const HEADER_SIZE = 16;
/** The agent refuses larger bodies; bigger payloads are spilled to 9p. */
export const MAX_BODY = 4 << 20;
/** Tag bit: the field holds the name of a 9p file with the bytes. */
export const SPILLED = 0x8000;

export const enum FrameType {
  Exec = 1,
  Put = 2,
  Get = 3,
  Ping = 4,
  /** Path, Tree: writes the tree at Path. */
  PutTree = 5,
  /** Path: replies with Path's Tree. */
  GetTree = 6,
  Ready = 100,
  Result = 101,
}

export const enum Tag {
  Argv = 1,
  Shell = 2,
  Cwd = 3,
  Env = 4,
  Stdin = 5,
  TimeoutMs = 6,
  HostTimeMs = 7,
  Path = 8,
  Mode = 9,
  Data = 10,
  Status = 11,
  Signal = 12,
  Stdout = 13,
  Stderr = 14,
  Error = 15,
  TimedOut = 16,
  Info = 17,
  /** Get: remove the file once read. */
  Remove = 18,
  /** Ready of a restarted agent: why the previous one ended. */
  Restarted = 19,
  /** A tree of entries (sim/transfer/tree.ts). */
  Tree = 20,
  /** Repeated: an entry's name, NUL, why it was not moved. */
  Refused = 21,
}

export interface Field {
  tag: number;
  data: Uint8Array;
}

export interface Frame {
  type: number;
  id: number;
  fields: Field[];
}

const utf8 = new TextEncoder();

export function strField(tag: number, s: string): Field {
  return { tag, data: utf8.encode(s) };
}

export function u32Field(tag: Tag, v: number): Field {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, v >>> 0, true);
  return { tag, data };
}

export function u64Field(tag: Tag, v: number): Field {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigUint64(0, BigInt(Math.floor(v)), true);
  return { tag, data };
}

export function encodeFrame(f: Frame): Uint8Array {
  const bodyLen = f.fields.reduce((n, x) => n + 6 + x.data.length, 0);
  const out = new Uint8Array(HEADER_SIZE + bodyLen);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, f.type, true);
  dv.setUint32(8, f.id, true);
  dv.setUint32(12, bodyLen, true);
  let p = HEADER_SIZE;
  for (const x of f.fields) {
    dv.setUint16(p, x.tag, true);
    dv.setUint32(p + 2, x.data.length, true);
    out.set(x.data, p + 6);
    p += 6 + x.data.length;
  }
  return out;
}

/** The body's fields, or undefined when one runs past the end (a damaged frame). */
function decodeFields(body: Uint8Array): Field[] | undefined {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const fields: Field[] = [];
  let p = 0;
  while (p + 6 <= body.length) {
    const tag = dv.getUint16(p, true);
    const len = dv.getUint32(p + 2, true);
    if (len > body.length - p - 6) return undefined;
    fields.push({ tag, data: body.subarray(p + 6, p + 6 + len) });
    p += 6 + len;
  }
  return fields;
}

/**
 * Turns the agent's byte stream into frames. Bytes before a magic number
 * are skipped (and counted), so noise never wedges the channel.
 */
export class FrameReader {
  private buf = new Uint8Array(64 << 10);
  private len = 0;
  skipped = 0;

  constructor(private readonly onFrame: (f: Frame) => void) {}

  push(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    this.drain();
  }

  private drain(): void {
    let p = 0;
    const dv = new DataView(this.buf.buffer);
    while (this.len - p >= HEADER_SIZE) {
      if (dv.getUint32(p, true) !== MAGIC || dv.getUint32(p + 12, true) > MAX_BODY) {
        p++;
        this.skipped++;
        continue;
      }
      const bodyLen = dv.getUint32(p + 12, true);
      if (this.len - p < HEADER_SIZE + bodyLen) break;
      const body = this.buf.slice(p + HEADER_SIZE, p + HEADER_SIZE + bodyLen);
      const type = dv.getUint32(p + 4, true);
      const id = dv.getUint32(p + 8, true);
      p += HEADER_SIZE + bodyLen;
      const fields = decodeFields(body);
      if (fields) this.onFrame({ type, id, fields });
      else this.skipped += HEADER_SIZE + bodyLen;
    }
    this.buf.copyWithin(0, p, this.len);
    this.len -= p;
  }
}

export function fieldU32(f: Field): number {
  return new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength).getUint32(0, true);
}

export function fieldStr(f: Field): string {
  return new TextDecoder().decode(f.data);
}
