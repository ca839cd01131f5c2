// What a comparison leaves out of a trace: records about paths that change
// from run to run or machine to machine without the program under test
// changing (the dynamic loader and libc, /proc, /dev, directories the user
// names). Browser-safe.
import { Trace, type LogEntry } from '../trace/index.js';

/** What a comparison leaves out: path prefixes, and whether to keep what is left out by default (reads of the loader and libc, /proc/, /dev/). */
export interface IgnoreOptions {
  /** Paths starting with one of these strings are left out ("/tmp/" for a directory), matched as the log wrote them. */
  prefixes?: readonly string[];
  /** Leave out reads of the dynamic loader, its cache and libc. Default true. */
  loader?: boolean;
  /** Leave out records about /proc (busybox's E /proc/self/exe included). Default true. */
  proc?: boolean;
  /** Leave out records about /dev (terminals, /dev/null, /dev/filemon). Default true. */
  dev?: boolean;
}

/** ld.so and its cache, libc itself: read at every dynamic program start. */
const LOADER = /(^|\/)(ld-linux[^/]*\.so[^/]*|ld-musl-[^/]*|ld\.so\.(cache|preload)|libc\.so(\.[0-9]+)*|libc-[0-9.]+\.so)$/;

/** A predicate telling whether a record about path (of kind R, W, E...) is ignored. */
export function pathFilter(opts: IgnoreOptions = {}): (path: string, kind: string) => boolean {
  const prefixes = [...(opts.prefixes ?? [])];
  if (opts.proc !== false) prefixes.push('/proc/');
  if (opts.dev !== false) prefixes.push('/dev/');
  const loader = opts.loader !== false;
  return (path, kind) => prefixes.some((p) => path.startsWith(p)) || (loader && (kind === 'R' || kind === 'A') && LOADER.test(path));
}

/**
 * The trace without the ignored records. C, F and X records always stay
 * (they carry the process tree and each process's directory); an L or M
 * record goes only when both its paths are ignored.
 */
export function withoutIgnored(trace: Trace, opts: IgnoreOptions = {}): Trace {
  const ignored = pathFilter(opts);
  const keep = (e: LogEntry): boolean => {
    switch (e.kind) {
      case 'R':
      case 'W':
      case 'E':
      case 'D':
      case 'A':
        return !ignored(e.path, e.kind);
      case 'L':
      case 'M':
        return !(ignored(e.from, e.kind) && ignored(e.to, e.kind));
      default:
        return true;
    }
  };
  return new Trace(trace.entries.filter(keep));
}

/** The form two traces are compared in: ignored records out, pids renumbered, times zeroed. */
export function comparable(trace: Trace, opts: IgnoreOptions = {}): Trace {
  return withoutIgnored(trace, opts).normalize();
}
