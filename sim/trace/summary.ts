// Header, footer and completeness of a log, gathered entry by entry, so that
// a stream and a whole trace answer them the same way.

import type { Footer, Header, LogEntry, Time } from './types.js';

export class LogSummary {
  #version: number | null = null;
  #recordVersion: number | null = null;
  #targetPid: number | null = null;
  #start: Time | null = null;
  #stop: Time | null = null;
  #bye = false;
  #errors = 0;

  add(e: LogEntry): void {
    switch (e.kind) {
      case 'version':
        this.#version ??= e.version;
        break;
      case 'V':
        this.#recordVersion ??= e.version;
        break;
      case 'target':
        this.#targetPid ??= e.pid;
        break;
      case 'start':
        this.#start ??= e.time;
        break;
      case 'stop':
        this.#stop = e.time;
        break;
      case 'bye':
        this.#bye = true;
        break;
      case 'error':
        this.#errors++;
        break;
    }
  }

  get header(): Header {
    return { version: this.#version ?? this.#recordVersion, targetPid: this.#targetPid, start: this.#start };
  }

  get footer(): Footer {
    return { stop: this.#stop, bye: this.#bye };
  }

  /** The footer was seen: filemon closed the log. */
  get complete(): boolean {
    return this.#bye;
  }

  get errorCount(): number {
    return this.#errors;
  }
}
