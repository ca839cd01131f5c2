// Trace comparison: what to ignore, and the record and dependency-set diff.
export { pathFilter, withoutIgnored, comparable, type IgnoreOptions } from './ignore.js';
export {
  diffTraces,
  formatTraceDiff,
  traceDiffJSON,
  comparableLines,
  type TraceDiff,
  type SetChange,
  type DiffOptions,
  type FormatDiffOptions,
} from './trace-diff.js';
