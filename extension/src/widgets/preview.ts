/**
 * Tiny value pictures: a sparkline for a 1-d preview, a heat map for a
 * 2-d one, and a histogram from counts and edges. SVG built with the DOM.
 */
import { formatNumber } from '../graph/text';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgEl<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: { [name: string]: string | number }
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  return node;
}

function finite(values: unknown[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** A sparkline (1-d), a heat map (2-d), or null when there is nothing to draw. */
export function previewElement(preview: unknown): SVGSVGElement | null {
  if (!Array.isArray(preview) || preview.length === 0) {
    return null;
  }
  if (preview.every(Array.isArray)) {
    return heatMap(preview as unknown[][]);
  }
  return sparkline(preview);
}

/** A polyline of the values, 100 x 24. */
export function sparkline(values: unknown[]): SVGSVGElement | null {
  const nums = finite(values);
  if (nums.length === 0) {
    return null;
  }
  const w = 100;
  const h = 24;
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  const span = hi - lo || 1;
  const svg = svgEl('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}` });
  svg.classList.add('symlab-sparkline');
  const n = values.length;
  const points: string[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'number' && Number.isFinite(v)) {
      const x = n === 1 ? w / 2 : (i / (n - 1)) * (w - 2) + 1;
      const y = h - 2 - ((v - lo) / span) * (h - 4);
      points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    }
  });
  svg.append(svgEl('polyline', { points: points.join(' '), fill: 'none' }));
  return svg;
}

/** A grid of cells shaded from the smallest value (light) to the largest (dark). */
export function heatMap(rows: unknown[][]): SVGSVGElement | null {
  const nums = finite(rows.flat());
  const cols = Math.max(...rows.map(r => r.length));
  if (nums.length === 0 || cols === 0) {
    return null;
  }
  const cell = Math.max(2, Math.min(10, Math.floor(120 / Math.max(cols, rows.length))));
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  const span = hi - lo || 1;
  const svg = svgEl('svg', {
    width: cols * cell,
    height: rows.length * cell,
    viewBox: `0 0 ${cols * cell} ${rows.length * cell}`
  });
  svg.classList.add('symlab-heatmap');
  rows.forEach((row, r) =>
    row.forEach((v, c) => {
      const ok = typeof v === 'number' && Number.isFinite(v);
      const t = ok ? ((v as number) - lo) / span : 0;
      const rect = svgEl('rect', {
        x: c * cell,
        y: r * cell,
        width: cell,
        height: cell,
        fill: ok ? `hsl(215, 70%, ${Math.round(92 - t * 62)}%)` : '#d33'
      });
      svg.append(rect);
    })
  );
  return svg;
}

/** Bars for `counts` between `edges` (counts.length + 1 edges). */
export function histogramElement(hist: unknown): SVGSVGElement | null {
  if (typeof hist !== 'object' || hist === null) {
    return null;
  }
  const counts = finite(((hist as any).counts as unknown[]) ?? []);
  const edges = finite(((hist as any).edges as unknown[]) ?? []);
  if (counts.length === 0) {
    return null;
  }
  const w = 240;
  const h = 60;
  const top = Math.max(...counts) || 1;
  const bw = w / counts.length;
  const svg = svgEl('svg', { width: w, height: h + 14, viewBox: `0 0 ${w} ${h + 14}` });
  svg.classList.add('symlab-rng-histogram');
  counts.forEach((c, i) => {
    const bh = (c / top) * h;
    const bar = svgEl('rect', {
      x: i * bw + 0.5,
      y: h - bh,
      width: Math.max(bw - 1, 1),
      height: bh,
      'data-count': c
    });
    bar.classList.add('symlab-rng-bar');
    svg.append(bar);
  });
  if (edges.length >= 2) {
    const left = svgEl('text', { x: 0, y: h + 11, 'font-size': 9 });
    left.textContent = formatNumber(edges[0], 3);
    const right = svgEl('text', { x: w, y: h + 11, 'font-size': 9, 'text-anchor': 'end' });
    right.textContent = formatNumber(edges[edges.length - 1], 3);
    svg.append(left, right);
  }
  return svg;
}
