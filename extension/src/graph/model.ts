/**
 * The JSON graph document (docs/json-graph.md) as types, its validation, and
 * the graph at any step of the trace, rebuilt from `before` and the events.
 *
 * Pure data: no DOM here, so the node tests in tests/ exercise it directly.
 */

/** A value: `[node id, output index]`. */
export type Value = [number, number];

/** An edge: `[source id, target id, input position, source output index]`. */
export type Edge = [number, number, number, number];

export type NodeKind = 'apply' | 'input' | 'constant' | 'shared';

/** A variable's test value, summarized (present only in graphs built with test values). */
export interface ITestValue {
  dtype: string;
  shape: number[] | null;
}

export interface INodeOutput {
  label: string | null;
  type: string;
  dtype: string | null;
  shape: Array<number | null> | null;
  test_value?: ITestValue;
}

/** One entry of the document's node table. */
export interface INodeEntry {
  id: number;
  kind: NodeKind;
  op: string | null;
  label: string | null;
  type: string;
  dtype: string | null;
  shape: Array<number | null> | null;
  value: string | null;
  outputs?: INodeOutput[];
  /** The test value's dtype and shape, drawn on the node's outgoing edges. */
  test_value?: ITestValue;
  /** The innermost group holding the node (an id of the document's `groups`). */
  group?: string;
  /** The index in the document's `sources` of the line where the node was made. */
  origin?: number;
  /**
   * The graphs the node's op holds (a scan's step, an ifelse's branches),
   * read and validated by `validateDocument`; absent when it holds none.
   */
  inner?: IInnerGraph[];
}

/**
 * One entry of a node's `inner` (docs/json-graph.md, "Inner graphs"), as
 * `validateDocument` reads it: a problem with it (or with the document it
 * holds) is kept in `graph` as a message, for the nested view to show; it
 * never makes the outer document invalid.
 */
export interface IInnerGraph {
  /** `"step"`, `"then"`, `"else"` (or another text a newer core writes). */
  role: string;
  /** Per inner input: the position among the node's inputs of the value feeding it, or null. */
  outerInputs: Array<number | null>;
  /** Per inner output: the node's output it becomes, or null. */
  outerOutputs: Array<number | null>;
  /** The inner document, validated the same way (and its own inner graphs, recursively). */
  graph: ValidationResult;
}

/** `before` or `after`: one whole graph. */
export interface IGraph {
  inputs: number[];
  nodes: number[];
  edges: Edge[];
  outputs: Value[];
}

/** One rewrite of the trace. */
export interface IEvent {
  index: number;
  pass: string;
  rewrite: string;
  pairs: Array<[Value, Value]>;
  removed: number[];
  added: number[];
  /** `[old id, new id]`: nodes rebuilt downstream, derived from the old ones (version 2). */
  rebuilt: Array<[number, number]>;
  edges: Edge[];
  outputs: Array<[number, number, number]>;
}

/** The whole document, as `symlab.printing.to_json` makes it (version 2). */
export interface IGraphDocument {
  version: number;
  name: string | null;
  nodes: { [id: string]: INodeEntry };
  before: IGraph;
  after: IGraph | null;
  events: IEvent[];
  updates: Array<[number, number]>;
  /** Groups of nodes (version 2 and 3 documents may have them; empty when absent). */
  groups: IGroup[];
  /** `[file, line, text]` of the user lines where nodes were made. */
  sources: Array<[string, number, string]>;
}

/** The format version `to_json` writes. */
export const FORMAT_VERSION = 2;

/**
 * The versions this front end reads: version 1 is version 2 with no rebuilt
 * nodes; version 3 (`to_json(f, compact=True)`, what the widget sends) writes
 * id lists with runs, `rebuilt` as `{old, new}` and leaves out the output
 * changes that pairs and rebuilt nodes imply. It is read into version 2.
 */
export const READABLE_VERSIONS = [1, 2, 3];

/** One group of nodes (docs/json-graph.md, "Groups"). */
export interface IGroup {
  id: string;
  label: string;
  kind: string;
  parent: string | null;
}

/** The plain id list of a list that may hold `[first, step, count]` runs; null if malformed. */
export function readIds(items: unknown): number[] | null {
  if (!Array.isArray(items)) {
    return null;
  }
  const ids: number[] = [];
  for (const item of items) {
    if (isInt(item)) {
      ids.push(item);
    } else if (isIntList(item, 3) && item[2] >= 0 && item[2] <= 10_000_000) {
      for (let k = 0; k < item[2]; k++) {
        ids.push(item[0] + k * item[1]);
      }
    } else {
      return null;
    }
  }
  return ids;
}

/**
 * The events of a version-3 document written out as version 2 (or a message
 * saying what is malformed). `outputCount` is the number of outputs of `before`.
 */
function readCompactEvents(events: unknown[], before: Value[]): unknown[] | string {
  let outputs = before.map(v => [v[0], v[1]] as Value);
  const out: unknown[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!isObject(e)) {
      return `event ${i} is not an object`;
    }
    const removed = readIds(e.removed);
    const added = readIds(e.added);
    const rb = isObject(e.rebuilt) ? e.rebuilt : { old: [], new: [] };
    const olds = readIds(rb.old);
    const news = readIds(rb.new);
    if (!removed || !added || !olds || !news || olds.length !== news.length) {
      return `event ${i}: removed, added or rebuilt is not a list of node ids`;
    }
    const pairs = Array.isArray(e.pairs) ? (e.pairs as Array<[Value, Value]>) : [];
    const replaced = new Map<string, Value>();
    for (const p of pairs) {
      if (Array.isArray(p) && isIntList(p[0], 2) && isIntList(p[1], 2)) {
        replaced.set(`${p[0][0]}:${p[0][1]}`, p[1]);
      }
    }
    const renamed = new Map<number, number>(olds.map((o, k) => [o, news[k]]));
    const implied = outputs.map(
      ([n, x]) => replaced.get(`${n}:${x}`) ?? ([renamed.get(n) ?? n, x] as Value)
    );
    const listed = Array.isArray(e.outputs) ? e.outputs : [];
    for (const change of listed) {
      if (!isIntList(change, 3) || change[0] < 0 || change[0] >= implied.length) {
        return `event ${i}.outputs is not a list of [position, node id, index]`;
      }
      implied[change[0]] = [change[1], change[2]];
    }
    const changes = implied
      .map(([n, x], p) => [p, n, x])
      .filter(([p, n, x]) => outputs[p][0] !== n || outputs[p][1] !== x);
    outputs = implied;
    out.push({
      ...e,
      removed,
      added,
      rebuilt: olds.map((o, k) => [o, news[k]]),
      outputs: changes
    });
  }
  return out;
}

/**
 * Graphs with more nodes than this are summarized, not drawn. The limit is
 * per graph: an inner graph counts its own nodes, not its outer graph's.
 */
export const MAX_DRAWN_NODES = 2000;

/** True when a graph is over the drawing limit (it is summarized instead). */
export function overDrawingLimit(graph: { nodes: readonly unknown[] }): boolean {
  return graph.nodes.length > MAX_DRAWN_NODES;
}

/**
 * How deep inner graphs are read: the document is level 0, a scan's step
 * graph level 1, a loop inside that step level 2... An inner graph deeper
 * than this is not validated; its entry says so.
 */
export const MAX_INNER_DEPTH = 8;

export type ValidationResult =
  | { ok: true; doc: IGraphDocument }
  | { ok: false; error: string };

function isObject(x: unknown): x is { [key: string]: unknown } {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

function isIntList(x: unknown, length?: number): x is number[] {
  return (
    Array.isArray(x) &&
    (length === undefined || x.length === length) &&
    x.every(isInt)
  );
}

/** The message for a required field that is absent. */
function missingField(where: string, field: string): string {
  return `${where} has no "${field}" (a required field is missing)`;
}

function checkGraph(where: string, g: unknown): string | null {
  if (g === undefined) {
    return missingField('the graph document', where);
  }
  if (!isObject(g)) {
    return `${where} is not an object`;
  }
  for (const field of ['nodes', 'edges', 'outputs']) {
    if (g[field] === undefined) {
      return missingField(where, field);
    }
  }
  if (!isIntList(g.nodes)) {
    return `${where}.nodes is not a list of node ids`;
  }
  if (g.inputs !== undefined && !isIntList(g.inputs)) {
    return `${where}.inputs is not a list of node ids`;
  }
  if (!Array.isArray(g.edges) || !g.edges.every(e => isIntList(e, 4))) {
    return `${where}.edges is not a list of [source, target, position, index]`;
  }
  if (!Array.isArray(g.outputs) || !g.outputs.every(v => isIntList(v, 2))) {
    return `${where}.outputs is not a list of [node id, output index]`;
  }
  return null;
}

function checkEvent(where: string, e: unknown): string | null {
  if (!isObject(e)) {
    return `${where} is not an object`;
  }
  if (typeof e.pass !== 'string' || typeof e.rewrite !== 'string') {
    return `${where} has no pass or rewrite name`;
  }
  for (const field of ['removed', 'added', 'edges', 'outputs']) {
    if (e[field] === undefined) {
      return missingField(where, field);
    }
  }
  if (!isIntList(e.removed) || !isIntList(e.added)) {
    return `${where}.removed or .added is not a list of node ids`;
  }
  if (!Array.isArray(e.edges) || !e.edges.every(x => isIntList(x, 4))) {
    return `${where}.edges is not a list of [source, target, position, index]`;
  }
  if (!Array.isArray(e.outputs) || !e.outputs.every(x => isIntList(x, 3))) {
    return `${where}.outputs is not a list of [position, node id, index]`;
  }
  if (
    e.pairs !== undefined &&
    !(
      Array.isArray(e.pairs) &&
      e.pairs.every(
        p => Array.isArray(p) && p.length === 2 && isIntList(p[0], 2) && isIntList(p[1], 2)
      )
    )
  ) {
    return `${where}.pairs is not a list of [[node id, index], [node id, index]]`;
  }
  if (
    e.rebuilt !== undefined &&
    !(Array.isArray(e.rebuilt) && e.rebuilt.every(x => isIntList(x, 2)))
  ) {
    return `${where}.rebuilt is not a list of [old id, new id]`;
  }
  return null;
}

function checkNode(key: string, n: unknown): string | null {
  if (!isObject(n)) {
    return `node ${key} is not an object`;
  }
  if (n.kind === undefined) {
    return missingField(`node ${key}`, 'kind');
  }
  if (!['apply', 'input', 'constant', 'shared'].includes(n.kind as string)) {
    return `node ${key} has an unknown kind`;
  }
  for (const field of ['op', 'label', 'value', 'dtype']) {
    const v = n[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return `node ${key}: ${field} is not text`;
    }
  }
  if (n.type !== undefined && typeof n.type !== 'string') {
    return `node ${key}: type is not text`;
  }
  if (n.id !== undefined && n.id !== Number(key)) {
    return `node ${key} has the id ${JSON.stringify(n.id)}`;
  }
  if (!isShape(n.shape)) {
    return `node ${key}: shape is not a list of sizes`;
  }
  if (n.outputs !== undefined) {
    if (!Array.isArray(n.outputs)) {
      return `node ${key}: outputs is not a list`;
    }
    for (const [i, out] of n.outputs.entries()) {
      if (
        !isObject(out) ||
        !isShape(out.shape) ||
        ['label', 'type', 'dtype'].some(
          f => out[f] !== undefined && out[f] !== null && typeof out[f] !== 'string'
        )
      ) {
        return `node ${key}: output ${i} is not a label, type and shape`;
      }
    }
  }
  return null;
}

/** A static shape: absent, null, or a list of sizes (an integer, or null for unknown). */
function isShape(x: unknown): boolean {
  return (
    x === undefined ||
    x === null ||
    (Array.isArray(x) && x.every(d => d === null || isInt(d)))
  );
}

/**
 * Check that `raw` is a graph document (version 1 or 2) a view can draw, and
 * fill in the optional parts (`after`, `events`, `rebuilt`, `updates`,
 * `name`) and the table entries of rebuilt nodes, each a copy of its
 * original's entry under the new id. Unknown keys are ignored, as the format
 * asks. Never throws: a bad payload gives a message. The returned document's
 * `nodes` is a new object; `raw` is not changed.
 *
 * The `inner` graphs of apply nodes are validated too, by this function,
 * recursively (`depth` is the level of `raw`; see MAX_INNER_DEPTH). A bad
 * inner graph does not make the document invalid: its entry holds the
 * message (see IInnerGraph).
 */
export function validateDocument(raw: unknown, depth = 0): ValidationResult {
  if (VALIDATED.has(raw as object)) {
    return { ok: true, doc: raw as IGraphDocument };
  }
  if (!isObject(raw)) {
    return { ok: false, error: 'the graph document is not a JSON object' };
  }
  if (!READABLE_VERSIONS.includes(raw.version as number)) {
    return {
      ok: false,
      error: `unsupported graph format version ${JSON.stringify(
        raw.version ?? null
      )} (this front end reads versions ${READABLE_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_VERSIONS[READABLE_VERSIONS.length - 1]})`
    };
  }
  if (raw.nodes === undefined) {
    return { ok: false, error: missingField('the graph document', 'nodes') };
  }
  if (!isObject(raw.nodes)) {
    return { ok: false, error: 'the graph document has no node table' };
  }
  const table: { [id: string]: unknown } = { ...raw.nodes };
  for (const key of Object.keys(table)) {
    const problem = checkNode(key, table[key]);
    if (problem) {
      return { ok: false, error: problem };
    }
    // The id is the key (the format writes both); fill it in if left out.
    table[key] = { ...(table[key] as object), id: Number(key) };
  }
  const problem =
    checkGraph('before', raw.before) ??
    (raw.after === undefined || raw.after === null
      ? null
      : checkGraph('after', raw.after));
  if (problem) {
    return { ok: false, error: problem };
  }
  const rawEvents = raw.events ?? [];
  if (!Array.isArray(rawEvents)) {
    return { ok: false, error: 'events is not a list' };
  }
  let events: any[] = rawEvents;
  if (raw.version === 3) {
    const read = readCompactEvents(events, (raw.before as unknown as IGraph).outputs);
    if (typeof read === 'string') {
      return { ok: false, error: read };
    }
    events = read;
  }
  for (let i = 0; i < events.length; i++) {
    const bad = checkEvent(`event ${i}`, events[i]);
    if (bad) {
      return { ok: false, error: bad };
    }
  }
  const outputCount = (raw.before as unknown as IGraph).outputs.length;
  for (let i = 0; i < events.length; i++) {
    for (const [position] of events[i].outputs as Array<[number, number, number]>) {
      if (position < 0 || position >= outputCount) {
        return {
          ok: false,
          error: `event ${i} changes output ${position}, but the graph has ${outputCount} output${
            outputCount === 1 ? '' : 's'
          }`
        };
      }
    }
  }
  for (let i = 0; i < events.length; i++) {
    for (const [old, id] of (events[i].rebuilt ?? []) as Array<[number, number]>) {
      const original = table[String(old)];
      if (!isObject(original)) {
        return {
          ok: false,
          error: `event ${i} rebuilds node ${old}, which has no entry`
        };
      }
      table[String(id)] = { ...original, id };
    }
  }
  const missing = (ids: number[]): number | undefined =>
    ids.find(id => !Object.prototype.hasOwnProperty.call(table, String(id)));
  const graphs = [raw.before, raw.after].filter(isObject) as unknown as IGraph[];
  for (const g of graphs) {
    const id = missing(g.nodes);
    if (id !== undefined) {
      return { ok: false, error: `node ${id} is not in the node table` };
    }
  }
  for (const e of events as IEvent[]) {
    const id = missing(e.added);
    if (id !== undefined) {
      return { ok: false, error: `node ${id} is not in the node table` };
    }
  }
  // Inner graphs, read once per `inner` list (a rebuilt node's entry shares
  // its original's list).
  const readInners = new Map<unknown, IInnerGraph[]>();
  for (const key of Object.keys(table)) {
    const entry = table[key] as { [field: string]: unknown };
    if (entry.inner === undefined) {
      continue;
    }
    const { inner, ...rest } = entry;
    if (entry.kind !== 'apply') {
      table[key] = rest; // only ops hold graphs; a leaf's "inner" is ignored
      continue;
    }
    let read = readInners.get(inner);
    if (read === undefined) {
      read = readInnerList(key, inner, depth);
      readInners.set(inner, read);
    }
    table[key] = read.length > 0 ? { ...rest, inner: read } : rest;
  }
  const before = raw.before as unknown as IGraph;
  const doc: IGraphDocument = {
    version: FORMAT_VERSION,
    name: typeof raw.name === 'string' ? raw.name : null,
    nodes: table as unknown as { [id: string]: INodeEntry },
    before: { ...before, inputs: before.inputs ?? [] },
    after: isObject(raw.after)
      ? {
          ...(raw.after as unknown as IGraph),
          inputs: (raw.after as unknown as IGraph).inputs ?? []
        }
      : null,
    events: (events as IEvent[]).map((e, i) => ({
      ...e,
      index: isInt(e.index) ? e.index : i,
      pairs: Array.isArray(e.pairs) ? e.pairs : [],
      rebuilt: Array.isArray(e.rebuilt) ? e.rebuilt : []
    })),
    groups: Array.isArray(raw.groups)
      ? (raw.groups as unknown[]).filter(
          (g): g is IGroup =>
            isObject(g) &&
            typeof g.id === 'string' &&
            typeof g.label === 'string' &&
            (g.parent === null || g.parent === undefined || typeof g.parent === 'string')
        ).map(g => ({ id: g.id, label: g.label, kind: String(g.kind ?? ''), parent: g.parent ?? null }))
      : [],
    sources: Array.isArray(raw.sources)
      ? (raw.sources as unknown[]).map(x =>
          Array.isArray(x) && x.length === 3
            ? ([String(x[0]), Number(x[1]), String(x[2])] as [string, number, string])
            : (['?', 0, ''] as [string, number, string])
        )
      : [],
    updates: Array.isArray(raw.updates)
      ? (raw.updates as unknown[]).filter(u => isIntList(u, 2)) as Array<
          [number, number]
        >
      : []
  };
  VALIDATED.add(doc);
  return { ok: true, doc };
}

/**
 * The documents `validateDocument` returned: given one of them again (the
 * MIME renderer validates a payload, then hands the view the result), it
 * returns it as it is rather than reading its already-read `inner` fields
 * as raw ones.
 */
const VALIDATED = new WeakSet<object>();

/** The role shown for an inner entry whose role is not given as text. */
const UNKNOWN_ROLE = 'inner';

/** A list of input or output positions: integers >= 0, or null. */
function isPositionList(x: unknown): x is Array<number | null> {
  return Array.isArray(x) && x.every(p => p === null || (isInt(p) && p >= 0));
}

/**
 * Read a node's `inner` field: one IInnerGraph per entry, each holding its
 * validated document or the message saying why it cannot be shown.
 */
function readInnerList(key: string, raw: unknown, depth: number): IInnerGraph[] {
  const broken = (role: string, error: string): IInnerGraph => ({
    role,
    outerInputs: [],
    outerOutputs: [],
    graph: { ok: false, error }
  });
  if (!Array.isArray(raw)) {
    return [broken(UNKNOWN_ROLE, `node ${key}: inner is not a list of inner graphs`)];
  }
  return raw.map((item: unknown, i: number): IInnerGraph => {
    const where = `node ${key}: inner graph ${i}`;
    if (!isObject(item)) {
      return broken(UNKNOWN_ROLE, `${where} is not an object`);
    }
    if (typeof item.role !== 'string' || item.role === '') {
      return broken(UNKNOWN_ROLE, `${where} has no role (step, then or else)`);
    }
    const role = item.role;
    for (const field of ['outer_inputs', 'outer_outputs', 'graph']) {
      if (item[field] === undefined) {
        return broken(role, missingField(where, field));
      }
    }
    if (!isPositionList(item.outer_inputs)) {
      return broken(role, `${where}: outer_inputs is not a list of input positions (or null)`);
    }
    if (!isPositionList(item.outer_outputs)) {
      return broken(role, `${where}: outer_outputs is not a list of output positions (or null)`);
    }
    const result: IInnerGraph = {
      role,
      outerInputs: item.outer_inputs.slice(),
      outerOutputs: item.outer_outputs.slice(),
      graph: { ok: false, error: '' }
    };
    if (depth + 1 > MAX_INNER_DEPTH) {
      result.graph = {
        ok: false,
        error: `inner graphs nested more than ${MAX_INNER_DEPTH} levels deep are not shown`
      };
      return result;
    }
    const graph = validateDocument(item.graph, depth + 1);
    if (graph.ok) {
      const inputs = graph.doc.before.inputs.length;
      const outputs = graph.doc.before.outputs.length;
      if (result.outerInputs.length !== inputs) {
        result.graph = {
          ok: false,
          error: `${where}: outer_inputs has ${result.outerInputs.length} entries, but the ${role} graph has ${inputs} input${inputs === 1 ? '' : 's'}`
        };
        return result;
      }
      if (result.outerOutputs.length !== outputs) {
        result.graph = {
          ok: false,
          error: `${where}: outer_outputs has ${result.outerOutputs.length} entries, but the ${role} graph has ${outputs} output${outputs === 1 ? '' : 's'}`
        };
        return result;
      }
    }
    result.graph = graph;
    return result;
  });
}

/** The graph at one step: node ids in order, edges, outputs. */
export interface IStepGraph {
  inputs: number[];
  nodes: number[];
  edges: Edge[];
  outputs: Value[];
}

/**
 * The edges into the nodes `event` rebuilds: each old node's edges at this
 * step, with the source seen through the event (its `pairs` partner if it
 * has one, else its rebuilt copy). docs/json-graph.md, "Rebuilt nodes".
 */
export function rebuiltEdges(graph: IStepGraph, event: IEvent): Edge[] {
  if (event.rebuilt.length === 0) {
    return [];
  }
  const renamed = new Map<number, number>(event.rebuilt);
  const replaced = new Map<string, Value>();
  for (const [[node, index], value] of event.pairs) {
    replaced.set(`${node}:${index}`, value);
  }
  const derived: Edge[] = [];
  for (const [source, target, position, index] of graph.edges) {
    const copy = renamed.get(target);
    if (copy !== undefined) {
      const [s, i] = replaced.get(`${source}:${index}`) ?? [
        renamed.get(source) ?? source,
        index
      ];
      derived.push([s, copy, position, i]);
    }
  }
  return derived;
}

/** Step k to step k + 1 by event k (docs/json-graph.md, "Rebuilding"). */
export function applyEvent(graph: IStepGraph, event: IEvent): IStepGraph {
  const derived = rebuiltEdges(graph, event);
  const gone = new Set(event.removed);
  const present = new Set<number>();
  const nodes: number[] = [];
  for (const id of graph.nodes) {
    if (!gone.has(id) && !present.has(id)) {
      nodes.push(id);
      present.add(id);
    }
  }
  for (const id of event.added) {
    if (!present.has(id)) {
      nodes.push(id);
      present.add(id);
    }
  }
  const edges = graph.edges
    .filter(([source, target]) => !gone.has(source) && !gone.has(target))
    .concat(event.edges, derived);
  // Outputs follow the event's pairs and rebuilt nodes (what version 3 leaves
  // implied; version 2 lists these changes too, with the same result).
  const renamed = new Map<number, number>(event.rebuilt);
  const replaced = new Map<string, Value>();
  for (const [[node, index], value] of event.pairs) {
    replaced.set(`${node}:${index}`, value);
  }
  const outputs = graph.outputs.map(
    ([n, x]) => replaced.get(`${n}:${x}`) ?? ([renamed.get(n) ?? n, x] as Value)
  );
  for (const [position, node, index] of event.outputs) {
    outputs[position] = [node, index];
  }
  return { inputs: graph.inputs, nodes, edges, outputs };
}

/**
 * The steps of a document's trace: step 0 is `before`, step k the graph
 * after the first k events. Steps are computed once, in order, and kept.
 */
export class Trace {
  private readonly _steps: IStepGraph[];

  constructor(readonly doc: IGraphDocument) {
    const b = doc.before;
    this._steps = [
      {
        inputs: b.inputs.slice(),
        nodes: b.nodes.slice(),
        edges: b.edges.slice(),
        outputs: b.outputs.slice()
      }
    ];
  }

  /** The number of events: steps go from 0 to this. */
  get length(): number {
    return this.doc.events.length;
  }

  /** The graph after the first `k` events. */
  graphAt(k: number): IStepGraph {
    if (!Number.isInteger(k) || k < 0 || k > this.length) {
      throw new RangeError(`step ${k} is outside 0..${this.length}`);
    }
    while (this._steps.length <= k) {
      const last = this._steps[this._steps.length - 1];
      this._steps.push(applyEvent(last, this.doc.events[this._steps.length - 1]));
    }
    return this._steps[k];
  }

  /** The event that step `k` shows (the one leading to it), or null at step 0. */
  eventFor(k: number): IEvent | null {
    return k >= 1 && k <= this.length ? this.doc.events[k - 1] : null;
  }

  /** The node entry of an id, or null if the table lacks it. */
  node(id: number): INodeEntry | null {
    const entry = this.doc.nodes[String(id)];
    return entry === undefined ? null : entry;
  }
}

/** Clamp any number to a valid step of a trace of `length` events. */
export function clampStep(step: unknown, length: number): number {
  const k = typeof step === 'number' && Number.isFinite(step) ? Math.round(step) : 0;
  return Math.min(Math.max(k, 0), length);
}
