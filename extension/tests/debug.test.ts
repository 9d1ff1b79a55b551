/** Debugging traits: reading them, the heat scale, hover texts with hostile names. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import {
  failureTitle,
  formatPercent,
  formatSeconds,
  heatColour,
  heatGradient,
  HEAT_STOPS,
  nodeTooltip,
  originsText,
  profileHeat,
  profileText,
  readFailure,
  readProfile,
  readValues,
  TOOLTIP_MESSAGE_CHARS
} from '../src/graph/debug';
import { toDot } from '../src/graph/dot';
import { INodeEntry, Trace, validateDocument } from '../src/graph/model';
import { stripDotStrings, svgNodes, svgTags, viz } from './helpers';

const HOSTILE = '<img src=x onerror="window.__x=1">';

function entry(over: Partial<INodeEntry> = {}): INodeEntry {
  return {
    id: 7,
    kind: 'apply',
    op: 'add',
    label: null,
    type: 'TensorType(float64, (?,))',
    dtype: 'float64',
    shape: [null],
    value: null,
    ...over
  };
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test('readFailure: a failure, or null for {} and malformed traits', () => {
  assert.equal(readFailure({}), null);
  assert.equal(readFailure(null), null);
  assert.equal(readFailure({ node: 'x', kind: 'nan' }), null);
  assert.equal(readFailure({ node: 1.5 }), null);
  assert.deepEqual(
    readFailure({
      node: 12,
      kind: 'nan',
      message: 'NaN in log',
      origins: [['<cell 3>', 2], ['bad'], [1, 2], ['f.py', 'x']]
    }),
    { node: 12, kind: 'nan', message: 'NaN in log', origins: [['<cell 3>', 2]] }
  );
  // An unknown kind reads as an error; a missing message as empty text.
  assert.deepEqual(readFailure({ node: 3, kind: 'boom' }), {
    node: 3,
    kind: 'error',
    message: '',
    origins: []
  });
});

test('readProfile: rows sorted slowest first, bad rows and numbers dropped or zeroed', () => {
  assert.equal(readProfile({}), null);
  assert.equal(readProfile({ rows: 'no' }), null);
  const p = readProfile({
    calls: 3,
    call_time: 0.03,
    rows: [
      { id: 1, op: 'add', time: 0.001, percent: 3.3, calls: 3 },
      { id: 2, op: 'dot', time: 0.02, percent: 66.7, calls: 3 },
      { id: 'x', op: 'bad', time: 1 },
      { id: 4, op: 5, time: null, percent: -1, calls: 'x' }
    ]
  })!;
  assert.equal(p.calls, 3);
  assert.equal(p.callTime, 0.03);
  assert.deepEqual(
    p.rows.map(r => [r.id, r.op, r.time, r.percent, r.calls]),
    [
      [2, 'dot', 0.02, 66.7, 3],
      [1, 'add', 0.001, 3.3, 3],
      [4, '?', 0, 0, 0]
    ]
  );
});

test('readValues: node ids to text, other keys and non-text values left out', () => {
  const v = readValues({ '3': '[1.0, 2.0]', '-2': 'x', abc: 'no', '4': 5, '5': null });
  assert.deepEqual([...v.entries()], [['3', '[1.0, 2.0]'], ['-2', 'x']].map(([k, t]) => [Number(k), t]));
  assert.equal(readValues(null).size, 0);
  assert.equal(readValues([1, 2]).size, 0);
});

test('heatColour: the stops at their points, monotone darkening, clamped', () => {
  for (const [x, c] of HEAT_STOPS) {
    assert.equal(heatColour(x), c);
  }
  assert.equal(heatColour(-1), HEAT_STOPS[0][1]);
  assert.equal(heatColour(2), HEAT_STOPS[HEAT_STOPS.length - 1][1]);
  assert.equal(heatColour(NaN), HEAT_STOPS[0][1]);
  let last = Infinity;
  for (let i = 0; i <= 20; i++) {
    const c = heatColour(i / 20);
    assert.match(c, /^#[0-9a-f]{6}$/);
    const l = luminance(c);
    assert.ok(l < last, `heat ${i / 20}: ${c} is not darker than the heat before`);
    last = l;
  }
  // The hottest colour is not the red of a failed node (#d50000 / #ffcdd2).
  assert.notEqual(heatColour(1), '#d50000');
  assert.match(heatGradient(), /^linear-gradient\(to right, #fff7bc 0%, .* #8c2d04 100%\)$/);
});

test('profileHeat: the slowest node is 1, the others in proportion', () => {
  const p = readProfile({
    calls: 1,
    call_time: 1,
    rows: [
      { id: 1, op: 'a', time: 0.5, percent: 50, calls: 1 },
      { id: 2, op: 'b', time: 0.25, percent: 25, calls: 1 },
      { id: 3, op: 'c', time: 0, percent: 0, calls: 1 }
    ]
  });
  assert.deepEqual([...profileHeat(p).entries()], [[1, 1], [2, 0.5], [3, 0]]);
  assert.equal(profileHeat(null).size, 0);
  const zero = readProfile({ calls: 1, call_time: 0, rows: [{ id: 1, op: 'a', time: 0 }] });
  assert.deepEqual([...profileHeat(zero).entries()], [[1, 0]]);
});

test('seconds, percentages and profile texts', () => {
  assert.equal(formatSeconds(0), '0 s');
  assert.equal(formatSeconds(4.2e-8), '42 ns');
  assert.equal(formatSeconds(3.456e-6), '3.46 \u00b5s');
  assert.equal(formatSeconds(0.0123), '12.3 ms');
  assert.equal(formatSeconds(1.25), '1.25 s');
  assert.equal(formatSeconds(NaN), '\u2014');
  assert.equal(formatPercent(34.56), '34.6 %');
  assert.equal(
    profileText({ id: 1, op: 'add', time: 0.0012, percent: 34.5, calls: 3 }),
    '1.2 ms (34.5 % of the calls), 3 calls'
  );
  assert.match(profileText({ id: 1, op: 'add', time: 1, percent: 1, calls: 1 }), /, 1 call$/);
});

test('failure texts', () => {
  const f = readFailure({ node: 7, kind: 'nan', message: 'm', origins: [['a.py', 3], ['b.py', 9]] })!;
  assert.equal(failureTitle(f, entry({ op: 'log' })), 'the last call failed: node 7 (log) produced NaN');
  assert.equal(
    failureTitle({ ...f, kind: 'error' }, null),
    'the last call failed: node 7 (?) raised an error'
  );
  assert.equal(originsText(f), 'a.py:3\nb.py:9');
});

test('nodeTooltip: plain text, hostile names and values kept exactly', () => {
  assert.equal(nodeTooltip(entry(), {}), null);
  assert.equal(
    nodeTooltip(entry(), { value: '[1.0, 2.0]' }),
    'add  TensorType(float64, (?,))\nvalue: [1.0, 2.0]'
  );
  const leaf = entry({ kind: 'input', op: null, label: HOSTILE });
  const tip = nodeTooltip(leaf, { value: `${HOSTILE} & "q" \\N` })!;
  assert.equal(tip, `${HOSTILE}  TensorType(float64, (?,))\nvalue: ${HOSTILE} & "q" \\N`);
  const named = entry({ label: HOSTILE });
  const all = nodeTooltip(named, {
    value: 'v',
    profile: { id: 7, op: 'add', time: 0.001, percent: 10, calls: 1 },
    failure: { node: 7, kind: 'error', message: HOSTILE, origins: [] }
  })!;
  assert.deepEqual(all.split('\n'), [
    `add  ${HOSTILE}  TensorType(float64, (?,))`,
    `failed (error): ${HOSTILE}`,
    'value: v',
    'time: 1 ms (10.0 % of the calls), 1 call'
  ]);
  const long = nodeTooltip(entry(), {
    failure: { node: 7, kind: 'error', message: 'x'.repeat(1000), origins: [] }
  })!;
  assert.equal(long.split('\n')[1].length, 'failed (error): '.length + TOOLTIP_MESSAGE_CHARS);
});

test('debugging never reaches DOT: a hostile graph still has no tooltip, URL or href', async () => {
  // The hover texts are set on the drawn SVG as text (render.ts decorateSvg),
  // so the DOT and what Graphviz draws from it do not depend on them.
  const doc = {
    version: 2,
    nodes: {
      '1': { id: 1, kind: 'input', op: null, label: HOSTILE, type: 'T', dtype: null, shape: null, value: null },
      '2': { id: 2, kind: 'apply', op: 'log', label: HOSTILE, type: 'T', dtype: null, shape: null, value: null }
    },
    before: { inputs: [1], nodes: [1, 2], edges: [[1, 2, 0, 0]], outputs: [[2, 0]] }
  };
  const r = validateDocument(doc);
  assert.ok(r.ok);
  const dot = toDot(r.doc, new Trace(r.doc).graphAt(0));
  assert.doesNotMatch(stripDotStrings(dot), /\b(URL|href|tooltip|id)\s*=/i);
  const svg: string = (await viz()).renderString(dot, { format: 'svg' });
  for (const tag of svgTags(svg)) {
    assert.doesNotMatch(tag, /^<(a|script|img|foreignObject)\b|href|onerror/i, tag);
  }
  const box = svgNodes(svg).find(n => n.title === 'n1')!;
  assert.deepEqual(box.texts, [HOSTILE]);
});
