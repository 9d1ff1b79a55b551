/**
 * The widget module's name and version: the `_view_module` / `_model_module`
 * and their versions that the Python widgets in `symlab/notebook/` name.
 * `tests/package.test.ts` checks that they match package.json.
 */
export const MODULE_NAME = 'symlab-jupyterlab';
export const MODULE_VERSION = '0.1.0';
