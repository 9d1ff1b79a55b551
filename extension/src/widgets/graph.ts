/**
 * The graph view widget: the shared `GraphStepView` (src/graph/view.ts:
 * before and after side by side, stepping through the trace, the event's
 * removed and added nodes highlighted, the details of the clicked node),
 * its state kept in the widget's synced model.
 *
 * Synced traits (Python: symlab/notebook/): `graph` (the to_json document,
 * sent and saved as JSON text), `step` (0..len(events)), `selected` (a node
 * id as a string, or ""), `expanded` (ids, as strings, of fused nodes drawn
 * open), and for debugging a compiled function: `failure` (the last failed
 * call: node, kind, message, origins; `{}` when none), `profile` (calls,
 * call_time, rows; `{}` when none) and `values` (`{"<node id>": summary}`
 * of one call).
 */
import { DOMWidgetModel, DOMWidgetView, ISerializers } from '@jupyter-widgets/base';

import { readFailure, readProfile, readValues } from '../graph/debug';
import { GraphStepView, IGraphViewState } from '../graph/view';
import { MODULE_NAME, MODULE_VERSION } from '../version';

/**
 * The document travels as one JSON string, not as nested JSON: a notebook
 * saved with widget state keeps it on one line (nbformat indents nested
 * lists one number a line, which made saved graphs 2.6 times larger). Text
 * that does not parse is kept as it is, for validateDocument to report.
 */
export const graphSerializer = {
  deserialize: (value: unknown): unknown => {
    if (typeof value !== 'string') {
      return value;
    }
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  },
  serialize: (value: unknown): unknown => JSON.stringify(value)
};

export class GraphModel extends DOMWidgetModel {
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    graph: graphSerializer
  };

  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'GraphModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'GraphView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      graph: {},
      step: 0,
      selected: '',
      expanded: [],
      failure: {},
      profile: {},
      values: {}
    };
  }
}

export class GraphView extends DOMWidgetView {
  private _view!: GraphStepView;

  render(): void {
    const model = this.model;
    const state: IGraphViewState = {
      get: key => model.get(key),
      set: changes => {
        model.set(changes);
        this.touch();
      }
    };
    this._view = new GraphStepView(this.el as HTMLElement, state);
    this.listenTo(model, 'change:graph', this._onGraph);
    this.listenTo(model, 'change:step', () => this._view.stateChanged('step'));
    this.listenTo(model, 'change:expanded', () => this._view.stateChanged('expanded'));
    this.listenTo(model, 'change:selected', () => this._view.stateChanged('selected'));
    this.listenTo(model, 'change:failure', this._onDebug);
    this.listenTo(model, 'change:profile', this._onDebug);
    this.listenTo(model, 'change:values', this._onDebug);
    this._onDebug();
    this._onGraph();
  }

  /** Read the debugging traits (failure, profile, values) into the view. */
  private _onDebug(): void {
    this._view.setDebug({
      failure: readFailure(this.model.get('failure')),
      profile: readProfile(this.model.get('profile')),
      values: readValues(this.model.get('values'))
    });
  }

  private _onGraph(): void {
    this._view.setDocument(this.model.get('graph'));
  }

  remove(): any {
    this._view?.dispose();
    return super.remove();
  }
}
