// bmake's meta mode copies the filemon log to the end of each target's .meta
// file, after a marker line.

/** The line after which a .meta file holds the log. */
export const META_MARKER = new TextEncoder().encode('-- filemon acquired metadata --\n');
const MARKER = META_MARKER;

/** The filemon log inside a bmake .meta file (a view, not a copy), or null when it has none. */
export function filemonSection(meta: Uint8Array): Uint8Array | null {
  for (let at = meta.indexOf(MARKER[0]); at >= 0; at = meta.indexOf(MARKER[0], at + 1)) {
    if ((at === 0 || meta[at - 1] === 0x0a) && startsWith(meta, at)) return meta.subarray(at + MARKER.length);
  }
  return null;
}

function startsWith(meta: Uint8Array, at: number): boolean {
  if (meta.length - at < MARKER.length) return false;
  for (let i = 0; i < MARKER.length; i++) if (meta[at + i] !== MARKER[i]) return false;
  return true;
}
