/**
 * The `mimeExtension` entry of symlab's JupyterLab extension: renders
 * `application/vnd.symlab.graph+json` outputs (what symlab variables and
 * compiled functions display) interactively, from the saved output alone.
 */
import { IMimeExtension, IRendererFactory } from './interfaces';
import { MIME_TYPE } from './payload';
import { GraphRenderer } from './renderer';

export { MIME_TYPE };

/**
 * Safe: the renderer puts text into the page with `textContent` only and
 * sanitizes what Graphviz draws, so untrusted outputs (any notebook not run
 * by this user, as a saved one opened later) are drawn too.
 */
export const rendererFactory: IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  defaultRank: 0,
  createRenderer: options => new GraphRenderer(options)
};

const extension: IMimeExtension = {
  id: 'symlab-jupyterlab:graph-renderer',
  description: 'Draws symlab graph outputs (application/vnd.symlab.graph+json).',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
