/**
 * The RNG stepper: a random variable's (or stream's) state fingerprint and
 * draw count, the last values drawn with a histogram, and buttons that send
 * `{"action": "draw" | "back" | "forward"}` or
 * `{"action": "reseed", "seed": <int>}` to the Python side, which answers by
 * updating the traits.
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';

import { formatNumber } from '../graph/text';
import { MODULE_NAME, MODULE_VERSION } from '../version';
import { button, el, setShown } from './dom';
import { histogramElement } from './preview';

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
      error: ''
    };
  }
}

/** How many numbers the values box shows before "... N more". */
const SHOWN_VALUES = 60;

export class RNGStepperView extends DOMWidgetView {
  private _fingerprint!: HTMLSpanElement;
  private _draws!: HTMLSpanElement;
  private _position!: HTMLSpanElement;
  private _back!: HTMLButtonElement;
  private _forward!: HTMLButtonElement;
  private _seed!: HTMLInputElement;
  private _values!: HTMLDivElement;
  private _histogram!: HTMLDivElement;
  private _error!: HTMLDivElement;

  render(): void {
    const root = this.el as HTMLElement;
    root.classList.add('symlab-rng-stepper');
    const header = el('div', 'symlab-rng-header');
    this._fingerprint = el('span', 'symlab-rng-fingerprint');
    this._draws = el('span', 'symlab-rng-draws');
    this._position = el('span', 'symlab-rng-position');
    header.append(
      el('span', 'symlab-rng-caption', 'state '),
      this._fingerprint,
      this._draws,
      this._position
    );
    const buttons = el('div', 'symlab-rng-buttons');
    this._back = button('symlab-rng-back', '\u25C0 back', 'restore the previous state', () =>
      this._send({ action: 'back' })
    );
    const draw = button('symlab-rng-draw', 'draw', 'draw the next values', () =>
      this._send({ action: 'draw' })
    );
    this._forward = button(
      'symlab-rng-forward',
      'forward \u25B6',
      're-apply the next saved state',
      () => this._send({ action: 'forward' })
    );
    this._seed = el('input', 'symlab-rng-seed');
    this._seed.type = 'number';
    this._seed.step = '1';
    this._seed.min = '0';
    this._seed.value = '0';
    this._seed.setAttribute('aria-label', 'seed');
    this._seed.setAttribute('data-lm-suppress-shortcuts', 'true');
    this._seed.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        event.stopPropagation();
        this._reseed();
      }
    });
    const reseed = button('symlab-rng-reseed', 'reseed', 'reseed with this seed', () =>
      this._reseed()
    );
    buttons.append(this._back, draw, this._forward, this._seed, reseed);
    this._error = el('div', 'symlab-rng-error');
    this._error.setAttribute('role', 'alert');
    this._values = el('div', 'symlab-rng-values');
    this._histogram = el('div', 'symlab-rng-histogram-box');
    root.append(header, buttons, this._error, this._values, this._histogram);
    this.listenTo(this.model, 'change', this._update);
    this._update();
  }

  private _send(content: { [key: string]: string | number }): void {
    this.model.send(content, {});
  }

  private _reseed(): void {
    const seed = Number(this._seed.value);
    if (!Number.isInteger(seed) || seed < 0) {
      this._error.textContent = 'the seed must be a whole number, 0 or more';
      setShown(this._error, true);
      return;
    }
    this._send({ action: 'reseed', seed });
  }

  private _update(): void {
    const get = (key: string): any => this.model.get(key);
    this._fingerprint.textContent = String(get('fingerprint') ?? '');
    this._draws.textContent = `draws: ${Number(get('draws') ?? 0)}`;
    this._position.textContent = `position: ${Number(get('position') ?? 0)}`;
    this.el.setAttribute('data-draws', String(Number(get('draws') ?? 0)));
    this.el.setAttribute('data-position', String(Number(get('position') ?? 0)));
    this._back.disabled = !get('can_back');
    this._forward.disabled = !get('can_forward');
    const error = String(get('error') ?? '');
    this._error.textContent = error;
    setShown(this._error, error !== '');
    this._renderValues(get('values'), get('labels'));
    const histogram = get('histogram');
    const hist = histogramElement(histogram);
    const caption =
      hist && typeof histogram?.label === 'string'
        ? [el('div', 'symlab-rng-histogram-label', `histogram of ${histogram.label}`)]
        : [];
    this._histogram.replaceChildren(...caption, ...(hist ? [hist] : []));
  }

  /**
   * One line of numbers per variable. For a stream (several `labels`),
   * `values` holds one entry per variable (a list, or null when that
   * variable did not draw); for one variable, its values (nested for 2-d).
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
        group === null ? [] : group.every(Array.isArray) && group.length > 0 ? (group as unknown[][]) : [group];
      const block = el('div', 'symlab-rng-variable');
      if (name !== null) {
        block.setAttribute('data-label', name);
        block.append(el('span', 'symlab-rng-label', name));
      }
      if (group === null) {
        block.append(el('span', 'symlab-rng-nodraw', 'did not draw'));
      }
      for (const row of rows) {
        const line = el('div', 'symlab-rng-row');
        for (const v of (row as unknown[]).flat(Infinity)) {
          total++;
          if (shown < SHOWN_VALUES) {
            shown++;
            line.append(el('span', 'symlab-rng-value', formatNumber(v, 6)));
          }
        }
        if (line.childElementCount > 0) {
          block.append(line);
        }
      }
      children.push(block);
    }
    if (total > shown) {
      children.push(el('div', 'symlab-rng-more', `\u2026 ${total - shown} more`));
    }
    this._values.replaceChildren(...children);
    this._values.setAttribute('data-count', String(total));
  }
}
