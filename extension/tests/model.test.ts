/** The JSON graph document: validation and the graph at each step of the trace. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { applyEvent, clampStep, readIds, Trace, validateDocument } from '../src/graph/model';
import { fixture } from './helpers';

/** The worked example of docs/json-graph.md. */
const WORKED = {
  version: 2,
  name: 'f',
  nodes: {
    '1': { id: 1, kind: 'input', op: null, label: 'x', type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null },
    '6': { id: 6, kind: 'apply', op: 'mul', label: 'y', type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null },
    '3': { id: 3, kind: 'apply', op: 'exp', label: null, type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null },
    '4': { id: 4, kind: 'constant', op: null, label: null, type: 'TensorType(int8, ())', dtype: 'int8', shape: [], value: '1' }
  },
  before: { inputs: [1], nodes: [1, 3, 4, 6], edges: [[1, 3, 0, 0], [3, 6, 0, 0], [4, 6, 1, 0]], outputs: [[6, 0]] },
  after: { inputs: [1], nodes: [1, 3], edges: [[1, 3, 0, 0]], outputs: [[3, 0]] },
  events: [
    { index: 0, pass: 'canonicalize', rewrite: 'mul_by_one', pairs: [[[6, 0], [3, 0]]], removed: [6, 4], added: [], rebuilt: [], edges: [], outputs: [[0, 3, 0]] }
  ],
  updates: []
};

function sameGraph(actual: any, expected: any): void {
  assert.deepEqual([...actual.nodes].sort((a, b) => a - b), [...expected.nodes].sort((a, b) => a - b));
  const key = (e: number[]): string => e.join(',');
  assert.deepEqual(actual.edges.map(key).sort(), expected.edges.map(key).sort());
  assert.deepEqual(actual.outputs, expected.outputs);
}

test('the worked example: step 1 is after', () => {
  const r = validateDocument(WORKED);
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  assert.equal(trace.length, 1);
  sameGraph(trace.graphAt(0), WORKED.before);
  sameGraph(trace.graphAt(1), WORKED.after);
  assert.deepEqual(trace.graphAt(1).nodes, [1, 3]);
  assert.equal(trace.eventFor(0), null);
  assert.equal(trace.eventFor(1)!.rewrite, 'mul_by_one');
  assert.throws(() => trace.graphAt(2), RangeError);
});

test('a document from symlab: replaying every event gives after', () => {
  for (const name of ['softplus.json', 'hostile.json']) {
    const raw = fixture(name);
    const r = validateDocument(raw);
    assert.ok(r.ok, name);
    const trace = new Trace(r.doc);
    assert.ok(trace.length > 0);
    sameGraph(trace.graphAt(trace.length), raw.after);
    sameGraph(trace.graphAt(0), raw.before);
    // Each step holds only nodes the table knows, with edges between present nodes.
    for (let k = 0; k <= trace.length; k++) {
      const g = trace.graphAt(k);
      const present = new Set(g.nodes);
      assert.equal(present.size, g.nodes.length, `duplicate node at step ${k}`);
      for (const [s, t] of g.edges) {
        assert.ok(present.has(s) && present.has(t), `dangling edge ${s}->${t} at step ${k}`);
      }
      for (const [node] of g.outputs) {
        assert.ok(present.has(node), `output ${node} missing at step ${k}`);
      }
    }
  }
});

test('an event removes its removed nodes and adds its added nodes', () => {
  const r = validateDocument(fixture('softplus.json'));
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  for (let k = 1; k <= trace.length; k++) {
    const event = trace.eventFor(k)!;
    const before = new Set(trace.graphAt(k - 1).nodes);
    const after = new Set(trace.graphAt(k).nodes);
    for (const id of event.removed) {
      assert.ok(before.has(id) && !after.has(id), `event ${k - 1} removed ${id}`);
    }
    for (const id of event.added) {
      assert.ok(after.has(id), `event ${k - 1} added ${id}`);
    }
  }
  assert.deepEqual(
    r.doc.events.map(e => e.rewrite).slice(-2),
    ['softplus_from_log1p_exp', 'fuse_elementwise']
  );
});

test('applyEvent does not change its input', () => {
  const g = { inputs: [1], nodes: [1, 3, 4, 6], edges: [[1, 3, 0, 0], [3, 6, 0, 0], [4, 6, 1, 0]] as any, outputs: [[6, 0]] as any };
  const copy = JSON.parse(JSON.stringify(g));
  applyEvent(g, WORKED.events[0] as any);
  assert.deepEqual(g, copy);
});

test('validation: clear messages for bad payloads, never a throw', () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /not a JSON object/],
    [[1, 2], /not a JSON object/],
    ['text', /not a JSON object/],
    [{ ...WORKED, version: 4 }, /unsupported graph format version 4 \(this front end reads versions 1, 2 and 3\)/],
    [{ ...WORKED, version: undefined }, /unsupported graph format version null/],
    [{ ...WORKED, nodes: [] }, /no node table/],
    [{ ...WORKED, before: undefined }, /^the graph document has no "before" \(a required field is missing\)$/],
    [{ ...WORKED, before: 7 }, /^before is not an object$/],
    [{ ...WORKED, nodes: undefined }, /^the graph document has no "nodes" \(a required field is missing\)$/],
    [{ ...WORKED, before: { ...WORKED.before, edges: undefined } }, /^before has no "edges"/],
    [{ ...WORKED, after: { ...WORKED.after, outputs: undefined } }, /^after has no "outputs"/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], removed: undefined }] }, /^event 0 has no "removed"/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '3': { ...WORKED.nodes['3'], kind: undefined } } }, /^node 3 has no "kind"/],
    [{ ...WORKED, before: { ...WORKED.before, edges: [[1, 2]] } }, /before.edges/],
    [{ ...WORKED, after: { ...WORKED.after, nodes: ['1'] } }, /after.nodes/],
    [{ ...WORKED, events: {} }, /events is not a list/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], outputs: [[1e9, 3, 0]] }] }, /^event 0 changes output 1000000000, but the graph has 1 output$/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], pairs: [[6, 3]] }] }, /^event 0.pairs is not a list of \[\[node id, index\], \[node id, index\]\]$/],
    [{ ...WORKED, events: [{ pass: 'p' }] }, /event 0 has no pass or rewrite/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], rebuilt: [[6]] }] }, /event 0.rebuilt is not a list of \[old id, new id\]/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], rebuilt: [[99, 100]] }] }, /event 0 rebuilds node 99, which has no entry/],
    [{ ...WORKED, events: [{ ...WORKED.events[0], added: [100] }] }, /node 100 is not in the node table/],
    [{ ...WORKED, before: { ...WORKED.before, nodes: [1, 99] } }, /node 99 is not in the node table/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '1': { ...WORKED.nodes['1'], kind: 'evil' } } }, /unknown kind/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '1': { ...WORKED.nodes['1'], label: { x: 1 } } } }, /label is not text/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '1': { ...WORKED.nodes['1'], shape: 3 } } }, /^node 1: shape is not a list of sizes$/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '1': { ...WORKED.nodes['1'], id: 2 } } }, /^node 1 has the id 2$/],
    [{ ...WORKED, nodes: { ...WORKED.nodes, '1': { ...WORKED.nodes['1'], outputs: [{ shape: 'x' }] } } }, /^node 1: output 0 is not a label, type and shape$/]
  ];
  for (const [payload, message] of bad) {
    const r = validateDocument(payload);
    assert.equal(r.ok, false, JSON.stringify(payload)?.slice(0, 80));
    if (!r.ok) {
      assert.match(r.error, message);
    }
  }
});

test('rebuilt nodes: each step matches the graph symlab had at that step', () => {
  const raw = fixture('rebuilt.json');
  const steps = fixture('rebuilt.steps.json');
  const r = validateDocument(raw);
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  assert.equal(trace.length + 1, steps.length);
  const derived = r.doc.events.flatMap(e => e.rebuilt);
  assert.ok(derived.length >= 5, 'the fixture rebuilds nodes');
  for (const [old, id] of derived) {
    assert.equal(raw.nodes[String(id)], undefined, `node ${id} is derived, not written`);
    assert.deepEqual(r.doc.nodes[String(id)], { ...r.doc.nodes[String(old)], id });
  }
  for (let k = 0; k < steps.length; k++) {
    const g = trace.graphAt(k);
    assert.deepEqual([...g.nodes].sort((a, b) => a - b), steps[k].nodes, `nodes at step ${k}`);
    const key = (e: number[]): string => e.join(',');
    assert.deepEqual(g.edges.map(key).sort(), steps[k].edges.map(key).sort(), `edges at step ${k}`);
    assert.deepEqual(g.outputs, steps[k].outputs, `outputs at step ${k}`);
  }
});

test('validation: the caller\'s table is not changed by filling in rebuilt nodes', () => {
  const raw = fixture('rebuilt.json');
  const keys = Object.keys(raw.nodes).length;
  const r = validateDocument(raw);
  assert.ok(r.ok);
  assert.equal(Object.keys(raw.nodes).length, keys);
  assert.ok(Object.keys(r.doc.nodes).length > keys);
});

test('validation: a version-1 document (no rebuilt lists) still reads', () => {
  const events = WORKED.events.map(({ rebuilt, ...rest }) => rest);
  const r = validateDocument({ ...WORKED, version: 1, events });
  assert.ok(r.ok);
  assert.deepEqual(r.doc.events[0].rebuilt, []);
  sameGraph(new Trace(r.doc).graphAt(1), WORKED.after);
});

test('validation: optional parts are filled, unknown keys ignored', () => {
  const r = validateDocument({ version: 1, nodes: WORKED.nodes, before: WORKED.before, extra: 5 });
  assert.ok(r.ok);
  assert.equal(r.doc.after, null);
  assert.deepEqual(r.doc.events, []);
  assert.deepEqual(r.doc.updates, []);
  assert.equal(r.doc.name, null);
  assert.equal(new Trace(r.doc).length, 0);
});

test('clampStep', () => {
  assert.equal(clampStep(3, 2), 2);
  assert.equal(clampStep(-1, 2), 0);
  assert.equal(clampStep('1', 2), 0);
  assert.equal(clampStep(1.4, 2), 1);
  assert.equal(clampStep(NaN, 2), 0);
});

test('version 3 (compact: id runs, implied outputs) replays to the same steps as version 2', () => {
  const raw = fixture('rebuilt.v3.json');
  const steps = fixture('rebuilt.steps.json');
  assert.equal(raw.version, 3);
  const r = validateDocument(raw);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const v2 = validateDocument(fixture('rebuilt.json'));
  assert.ok(v2.ok);
  const trace = new Trace(r.doc);
  assert.equal(trace.length + 1, steps.length);
  for (let k = 0; k < steps.length; k++) {
    const g = trace.graphAt(k);
    assert.deepEqual([...g.nodes].sort((a, b) => a - b), steps[k].nodes, `nodes at step ${k}`);
    const key = (e: number[]): string => e.join(',');
    assert.deepEqual(g.edges.map(key).sort(), steps[k].edges.map(key).sort(), `edges at step ${k}`);
    assert.deepEqual(g.outputs, steps[k].outputs, `outputs at step ${k}`);
  }
  r.doc.events.forEach((e, i) => {
    assert.deepEqual(e.removed, v2.ok && v2.doc.events[i].removed, `removed of event ${i}`);
    assert.deepEqual(e.rebuilt, v2.ok && v2.doc.events[i].rebuilt, `rebuilt of event ${i}`);
  });
});

test('readIds reads runs and rejects anything else', () => {
  assert.deepEqual(readIds([1, [10, 2, 3], 5, [7, -1, 2]]), [1, 10, 12, 14, 5, 7, 6]);
  assert.equal(readIds([[1, 2]]), null);
  assert.equal(readIds(['1']), null);
  assert.equal(readIds(3), null);
});
