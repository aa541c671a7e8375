/**
 * Trials as JSON and CSV, for files, spreadsheets and pandas. Columns follow Optuna's
 * `trials_dataframe` naming: number, value / values_<i>, datetime_start, datetime_complete, duration,
 * params_<name>, user_attrs_<name>, state.
 */
import type { FrozenTrial, JsonValue } from './trial-record.js';

/** A trial as plain JSON: dates as ISO strings, intermediate values as an object keyed by step. */
export interface TrialJSON {
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, JsonValue>;
  distributions: Record<string, unknown>;
  intermediateValues: Record<string, number>;
  userAttrs: Record<string, JsonValue>;
  systemAttrs: Record<string, JsonValue>;
  datetimeStart: string | null;
  datetimeComplete: string | null;
  durationMs: number | null;
  workerId: string | null;
}

/** JSON has no Infinity or NaN: they are written as the strings "Infinity", "-Infinity", "NaN". */
function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

export function trialToJSON(t: FrozenTrial): TrialJSON {
  return {
    number: t.number,
    state: t.state,
    values: t.values ? (t.values.map(jsonNumber) as number[]) : null,
    params: t.params as Record<string, JsonValue>,
    distributions: t.distributions,
    intermediateValues: Object.fromEntries([...t.intermediateValues].map(([k, v]) => [String(k), jsonNumber(v) as number])),
    userAttrs: t.userAttrs as Record<string, JsonValue>,
    systemAttrs: t.systemAttrs as Record<string, JsonValue>,
    datetimeStart: t.datetimeStart === null ? null : new Date(t.datetimeStart).toISOString(),
    datetimeComplete: t.datetimeComplete === null ? null : new Date(t.datetimeComplete).toISOString(),
    durationMs: t.datetimeStart !== null && t.datetimeComplete !== null ? t.datetimeComplete - t.datetimeStart : null,
    workerId: t.workerId,
  };
}

/** All trials as a JSON string (an array of {@link TrialJSON}). */
export function trialsToJSON(trials: readonly FrozenTrial[], indent = 2): string {
  return JSON.stringify(trials.map(trialToJSON), null, indent);
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * All trials as CSV (RFC 4180), one row per trial, a column per parameter and user attribute.
 * @example await writeFile('trials.csv', trialsToCSV(await study.trials));
 */
export function trialsToCSV(trials: readonly FrozenTrial[]): string {
  const paramNames = new Set<string>();
  const userAttrNames = new Set<string>();
  let nValues = 0;
  for (const t of trials) {
    for (const k of Object.keys(t.params)) paramNames.add(k);
    for (const k of Object.keys(t.userAttrs)) userAttrNames.add(k);
    nValues = Math.max(nValues, t.values?.length ?? 0);
  }
  const params = [...paramNames].sort();
  const attrs = [...userAttrNames].sort();
  const valueColumns = nValues <= 1 ? ['value'] : Array.from({ length: nValues }, (_, i) => `values_${i}`);
  const header = [
    'number',
    ...valueColumns,
    'datetime_start',
    'datetime_complete',
    'duration_ms',
    ...params.map((p) => `params_${p}`),
    ...attrs.map((a) => `user_attrs_${a}`),
    'state',
    'worker_id',
  ];
  const rows = [header.map(csvField).join(',')];
  for (const t of trials) {
    const j = trialToJSON(t);
    const values = valueColumns.map((_, i) => (t.values ? t.values[i] : null));
    rows.push(
      [
        t.number,
        ...values,
        j.datetimeStart,
        j.datetimeComplete,
        j.durationMs,
        ...params.map((p) => t.params[p]),
        ...attrs.map((a) => t.userAttrs[a]),
        t.state,
        t.workerId,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}
