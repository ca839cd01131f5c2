// `filemon-sim trace -- CMD`: run CMD under /dev/filemon in the guest and
// show its log; the CLI exits with CMD's status.
import { lstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Simulator, TransferError, type Trace, type TransferReport } from '../index.js';
import { formatMetaFile } from '../export/meta.js';
import { commandExit, guestCwd, TraceTimeoutError, type TraceResult } from '../simulator.js';
import { checkOutputPath, CliError, GUEST_RUN_OPTIONS, guestRun, parseOptions } from './common.js';
import { TIMED_OUT_EXIT } from './run.js';
import { skippedText } from '../transfer/report.js';
import { checkViewFlags, renderView, VIEW_OPTIONS, writeView, type ViewFlags } from './output.js';

/** "A:B" at the first colon; host paths with colons are not supported. */
function splitPair(flag: string, s: string): [string, string] {
  const i = s.indexOf(':');
  if (i <= 0 || i === s.length - 1) throw new CliError(`${flag} wants FROM:TO, got "${s}"`);
  return [s.slice(0, i), s.slice(i + 1)];
}

/**
 * --target NAME with --format meta (else an error); without --target the
 * name of `-o NAME.meta`, as bmake names a target's .meta file. Undefined
 * for the other views.
 */
function metaTarget(values: ViewFlags & { target?: string }): string | undefined {
  if (values.format !== 'meta') {
    if (values.target !== undefined) throw new CliError('--target goes with --format meta (it names the target the .meta file describes)');
    return undefined;
  }
  if (values.json || values.tree || values.deps) throw new CliError('choose one of --json, --tree, --deps, --format');
  const target = values.target ?? /(?:^|\/)([^/]+)\.meta$/.exec(values.output ?? '')?.[1];
  if (!target) throw new CliError('--format meta needs --target NAME (the TARGET of the .meta file), or -o NAME.meta to take NAME from');
  if (target.includes('\n')) throw new CliError('--target: a target name cannot hold a newline');
  return target;
}

/** The status a .meta file of a killed command records: its signal, as bmake's. */
function metaExit(trace: Trace): { status: number } {
  const x = commandExit(trace, TIMED_OUT_EXIT);
  return { status: x.signal || x.status };
}

export async function traceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('trace', () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...VIEW_OPTIONS,
        quiet: { type: 'boolean', short: 'q' },
        put: { type: 'string', multiple: true },
        get: { type: 'string', multiple: true },
        strict: { type: 'boolean' },
        target: { type: 'string' },
        ...GUEST_RUN_OPTIONS,
      },
    }),
  );
  if (!positionals.length) throw new CliError('trace: no command given; usage: filemon-sim trace [options] -- CMD [ARGS...]');
  const puts = (values.put ?? []).map((p) => splitPair('--put', p));
  const gets = (values.get ?? []).map((p) => splitPair('--get', p));
  const { boot, exec } = guestRun(values);
  // Whatever can be found wrong on the host is, before the guest starts.
  for (const [host] of puts) {
    try {
      lstatSync(host);
    } catch (e) {
      throw new CliError(`--put ${host}:…: cannot read ${host} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was run`);
    }
  }
  const transfer = async (flag: string, pair: [string, string], move: () => Promise<TransferReport>): Promise<boolean> => {
    const say = (line: string) => process.stderr.write(`filemon-sim: ${flag} ${pair.join(':')}: ${line}\n`);
    try {
      for (const s of (await move()).skipped) say(`not copied: ${skippedText(s)}; --strict makes this an error`);
      return true;
    } catch (e) {
      if (!(e instanceof TransferError)) throw e;
      for (const s of e.report.skipped) say(`not copied (--strict): ${skippedText(s)}`);
      for (const r of e.report.refused) say(`refused ${r.path}: ${r.reason}`);
      return false;
    }
  };
  const strict = { strict: values.strict };
  const target = metaTarget(values);
  // The .meta file is written from the whole result, not from a log view.
  const viewFlags = target === undefined ? values : { ...values, format: undefined };
  checkViewFlags(viewFlags);
  checkOutputPath(values.output);
  const render = (t: Trace, log: Uint8Array, extra: object, meta: () => Uint8Array): Uint8Array => (target === undefined ? renderView(t, log, viewFlags, extra) : meta());

  const sim = await Simulator.start(boot);
  try {
    for (const p of puts) {
      if (!(await transfer('--put', p, () => sim.put(p[0], p[1], strict)))) throw new CliError('trace: a --put was refused (see above); nothing was run', 1);
    }
    let result: TraceResult;
    try {
      result = await sim.trace(positionals, exec);
    } catch (e) {
      if (e instanceof TraceTimeoutError) {
        // What was logged until the kill is still worth showing.
        writeView(
          render(e.trace, e.log, { timedOut: true, killed: e.killed }, () =>
            formatMetaFile({
              command: positionals,
              cwd: guestCwd(exec.cwd),
              target: target!,
              log: e.log,
              ...metaExit(e.trace),
              stdout: e.result?.stdout ?? new Uint8Array(0),
              stderr: e.result?.stderr ?? new Uint8Array(0),
            }),
          ),
          values.output,
        );
        const what = e.killed.length
          ? `killed its ${e.killed.length} process${e.killed.length === 1 ? '' : 'es'} (pids ${e.killed.join(' ')}); the log holds their exits`
          : 'the tracer did not finish in time either: everything was killed and the log may be incomplete';
        throw new CliError(`trace: ${positionals.join(' ')} timed out after ${e.timeoutMs} ms; ${what} (raise --timeout)`, TIMED_OUT_EXIT);
      }
      throw e;
    }
    // With the log on stdout, the command's own output goes to stderr.
    const logOnStdout = !values.output || values.output === '-';
    if (!values.quiet) {
      (logOnStdout ? process.stderr : process.stdout).write(result.stdout);
      process.stderr.write(result.stderr);
    }
    if (result.note) process.stderr.write(`filemon-sim: ${result.note}\n`);
    const traced = result; // a const, for the closure
    writeView(
      render(traced.trace, traced.log, { status: traced.status, signal: traced.signal }, () => traced.toMeta({ target: target! })),
      values.output,
    );
    let gotAll = true;
    for (const g of gets) gotAll = (await transfer('--get', g, () => sim.get(g[0], g[1], strict))) && gotAll;
    const status = result.signal ? 128 + result.signal : result.status;
    // A --get that lost entries fails the run even when the command did not.
    return gotAll ? status : status || 1;
  } finally {
    await sim.close();
  }
}
