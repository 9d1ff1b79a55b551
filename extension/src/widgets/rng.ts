/**
 * The RNG stepper: a random variable's (or stream's) state fingerprint and
 * "step k of n", the values drawn at that step with a histogram, and buttons
 * that send `{"action": "draw" | "back" | "forward"}` or
 * `{"action": "reseed", "seed": <the seed box's text>}` to the Python side,
 * which answers by updating the traits. The seed goes as typed: Python
 * checks it (an empty box, text that is not a whole number, a seed out of
 * range) and reports every refusal in `error`, which is shown here; a number
 * is never rounded on the way (JavaScript would turn 99999999999999999999
 * into 100000000000000000000). Every word comes from the `texts` trait
 * (symlab/notebook/labels.py). A saved view says so and disables its
 * controls (./live.ts).
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';

import { formatNumber } from '../graph/text';
import { MODULE_NAME, MODULE_VERSION } from '../version';
import { button, el, setShown } from './dom';
import { LiveState } from './live';
import { histogramElement } from './preview';
import { modelText } from './texts';

export class RNGStepperModel extends DOMWidgetModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'RNGStepperModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'RNGStepperView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      fingerprint: '',
      draws: 0,
      position: 0,
      values: [],
      labels: [],
      histogram: {},
      can_back: false,
      can_forward: false,
      error: '',
      texts: {}
    };
  }
}

/** How many numbers the values box shows before "... N more". */
const SHOWN_VALUES = 60;
/** The most values on one line of the values grid. */
export const VALUES_PER_LINE = 10;

export class RNGStepperView extends DOMWidgetView {
  private _caption!: HTMLSpanElement;
  private _fingerprint!: HTMLSpanElement;
  private _step!: HTMLSpanElement;
  private _back!: HTMLButtonElement;
  private _draw!: HTMLButtonElement;
  private _forward!: HTMLButtonElement;
  private _seed!: HTMLInputElement;
  private _reseed!: HTMLButtonElement;
  private _values!: HTMLDivElement;
  private _histogram!: HTMLDivElement;
  private _error!: HTMLDivElement;
  private _live!: LiveState;

  render(): void {
    const root = this.el as HTMLElement;
    root.classList.add('symlab-rng-stepper');
    const header = el('div', 'symlab-rng-header');
    this._caption = el('span', 'symlab-rng-caption');
    this._fingerprint = el('span', 'symlab-rng-fingerprint');
    this._step = el('span', 'symlab-rng-step');
    header.append(this._caption, this._fingerprint, this._step);
    const buttons = el('div', 'symlab-rng-buttons');
    this._back = button('symlab-rng-back', '', '', () => this._send({ action: 'back' }));
    this._draw = button('symlab-rng-draw', '', '', () => this._send({ action: 'draw' }));
    this._forward = button('symlab-rng-forward', '', '', () => this._send({ action: 'forward' }));
    this._seed = el('input', 'symlab-rng-seed');
    // Text, not type=number: the browser would turn what is not a number into "" and
    // round big numbers; Python reads the text as typed and names it when it refuses it.
    this._seed.type = 'text';
    this._seed.inputMode = 'numeric';
    this._seed.spellcheck = false;
    this._seed.setAttribute('data-lm-suppress-shortcuts', 'true');
    this._seed.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        event.stopPropagation();
        this._sendSeed();
      }
    });
    this._reseed = button('symlab-rng-reseed', '', '', () => this._sendSeed());
    buttons.append(this._back, this._draw, this._forward, this._seed, this._reseed);
    this._error = el('div', 'symlab-rng-error');
    this._error.setAttribute('role', 'alert');
    this._values = el('div', 'symlab-rng-values');
    this._histogram = el('div', 'symlab-rng-histogram-box');
    root.append(header, buttons, this._error, this._values, this._histogram);
    this._live = new LiveState(this.model, root, () => this._update());
    this.listenTo(this.model, 'change', this._update);
    this._update();
  }

  remove(): any {
    this._live?.dispose();
    return super.remove();
  }

  private _text(key: string, fields: { [name: string]: string | number } = {}): string {
    return modelText(this.model, key, fields);
  }

  private _send(content: { [key: string]: string | number }): void {
    this.model.send(content, {});
  }

  private _sendSeed(): void {
    this._send({ action: 'reseed', seed: this._seed.value });
  }

  private _label(): void {
    const label = (node: HTMLElement, key: string): void => {
      node.textContent = this._text(key);
      node.title = this._text(`${key}_tip`);
    };
    this._caption.textContent = this._text('rng_state');
    label(this._back, 'rng_back');
    label(this._draw, 'rng_draw');
    label(this._forward, 'rng_forward');
    label(this._reseed, 'rng_reseed');
    this._seed.placeholder = this._text('rng_seed');
    this._seed.setAttribute('aria-label', this._text('rng_seed'));
  }

  private _update(): void {
    const get = (key: string): any => this.model.get(key);
    const draws = Number(get('draws') ?? 0);
    const position = Number(get('position') ?? 0);
    this._label();
    this._fingerprint.textContent = String(get('fingerprint') ?? '');
    this._step.textContent = this._text('rng_step', { position, draws });
    this.el.setAttribute('data-draws', String(draws));
    this.el.setAttribute('data-position', String(position));
    this._live.disable([this._draw, this._seed, this._reseed]);
    this._back.disabled = !this._live.live || !get('can_back');
    this._forward.disabled = !this._live.live || !get('can_forward');
    const error = String(get('error') ?? '');
    this._error.textContent = error;
    setShown(this._error, error !== '');
    this._renderValues(get('values'), get('labels'));
    const histogram = get('histogram');
    const hist = histogramElement(histogram);
    const caption =
      hist && typeof histogram?.label === 'string'
        ? [
            el(
              'div',
              'symlab-rng-histogram-label',
              this._text('rng_histogram_of', { name: histogram.label })
            )
          ]
        : [];
    this._histogram.replaceChildren(...caption, ...(hist ? [hist] : []));
  }

  /**
   * One block per variable: its name (for a stream), then its numbers in a
   * grid of at most VALUES_PER_LINE columns, each as wide as its widest
   * number; a row of a 2-d draw starts a new line. For a stream (several
   * `labels`), `values` holds one entry per variable (a list, or null when
   * that variable did not draw); for one variable, its values (nested for 2-d).
   */
  private _renderValues(values: unknown, labels: unknown): void {
    const names = Array.isArray(labels) ? labels.map(String) : [];
    const list = Array.isArray(values) ? values : values == null ? [] : [values];
    const groups: Array<[string | null, unknown[] | null]> =
      names.length > 1 && list.length === names.length
        ? names.map((name, i) => [
            name,
            list[i] == null ? null : Array.isArray(list[i]) ? list[i] : [list[i]]
          ])
        : [[names.length === 1 ? names[0] : null, list]];
    let shown = 0;
    let total = 0;
    const children: HTMLElement[] = [];
    for (const [name, group] of groups) {
      const rows: unknown[][] =
        group === null
          ? []
          : group.every(Array.isArray) && group.length > 0
            ? (group as unknown[][])
            : [group];
      const block = el('div', 'symlab-rng-variable');
      if (name !== null) {
        block.setAttribute('data-label', name);
        block.append(el('span', 'symlab-rng-label', name));
      }
      if (group === null) {
        block.append(el('span', 'symlab-rng-nodraw', this._text('rng_no_draw')));
      }
      const grid = el('div', 'symlab-rng-grid');
      let columns = 0;
      for (const row of rows) {
        const flat = (row as unknown[]).flat(Infinity);
        columns = Math.max(columns, Math.min(flat.length, VALUES_PER_LINE));
        flat.forEach((v, i) => {
          total++;
          if (shown < SHOWN_VALUES) {
            shown++;
            const cell = el('span', 'symlab-rng-value', formatNumber(v, 6));
            if (i === 0) {
              cell.classList.add('symlab-rng-row-start');
            }
            grid.append(cell);
          }
        });
      }
      if (grid.childElementCount > 0) {
        grid.style.setProperty('--symlab-rng-columns', String(columns));
        block.append(grid);
      }
      children.push(block);
    }
    if (total > shown) {
      const more = this._text('rng_more', { count: total - shown });
      children.push(el('div', 'symlab-rng-more', more));
    }
    this._values.replaceChildren(...children);
    this._values.setAttribute('data-count', String(total));
  }
}
