/**
 * Drawing in the browser: DOT to an inline SVG with the WebAssembly Graphviz
 * of `@viz-js/viz` (bundled into the extension, run in a Web Worker by
 * `layout.ts`: no network, no system Graphviz, no blocked page), and `GraphPanel`, one drawn graph with
 * highlights, node selection, zoom and pan.
 */
import { heatColour, HOT_TEXT_HEAT } from './debug';
import { toDot, parseDotNodeName } from './dot';
import { exportSvgText, svgToPng } from './export';
import { ILayoutJob, LayoutCancelled, layoutDot } from './layout';
import {
  IGraphDocument,
  INodeEntry,
  IStepGraph,
  MAX_DRAWN_NODES,
  overDrawingLimit,
  Trace
} from './model';
import { debugTags } from './tags';
import { hasInner, nodeText, opCounts } from './text';

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
 * replacing earlier marks; each node's hover title is its `base` text (the
 * whole label, `hoverText`), then the decoration's. Text goes in with
 * `textContent` only.
 */
export function decorateSvg(
  svg: SVGSVGElement,
  decor: IDecorations,
  base: ReadonlyMap<number, string> = new Map()
): void {
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
    // The debugging text's first line names the node: the base text's first line
    // (the whole label and the tag) takes its place.
    const own = base.get(id);
    const extra = decor.tooltips?.get(id);
    const tip =
      extra === undefined
        ? own
        : own === undefined
          ? extra
          : [own.split('\n')[0], ...extra.split('\n').slice(1)].join('\n');
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

/**
 * The smallest scale (screen pixels per Graphviz point) of a first view: the
 * drawing's text is FONT_POINTS (11) points, so at 1 px a point no label is
 * smaller than 11 px at 100% zoom.
 */
export const MIN_SCALE = 1;

/** The largest scale of a first view (a small graph is not blown up past this). */
export const MAX_SCALE = 4 / 3;

/** The tallest a panel's drawing is at first view, in pixels. */
const MAX_HEIGHT_PX = 480;

/** Pixels left around a fitted drawing. */
const MARGIN_PX = 6;

/** The class of the boxes a first view hides because the panel's edge would cut them. */
const OFFVIEW = 'symlab-node-offview';

/** Pixels of pointer movement under which a press counts as a click. */
const CLICK_SLOP = 4;

/** The classes `setMarked` manages (selection, search hit, counterparts). */
export type MarkClass = 'symlab-node-selected' | 'symlab-node-hit' | 'symlab-node-counterpart';

/**
 * One drawn graph: a header, and a canvas holding the SVG (or a summary for
 * graphs over MAX_DRAWN_NODES). Wheel zooms around the pointer, dragging
 * pans, double-click shows the whole drawing; clicking a node calls
 * `onNodeClick(id)`.
 *
 * The first view of a drawing is chosen by its view (`fitScale`, then
 * `showStart` with the scale both panels share): the whole drawing when it
 * fits at that scale, else a window at that scale on the graph's first
 * output, where the boxes its edge would cut are hidden until the user
 * zooms or pans.
 */
export class GraphPanel {
  readonly node: HTMLDivElement;
  onNodeClick: (id: number) => void = () => undefined;
  /** Double-click on a node holding inner graphs (`data-inner`): open the first. */
  onNodeOpen: (id: number) => void = () => undefined;
  /** The canvas got a width while a first view was pending: the view picks it now. */
  onSized: () => void = () => undefined;

  private readonly _header: HTMLDivElement;
  private readonly _title: HTMLSpanElement;
  private readonly _tools: HTMLSpanElement;
  private readonly _canvas: HTMLDivElement;
  private _svg: SVGSVGElement | null = null;
  private _home: IViewBox | null = null;
  private _box: IViewBox | null = null;
  private _focus: number | null = null;
  /** The drawing's `[id X]` tags (`debugTags` of the step drawn). */
  private _tags = new Map<number, string>();
  private _step: number | null = null;
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
  /** A first view waits for the canvas to have a width (not yet in the document). */
  private _pendingStart = false;
  /** The first view hides the boxes its edges cut: the user's first zoom or pan shows them. */
  private _framed = false;
  private readonly _resizeObserver: ResizeObserver | null = null;
  private _decor: IDecorations = {};
  private _baseTips = new Map<number, string>();
  private readonly _marks = new Map<MarkClass, Set<number>>();
  /** The layout this panel waits for, cancelled when a newer drawing supersedes it. */
  private _job: ILayoutJob | null = null;

  constructor(readonly side: string) {
    this.node = document.createElement('div');
    this.node.className = `symlab-graph-panel symlab-graph-${side}`;
    this._header = document.createElement('div');
    this._header.className = 'symlab-graph-panel-header';
    this._title = document.createElement('span');
    this._title.className = 'symlab-graph-panel-title';
    this._tools = document.createElement('span');
    this._tools.className = 'symlab-graph-panel-tools';
    this._header.append(this._title, this._tools);
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
      this._resizeObserver = new ResizeObserver(() => {
        if (this._pendingStart && this._canvas.clientWidth > 0) {
          this.onSized();
        }
      });
      this._resizeObserver.observe(this._canvas);
    }
  }

  /** Stop watching the canvas size. */
  dispose(): void {
    this._job?.cancel();
    this._job = null;
    this._resizeObserver?.disconnect();
    this._pendingStart = false;
  }

  /** Set the header text (plain text, never markup). */
  setTitle(text: string): void {
    this._title.textContent = text;
  }

  /** Put controls (the export buttons) at the header's right end. */
  setTools(...tools: HTMLElement[]): void {
    this._tools.replaceChildren(...tools);
  }

  /** The drawing shown (null while a message or summary is shown). */
  get svg(): SVGSVGElement | null {
    return this._svg;
  }

  /** The step drawn, or null. */
  get step(): number | null {
    return this._step;
  }

  /** The `[id X]` letters of the drawing shown. */
  get tags(): ReadonlyMap<number, string> {
    return this._tags;
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
   * `expanded` drawn open, and so are the nodes the highlights name (what a
   * rewrite touched is shown in full). Each box shows debugprint's `[id X]`
   * tag and has the node's whole text as its hover title. Resolves when
   * drawn (or superseded by a later call); the first view is then the view's
   * to pick (`showStart`).
   */
  async draw(
    trace: Trace,
    step: number,
    highlight: IHighlight,
    expanded: ReadonlySet<number>
  ): Promise<void> {
    const token = ++this._token;
    const graph = trace.graphAt(step);
    this._step = step;
    this.node.setAttribute('data-step', String(step));
    this.node.setAttribute('data-node-count', String(graph.nodes.length));
    if (overDrawingLimit(graph)) {
      this._setContent(null);
      this._canvas.replaceChildren(summaryElement(trace, graph));
      return;
    }
    const tags = debugTags(graph);
    const full = new Set<number>([
      ...(highlight.removed ?? []),
      ...(highlight.added ?? []),
      ...(highlight.replaced ?? [])
    ]);
    const ids = (s: Iterable<number>): string => [...s].sort((a, b) => a - b).join(',');
    const key = `${step}|${ids(expanded)}|${ids(full)}`;
    let svg = this._cache.get(key);
    if (svg === undefined) {
      const loading = document.createElement('div');
      loading.className = 'symlab-graph-loading';
      loading.textContent = 'drawing\u2026';
      if (!this._svg) {
        this._canvas.replaceChildren(loading);
      }
      this._job?.cancel();
      const job = layoutDot(toDot(trace.doc, graph, { expanded, full, tags }));
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
      liftTags(svg, tags);
      if (this._cache.size >= 12) {
        this._cache.delete(this._cache.keys().next().value as string);
      }
      this._cache.set(key, svg);
    }
    if (token !== this._token) {
      return;
    }
    this._tags = tags;
    this._baseTips = new Map(
      graph.nodes.map(id => [id, hoverText(trace.node(id), id, tags.get(id))])
    );
    const copy = svg.cloneNode(true) as SVGSVGElement;
    this._setContent(copy, graph.outputs.length > 0 ? graph.outputs[0][0] : null);
    this._applyHighlight(copy, highlight);
    decorateSvg(copy, this._decor, this._baseTips);
    this._applyMarks();
    // Readable at once: the view then picks the scale both panels share (showStart).
    const fit = this.fitScale();
    if (fit !== null) {
      this.showStart(Math.max(MIN_SCALE, Math.min(MAX_SCALE, fit)));
    }
  }

  /** Set what every drawing of this panel marks, and mark the current one. */
  setDecorations(decor: IDecorations): void {
    this._decor = decor;
    if (this._svg) {
      decorateSvg(this._svg, decor, this._baseTips);
    }
  }

  /** Mark the nodes `ids` with `cls` (replacing that class's earlier marks), now and after redraws. */
  setMarked(cls: MarkClass, ids: Iterable<number>): void {
    this._marks.set(cls, new Set(ids));
    this._applyMarks();
  }

  /** Mark node `id` selected (or none). */
  setSelected(id: number | null): void {
    this.setMarked('symlab-node-selected', id === null ? [] : [id]);
  }

  private _applyMarks(): void {
    if (!this._svg) {
      return;
    }
    for (const [cls, ids] of this._marks) {
      this._svg.querySelectorAll(`.${cls}`).forEach(el => el.classList.remove(cls));
      for (const id of ids) {
        this._svg
          .querySelectorAll(`g[data-node-id="${Number(id)}"]`)
          .forEach(el => el.classList.add(cls));
      }
    }
  }

  /** True when node `id` is drawn in this panel. */
  hasNode(id: number): boolean {
    return !!this._svg?.querySelector(`g.node[data-node-id="${Number(id)}"]`);
  }

  /** The standalone SVG text of the whole drawing shown (export.ts), or null. */
  exportSvg(): string | null {
    if (!this._svg || !this._home) {
      return null;
    }
    const background = getComputedStyle(this.node).backgroundColor || '#ffffff';
    return exportSvgText(this._svg, this._home, background);
  }

  /** A PNG of the whole drawing shown, or null. */
  async exportPng(): Promise<Blob | null> {
    const text = this.exportSvg();
    return text && this._home ? svgToPng(text, this._home.w, this._home.h) : null;
  }

  /** Forget cached drawings (the document changed). */
  clearCache(): void {
    this._cache.clear();
  }

  /** Zoom by `factor` (> 1 zooms in) around a point in SVG units (default: the centre). */
  zoom(factor: number, cx?: number, cy?: number): void {
    this._unframe();
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

  /** Back to the whole drawing (at whatever scale it takes). */
  resetZoom(): void {
    this._unframe();
    if (this._home) {
      this._setBox({ ...this._home });
    }
  }

  /**
   * Centre node `id` in the panel, keeping the scale (at least MIN_SCALE);
   * false when it is not drawn here.
   */
  centreOn(id: number): boolean {
    const rect = this._nodeRect(id);
    if (!rect || !this._box) {
      return false;
    }
    this._unframe();
    const m = this._metrics();
    const scale = Math.max(m?.scale ?? MIN_SCALE, MIN_SCALE);
    const widthPx = this._canvas.clientWidth || this._box.w * scale;
    const heightPx = this._svgHeightPx();
    const w = widthPx / scale;
    const h = heightPx / scale;
    this._setBox({ x: rect.x + rect.w / 2 - w / 2, y: rect.y + rect.h / 2 - h / 2, w, h });
    return true;
  }

  /**
   * The scale at which the whole drawing fits the panel (pixels per point),
   * or null with no drawing or no width yet (`onSized` tells when).
   */
  fitScale(): number | null {
    const home = this._home;
    const widthPx = this._canvas.clientWidth;
    if (!this._svg || !home) {
      return null;
    }
    if (widthPx <= 0) {
      this._pendingStart = true;
      return null;
    }
    return Math.min(
      (widthPx - 2 * MARGIN_PX) / home.w,
      (MAX_HEIGHT_PX - 2 * MARGIN_PX) / home.h
    );
  }

  /**
   * Show the first view at `scale` pixels per point: the whole drawing if it
   * fits, else a window on the first output in which the boxes its edge
   * would cut are hidden (`_hideCut`).
   */
  showStart(scale: number): void {
    const svg = this._svg;
    const home = this._home;
    const widthPx = this._canvas.clientWidth;
    if (!svg || !home) {
      return;
    }
    if (widthPx <= 0) {
      this._pendingStart = true;
      return;
    }
    this._pendingStart = false;
    this.node.setAttribute('data-scale', scale.toFixed(3));
    const fits =
      home.w * scale <= widthPx - 2 * MARGIN_PX && home.h * scale <= MAX_HEIGHT_PX - 2 * MARGIN_PX;
    this._framed = false;
    svg.querySelectorAll(`.${OFFVIEW}`).forEach(g => g.classList.remove(OFFVIEW));
    svg.setAttribute('width', '100%');
    if (fits) {
      const heightPx = home.h * scale + 2 * MARGIN_PX;
      svg.setAttribute('height', `${Math.round(heightPx)}px`);
      const w = widthPx / scale;
      const h = Math.round(heightPx) / scale;
      this._setBox({ x: home.x + home.w / 2 - w / 2, y: home.y + home.h / 2 - h / 2, w, h });
      this.node.setAttribute('data-start', 'fit');
      return;
    }
    const heightPx = Math.round(Math.min(home.h * scale + 2 * MARGIN_PX, MAX_HEIGHT_PX));
    const w = widthPx / scale;
    const h = heightPx / scale;
    const centre = (this._focus === null ? null : this._nodeRect(this._focus)) ?? {
      x: home.x + home.w / 2,
      y: home.y + home.h,
      w: 0,
      h: 0
    };
    const clamp = (v: number, lo: number, hi: number): number =>
      hi < lo ? (lo + hi) / 2 : Math.min(Math.max(v, lo), hi);
    const x = clamp(centre.x + centre.w / 2 - w / 2, home.x, home.x + home.w - w);
    const y = clamp(centre.y + centre.h / 2 - h / 2, home.y, home.y + home.h - h);
    svg.setAttribute('height', `${Math.round(heightPx)}px`);
    this._setBox({ x, y, w, h });
    this._framed = this._hideCut({ x, y, w, h }) > 0;
    this.node.setAttribute('data-start', 'window');
  }

  /** True while a first view waits for the canvas to have a width. */
  get startPending(): boolean {
    return this._pendingStart;
  }

  /**
   * Hide (class `symlab-node-offview`) the node boxes and output markers
   * that `box` would cut: a first view shows whole boxes only; their edges
   * still lead off the panel. Returns how many were hidden.
   */
  private _hideCut(box: IViewBox): number {
    let hidden = 0;
    const [l, t, r, b] = [box.x, box.y, box.x + box.w, box.y + box.h];
    this._svg?.querySelectorAll('g.node, text.symlab-node-tag').forEach(g => {
      const n = this._rectOf(g as SVGGElement);
      if (!n) {
        return;
      }
      const outside = n.x + n.w <= l || n.x >= r || n.y + n.h <= t || n.y >= b;
      const inside = n.x >= l && n.x + n.w <= r && n.y >= t && n.y + n.h <= b;
      if (!outside && !inside) {
        g.classList.add(OFFVIEW);
        hidden++;
      }
    });
    // A hidden box's tag goes with it.
    this._svg?.querySelectorAll(`g.node.${OFFVIEW}[data-node-id]`).forEach(g => {
      const id = g.getAttribute('data-node-id');
      this._svg
        ?.querySelectorAll(`text.symlab-node-tag[data-tag-of="${id}"]`)
        .forEach(t => t.classList.add(OFFVIEW));
    });
    return hidden;
  }

  /** After a first view that hid cut boxes: the user's first zoom or pan shows them again. */
  private _unframe(): void {
    if (!this._framed || !this._svg) {
      return;
    }
    this._framed = false;
    this._svg.querySelectorAll(`.${OFFVIEW}`).forEach(g => g.classList.remove(OFFVIEW));
  }

  private _svgHeightPx(): number {
    const rect = this._svg?.getBoundingClientRect();
    return rect && rect.height > 0 ? rect.height : MAX_HEIGHT_PX;
  }

  private _setContent(svg: SVGSVGElement | null, focus: number | null = null): void {
    this._svg = svg;
    this._home = null;
    this._box = null;
    this._focus = focus;
    this._framed = false;
    this._pendingStart = false;
    if (!svg) {
      this._tags = new Map();
      this._baseTips = new Map();
      return;
    }
    const vb = svg.viewBox.baseVal;
    const home =
      vb && vb.width > 0
        ? { x: vb.x, y: vb.y, w: vb.width, h: vb.height }
        : { x: 0, y: 0, w: 100, h: 100 };
    // Until the view picks the first view (showStart): the drawing at MIN_SCALE.
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', `${Math.round(Math.min(home.h * MIN_SCALE, MAX_HEIGHT_PX))}px`);
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    this._home = home;
    this._canvas.replaceChildren(svg);
    this._setBox({ ...home });
  }

  /** The box of node `id` (its first drawn group) in viewBox units, or null. */
  private _nodeRect(id: number): IViewBox | null {
    const g = this._svg?.querySelector(`g.node[data-node-id="${Number(id)}"]`) ?? null;
    return g ? this._rectOf(g as SVGGElement) : null;
  }

  private _rectOf(g: SVGGElement): IViewBox | null {
    const graph = this._svg?.querySelector('g.graph') as SVGGElement | null;
    if (!graph || typeof g.getBBox !== 'function') {
      return null;
    }
    try {
      const b = g.getBBox();
      const m = graph.transform.baseVal.consolidate()?.matrix;
      const [a, d, e, f] = m ? [m.a, m.d, m.e, m.f] : [1, 1, 0, 0];
      return { x: e + a * b.x, y: f + d * b.y, w: a * b.width, h: d * b.height };
    } catch {
      return null;
    }
  }

  private _setBox(box: IViewBox): void {
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
    this._unframe();
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
      this._unframe();
      drag.box = { ...this._box! };
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
 * A node's hover title: its whole text, debugprint's `[id X]` tag, its name,
 * op and type (set as text: `decorateSvg` uses `textContent`).
 */
export function hoverText(entry: INodeEntry | null, id: number, tag: string | undefined): string {
  const head = `${nodeText(entry, true)}${tag === undefined ? '' : ` [id ${tag}]`}`;
  const lines = [head];
  if (entry?.kind === 'apply' && entry.label) {
    lines.push(`name: ${entry.label}`);
  }
  lines.push(`node ${id}${entry ? `, ${entry.kind}` : ''}${entry?.type ? `: ${entry.type}` : ''}`);
  return lines.join('\n');
}

/**
 * Move each node's `[id X]` tag (Graphviz's external label, the node
 * group's last text) out of the node's group into one `g.symlab-tags`
 * layer: a box's texts are then its label alone. Each tag is a
 * `text.symlab-node-tag` with `data-tag-of` (the node id).
 */
export function liftTags(svg: SVGSVGElement, tags: ReadonlyMap<number, string>): void {
  const graph = svg.querySelector('g.graph');
  if (!graph) {
    return;
  }
  const layer = document.createElementNS(SVG_NS, 'g');
  layer.setAttribute('class', 'symlab-tags');
  for (const g of Array.from(svg.querySelectorAll('g.node[data-node-id]'))) {
    const id = Number(g.getAttribute('data-node-id'));
    const tag = tags.get(id);
    const texts = g.querySelectorAll(':scope > text');
    const last = texts.length > 1 ? texts[texts.length - 1] : null;
    if (tag === undefined || !last || last.textContent !== `[id ${tag}]`) {
      continue;
    }
    last.setAttribute('class', 'symlab-node-tag');
    last.setAttribute('data-tag-of', String(id));
    layer.append(last);
  }
  graph.append(layer);
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
