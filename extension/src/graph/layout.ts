/**
 * Graph layout off the main thread: a small pool of Web Workers running
 * Graphviz (`layout-worker.ts`), so that JupyterLab stays responsive while a
 * big graph is laid out.
 *
 * The worker's script is a chunk of the extension's own bundle: webpack 5
 * sees `new Worker(new URL('./layout-worker.js', import.meta.url))` and emits
 * the worker (with its own Graphviz chunk) under the labextension's
 * `static/`, loaded from the same origin as the rest of the extension.
 *
 * A job can be cancelled (`ILayoutJob.cancel`): a queued one is dropped, a
 * running one's worker is terminated (Graphviz cannot be interrupted) and a
 * fresh worker takes its place. Where workers cannot be made (a page that
 * forbids them), layout falls back to the main thread.
 */
import type { Viz } from '@viz-js/viz';

/** How many workers lay out at once (two panels side by side). */
export const WORKER_COUNT = 2;

/** A layout request: its SVG text, and a way to say it is no longer wanted. */
export interface ILayoutJob {
  readonly result: Promise<string>;
  cancel(): void;
}

/** Raised (as the rejection) by a cancelled job. */
export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
  }
}

interface IJob {
  id: number;
  dot: string;
  resolve: (svg: string) => void;
  reject: (err: unknown) => void;
  slot: ISlot | null;
  done: boolean;
}

interface ISlot {
  worker: Worker;
  job: IJob | null;
}

let nextId = 1;
const queue: IJob[] = [];
const slots: ISlot[] = [];
let workersFailed = false;
let mainViz: Promise<Viz> | null = null;

/** The last layout times, in ms, as the workers measured them (newest last; for tests). */
export const layoutTimes: number[] = [];

function newWorker(): Worker {
  return new Worker(new URL('./layout-worker.js', import.meta.url));
}

function makeSlot(): ISlot | null {
  try {
    const slot: ISlot = { worker: newWorker(), job: null };
    listen(slot);
    return slot;
  } catch {
    workersFailed = true;
    return null;
  }
}

function listen(slot: ISlot): void {
  slot.worker.onmessage = (event: MessageEvent) => {
    const job = slot.job;
    const data = event.data as { id: number; svg?: string; error?: string; ms?: number };
    if (!job || job.id !== data.id) {
      return;
    }
    slot.job = null;
    job.done = true;
    if (typeof data.svg === 'string') {
      if (typeof data.ms === 'number') {
        layoutTimes.push(data.ms);
        layoutTimes.splice(0, Math.max(0, layoutTimes.length - 50));
      }
      job.resolve(data.svg);
    } else {
      job.reject(new Error(data.error ?? 'Graphviz failed'));
    }
    pump();
  };
  slot.worker.onerror = (event: ErrorEvent) => {
    event.preventDefault?.();
    const job = slot.job;
    replace(slot);
    if (job && !job.done) {
      job.done = true;
      job.reject(new Error(`the layout worker failed: ${event.message ?? 'unknown error'}`));
    }
    pump();
  };
}

/** Terminate a slot's worker and put a fresh one in its place. */
function replace(slot: ISlot): void {
  slot.worker.terminate();
  slot.job = null;
  try {
    slot.worker = newWorker();
    listen(slot);
  } catch {
    workersFailed = true;
    slots.splice(slots.indexOf(slot), 1);
  }
}

function pump(): void {
  while (queue.length > 0) {
    let slot = slots.find(s => s.job === null) ?? null;
    if (slot === null && slots.length < WORKER_COUNT && !workersFailed) {
      slot = makeSlot();
      if (slot) {
        slots.push(slot);
      }
    }
    if (slot === null) {
      if (slots.length === 0 && workersFailed) {
        queue.splice(0).forEach(job => runOnMainThread(job));
      }
      return;
    }
    const job = queue.shift()!;
    job.slot = slot;
    slot.job = job;
    slot.worker.postMessage({ id: job.id, dot: job.dot });
  }
}

/** Where no worker can run: Graphviz on the page's thread (it blocks while it lays out). */
function runOnMainThread(job: IJob): void {
  if (mainViz === null) {
    mainViz = import(/* webpackChunkName: "symlab-graphviz" */ '@viz-js/viz').then(m =>
      m.instance()
    );
  }
  mainViz
    .then(viz => {
      if (!job.done) {
        job.done = true;
        job.resolve(viz.renderString(job.dot, { format: 'svg' }));
      }
    })
    .catch(err => {
      if (!job.done) {
        job.done = true;
        job.reject(err);
      }
    });
}

/** Lay out DOT text; the job's result is Graphviz's SVG text. */
export function layoutDot(dot: string): ILayoutJob {
  let job!: IJob;
  const result = new Promise<string>((resolve, reject) => {
    job = { id: nextId++, dot, resolve, reject, slot: null, done: false };
  });
  queue.push(job);
  pump();
  return {
    result,
    cancel: () => {
      if (job.done) {
        return;
      }
      job.done = true;
      const i = queue.indexOf(job);
      if (i >= 0) {
        queue.splice(i, 1);
      } else if (job.slot && job.slot.job === job) {
        replace(job.slot);
      }
      job.reject(new LayoutCancelled());
      pump();
    }
  };
}
