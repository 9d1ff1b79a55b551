/**
 * What the graph view shows when debugging a compiled function: the failed
 * node of the last call, the profile as a heat scale, and the value of each
 * node at one call (symlab/notebook/graph_view.py syncs them as the traits
 * `failure`, `profile` and `values`).
 *
 * Pure data: no DOM here, so the node tests in tests/ exercise it directly.
 * Every reader takes the trait as it arrived (untrusted JSON) and returns a
 * checked value, or null / an empty map: a bad trait never throws.
 */
import { INodeEntry } from './model';
import { formatNumber, nodeText } from './text';

/** How a call failed: an error raised by a node, or a NanGuardMode check. */
export type FailureKind = 'error' | 'nan' | 'inf' | 'big';

/** The last failed call of a function (`f.last_failure`). */
export interface IFailure {
  /** The id of the node that failed (an apply node of the optimized graph). */
  node: number;
  kind: FailureKind;
  /** The whole text of the error, shown as text. */
  message: string;
  /** Where the user created the node: `[file, line]` pairs. */
  origins: Array<[string, number]>;
}

/** One row of a profile (`f.profile.rows()`). */
export interface IProfileRow {
  id: number;
  /** The node as debugprint names it (`add [id 42] 'z'`), if given. */
  node?: string;
  /** The op as debugprint shows it. */
  op: string;
  /** Seconds spent in this node, over all calls. */
  time: number;
  /** Its share of the calls' wall time, in percent. */
  percent: number;
  calls: number;
}

/** A profile: the calls measured and one row per node, slowest first. */
export interface IProfile {
  calls: number;
  /** Seconds: the wall time of all the calls. */
  callTime: number;
  rows: IProfileRow[];
}

const KINDS: FailureKind[] = ['error', 'nan', 'inf', 'big'];

function isObject(x: unknown): x is { [key: string]: unknown } {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

function finiteOr(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

/** The `failure` trait as an IFailure, or null (none, or not a failure). */
export function readFailure(raw: unknown): IFailure | null {
  if (!isObject(raw) || !isInt(raw.node)) {
    return null;
  }
  const kind = KINDS.includes(raw.kind as FailureKind) ? (raw.kind as FailureKind) : 'error';
  const origins = Array.isArray(raw.origins)
    ? (raw.origins as unknown[])
        .filter(
          (o): o is [string, number] =>
            Array.isArray(o) && typeof o[0] === 'string' && isInt(o[1])
        )
        .map(([file, line]) => [file, line] as [string, number])
    : [];
  return {
    node: raw.node,
    kind,
    message: typeof raw.message === 'string' ? raw.message : '',
    origins
  };
}

/** The `profile` trait as an IProfile (rows slowest first), or null (none). */
export function readProfile(raw: unknown): IProfile | null {
  if (!isObject(raw) || !Array.isArray(raw.rows)) {
    return null;
  }
  const rows: IProfileRow[] = [];
  for (const r of raw.rows as unknown[]) {
    if (!isObject(r) || !isInt(r.id)) {
      continue;
    }
    rows.push({
      id: r.id,
      ...(typeof r.node === 'string' ? { node: r.node } : {}),
      op: typeof r.op === 'string' ? r.op : '?',
      time: Math.max(finiteOr(r.time, 0), 0),
      percent: Math.max(finiteOr(r.percent, 0), 0),
      calls: Math.max(Math.round(finiteOr(r.calls, 0)), 0)
    });
  }
  rows.sort((a, b) => b.time - a.time || a.id - b.id);
  return {
    calls: Math.max(Math.round(finiteOr(raw.calls, 0)), 0),
    callTime: Math.max(finiteOr(raw.call_time, 0), 0),
    rows
  };
}

/** The `values` trait (`{"<node id>": "<summary>"}`) as a map from node id to text. */
export function readValues(raw: unknown): Map<number, string> {
  const values = new Map<number, string>();
  if (!isObject(raw)) {
    return values;
  }
  for (const [key, text] of Object.entries(raw)) {
    if (/^-?\d+$/.test(key) && typeof text === 'string') {
      values.set(Number(key), text);
    }
  }
  return values;
}

/**
 * The heat scale, coolest to hottest (pale yellow, orange, brown): far from
 * the red of a failed node and from the green of an added one.
 */
export const HEAT_STOPS: ReadonlyArray<readonly [number, string]> = [
  [0, '#fff7bc'],
  [0.35, '#fec44f'],
  [0.7, '#ec7014'],
  [1, '#8c2d04']
];

/** Above this heat a node's text is drawn light, for contrast. */
export const HOT_TEXT_HEAT = 0.6;

function channels(hex: string): number[] {
  return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
}

/**
 * The colour of heat `h` (0: the fastest node, 1: the slowest), as `#rrggbb`,
 * interpolated between HEAT_STOPS. Out-of-range and NaN heats are clamped
 * (NaN counts as 0).
 */
export function heatColour(h: number): string {
  const x = Number.isNaN(h) ? 0 : Math.min(Math.max(h, 0), 1);
  let k = 1;
  while (k < HEAT_STOPS.length - 1 && x > HEAT_STOPS[k][0]) {
    k++;
  }
  const [x0, c0] = HEAT_STOPS[k - 1];
  const [x1, c1] = HEAT_STOPS[k];
  const t = x1 > x0 ? (x - x0) / (x1 - x0) : 0;
  const a = channels(c0);
  const b = channels(c1);
  return (
    '#' +
    a
      .map((v, i) => Math.round(v + (b[i] - v) * t))
      .map(v => v.toString(16).padStart(2, '0'))
      .join('')
  );
}

/** A CSS `linear-gradient` of the heat scale, left (cool) to right (hot), for the legend. */
export function heatGradient(): string {
  const stops = HEAT_STOPS.map(([x, c]) => `${c} ${Math.round(x * 100)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/**
 * The heat of each profiled node: its time over the slowest node's time
 * (the slowest is 1; when no node took measurable time, all are 0).
 */
export function profileHeat(profile: IProfile | null): Map<number, number> {
  const heat = new Map<number, number>();
  if (!profile) {
    return heat;
  }
  const max = profile.rows.reduce((m, r) => Math.max(m, r.time), 0);
  for (const row of profile.rows) {
    heat.set(row.id, max > 0 ? row.time / max : 0);
  }
  return heat;
}

/** Seconds in a readable unit: `812 ns`, `3.5 µs`, `12.3 ms`, `1.25 s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return '\u2014';
  }
  const s = Math.abs(seconds);
  const [scale, unit] =
    s === 0 ? [1, 's'] : s < 1e-6 ? [1e9, 'ns'] : s < 1e-3 ? [1e6, '\u00b5s'] : s < 1 ? [1e3, 'ms'] : [1, 's'];
  return `${formatNumber(Number((seconds * scale).toPrecision(3)), 3)} ${unit}`;
}

/** A percentage with one decimal: `34.5 %`. */
export function formatPercent(percent: number): string {
  return Number.isFinite(percent) ? `${percent.toFixed(1)} %` : '\u2014';
}

/** One line saying what a profile row measured: `1.2 ms (34.5 % of the calls), 3 calls`. */
export function profileText(row: IProfileRow): string {
  return (
    `${formatSeconds(row.time)} (${formatPercent(row.percent)} of the calls), ` +
    `${row.calls} call${row.calls === 1 ? '' : 's'}`
  );
}

/** What a failure kind says in a sentence. */
export function failureTitle(failure: IFailure, entry: INodeEntry | null): string {
  const what: { [kind: string]: string } = {
    error: 'raised an error',
    nan: 'produced NaN',
    inf: 'produced an infinity',
    big: 'produced a very large value'
  };
  return `the last call failed: node ${failure.node} (${nodeText(entry)}) ${
    what[failure.kind] ?? what.error
  }`;
}

/** `file:line` of each place the node was created, one per line. */
export function originsText(failure: IFailure): string {
  return failure.origins.map(([file, line]) => `${file}:${line}`).join('\n');
}

/** At most this many characters of a failure message go into a tooltip. */
export const TOOLTIP_MESSAGE_CHARS = 300;

/**
 * The hover text of a node box: its op or name and type, then what the
 * debugging traits say about it (its value at the call, its time, its
 * failure). Plain text: the view puts it into an SVG `<title>` with
 * `textContent`, so names and values can never become markup. Returns null
 * when there is nothing to add to the box's own text.
 */
export function nodeTooltip(
  entry: INodeEntry | null,
  extras: { value?: string; profile?: IProfileRow; failure?: IFailure }
): string | null {
  const lines: string[] = [];
  if (extras.failure) {
    const message = extras.failure.message;
    lines.push(
      `failed (${extras.failure.kind}): ` +
        (message.length > TOOLTIP_MESSAGE_CHARS
          ? message.slice(0, TOOLTIP_MESSAGE_CHARS - 1) + '\u2026'
          : message)
    );
  }
  if (extras.value !== undefined) {
    lines.push(`value: ${extras.value}`);
  }
  if (extras.profile) {
    lines.push(`time: ${profileText(extras.profile)}`);
  }
  if (lines.length === 0) {
    return null;
  }
  const head = entry
    ? [nodeText(entry), entry.kind !== 'apply' ? '' : entry.label ?? '', entry.type ?? '']
        .filter(s => s)
        .join('  ')
    : '?';
  return [head, ...lines].join('\n');
}
