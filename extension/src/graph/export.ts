/**
 * Export of a drawn panel: a standalone SVG file (the whole drawing, with
 * the theme's colours and the view's marks written into each element, since
 * the extension's stylesheet does not travel with the file) and a PNG drawn
 * from it on an offscreen canvas.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The computed style properties written into each exported element. */
const STYLE_PROPERTIES = [
  'fill',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'font-weight',
  'font-family',
  'font-size'
];

/** Pixels per point of an exported PNG (2: sharp on high-density screens). */
export const PNG_SCALE = 2;

/**
 * The standalone SVG text of a drawing shown in the page: all of it
 * (Graphviz's own viewBox, not the panel's zoom), sized in points, on
 * `background`, each element carrying its computed colours as attributes.
 */
export function exportSvgText(
  live: SVGSVGElement,
  home: { x: number; y: number; w: number; h: number },
  background: string
): string {
  const copy = live.cloneNode(true) as SVGSVGElement;
  const liveAll = [live, ...Array.from(live.querySelectorAll('*'))];
  const copyAll = [copy, ...Array.from(copy.querySelectorAll('*'))];
  liveAll.forEach((el, i) => {
    const target = copyAll[i];
    if (!target || el === live) {
      return;
    }
    const style = getComputedStyle(el);
    for (const prop of STYLE_PROPERTIES) {
      const value = style.getPropertyValue(prop);
      if (value) {
        target.setAttribute(prop, value);
      }
    }
    target.removeAttribute('style');
  });
  copy.removeAttribute('style');
  copy.removeAttribute('class');
  copy.setAttribute('xmlns', SVG_NS);
  copy.setAttribute('viewBox', `${home.x} ${home.y} ${home.w} ${home.h}`);
  copy.setAttribute('width', `${home.w}pt`);
  copy.setAttribute('height', `${home.h}pt`);
  copy.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('x', String(home.x));
  rect.setAttribute('y', String(home.y));
  rect.setAttribute('width', String(home.w));
  rect.setAttribute('height', String(home.h));
  rect.setAttribute('fill', background);
  copy.insertBefore(rect, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}

/**
 * A PNG of an exported SVG text, `width` by `height` points, drawn at
 * PNG_SCALE pixels a point on an offscreen canvas.
 */
export async function svgToPng(svgText: string, width: number, height: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const w = Math.max(1, Math.ceil(width * PNG_SCALE));
    const h = Math.max(1, Math.ceil(height * PNG_SCALE));
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(w, h);
      canvas.getContext('2d')!.drawImage(image, 0, 0, w, h);
      return await canvas.convertToBlob({ type: 'image/png' });
    }
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')!.drawImage(image, 0, 0, w, h);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(b => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png')
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Offer `blob` as a download named `filename` (the browser's save dialog or folder). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name for a panel's export: `train-after-step-3.svg`, safe characters only. */
export function exportName(name: string | null, side: string, step: number | null, ext: string): string {
  const base = (name ?? 'graph').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'graph';
  return `${base}-${side}${step === null ? '' : `-step-${step}`}.${ext}`;
}
