/**
 * Plain-text formatting of numbers, durations, parameters and finished trials, shared by the `tansaku`
 * command's progress output and `tansaku/tfjs`'s training progress.
 *
 * @example describeTrial(trial) // 'trial 3 COMPLETE value=0.0123 (0.4s) lr=0.001 width=64'
 */
import type { ParamValue } from './distributions.js';
import type { FrozenTrial } from './trial-record.js';

/** Where progress is written: the process streams, or buffers in tests. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats a number compactly (6 significant digits). */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `m:ss` or `h:mm:ss`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A trial's duration: `0.4s`, `12.3s`, then `m:ss`. */
export function formatElapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms);
}

/** `name=value` pairs, numbers compact. */
export function formatParams(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

function shortReason(t: FrozenTrial): string {
  const r = t.systemAttrs.fail_reason;
  const text = typeof r === 'string' ? r.replace(/^CommandTrialError: /, '') : 'no reason recorded';
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** One line describing a finished trial. */
export function describeTrial(t: FrozenTrial): string {
  const duration =
    t.datetimeStart !== null && t.datetimeComplete !== null ? ` (${formatElapsed(t.datetimeComplete - t.datetimeStart)})` : '';
  const params = formatParams(t.params);
  if (t.state === 'COMPLETE') {
    const v =
      t.values && t.values.length === 1
        ? `value=${formatNumber(t.values[0])}`
        : `values=[${(t.values ?? []).map(formatNumber).join(', ')}]`;
    return `trial ${t.number} COMPLETE ${v}${duration} ${params}`.trimEnd();
  }
  if (t.state === 'PRUNED') {
    const steps = [...t.intermediateValues.keys()];
    const at = steps.length ? ` at step ${Math.max(...steps)}` : '';
    return `trial ${t.number} PRUNED${at}${duration} ${params}`.trimEnd();
  }
  return `trial ${t.number} ${t.state}${duration} ${params}: ${shortReason(t)}`;
}
