// `filemon-sim diff A B`: two logs or bmake .meta files (or - for stdin)
// compared as golden traces are: normalized records and dependency sets.
// Exit 0 when equal, 1 when different, 2 on trouble.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diffTraces, formatTraceDiff, traceDiffJSON } from '../diff/index.js';
import { parseTrace } from '../node/parser-wasm.js';
import { filemonSection, type Trace } from '../trace/index.js';
import { CliError, IGNORE_OPTIONS, ignoreOptions, parseOptions } from './common.js';

const DIFF_USAGE = 'usage: filemon-sim diff [--json] [--color|--no-color] [--ignore PREFIX]... [--keep loader|proc|dev]... [-U N] A B';

function readTrace(file: string): Trace {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    throw new CliError(`diff: cannot read ${file}: ${(e as Error).message}`);
  }
  const trace = parseTrace(filemonSection(bytes) ?? bytes);
  if (trace.errors.length) {
    const list = trace.errors
      .slice(0, 5)
      .map((e) => `  line ${e.line}: ${e.message}`)
      .join('\n');
    throw new CliError(`diff: ${file} is not a well-formed filemon log (${trace.errors.length} malformed line(s)):\n${list}`);
  }
  if (!trace.events.length && trace.header.version === null) {
    throw new CliError(`diff: ${file} holds no filemon records or header; give a filemon log or a bmake .meta file`);
  }
  return trace;
}

export async function diffCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('diff', () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        ...IGNORE_OPTIONS,
        unified: { type: 'string', short: 'U' },
      },
    }),
  );
  if (positionals.length !== 2) throw new CliError(`diff: give two files; ${DIFF_USAGE}`);
  const ignore = ignoreOptions(values, 'diff');
  const context = values.unified === undefined ? 3 : Number(values.unified);
  if (!Number.isInteger(context) || context < 0) throw new CliError(`diff: -U wants a number of lines, got "${values.unified}"`);
  const [a, b] = positionals;
  if (a === '-' && b === '-') throw new CliError('diff: only one side can be - (stdin)');
  const diff = diffTraces(readTrace(a), readTrace(b), { ignore });
  if (values.json) {
    process.stdout.write(JSON.stringify(traceDiffJSON(diff), null, 2) + '\n');
  } else {
    const colour = values.color ?? (!values['no-color'] && process.stdout.isTTY === true && !process.env.NO_COLOR);
    process.stdout.write(formatTraceDiff(diff, { labels: [a, b], colour, context }));
  }
  return diff.equal ? 0 : 1;
}
