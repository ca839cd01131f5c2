// Trace comparison: what to ignore, and the record and dependency-set diff.
export { pathFilter, withoutIgnored, comparable, type IgnoreOptions } from './ignore.js';
export { diffLines, type LineOp } from './lines.js';
export {
  diffTraces, formatTraceDiff, traceDiffJSON, comparableLines, SET_NAMES,
  type TraceDiff, type SetChange, type SetName, type DiffOptions, type FormatDiffOptions,
} from './trace-diff.js';
