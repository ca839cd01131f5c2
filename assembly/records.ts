// Parses one complete line (without its newline) into one event. Every check
// stays inside [s, e), so any byte sequence is safe.

import {
  MAX_LINE,
  RECORD_CUT,
  CURRENT_VERSION,
  K_VERSION,
  K_TARGET,
  K_START,
  K_STOP,
  K_BYE,
  E_UNKNOWN,
  E_MISSING,
  E_EXTRA,
  E_NUMBER,
  E_QUOTE,
  E_TOO_LONG,
  E_EMPTY,
  E_TIME,
  F_CUT,
  F_NO_SIGNAL,
  F_AMBIGUOUS,
} from './layout';
import { readNumber, numberEnd, NO_NUMBER, startsWith, isTime } from './scan';
import { emit, emitError } from './events';

const SPACE: u8 = 0x20;
const QUOTE: u8 = 0x27;

/** Format version announced by the log so far; 0 until a header or V line says. */
let version: i32 = 0;

export function resetVersion(): void {
  version = 0;
}

export function parseLine(s: usize, e: usize): void {
  const len = e - s;
  if (len == 0) return emitError(E_EMPTY, s, 0);
  if (len > <usize>MAX_LINE) return emitError(E_TOO_LONG, s, MAX_LINE);
  const letter = load<u8>(s);
  if (letter == 0x23) return parseComment(s, e); // '#'
  // Every record is "<letter> <number>...".
  if (len == 1) return letterKnown(letter) ? emitError(E_MISSING, s, len) : emitError(E_UNKNOWN, s, len);
  if (load<u8>(s + 1) != SPACE || !letterKnown(letter)) return emitError(E_UNKNOWN, s, len);
  const flags = len + 1 == <usize>RECORD_CUT ? F_CUT << 16 : 0;
  const first = readNumber(s + 2, e, false);
  if (first == NO_NUMBER) return emitError(s + 2 == e ? E_MISSING : E_NUMBER, s, len);
  const pid = <i32>first;
  const p = numberEnd;
  if (letter == 0x56) {
    // 'V'
    if (expectEnd(p, s, e)) setVersion(<i32>letter, pid, s);
    return;
  }
  // The rest needs a space after the first number.
  if (p == e) return emitError(E_MISSING, s, len);
  if (load<u8>(p) != SPACE) return emitError(E_NUMBER, s, len);
  const q = p + 1;
  switch (letter) {
    case 0x46:
      return parseFork(pid, q, s, e); // 'F'
    case 0x58:
      return parseExit(pid, q, s, e); // 'X'
    case 0x4c: // 'L'
    case 0x4d:
      return parsePair(<i32>letter | flags, pid, q, s, e); // 'M'
  }
  // A, C, D, E, R, W: the path is the rest of the line, spaces included.
  if (q == e) return emitError(E_MISSING, s, len);
  emit(<i32>letter | flags, pid, 0, 0, q, e - q, e, 0);
}

function letterKnown(c: u8): bool {
  // A C D E F L M R V W X
  return c == 0x41 || (c >= 0x43 && c <= 0x46) || c == 0x4c || c == 0x4d || c == 0x52 || c == 0x56 || c == 0x57 || c == 0x58;
}

/** True when p is the end of the line; otherwise reports what follows. */
function expectEnd(p: usize, s: usize, e: usize): bool {
  if (p == e) return true;
  emitError(load<u8>(p) == SPACE ? E_EXTRA : E_NUMBER, s, e - s);
  return false;
}

function setVersion(kind: i32, v: i32, s: usize): void {
  version = v;
  emit(kind, v, 0, 0, s, 0, s, 0);
}

/** F <parent> <child> */
function parseFork(pid: i32, q: usize, s: usize, e: usize): void {
  const child = readNumber(q, e, false);
  if (child == NO_NUMBER) return emitError(q == e ? E_MISSING : E_NUMBER, s, e - s);
  if (expectEnd(numberEnd, s, e)) emit(0x46, pid, <i32>child, 0, s, 0, s, 0);
}

/** X <pid> <status> <signal>; before version 5 there is no signal. */
function parseExit(pid: i32, q: usize, s: usize, e: usize): void {
  const status = readNumber(q, e, true);
  if (status == NO_NUMBER) return emitError(q == e ? E_MISSING : E_NUMBER, s, e - s);
  let p = numberEnd;
  if (p == e && version > 0 && version < CURRENT_VERSION) {
    return emit(0x58 | (F_NO_SIGNAL << 16), pid, <i32>status, 0, s, 0, s, 0);
  }
  if (p == e) return emitError(E_MISSING, s, e - s);
  if (load<u8>(p) != SPACE) return emitError(E_NUMBER, s, e - s);
  p++;
  const signal = readNumber(p, e, true);
  if (signal == NO_NUMBER) return emitError(p == e ? E_MISSING : E_NUMBER, s, e - s);
  if (expectEnd(numberEnd, s, e)) emit(0x58, pid, <i32>status, <i32>signal, s, 0, s, 0);
}

/**
 * L|M <pid> '<from>' '<to>'. Paths are not escaped, so a path containing
 * "' '" is ambiguous; the first separator that leaves both paths non-empty
 * wins (writing the two paths back gives the same bytes either way), and the
 * record is flagged F_AMBIGUOUS when another separator would do as well.
 */
function parsePair(tag: i32, pid: i32, q: usize, s: usize, e: usize): void {
  const len = e - s;
  if (q == e) return emitError(E_MISSING, s, len);
  if (load<u8>(q) != QUOTE || e - q < 2 || load<u8>(e - 1) != QUOTE) return emitError(E_QUOTE, s, len);
  // Separator ' ' at i: from = [q+1, i), to = [i+3, e-1), both at least one byte.
  let i = q + 2;
  while (i + 5 <= e && !(load<u8>(i) == QUOTE && load<u8>(i + 1) == SPACE && load<u8>(i + 2) == QUOTE)) i++;
  if (i + 5 > e) return emitError(E_MISSING, s, len);
  if (isSeparatorAfter(i + 1, e)) tag |= F_AMBIGUOUS << 16;
  emit(tag, pid, 0, 0, q + 1, i - q - 1, i + 3, e - 4 - i);
}

/** Whether "' '" occurs at or after j while leaving a non-empty "to" path before the closing quote. */
function isSeparatorAfter(j: usize, e: usize): bool {
  for (; j + 5 <= e; j++) {
    if (load<u8>(j) == QUOTE && load<u8>(j + 1) == SPACE && load<u8>(j + 2) == QUOTE) return true;
  }
  return false;
}

/** Header and footer lines; any other '#' line is an error. */
function parseComment(s: usize, e: usize): void {
  const len = e - s;
  if (startsWith(s, e, '# filemon version ')) {
    const p = s + 18;
    const v = readNumber(p, e, false);
    if (v == NO_NUMBER || numberEnd != e) return emitError(E_NUMBER, s, len);
    return setVersion(K_VERSION, <i32>v, s);
  }
  if (startsWith(s, e, '# Target pid ')) {
    const pid = readNumber(s + 13, e, false);
    if (pid == NO_NUMBER || numberEnd != e) return emitError(E_NUMBER, s, len);
    return emit(K_TARGET, <i32>pid, 0, 0, s, 0, s, 0);
  }
  if (startsWith(s, e, '# Start ')) return parseTime(K_START, s + 8, s, e);
  if (startsWith(s, e, '# Stop ')) return parseTime(K_STOP, s + 7, s, e);
  if (len == 9 && startsWith(s, e, '# Bye bye')) return emit(K_BYE, 0, 0, 0, s, 0, s, 0);
  emitError(E_UNKNOWN, s, len);
}

function parseTime(kind: i32, p: usize, s: usize, e: usize): void {
  if (!isTime(p, e)) return emitError(E_TIME, s, e - s);
  emit(kind, 0, 0, 0, p, e - p, s, 0);
}
