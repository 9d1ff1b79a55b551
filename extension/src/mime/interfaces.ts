/**
 * The parts of JupyterLab's `IRenderMime` interfaces
 * (`@jupyterlab/rendermime-interfaces`) this renderer uses, written out
 * here so that the build needs no more packages: JupyterLab checks the
 * shape at run time, not the type.
 */
import type { Widget } from '@lumino/widgets';

/** The output's data, as JupyterLab hands it to a renderer. */
export interface IMimeModel {
  readonly trusted: boolean;
  readonly data: { readonly [mimeType: string]: unknown };
  readonly metadata: { readonly [key: string]: unknown };
}

/** What a renderer is created with (the rest of the options are not used here). */
export interface IRendererOptions {
  mimeType: string;
}

/** A renderer: a Lumino widget that draws a model. */
export interface IRenderer extends Widget {
  renderModel(model: IMimeModel): Promise<void>;
}

export interface IRendererFactory {
  /** Whether the renderer may show untrusted output (it writes no markup from the data). */
  readonly safe: boolean;
  readonly mimeTypes: readonly string[];
  readonly defaultRank?: number;
  createRenderer(options: IRendererOptions): IRenderer;
}

/** A MIME renderer extension: what a `mimeExtension` module exports by default. */
export interface IMimeExtension {
  readonly id: string;
  readonly description?: string;
  readonly rendererFactory: IRendererFactory;
  readonly rank?: number;
  readonly dataType?: 'string' | 'json';
}
