/**
 * Inner graphs (a scan's step graph, an ifelse's branches): the texts the
 * graph view shows when it opens one (the breadcrumb, the buttons, how the
 * inner inputs and outputs connect to the node holding the graph).
 *
 * Pure data: no DOM here, so the node tests in tests/ exercise it directly.
 * Every text is plain text, for `textContent`: names stay as the user wrote
 * them, markup included.
 */
import { IInnerGraph, INodeEntry, IStepGraph, Trace, Value } from './model';
import { nodeText } from './text';

/** What separates the breadcrumb's parts: ` › `. */
export const CRUMB_SEPARATOR = ' \u203A ';

/** The name of an inner graph by its role: `step graph`, `then branch`, `else branch`. */
export function roleText(role: string): string {
  switch (role) {
    case 'step':
      return 'step graph';
    case 'then':
    case 'else':
      return `${role} branch`;
    default:
      return `${role} graph`;
  }
}

/** The text of the button opening an inner graph: `open step graph`, `open then branch`. */
export function openInnerText(role: string): string {
  return `open ${roleText(role)}`;
}

/** A node as the breadcrumb and the details name it: `scan [id 42]`. */
export function nodeRef(entry: INodeEntry | null, id: number): string {
  return `${nodeText(entry)} [id ${id}]`;
}

/**
 * A value as debugprint names it: `W [id 7]`, or `scan.1 [id 42]` for output
 * 1 of a node with several outputs.
 */
export function valueRef(entry: INodeEntry | null, value: Value): string {
  const [id, index] = value;
  const several = (entry?.outputs?.length ?? 0) > 1 || index !== 0;
  return `${nodeText(entry)}${several ? `.${index}` : ''} [id ${id}]`;
}

/** One level of nesting: the node opened, and which of its inner graphs. */
export interface IInnerLevel {
  /** The node holding the inner graph (an entry of the outer level's table). */
  node: INodeEntry;
  /** The inner graph's role. */
  role: string;
}

/** A part of the breadcrumb: its text, and the level clicking it shows (0: the outermost graph). */
export interface ICrumb {
  text: string;
  depth: number;
}

/**
 * The breadcrumb of a view opened `levels.length` deep, from the outermost
 * graph (`rootName`, the function's name, or `graph`): for each level the
 * node opened (clicking it shows the level holding it) and the role of the
 * graph opened (the last is the graph shown).
 * `rnn › scan [id 42] › step`.
 */
export function breadcrumb(rootName: string | null, levels: IInnerLevel[]): ICrumb[] {
  const crumbs: ICrumb[] = [{ text: rootName ?? 'graph', depth: 0 }];
  levels.forEach((level, i) => {
    crumbs.push({ text: nodeRef(level.node, level.node.id), depth: i });
    crumbs.push({ text: level.role, depth: i + 1 });
  });
  return crumbs;
}

/** The breadcrumb as one line of text. */
export function breadcrumbText(crumbs: ICrumb[]): string {
  return crumbs.map(c => c.text).join(CRUMB_SEPARATOR);
}

/**
 * The values feeding node `id`, by input position, read from the first of
 * `steps` whose graph holds the node (an apply node's inputs never change
 * while it is in the graph), else from any step of the trace. Empty if the
 * node is in no graph of the trace.
 */
export function nodeInputs(trace: Trace, id: number, steps: number[] = []): Map<number, Value> {
  const candidates = [...steps, ...Array.from({ length: trace.length + 1 }, (_, k) => k)];
  for (const k of candidates) {
    if (!Number.isInteger(k) || k < 0 || k > trace.length) {
      continue;
    }
    const graph = trace.graphAt(k);
    if (!graph.nodes.includes(id)) {
      continue;
    }
    const inputs = new Map<number, Value>();
    for (const [source, target, position, index] of graph.edges) {
      if (target === id && !inputs.has(position)) {
        inputs.set(position, [source, index]);
      }
    }
    return inputs;
  }
  return new Map();
}

/** How an opened inner graph connects to the node holding it. */
export interface IInnerContext {
  /** The node holding the graph. */
  outer: INodeEntry;
  /** The inner graph (its role, outer inputs and outputs). */
  inner: IInnerGraph;
  /** The values feeding the node, by input position (`nodeInputs`). */
  inputs: ReadonlyMap<number, Value>;
  /** The outer document's node entries. */
  outerNode: (id: number) => INodeEntry | null;
}

/**
 * Where inner input `i` comes from: `fed by outer input 2: W [id 7]`
 * (`fed by outer input 2` when the value is not known, `fed by no outer
 * input` when none feeds it).
 */
export function fedByText(ctx: IInnerContext, i: number): string {
  const position = ctx.inner.outerInputs[i];
  if (position === null || position === undefined) {
    return 'fed by no outer input';
  }
  const value = ctx.inputs.get(position);
  if (value === undefined) {
    return `fed by outer input ${position}`;
  }
  return `fed by outer input ${position}: ${valueRef(ctx.outerNode(value[0]), value)}`;
}

/**
 * What inner output `j` becomes: `becomes output 0 of scan [id 42]` (with
 * the output's name when it has one), or `not an output of scan [id 42]`.
 */
export function becomesText(ctx: IInnerContext, j: number): string {
  const position = ctx.inner.outerOutputs[j];
  const holder = nodeRef(ctx.outer, ctx.outer.id);
  if (position === null || position === undefined) {
    return `not an output of ${holder}`;
  }
  const label =
    ctx.outer.outputs?.[position]?.label ?? (position === 0 ? ctx.outer.label : null);
  return `becomes output ${position} of ${holder}${label ? ` '${label}'` : ''}`;
}

/**
 * The details an inner node adds to the node panel: where it comes from
 * when it is an inner input (`outer input`), what it becomes when it is an
 * inner output (`outer output`, one line per output it is), in `graph` (the
 * inner graph at a step shown).
 */
export function innerNodeRows(
  ctx: IInnerContext,
  graphs: IStepGraph[],
  id: number
): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const fed = new Set<string>();
  const becomes = new Set<string>();
  for (const graph of graphs) {
    graph.inputs.forEach((input, i) => {
      if (input === id) {
        fed.add(fedByText(ctx, i));
      }
    });
    graph.outputs.forEach(([node], j) => {
      if (node === id) {
        becomes.add(`inner output ${j}: ${becomesText(ctx, j)}`);
      }
    });
  }
  if (fed.size > 0) {
    rows.push(['outer input', [...fed].join('\n')]);
  }
  if (becomes.size > 0) {
    rows.push(['outer output', [...becomes].join('\n')]);
  }
  return rows;
}

/** One line of the connections list of an opened inner graph. */
export interface IConnection {
  /** `input` or `output`. */
  kind: 'input' | 'output';
  /** The inner node (an input, or the node giving the output). */
  id: number;
  /** The input's or output's position in the inner graph. */
  position: number;
  text: string;
}

/**
 * Every connection of an inner graph (`graph`: the graph at a step) to the
 * node holding it: `x[t] [id 3] ← fed by outer input 1: x [id 1]`, then
 * `out 0: fused{…} [id 34] → becomes output 0 of scan [id 42]`.
 */
export function innerConnections(
  ctx: IInnerContext,
  graph: IStepGraph,
  node: (id: number) => INodeEntry | null
): IConnection[] {
  const lines: IConnection[] = graph.inputs.map((id, i) => ({
    kind: 'input',
    id,
    position: i,
    text: `${nodeRef(node(id), id)} \u2190 ${fedByText(ctx, i)}`
  }));
  graph.outputs.forEach(([id, index], j) => {
    lines.push({
      kind: 'output',
      id,
      position: j,
      text: `out ${j}: ${valueRef(node(id), [id, index])} \u2192 ${becomesText(ctx, j)}`
    });
  });
  return lines;
}
