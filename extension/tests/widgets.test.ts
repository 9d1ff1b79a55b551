/** The widgets' words (texts.ts), the saved-view check (live.ts), and their tie to the table. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

import { LABELS, LANGUAGES } from '../src/widgets/labels.generated';
import { isLive } from '../src/widgets/live';
import { formatText, keyWords, modelText, tableText, textOf } from '../src/widgets/texts';
import { EXTENSION_DIR } from './helpers';

/** The keys of the table (the extension's copy; a Python test checks it is labels.py's). */
function tableKeys(): Set<string> {
  return new Set(Object.keys(LABELS));
}

function source(name: string): string {
  return fs.readFileSync(path.join(EXTENSION_DIR, 'src', 'widgets', name), 'utf8');
}

test('fields are filled, unknown fields stay as written', () => {
  assert.equal(formatText('step {position} of {draws}', { position: 3, draws: 3 }), 'step 3 of 3');
  assert.equal(formatText('第 {position} 步，共 {draws} 步', { position: 1, draws: 2 }), '第 1 步，共 2 步');
  assert.equal(formatText('{name} and {other}', { name: '<b>' }), '<b> and {other}');
  assert.equal(formatText('no fields'), 'no fields');
  // A field's value is inserted once, never read as a template again.
  assert.equal(formatText('{a}', { a: '{b}', b: 'x' }), '{b}');
});

test('a text comes from the widget state, else from the key words', () => {
  const texts = { rng_step: 'step {position} of {draws}', rng_draw: '抽取' };
  assert.equal(textOf(texts, 'rng_step', { position: 0, draws: 0 }), 'step 0 of 0');
  assert.equal(textOf(texts, 'rng_draw'), '抽取');
  // No text in the state (a MIME renderer, an older saved state): the extension's table.
  assert.equal(textOf({}, 'rng_step', { position: 1, draws: 2 }), 'step 1 of 2');
  assert.equal(textOf(undefined, 'common_saved_notice'), 'saved view: run the cell to use it');
  assert.equal(textOf(null, 'graph_step', { step: 2, count: 5 }, 'zh'), '第 2 步 / 共 5 步');
  assert.equal(textOf({ rng_draw: 7 }, 'rng_draw'), 'draw');
  assert.equal(tableText('shared_readers', 'fr'), 'read by'); // a language it lacks: English
  // A key the table lacks: its own words.
  assert.equal(textOf({}, 'rng_not_a_row'), 'not a row');
  assert.equal(keyWords('shared_value_of'), 'value of');
  assert.equal(modelText({ get: () => ({ shared_value: '值' }) }, 'shared_value'), '值');
});

test('every row of the extension\'s table speaks every language', () => {
  assert.deepEqual(LANGUAGES, ['en', 'zh']);
  for (const [key, row] of Object.entries(LABELS)) {
    assert.deepEqual(Object.keys(row), LANGUAGES, key);
  }
});

test('a model is live only with a live comm', () => {
  assert.equal(isLive({ comm: {}, comm_live: true }), true);
  assert.equal(isLive({ comm: undefined, comm_live: false }), false); // drawn from saved state
  assert.equal(isLive({ comm: {}, comm_live: false }), false); // the kernel went away
  assert.equal(isLive({ comm: undefined, comm_live: true }), false);
  assert.equal(isLive({}), false);
});

test('every word the stepper and the inspector show is a row of the one table', () => {
  const keys = tableKeys();
  assert.ok(keys.has('rng_step') && keys.has('graph_step'), [...keys].join(' '));
  const used = new Set<string>();
  for (const file of ['rng.ts', 'shared.ts', 'live.ts']) {
    for (const m of source(file).matchAll(/(?:_text|modelText)\((?:[^,()]+, )?'([a-z_]+)'/g)) {
      used.add(m[1]);
    }
  }
  // rng.ts labels its buttons through a helper: `label(node, 'rng_back')` and its `_tip`.
  for (const m of source('rng.ts').matchAll(/label\(this\._\w+, '([a-z_]+)'\)/g)) {
    used.add(m[1]);
    used.add(`${m[1]}_tip`);
  }
  // shared.ts: a head per column, `shared_<column>`.
  const columns = source('shared.ts').match(/export const COLUMNS = \[([^\]]*)\]/);
  assert.ok(columns);
  for (const m of columns[1].matchAll(/'([a-z]+)'/g)) {
    used.add(`shared_${m[1]}`);
  }
  assert.ok(used.size >= 20, [...used].join(' '));
  const missing = [...used].filter(k => !keys.has(k));
  assert.deepEqual(missing, []);
});
