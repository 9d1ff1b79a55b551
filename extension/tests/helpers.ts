/** Shared helpers of the node tests: fixtures, and reading Graphviz SVG without a DOM. */
import * as fs from 'fs';
import * as path from 'path';

/** The extension folder (tests run from test-build/tests/). */
export const EXTENSION_DIR = path.resolve(__dirname, '..', '..');

export function fixture(name: string): any {
  return JSON.parse(
    fs.readFileSync(path.join(EXTENSION_DIR, 'tests', 'fixtures', name), 'utf8')
  );
}

/** Decode the XML entities Graphviz writes. */
export function decodeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Each drawn node of a Graphviz SVG: its title (DOT name), classes and texts. */
export function svgNodes(svg: string): Array<{ title: string; cls: string; texts: string[] }> {
  const nodes: Array<{ title: string; cls: string; texts: string[] }> = [];
  const re = /<g id="node\d+" class="([^"]*)">\s*<title>([^<]*)<\/title>([\s\S]*?)<\/g>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(svg)) !== null) {
    const texts = [...m[3].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(t => decodeXml(t[1]));
    nodes.push({ cls: decodeXml(m[1]), title: decodeXml(m[2]), texts });
  }
  return nodes;
}

let vizInstance: Promise<any> | null = null;

/** The same Graphviz build the extension bundles, loaded in node. */
export function viz(): Promise<any> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  vizInstance ??= require('@viz-js/viz').instance();
  return vizInstance as Promise<any>;
}

/** The markup of an SVG without its text: every tag, with its attributes. */
export function svgTags(svg: string): string[] {
  return [...svg.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<[^>]*>/g)].map(m => m[0]);
}

/** DOT text with every double-quoted string emptied, so only our own syntax is left. */
export function stripDotStrings(dot: string): string {
  return dot.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}
