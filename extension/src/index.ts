/**
 * symlab's JupyterLab extension: registers the widget module
 * `symlab-jupyterlab` (graph view, shared-variable inspector, RNG stepper)
 * with the ipywidgets manager.
 */
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { MODULE_NAME, MODULE_VERSION } from './version';
import * as widgets from './widgets';

/**
 * A JupyterLab plugin, typed here rather than imported from
 * `@jupyterlab/application` (which would add ~50 MB of node_modules to the
 * set-up for one type).
 */
interface IPlugin {
  id: string;
  description: string;
  autoStart: boolean;
  requires: Array<typeof IJupyterWidgetRegistry>;
  activate: (app: unknown, registry: IJupyterWidgetRegistry) => void;
}

const widgetsPlugin: IPlugin = {
  id: 'symlab-jupyterlab:widgets',
  description: 'The views of the symlab notebook widgets.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: unknown, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: widgets as any
    });
  }
};

export { MODULE_NAME, MODULE_VERSION };
export default [widgetsPlugin];
