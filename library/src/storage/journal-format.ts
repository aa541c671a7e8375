/**
 * Optuna's JournalStorage line format (optuna/storages/_journal/storage.py, Optuna 3.1): one JSON
 * object per line with `op_code` (0-9), `worker_id` and the operation's fields in snake_case;
 * distributions as Optuna's distribution JSON *strings*; datetimes as naive local ISO strings with
 * microseconds; non-finite numbers as Python's `NaN` / `Infinity` / `-Infinity` tokens.
 *
 * Ordinal parameters have no Optuna counterpart: they are written as CategoricalDistribution (same
 * internal index) and flagged by the study system attribute `tansaku:ordinal:<name>`, which Optuna
 * ignores, so Tansaku reads them back as ordinal.
 */
import {
  categoricalDistribution,
  floatDistribution,
  intDistribution,
  ordinalDistribution,
  type CategoricalChoice,
  type Distribution,
  type OrdinalValue,
} from '../core/distributions.js';
import { StorageError } from '../core/errors.js';
import { OpCode, type Operation, type TrialTemplate } from '../core/storage.js';
import type { JsonValue, StudyDirection, TrialState } from '../core/trial-record.js';
import { setName } from '../core/records.js';

/** Study system attribute prefix marking a parameter name as ordinal. */
export const ORDINAL_ATTR_PREFIX = 'tansaku:ordinal:';

const STATE_TO_CODE: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 };
const CODE_TO_STATE: TrialState[] = ['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING'];

// ----------------------------------------------------------------------------- Python-flavoured JSON

const SENTINEL = '\u0000tansaku-nonfinite:';
/** The sentinel as it appears escaped inside JSON text. */
const SENTINEL_JSON = '\\u0000tansaku-nonfinite:';
const NONFINITE_TOKEN = /"\\u0000tansaku-nonfinite:(NaN|Infinity|-Infinity)"/g;

/** JSON.stringify that writes non-finite numbers as Python's json module does (NaN, Infinity). */
export function stringifyPythonJson(value: unknown): string {
  // A replacer takes JSON.stringify off V8's fast path (several times slower); most lines hold no
  // non-finite number, which a plain walk finds cheaply.
  if (!containsNonFinite(value)) return JSON.stringify(value);
  let sawNonFinite = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      sawNonFinite = true;
      return `${SENTINEL}${String(v)}`;
    }
    return v;
  });
  return sawNonFinite ? text.replace(NONFINITE_TOKEN, '$1') : text;
}

function containsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsNonFinite(item)) return true;
    return false;
  }
  // toJSON-bearing objects (Dates) serialise to strings, never to numbers we must spell.
  for (const key in value) if (Object.hasOwn(value, key) && containsNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * JSON.parse that also accepts Python's NaN / Infinity / -Infinity tokens outside strings. The fast
 * path is plain JSON.parse; only lines that fail it are rescanned.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const rest = text.slice(i, i + 9);
    if (rest.startsWith('-Infinity')) {
      out += `"${SENTINEL_JSON}-Infinity"`;
      i += 9;
    } else if (rest.startsWith('Infinity')) {
      out += `"${SENTINEL_JSON}Infinity"`;
      i += 8;
    } else if (rest.startsWith('NaN')) {
      out += `"${SENTINEL_JSON}NaN"`;
      i += 3;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out, (_key, v: unknown) => {
    if (typeof v === 'string' && v.startsWith(SENTINEL)) return Number(v.slice(SENTINEL.length));
    return v;
  });
}

// ----------------------------------------------------------------------------- datetimes

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Naive local time with microseconds, as Python's `datetime.now().isoformat(timespec="microseconds")`. */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}

const NAIVE_ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;

/** Epoch ms of local "YYYY-MM-DDTHH:MM" minutes seen lately (replaying a journal parses one datetime per line). */
const minuteStarts = new Map<string, number>();

/** The non-negative integer spelled by s[from..to), or -1 unless every character is a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Parses what Optuna writes (naive local ISO) and, leniently, ISO strings with a zone. */
export function parseDatetime(s: unknown): number | null {
  if (s === null || s === undefined) return null;
  if (typeof s !== 'string') throw new StorageError(`journal: expected a datetime string, got ${JSON.stringify(s)}`);
  // Fast path for Optuna's own "YYYY-MM-DDTHH:MM:SS.ffffff": the local time of the minute (every
  // time-zone transition falls on a minute boundary) plus seconds and microseconds.
  if (s.length === 26 && s.charCodeAt(16) === 58 && s.charCodeAt(19) === 46) {
    const key = s.slice(0, 16);
    let minute = minuteStarts.get(key);
    if (minute === undefined) {
      const m = NAIVE_ISO.exec(`${key}:00`);
      if (m) {
        minute = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]).getTime();
        if (minuteStarts.size >= 4096) minuteStarts.clear();
        minuteStarts.set(key, minute);
      }
    }
    const seconds = digits(s, 17, 19);
    const micros = digits(s, 20, 26);
    if (minute !== undefined && seconds >= 0 && micros >= 0) return minute + seconds * 1000 + Math.floor(micros / 1000);
  }
  const m = NAIVE_ISO.exec(s);
  if (m) {
    const micros = (m[7] ?? '0').padEnd(6, '0');
    return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], Math.floor(+micros / 1000)).getTime();
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new StorageError(`journal: unreadable datetime ${JSON.stringify(s)}`);
  return t;
}

// ----------------------------------------------------------------------------- distributions

/** Optuna's distribution JSON string for a Tansaku distribution (ordinal -> categorical). */
export function distributionToOptunaJson(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return stringifyPythonJson({ name: 'FloatDistribution', attributes: { step: d.step, low: d.low, high: d.high, log: d.log } });
    case 'int':
      return stringifyPythonJson({ name: 'IntDistribution', attributes: { log: d.log, step: d.step, low: d.low, high: d.high } });
    case 'categorical':
      return stringifyPythonJson({ name: 'CategoricalDistribution', attributes: { choices: d.choices } });
    case 'ordinal':
      return stringifyPythonJson({ name: 'CategoricalDistribution', attributes: { choices: d.values } });
  }
}

/** Reads Optuna's distribution JSON (current and pre-3.0 class names) into a Tansaku distribution. */
export function distributionFromOptunaJson(name: string, json: unknown, ordinal: boolean): Distribution {
  // Every parameter line carries its distribution as a JSON string, nearly always one seen before.
  if (typeof json !== 'string') return decodeDistribution(name, json, ordinal);
  const key = (ordinal ? 'o' : 'c') + json;
  let d = decodedDistributions.get(key);
  if (d === undefined) {
    d = Object.freeze(decodeDistribution(name, parsePythonJson(json), ordinal));
    if (decodedDistributions.size >= 4096) decodedDistributions.clear();
    decodedDistributions.set(key, d);
  }
  return d;
}

/** Distributions decoded from their JSON strings, frozen: trials share them. */
const decodedDistributions = new Map<string, Distribution>();

function decodeDistribution(name: string, json: unknown, ordinal: boolean): Distribution {
  const obj = json as { name?: string; attributes?: Record<string, unknown>; type?: string };
  const a = obj.attributes ?? {};
  const num = (k: string) => a[k] as number;
  switch (obj.name) {
    case 'FloatDistribution':
      return floatDistribution(name, num('low'), num('high'), { log: Boolean(a.log), step: (a.step as number | null) ?? null });
    case 'IntDistribution':
      return intDistribution(name, num('low'), num('high'), { log: Boolean(a.log), step: (a.step as number) ?? 1 });
    case 'CategoricalDistribution':
      return ordinal
        ? ordinalDistribution(name, a.choices as OrdinalValue[])
        : categoricalDistribution(name, a.choices as CategoricalChoice[]);
    case 'UniformDistribution':
      return floatDistribution(name, num('low'), num('high'));
    case 'LogUniformDistribution':
      return floatDistribution(name, num('low'), num('high'), { log: true });
    case 'DiscreteUniformDistribution':
      return floatDistribution(name, num('low'), num('high'), { step: num('q') });
    case 'IntUniformDistribution':
      return intDistribution(name, num('low'), num('high'), { step: (a.step as number) ?? 1 });
    case 'IntLogUniformDistribution':
      return intDistribution(name, num('low'), num('high'), { log: true });
    default:
      throw new StorageError(`journal: parameter "${name}" has an unknown distribution ${JSON.stringify(json)}`);
  }
}

// ----------------------------------------------------------------------------- operations

/** Looks up what decoding needs from the replayed state: the study of a trial and its ordinal flags. */
export interface DecodeContext {
  isOrdinal(studyId: number, paramName: string): boolean;
  studyOfTrial(trialId: number): number | undefined;
}

function stateCode(state: TrialState): number {
  return STATE_TO_CODE[state];
}

/** One operation as an Optuna journal line (without the newline). */
export function encodeOperation(op: Operation): string {
  // Object literals, not spreads: JSON.stringify of an object built by spreading runs ~6x slower in
  // V8, and every append encodes its operations under the journal lock.
  const w = op.workerId;
  switch (op.op) {
    case OpCode.CreateStudy:
      return stringifyPythonJson({
        op_code: OpCode.CreateStudy,
        worker_id: w,
        study_name: op.studyName,
        directions: op.directions.map((d) => (d === 'minimize' ? 1 : 2)),
      });
    case OpCode.DeleteStudy:
      return stringifyPythonJson({ op_code: OpCode.DeleteStudy, worker_id: w, study_id: op.studyId });
    case OpCode.SetStudyUserAttr:
      return stringifyPythonJson({ op_code: OpCode.SetStudyUserAttr, worker_id: w, study_id: op.studyId, user_attr: op.attrs });
    case OpCode.SetStudySystemAttr:
      return stringifyPythonJson({ op_code: OpCode.SetStudySystemAttr, worker_id: w, study_id: op.studyId, system_attr: op.attrs });
    case OpCode.CreateTrial:
      return stringifyPythonJson(encodeCreateTrial(w, op.studyId, op.template));
    case OpCode.SetTrialParam:
      return stringifyPythonJson({
        op_code: OpCode.SetTrialParam,
        worker_id: w,
        trial_id: op.trialId,
        param_name: op.name,
        param_value_internal: op.internal,
        distribution: distributionToOptunaJson(op.distribution),
      });
    case OpCode.SetTrialStateValues:
      if (op.state === 'RUNNING') {
        return stringifyPythonJson({
          op_code: OpCode.SetTrialStateValues,
          worker_id: w,
          trial_id: op.trialId,
          state: 0,
          values: op.values,
          datetime_start: formatDatetime(op.datetime),
        });
      }
      if (op.state === 'WAITING')
        return stringifyPythonJson({
          op_code: OpCode.SetTrialStateValues,
          worker_id: w,
          trial_id: op.trialId,
          state: stateCode(op.state),
          values: op.values,
        });
      return stringifyPythonJson({
        op_code: OpCode.SetTrialStateValues,
        worker_id: w,
        trial_id: op.trialId,
        state: stateCode(op.state),
        values: op.values,
        datetime_complete: formatDatetime(op.datetime),
      });
    case OpCode.SetTrialIntermediateValue:
      return stringifyPythonJson({
        op_code: OpCode.SetTrialIntermediateValue,
        worker_id: w,
        trial_id: op.trialId,
        step: op.step,
        intermediate_value: op.value,
      });
    case OpCode.SetTrialUserAttr:
      return stringifyPythonJson({ op_code: OpCode.SetTrialUserAttr, worker_id: w, trial_id: op.trialId, user_attr: op.attrs });
    case OpCode.SetTrialSystemAttr:
      return stringifyPythonJson({ op_code: OpCode.SetTrialSystemAttr, worker_id: w, trial_id: op.trialId, system_attr: op.attrs });
  }
}

function isPlainRunning(t: TrialTemplate): boolean {
  return (
    (t.state ?? 'RUNNING') === 'RUNNING' &&
    !t.params &&
    !t.values &&
    !t.intermediateValues &&
    !t.userAttrs &&
    !t.systemAttrs &&
    t.datetimeComplete == null
  );
}

/** Optuna writes a bare `datetime_start` for a plain new trial, and every field for a template. */
function encodeCreateTrial(workerId: string, studyId: number, t: TrialTemplate): Record<string, unknown> {
  if (isPlainRunning(t)) {
    return {
      op_code: OpCode.CreateTrial,
      worker_id: workerId,
      study_id: studyId,
      datetime_start: formatDatetime(t.datetimeStart ?? Date.now()),
    };
  }
  const values = t.values ?? null;
  const distributions: Record<string, string> = {};
  const params: Record<string, number> = {};
  for (const [name, p] of Object.entries(t.params ?? {})) {
    setName(distributions, name, distributionToOptunaJson(p.distribution));
    setName(params, name, p.internal);
  }
  const iv = t.intermediateValues;
  const intermediate = iv instanceof Map ? Object.fromEntries([...iv].map(([k, v]) => [String(k), v])) : (iv ?? {});
  const datetimeStart = t.datetimeStart == null ? null : formatDatetime(t.datetimeStart);
  const state = stateCode(t.state ?? 'RUNNING');
  // Optuna's rule: one objective in `value`, several in `values`, never both.
  const value = values && values.length === 1 ? values[0] : null;
  const multi = values && values.length > 1 ? values : null;
  return {
    op_code: OpCode.CreateTrial,
    worker_id: workerId,
    study_id: studyId,
    datetime_start: datetimeStart,
    state,
    value,
    values: multi,
    // undefined: JSON.stringify leaves the key out, as Optuna does for an unfinished trial.
    datetime_complete: t.datetimeComplete == null ? undefined : formatDatetime(t.datetimeComplete),
    distributions,
    params,
    user_attrs: t.userAttrs ?? {},
    system_attrs: t.systemAttrs ?? {},
    intermediate_values: intermediate,
  };
}

function field<T>(line: Record<string, unknown>, key: string, check: (v: unknown) => boolean, what: string): T {
  const v = line[key];
  if (!check(v)) throw new StorageError(`journal: op_code ${String(line.op_code)} needs "${key}" as ${what}, got ${JSON.stringify(v)}`);
  return v as T;
}

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isString = (v: unknown) => typeof v === 'string';
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown) => typeof v === 'number';

function decodeValues(v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new StorageError(`journal: expected values as a list of numbers or null, got ${JSON.stringify(v)}`);
}

/** Reads one journal line (already parsed) into an operation. Throws StorageError on malformed lines. */
export function decodeOperation(line: unknown, ctx: DecodeContext): Operation {
  if (!isObject(line)) throw new StorageError(`journal: expected a JSON object per line, got ${JSON.stringify(line)}`);
  const l = line as Record<string, unknown>;
  const op = l.op_code;
  const workerId = typeof l.worker_id === 'string' ? l.worker_id : '';
  switch (op) {
    case OpCode.CreateStudy: {
      const dirs = field<unknown[]>(l, 'directions', Array.isArray, 'a list');
      const directions = dirs.map((d): StudyDirection => {
        if (d === 1 || d === 'minimize' || d === 'MINIMIZE') return 'minimize';
        if (d === 2 || d === 'maximize' || d === 'MAXIMIZE') return 'maximize';
        throw new StorageError(`journal: unknown study direction ${JSON.stringify(d)}`);
      });
      return { op: OpCode.CreateStudy, workerId, studyName: field<string>(l, 'study_name', isString, 'a string'), directions };
    }
    case OpCode.DeleteStudy:
      return { op: OpCode.DeleteStudy, workerId, studyId: field<number>(l, 'study_id', isInt, 'an integer') };
    case OpCode.SetStudyUserAttr:
    case OpCode.SetStudySystemAttr: {
      const key = op === OpCode.SetStudyUserAttr ? 'user_attr' : 'system_attr';
      return {
        op,
        workerId,
        studyId: field<number>(l, 'study_id', isInt, 'an integer'),
        attrs: field<Record<string, JsonValue>>(l, key, isObject, 'an object'),
      };
    }
    case OpCode.CreateTrial:
      return {
        op: OpCode.CreateTrial,
        workerId,
        studyId: field<number>(l, 'study_id', isInt, 'an integer'),
        template: decodeTemplate(l, ctx),
      };
    case OpCode.SetTrialParam: {
      const trialId = field<number>(l, 'trial_id', isInt, 'an integer');
      const name = field<string>(l, 'param_name', isString, 'a string');
      const studyId = ctx.studyOfTrial(trialId);
      const distribution = distributionFromOptunaJson(name, l.distribution, studyId !== undefined && ctx.isOrdinal(studyId, name));
      return {
        op: OpCode.SetTrialParam,
        workerId,
        trialId,
        name,
        internal: field<number>(l, 'param_value_internal', isNumber, 'a number'),
        distribution,
      };
    }
    case OpCode.SetTrialStateValues: {
      const code = field<number>(l, 'state', isInt, 'a state code');
      const state = CODE_TO_STATE[code];
      if (!state) throw new StorageError(`journal: unknown trial state code ${code}`);
      const datetime = parseDatetime(state === 'RUNNING' ? l.datetime_start : l.datetime_complete) ?? 0;
      return {
        op: OpCode.SetTrialStateValues,
        workerId,
        trialId: field<number>(l, 'trial_id', isInt, 'an integer'),
        state,
        values: decodeValues(l.values),
        datetime,
      };
    }
    case OpCode.SetTrialIntermediateValue:
      return {
        op: OpCode.SetTrialIntermediateValue,
        workerId,
        trialId: field<number>(l, 'trial_id', isInt, 'an integer'),
        step: field<number>(l, 'step', isInt, 'an integer'),
        value: field<number>(l, 'intermediate_value', isNumber, 'a number'),
      };
    case OpCode.SetTrialUserAttr:
    case OpCode.SetTrialSystemAttr: {
      const key = op === OpCode.SetTrialUserAttr ? 'user_attr' : 'system_attr';
      return {
        op,
        workerId,
        trialId: field<number>(l, 'trial_id', isInt, 'an integer'),
        attrs: field<Record<string, JsonValue>>(l, key, isObject, 'an object'),
      };
    }
    default:
      throw new StorageError(`journal: unknown op_code ${JSON.stringify(op)}`);
  }
}

function decodeTemplate(l: Record<string, unknown>, ctx: DecodeContext): TrialTemplate {
  const studyId = l.study_id as number;
  const state = l.state === undefined ? 'RUNNING' : CODE_TO_STATE[l.state as number];
  if (!state) throw new StorageError(`journal: unknown trial state code ${JSON.stringify(l.state)}`);
  const template: TrialTemplate = { state, datetimeStart: parseDatetime(l.datetime_start) };
  if ('datetime_complete' in l) template.datetimeComplete = parseDatetime(l.datetime_complete);
  const values = decodeValues(l.values) ?? (typeof l.value === 'number' ? [l.value] : null);
  if (values) template.values = values;
  if (isObject(l.params)) {
    const dists = (isObject(l.distributions) ? l.distributions : {}) as Record<string, unknown>;
    template.params = {};
    for (const [name, internal] of Object.entries(l.params as Record<string, unknown>)) {
      if (typeof internal !== 'number')
        throw new StorageError(`journal: parameter "${name}" has internal value ${JSON.stringify(internal)}, expected a number`);
      setName(template.params, name, {
        internal,
        distribution: distributionFromOptunaJson(name, dists[name], ctx.isOrdinal(studyId, name)),
      });
    }
  }
  if (isObject(l.user_attrs)) template.userAttrs = l.user_attrs as Record<string, JsonValue>;
  if (isObject(l.system_attrs)) template.systemAttrs = l.system_attrs as Record<string, JsonValue>;
  if (isObject(l.intermediate_values)) template.intermediateValues = l.intermediate_values as Record<number, number>;
  return template;
}
