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

/** Characters a terminal acts on instead of showing: C0 and C1 controls, DEL, and Unicode bidi and line controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text as it may be printed to a terminal: a name or value a user (or a program's output) chose may hold
 * escape sequences that move the cursor, recolour or clear the screen, fake newlines that forge lines of
 * output, or bidi overrides that reorder them. Those characters are shown as escapes (`\n`, `\x1b`,
 * `\u{202e}`); all else is unchanged. For display only: JSON and CSV outputs keep values exact.
 *
 * @example displayText('a\x1b[2Jb\nc') // 'a\\x1b[2Jb\\nc'
 */
export function displayText(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `name=value` pairs, numbers compact, names and text values shown safely ({@link displayText}). */
export function formatParams(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params)
    .map(
      ([k, v]) =>
        `${displayText(k)}=${typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? displayText(v) : JSON.stringify(v)}`,
    )
    .join(' ');
}

function shortReason(t: FrozenTrial): string {
  const r = t.systemAttrs.fail_reason;
  const text = typeof r === 'string' ? r.replace(/^CommandTrialError: /, '') : 'no reason recorded';
  return displayText(text.length > 300 ? `${text.slice(0, 300)}...` : text);
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
