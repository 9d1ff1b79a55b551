/** The DOM helpers of the views live beside the shared graph view (src/graph/dom.ts). */
export { button, el, setShown } from '../graph/dom';
