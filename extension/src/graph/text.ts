/**
 * The text a drawing shows for nodes, shapes and values, and HTML escaping.
 *
 * Views put user text into the page with `textContent` (never `innerHTML`),
 * so it cannot become markup; `escapeHtml` is for the rare place that builds
 * markup as a string.
 */
import { INodeEntry, IStepGraph } from './model';

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** True for a fused elementwise node (its op text starts with `fused{`). */
export function isFused(entry: INodeEntry | null): boolean {
  return !!entry && entry.kind === 'apply' && (entry.op ?? '').startsWith('fused{');
}

/** True for a node holding inner graphs (a scan's step, an ifelse's branches) to open. */
export function hasInner(entry: INodeEntry | null): boolean {
  return !!entry && Array.isArray(entry.inner) && entry.inner.length > 0;
}

/** How many characters of a fused node's op text a collapsed box shows. */
export const FUSED_COLLAPSED_CHARS = 24;

/**
 * The text a box shows: an apply node's op; a leaf's label, else its value
 * (an unnamed constant), else its type. A fused node is shortened unless
 * `expanded`.
 */
export function nodeText(entry: INodeEntry | null, expanded = false): string {
  if (!entry) {
    return '?';
  }
  if (entry.kind === 'apply') {
    const op = entry.op ?? '?';
    if (isFused(entry) && !expanded && op.length > FUSED_COLLAPSED_CHARS) {
      return op.slice(0, FUSED_COLLAPSED_CHARS - 1) + '\u2026}';
    }
    return op;
  }
  return entry.label ?? entry.value ?? entry.type ?? '?';
}

/** Break a long text into lines of at most `width` characters, at spaces when possible. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) {
      cut = width;
    }
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  lines.push(rest);
  return lines;
}

/** A static shape as Python prints a tuple, `?` for unknown sizes: `(?, 3)`. */
export function formatShape(shape: Array<number | null> | null | undefined): string {
  if (!shape) {
    return '\u2014';
  }
  const parts = shape.map(d => (d === null ? '?' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/** A number in at most `digits` significant digits; `null` and NaN as dashes. */
export function formatNumber(x: unknown, digits = 4): string {
  if (typeof x !== 'number') {
    return x === null || x === undefined ? '\u2014' : String(x);
  }
  if (Number.isNaN(x)) {
    return 'nan';
  }
  if (!Number.isFinite(x)) {
    return x > 0 ? 'inf' : '-inf';
  }
  if (Number.isInteger(x) && Math.abs(x) < 1e9) {
    return String(x);
  }
  return Number(x.toPrecision(digits)).toString();
}

/** Counts of a graph's nodes by op (leaves by kind), most frequent first. */
export function opCounts(
  graph: IStepGraph,
  node: (id: number) => INodeEntry | null
): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const id of graph.nodes) {
    const entry = node(id);
    const key = !entry
      ? '?'
      : entry.kind === 'apply'
        ? isFused(entry)
          ? 'fused{\u2026}'
          : entry.op ?? '?'
        : `(${entry.kind})`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
