/**
 * The stdout protocol of command objectives.
 *
 * - `tansaku:report <step> <value>`: an intermediate value (step an integer >= 0), reported to the trial
 *   and checked with the pruner.
 * - The result: the last non-empty stdout line that is not a `tansaku:` line. One of
 *   - a number: `0.123`, `-4e-3`, also `nan`, `inf`, `-inf` (Python's spellings) and `NaN`, `Infinity`;
 *   - a JSON array of numbers, one per direction: `[0.91, 1200]`;
 *   - a JSON object of numbers, one per direction, taken in the order the keys are written:
 *     `{"accuracy": 0.91, "latency_ms": 1200}` for `--directions maximize,minimize`. Keys that look like
 *     integers ("0", "1") are reordered by JSON parsers; use names.
 *   Bare `NaN`, `Infinity` and `-Infinity` inside JSON (as Python's `json.dumps` writes them) are accepted.
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/** Parses one number as a program would print it; null when the text is not a number. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  const special = SPECIAL[t.toLowerCase()];
  return special === undefined ? null : special;
}

/** A parsed stdout line. */
export type ProtocolLine =
  | { kind: 'empty' }
  | { kind: 'report'; step: number; value: number }
  | { kind: 'bad-protocol'; message: string }
  | { kind: 'text'; text: string };

const REPORT = /^tansaku:report(?:\s+(\S+))?(?:\s+(\S+))?\s*(.*)$/;

/** Classifies one stdout line (a trailing CR and text before a carriage return are dropped). */
export function parseLine(raw: string): ProtocolLine {
  const segments = raw
    .split('\r')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const line = segments.length ? segments[segments.length - 1] : '';
  if (line.length === 0) return { kind: 'empty' };
  if (!line.startsWith('tansaku:')) return { kind: 'text', text: line };
  const m = REPORT.exec(line);
  if (!m)
    return {
      kind: 'bad-protocol',
      message: `unknown protocol line ${JSON.stringify(line.slice(0, 200))} (only "tansaku:report <step> <value>" is understood)`,
    };
  const [, stepText, valueText, rest] = m;
  if (stepText === undefined || valueText === undefined || rest.length > 0) {
    return {
      kind: 'bad-protocol',
      message: `malformed report line ${JSON.stringify(line.slice(0, 200))}: expected "tansaku:report <step> <value>"`,
    };
  }
  if (!/^\d+$/.test(stepText) || !Number.isSafeInteger(Number(stepText))) {
    return {
      kind: 'bad-protocol',
      message: `malformed report line ${JSON.stringify(line.slice(0, 200))}: the step must be an integer >= 0`,
    };
  }
  const value = parseNumber(valueText);
  if (value === null) {
    return { kind: 'bad-protocol', message: `malformed report line ${JSON.stringify(line.slice(0, 200))}: the value must be a number` };
  }
  return { kind: 'report', step: Number(stepText), value };
}

/** The result of a command, or why its last line is not one. */
export type ParsedResult =
  | { ok: true; values: number[]; object?: Record<string, number>; constraints?: number[] }
  | { ok: false; problem: string };

/** The key of a JSON object result that holds the trial's constraint values instead of an objective. */
export const CONSTRAINTS_KEY = 'constraints';

function fromJsonNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return null;
}

/**
 * Parses a command's result line for a study with `nObjectives` directions.
 * @example parseResult('0.25', 1) // { ok: true, values: [0.25] }
 * @example parseResult('{"acc": 0.9, "ms": 12}', 2) // { ok: true, values: [0.9, 12], object: {...} }
 */
export function parseResult(line: string, nObjectives: number): ParsedResult {
  const text = line.trim();
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
  const expected = nObjectives === 1 ? 'a number' : `a JSON array or object of ${nObjectives} numbers (one per direction)`;
  const single = parseNumber(text);
  if (single !== null) {
    if (nObjectives === 1) return { ok: true, values: [single] };
    return { ok: false, problem: `the result line ${shown} is one number, but the study has ${nObjectives} directions: print ${expected}` };
  }
  if (!text.startsWith('[') && !text.startsWith('{')) {
    return { ok: false, problem: `the last stdout line ${shown} is not a result: print ${expected} as the last line` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      // Python's json.dumps writes NaN, Infinity and -Infinity bare.
      parsed = JSON.parse(text.replace(/(-?)\b(NaN|Infinity)\b(?=(?:[^"]*"[^"]*")*[^"]*$)/g, '"$1$2"'));
    } catch {
      return { ok: false, problem: `the result line ${shown} is not valid JSON: print ${expected} as the last line` };
    }
  }
  let entries: Array<[string | null, unknown]>;
  let constraints: number[] | undefined;
  if (Array.isArray(parsed)) entries = parsed.map((v) => [null, v]);
  else if (parsed !== null && typeof parsed === 'object') {
    entries = Object.entries(parsed as Record<string, unknown>).filter(([k]) => k !== CONSTRAINTS_KEY);
    const given = (parsed as Record<string, unknown>)[CONSTRAINTS_KEY];
    if (given !== undefined) {
      const list = Array.isArray(given) ? given.map(fromJsonNumber) : null;
      if (list === null || list.length === 0 || list.some((v) => v === null || !Number.isFinite(v))) {
        return {
          ok: false,
          problem: `the result line ${shown} has "${CONSTRAINTS_KEY}" that is not a non-empty list of finite numbers (feasible when all are <= 0)`,
        };
      }
      constraints = list as number[];
    }
  } else return { ok: false, problem: `the result line ${shown} is not ${expected}` };
  const values: number[] = [];
  for (const [key, v] of entries) {
    const n = fromJsonNumber(v);
    if (n === null) {
      return {
        ok: false,
        problem: `the result line ${shown} has a value that is not a number${key !== null ? ` (key ${JSON.stringify(key)})` : ''}: print ${expected}`,
      };
    }
    values.push(n);
  }
  if (values.length !== nObjectives) {
    return { ok: false, problem: `the result line ${shown} has ${values.length} value(s), but the study has ${nObjectives} direction(s)` };
  }
  if (Array.isArray(parsed)) return { ok: true, values };
  return {
    ok: true,
    values,
    object: Object.fromEntries(entries.map(([k], i) => [k as string, values[i]])),
    ...(constraints === undefined ? {} : { constraints }),
  };
}

/** Keeps the last `limit` characters of a stream. */
export class TextTail {
  private text = '';
  constructor(private readonly limit = 4096) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }
  toString(): string {
    return this.text.length > this.limit ? this.text.slice(-this.limit) : this.text;
  }
  /** The last non-empty line, shortened for a one-line message. */
  lastLine(max = 300): string {
    const lines = this.toString()
      .split(/\r?\n|\r/)
      .map((l) => l.trim())
      .filter(Boolean);
    const l = lines.length ? lines[lines.length - 1] : '';
    return l.length > max ? `${l.slice(0, max)}...` : l;
  }
}
