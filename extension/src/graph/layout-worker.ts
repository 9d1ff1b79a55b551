/**
 * The layout worker: Graphviz (the WebAssembly build of `@viz-js/viz`) run
 * in a Web Worker, so that laying out a big graph never blocks the page.
 *
 * Protocol (see `layout.ts`): the page posts `{ id, dot }`; the worker
 * answers `{ id, svg }` (Graphviz's SVG text) or `{ id, error }`. Graphviz is
 * loaded on the first request and kept. A request is never interrupted: the
 * page terminates a worker whose answer it no longer wants.
 */
import { instance } from '@viz-js/viz';

/** What this module sees of the worker's global scope (the DOM typings are in use). */
interface IWorkerScope {
  onmessage: ((event: { data: { id: number; dot: string } }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as IWorkerScope;
let vizPromise: ReturnType<typeof instance> | null = null;

scope.onmessage = event => {
  const { id, dot } = event.data;
  if (vizPromise === null) {
    vizPromise = instance();
  }
  vizPromise
    .then(viz => {
      const started = Date.now();
      const svg = viz.renderString(dot, { format: 'svg' });
      scope.postMessage({ id, svg, ms: Date.now() - started });
    })
    .catch((err: unknown) => scope.postMessage({ id, error: String(err) }));
};
