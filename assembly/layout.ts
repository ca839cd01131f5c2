// The contract between the wasm parser and its TypeScript glue: buffer sizes,
// the event record layout and the codes stored in it. Plain numeric constants
// only, so that both asc and tsc compile this one file (no copy to drift).

/**
 * Longest line accepted, newline excluded. filemon cuts its records at 1023
 * bytes; 4 KiB leaves room for Linux's PATH_MAX while bounding the carry-over
 * of a line split between chunks. A longer line becomes an error entry and is
 * skipped up to its newline.
 */
export const MAX_LINE = 4096;
/** Length, newline included, at which filemon cuts a record. */
export const RECORD_CUT = 1023;
/** Input bytes the parser accepts per call; the glue slices bigger chunks. */
export const SLICE = 65536;
/** Every line yields at most one event, and every line but the last one ends with a byte, so this bounds a call. */
export const MAX_EVENTS = SLICE + MAX_LINE + 2;

/** An event is EVENT_WORDS little-endian i32 words. */
export const EVENT_WORDS = 8;
/** kind | reason << 8 | flags << 16 */
export const W_TAG = 0;
/** 1-based line number */
export const W_LINE = 1;
/** pid; the version of V and "# filemon version"; the pid of "# Target pid" */
export const W_PID = 2;
/** child pid of F, exit status of X */
export const W_ARG = 3;
/** signal of X */
export const W_SIG = 4;
/** first byte range (path, "from", time text, or the whole line of an error) */
export const W_A = 5;
/** length of range a | length of range b << 16 (both fit: lines are at most MAX_LINE) */
export const W_LENS = 6;
/** second byte range ("to" of L and M) */
export const W_B = 7;

// Kinds. Records keep their letter's ASCII code; header and footer lines and
// errors use codes below 32, which no letter has.
export const K_VERSION = 1; // # filemon version N
export const K_TARGET = 2; // # Target pid N
export const K_START = 3; // # Start S.UUUUUU
export const K_STOP = 4; // # Stop S.UUUUUU
export const K_BYE = 5; // # Bye bye
export const K_ERROR = 6;

// Error reasons (tag bits 8..15).
export const E_UNKNOWN = 1; // no such record letter or comment line
export const E_MISSING = 2; // a field is missing
export const E_EXTRA = 3; // more fields than the record has
export const E_NUMBER = 4; // a pid, status or version that is not a canonical decimal i32
export const E_QUOTE = 5; // L or M paths not in 'single quotes'
export const E_TOO_LONG = 6; // longer than MAX_LINE
export const E_UNTERMINATED = 7; // last line without a newline
export const E_EMPTY = 8; // empty line
export const E_TIME = 9; // a Start or Stop time that is not seconds.microseconds

// Flags (tag bits 16..).
/** The record is exactly RECORD_CUT bytes long: filemon may have cut its path. */
export const F_CUT = 1;
/** An X record without the signal field (versions before 5). */
export const F_NO_SIGNAL = 2;
/**
 * An L or M record whose paths hold "' '", so that more than one split into
 * from and to is possible: the record cannot be read one way only.
 */
export const F_AMBIGUOUS = 4;

/** Format version this parser is written against; older logs differ only in X. */
export const CURRENT_VERSION = 5;
