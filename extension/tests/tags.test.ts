/** `[id X]` tags against debugprint's own text, search queries, counterparts over the trace. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { Trace, validateDocument } from '../src/graph/model';
import {
  charTag,
  counterparts,
  debugTags,
  matchesQuery,
  parseQuery
} from '../src/graph/tags';
import { toDot } from '../src/graph/dot';
import { fixture } from './helpers';

/** tags.json: a training step, and debugprint's letters at each step (make_tags_fixture.py). */
const TAGS = fixture('tags.json');

function traceOf(raw: unknown): Trace {
  const r = validateDocument(raw);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return new Trace(r.doc);
}

test('charTag counts as debugprint does: A..Z, then AA', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(charTag),
    ['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
});

test('every step tags its nodes as debugprint(f.graph_at(k)) does', () => {
  const trace = traceOf(TAGS.doc);
  assert.equal(TAGS.steps.length, trace.length + 1);
  assert.ok(trace.length > 10);
  for (let k = 0; k <= trace.length; k++) {
    const got = Object.fromEntries([...debugTags(trace.graphAt(k))].map(([id, t]) => [String(id), t]));
    assert.deepEqual(got, TAGS.steps[k], `step ${k}`);
  }
});

test('the last step tags its nodes as debugprint(f) does', () => {
  const trace = traceOf(TAGS.doc);
  const got = Object.fromEntries(
    [...debugTags(trace.graphAt(trace.length))].map(([id, t]) => [String(id), t])
  );
  assert.deepEqual(got, TAGS.after);
});

test('queries: names and ops by text, ids and letters exactly', () => {
  const trace = traceOf(TAGS.doc);
  const graph = trace.graphAt(0);
  const tags = debugTags(graph);
  const hits = (q: string): number[] => {
    const query = parseQuery(q)!;
    return graph.nodes.filter(id => matchesQuery(query, id, trace.node(id), tags.get(id)));
  };
  const w0 = graph.nodes.find(id => trace.node(id)?.label === 'W0')!;
  assert.deepEqual(hits('W0'), [w0]);
  assert.deepEqual(hits('w0'), [w0]);
  assert.deepEqual(hits(String(w0)), [w0]);
  assert.deepEqual(hits(`[id ${w0}]`), [w0]);
  assert.deepEqual(hits(`[id ${tags.get(w0)}]`), [w0]);
  assert.deepEqual(hits(`[id ${tags.get(w0)!.toLowerCase()}]`), [w0]);
  const tanh = graph.nodes.filter(id => trace.node(id)?.op === 'tanh');
  assert.equal(tanh.length, 2);
  assert.deepEqual(hits('tanh').filter(id => trace.node(id)?.op === 'tanh'), tanh);
  assert.equal(parseQuery('   '), null);
  assert.deepEqual(hits('[id ZZZZ]'), []);
});

test('counterparts follow replacement pairs forward and back', () => {
  // The worked example of docs/json-graph.md: mul_by_one replaces mul 6 by exp 3.
  const trace = traceOf({
    version: 2,
    name: 'f',
    nodes: {
      '1': { id: 1, kind: 'input', op: null, label: 'x', type: 't', dtype: null, shape: null, value: null },
      '3': { id: 3, kind: 'apply', op: 'exp', label: null, type: 't', dtype: null, shape: null, value: null },
      '4': { id: 4, kind: 'constant', op: null, label: null, type: 't', dtype: null, shape: null, value: '1' },
      '6': { id: 6, kind: 'apply', op: 'mul', label: 'y', type: 't', dtype: null, shape: null, value: null }
    },
    before: { inputs: [1], nodes: [1, 3, 4, 6], edges: [[1, 3, 0, 0], [3, 6, 0, 0], [4, 6, 1, 0]], outputs: [[6, 0]] },
    after: { inputs: [1], nodes: [1, 3], edges: [[1, 3, 0, 0]], outputs: [[3, 0]] },
    events: [{ pass: 'p', rewrite: 'mul_by_one', pairs: [[[6, 0], [3, 0]]], removed: [6, 4], added: [], edges: [], outputs: [[0, 3, 0]] }],
    updates: []
  });
  assert.deepEqual([...counterparts(trace, 0, 1, 6)], [3]);
  assert.deepEqual([...counterparts(trace, 0, 1, 4)], []);
  assert.deepEqual([...counterparts(trace, 0, 1, 1)], [1]);
  assert.deepEqual([...counterparts(trace, 1, 0, 3)].sort(), [3, 6]);
});

test('the DOT gives each tagged node its [id X] as an external label, not in its label', () => {
  const trace = traceOf(TAGS.doc);
  const graph = trace.graphAt(0);
  const tags = debugTags(graph);
  const dot = toDot(trace.doc, graph, { tags });
  const [id, tag] = [...tags][0];
  const line = dot.split('\n').find(l => l.startsWith(`  n${id} [`))!;
  assert.match(line, new RegExp(`xlabel="\\[id ${tag}\\]"`));
  assert.doesNotMatch(line.replace(/xlabel="[^"]*"/, ''), /\[id /);
});
