/**
 * Inner graphs (a scan's step graph, an ifelse's branches): reading `inner`,
 * validating it recursively (a bad inner document never breaks the outer
 * one), the drawing limit per graph, the breadcrumb and the texts saying how
 * inner inputs and outputs connect to the node, with hostile names.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { dotNodeName, toDot } from '../src/graph/dot';
import {
  becomesText,
  breadcrumb,
  breadcrumbText,
  CRUMB_SEPARATOR,
  fedByText,
  IInnerContext,
  innerConnections,
  innerNodeRows,
  nodeInputs,
  nodeRef,
  openInnerText,
  roleText
} from '../src/graph/inner';
import {
  IGraphDocument,
  IInnerGraph,
  INodeEntry,
  MAX_DRAWN_NODES,
  MAX_INNER_DEPTH,
  overDrawingLimit,
  Trace,
  validateDocument
} from '../src/graph/model';
import { hasInner, nodeText } from '../src/graph/text';
import { validatePayload } from '../src/mime/payload';
import { fixture, stripDotStrings, svgNodes, svgTags, viz } from './helpers';

/** The names make_fixtures.py gives scan.json's sequence and initial value. */
const HOSTILE_SEQUENCE = '<img src=x onerror="window.__x=1">';
const HOSTILE_H0 = 'h0"]; b [URL="javascript:alert(1)"';

function valid(raw: unknown): IGraphDocument {
  const r = validateDocument(raw);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.doc;
}

/** The entries of a document's node table that hold inner graphs, by op. */
function holders(doc: IGraphDocument, op: string): INodeEntry[] {
  return Object.values(doc.nodes).filter(e => e.op === op && hasInner(e));
}

function innerDoc(inner: IInnerGraph): IGraphDocument {
  assert.ok(inner.graph.ok, inner.graph.ok ? '' : inner.graph.error);
  return inner.graph.doc;
}

/** The optimized scan node of scan.json (the one in `after`) and its step graph. */
function optimizedScan(): { doc: IGraphDocument; scan: INodeEntry; step: IInnerGraph } {
  const doc = valid(fixture('scan.json'));
  const ids = new Set(doc.after!.nodes);
  const scan = holders(doc, 'scan').find(e => ids.has(e.id))!;
  assert.ok(scan, 'the optimized graph has a scan');
  return { doc, scan, step: scan.inner![0] };
}

/** A small document: `x -> op -> out`, the op holding `inner` (raw). */
function holding(inner: unknown, idBase = 1, name: string | null = 'outer'): any {
  const t = 'TensorType(float64, (?,))';
  const x = idBase;
  const op = idBase + 1;
  return {
    version: 2,
    name,
    nodes: {
      [x]: { id: x, kind: 'input', op: null, label: 'x', type: t, dtype: 'float64', shape: [null], value: null },
      [op]: { id: op, kind: 'apply', op: 'scan', label: null, type: t, dtype: 'float64', shape: [null], value: null, inner }
    },
    before: { inputs: [x], nodes: [x, op], edges: [[x, op, 0, 0]], outputs: [[op, 0]] },
    after: null,
    events: [],
    updates: []
  };
}

/** An inner entry of role `role` whose graph is `graph` (one input, one output). */
function entry(graph: unknown, role = 'step'): any {
  return { role, outer_inputs: [0], outer_outputs: [0], graph };
}

/** Documents nested `levels` deep: level 0 holds level 1 ... the last holds none. */
function nested(levels: number): any {
  let doc: any = holding(undefined, 1000 * levels, `level ${levels}`);
  delete doc.nodes[String(1000 * levels + 1)].inner;
  for (let level = levels - 1; level >= 0; level--) {
    doc = holding([entry(doc)], 1000 * level, `level ${level}`);
  }
  return doc;
}

test('a scan node holds its step graph: read, validated, its own trace', () => {
  const { doc, scan, step } = optimizedScan();
  assert.equal(step.role, 'step');
  assert.deepEqual(step.outerInputs, [1, 2]);
  assert.deepEqual(step.outerOutputs, [0, 1]);
  const inner = innerDoc(step);
  // Optimized by the inner_graphs pass: its own events, replayed to its own after.
  const trace = new Trace(inner);
  assert.ok(trace.length > 0);
  assert.deepEqual(
    [...trace.graphAt(trace.length).nodes].sort((a, b) => a - b),
    [...inner.after!.nodes].sort((a, b) => a - b)
  );
  const ops = inner.after!.nodes.map(id => nodeText(inner.nodes[String(id)]));
  assert.ok(ops.some(op => op.includes('tanh')), ops.join(', '));
  // The scan as built (in `before`) holds the step graph as built: no trace.
  const built = holders(doc, 'scan').find(e => doc.before.nodes.includes(e.id))!;
  assert.equal(innerDoc(built.inner![0]).events.length, 0);
  assert.equal(innerDoc(built.inner![0]).after, null);
  // Inner ids are ids like any other: none is in the outer table.
  for (const id of Object.keys(inner.nodes)) {
    assert.equal(doc.nodes[id], undefined, `inner node ${id} in the outer table`);
  }
  // A leaf drawn in the outer graph holds nothing.
  assert.equal(hasInner(doc.nodes[String(doc.before.inputs[0])]), false);
  assert.equal(hasInner(scan), true);
});

test('an ifelse holds its then and else branches', () => {
  const doc = valid(fixture('ifelse.json'));
  const node = holders(doc, 'ifelse').find(e => doc.after!.nodes.includes(e.id))!;
  assert.deepEqual(node.inner!.map(i => i.role), ['then', 'else']);
  assert.deepEqual(node.inner!.map(i => i.outerInputs), [[1], [2]]);
  for (const inner of node.inner!) {
    const branch = innerDoc(inner);
    assert.equal(branch.before.inputs.length, 1);
    assert.ok(Object.values(branch.nodes).some(e => e.op === 'mean' || (e.op ?? '').includes('sum')));
  }
  assert.deepEqual(node.inner!.map(i => openInnerText(i.role)), ['open then branch', 'open else branch']);
  assert.equal(openInnerText('step'), 'open step graph');
  assert.equal(roleText('loop'), 'loop graph');
});

test('the DOT marks a node holding inner graphs: a double border and a class', () => {
  const { doc, scan } = optimizedScan();
  const dot = toDot(doc, new Trace(doc).graphAt(new Trace(doc).length));
  const line = dot.split('\n').find(l => l.startsWith(`  ${dotNodeName(scan.id)} `))!;
  assert.match(line, /peripheries=2/);
  assert.match(line, /class="symlab-kind-apply symlab-node-has-inner"/);
  const others = dot.split('\n').filter(l => /^ {2}n\d+ \[/.test(l) && l !== line);
  assert.ok(others.length > 0);
  for (const other of others) {
    assert.doesNotMatch(other, /peripheries|has-inner/, other);
  }
});

test('a hostile name inside an inner graph stays text: in the DOT, in Graphviz, in every text', async () => {
  const { doc, scan, step } = optimizedScan();
  const inner = innerDoc(step);
  const trace = new Trace(inner);
  const labels = inner.before.inputs.map(id => nodeText(inner.nodes[String(id)]));
  assert.deepEqual(labels, [`${HOSTILE_SEQUENCE}[t]`, `${HOSTILE_H0}[t-1]`]);
  const v = await viz();
  for (let k = 0; k <= trace.length; k++) {
    const dot = toDot(inner, trace.graphAt(k));
    assert.doesNotMatch(stripDotStrings(dot), /\b(URL|href|tooltip|id)\s*=/i);
    const svg: string = v.renderString(dot, { format: 'svg' });
    for (const tag of svgTags(svg)) {
      assert.doesNotMatch(tag, /^<(a|img|script|foreignObject)\b/i, tag);
      assert.doesNotMatch(tag, /\s(href|xlink:href|onerror|onload)=/i, tag);
    }
    const texts = svgNodes(svg).flatMap(n => n.texts);
    for (const label of labels) {
      assert.ok(texts.includes(label), `${label} drawn at step ${k}: ${texts.join(' | ')}`);
    }
  }
  // The connection texts name the outer values as they are.
  const ctx = context(doc, scan, step);
  assert.equal(fedByText(ctx, 0), `fed by outer input 1: ${HOSTILE_SEQUENCE} [id ${doc.before.inputs[0]}]`);
  assert.equal(fedByText(ctx, 1), `fed by outer input 2: ${HOSTILE_H0} [id ${doc.before.inputs[1]}]`);
  // A hostile function name is the breadcrumb's first part, as given.
  const crumbs = breadcrumb('<script>alert(1)</script>', [{ node: scan, role: 'step' }]);
  assert.equal(breadcrumbText(crumbs), `<script>alert(1)</script> \u203A scan [id ${scan.id}] \u203A step`);
});

function context(doc: IGraphDocument, scan: INodeEntry, step: IInnerGraph): IInnerContext {
  const trace = new Trace(doc);
  return {
    outer: scan,
    inner: step,
    inputs: nodeInputs(trace, scan.id, [trace.length]),
    outerNode: id => trace.node(id)
  };
}

test('the breadcrumb: the function, then each node opened and its graph', () => {
  const { doc, scan } = optimizedScan();
  const one = breadcrumb(doc.name, [{ node: scan, role: 'step' }]);
  assert.equal(breadcrumbText(one), `rnn \u203A scan [id ${scan.id}] \u203A step`);
  // Each part says which level clicking it shows: the node's own level, or the graph opened.
  assert.deepEqual(one.map(c => c.depth), [0, 0, 1]);
  const inner = { ...scan, id: 7, op: 'ifelse' };
  const two = breadcrumb(null, [
    { node: scan, role: 'step' },
    { node: inner, role: 'else' }
  ]);
  assert.equal(
    breadcrumbText(two),
    ['graph', `scan [id ${scan.id}]`, 'step', 'ifelse [id 7]', 'else'].join(CRUMB_SEPARATOR)
  );
  assert.deepEqual(two.map(c => c.depth), [0, 0, 1, 1, 2]);
  assert.equal(CRUMB_SEPARATOR, ' \u203A ');
  assert.equal(nodeRef(null, 3), '? [id 3]');
  // A fused node is named by its collapsed text.
  const fused = { ...scan, op: `fused{${'a + '.repeat(20)}b}` };
  assert.ok(nodeRef(fused, 9).length < 40, nodeRef(fused, 9));
});

test('how inner inputs and outputs connect to the scan node', () => {
  const { doc, scan, step } = optimizedScan();
  const ctx = context(doc, scan, step);
  // The scan's inputs: n_steps (position 0), the sequence, the initial value.
  const [seq, h0] = doc.before.inputs;
  assert.deepEqual(ctx.inputs.get(1), [seq, 0]);
  assert.deepEqual(ctx.inputs.get(2), [h0, 0]);
  assert.ok(ctx.inputs.has(0));
  assert.equal(becomesText(ctx, 0), `becomes output 0 of scan [id ${scan.id}]`);
  assert.equal(becomesText(ctx, 1), `becomes output 1 of scan [id ${scan.id}]`);
  const inner = innerDoc(step);
  const trace = new Trace(inner);
  const last = trace.graphAt(trace.length);
  const [xt, ht] = last.inputs;
  assert.deepEqual(innerNodeRows(ctx, [last], xt), [
    ['outer input', `fed by outer input 1: ${HOSTILE_SEQUENCE} [id ${seq}]`]
  ]);
  assert.deepEqual(innerNodeRows(ctx, [last], ht), [
    ['outer input', `fed by outer input 2: ${HOSTILE_H0} [id ${h0}]`]
  ]);
  // The step's one node gives both outputs: the stacked values and the carry.
  const out = last.outputs[0][0];
  assert.deepEqual(innerNodeRows(ctx, [last], out), [
    [
      'outer output',
      `inner output 0: becomes output 0 of scan [id ${scan.id}]\n` +
        `inner output 1: becomes output 1 of scan [id ${scan.id}]`
    ]
  ]);
  // Two steps shown that agree give each line once.
  assert.deepEqual(innerNodeRows(ctx, [last, last], xt), innerNodeRows(ctx, [last], xt));
  assert.deepEqual(innerNodeRows(ctx, [last], 123456789), []);
  const lines = innerConnections(ctx, last, id => trace.node(id));
  assert.deepEqual(lines.map(l => [l.kind, l.id, l.position]), [
    ['input', xt, 0],
    ['input', ht, 1],
    ['output', out, 0],
    ['output', out, 1]
  ]);
  assert.equal(
    lines[0].text,
    `${HOSTILE_SEQUENCE}[t] [id ${xt}] \u2190 fed by outer input 1: ${HOSTILE_SEQUENCE} [id ${seq}]`
  );
  assert.match(lines[2].text, new RegExp(`^out 0: fused\\{tanh.* \\[id ${out}\\] \u2192 becomes output 0 of scan`));
  // Positions not given, or not feeding the node in the graph shown.
  const loose = { ...ctx, inner: { ...step, outerInputs: [null, 9], outerOutputs: [null, 1] } };
  assert.equal(fedByText(loose, 0), 'fed by no outer input');
  assert.equal(fedByText(loose, 1), 'fed by outer input 9');
  assert.equal(becomesText(loose, 0), `not an output of scan [id ${scan.id}]`);
});

test('nodeInputs reads the node from any step holding it', () => {
  const { doc, scan } = optimizedScan();
  const trace = new Trace(doc);
  // The optimized scan is not in step 0: later steps are searched.
  assert.ok(!trace.graphAt(0).nodes.includes(scan.id));
  assert.equal(nodeInputs(trace, scan.id, [0]).size, 3);
  assert.equal(nodeInputs(trace, scan.id, [-1, 99, 0.5]).size, 3);
  assert.equal(nodeInputs(trace, 123456789).size, 0);
});

test('a malformed inner document gives its message there; the outer document reads', () => {
  const good = fixture('scan.json');
  const cases: Array<[(inner: any[]) => unknown, RegExp]> = [
    [inner => [{ ...inner[0], graph: { ...inner[0].graph, before: undefined } }], /^the graph document has no "before" \(a required field is missing\)$/],
    [inner => [{ ...inner[0], graph: { ...inner[0].graph, version: 99 } }], /^unsupported graph format version 99/],
    [inner => [{ ...inner[0], graph: 'text' }], /^the graph document is not a JSON object$/],
    [inner => [{ ...inner[0], graph: { ...inner[0].graph, before: { ...inner[0].graph.before, nodes: [1e9] } } }], /^node 1000000000 is not in the node table$/],
    [() => 'all of them', /^node \d+: inner is not a list of inner graphs$/],
    [() => null, /^node \d+: inner is not a list of inner graphs$/],
    [() => [7], /^node \d+: inner graph 0 is not an object$/],
    [inner => [{ ...inner[0], role: 3 }], /^node \d+: inner graph 0 has no role \(step, then or else\)$/],
    [inner => [{ ...inner[0], graph: undefined }], /^node \d+: inner graph 0 has no "graph" \(a required field is missing\)$/],
    [inner => [{ ...inner[0], outer_inputs: undefined }], /^node \d+: inner graph 0 has no "outer_inputs"/],
    [inner => [{ ...inner[0], outer_inputs: [1, '2'] }], /^node \d+: inner graph 0: outer_inputs is not a list of input positions \(or null\)$/],
    [inner => [{ ...inner[0], outer_inputs: [1, -2] }], /outer_inputs is not a list of input positions/],
    [inner => [{ ...inner[0], outer_outputs: {} }], /outer_outputs is not a list of output positions/],
    [inner => [{ ...inner[0], outer_inputs: [1] }], /^node \d+: inner graph 0: outer_inputs has 1 entries, but the step graph has 2 inputs$/],
    [inner => [{ ...inner[0], outer_outputs: [0, 1, null] }], /^node \d+: inner graph 0: outer_outputs has 3 entries, but the step graph has 2 outputs$/]
  ];
  for (const [damage, message] of cases) {
    const raw = JSON.parse(JSON.stringify(good));
    for (const e of Object.values(raw.nodes) as any[]) {
      if (e.inner !== undefined) {
        e.inner = damage(e.inner);
      }
    }
    const r = validatePayload(raw);
    assert.ok(r.ok, `the outer document reads (${message}): ${r.ok ? '' : r.error}`);
    const scans = holders(r.doc, 'scan');
    assert.equal(scans.length, 2);
    for (const scan of scans) {
      assert.equal(scan.inner!.length, 1);
      const g = scan.inner![0].graph;
      assert.equal(g.ok, false);
      if (!g.ok) {
        assert.match(g.error, message);
      }
    }
    // The outer graph still draws at every step.
    const trace = new Trace(r.doc);
    for (let k = 0; k <= trace.length; k++) {
      assert.match(toDot(r.doc, trace.graphAt(k)), /symlab-node-has-inner/);
    }
  }
  // An empty list holds nothing to open; a leaf's "inner" is ignored.
  const raw = holding([]);
  raw.nodes['1'].inner = [entry(nested(1))];
  const r = validateDocument(raw);
  assert.ok(r.ok);
  assert.equal(r.doc.nodes['2'].inner, undefined);
  assert.equal(r.doc.nodes['1'].inner, undefined);
  assert.equal(hasInner(r.doc.nodes['2']), false);
});

test('inner graphs are read recursively, down to the depth limit', () => {
  assert.equal(MAX_INNER_DEPTH, 8);
  const doc = valid(nested(MAX_INNER_DEPTH + 3));
  let level: IGraphDocument = doc;
  let depth = 0;
  for (;;) {
    const holder = Object.values(level.nodes).find(e => e.inner)!;
    if (!holder) {
      break;
    }
    const g = holder.inner![0].graph;
    if (!g.ok) {
      assert.equal(g.error, 'inner graphs nested more than 8 levels deep are not shown');
      break;
    }
    depth++;
    assert.equal(g.doc.name, `level ${depth}`);
    level = g.doc;
  }
  assert.equal(depth, MAX_INNER_DEPTH);
  // Fewer levels than the limit: every one reads, down to the last (holding none).
  let shallow = valid(nested(3));
  for (let i = 1; i <= 3; i++) {
    shallow = innerDoc(Object.values(shallow.nodes).find(e => e.inner)!.inner![0]);
    assert.equal(shallow.name, `level ${i}`);
  }
  assert.ok(!Object.values(shallow.nodes).some(e => e.inner));
  // A bad document two levels down: its message there, every level above reads.
  const raw = nested(3);
  raw.nodes['1'].inner[0].graph.nodes['1001'].inner[0].graph.events = 'x';
  const top = valid(raw);
  const one = innerDoc(top.nodes['1'].inner![0]);
  const two = one.nodes['1001'].inner![0].graph;
  assert.deepEqual(two, { ok: false, error: 'events is not a list' });
});

test('a validated document validates as itself (the renderer validates, then the view)', () => {
  const r = validatePayload(fixture('scan.json'));
  assert.ok(r.ok);
  const again = validateDocument(r.doc);
  assert.ok(again.ok);
  assert.equal(again.doc, r.doc);
  const scan = holders(r.doc, 'scan')[0];
  const step = innerDoc(scan.inner![0]);
  const inner = validateDocument(step);
  assert.ok(inner.ok && inner.doc === step);
  // The caller's payload is not changed: its inner fields are still raw.
  const raw = fixture('scan.json');
  validateDocument(raw);
  const rawScan = Object.values(raw.nodes).find((e: any) => e.inner) as any;
  assert.ok('outer_inputs' in rawScan.inner[0]);
  assert.ok(!('outerInputs' in rawScan.inner[0]));
});

test('a rebuilt node keeps its original\'s inner graphs', () => {
  const raw = fixture('scan.json');
  const scanId = Object.values(raw.nodes).find((e: any) => e.inner && raw.after.nodes.includes(e.id)) as any;
  raw.events.push({
    index: raw.events.length, pass: 'p', rewrite: 'r', pairs: [], removed: [scanId.id],
    added: [999999], rebuilt: [[scanId.id, 999999]], edges: [], outputs: [[0, 999999, 0]]
  });
  const doc = valid(raw);
  assert.deepEqual(doc.nodes['999999'].inner, doc.nodes[String(scanId.id)].inner);
  assert.equal(doc.nodes['999999'].inner, doc.nodes[String(scanId.id)].inner, 'read once');
});

/** A chain of `n` nodes (an input and n - 1 elementwise ops) from id `base`. */
function chainDoc(n: number, base: number, inner?: unknown): any {
  const t = 'TensorType(float64, (?,))';
  const nodes: any = {
    [base]: { id: base, kind: 'input', op: null, label: 'x', type: t, dtype: 'float64', shape: [null], value: null }
  };
  const ids = [base];
  const edges: number[][] = [];
  for (let i = 1; i < n; i++) {
    const id = base + i;
    nodes[id] = { id, kind: 'apply', op: i % 2 ? 'sin' : 'cos', label: null, type: t, dtype: 'float64', shape: [null], value: null };
    edges.push([id - 1, id, 0, 0]);
    ids.push(id);
  }
  if (inner !== undefined) {
    nodes[base + n - 1].inner = inner;
  }
  const graph = { inputs: [base], nodes: ids, edges, outputs: [[base + n - 1, 0]] };
  return { version: 2, name: 'chain', nodes, before: graph, after: null, events: [], updates: [] };
}

test('the drawing limit counts each graph\'s own nodes', () => {
  const per = 1500;
  assert.ok(2 * per > MAX_DRAWN_NODES && per <= MAX_DRAWN_NODES);
  const doc = valid(chainDoc(per, 1, [entry(chainDoc(per, 100000))]));
  const outer = new Trace(doc).graphAt(0);
  const holder = doc.nodes[String(per)];
  const inner = new Trace(innerDoc(holder.inner![0])).graphAt(0);
  assert.equal(outer.nodes.length, per);
  assert.equal(inner.nodes.length, per);
  // Together over the limit, each under it: both are drawn.
  assert.equal(overDrawingLimit(outer), false);
  assert.equal(overDrawingLimit(inner), false);
  // An inner graph over the limit is summarized; the outer one still draws.
  const big = valid(chainDoc(10, 1, [entry(chainDoc(MAX_DRAWN_NODES + 1, 100000))]));
  const bigInner = new Trace(innerDoc(big.nodes['10'].inner![0])).graphAt(0);
  assert.equal(overDrawingLimit(bigInner), true);
  assert.equal(overDrawingLimit(new Trace(big).graphAt(0)), false);
});
