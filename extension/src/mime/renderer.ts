/**
 * The MIME renderer: a saved output of `application/vnd.symlab.graph+json`
 * drawn as the graph widget draws it (the same `GraphStepView`), with no
 * kernel. Its state (step, selection, open fused nodes) lives in the page.
 */
import { Widget } from '@lumino/widgets';

import { GraphStepView, LocalViewState } from '../graph/view';
import { IMimeModel, IRenderer, IRendererOptions } from './interfaces';
import { validatePayload } from './payload';

export class GraphRenderer extends Widget implements IRenderer {
  private readonly _mimeType: string;
  private readonly _state = new LocalViewState();
  private readonly _view: GraphStepView;

  constructor(options: IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('symlab-graph-output');
    // JupyterLab's own renderers mark their node so; tests select by it.
    this.node.dataset.mimeType = this._mimeType;
    const root = document.createElement('div');
    root.classList.add('symlab-graph-mime');
    this.node.appendChild(root);
    this._view = new GraphStepView(root, this._state);
    this._state.onChange = keys => keys.forEach(key => this._view.stateChanged(key));
  }

  /** Draw the output's document, or say why it cannot be drawn; never throws. */
  renderModel(model: IMimeModel): Promise<void> {
    try {
      const result = validatePayload(model.data[this._mimeType]);
      if (result.ok) {
        this._view.setDocument(result.doc);
      } else {
        this._view.showError(result.error);
      }
    } catch (err) {
      this._view.showError(`unexpected error: ${String(err)}`);
    }
    return Promise.resolve();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this._view.dispose();
    }
    super.dispose();
  }
}
