/**
 * The legend of a graph view: what the drawing's colours, borders and
 * shapes mean (dot.ts writes the shapes; style/index.css and graph.css the
 * colours). Each entry is a small swatch drawn by CSS and its text.
 */
import { el } from './dom';

/** `[swatch class, text]` of each entry, in the order shown. */
export const LEGEND: Array<[string, string]> = [
  ['removed', 'red: removed by the event shown (before panel)'],
  ['added', 'green: added by the event shown (after panel)'],
  ['replaced', 'dashed border: the value the rewrite replaced, or put in its place'],
  ['output', 'dashed line: an output of the function (out k, or the update of a shared variable)'],
  ['inner', 'double border: holds inner graphs (scan, ifelse): double-click to open'],
  ['shared', 'cylinder: a shared variable'],
  ['input', 'ellipse: an input'],
  ['constant', 'grey box: a constant'],
  ['fused', '3-D box: fused elementwise ops'],
  ['selected', 'blue border: selected; its counterparts in the other panel in orange']
];

/** The legend element: a list of swatches and texts (all text via textContent). */
export function legendElement(): HTMLElement {
  const details = el('details', 'symlab-graph-legend');
  details.open = true;
  const summary = el('summary', 'symlab-graph-legend-title', 'legend');
  const list = el('ul', 'symlab-graph-legend-list');
  for (const [kind, text] of LEGEND) {
    const item = el('li', `symlab-legend-item symlab-legend-${kind}`);
    item.setAttribute('data-legend', kind);
    const swatch = el('span', `symlab-legend-swatch symlab-legend-swatch-${kind}`);
    swatch.setAttribute('aria-hidden', 'true');
    item.append(swatch, el('span', 'symlab-legend-text', text));
    list.append(item);
  }
  details.append(summary, list);
  return details;
}
