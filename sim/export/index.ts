// Traces in formats other tools read: make depfiles and Graphviz graphs.
import type { IgnoreOptions } from '../diff/index.js';
import type { Trace } from '../trace/index.js';
import { formatDot } from './dot.js';
import { formatMakeDepfile } from './make.js';

export const EXPORT_FORMATS = ['make', 'dot'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(s: string): s is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(s);
}

/** ignore: what to leave out besides the defaults (or what to keep of them), as for diff. */
export function exportTrace(trace: Trace, format: ExportFormat, ignore: IgnoreOptions = {}): string {
  return format === 'make' ? formatMakeDepfile(trace, ignore) : formatDot(trace, ignore);
}
