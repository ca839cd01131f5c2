// Streaming filemon log parser. The host writes a chunk of at most SLICE bytes
// at prepare()'s address and calls parse(): complete lines become events in
// the event buffer; an unfinished line is carried over to the next call, so a
// line (or a UTF-8 sequence) may be split anywhere. Nothing is allocated.

import { MAX_LINE, SLICE, E_TOO_LONG, E_UNTERMINATED } from './layout';
import { findNewline } from './scan';
import { EVENTS, count, beginCall, emitError, nextLine, resetEvents } from './events';
import { parseLine, resetVersion } from './records';

/** Carried-over line followed by room for one slice. */
const INPUT: usize = memory.data(MAX_LINE + SLICE, 16);

/** Start and length of the unfinished line left by the last call. */
let tail: usize = INPUT;
let tailLen: usize = 0;
/** Inside a line longer than MAX_LINE: drop bytes up to its newline. */
let skipping = false;

/** Moves the unfinished line to the front and returns where the next chunk goes. */
export function prepare(): usize {
  if (tailLen != 0 && tail != INPUT) memory.copy(INPUT, tail, tailLen);
  tail = INPUT;
  return INPUT + tailLen;
}

/**
 * Parses the carried-over line plus `len` new bytes at prepare()'s address,
 * and returns the number of events written. With `final`, a last line without
 * a newline is reported instead of carried over.
 */
export function parse(len: u32, final: bool): u32 {
  const end = INPUT + tailLen + <usize>min(len, <u32>SLICE);
  beginCall(INPUT);
  let p = INPUT;
  if (skipping) {
    p = findNewline(p, end);
    if (p == end) {
      tailLen = 0;
      if (final) skipping = false;
      return count;
    }
    skipping = false;
    nextLine();
    p++;
  }
  for (;;) {
    const nl = findNewline(p, end);
    if (nl == end) break;
    parseLine(p, nl);
    nextLine();
    p = nl + 1;
  }
  const rest = end - p;
  tail = p;
  tailLen = rest;
  if (rest > <usize>MAX_LINE) {
    emitError(E_TOO_LONG, p, MAX_LINE);
    skipping = !final;
    tailLen = 0;
  } else if (final && rest != 0) {
    emitError(E_UNTERMINATED, p, rest);
    tailLen = 0;
  }
  if (final && rest != 0) nextLine();
  return count;
}

/** Start of the event buffer (EVENT_WORDS i32 per event). */
export function events(): usize {
  return EVENTS;
}

/** Start of the input buffer; byte ranges in events are relative to it. */
export function input(): usize {
  return INPUT;
}

/** Forgets everything, ready for a new log. */
export function reset(): void {
  tail = INPUT;
  tailLen = 0;
  skipping = false;
  resetEvents();
  resetVersion();
}
