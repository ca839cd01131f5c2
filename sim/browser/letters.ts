// What each record letter means, as filemon(4) says (shown on hover).
/** The record letters of filemon(4), in alphabetical order. */
export const LETTERS = ['A', 'C', 'D', 'E', 'F', 'L', 'M', 'R', 'W', 'X'] as const;

/** What each record letter means, as filemon(4) says (shown on hover). */
export const LETTER_MEANING: Record<string, string> = {
  A: 'A openat(2). The next log entry may be lacking an absolute path or be inaccurate.',
  C: 'C chdir(2)',
  D: 'D unlink(2)',
  E: 'E exec(2)',
  F: 'F fork(2), vfork(2)',
  L: 'L link(2), linkat(2), symlink(2), symlinkat(2)',
  M: 'M rename(2)',
  R: 'R open(2) or openat(2) for read',
  W: 'W open(2) or openat(2) for write',
  X: 'X _exit(2)',
};

/** Each letter's colour, as in style.css (the SVG pictures carry them inline). */
export const LETTER_COLOUR: Record<string, string> = {
  A: '#7ee787',
  C: '#c9d1d9',
  D: '#ff7b72',
  E: '#d2a8ff',
  F: '#79c0ff',
  L: '#56d4dd',
  M: '#ffa657',
  R: '#7ee787',
  W: '#e3b341',
  X: '#a5d6ff',
};
