// The event buffer: fixed-size records in linear memory that the glue reads
// as an Int32Array after each call, so no object is allocated per event.

import { EVENT_WORDS, MAX_EVENTS, K_ERROR, W_TAG, W_LINE, W_PID, W_ARG, W_SIG, W_A, W_LENS, W_B } from './layout';

const EVENT_BYTES = EVENT_WORDS * 4;

/** Start of the buffer; offsets in events are relative to `base`. */
export const EVENTS: usize = memory.data(MAX_EVENTS * EVENT_BYTES, 16);

/** Events written by the current call. */
export let count: u32 = 0;
/** Address that byte offsets in events are measured from (the input buffer). */
let base: usize = 0;
/** 1-based number of the line being parsed. */
let line: u32 = 1;

/** Starts a parser call: events fill the buffer from its start, with offsets measured from p. */
export function beginCall(p: usize): void {
  base = p;
  count = 0;
}

export function emit(tag: i32, pid: i32, arg: i32, sig: i32, a: usize, aLen: usize, b: usize, bLen: usize): void {
  const e = EVENTS + <usize>count * <usize>EVENT_BYTES;
  store<i32>(e, tag, W_TAG << 2);
  store<i32>(e, line, W_LINE << 2);
  store<i32>(e, pid, W_PID << 2);
  store<i32>(e, arg, W_ARG << 2);
  store<i32>(e, sig, W_SIG << 2);
  store<i32>(e, <i32>(a - base), W_A << 2);
  store<i32>(e, <i32>(aLen | (bLen << 16)), W_LENS << 2);
  store<i32>(e, <i32>(b - base), W_B << 2);
  count++;
}

/** An error entry keeps the line's bytes (up to `len`) so that it can be shown or written back. */
export function emitError(reason: i32, start: usize, len: usize): void {
  emit(K_ERROR | (reason << 8), 0, 0, 0, start, len, start, 0);
}

export function nextLine(): void {
  line++;
}

export function resetEvents(): void {
  count = 0;
  line = 1;
}
