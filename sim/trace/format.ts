// Writes entries back as filemon v5 text, exactly as the kernel prints them,
// so that parsing and formatting a well-formed log gives the same bytes.

import type { LogEntry, Time } from './types.js';

/** A log time as filemon writes it: seconds and six digits of microseconds. */
export function formatTime(t: Time): string {
  return `${t.sec}.${String(t.usec).padStart(6, '0')}`;
}

/** One entry as its line, newline included (none after an unterminated last line). */
export function formatEntry(e: LogEntry): string {
  switch (e.kind) {
    case 'version':
      return `# filemon version ${e.version}\n`;
    case 'target':
      return `# Target pid ${e.pid}\n`;
    case 'start':
      return `# Start ${formatTime(e.time)}\n`;
    case 'stop':
      return `# Stop ${formatTime(e.time)}\n`;
    case 'bye':
      return '# Bye bye\n';
    case 'V':
      return `V ${e.version}\n`;
    case 'error':
      return e.reason === 'unterminated-line' ? e.text : `${e.text}\n`;
    case 'F':
      return `F ${e.pid} ${e.child}\n`;
    case 'X':
      return e.signal === null ? `X ${e.pid} ${e.status}\n` : `X ${e.pid} ${e.status} ${e.signal}\n`;
    case 'L':
    case 'M':
      return `${e.kind} ${e.pid} '${e.from}' '${e.to}'\n`;
    default:
      return `${e.kind} ${e.pid} ${e.path}\n`;
  }
}

export function formatEntries(entries: readonly LogEntry[]): string {
  let s = '';
  for (const e of entries) s += formatEntry(e);
  return s;
}
