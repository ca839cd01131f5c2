// The process tree of one command line as a picture: a node per process
// (its exec chain, exit status or signal, the files it read and wrote), a
// fork edge from parent to child, colours by record letter as in the record
// list. Layout by @dagrejs/dagre (layered drawing of a directed graph: a
// tree top-down with no crossings, a few milliseconds for a hundred nodes,
// synchronous and small); the drawing is plain SVG with its colours inline,
// so the same element downloads as a standalone .svg file.
import dagre from '@dagrejs/dagre';
import { Trace, type TraceEvent } from '../sim/trace/index.js';
import { LETTER_COLOUR, LETTER_MEANING } from '../sim/browser/letters.js';

/** Files shown in a node; the rest are counted. */
const MAX_FILES = 6;
const CHAR_W = 7.3;
const LINE_H = 15;
const PAD = 8;
const SVG_NS = 'http://www.w3.org/2000/svg';
const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** One line of a node: its text and the record letter that colours it. */
interface NodeLine {
  letter: string;
  text: string;
}

interface ProcessNode {
  /** Unique per process lifetime (a pid reused after X gets a second node). */
  id: string;
  pid: number;
  /** Exit status and signal from X; null when the log has none (the process still ran, or is the shell). */
  exit: { status: number; signal: number | null } | null;
  lines: NodeLine[];
}

export interface ProcessGraph {
  nodes: ProcessNode[];
  /** Fork edges, parent id → child id. */
  edges: Array<[string, string]>;
}

const short = (p: string, n = 48) => (p.length > n ? `…${p.slice(p.length - n + 1)}` : p);

/** The graph of events (one command line's records). */
export function processGraph(events: readonly TraceEvent[]): ProcessGraph {
  const tree = new Trace(events).processes();
  // Files each pid touched, in log order, each path once per letter.
  const files = new Map<number, NodeLine[]>();
  const seen = new Set<string>();
  for (const e of events) {
    let text: string | undefined;
    if (e.kind === 'R' || e.kind === 'W' || e.kind === 'D') text = e.path;
    else if (e.kind === 'M' || e.kind === 'L') text = `${e.from} → ${e.to}`;
    if (text === undefined || seen.has(`${e.pid} ${e.kind} ${text}`)) continue;
    seen.add(`${e.pid} ${e.kind} ${text}`);
    let list = files.get(e.pid);
    if (!list) files.set(e.pid, (list = []));
    list.push({ letter: e.kind, text: `${e.kind} ${short(text)}` });
  }
  const nodes: ProcessNode[] = [];
  const edges: Array<[string, string]> = [];
  const ids = new Map<object, string>();
  for (const [i, p] of tree.all.entries()) ids.set(p, `p${i}`);
  for (const p of tree.all) {
    const lines: NodeLine[] = [{ letter: 'F', text: `pid ${p.pid}${p.parent === null ? ' (the shell)' : ''}` }];
    for (const x of p.execs) lines.push({ letter: 'E', text: `E ${short(x.given)}` });
    if (p.exit) {
      const { status, signal } = p.exit;
      const why = signal ? `killed by signal ${signal}${SIGNALS[signal] ? ` (${SIGNALS[signal]})` : ''}` : `exit status ${status}`;
      lines.push({ letter: 'X', text: `X ${status} ${signal ?? 0}: ${why}` });
    } else lines.push({ letter: 'C', text: p.parent === null ? 'still running' : 'no X record' });
    const f = files.get(p.pid) ?? [];
    lines.push(...f.slice(0, MAX_FILES));
    if (f.length > MAX_FILES) lines.push({ letter: 'C', text: `+ ${f.length - MAX_FILES} more files` });
    nodes.push({ id: ids.get(p)!, pid: p.pid, exit: p.exit ? { status: p.exit.status, signal: p.exit.signal } : null, lines });
    for (const c of p.children) edges.push([ids.get(p)!, ids.get(c)!]);
  }
  return { nodes, edges };
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Lays the graph out and draws it as a standalone SVG element (colours inline). */
export function drawGraph(g: ProcessGraph, title: string): SVGSVGElement {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 12, marginy: 12 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) {
    const width = Math.max(...n.lines.map((l) => l.text.length)) * CHAR_W + 2 * PAD;
    layout.setNode(n.id, { width, height: n.lines.length * LINE_H + 2 * PAD - 4 });
  }
  for (const [a, b] of g.edges) layout.setEdge(a, b);
  // Children left to right in the order they were forked.
  const constraints: Array<{ left: string; right: string }> = [];
  g.edges.forEach(([a, b], i) => {
    const next = g.edges[i + 1];
    if (next && next[0] === a) constraints.push({ left: b, right: next[1] });
  });
  dagre.layout(layout, { constraints });
  const size = layout.graph();
  const w = Math.max(1, Math.ceil(size.width ?? 1));
  const h = Math.max(1, Math.ceil(size.height ?? 1));
  const svg = svgEl('svg', { xmlns: SVG_NS, width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'font-family': 'DejaVu Sans Mono, Menlo, monospace', 'font-size': 12 });
  const t = svgEl('title', {});
  t.textContent = title;
  svg.append(t, svgEl('rect', { x: 0, y: 0, width: w, height: h, fill: '#161b22' }));
  const defs = svgEl('defs', {});
  const marker = svgEl('marker', { id: 'fork-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: LETTER_COLOUR.F }));
  defs.append(marker);
  svg.append(defs);
  for (const e of layout.edges()) {
    const pts = layout.edge(e).points ?? [];
    const path = svgEl('path', {
      class: 'fork',
      d: pts.map((p: { x: number; y: number }, i: number) => `${i ? 'L' : 'M'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: LETTER_COLOUR.F,
      'stroke-width': 1.5,
      'marker-end': 'url(#fork-arrow)',
    });
    const tt = svgEl('title', {});
    tt.textContent = 'fork (F record)';
    path.append(tt);
    svg.append(path);
  }
  for (const n of g.nodes) {
    const box = layout.node(n.id);
    const x0 = box.x - box.width / 2;
    const y0 = box.y - box.height / 2;
    const grp = svgEl('g', { class: 'proc', 'data-pid': n.pid, 'data-exit': n.exit ? `${n.exit.status} ${n.exit.signal ?? 0}` : '' });
    const killed = n.exit?.signal;
    grp.append(
      svgEl('rect', {
        x: x0.toFixed(1),
        y: y0.toFixed(1),
        width: box.width.toFixed(1),
        height: box.height.toFixed(1),
        rx: 6,
        fill: '#0d1117',
        stroke: killed ? LETTER_COLOUR.D : n.exit && n.exit.status !== 0 ? LETTER_COLOUR.W : '#8b949e',
        'stroke-width': killed || n.exit?.status ? 2 : 1,
      }),
    );
    n.lines.forEach((l, i) => {
      const text = svgEl('text', { x: (x0 + PAD).toFixed(1), y: (y0 + PAD + 10 + i * LINE_H).toFixed(1), fill: LETTER_COLOUR[l.letter] ?? '#d6dde6', 'font-weight': i === 0 ? 'bold' : 'normal' });
      text.textContent = l.text;
      if (i > 0 && LETTER_MEANING[l.letter] && l.text[1] === ' ') {
        const tt = svgEl('title', {});
        tt.textContent = LETTER_MEANING[l.letter];
        text.append(tt);
      }
      grp.append(text);
    });
    svg.append(grp);
  }
  return svg;
}

/** Zoom and pan of an SVG by its viewBox: wheel and drag, or keys (+ − 0 and arrows) on the focused picture. */
/** The smallest scale Fit uses: node labels are drawn at 11–12 px, unreadable below about 6 px. */
const MIN_SCALE = 0.55;

export class ZoomPan {
  private box = { x: 0, y: 0, w: 1, h: 1 };
  private full = { w: 1, h: 1 };

  constructor(private readonly frame: HTMLElement) {
    frame.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = frame.getBoundingClientRect();
        this.zoom(e.deltaY < 0 ? 1 / 1.2 : 1.2, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
      },
      { passive: false },
    );
    let drag: { x: number; y: number } | undefined;
    frame.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY };
      frame.setPointerCapture(e.pointerId);
    });
    frame.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const r = frame.getBoundingClientRect();
      this.pan(-(e.clientX - drag.x) * (this.box.w / r.width), -(e.clientY - drag.y) * (this.box.h / r.height));
      drag = { x: e.clientX, y: e.clientY };
    });
    const stop = () => (drag = undefined);
    frame.addEventListener('pointerup', stop);
    frame.addEventListener('pointercancel', stop);
    frame.addEventListener('keydown', (e) => {
      const step = 0.1;
      const keys: Record<string, () => void> = {
        '+': () => this.zoom(1 / 1.2),
        '=': () => this.zoom(1 / 1.2),
        '-': () => this.zoom(1.2),
        '0': () => this.fit(),
        ArrowLeft: () => this.pan(-this.box.w * step, 0),
        ArrowRight: () => this.pan(this.box.w * step, 0),
        ArrowUp: () => this.pan(0, -this.box.h * step),
        ArrowDown: () => this.pan(0, this.box.h * step),
      };
      const k = keys[e.key];
      if (k) {
        e.preventDefault();
        k();
      }
    });
  }

  private get svg(): SVGSVGElement | null {
    return this.frame.querySelector('svg');
  }

  /** Fit showed the whole picture (else it is too big to be read whole: its top middle is shown). */
  whole = true;

  /** Shows the whole picture, at most at its natural size, at least at a size its labels can be read. */
  fit(): void {
    const svg = this.svg;
    if (!svg) return;
    const w = Number(svg.getAttribute('width'));
    const h = Number(svg.getAttribute('height'));
    this.full = { w, h };
    const r = this.frame.getBoundingClientRect();
    // Natural size when it fits; else scaled down to fit, keeping the aspect ratio.
    const fitScale = Math.max(w / Math.max(1, r.width), h / Math.max(1, r.height), 1);
    // Below MIN_SCALE the labels are unreadable: show the top (the shell, the command) at that scale instead, centred.
    const scale = Math.min(fitScale, 1 / MIN_SCALE);
    this.whole = scale === fitScale;
    const bw = r.width * scale || w;
    this.box = { x: this.whole ? 0 : Math.max(0, (w - bw) / 2), y: 0, w: bw, h: r.height * scale || h };
    this.apply();
  }

  /** Keeps the visitor's zoom and pan on a redrawn picture (the same command, more records). */
  keep(): void {
    const svg = this.svg;
    if (!svg) return;
    this.full = { w: Number(svg.getAttribute('width')), h: Number(svg.getAttribute('height')) };
    this.apply();
  }

  zoom(factor: number, fx = 0.5, fy = 0.5): void {
    const w = Math.min(Math.max(this.box.w * factor, 20), Math.max(this.full.w, this.full.h) * 8);
    const h = (this.box.h * w) / this.box.w;
    this.box = { x: this.box.x + (this.box.w - w) * fx, y: this.box.y + (this.box.h - h) * fy, w, h };
    this.apply();
  }

  pan(dx: number, dy: number): void {
    this.box = { ...this.box, x: this.box.x + dx, y: this.box.y + dy };
    this.apply();
  }

  private apply(): void {
    const svg = this.svg;
    if (!svg) return;
    // On screen the picture fills the frame; the natural size stays in the download.
    svg.style.width = '100%';
    svg.style.height = '100%';
    svg.setAttribute('viewBox', `${this.box.x} ${this.box.y} ${this.box.w} ${this.box.h}`);
    svg.setAttribute('preserveAspectRatio', 'xMinYMin meet');
  }
}

/** The SVG as a standalone file: its natural viewBox, not the zoomed one. */
export function svgFile(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('viewBox', `0 0 ${copy.getAttribute('width')} ${copy.getAttribute('height')}`);
  copy.removeAttribute('style');
  copy.removeAttribute('preserveAspectRatio');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}
