// `filemon-sim parse FILE`: views of an existing filemon log (or of the
// filemon section of a bmake .meta file), on the host alone.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseTrace } from '../node/parser-wasm.js';
import { filemonSection } from '../trace/index.js';
import { formatErrors } from '../views.js';
import { CliError, parseOptions } from './common.js';
import { renderView, VIEW_OPTIONS, writeView } from './output.js';

export async function parseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('parse', () =>
    parseArgs({ args, allowPositionals: true, options: VIEW_OPTIONS }),
  );
  if (positionals.length !== 1) throw new CliError('parse: give one log file; usage: filemon-sim parse [--json|--tree|--deps|--format make|dot] [-o OUT] FILE');
  const file = positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    throw new CliError(`parse: cannot read ${file}: ${(e as Error).message}`, 1);
  }
  // A bmake .meta file holds the log after "-- filemon acquired metadata --".
  const log = filemonSection(bytes) ?? bytes;
  const trace = parseTrace(log);
  writeView(renderView(trace, log, values), values.output);
  let bad = false;
  if (trace.errors.length) {
    process.stderr.write(`${file}: ${trace.errors.length} malformed line(s):\n${formatErrors(trace)}`);
    bad = true;
  }
  if (!trace.complete) {
    process.stderr.write(`${file}: the log is incomplete: no "# Bye bye" footer (the tracer died or had not closed /dev/filemon)\n`);
    bad = true;
  }
  return bad ? 1 : 0;
}
