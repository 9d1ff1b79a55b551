/**
 * symlab's JupyterLab extension: registers the widget module
 * `symlab-jupyterlab` (graph view, shared-variable inspector, RNG stepper)
 * with the ipywidgets manager.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { MODULE_NAME, MODULE_VERSION } from './version';
import * as widgets from './widgets';

const widgetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'symlab-jupyterlab:widgets',
  description: 'The views of the symlab notebook widgets.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: widgets as any
    });
  }
};

export { MODULE_NAME, MODULE_VERSION };
export default [widgetsPlugin];
