/** The MIME renderer's payload: reading an output's data, and a message for every bad one. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

import { toDot } from '../src/graph/dot';
import { openInnerText } from '../src/graph/inner';
import { IGraphDocument, MAX_DRAWN_NODES, MAX_INNER_DEPTH, Trace } from '../src/graph/model';
import { formatShape, nodeText, opCounts } from '../src/graph/text';
import { MIME_TYPE, payloadDocument, validatePayload } from '../src/mime/payload';
import { EXTENSION_DIR, fixture } from './helpers';

const HOSTILE_NAME = '<img src=x onerror="window.__x=1">';

/** A chain of `n` elementwise nodes after one input: `n + 1` nodes. */
function chain(n: number): any {
  const nodes: { [id: string]: unknown } = {
    '1': { id: 1, kind: 'input', op: null, label: 'x', type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null }
  };
  const ids = [1];
  const edges: number[][] = [];
  for (let i = 0; i < n; i++) {
    const id = i + 2;
    nodes[String(id)] = { id, kind: 'apply', op: i % 2 ? 'sin' : 'cos', label: null, type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null };
    edges.push([id - 1, id, 0, 0]);
    ids.push(id);
  }
  return {
    version: 2,
    name: 'big',
    nodes,
    before: { inputs: [1], nodes: ids, edges, outputs: [[n + 1, 0]] },
    after: null,
    events: [],
    updates: []
  };
}

test('the MIME type is the one symlab.printing writes', () => {
  const source = fs.readFileSync(
    path.join(EXTENSION_DIR, '..', 'symlab', 'printing', 'json_graph.py'),
    'utf8'
  );
  assert.match(source, new RegExp(`^MIME_TYPE = "${MIME_TYPE.replace(/[.+]/g, '\\$&')}"$`, 'm'));
});

test('documents made by symlab read, as JSON values and as JSON text', () => {
  for (const name of ['softplus.json', 'hostile.json', 'rebuilt.json', 'scan.json', 'ifelse.json']) {
    const raw = fixture(name);
    for (const data of [raw, JSON.stringify(raw)]) {
      const r = validatePayload(data);
      assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error}`);
      assert.equal(new Trace(r.doc).length, raw.events.length);
    }
  }
  assert.deepEqual(payloadDocument('{"a": 1}'), { a: 1 });
  assert.equal(payloadDocument('not json'), 'not json');
  const obj = { version: 2 };
  assert.equal(payloadDocument(obj), obj);
});

test('bad payloads give a clear message, never a throw', () => {
  const good = fixture('softplus.json');
  const bad: Array<[unknown, RegExp]> = [
    [undefined, /^the output holds no application\/vnd\.symlab\.graph\+json data$/],
    [null, /^the graph document is not a JSON object$/],
    [42, /^the graph document is not a JSON object$/],
    [[good], /^the graph document is not a JSON object$/],
    ['{"version": 2, ', /^the graph document is text that is not JSON$/],
    [{ ...good, version: 99 }, /^unsupported graph format version 99 \(this front end reads versions 1, 2 and 3\)$/],
    [{ ...good, version: '2' }, /^unsupported graph format version "2"/],
    [{ ...good, version: undefined }, /^unsupported graph format version null/],
    [{ version: 2 }, /^the graph document has no "nodes" \(a required field is missing\)$/],
    [{ version: 2, nodes: good.nodes }, /^the graph document has no "before" \(a required field is missing\)$/],
    [{ ...good, before: { nodes: good.before.nodes } }, /^before has no "edges" \(a required field is missing\)$/],
    [{ ...good, events: [{ pass: 'p', rewrite: 'r' }] }, /^event 0 has no "removed" \(a required field is missing\)$/],
    [{ ...good, events: 'all of them' }, /^events is not a list$/],
    [{ ...good, before: { ...good.before, nodes: [...good.before.nodes, 123456789] } }, /^node 123456789 is not in the node table$/]
  ];
  for (const [data, message] of bad) {
    const r = validatePayload(data);
    assert.equal(r.ok, false, String(JSON.stringify(data)).slice(0, 80));
    if (!r.ok) {
      assert.match(r.error, message);
    }
  }
});

test('markup in names is data: kept exactly, and DOT gets it only escaped in labels', () => {
  const doc = chain(2);
  doc.nodes['1'].label = HOSTILE_NAME;
  doc.nodes['2'].op = 'add"] x [URL="javascript:alert(1)';
  const r = validatePayload(doc);
  assert.ok(r.ok);
  assert.equal(r.doc.nodes['1'].label, HOSTILE_NAME);
  const dot = toDot(r.doc, new Trace(r.doc).graphAt(0));
  assert.ok(dot.includes('label="<img src=x onerror=\\"window.__x=1\\">"'), dot);
  assert.ok(dot.includes('label="add\\"] x [URL=\\"javascript:alert(1)"'), dot);
  assert.doesNotMatch(dot, /URL="j/);
});

test('a graph over the drawing limit validates; a view shows its counts instead', () => {
  const r = validatePayload(chain(MAX_DRAWN_NODES + 100));
  assert.ok(r.ok);
  const g = new Trace(r.doc).graphAt(0);
  assert.equal(g.nodes.length, MAX_DRAWN_NODES + 101);
  assert.ok(g.nodes.length > MAX_DRAWN_NODES);
  const counts = opCounts(g, id => r.doc.nodes[String(id)] ?? null);
  assert.deepEqual(counts, [['cos', 1050], ['sin', 1050], ['(input)', 1]]);
  // At the limit itself, the graph is drawn.
  assert.equal(new Trace((validatePayload(chain(MAX_DRAWN_NODES - 1)) as any).doc).graphAt(0).nodes.length, MAX_DRAWN_NODES);
});

/** A small deterministic generator (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every [container, key] of a JSON value. */
function slots(value: any, out: Array<[any, string | number]> = []): Array<[any, string | number]> {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([value, i]);
      slots(v, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key], out);
    }
  }
  return out;
}

/**
 * Everything a view shows of a validated document: every node's details,
 * every step, its DOT, the highlights of its event; and the same for each
 * inner graph that reads (one that does not holds a message). Throws what fails.
 */
function showAll(doc: IGraphDocument, depth = 0): void {
  assert.ok(depth <= MAX_INNER_DEPTH, `inner graphs read ${depth} levels deep`);
  for (const entry of Object.values(doc.nodes)) {
    nodeText(entry);
    formatShape(entry.shape);
    (entry.outputs ?? []).forEach(out => formatShape(out.shape));
    assert.ok(Number.isInteger(entry.id), `node id ${entry.id}`);
    for (const inner of entry.inner ?? []) {
      openInnerText(inner.role);
      if (inner.graph.ok) {
        showAll(inner.graph.doc, depth + 1);
      } else {
        assert.equal(typeof inner.graph.error, 'string');
        assert.ok(inner.graph.error.length > 0);
      }
    }
  }
  const trace = new Trace(doc);
  for (let k = 0; k <= trace.length; k++) {
    toDot(doc, trace.graphAt(k));
    const event = trace.eventFor(k);
    if (event) {
      event.pairs.map(([from, to]) => [from[0], to[0]]);
      [...event.removed, ...event.added].forEach(id => trace.node(id));
    }
  }
}

test('damaged documents: a message, or a document every step of which draws', () => {
  const next = random(20240609);
  const names = ['softplus.json', 'rebuilt.json', 'scan.json', 'ifelse.json'];
  const junk = [undefined, null, 'x', -1, 1.5, 1e9, [], {}, [1], [[1, 2]], { '0': 1 }, true];
  let rejected = 0;
  let innerRejected = 0;
  for (let round = 0; round < 1500; round++) {
    const doc = fixture(names[Math.floor(next() * names.length)]);
    const all = slots(doc);
    for (let hits = 1 + Math.floor(next() * 3); hits > 0; hits--) {
      const [container, key] = all[Math.floor(next() * all.length)];
      const value = junk[Math.floor(next() * junk.length)];
      if (value === undefined && !Array.isArray(container)) {
        delete container[key];
      } else {
        container[key] = value;
      }
    }
    let r;
    try {
      r = validatePayload(doc);
    } catch (err) {
      assert.fail(`round ${round}: validation threw ${String(err)}`);
    }
    if (!r.ok) {
      assert.equal(typeof r.error, 'string');
      assert.ok(r.error.length > 0);
      rejected++;
      continue;
    }
    // What validation lets through, a view can show, inner graphs included.
    try {
      showAll(r.doc);
    } catch (err) {
      assert.fail(`round ${round}: ${String(err)}\n${JSON.stringify(doc).slice(0, 400)}`);
    }
    if (Object.values(r.doc.nodes).some(e => (e.inner ?? []).some(i => !i.graph.ok))) {
      innerRejected++;
    }
  }
  assert.ok(rejected > 100, `only ${rejected} damaged documents were rejected`);
  // Damage inside an inner graph: the outer document read, the inner one said why not.
  assert.ok(innerRejected > 50, `only ${innerRejected} documents kept a bad inner graph`);
});
