/**
 * The `[id X]` tags of a drawn graph, as `debugprint` prints them
 * (symlab/printing/debugprint.py), and what a search, a selection and the
 * trace relate: nodes matching a query, a node's counterparts at another step.
 *
 * Pure data: no DOM here, so the node tests exercise it directly.
 */
import { INodeEntry, IStepGraph, Trace } from './model';
import { nodeText } from './text';

/** debugprint's letters for the k-th node tagged: A..Z, AA..AZ, BA... */
export function charTag(k: number): string {
  let letters = '';
  let n = k + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/**
 * `{node id: letters}` as `debugprint` tags the nodes of `graph`: a
 * depth-first walk from the outputs in order, each node's inputs in input
 * order, a node tagged the first time its line is printed and its inputs
 * printed once. This is `debugprint(f.graph_at(k))` for step k, and
 * `debugprint(f)` for the last step (tests/tags.test.ts checks both against
 * debugprint's own text). Nodes no output reads get no tag.
 */
export function debugTags(graph: IStepGraph): Map<number, string> {
  const inputs = new Map<number, Array<[number, number]>>();
  for (const [source, target, position] of graph.edges) {
    const list = inputs.get(target) ?? [];
    list.push([position, source]);
    inputs.set(target, list);
  }
  const tags = new Map<number, string>();
  const expanded = new Set<number>();
  for (const [out] of graph.outputs) {
    const stack = [out];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (!tags.has(id)) {
        tags.set(id, charTag(tags.size));
      }
      if (expanded.has(id)) {
        continue;
      }
      expanded.add(id);
      const ins = (inputs.get(id) ?? []).slice().sort((a, b) => a[0] - b[0]);
      for (let i = ins.length - 1; i >= 0; i--) {
        stack.push(ins[i][1]);
      }
    }
  }
  return tags;
}

/** What a search query asks for (see `matchesQuery`). */
export interface IQuery {
  /** The text, lower case, to find in a node's name or op. */
  text: string;
  /** A node id (`42`, `id 42`), or null. */
  id: number | null;
  /** debugprint letters (`[id C]`, `C`), upper case, or null. */
  tag: string | null;
  /** Only the id or tag matches (the query was written `[id ...]`). */
  exact: boolean;
}

/** Read a search box's text: `[id C]`, `[id 42]`, `42`, `C`, or any name or op. */
export function parseQuery(raw: string): IQuery | null {
  const text = raw.trim();
  if (text === '') {
    return null;
  }
  const bracket = /^\[?\s*id\s+([A-Za-z]+|\d+)\s*\]?$/i.exec(text);
  const word = bracket ? bracket[1] : text;
  const id = /^\d+$/.test(word) ? Number(word) : null;
  const tag = /^[A-Za-z]+$/.test(word) ? word.toUpperCase() : null;
  return { text: text.toLowerCase(), id, tag, exact: bracket !== null };
}

/**
 * True when node `id` matches `query`: its id, its tag (letters, exactly), or
 * (unless the query was written `[id ...]`) its name, op or shown text
 * containing the query's text, ignoring case.
 */
export function matchesQuery(
  query: IQuery,
  id: number,
  entry: INodeEntry | null,
  tag: string | undefined
): boolean {
  if (query.id !== null && id === query.id) {
    return true;
  }
  if (query.tag !== null && tag === query.tag) {
    return true;
  }
  if (query.exact || query.id !== null) {
    return false;
  }
  const texts = [entry?.label, entry?.op, nodeText(entry, true)];
  return texts.some(t => typeof t === 'string' && t.toLowerCase().includes(query.text));
}

/**
 * The nodes of step `to` that node `id` of step `from` became (`from < to`)
 * or came from (`from > to`), following each event's replacement pairs and
 * rebuilt nodes in between; a node still present is its own counterpart.
 */
export function counterparts(trace: Trace, from: number, to: number, id: number): Set<number> {
  let set = new Set<number>([id]);
  const forward = from <= to;
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const events = trace.doc.events.slice(lo, hi);
  if (!forward) {
    events.reverse();
  }
  for (const event of events) {
    const links: Array<[number, number]> = [
      ...event.pairs.map(([a, b]) => [a[0], b[0]] as [number, number]),
      ...event.rebuilt
    ];
    const next = new Set(set);
    for (const [a, b] of links) {
      const [src, dst] = forward ? [a, b] : [b, a];
      if (set.has(src)) {
        next.add(dst);
      }
    }
    set = next;
  }
  const present = new Set(trace.graphAt(to).nodes);
  return new Set([...set].filter(n => present.has(n)));
}
