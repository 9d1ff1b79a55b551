/**
 * Saved views say they are saved. A widget drawn from a notebook's stored
 * widget state (or left behind by a kernel restart) has no comm to a live
 * kernel: ipywidgets' `model.send` then drops every message, so buttons
 * would do nothing. `LiveState` puts a notice on such a view ("saved view:
 * run the cell to use it", the `common_saved_notice` label of the widget's
 * `texts`), marks its root `data-symlab-live="false"`, and tells the view,
 * which disables the controls that would do nothing. When the model's comm
 * comes alive (ipywidgets' `comm_live_update` event) the notice goes.
 *
 * Any symlab view uses it the same way (the RNG stepper, the inspector, the
 * graph view):
 *
 *   this._live = new LiveState(this.model, this.el, () => this._update());
 *   ...  button.disabled = !this._live.live || <the view's own reason>;
 *   remove(): this._live.dispose();
 */
import { modelText } from './texts';

/** The parts of an ipywidgets `WidgetModel` read here. */
export interface ILiveModel {
  comm?: unknown;
  comm_live?: boolean;
  get(key: string): unknown;
  on(event: string, callback: () => void, context?: unknown): unknown;
  off(event: string, callback: () => void, context?: unknown): unknown;
}

/** True when the model talks to a live kernel: it has a comm, and the comm is live. */
export function isLive(model: Pick<ILiveModel, 'comm' | 'comm_live'>): boolean {
  return model.comm !== undefined && model.comm !== null && model.comm_live === true;
}

export class LiveState {
  /** The notice (`div.symlab-saved-notice`), first child of the view's root. */
  readonly notice: HTMLDivElement;
  private _live = false;

  constructor(
    private readonly _model: ILiveModel,
    private readonly _root: HTMLElement,
    private readonly _changed: (live: boolean) => void = () => undefined
  ) {
    this.notice = document.createElement('div');
    this.notice.className = 'symlab-saved-notice';
    this.notice.setAttribute('role', 'status');
    this._root.prepend(this.notice);
    this._model.on('comm_live_update', this._update, this);
    this._model.on('change:texts', this._update, this);
    this._live = isLive(this._model);
    this._show();
  }

  /** Whether the view's controls can reach the kernel now. */
  get live(): boolean {
    return this._live;
  }

  /** Set `disabled` on each control while the view is not live (and on those `also` names). */
  disable(controls: Array<HTMLButtonElement | HTMLInputElement>, also = false): void {
    for (const control of controls) {
      control.disabled = !this._live || also;
    }
  }

  dispose(): void {
    this._model.off('comm_live_update', this._update, this);
    this._model.off('change:texts', this._update, this);
    this.notice.remove();
  }

  private _update(): void {
    const was = this._live;
    this._live = isLive(this._model);
    this._show();
    if (was !== this._live) {
      this._changed(this._live);
    }
  }

  private _show(): void {
    this.notice.textContent = modelText(this._model, 'common_saved_notice');
    this.notice.hidden = this._live;
    this._root.setAttribute('data-symlab-live', String(this._live));
  }
}
