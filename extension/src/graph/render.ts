/**
 * Drawing in the browser: DOT to an inline SVG with the WebAssembly Graphviz
 * of `@viz-js/viz` (bundled into the extension, run in a Web Worker by
 * `layout.ts`: no network, no system Graphviz, no blocked page), and `GraphPanel`, one drawn graph with
 * highlights, node selection, zoom and pan.
 */
import { heatColour, HOT_TEXT_HEAT } from './debug';
import { toDot, parseDotNodeName } from './dot';
import { ILayoutJob, LayoutCancelled, layoutDot } from './layout';
import {
  IGraphDocument,
  IStepGraph,
  MAX_DRAWN_NODES,
  overDrawingLimit,
  Trace
} from './model';
import { hasInner, opCounts } from './text';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/**
 * Remove from an SVG anything that could act: scripts, foreign objects,
 * links (their children are kept), event-handler and href attributes, and
 * titles (tooltips). Graphviz output made by `toDot` has none of these; this
 * is a second guard.
 */
export function sanitizeSvg(svg: SVGSVGElement): void {
  svg
    .querySelectorAll('script, foreignObject, title, iframe, object, embed')
    .forEach(el => el.remove());
  svg.querySelectorAll('a').forEach(a => {
    a.replaceWith(...Array.from(a.childNodes));
  });
  for (const el of [svg, ...Array.from(svg.querySelectorAll('*'))]) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (
        name.startsWith('on') ||
        name === 'href' ||
        name === 'xlink:href' ||
        name === 'target' ||
        name === 'style' && /url\s*\(/i.test(attr.value)
      ) {
        el.removeAttributeNode(attr);
      }
    }
    el.removeAttributeNS(XLINK_NS, 'href');
  }
}

/**
 * Render DOT text to an SVG element whose node groups carry `data-node-id`,
 * laid out in a worker (`layout.ts`). Throws Graphviz's error when the DOT
 * is invalid.
 */
export async function renderDot(dot: string): Promise<SVGSVGElement> {
  return svgFromText(await layoutDot(dot).result);
}

/** Graphviz's SVG text as a sanitized SVG element whose node groups carry `data-node-id`. */
export function svgFromText(text: string): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    throw new Error('Graphviz did not return an SVG document');
  }
  const svg = document.importNode(root, true) as unknown as SVGSVGElement;
  // Graphviz names each node group by its <title>: read the id before
  // sanitizing removes the titles.
  svg.querySelectorAll('g.node').forEach(g => {
    const title = g.querySelector(':scope > title');
    const id = title ? parseDotNodeName(title.textContent ?? '') : null;
    if (id !== null) {
      g.setAttribute('data-node-id', String(id));
    }
  });
  sanitizeSvg(svg);
  svg.classList.add('symlab-graph-svg');
  return svg;
}

/**
 * What a panel marks on whatever it draws, whatever the step: the failed
 * node, the heat of profiled nodes, hover texts. Changing them re-marks the
 * drawing in place (no new layout, the zoom kept).
 */
export interface IDecorations {
  /** The node of the last failed call (red), and the failure's kind. */
  failed?: { id: number; kind: string } | null;
  /** Heat (0..1) of profiled nodes: filled with `heatColour(heat)`. */
  heat?: ReadonlyMap<number, number>;
  /** The hover text (an SVG `<title>`, set as text) of node boxes. */
  tooltips?: ReadonlyMap<number, string>;
}

const DECORATION_CLASSES = ['symlab-node-failed', 'symlab-node-profiled', 'symlab-node-hot'];
const DECORATION_ATTRIBUTES = ['data-failure-kind', 'data-heat'];

/**
 * Mark the node groups (`g[data-node-id]`) of a drawing with `decor`,
 * replacing earlier marks. Text goes in with `textContent` only.
 */
export function decorateSvg(svg: SVGSVGElement, decor: IDecorations): void {
  for (const g of Array.from(svg.querySelectorAll('g.node[data-node-id]'))) {
    const id = Number(g.getAttribute('data-node-id'));
    g.classList.remove(...DECORATION_CLASSES);
    DECORATION_ATTRIBUTES.forEach(a => g.removeAttribute(a));
    (g as SVGGElement).style.removeProperty('--symlab-heat');
    g.querySelectorAll(':scope > title').forEach(t => t.remove());
    const heat = decor.heat?.get(id);
    if (heat !== undefined) {
      g.classList.add('symlab-node-profiled');
      if (heat > HOT_TEXT_HEAT) {
        g.classList.add('symlab-node-hot');
      }
      g.setAttribute('data-heat', heat.toFixed(3));
      (g as SVGGElement).style.setProperty('--symlab-heat', heatColour(heat));
    }
    if (decor.failed && decor.failed.id === id) {
      g.classList.add('symlab-node-failed');
      g.setAttribute('data-failure-kind', decor.failed.kind);
    }
    const tip = decor.tooltips?.get(id);
    if (tip !== undefined) {
      const title = document.createElementNS(SVG_NS, 'title');
      title.textContent = tip;
      g.insertBefore(title, g.firstChild);
    }
  }
}

/** What one panel highlights. */
export interface IHighlight {
  /** Red: the nodes the current event removed. */
  removed?: Iterable<number>;
  /** Green: the nodes the current event added. */
  added?: Iterable<number>;
  /** Emphasised: the values the rewrite itself replaced or put in. */
  replaced?: Iterable<number>;
}

interface IViewBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Below this many pixels per Graphviz point, a drawing starts zoomed in. */
const MIN_FIT_SCALE = 0.45;

/** Pixels per point of that zoomed-in start. */
const READABLE_SCALE = 1;

/** Pixels of pointer movement under which a press counts as a click. */
const CLICK_SLOP = 4;

/**
 * One drawn graph: a header, and a canvas holding the SVG (or a summary for
 * graphs over MAX_DRAWN_NODES). Wheel zooms around the pointer, dragging
 * pans, double-click resets; clicking a node calls `onNodeClick(id)`.
 */
export class GraphPanel {
  readonly node: HTMLDivElement;
  onNodeClick: (id: number) => void = () => undefined;
  /** Double-click on a node holding inner graphs (`data-inner`): open the first. */
  onNodeOpen: (id: number) => void = () => undefined;

  private readonly _header: HTMLDivElement;
  private readonly _canvas: HTMLDivElement;
  private _svg: SVGSVGElement | null = null;
  private _home: IViewBox | null = null;
  private _box: IViewBox | null = null;
  private _token = 0;
  private _drag: {
    x: number;
    y: number;
    box: IViewBox;
    target: EventTarget | null;
    moved: boolean;
    pointer: number;
  } | null = null;
  private readonly _cache = new Map<string, SVGSVGElement>();
  /**
   * A start view still to be worked out: set when a drawing goes in while
   * the canvas has no width yet (not yet in the document), applied by the
   * ResizeObserver the first time the canvas has a width, unless the view
   * was changed (zoom, pan, reset, new content) in between.
   */
  private _pendingStart: { heightPx: number; focus: number | null } | null = null;
  private readonly _resizeObserver: ResizeObserver | null = null;
  private _decor: IDecorations = {};
  /** The layout this panel waits for, cancelled when a newer drawing supersedes it. */
  private _job: ILayoutJob | null = null;

  constructor(side: string) {
    this.node = document.createElement('div');
    this.node.className = `symlab-graph-panel symlab-graph-${side}`;
    this._header = document.createElement('div');
    this._header.className = 'symlab-graph-panel-header';
    this._canvas = document.createElement('div');
    this._canvas.className = 'symlab-graph-canvas';
    this.node.append(this._header, this._canvas);
    this._canvas.addEventListener('wheel', this._onWheel, { passive: false });
    this._canvas.addEventListener('pointerdown', this._onPointerDown);
    this._canvas.addEventListener('pointermove', this._onPointerMove);
    this._canvas.addEventListener('pointerup', this._onPointerUp);
    this._canvas.addEventListener('pointercancel', this._onPointerUp);
    this._canvas.addEventListener('dblclick', this._onDoubleClick);
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => this._applyPendingStart());
      this._resizeObserver.observe(this._canvas);
    }
  }

  /** Stop watching the canvas size. */
  dispose(): void {
    this._job?.cancel();
    this._job = null;
    this._resizeObserver?.disconnect();
    this._pendingStart = null;
  }

  /** Set the header text (plain text, never markup). */
  setTitle(text: string): void {
    this._header.textContent = text;
  }

  /** Show a message instead of a drawing. */
  showMessage(text: string, className = 'symlab-graph-message'): void {
    this._token++;
    this._job?.cancel();
    this._job = null;
    this._setContent(null);
    const div = document.createElement('div');
    div.className = className;
    div.textContent = text;
    this._canvas.replaceChildren(div);
    this.node.removeAttribute('data-step');
    this.node.removeAttribute('data-node-count');
  }

  /**
   * Draw step `step` of `trace` with the given highlights; fused nodes in
   * `expanded` drawn open. Resolves when drawn (or superseded by a later call).
   */
  async draw(
    trace: Trace,
    step: number,
    highlight: IHighlight,
    expanded: ReadonlySet<number>
  ): Promise<void> {
    const token = ++this._token;
    const graph = trace.graphAt(step);
    this.node.setAttribute('data-step', String(step));
    this.node.setAttribute('data-node-count', String(graph.nodes.length));
    if (overDrawingLimit(graph)) {
      this._setContent(null);
      this._canvas.replaceChildren(summaryElement(trace, graph));
      return;
    }
    const key = `${step}|${[...expanded].sort((a, b) => a - b).join(',')}`;
    let svg = this._cache.get(key);
    if (svg === undefined) {
      const loading = document.createElement('div');
      loading.className = 'symlab-graph-loading';
      loading.textContent = 'drawing\u2026';
      if (!this._svg) {
        this._canvas.replaceChildren(loading);
      }
      this._job?.cancel();
      const job = layoutDot(toDot(trace.doc, graph, { expanded }));
      this._job = job;
      // Tests and styles read the layout's state: pending while the worker works.
      this.node.setAttribute('data-layout', 'pending');
      const started = performance.now();
      try {
        svg = svgFromText(await job.result);
        if (token === this._token) {
          this.node.setAttribute('data-layout', 'done');
          this.node.setAttribute('data-layout-ms', String(Math.round(performance.now() - started)));
        }
      } catch (err) {
        if (err instanceof LayoutCancelled) {
          return;
        }
        this.node.setAttribute('data-layout', 'failed');
        if (token === this._token) {
          this.showMessage(`could not draw this graph: ${String(err)}`, 'symlab-graph-error');
        }
        return;
      }
      markInner(svg, trace);
      if (this._cache.size >= 12) {
        this._cache.delete(this._cache.keys().next().value as string);
      }
      this._cache.set(key, svg);
    }
    if (token !== this._token) {
      return;
    }
    const copy = svg.cloneNode(true) as SVGSVGElement;
    this._setContent(copy, graph.outputs.length > 0 ? graph.outputs[0][0] : null);
    this._applyHighlight(copy, highlight);
    decorateSvg(copy, this._decor);
  }

  /** Set what every drawing of this panel marks, and mark the current one. */
  setDecorations(decor: IDecorations): void {
    this._decor = decor;
    if (this._svg) {
      decorateSvg(this._svg, decor);
    }
  }

  /** Mark node `id` selected (or none) in the current drawing. */
  setSelected(id: number | null): void {
    if (!this._svg) {
      return;
    }
    this._svg
      .querySelectorAll('.symlab-node-selected')
      .forEach(el => el.classList.remove('symlab-node-selected'));
    if (id !== null) {
      this._svg
        .querySelectorAll(`g[data-node-id="${id}"]`)
        .forEach(el => el.classList.add('symlab-node-selected'));
    }
  }

  /** Forget cached drawings (the document changed). */
  clearCache(): void {
    this._cache.clear();
  }

  /** Zoom by `factor` (> 1 zooms in) around a point in SVG units (default: the centre). */
  zoom(factor: number, cx?: number, cy?: number): void {
    const box = this._box;
    if (!box || !(factor > 0)) {
      return;
    }
    const x = cx ?? box.x + box.w / 2;
    const y = cy ?? box.y + box.h / 2;
    const w = box.w / factor;
    const h = box.h / factor;
    this._setBox({ x: x - ((x - box.x) * w) / box.w, y: y - ((y - box.y) * h) / box.h, w, h });
  }

  /** Back to the whole drawing. */
  resetZoom(): void {
    if (this._home) {
      this._setBox({ ...this._home });
    }
  }

  private _setContent(svg: SVGSVGElement | null, focus: number | null = null): void {
    this._svg = svg;
    this._home = null;
    this._box = null;
    this._pendingStart = null;
    if (!svg) {
      return;
    }
    const vb = svg.viewBox.baseVal;
    const home =
      vb && vb.width > 0
        ? { x: vb.x, y: vb.y, w: vb.width, h: vb.height }
        : { x: 0, y: 0, w: 100, h: 100 };
    // Graphviz sizes in points; show at natural size, at most 480px high.
    const heightPx = Math.min(Math.max(home.h * (4 / 3), 60), 480);
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', `${Math.round(heightPx)}px`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    this._home = home;
    this._canvas.replaceChildren(svg);
    if (this._canvas.clientWidth > 0) {
      this._setBox(this._startBox(home, heightPx, focus));
    } else {
      // Not laid out yet (the view is not in the document): show the whole
      // drawing for now, and pick the start view once the canvas has a width.
      this._setBox({ ...home });
      this._pendingStart = { heightPx, focus };
    }
  }

  /** Apply a start view left pending by `_setContent`, once the canvas has a width. */
  private _applyPendingStart(): void {
    const pending = this._pendingStart;
    if (!pending || !this._svg || !this._home || this._canvas.clientWidth <= 0) {
      return;
    }
    this._setBox(this._startBox(this._home, pending.heightPx, pending.focus));
  }

  /**
   * The first view of a drawing: all of it, unless that would shrink it
   * below MIN_FIT_SCALE (a long chain of 500 nodes); then the part around
   * node `focus` (the first output) at a readable scale, to pan and zoom
   * from (double-click shows all).
   */
  private _startBox(home: IViewBox, heightPx: number, focus: number | null): IViewBox {
    const widthPx = this._canvas.clientWidth;
    if (widthPx <= 0) {
      return { ...home };
    }
    const fit = Math.min(widthPx / home.w, heightPx / home.h);
    if (fit >= MIN_FIT_SCALE) {
      return { ...home };
    }
    const w = widthPx / READABLE_SCALE;
    const h = heightPx / READABLE_SCALE;
    const centre = focus === null ? null : this._nodeCentre(focus);
    if (centre) {
      return { x: centre.x - w / 2, y: centre.y - h / 2, w, h };
    }
    return {
      x: home.w > w ? home.x + (home.w - w) / 2 : home.x - (w - home.w) / 2,
      y: home.y,
      w,
      h
    };
  }

  /** The centre of node `id`'s box in viewBox units, or null. */
  private _nodeCentre(id: number): { x: number; y: number } | null {
    const g = this._svg?.querySelector(`g.node[data-node-id="${id}"]`) as SVGGElement | null;
    const graph = this._svg?.querySelector('g.graph') as SVGGElement | null;
    if (!g || !graph || typeof g.getBBox !== 'function') {
      return null;
    }
    try {
      const b = g.getBBox();
      const m = graph.transform.baseVal.consolidate()?.matrix;
      const [a, d, e, f] = m ? [m.a, m.d, m.e, m.f] : [1, 1, 0, 0];
      return { x: e + a * (b.x + b.width / 2), y: f + d * (b.y + b.height / 2) };
    } catch {
      return null;
    }
  }

  private _setBox(box: IViewBox): void {
    // Any change of view (the user's zoom or pan, or a start view) settles it.
    this._pendingStart = null;
    this._box = box;
    this._svg?.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h}`);
  }

  private _applyHighlight(svg: SVGSVGElement, highlight: IHighlight): void {
    const mark = (ids: Iterable<number> | undefined, cls: string): void => {
      for (const id of ids ?? []) {
        svg
          .querySelectorAll(`g[data-node-id="${Number(id)}"]`)
          .forEach(el => el.classList.add(cls));
      }
    };
    mark(highlight.removed, 'symlab-node-removed');
    mark(highlight.added, 'symlab-node-added');
    mark(highlight.replaced, 'symlab-node-replaced');
  }

  /** SVG units per screen pixel, and the drawing's screen offset (meet scaling). */
  private _metrics(): { scale: number; left: number; top: number } | null {
    if (!this._svg || !this._box) {
      return null;
    }
    const rect = this._svg.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) {
      return null;
    }
    const s = Math.min(rect.width / this._box.w, rect.height / this._box.h);
    return {
      scale: s,
      left: rect.left + (rect.width - this._box.w * s) / 2,
      top: rect.top + (rect.height - this._box.h * s) / 2
    };
  }

  private _onDoubleClick = (event: MouseEvent): void => {
    const target = event.target instanceof Element ? event.target : null;
    const g = target?.closest('g.node[data-node-id][data-inner]');
    if (g && this._canvas.contains(g)) {
      this.onNodeOpen(Number(g.getAttribute('data-node-id')));
      return;
    }
    this.resetZoom();
  };

  private _onWheel = (event: WheelEvent): void => {
    const m = this._metrics();
    if (!m || !this._box) {
      return;
    }
    event.preventDefault();
    const cx = this._box.x + (event.clientX - m.left) / m.scale;
    const cy = this._box.y + (event.clientY - m.top) / m.scale;
    this.zoom(Math.exp(-event.deltaY * 0.0015), cx, cy);
  };

  private _onPointerDown = (event: PointerEvent): void => {
    if (!this._box || event.button !== 0) {
      return;
    }
    this._drag = {
      x: event.clientX,
      y: event.clientY,
      box: { ...this._box },
      target: event.target,
      moved: false,
      pointer: event.pointerId
    };
  };

  private _onPointerMove = (event: PointerEvent): void => {
    const drag = this._drag;
    if (!drag || drag.pointer !== event.pointerId) {
      return;
    }
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) {
      return;
    }
    if (!drag.moved) {
      drag.moved = true;
      this._canvas.setPointerCapture?.(event.pointerId);
      this._canvas.classList.add('symlab-dragging');
    }
    const m = this._metrics();
    if (m) {
      this._setBox({
        ...drag.box,
        x: drag.box.x - dx / m.scale,
        y: drag.box.y - dy / m.scale
      });
    }
  };

  private _onPointerUp = (event: PointerEvent): void => {
    const drag = this._drag;
    this._drag = null;
    this._canvas.classList.remove('symlab-dragging');
    if (!drag || drag.pointer !== event.pointerId) {
      return;
    }
    if (drag.moved) {
      this._canvas.releasePointerCapture?.(event.pointerId);
      return;
    }
    const target = drag.target instanceof Element ? drag.target : null;
    const g = target?.closest('g[data-node-id]');
    if (g && this._canvas.contains(g)) {
      this.onNodeClick(Number(g.getAttribute('data-node-id')));
    }
  };
}

/**
 * Mark the boxes of nodes holding inner graphs: `data-inner` lists their
 * roles (`step`, `then else`), set as an attribute value (text, never markup).
 */
export function markInner(svg: SVGSVGElement, trace: Trace): void {
  for (const g of Array.from(svg.querySelectorAll('g.node[data-node-id]'))) {
    const entry = trace.node(Number(g.getAttribute('data-node-id')));
    if (hasInner(entry)) {
      g.setAttribute('data-inner', entry!.inner!.map(i => i.role).join(' '));
    }
  }
}

/** What a too-large graph shows instead of a drawing: counts, and ops in a collapsed list. */
export function summaryElement(trace: Trace, graph: IStepGraph): HTMLElement {
  const box = document.createElement('div');
  box.className = 'symlab-graph-summary';
  const head = document.createElement('div');
  head.className = 'symlab-graph-summary-counts';
  head.textContent =
    `${graph.nodes.length} nodes, ${graph.edges.length} edges: ` +
    `too many to draw (the limit is ${MAX_DRAWN_NODES.toLocaleString('en-US')} nodes)`;
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'nodes by op';
  const list = document.createElement('ul');
  for (const [op, count] of opCounts(graph, id => trace.node(id))) {
    const li = document.createElement('li');
    li.textContent = `${op}: ${count}`;
    list.appendChild(li);
  }
  details.append(summary, list);
  box.append(head, details);
  return box;
}

/** Re-exported so views need one import. */
export type { IGraphDocument };
