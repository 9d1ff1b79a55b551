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
