/**
 * The graph view both front ends show: before and after side by side,
 * stepping through the trace one event at a time with the event's removed
 * and added nodes highlighted, the details of the clicked node, zoom and
 * pan, and (for the widget) the debugging marks of a compiled function.
 *
 * `GraphStepView` owns the DOM under one root element and reads and writes
 * its state (`step`, `selected`, `expanded`) through an `IGraphViewState`:
 * the widget passes its synced model (src/widgets/graph.ts), the MIME
 * renderer a `LocalViewState` (src/mime/). Whoever owns the state calls
 * `stateChanged` when it changes, so a change made by the kernel and one
 * made in the page redraw the same way.
 *
 * A node holding inner graphs (a scan's step graph, an ifelse's branches)
 * opens each in a nested `GraphStepView` of its own (its own steps over the
 * inner trace, its state kept in the page), shown in place of the outer
 * graph under a breadcrumb (`rnn › scan [id 42] › step`); the breadcrumb,
 * the back button and Escape go back. The top-level view keeps the stack of
 * nested views; a nested view asks its owner to open deeper ones.
 */
import {
  failureTitle,
  formatPercent,
  formatSeconds,
  heatColour,
  heatGradient,
  IFailure,
  IProfile,
  nodeTooltip,
  originsText,
  profileHeat,
  profileText
} from './debug';
import { button, el, setShown } from './dom';
import {
  breadcrumb,
  CRUMB_SEPARATOR,
  IInnerContext,
  IInnerLevel,
  innerConnections,
  innerNodeRows,
  nodeInputs,
  nodeRef,
  openInnerText,
  roleText
} from './inner';
import { download, exportName } from './export';
import { legendElement } from './legend';
import { clampStep, INodeEntry, Trace, validateDocument } from './model';
import { GraphPanel, IHighlight, MAX_SCALE, MIN_SCALE } from './render';
import { counterparts, matchesQuery, parseQuery } from './tags';
import { formatShape, hasInner, isFused } from './text';

/** The state a view shows and changes. */
export interface IViewState {
  /** The step shown, `0..len(events)` (clamped when read). */
  step: number;
  /** The selected node's id as text, or `""`. */
  selected: string;
  /** Ids, as text, of fused nodes drawn open. */
  expanded: string[];
}

export type ViewStateKey = keyof IViewState;

/**
 * Where a view keeps its state. `get` may return anything (a model synced
 * from a kernel holds whatever was sent); the view checks what it reads.
 * `set` stores the changes; the owner then calls the view's
 * `stateChanged` for each changed key.
 */
export interface IGraphViewState {
  get(key: ViewStateKey): unknown;
  set(changes: Partial<IViewState>): void;
}

/**
 * State kept in the page (the MIME renderer: a saved output has no kernel
 * to sync with). `set` stores the changes and reports the changed keys to
 * `onChange`.
 */
export class LocalViewState implements IGraphViewState {
  onChange: (keys: ViewStateKey[]) => void = () => undefined;
  private _state: IViewState = { step: 0, selected: '', expanded: [] };

  get(key: ViewStateKey): unknown {
    return this._state[key];
  }

  set(changes: Partial<IViewState>): void {
    const changed = (Object.keys(changes) as ViewStateKey[]).filter(
      key => JSON.stringify(changes[key]) !== JSON.stringify(this._state[key])
    );
    this._state = { ...this._state, ...changes };
    if (changed.length > 0) {
      this.onChange(changed);
    }
  }
}

/** The debugging traits of a compiled function, as src/graph/debug.ts reads them. */
export interface IDebugState {
  failure: IFailure | null;
  profile: IProfile | null;
  values: Map<number, string>;
}

/** What `GraphStepView` shows above the panels when a payload cannot be drawn. */
export const ERROR_PREFIX = 'symlab: cannot show this graph: ';

/** How a view is made: top level (the default), or nested in another's stack. */
export interface IGraphViewOptions {
  /** The top-level view whose stack shows this one; absent for a top-level view. */
  owner?: GraphStepView;
  /** How this view's graph connects to the node holding it (nested views). */
  inner?: IInnerContext;
  /** What the title calls the graph, instead of the document's name. */
  titleName?: string;
  /** How deep the view is nested (0: top level). */
  depth?: number;
}

export class GraphStepView {
  private _trace: Trace | null = null;
  private readonly _before: GraphPanel;
  private readonly _after: GraphPanel;
  private readonly _slider: HTMLInputElement;
  private readonly _prev: HTMLButtonElement;
  private readonly _next: HTMLButtonElement;
  private readonly _label: HTMLSpanElement;
  private readonly _pass: HTMLSpanElement;
  private readonly _rewrite: HTMLSpanElement;
  private readonly _error: HTMLDivElement;
  private readonly _panels: HTMLDivElement;
  private readonly _details: HTMLDivElement;
  private readonly _title: HTMLDivElement;
  private readonly _failureBox: HTMLDivElement;
  private readonly _profileBox: HTMLDivElement;
  private readonly _main: HTMLDivElement;
  private readonly _io: HTMLUListElement;
  private readonly _search: HTMLInputElement;
  private readonly _searchCount: HTMLSpanElement;
  /** The search's hits (panel and node), the one shown, and the query they answer. */
  private _hits: Array<{ panel: GraphPanel; id: number }> = [];
  private _hitIndex = -1;
  private _hitKey = '';
  /** Counts `_update`s: a first view is picked for the latest one only. */
  private _drawToken = 0;
  private _failure: IFailure | null = null;
  private _profile: IProfile | null = null;
  private _values = new Map<number, string>();
  private readonly _owner: GraphStepView | null;
  private readonly _inner: IInnerContext | null;
  // A top-level view's stack of nested views, the breadcrumb above them.
  private readonly _crumbBar: HTMLDivElement;
  private readonly _crumbs: HTMLElement;
  private readonly _stack: HTMLDivElement;
  private readonly _levels: Array<{ view: GraphStepView; level: IInnerLevel }> = [];

  /** Build the view's DOM into `root` (which gets the class `symlab-graph-view`). */
  constructor(
    readonly root: HTMLElement,
    private readonly _state: IGraphViewState,
    private readonly _options: IGraphViewOptions = {}
  ) {
    this._owner = _options.owner ?? null;
    this._inner = _options.inner ?? null;
    root.classList.add('symlab-graph-view');
    if (this._owner) {
      root.classList.add('symlab-inner-view');
      root.setAttribute('data-depth', String(_options.depth ?? 1));
    }
    root.tabIndex = 0;
    // JupyterLab's notebook shortcuts would take the arrow keys otherwise
    // (JUPYTER-RECIPE.md section 8): they match on the focused element (the
    // slider) before they see the root's suppression, so the root handles
    // the keys in the capture phase, before anything under it.
    root.setAttribute('data-lm-suppress-shortcuts', 'true');
    root.addEventListener('keydown', this._onKey, true);

    this._title = el('div', 'symlab-graph-title');
    const bar = el('div', 'symlab-graph-toolbar');
    this._prev = button('symlab-step-prev', '\u25C0', 'previous event (\u2190)', () =>
      this._setStep(this._step() - 1)
    );
    this._next = button('symlab-step-next', '\u25B6', 'next event (\u2192)', () =>
      this._setStep(this._step() + 1)
    );
    this._slider = el('input', 'symlab-step-slider');
    this._slider.type = 'range';
    this._slider.min = '0';
    this._slider.step = '1';
    this._slider.setAttribute('aria-label', 'step of the optimization trace');
    this._slider.setAttribute('data-lm-suppress-shortcuts', 'true');
    this._slider.addEventListener('input', () => this._setStep(Number(this._slider.value)));
    this._label = el('span', 'symlab-step-label');
    const event = el('span', 'symlab-event');
    this._pass = el('span', 'symlab-event-pass');
    this._rewrite = el('span', 'symlab-event-rewrite');
    event.append(this._pass, this._rewrite);
    const zoom = el('span', 'symlab-zoom-buttons');
    zoom.append(
      button('symlab-zoom-in', '+', 'zoom in (or use the wheel)', () => this._zoom(1.25)),
      button('symlab-zoom-out', '\u2212', 'zoom out', () => this._zoom(0.8)),
      button('symlab-zoom-reset', '\u2922', 'whole graph (or double-click)', () => this._zoom(0))
    );
    bar.append(this._prev, this._slider, this._next, this._label, event, zoom);

    const find = el('div', 'symlab-graph-find');
    this._search = el('input', 'symlab-search-input');
    this._search.type = 'search';
    this._search.placeholder = 'find: name, op, [id X] or node id';
    this._search.setAttribute('aria-label', 'find a node by name, op, [id X] tag or node id');
    this._search.addEventListener('input', () => this._find(0));
    this._search.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this._find(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape') {
        this._search.value = '';
        this._find(0);
      }
      // The box's keys are its own: not the notebook's shortcuts, not the view's steps.
      event.stopPropagation();
    });
    this._searchCount = el('span', 'symlab-search-count');
    find.append(
      this._search,
      button('symlab-search-prev', '\u2191', 'previous match (Shift+Enter)', () => this._find(-1)),
      button('symlab-search-next', '\u2193', 'next match (Enter)', () => this._find(1)),
      this._searchCount
    );
    const legend = legendElement();

    this._error = el('div', 'symlab-graph-error');
    this._error.setAttribute('role', 'alert');
    setShown(this._error, false);
    this._panels = el('div', 'symlab-graph-panels');
    this._before = new GraphPanel('before');
    this._after = new GraphPanel('after');
    for (const panel of [this._before, this._after]) {
      panel.onSized = () => this._startViews(this._drawToken);
      panel.setTools(
        button('symlab-export-svg', 'SVG', `save the ${panel.side} panel as an SVG file`, () =>
          this._export(panel, 'svg')
        ),
        button('symlab-export-png', 'PNG', `save the ${panel.side} panel as a PNG image`, () =>
          this._export(panel, 'png')
        )
      );
      panel.onNodeClick = id => this._select(String(id));
      panel.onNodeOpen = id => {
        this._select(String(id));
        this._openInner(id, 0);
      };
    }
    this._panels.append(this._before.node, this._after.node);
    this._details = el('div', 'symlab-node-details');
    this._failureBox = el('div', 'symlab-graph-failure');
    this._failureBox.setAttribute('role', 'alert');
    setShown(this._failureBox, false);
    this._profileBox = el('div', 'symlab-profile');
    setShown(this._profileBox, false);
    // A nested view: how its inner inputs and outputs connect to the node.
    this._io = el('ul', 'symlab-inner-io');
    setShown(this._io, false);
    this._main = el('div', 'symlab-graph-main');
    this._main.append(
      this._title,
      this._io,
      bar,
      find,
      legend,
      this._error,
      this._failureBox,
      this._panels,
      this._profileBox,
      this._details
    );
    this._crumbBar = el('div', 'symlab-inner-bar');
    this._crumbs = el('nav', 'symlab-breadcrumb');
    this._crumbs.setAttribute('aria-label', 'inner graphs opened');
    this._crumbBar.append(
      button('symlab-inner-back', '\u2190 back', 'back to the outer graph (Escape)', () =>
        this._goBack(this._levels.length - 1)
      ),
      this._crumbs
    );
    this._stack = el('div', 'symlab-inner-stack');
    setShown(this._crumbBar, false);
    setShown(this._stack, false);
    if (this._owner) {
      root.append(this._main);
    } else {
      root.append(this._crumbBar, this._main, this._stack);
    }
  }

  /** The trace shown, or null while the document cannot be shown. */
  get trace(): Trace | null {
    return this._trace;
  }

  /**
   * Show a graph document (anything: it is validated here). A payload that
   * cannot be shown hides the panels and says why in `.symlab-graph-error`.
   */
  setDocument(raw: unknown): void {
    this.closeInner(0);
    const result = validateDocument(raw);
    this._before.clearCache();
    this._after.clearCache();
    if (!result.ok) {
      this.showError(result.error);
      return;
    }
    this._trace = new Trace(result.doc);
    this._showDebug();
    setShown(this._error, false);
    this._error.textContent = '';
    setShown(this._panels, true);
    const doc = result.doc;
    this._title.textContent =
      `${this._options.titleName ?? doc.name ?? 'graph'}: ${doc.events.length} ` +
      `rewrite${doc.events.length === 1 ? '' : 's'}`;
    this._update();
  }

  /** Show `reason` instead of a graph (as text, after ERROR_PREFIX). */
  showError(reason: string): void {
    this.closeInner(0);
    this._trace = null;
    this._error.textContent = `${ERROR_PREFIX}${reason}`;
    setShown(this._error, true);
    setShown(this._panels, false);
    // A nested view still says which graph it is (the node, the role).
    this._title.textContent = this._options.titleName ?? '';
    this._showDebug();
    this._update();
  }

  /** Redraw what depends on `key`, which the state's owner changed. */
  stateChanged(key: ViewStateKey): void {
    if (key === 'selected') {
      this._showSelection();
    } else {
      this._update();
    }
  }

  /** Set the debugging traits (the widget's `failure`, `profile`, `values`). */
  setDebug(debug: IDebugState): void {
    this._failure = debug.failure;
    this._profile = debug.profile;
    this._values = debug.values;
    this._showDebug();
    this._showSelection();
  }

  /** Stop listening (the view is going away). */
  dispose(): void {
    this.closeInner(0);
    this.root.removeEventListener('keydown', this._onKey, true);
    this._before.dispose();
    this._after.dispose();
  }

  /** How many nested views are open (0: the view's own graph is shown). */
  get innerDepth(): number {
    return this._owner ? this._owner.innerDepth : this._levels.length;
  }

  /**
   * Open inner graph `index` of node `nodeId` of `from` (this view, or one
   * of its nested views) in a nested view, closing any view deeper than
   * `from`. Nothing happens if the node has no such inner graph. A nested
   * view hands the call to its owner.
   */
  openInner(from: GraphStepView, nodeId: number, index = 0): void {
    if (this._owner) {
      this._owner.openInner(from, nodeId, index);
      return;
    }
    const depth = from === this ? 0 : this._levels.findIndex(l => l.view === from) + 1;
    const trace = from.trace;
    const entry = trace?.node(nodeId) ?? null;
    const inner = entry?.inner?.[index];
    if ((depth === 0 && from !== this) || !trace || !entry || !inner) {
      return;
    }
    this.closeInner(depth);
    const root = el('div');
    root.setAttribute('data-role', inner.role);
    root.setAttribute('data-outer-node-id', String(nodeId));
    const state = new LocalViewState();
    const view = new GraphStepView(root, state, {
      owner: this,
      depth: depth + 1,
      titleName: `${roleText(inner.role)} of ${nodeRef(entry, nodeId)}`,
      inner: {
        outer: entry,
        inner,
        inputs: nodeInputs(trace, nodeId, from._shownSteps()),
        outerNode: id => trace.node(id)
      }
    });
    state.onChange = keys => keys.forEach(key => view.stateChanged(key));
    this._stack.append(root);
    this._levels.push({ view, level: { node: entry, role: inner.role } });
    if (inner.graph.ok) {
      view.setDocument(inner.graph.doc);
    } else {
      view.showError(inner.graph.error);
    }
    this._showLevels();
    root.focus({ preventScroll: true });
  }

  /** Keep only `depth` nested views open (0: show the view's own graph again). */
  closeInner(depth: number): void {
    if (this._owner) {
      return;
    }
    const keep = Math.max(depth, 0);
    if (this._levels.length <= keep) {
      return;
    }
    while (this._levels.length > keep) {
      const { view } = this._levels.pop()!;
      view.dispose();
      view.root.remove();
    }
    this._showLevels();
  }

  /** Go back to level `depth` (the user asked: the view shown then takes the focus). */
  private _goBack(depth: number): void {
    this.closeInner(depth);
    this._shownView().root.focus({ preventScroll: true });
  }

  private _openInner(id: number, index: number): void {
    (this._owner ?? this).openInner(this, id, index);
  }

  /** The view whose graph is shown: the deepest nested one, or this. */
  private _shownView(): GraphStepView {
    return this._levels.length > 0 ? this._levels[this._levels.length - 1].view : this;
  }

  /** Show the deepest nested view (or the view's own graph) and the breadcrumb. */
  private _showLevels(): void {
    const n = this._levels.length;
    setShown(this._main, n === 0);
    setShown(this._stack, n > 0);
    setShown(this._crumbBar, n > 0);
    this._levels.forEach((l, i) => setShown(l.view.root, i === n - 1));
    if (n > 0) {
      this.root.setAttribute('data-inner-depth', String(n));
    } else {
      this.root.removeAttribute('data-inner-depth');
    }
    this._crumbs.replaceChildren();
    if (n === 0) {
      return;
    }
    const crumbs = breadcrumb(
      this._trace?.doc.name ?? null,
      this._levels.map(l => l.level)
    );
    crumbs.forEach((crumb, i) => {
      if (i > 0) {
        this._crumbs.append(el('span', 'symlab-breadcrumb-sep', CRUMB_SEPARATOR));
      }
      if (i === crumbs.length - 1) {
        const here = el('span', 'symlab-breadcrumb-current', crumb.text);
        here.setAttribute('aria-current', 'location');
        this._crumbs.append(here);
      } else {
        const item = button('symlab-breadcrumb-item', crumb.text, 'go back here', () =>
          this._goBack(crumb.depth)
        );
        item.setAttribute('data-depth', String(crumb.depth));
        this._crumbs.append(item);
      }
    });
  }

  /** The steps the two panels draw. */
  private _shownSteps(): number[] {
    const n = this._trace?.length ?? 0;
    const k = this._step();
    return k === 0 ? [0, n] : [k - 1, k];
  }

  /**
   * Show the failure box, the profile table and legend, and mark the
   * drawings (failed node, heat, hover texts) in place.
   */
  private _showDebug(): void {
    const trace = this._trace;
    const failure = this._failure;
    const profile = this._profile;
    const rows = new Map((profile?.rows ?? []).map(r => [r.id, r]));
    const tooltips = new Map<number, string>();
    if (trace) {
      const ids = new Set<number>([...this._values.keys(), ...rows.keys()]);
      if (failure) {
        ids.add(failure.node);
      }
      for (const id of ids) {
        const tip = nodeTooltip(trace.node(id), {
          value: this._values.get(id),
          profile: rows.get(id),
          failure: failure && failure.node === id ? failure : undefined
        });
        if (tip !== null) {
          tooltips.set(id, tip);
        }
      }
    }
    const decor = {
      failed: failure ? { id: failure.node, kind: failure.kind } : null,
      heat: profileHeat(profile),
      tooltips
    };
    this._before.setDecorations(decor);
    this._after.setDecorations(decor);
    this._showFailure();
    this._showProfile();
  }

  private _showFailure(): void {
    const failure = this._failure;
    const box = this._failureBox;
    box.replaceChildren();
    if (!failure) {
      setShown(box, false);
      box.removeAttribute('data-node-id');
      box.removeAttribute('data-kind');
      this.root.removeAttribute('data-failed-node');
      return;
    }
    box.setAttribute('data-node-id', String(failure.node));
    box.setAttribute('data-kind', failure.kind);
    this.root.setAttribute('data-failed-node', String(failure.node));
    const entry = this._trace?.node(failure.node) ?? null;
    const head = el('div', 'symlab-graph-failure-title', failureTitle(failure, entry));
    const message = el('pre', 'symlab-graph-failure-message', failure.message);
    box.append(head, message);
    // The core's messages name the user's lines already; say them only if not.
    if (
      failure.origins.length > 0 &&
      !failure.origins.every(([file, line]) => failure.message.includes(`${file}:${line}`))
    ) {
      box.append(
        el('div', 'symlab-graph-failure-origins', `created at ${originsText(failure)}`)
      );
    }
    const actions = el('div', 'symlab-graph-failure-actions');
    actions.append(
      button('symlab-graph-failure-show', 'show node', 'select the failed node', () =>
        this._select(String(failure.node))
      )
    );
    box.append(actions);
    setShown(box, true);
  }

  private _showProfile(): void {
    const profile = this._profile;
    const box = this._profileBox;
    box.replaceChildren();
    if (!profile) {
      setShown(box, false);
      box.removeAttribute('data-calls');
      return;
    }
    box.setAttribute('data-calls', String(profile.calls));
    const slowest = profile.rows[0];
    const head = el(
      'div',
      'symlab-profile-summary',
      `profile: ${profile.calls} call${profile.calls === 1 ? '' : 's'}, ` +
        `${formatSeconds(profile.callTime)} in all` +
        (profile.calls > 1 ? ` (${formatSeconds(profile.callTime / profile.calls)} a call)` : '')
    );
    const legend = el('div', 'symlab-profile-legend');
    const bar = el('span', 'symlab-profile-legend-bar');
    bar.style.background = heatGradient();
    legend.append(
      el('span', 'symlab-profile-legend-low', 'fast'),
      bar,
      el(
        'span',
        'symlab-profile-legend-high',
        slowest ? `slowest: ${formatSeconds(slowest.time)}` : 'slowest'
      )
    );
    const table = el('table', 'symlab-profile-table');
    const thead = el('thead');
    const headRow = el('tr');
    for (const [cls, text] of [
      ['node', 'node'],
      ['op', 'op'],
      ['time', 'time'],
      ['percent', '% of the call'],
      ['calls', 'calls']
    ]) {
      headRow.append(el('th', `symlab-profile-${cls}`, text));
    }
    thead.append(headRow);
    const tbody = el('tbody');
    const heat = profileHeat(profile);
    for (const row of profile.rows) {
      const tr = el('tr', 'symlab-profile-row');
      tr.setAttribute('data-node-id', String(row.id));
      tr.setAttribute('data-heat', (heat.get(row.id) ?? 0).toFixed(3));
      const entry = this._trace?.node(row.id) ?? null;
      const name = entry?.label ? ` '${entry.label}'` : '';
      const swatch = el('span', 'symlab-profile-swatch');
      const node = el('td', 'symlab-profile-node');
      node.append(
        swatch,
        document.createTextNode(row.node ?? `${row.op} [id ${row.id}]${name}`)
      );
      swatch.style.background = heatColour(heat.get(row.id) ?? 0);
      tr.append(
        node,
        el('td', 'symlab-profile-op', row.op),
        el('td', 'symlab-profile-time', formatSeconds(row.time)),
        el('td', 'symlab-profile-percent', formatPercent(row.percent)),
        el('td', 'symlab-profile-calls', String(row.calls))
      );
      tr.title = profileText(row);
      tr.addEventListener('click', () => this._select(String(row.id)));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    box.append(head, legend, table);
    setShown(box, true);
  }

  private _step(): number {
    return clampStep(this._state.get('step'), this._trace?.length ?? 0);
  }

  private _expanded(): Set<number> {
    const list = this._state.get('expanded');
    return new Set(
      (Array.isArray(list) ? list : [])
        .map((x: unknown) => Number(x))
        .filter((x: number) => Number.isInteger(x))
    );
  }

  private _setStep(k: number): void {
    const step = clampStep(k, this._trace?.length ?? 0);
    if (step !== this._state.get('step')) {
      this._state.set({ step });
    }
  }

  private _select(id: string): void {
    this._state.set({ selected: id });
  }

  private _zoom(factor: number): void {
    for (const panel of [this._before, this._after]) {
      if (factor === 0) {
        panel.resetZoom();
      } else {
        panel.zoom(factor);
      }
    }
  }

  private _onKey = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (!this._owner && this._levels.length > 0) {
      // A nested view is shown: Escape goes back, the arrows step it.
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        this._goBack(this._levels.length - 1);
        return;
      }
      const shown = this._shownView();
      if (!(event.target instanceof Node && shown.root.contains(event.target))) {
        shown._stepKey(event); // from the breadcrumb, or the root itself
      }
      return; // keys from inside the nested view are its own
    }
    this._stepKey(event);
  };

  /** Arrow keys, Home and End step this view's trace. */
  private _stepKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (
      target &&
      target !== this.root &&
      target !== this._slider &&
      typeof target.matches === 'function' &&
      target.matches('input, textarea, select, [contenteditable]')
    ) {
      return; // a text box's keys are its own
    }
    const k = this._step();
    const n = this._trace?.length ?? 0;
    const moves: { [key: string]: number } = {
      ArrowLeft: k - 1,
      ArrowRight: k + 1,
      Home: 0,
      End: n
    };
    if (event.key in moves) {
      event.preventDefault();
      event.stopPropagation();
      this._setStep(moves[event.key]);
    }
  }

  private _update(): void {
    const trace = this._trace;
    const n = trace?.length ?? 0;
    const k = this._step();
    this.root.setAttribute('data-step', String(k));
    this._slider.max = String(n);
    this._slider.value = String(k);
    this._slider.disabled = n === 0;
    this._prev.disabled = k <= 0;
    this._next.disabled = k >= n;
    this._label.textContent = `step ${k} / ${n}`;
    const event = trace?.eventFor(k) ?? null;
    this._pass.textContent = event ? event.pass : '';
    this._rewrite.textContent = event ? event.rewrite : k === 0 && n > 0 ? 'whole trace' : '';
    this._showConnections();
    if (!trace) {
      this._showSelection();
      return;
    }
    const expanded = this._expanded();
    let left: Promise<void>;
    let right: Promise<void>;
    if (event === null) {
      this._before.setTitle('before optimization (step 0)');
      left = this._before.draw(trace, 0, {}, expanded);
      if (trace.doc.after === null && n === 0) {
        this._after.setTitle('after optimization');
        this._after.showMessage('no optimized graph: this is not a compiled function');
        right = Promise.resolve();
      } else {
        this._after.setTitle(`after optimization (step ${n})`);
        right = this._after.draw(trace, n, {}, expanded);
      }
    } else {
      const old: IHighlight = {
        removed: event.removed,
        replaced: event.pairs.map(([from]) => from[0])
      };
      const fresh: IHighlight = {
        added: event.added,
        replaced: event.pairs.map(([, to]) => to[0])
      };
      this._before.setTitle(`before event ${k} (step ${k - 1})`);
      this._after.setTitle(`after event ${k} (step ${k})`);
      left = this._before.draw(trace, k - 1, old, expanded);
      right = this._after.draw(trace, k, fresh, expanded);
    }
    const token = ++this._drawToken;
    void Promise.all([left, right]).then(() => {
      this._startViews(token);
      this._markSelected();
      this._refreshSearch();
    });
    this._showSelection();
  }

  /** A nested view: list how the inner inputs and outputs connect to the node holding them. */
  private _showConnections(): void {
    const ctx = this._inner;
    const trace = this._trace;
    this._io.replaceChildren();
    if (!ctx || !trace) {
      setShown(this._io, false);
      return;
    }
    const steps = this._shownSteps();
    const graph = trace.graphAt(steps[steps.length - 1]);
    for (const line of innerConnections(ctx, graph, id => trace.node(id))) {
      const li = el('li', `symlab-inner-io-${line.kind}`, line.text);
      li.setAttribute('data-node-id', String(line.id));
      li.setAttribute('data-position', String(line.position));
      li.title = 'select this node';
      li.addEventListener('click', () => this._select(String(line.id)));
      this._io.append(li);
    }
    setShown(this._io, this._io.childElementCount > 0);
  }

  /**
   * Mark the selected node in both panels, and its counterparts in the
   * other panel: what it became (or came from) through the replacement
   * pairs and rebuilt nodes of the events between the two steps shown.
   */
  private _markSelected(): void {
    const sel = this._state.get('selected');
    const id = typeof sel === 'string' && /^-?\d+$/.test(sel) ? Number(sel) : null;
    this._before.setSelected(id);
    this._after.setSelected(id);
    const trace = this._trace;
    const [from, to] = this._shownSteps();
    let inAfter: number[] = [];
    let inBefore: number[] = [];
    if (id !== null && trace) {
      if (trace.graphAt(from).nodes.includes(id)) {
        inAfter = [...counterparts(trace, from, to, id)].filter(x => x !== id);
      }
      if (trace.graphAt(to).nodes.includes(id)) {
        inBefore = [...counterparts(trace, to, from, id)].filter(x => x !== id);
      }
    }
    this._after.setMarked('symlab-node-counterpart', inAfter);
    this._before.setMarked('symlab-node-counterpart', inBefore);
    this.root.setAttribute('data-counterparts', [...inBefore, ...inAfter].join(' '));
  }

  /**
   * Pick both panels' first views at one scale: the largest (up to
   * MAX_SCALE) at which both drawings fit, but never below MIN_SCALE, where
   * labels are 11 px; a drawing too big for that opens on its output
   * (GraphPanel.showStart). Waits for the panels to have a width.
   */
  private _startViews(token: number): void {
    if (token !== this._drawToken) {
      return;
    }
    const panels = [this._before, this._after].filter(p => p.svg !== null);
    const fits = panels.map(p => p.fitScale());
    if (panels.length === 0 || fits.some(f => f === null)) {
      return; // onSized calls again once the canvas has a width
    }
    const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, ...(fits as number[])));
    panels.forEach(p => p.showStart(scale));
  }

  /** Save one panel's drawing as an SVG or PNG file. */
  private _export(panel: GraphPanel, format: 'svg' | 'png'): void {
    const name = exportName(this._trace?.doc.name ?? null, panel.side, panel.step, format);
    if (format === 'svg') {
      const text = panel.exportSvg();
      if (text !== null) {
        download(new Blob([text], { type: 'image/svg+xml' }), name);
      }
      return;
    }
    void panel.exportPng().then(blob => {
      if (blob) {
        download(blob, name);
      }
    });
  }

  /**
   * Go through the search's hits: `move` 1 the next, -1 the previous, 0 the
   * first (the query changed). The hit is centred in its panel, marked and
   * selected (so its details and counterparts show).
   */
  private _find(move: number): void {
    const key = this._search.value;
    if (key !== this._hitKey || move === 0) {
      this._hits = this._searchHits(key);
      this._hitKey = key;
      this._hitIndex = -1;
      move = 1;
    }
    const n = this._hits.length;
    this._before.setMarked('symlab-node-hit', []);
    this._after.setMarked('symlab-node-hit', []);
    if (n === 0) {
      this._searchCount.textContent = key.trim() ? 'no match' : '';
      this.root.removeAttribute('data-hit-node-id');
      this.root.removeAttribute('data-hit-side');
      return;
    }
    this._hitIndex = (((this._hitIndex + move) % n) + n) % n;
    const hit = this._hits[this._hitIndex];
    this._searchCount.textContent = `${this._hitIndex + 1} of ${n}`;
    hit.panel.setMarked('symlab-node-hit', [hit.id]);
    hit.panel.centreOn(hit.id);
    this.root.setAttribute('data-hit-node-id', String(hit.id));
    this.root.setAttribute('data-hit-side', hit.panel.side);
    this._select(String(hit.id));
  }

  /** The nodes drawn in either panel that `raw` finds (tags.ts, `matchesQuery`), before first. */
  private _searchHits(raw: string): Array<{ panel: GraphPanel; id: number }> {
    const query = parseQuery(raw);
    const trace = this._trace;
    if (!query || !trace) {
      return [];
    }
    const hits: Array<{ panel: GraphPanel; id: number }> = [];
    for (const panel of [this._before, this._after]) {
      if (panel.step === null || panel.svg === null) {
        continue;
      }
      const tags = panel.tags;
      const ids = [...trace.graphAt(panel.step).nodes].sort(
        (a, b) => tagOrder(tags.get(a)) - tagOrder(tags.get(b)) || a - b
      );
      for (const id of ids) {
        if (matchesQuery(query, id, trace.node(id), tags.get(id)) && panel.hasNode(id)) {
          hits.push({ panel, id });
        }
      }
    }
    return hits;
  }

  /** After a redraw: the search's hits are for the old drawings; find again from the first. */
  private _refreshSearch(): void {
    if (this._search.value.trim() !== '') {
      this._hits = this._searchHits(this._search.value);
      this._hitIndex = -1;
      this._hitKey = this._search.value;
      this._searchCount.textContent =
        this._hits.length > 0 ? `${this._hits.length} matches` : 'no match';
    }
  }

  private _showSelection(): void {
    this._markSelected();
    const sel = String(this._state.get('selected') ?? '');
    const entry: INodeEntry | null =
      sel && this._trace ? this._trace.node(Number(sel)) : null;
    this._details.replaceChildren();
    if (!sel || !entry || !this._trace) {
      setShown(this._details, false);
      this._details.removeAttribute('data-node-id');
      return;
    }
    setShown(this._details, true);
    this._details.setAttribute('data-node-id', sel);
    const id = entry.id;
    const row = this._profile?.rows.find(r => r.id === id);
    const trace = this._trace;
    this._details.append(
      ...detailsContent(entry, {
        value: this._values.get(id),
        time: row ? profileText(row) : undefined,
        failure:
          this._failure && this._failure.node === id
            ? `${this._failure.kind}: ${this._failure.message}`
            : undefined,
        extra: [
          ...this._tagRows(id),
          ...sourceRows(entry, trace),
          ...(this._inner
            ? innerNodeRows(
                this._inner,
                this._shownSteps().map(k => trace.graphAt(k)),
                id
              )
            : [])
        ]
      })
    );
    const actions = el('div', 'symlab-node-details-actions');
    if (hasInner(entry)) {
      entry.inner!.forEach((inner, i) => {
        const open = button(
          'symlab-open-inner',
          openInnerText(inner.role),
          `show the ${roleText(inner.role)} of this node, with its own rewrites`,
          () => this._openInner(id, i)
        );
        open.setAttribute('data-role', inner.role);
        open.setAttribute('data-index', String(i));
        actions.append(open);
      });
    }
    if (isFused(entry)) {
      const open = this._expanded().has(entry.id);
      actions.append(
        button(
          'symlab-fused-toggle',
          open ? 'collapse in drawing' : 'open in drawing',
          'draw this fused node with its whole expression',
          () => this._toggleExpanded(entry.id)
        )
      );
    }
    actions.append(
      button('symlab-node-details-close', 'close', 'clear the selection', () => this._select(''))
    );
    this._details.append(actions);
  }

  /** The node's debugprint tags in the panels that draw it: `[id C] (after)`. */
  private _tagRows(id: number): Array<[string, string]> {
    const parts: string[] = [];
    for (const panel of [this._before, this._after]) {
      const tag = panel.tags.get(id);
      if (tag !== undefined) {
        parts.push(`[id ${tag}] (${panel.side})`);
      }
    }
    return parts.length > 0 ? [['debugprint', parts.join(', ')]] : [];
  }

  private _toggleExpanded(id: number): void {
    const now = this._expanded();
    if (now.has(id)) {
      now.delete(id);
    } else {
      now.add(id);
    }
    this._state.set({
      expanded: [...now].sort((a, b) => a - b).map(x => String(x))
    });
    this._showSelection();
  }
}

/** The order of debugprint letters (A, B, ..., Z, AA): untagged nodes last. */
function tagOrder(tag: string | undefined): number {
  if (tag === undefined) {
    return Number.MAX_SAFE_INTEGER;
  }
  let k = 0;
  for (const ch of tag) {
    k = k * 26 + (ch.charCodeAt(0) - 64);
  }
  return k;
}

/**
 * The `created at` row of a node's details: the user's line where the node
 * was made (the document's `origin` and `sources`), `file:line: text`.
 */
export function sourceRows(entry: INodeEntry, trace: Trace): Array<[string, string]> {
  const k = entry.origin;
  const source = typeof k === 'number' ? trace.doc.sources[k] : undefined;
  if (!source) {
    return [];
  }
  const [file, line, text] = source;
  return [['created at', `${file}:${line}${text ? `: ${text.trim()}` : ''}`]];
}

/**
 * The rows of the details panel for one node (all text via textContent);
 * `debug` adds its value at a call (`call value`), its profile (`time`) and
 * the failure of the last call at this node (`failure`); `extra` more rows
 * (an inner graph's `outer input` / `outer output`).
 */
export function detailsContent(
  entry: INodeEntry,
  debug: {
    value?: string;
    time?: string;
    failure?: string;
    extra?: Array<[string, string]>;
  } = {}
): HTMLElement[] {
  const rows: Array<[string, string]> = [
    ['id', String(entry.id)],
    ['kind', entry.kind]
  ];
  if (entry.kind === 'apply') {
    rows.push(['op', entry.op ?? '']);
  }
  if (entry.label !== null && entry.label !== undefined) {
    rows.push(['name', entry.label]);
  }
  rows.push(['type', entry.type ?? '']);
  rows.push(['static shape', formatShape(entry.shape)]);
  if (entry.kind === 'constant' || entry.kind === 'shared') {
    rows.push(['value', entry.value ?? '']);
  }
  for (const [i, out] of (entry.outputs ?? []).entries()) {
    rows.push([
      `output ${i}`,
      `${out.label ?? ''} ${out.type ?? ''} ${formatShape(out.shape)}`.trim()
    ]);
  }
  if (debug.value !== undefined) {
    rows.push(['call value', debug.value]);
  }
  if (debug.time !== undefined) {
    rows.push(['time', debug.time]);
  }
  if (debug.failure !== undefined) {
    rows.push(['failure', debug.failure]);
  }
  rows.push(...(debug.extra ?? []));
  const title = el('div', 'symlab-node-details-title', `node ${entry.id}`);
  const dl = el('dl', 'symlab-node-details-fields');
  for (const [key, value] of rows) {
    const dt = el('dt', undefined, key);
    const dd = el('dd', `symlab-detail-${key.replace(/\s+/g, '-')}`, value);
    dl.append(dt, dd);
  }
  return [title, dl];
}
