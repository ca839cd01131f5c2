// Resolving the relative paths of a log. filemon writes paths as given, so a
// relative path means "relative to that process's working directory", which
// the log tells through C records and F (a child starts in its parent's).
// Resolution is lexical, as bmake's meta mode does it: "." and ".." are
// folded without looking at the file system.

/** A path from the log, made absolute when the process's cwd was known. */
export interface ResolvedPath {
  /** Absolute and normalized when resolved; otherwise as given. */
  readonly path: string;
  /** As written in the log. */
  readonly given: string;
  /** False when the path is relative and its process's cwd is unknown. */
  readonly resolved: boolean;
}

/** Folds "", "." and ".." segments of an absolute path. */
function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

function resolveAgainst(cwd: string | null, given: string): ResolvedPath {
  if (given.startsWith('/')) return { path: normalizeAbsolute(given), given, resolved: true };
  if (cwd === null) return { path: given, given, resolved: false };
  return { path: normalizeAbsolute(cwd + '/' + given), given, resolved: true };
}

/** Each process's current directory, as far as the log tells. */
export class CwdTracker {
  readonly #cwd = new Map<number, string>();

  /** The directory of pid, or null when the log has not told it. */
  cwdOf(pid: number): string | null {
    return this.#cwd.get(pid) ?? null;
  }

  resolve(pid: number, given: string): ResolvedPath {
    return resolveAgainst(this.cwdOf(pid), given);
  }

  /** F: the child starts where its parent is. */
  fork(parent: number, child: number): void {
    const cwd = this.#cwd.get(parent);
    if (cwd === undefined) this.#cwd.delete(child);
    else this.#cwd.set(child, cwd);
  }

  /** C: returns the new directory; a relative one against an unknown cwd leaves it unknown. */
  chdir(pid: number, given: string): ResolvedPath {
    const to = this.resolve(pid, given);
    if (to.resolved) this.#cwd.set(pid, to.path);
    else this.#cwd.delete(pid);
    return to;
  }
}
