import type { FrozenTrial } from '../index.js';
import { displayText, formatElapsed, formatNumber } from '../extend.js';
/** Plain-text tables and trial rows for the CLI's `table` format. */

/** A left-aligned table with a header rule; numbers right-aligned. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] === '' || /^[-+]?[\d.]+(e[-+]?\d+)?$|^-?Infinity$|^NaN$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n`;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return displayText(v);
  return displayText(JSON.stringify(v));
}

/** The trials as a table: number, state, value(s), duration, one column per parameter. */
export function trialsTable(trials: readonly FrozenTrial[], nObjectives: number): string {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const valueHeaders = nObjectives === 1 ? ['value'] : Array.from({ length: nObjectives }, (_, i) => `values_${i}`);
  const headers = ['number', 'state', ...valueHeaders, 'duration', ...params.map(displayText)];
  const rows = trials.map((t) => [
    String(t.number),
    t.state,
    ...valueHeaders.map((_, i) => cell(t.values?.[i])),
    t.datetimeStart !== null && t.datetimeComplete !== null ? formatElapsed(t.datetimeComplete - t.datetimeStart) : '',
    ...params.map((p) => cell(t.params[p])),
  ]);
  return renderTable(headers, rows);
}
