/**
 * DOT text for one step of a graph document.
 *
 * Safety: Graphviz node names are our own (`n<id>` for nodes, `out<k>` for
 * output markers), every user text (labels, op texts, values) goes only into
 * a double-quoted `label` after `escapeDotString`, and no `URL`, `href`,
 * `tooltip` or `id` attribute is ever written. The renderer also strips any
 * link from the SVG (render.ts), as a second guard.
 */
import { IGraphDocument, INodeEntry, IStepGraph } from './model';
import { hasInner, isFused, nodeText, wrapText } from './text';

/**
 * Escape text for a double-quoted DOT string used as a label, so that it
 * shows exactly as given: backslashes and quotes escaped (which also disarms
 * Graphviz's `\N`, `\G`, `\l` ... escapes), `&` written as `&amp;` (Graphviz
 * decodes entities in labels), line breaks as `\n`, other control characters
 * as spaces.
 */
export function escapeDotString(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '&':
        out += '&amp;';
        break;
      case '\n':
        out += '\\n';
        break;
      default:
        out += ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch;
    }
  }
  return out;
}

/** `"..."`: a quoted, escaped DOT string. */
export function dotString(text: string): string {
  return `"${escapeDotString(text)}"`;
}

/** The Graphviz name of node `id` (the SVG's `<title>`); ids are integers. */
export function dotNodeName(id: number): string {
  if (!Number.isInteger(id)) {
    throw new TypeError(`node id ${String(id)} is not an integer`);
  }
  return id < 0 ? `nm${-id}` : `n${id}`;
}

/** The node id of a Graphviz name made by `dotNodeName`, or null. */
export function parseDotNodeName(name: string): number | null {
  const m = /^n(m?)(\d+)$/.exec(name.trim());
  if (!m) {
    return null;
  }
  return m[1] ? -Number(m[2]) : Number(m[2]);
}

export interface IDotOptions {
  /** Ids of fused nodes drawn open (their whole op text). */
  expanded?: ReadonlySet<number>;
  /** `TB` (default) or `LR`. */
  rankdir?: 'TB' | 'LR';
  /** Characters per line of an expanded fused node. */
  wrap?: number;
  /** debugprint's `[id X]` letters of the nodes (`tags.ts`), drawn as external labels. */
  tags?: ReadonlyMap<number, string>;
  /** Ids of nodes shown with their whole text (the nodes a rewrite touched). */
  full?: ReadonlySet<number>;
}

/**
 * The font size (points) of every text of a drawing. The view shows a
 * drawing at one pixel per point or more, so no text is drawn smaller than
 * 11 px at 100% zoom (render.ts, MIN_SCALE).
 */
export const FONT_POINTS = 11;

const SHAPES: { [kind: string]: string } = {
  apply: 'shape=box, style="rounded,filled", fillcolor="#eef3fb"',
  input: 'shape=ellipse, style=filled, fillcolor="#fff8e1"',
  constant: 'shape=box, style=filled, fillcolor="#f3f3f3"',
  shared: 'shape=cylinder, style=filled, fillcolor="#e8f5e9"'
};

/**
 * The shape of output `index` of `entry`'s test value, as `(5, 3)`, or null
 * when the graph carries no test value for it (docs/json-graph.md, `test_value`).
 */
export function testValueShape(entry: INodeEntry | null, index: number): string | null {
  const info = entry?.outputs?.[index]?.test_value ?? (index === 0 ? entry?.test_value : undefined);
  if (!info || !Array.isArray(info.shape)) {
    return null;
  }
  const sizes = info.shape.map(size => String(Number(size)));
  return `(${sizes.join(', ')}${sizes.length === 1 ? ',' : ''})`;
}

/**
 * DOT text drawing `graph` (one step of `doc`): a box per node showing
 * `nodeText`, an edge per input (labelled with the output index when it is
 * not 0; a node holding inner graphs with a double border and the class
 * `symlab-node-has-inner`), and a marker per graph output (`out k`, or `update <name>` for the
 * outputs that update shared variables).
 */
export function toDot(
  doc: IGraphDocument,
  graph: IStepGraph,
  options: IDotOptions = {}
): string {
  const expanded = options.expanded ?? new Set<number>();
  const full = options.full ?? new Set<number>();
  const tags = options.tags ?? new Map<number, string>();
  const wrap = options.wrap ?? 40;
  const lines = [
    'digraph symlab {',
    `  rankdir=${options.rankdir === 'LR' ? 'LR' : 'TB'};`,
    '  bgcolor="transparent"; forcelabels=true;',
    `  node [fontname="Helvetica", fontsize=${FONT_POINTS}, height=0.3, margin="0.12,0.04"];`,
    `  edge [fontname="Helvetica", fontsize=${FONT_POINTS}, arrowsize=0.6];`
  ];
  for (const id of graph.nodes) {
    const entry = doc.nodes[String(id)] ?? null;
    const kind = entry?.kind ?? 'apply';
    let style = SHAPES[kind] ?? SHAPES.apply;
    let label: string;
    let cls = `symlab-kind-${kind in SHAPES ? kind : 'apply'}`;
    if (isFused(entry)) {
      const open = expanded.has(id) || full.has(id);
      label = open
        ? wrapText(nodeText(entry, true), wrap).join('\n')
        : nodeText(entry, false);
      style = 'shape=box3d, style=filled, fillcolor="#ede7f6"';
      cls += open ? ' symlab-fused symlab-fused-open' : ' symlab-fused';
    } else {
      label = nodeText(entry);
    }
    // debugprint's tag: an external label, placed by Graphviz beside the box
    // (render.ts lifts it out of the node's group, so the box's text is the label alone).
    const tag = tags.get(id);
    if (tag !== undefined) {
      style += `, xlabel=${dotString(`[id ${tag}]`)}`;
    }
    if (hasInner(entry)) {
      // A double border: the node holds graphs of its own (scan, ifelse).
      style += ', peripheries=2';
      cls += ' symlab-node-has-inner';
    }
    lines.push(
      `  ${dotNodeName(id)} [label=${dotString(label)}, ${style}, class="${cls}"];`
    );
  }
  for (const [source, target, , index] of graph.edges) {
    const parts = index !== 0 ? [String(Number(index))] : [];
    const shape = testValueShape(doc.nodes[String(source)] ?? null, Number(index));
    if (shape !== null) {
      parts.push(shape);
    }
    const attributes = parts.length ? [`label=${dotString(parts.join(': '))}`] : [];
    if (shape !== null) {
      attributes.push('class="symlab-test-value"');
    }
    const extra = attributes.length ? ` [${attributes.join(', ')}]` : '';
    lines.push(`  ${dotNodeName(source)} -> ${dotNodeName(target)}${extra};`);
  }
  const updates = new Map(doc.updates.map(([position, shared]) => [position, shared]));
  graph.outputs.forEach(([node], position) => {
    if (node === undefined || node === null) {
      return;
    }
    const shared = updates.get(position);
    const label =
      shared === undefined
        ? `out ${position}`
        : `update ${nodeText(doc.nodes[String(shared)] ?? null)}`;
    lines.push(
      `  out${position} [label=${dotString(label)}, shape=plaintext, class="symlab-output"];`
    );
    lines.push(`  ${dotNodeName(node)} -> out${position} [style=dashed, arrowhead=none];`);
  });
  lines.push('}');
  return lines.join('\n');
}
