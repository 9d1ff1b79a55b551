/** DOT text: escaping of user text, and what Graphviz draws from it. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { dotNodeName, escapeDotString, parseDotNodeName, toDot } from '../src/graph/dot';
import { Trace, validateDocument } from '../src/graph/model';
import { escapeHtml, formatShape, nodeText, wrapText } from '../src/graph/text';
import { fixture, stripDotStrings, svgNodes, svgTags, viz } from './helpers';

const HOSTILE = [
  '<img src=x onerror="window.__x=1">',
  'a"]; b [URL="javascript:alert(1)"',
  '\\"',
  '\\N \\G \\l end\\',
  'x & y &amp; &lt;b&gt;',
  'line\nbreak',
  '<script>alert(1)</script>'
];

test('escapeDotString escapes backslashes, quotes, ampersands and line breaks', () => {
  assert.equal(escapeDotString('plain'), 'plain');
  assert.equal(escapeDotString('a"b'), 'a\\"b');
  assert.equal(escapeDotString('a\\b'), 'a\\\\b');
  assert.equal(escapeDotString('\\"'), '\\\\\\"');
  assert.equal(escapeDotString('a&b'), 'a&amp;b');
  assert.equal(escapeDotString('a\r\nb\rc'), 'a\\nb\\nc');
  assert.equal(escapeDotString('a\u0000b\tc'), 'a b c');
  for (const text of HOSTILE) {
    // Inside the quotes, every quote is escaped: the string cannot end early.
    const escaped = escapeDotString(text);
    assert.doesNotMatch(escaped.replace(/\\\\/g, ''), /(^|[^\\])"/, text);
  }
});

test('node names are ours: n<id>, and read back', () => {
  assert.equal(dotNodeName(12), 'n12');
  assert.equal(parseDotNodeName('n12'), 12);
  assert.equal(parseDotNodeName(dotNodeName(-3)), -3);
  assert.equal(parseDotNodeName('out0'), null);
  assert.throws(() => dotNodeName(1.5 as number));
  assert.throws(() => dotNodeName('1; x' as unknown as number));
});

test('escapeHtml', () => {
  assert.equal(
    escapeHtml('<img src=x onerror="a">&\''),
    '&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;'
  );
});

test('text helpers: shapes, wrapping, node text', () => {
  assert.equal(formatShape([null, 3]), '(?, 3)');
  assert.equal(formatShape([5]), '(5,)');
  assert.equal(formatShape([]), '()');
  assert.equal(formatShape(null), '\u2014');
  assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  const leaf = { id: 1, kind: 'constant', op: null, label: null, type: 'T', dtype: null, shape: null, value: '1' } as const;
  assert.equal(nodeText(leaf as any), '1');
  assert.equal(nodeText({ ...leaf, value: null } as any), 'T');
  assert.equal(nodeText(null), '?');
});

test('the DOT of a hostile document has no link, URL, href or tooltip', () => {
  const r = validateDocument(fixture('hostile.json'));
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  for (let k = 0; k <= trace.length; k++) {
    const dot = stripDotStrings(toDot(r.doc, trace.graphAt(k)));
    assert.doesNotMatch(dot, /\b(URL|href|tooltip|id)\s*=/i);
    // Only our node names start statements.
    for (const line of dot.split('\n').slice(5, -1)) {
      assert.match(line, /^ {2}(n\d+|out\d+)( |$)/, line);
    }
  }
});

test('Graphviz draws hostile names as plain text, one box per node', async () => {
  const v = await viz();
  const nodes = HOSTILE.map((label, i) => ({
    id: i + 1, kind: 'input', op: null, label, type: 'TensorType(float64, (?,))', dtype: 'float64', shape: [null], value: null
  }));
  const doc = {
    version: 1,
    nodes: Object.fromEntries([
      ...nodes.map(n => [String(n.id), n]),
      ['100', { id: 100, kind: 'apply', op: 'add"] x [URL="y', label: null, type: 'T', dtype: null, shape: null, value: null }]
    ]),
    before: {
      inputs: nodes.map(n => n.id),
      nodes: [...nodes.map(n => n.id), 100],
      edges: nodes.map((n, i) => [n.id, 100, i, 0]),
      outputs: [[100, 0]]
    }
  };
  const r = validateDocument(doc);
  assert.ok(r.ok);
  const svg: string = v.renderString(toDot(r.doc, new Trace(r.doc).graphAt(0)), { format: 'svg' });
  for (const tag of svgTags(svg)) {
    assert.doesNotMatch(tag, /^<(a|script|img|foreignObject)\b|href|onerror|javascript:/i, tag);
  }
  const drawn = svgNodes(svg);
  const boxes = drawn.filter(n => /^n\d+$/.test(n.title));
  assert.equal(boxes.length, HOSTILE.length + 1);
  for (const [i, label] of HOSTILE.entries()) {
    const box = boxes.find(b => b.title === `n${i + 1}`)!;
    assert.equal(box.texts.join('\n'), label, `label ${JSON.stringify(label)}`);
  }
  assert.deepEqual(boxes.find(b => b.title === 'n100')!.texts, ['add"] x [URL="y']);
});

test('fused nodes: collapsed by default, whole op text when expanded', async () => {
  const v = await viz();
  const r = validateDocument(fixture('softplus.json'));
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  const after = trace.graphAt(trace.length);
  const fused = after.nodes.find(id => (r.doc.nodes[String(id)].op ?? '').startsWith('fused{'))!;
  const op = r.doc.nodes[String(fused)].op!;
  const closed = svgNodes(v.renderString(toDot(r.doc, after), { format: 'svg' }));
  const box = closed.find(n => n.title === `n${fused}`)!;
  assert.match(box.cls, /\bsymlab-fused\b/);
  assert.doesNotMatch(box.cls, /symlab-fused-open/);
  assert.ok(box.texts.join('').length < op.length);
  assert.ok(box.texts.join('').endsWith('\u2026}'));
  const open = svgNodes(v.renderString(toDot(r.doc, after, { expanded: new Set([fused]), wrap: 16 }), { format: 'svg' }));
  const openBox = open.find(n => n.title === `n${fused}`)!;
  assert.match(openBox.cls, /symlab-fused-open/);
  assert.ok(openBox.texts.length > 1);
  assert.equal(openBox.texts.join(' ').replace(/\s+/g, ' '), op.replace(/\s+/g, ' '));
});

test('the softplus document: labels before and after, outputs and updates', async () => {
  const v = await viz();
  const r = validateDocument(fixture('softplus.json'));
  assert.ok(r.ok);
  const trace = new Trace(r.doc);
  const labels = (k: number): string[] =>
    svgNodes(v.renderString(toDot(r.doc, trace.graphAt(k)), { format: 'svg' })).flatMap(n => n.texts);
  const before = labels(0);
  for (const op of ['log', 'exp', 'add', 'mul', 'sin', 'x', 'w', 'out 0', 'update w']) {
    assert.ok(before.includes(op), `${op} in ${before}`);
  }
  const beforeFusion = labels(trace.length - 1);
  assert.ok(beforeFusion.includes('softplus'));
  assert.ok(!beforeFusion.includes('log'));
  // Every node group carries our kind class.
  const svg = v.renderString(toDot(r.doc, trace.graphAt(0)), { format: 'svg' });
  for (const n of svgNodes(svg).filter(n => /^n\d+$/.test(n.title))) {
    assert.match(n.cls, /^node symlab-kind-(apply|input|constant|shared)/);
  }
});

test('test-value shapes label the edges leaving the nodes that have them', async () => {
  const v = await viz();
  const plain = fixture('softplus.json');
  const r0 = validateDocument(plain);
  assert.ok(r0.ok);
  const first = new Trace(r0.doc).graphAt(0);
  assert.ok(!toDot(r0.doc, first).includes('symlab-test-value'), 'no test values, no labels');
  // The same document as a graph built with test values: x holds a (5, 3) value.
  const doc = JSON.parse(JSON.stringify(plain));
  const x = Object.values(doc.nodes as { [id: string]: any }).find(e => e.label === 'x');
  assert.ok(x, 'the softplus document has an input x');
  x.test_value = { dtype: 'float64', shape: [5, 3] };
  const r = validateDocument(doc);
  assert.ok(r.ok);
  const dot = toDot(r.doc, new Trace(r.doc).graphAt(0));
  const edges = dot.split('\n').filter(line => line.includes(`${dotNodeName(x.id)} ->`));
  assert.ok(edges.length > 0);
  for (const line of edges) {
    assert.match(line, /label="\(5, 3\)", class="symlab-test-value"/);
  }
  const svg = v.renderString(dot, { format: 'svg' });
  assert.match(svg, /class="edge symlab&#45;test&#45;value"/);
  assert.match(svg, />\(5, 3\)</);
});
