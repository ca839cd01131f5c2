// Writes a trace the way the CLI's view flags ask: the raw log, --json,
// --tree or --deps; to stdout or to a file (-o).
import { writeFileSync } from 'node:fs';
import type { Trace } from '../trace/index.js';
import { formatDeps, formatTree } from '../views.js';
import { EXPORT_FORMATS, exportTrace, isExportFormat } from '../export/index.js';
import { CliError } from './common.js';

export interface ViewFlags {
  json?: boolean;
  tree?: boolean;
  deps?: boolean;
  format?: string;
  output?: string;
}

export const VIEW_OPTIONS = {
  json: { type: 'boolean' },
  tree: { type: 'boolean' },
  deps: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

/** The chosen view as bytes; extra fields go into --json output. */
export function renderView(trace: Trace, log: Uint8Array, flags: ViewFlags, extra: object = {}): Uint8Array {
  const chosen = [flags.json, flags.tree, flags.deps, flags.format].filter(Boolean).length;
  if (chosen > 1) throw new CliError('choose one of --json, --tree, --deps, --format');
  const enc = (s: string) => new TextEncoder().encode(s);
  if (flags.format !== undefined) {
    if (!isExportFormat(flags.format)) throw new CliError(`--format wants one of ${EXPORT_FORMATS.join(', ')}, got "${flags.format}"`);
    return enc(exportTrace(trace, flags.format));
  }
  if (flags.json) return enc(JSON.stringify({ ...extra, ...trace.toJSON(), processes: trace.processes().roots, files: trace.files() }, null, 2) + '\n');
  if (flags.tree) return enc(formatTree(trace));
  if (flags.deps) return enc(formatDeps(trace));
  return log;
}

export function writeView(bytes: Uint8Array, output?: string): void {
  if (output && output !== '-') writeFileSync(output, bytes);
  else process.stdout.write(bytes);
}
