/**
 * The payload of `application/vnd.symlab.graph+json` in a notebook output:
 * the JSON graph document (docs/json-graph.md), as `_repr_mimebundle_` puts
 * it there. Pure data, no DOM: the node tests exercise it directly.
 */
import { validateDocument, ValidationResult } from '../graph/model';

/** The MIME type symlab's rich display writes and this renderer draws. */
export const MIME_TYPE = 'application/vnd.symlab.graph+json';

/**
 * The document in an output's data. JupyterLab hands over the parsed JSON
 * value; a payload stored as JSON text (a front end or tool that wrote the
 * string) is parsed here. Text that does not parse is kept as it is, for
 * the validation to report.
 */
export function payloadDocument(data: unknown): unknown {
  if (typeof data !== 'string') {
    return data;
  }
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** Check an output's data: the document a view can draw, or a message saying why not. */
export function validatePayload(data: unknown): ValidationResult {
  if (data === undefined) {
    return { ok: false, error: `the output holds no ${MIME_TYPE} data` };
  }
  const doc = payloadDocument(data);
  if (typeof data === 'string' && typeof doc === 'string') {
    return { ok: false, error: 'the graph document is text that is not JSON' };
  }
  return validateDocument(doc);
}
