// A traced command as a bmake .meta file, laid out as bmake's meta.c writes
// one for a target with one command: its header (meta_create), the
// command's output, then filemon's log after the marker (filemon_read), so
// that meta2deps.py, meta2deps.sh, gendirdeps.mk and bmake itself read it.
import { concatBytes } from '../bytes.js';
import { META_MARKER } from '../trace/meta.js';

/** What a bmake `.meta` file is made of: the command, its working directory, the target, its output and status, and the filemon log. */
export interface MetaFileParts {
  /** The command: a shell string (written as is) or an argv (quoted for sh). */
  command: string | string[];
  /** The command's working directory in the guest (absolute). */
  cwd: string;
  /** The target the file describes (bmake's TARGET line). */
  target: string;
  /** What the command wrote; bmake's one pipe interleaves the two, here stdout comes first. */
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** The filemon log, as the device wrote it. */
  log: Uint8Array;
  /** The command's exit status (its signal if killed); non-zero adds bmake's "*** Error code" line. */
  status?: number;
}

/** An argument as sh reads it back unchanged. */
function shellWord(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line of a CMD record: what bmake would have run through sh -c. */
function metaCommandLine(command: string | string[]): string {
  return typeof command === 'string' ? command : command.map(shellWord).join(' ');
}

/**
 * Where bmake keeps the .meta file of target when its object directory is
 * cwd (meta_name): cwd/target.meta, the target's own slashes made '_'
 * unless it already lies directly in cwd.
 */
export function metaFileName(cwd: string, target: string): string {
  const dir = cwd.replace(/\/+$/, '') || '/';
  const join = (name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
  if (target.startsWith('/') && (target.slice(0, target.lastIndexOf('/')) || '/') === dir) return `${target}.meta`;
  const name = target.startsWith(`${dir}/`) ? target.slice(dir.length + 1) : target;
  return join(`${name.replace(/\//g, '_')}.meta`);
}

const enc = new TextEncoder();

/**
 * The .meta file's bytes, in the order the guest's bmake (filemon on
 * /dev/filemon, one log per target) writes them: header lines (meta_create),
 * the output as captured, on failure the error line (meta_job_error), then
 * a newline, the marker and the log as the device wrote it (filemon_read).
 */
export function formatMetaFile(parts: MetaFileParts): Uint8Array {
  if (!parts.target) throw new TypeError('a .meta file needs a target name (its TARGET line)');
  if (/\n/.test(parts.target)) throw new TypeError(`the target name ${JSON.stringify(parts.target)} holds a newline, which a .meta file cannot`);
  if (!parts.cwd.startsWith('/')) throw new TypeError(`the .meta file's CWD must be absolute, got ${JSON.stringify(parts.cwd)}`);
  const head =
    [`# Meta data file ${metaFileName(parts.cwd, parts.target)}`, `CMD ${metaCommandLine(parts.command)}`, `CWD ${parts.cwd}`, `TARGET ${parts.target}`, '-- command output --'].join('\n') + '\n';
  const error = parts.status ? `\n*** Error code ${parts.status}\n` : '';
  return concatBytes([enc.encode(head), parts.stdout, parts.stderr, enc.encode(`${error}\n`), META_MARKER, parts.log]);
}
