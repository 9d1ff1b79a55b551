/**
 * The shared-variable inspector: one row per shared variable (name, dtype,
 * shape, device, min/mean/max, a sparkline or heat map, readers, updaters,
 * value). An editable row's value is a text field; Enter sends
 * `{"action": "edit", "id": ..., "text": ...}` and the Python side answers
 * by updating `rows` (the new value) or `error` (the old value stays).
 * The column heads and other words come from the `texts` trait
 * (symlab/notebook/labels.py); a saved view says so and disables its value
 * fields (./live.ts). The table fits its output area: long names, reader
 * lists and values wrap instead of widening it (style/widgets.css).
 */
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';

import { formatNumber } from '../graph/text';
import { MODULE_NAME, MODULE_VERSION } from '../version';
import { el, setShown } from './dom';
import { LiveState } from './live';
import { previewElement } from './preview';
import { modelText } from './texts';

export interface ISharedRow {
  id: number | string;
  name: string;
  dtype: string;
  shape: number[];
  device: string;
  summary: { min: number | null; mean: number | null; max: number | null } | null;
  preview: unknown[];
  readers: string[];
  updaters: string[];
  editable: boolean;
  value_text: string;
}

export class SharedInspectorModel extends DOMWidgetModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'SharedInspectorModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'SharedInspectorView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      rows: [],
      error: '',
      texts: {}
    };
  }
}

/** The columns: each one's class (`symlab-shared-<column>`) and label key (`shared_<column>`). */
export const COLUMNS = [
  'name',
  'dtype',
  'shape',
  'device',
  'min',
  'mean',
  'max',
  'preview',
  'readers',
  'updaters',
  'value'
];

function text(x: unknown): string {
  return x === null || x === undefined ? '' : String(x);
}

function list(x: unknown): string[] {
  return Array.isArray(x) ? x.map(text) : [];
}

export class SharedInspectorView extends DOMWidgetView {
  private _error!: HTMLDivElement;
  private _body!: HTMLTableSectionElement;
  private _empty!: HTMLDivElement;
  private _head!: HTMLTableRowElement;
  private _live!: LiveState;

  render(): void {
    const root = this.el as HTMLElement;
    root.classList.add('symlab-shared-inspector');
    this._error = el('div', 'symlab-shared-error');
    this._error.setAttribute('role', 'alert');
    const table = el('table', 'symlab-shared-table');
    const head = el('thead');
    this._head = el('tr');
    head.append(this._head);
    this._body = el('tbody');
    table.append(head, this._body);
    this._empty = el('div', 'symlab-shared-empty');
    root.append(this._error, table, this._empty);
    this._live = new LiveState(this.model, root, () => this._renderRows());
    this.listenTo(this.model, 'change:rows', this._renderRows);
    this.listenTo(this.model, 'change:error', this._renderError);
    this.listenTo(this.model, 'change:texts', this._renderTexts);
    this._renderTexts();
    this._renderError();
  }

  remove(): any {
    this._live?.dispose();
    return super.remove();
  }

  private _renderTexts(): void {
    this._head.replaceChildren(
      ...COLUMNS.map(c =>
        el('th', `symlab-shared-head-${c}`, modelText(this.model, `shared_${c}`))
      )
    );
    this._empty.textContent = modelText(this.model, 'shared_empty');
    this._renderRows();
  }

  private _renderError(): void {
    const message = text(this.model.get('error'));
    this._error.textContent = message;
    setShown(this._error, message !== '');
  }

  private _renderRows(): void {
    const rows = this.model.get('rows');
    const list_ = Array.isArray(rows) ? (rows as Partial<ISharedRow>[]) : [];
    this._body.replaceChildren(...list_.map(row => this._row(row)));
    setShown(this._empty, list_.length === 0);
  }

  private _row(row: Partial<ISharedRow>): HTMLTableRowElement {
    const tr = el('tr', 'symlab-shared-row');
    const id = text(row.id);
    tr.setAttribute('data-id', id);
    tr.setAttribute('data-name', text(row.name));
    const summary = row.summary ?? { min: null, mean: null, max: null };
    const shape = Array.isArray(row.shape) ? row.shape : [];
    const cells: Array<[string, string]> = [
      ['name', text(row.name)],
      ['dtype', text(row.dtype)],
      ['shape', `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`],
      ['device', text(row.device)],
      ['min', formatNumber(summary.min)],
      ['mean', formatNumber(summary.mean)],
      ['max', formatNumber(summary.max)]
    ];
    for (const [key, value] of cells) {
      tr.append(el('td', `symlab-shared-${key}`, value));
    }
    const preview = el('td', 'symlab-shared-preview');
    const pic = previewElement(row.preview);
    if (pic) {
      preview.append(pic);
    }
    tr.append(preview);
    tr.append(el('td', 'symlab-shared-readers', list(row.readers).join(', ')));
    tr.append(el('td', 'symlab-shared-updaters', list(row.updaters).join(', ')));
    const value = el('td', 'symlab-shared-value');
    if (row.editable) {
      const input = el('input', 'symlab-shared-edit');
      input.type = 'text';
      input.value = text(row.value_text);
      input.spellcheck = false;
      const label = modelText(this.model, 'shared_value_of', { name: text(row.name) });
      input.setAttribute('aria-label', label);
      input.title = modelText(this.model, 'shared_edit_tip');
      input.disabled = !this._live.live;
      // Typing here must not trigger the notebook's command-mode shortcuts.
      input.setAttribute('data-lm-suppress-shortcuts', 'true');
      input.addEventListener('keydown', event => {
        if (event.key === 'Enter') {
          event.preventDefault();
          event.stopPropagation();
          tr.setAttribute('data-pending', 'true');
          // The id goes back as the Python side gave it (an int).
          this.model.send({ action: 'edit', id: row.id ?? id, text: input.value }, {});
        } else if (event.key === 'Escape') {
          event.stopPropagation();
          input.value = text(row.value_text);
        }
      });
      value.append(input);
    } else {
      value.textContent = text(row.value_text);
    }
    tr.append(value);
    return tr;
  }
}
