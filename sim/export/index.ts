// Traces in formats other tools read: make depfiles and Graphviz graphs.
import type { Trace } from '../trace/index.js';
import { formatDot } from './dot.js';
import { formatMakeDepfile } from './make.js';

export { formatMakeDepfile, MAKE_RULE_HELP } from './make.js';
export { formatDot } from './dot.js';

export const EXPORT_FORMATS = ['make', 'dot'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(s: string): s is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(s);
}

export function exportTrace(trace: Trace, format: ExportFormat): string {
  return format === 'make' ? formatMakeDepfile(trace) : formatDot(trace);
}
