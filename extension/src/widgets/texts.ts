/**
 * The words of a widget: read from its synced `texts` trait, which the
 * Python side fills from symlab's ONE table of labels
 * (symlab/notebook/labels.py, in the language `symlab.config.language`
 * named when the widget was made). A text may hold fields in braces,
 * `"step {position} of {draws}"`, filled here.
 *
 * A view with no widget state (the MIME renderer of a graph) or a state
 * saved before a key existed has no text for it: the extension's copy of the
 * table (labels.generated.ts, generated from labels.py) gives it, in English
 * unless another language is asked for; a key missing there too shows its
 * own words (`rng_draw`: "draw"), so nothing is ever blank.
 */
import { LABELS } from './labels.generated';

/** Fill `{name}` fields of `template` from `fields`; unknown fields stay as written. */
export function formatText(
  template: string,
  fields: { [name: string]: string | number } = {}
): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : whole
  );
}

/** What stands in for a key a saved state lacks: its words after the widget's prefix. */
export function keyWords(key: string): string {
  const words = key.split('_');
  return (words.length > 1 ? words.slice(1) : words).join(' ');
}

/** The text of `key` in `language` from the extension's copy of the table, or its words. */
export function tableText(key: string, language = 'en'): string {
  const row = Object.prototype.hasOwnProperty.call(LABELS, key) ? LABELS[key] : undefined;
  return row?.[language] ?? row?.en ?? keyWords(key);
}

/**
 * The text of `key` in `texts` (a widget's synced `texts`; null for a view
 * without widget state), else from the extension's table, its fields filled.
 */
export function textOf(
  texts: unknown,
  key: string,
  fields: { [name: string]: string | number } = {},
  language = 'en'
): string {
  const table = typeof texts === 'object' && texts !== null ? (texts as any) : {};
  const template =
    typeof table[key] === 'string' ? (table[key] as string) : tableText(key, language);
  return formatText(template, fields);
}

/** Something with synced state, such as a widget model: `get('texts')`. */
export interface ITextSource {
  get(key: string): unknown;
}

/** The text of `key` from a widget model's `texts`, its fields filled. */
export function modelText(
  model: ITextSource,
  key: string,
  fields: { [name: string]: string | number } = {}
): string {
  return textOf(model.get('texts'), key, fields);
}
