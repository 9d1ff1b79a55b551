/** The widget module `symlab-jupyterlab`: every model and view the Python side names. */
export { GraphModel, GraphView } from './graph';
export { SharedInspectorModel, SharedInspectorView } from './shared';
export { RNGStepperModel, RNGStepperView } from './rng';
