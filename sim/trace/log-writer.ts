// The log view of a stream: every well-formed line written back byte for
// byte, straight from the parser's event words (the parser accepts only the
// canonical number forms filemon prints, so the line is rebuilt exactly).
// Malformed lines are left out: they are reported, never echoed, so binary
// garbage in a log cannot reach a terminal through this view.

import { EVENT_WORDS, W_TAG, W_PID, W_ARG, W_SIG, W_A, W_LENS, W_B, K_VERSION, K_TARGET, K_START, K_STOP, K_BYE, K_ERROR, F_NO_SIGNAL } from '../../assembly/layout.js';
import { ByteWriter, type ByteSink } from './byte-writer.js';
import type { RawBatch } from './wasm-parser.js';

/** Writes the well-formed lines of a parsed log back, byte for byte, batch by batch. */
export class LogWriter {
  readonly #w: ByteWriter;

  /** bufferSize: bytes handed on at a time. */
  constructor(sink: ByteSink, bufferSize = 1 << 20) {
    this.#w = new ByteWriter(sink, bufferSize);
  }

  /** Writes one parser batch. */
  batch(batch: RawBatch): void {
    const { words, bytes, offset } = batch;
    const w = this.#w;
    for (let i = 0; i < batch.count; i++) {
      const k = i * EVENT_WORDS;
      const tag = words[k + W_TAG];
      const kind = tag & 0xff;
      const lens = words[k + W_LENS];
      const a = offset + words[k + W_A];
      switch (kind) {
        case K_ERROR:
          continue;
        case K_VERSION:
          w.ascii('# filemon version ');
          w.int(words[k + W_PID]);
          break;
        case K_TARGET:
          w.ascii('# Target pid ');
          w.int(words[k + W_PID]);
          break;
        case K_START:
          w.ascii('# Start ');
          w.bytes(bytes, a, lens & 0xffff);
          break;
        case K_STOP:
          w.ascii('# Stop ');
          w.bytes(bytes, a, lens & 0xffff);
          break;
        case K_BYE:
          w.ascii('# Bye bye');
          break;
        default: {
          w.byte(kind);
          w.byte(0x20);
          w.int(words[k + W_PID]);
          if (kind === 0x56) break; // V
          w.byte(0x20);
          if (kind === 0x46)
            w.int(words[k + W_ARG]); // F
          else if (kind === 0x58) {
            // X
            w.int(words[k + W_ARG]);
            if (!((tag >>> 16) & F_NO_SIGNAL)) {
              w.byte(0x20);
              w.int(words[k + W_SIG]);
            }
          } else if (kind === 0x4c || kind === 0x4d) {
            // L, M
            w.byte(0x27);
            w.bytes(bytes, a, lens & 0xffff);
            w.ascii("' '");
            w.bytes(bytes, offset + words[k + W_B], lens >>> 16);
            w.byte(0x27);
          } else w.bytes(bytes, a, lens & 0xffff);
        }
      }
      w.byte(0x0a);
    }
  }

  /** Writes what is left in the buffer. */
  end(): void {
    this.#w.flush();
  }
}
