/** The widget module's name and version agree everywhere the Python side and JupyterLab read them. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

import { MODULE_NAME, MODULE_VERSION } from '../src/version';
import { EXTENSION_DIR } from './helpers';

const read = (name: string): string => fs.readFileSync(path.join(EXTENSION_DIR, name), 'utf8');

test('module name and version match package.json, pyproject.toml and the Python package', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.equal(MODULE_NAME, 'symlab-jupyterlab');
  assert.equal(pkg.name, MODULE_NAME);
  assert.equal(pkg.version, MODULE_VERSION);
  assert.match(read('pyproject.toml'), new RegExp(`^version = "${MODULE_VERSION}"$`, 'm'));
  assert.match(read('symlab_jupyterlab/__init__.py'), new RegExp(`__version__ = "${MODULE_VERSION}"`));
  assert.match(read('symlab_jupyterlab/__init__.py'), /"dest": "symlab-jupyterlab"/);
});

test('the third-party notices name the versions of what the bundle contains', () => {
  const notices = read('THIRD-PARTY-NOTICES.md');
  const viz = JSON.parse(read('node_modules/@viz-js/viz/package.json'));
  const metadata = read('node_modules/@viz-js/viz/lib/metadata.js');
  const graphviz = /graphvizVersion = "([^"]+)"/.exec(metadata);
  assert.ok(graphviz, 'no graphvizVersion in @viz-js/viz/lib/metadata.js');
  const row = (name: string): string =>
    notices.split('\n').find(line => line.startsWith(`| ${name}`)) ?? '';
  assert.match(row('`@viz-js/viz`'), new RegExp(`\\| ${viz.version.replace(/\./g, '\\.')} \\| ${viz.license} \\|`));
  assert.match(row('Graphviz'), new RegExp(`\\| ${graphviz![1].replace(/\./g, '\\.')} \\| Eclipse Public License 1\\.0`));
  assert.match(read('pyproject.toml'), /^license-files = \["THIRD-PARTY-NOTICES.md"\]$/m);
});

test('package.json names both entry points: the widget plugin and the MIME renderer', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.equal(pkg.jupyterlab.extension, true);
  assert.equal(pkg.main, 'lib/index.js');
  assert.equal(pkg.jupyterlab.mimeExtension, 'lib/mime/index.js');
  assert.ok(fs.existsSync(path.join(EXTENSION_DIR, 'src', 'mime', 'index.ts')));
  // The renderer is a Lumino widget: JupyterLab shares the one copy it has.
  assert.ok(pkg.dependencies['@lumino/widgets']);
});
