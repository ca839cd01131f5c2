// A shortest edit script between two lists of lines (Myers' O(ND)
// algorithm), for showing what changed between two traces. Common ends are
// stripped first; past MAX_EDITS differences the middle is shown as all
// removed then all added, which keeps memory bounded (O(D²) frontiers).

export interface LineOp {
  op: ' ' | '-' | '+';
  text: string;
}

const MAX_EDITS = 2000;

export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (xs: readonly string[]): LineOp[] => xs.map((text) => ({ op: ' ', text }));
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const middle = myers(midA, midB) ?? [...midA.map((text): LineOp => ({ op: '-', text })), ...midB.map((text): LineOp => ({ op: '+', text }))];
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

/** null when the lists differ in more than MAX_EDITS lines. */
function myers(a: readonly string[], b: readonly string[]): LineOp[] | null {
  const n = a.length;
  const m = b.length;
  // frontiers[d][k + d] = furthest x on diagonal k after d edits.
  const frontiers: Int32Array[] = [];
  let prev = new Int32Array(1);
  let last = -1;
  for (let d = 0; d <= Math.min(n + m, MAX_EDITS) && last < 0; d++) {
    const v = new Int32Array(2 * d + 1);
    for (let k = -d; k <= d; k += 2) {
      const at = (kk: number) => prev[kk + d - 1];
      let x: number;
      if (d === 0) x = 0;
      else if (k === -d || (k !== d && at(k - 1) < at(k + 1))) x = at(k + 1);
      else x = at(k - 1) + 1;
      let y = x - k;
      for (; x < n && y < m && a[x] === b[y]; y++) x++;
      v[k + d] = x;
      if (x >= n && y >= m) last = d;
    }
    frontiers.push(v);
    prev = v;
  }
  if (last < 0) return null;
  const ops: LineOp[] = [];
  let x = n;
  let y = m;
  for (let d = last; d > 0; d--) {
    const v = frontiers[d - 1];
    const at = (kk: number) => v[kk + d - 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    // The snake after the edit, then the edit itself.
    const ex = down ? px : px + 1;
    for (; x > ex; y--) ops.push({ op: ' ', text: a[--x] });
    if (down) ops.push({ op: '+', text: b[py] });
    else ops.push({ op: '-', text: a[px] });
    x = px;
    y = py;
  }
  for (; x > 0; y--) ops.push({ op: ' ', text: a[--x] });
  return ops.reverse();
}
