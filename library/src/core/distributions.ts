/**
 * Parameter distributions. Each parameter value has an *external* form (what the objective sees: a float,
 * an int, a category) and an *internal* form, a number, which is what storages record and samplers work
 * with. The internal forms match Optuna's so that studies move between the two frameworks:
 * float and int are their own value, categorical and ordinal values are the index into their list.
 */
import { InvalidArgumentError, InvalidDistributionError, describeValue } from './errors.js';
import { setName } from './records.js';

/** A value a categorical parameter may take. Kept JSON-representable so storages can record it. */
export type CategoricalChoice = string | number | boolean | null;
/** A value an ordinal parameter may take: numbers (layer sizes) or strings ("small" < "large"). */
export type OrdinalValue = number | string;

/** Continuous range `[low, high]`, optionally log-scaled or discretised by `step`. */
export interface FloatDistribution {
  readonly type: 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;
}

/** Integer range `[low, high]` with a step (default 1), optionally log-scaled. */
export interface IntDistribution {
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

/** Unordered choices. Samplers must not assume any order between them. */
export interface CategoricalDistribution {
  readonly type: 'categorical';
  readonly choices: readonly CategoricalChoice[];
}

/**
 * Ordered discrete values, e.g. layer sizes `logGrid(8, 4096, 2)`. Samplers see the position in `values`
 * (0..n-1) as a point on an ordered axis, which grid, hill-climbing and cross-search moves need.
 */
export interface OrdinalDistribution {
  readonly type: 'ordinal';
  readonly values: readonly OrdinalValue[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution | OrdinalDistribution;
/** The value an objective receives for a parameter. */
export type ParamValue = number | CategoricalChoice;

/** A search space: parameter name to distribution. */
export type SearchSpace = Record<string, Distribution>;

const STEP_TOLERANCE = 1e-8;

function requireFiniteNumber(param: string, what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidDistributionError(`parameter "${param}": ${what} must be a finite number, got ${describeValue(value)}`);
  }
}

/** True when `(high - low)` is a whole multiple of `step`, allowing for floating-point error. */
function stepDividesRange(low: number, high: number, step: number): boolean {
  const ratio = (high - low) / step;
  return Math.abs(ratio - Math.round(ratio)) <= STEP_TOLERANCE * Math.max(1, Math.abs(ratio));
}

/**
 * Builds and validates a float distribution.
 * @example floatDistribution('lr', 1e-5, 1e-1, { log: true })
 */
export function floatDistribution(
  name: string,
  low: number,
  high: number,
  options: { log?: boolean; step?: number | null } = {},
): FloatDistribution {
  requireFiniteNumber(name, 'low', low);
  requireFiniteNumber(name, 'high', high);
  const log = options.log ?? false;
  const step = options.step ?? null;
  if (typeof log !== 'boolean') {
    throw new InvalidDistributionError(`parameter "${name}": log must be true or false, got ${describeValue(log)}`);
  }
  if (low > high) {
    throw new InvalidDistributionError(`parameter "${name}": low must be <= high, got low=${low} and high=${high}`);
  }
  if (log && step !== null) {
    throw new InvalidDistributionError(`parameter "${name}": log and step cannot be used together, got log=true and step=${step}`);
  }
  if (log && low <= 0) {
    throw new InvalidDistributionError(`parameter "${name}": a log-scaled float needs low > 0, got low=${low}`);
  }
  if (!Number.isFinite(high - low)) {
    // Sampling scales a unit value by high - low, which would be Infinity: every draw would be `high`.
    throw new InvalidDistributionError(
      `parameter "${name}": the range [${low}, ${high}] is too wide: high - low overflows a double (at most ${Number.MAX_VALUE}); narrow it, or use log: true for a positive range`,
    );
  }
  if (step !== null) {
    requireFiniteNumber(name, 'step', step);
    if (step <= 0) {
      throw new InvalidDistributionError(`parameter "${name}": step must be > 0, got step=${step}`);
    }
    if (!stepDividesRange(low, high, step)) {
      throw new InvalidDistributionError(
        `parameter "${name}": step=${step} does not divide the range [${low}, ${high}] (high - low = ${high - low}); ` +
          `expected high = low + k*step for a whole number k`,
      );
    }
  }
  return { type: 'float', low, high, log, step };
}

/**
 * Builds and validates an int distribution.
 * @example intDistribution('layers', 1, 4)
 */
export function intDistribution(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): IntDistribution {
  for (const [what, v] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new InvalidDistributionError(`parameter "${name}": ${what} must be an integer, got ${describeValue(v)}`);
    }
  }
  const log = options.log ?? false;
  const step = options.step ?? 1;
  if (typeof log !== 'boolean') {
    throw new InvalidDistributionError(`parameter "${name}": log must be true or false, got ${describeValue(log)}`);
  }
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step <= 0) {
    throw new InvalidDistributionError(`parameter "${name}": step must be a positive integer, got ${describeValue(step)}`);
  }
  if (low > high) {
    throw new InvalidDistributionError(`parameter "${name}": low must be <= high, got low=${low} and high=${high}`);
  }
  if (log && low < 1) {
    throw new InvalidDistributionError(`parameter "${name}": a log-scaled int needs low >= 1, got low=${low}`);
  }
  if (log && step !== 1) {
    throw new InvalidDistributionError(`parameter "${name}": log and step cannot be used together, got log=true and step=${step}`);
  }
  if ((high - low) % step !== 0) {
    throw new InvalidDistributionError(
      `parameter "${name}": step=${step} does not divide the range [${low}, ${high}] (high - low = ${high - low}); ` +
        `expected high = low + k*step for a whole number k`,
    );
  }
  return { type: 'int', low, high, log, step };
}

function isCategoricalChoice(v: unknown): v is CategoricalChoice {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v));
}

/**
 * Builds and validates a categorical distribution.
 * @example categoricalDistribution('act', ['relu', 'tanh'])
 */
export function categoricalDistribution(name: string, choices: readonly CategoricalChoice[]): CategoricalDistribution {
  if (!Array.isArray(choices)) {
    throw new InvalidDistributionError(`parameter "${name}": choices must be an array, got ${describeValue(choices)}`);
  }
  if (choices.length === 0) {
    throw new InvalidDistributionError(`parameter "${name}": choices must not be empty`);
  }
  const seen = new Set<unknown>();
  for (const c of choices) {
    if (!isCategoricalChoice(c)) {
      throw new InvalidDistributionError(
        `parameter "${name}": each choice must be a string, number, boolean or null, got ${describeValue(c)}`,
      );
    }
    if (seen.has(c)) {
      throw new InvalidDistributionError(`parameter "${name}": choice ${describeValue(c)} appears twice`);
    }
    seen.add(c);
  }
  return { type: 'categorical', choices: Object.freeze([...choices]) };
}

/**
 * Builds and validates an ordinal distribution: values are taken in the order given.
 * @example ordinalDistribution('units', logGrid(8, 4096, 2))
 */
export function ordinalDistribution(name: string, values: readonly OrdinalValue[]): OrdinalDistribution {
  if (!Array.isArray(values)) {
    throw new InvalidDistributionError(`parameter "${name}": values must be an array, got ${describeValue(values)}`);
  }
  if (values.length === 0) {
    throw new InvalidDistributionError(`parameter "${name}": values must not be empty`);
  }
  const seen = new Set<unknown>();
  for (const v of values) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      throw new InvalidDistributionError(
        `parameter "${name}": each ordinal value must be a finite number or a string, got ${describeValue(v)}`,
      );
    }
    if (seen.has(v)) {
      throw new InvalidDistributionError(`parameter "${name}": value ${describeValue(v)} appears twice`);
    }
    seen.add(v);
  }
  return { type: 'ordinal', values: Object.freeze([...values]) };
}

/**
 * Geometric grid from `low` to `high` inclusive: `logGrid(8, 4096, 2)` is `[8, 16, ..., 4096]`.
 * `high` must be `low * base^k` for a whole k.
 *
 * @example trial.suggestOrdinal('n1', logGrid(8, 4096, 2))
 */
export function logGrid(low: number, high: number, base = 2): number[] {
  for (const [what, v] of [
    ['low', low],
    ['high', high],
    ['base', base],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`logGrid: ${what} must be a finite number > 0, got ${describeValue(v)}`);
    }
  }
  if (base === 1) throw new InvalidArgumentError('logGrid: base must not be 1, got 1');
  if (low > high) throw new InvalidArgumentError(`logGrid: low must be <= high, got low=${low} and high=${high}`);
  const k = Math.log(high / low) / Math.log(base);
  const steps = Math.round(k);
  if (Math.abs(k - steps) > 1e-9) {
    throw new InvalidArgumentError(`logGrid: high=${high} is not low=${low} times a whole power of base=${base}`);
  }
  const out: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const v = low * base ** i;
    // Keep integers exact: 8 * 2**9 must be 4096, not 4095.9999.
    out.push(Number.isInteger(low) && Number.isInteger(base) ? Math.round(v) : v);
  }
  out[out.length - 1] = high;
  return out;
}

/** Validates any distribution object (e.g. one read back from a file) and returns a normalised copy. */
export function validateDistribution(name: string, d: unknown): Distribution {
  if (typeof d !== 'object' || d === null) {
    throw new InvalidDistributionError(`parameter "${name}": distribution must be an object, got ${describeValue(d)}`);
  }
  const dist = d as Record<string, unknown>;
  switch (dist.type) {
    case 'float':
      return floatDistribution(name, dist.low as number, dist.high as number, {
        log: (dist.log as boolean | undefined) ?? false,
        step: (dist.step as number | null | undefined) ?? null,
      });
    case 'int':
      return intDistribution(name, dist.low as number, dist.high as number, {
        log: (dist.log as boolean | undefined) ?? false,
        step: (dist.step as number | undefined) ?? 1,
      });
    case 'categorical':
      return categoricalDistribution(name, dist.choices as CategoricalChoice[]);
    case 'ordinal':
      return ordinalDistribution(name, dist.values as OrdinalValue[]);
    default:
      throw new InvalidDistributionError(
        `parameter "${name}": unknown distribution type ${describeValue(dist.type)}; expected "float", "int", "categorical" or "ordinal"`,
      );
  }
}

/** True when both describe the same distribution (same type and same bounds/choices). */
/**
 * Validates every distribution of a search space (from user options or from storage) and returns a copy
 * with the names sorted, so every worker sees the same dimension order.
 *
 * @example
 * ```ts
 * validateSearchSpace({ y: intDistribution('y', 1, 4), x: floatDistribution('x', 0, 1) }); // { x, y }
 * ```
 */
export function validateSearchSpace(raw: Readonly<Record<string, unknown>>): SearchSpace {
  const space: SearchSpace = {};
  for (const name of Object.keys(raw).sort()) setName(space, name, validateDistribution(name, raw[name]));
  return space;
}

export function distributionsEqual(a: Distribution, b: Distribution): boolean {
  if (a === b) return true;
  switch (a.type) {
    case 'float':
      return b.type === 'float' && a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
    case 'int':
      return b.type === 'int' && a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
    case 'categorical':
      return b.type === 'categorical' && a.choices.length === b.choices.length && a.choices.every((c, i) => Object.is(c, b.choices[i]));
    case 'ordinal':
      return b.type === 'ordinal' && a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i]);
  }
}

/** A short human form, e.g. `float[1e-05, 0.1] log`, for error messages. */
export function describeDistribution(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return `float[${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== null ? ` step=${d.step}` : ''}`;
    case 'int':
      return `int[${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== 1 ? ` step=${d.step}` : ''}`;
    case 'categorical':
      return `categorical${JSON.stringify(d.choices)}`;
    case 'ordinal':
      return `ordinal${JSON.stringify(d.values)}`;
  }
}

/** Converts an objective-facing value to its internal number. Throws if the value is not in the distribution. */
export function toInternal(name: string, d: Distribution, value: unknown): number {
  switch (d.type) {
    case 'float':
    case 'int': {
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new InvalidArgumentError(`parameter "${name}": expected a number in ${describeDistribution(d)}, got ${describeValue(value)}`);
      }
      if (!contains(d, value)) {
        throw new InvalidArgumentError(`parameter "${name}": value ${value} is not in ${describeDistribution(d)}`);
      }
      return value;
    }
    case 'categorical': {
      const i = d.choices.findIndex((c) => Object.is(c, value) || c === value);
      if (i < 0) {
        throw new InvalidArgumentError(
          `parameter "${name}": ${describeValue(value)} is not one of the choices ${JSON.stringify(d.choices)}`,
        );
      }
      return i;
    }
    case 'ordinal': {
      const i = d.values.indexOf(value as OrdinalValue);
      if (i < 0) {
        throw new InvalidArgumentError(
          `parameter "${name}": ${describeValue(value)} is not one of the ordinal values ${JSON.stringify(d.values)}`,
        );
      }
      return i;
    }
  }
}

/** Converts an internal number back to the objective-facing value. */
export function toExternal(d: Distribution, internal: number): ParamValue {
  switch (d.type) {
    case 'float':
      return internal;
    case 'int':
      return Math.round(internal);
    case 'categorical':
      return d.choices[Math.round(internal)];
    case 'ordinal':
      return d.values[Math.round(internal)];
  }
}

/** True when the internal value lies in the distribution (on its step grid, for stepped ones). */
export function contains(d: Distribution, internal: number): boolean {
  if (typeof internal !== 'number' || Number.isNaN(internal)) return false;
  switch (d.type) {
    case 'float':
      if (internal < d.low || internal > d.high) return false;
      return d.step === null || stepDividesRange(d.low, internal, d.step);
    case 'int':
      return Number.isInteger(internal) && internal >= d.low && internal <= d.high && (internal - d.low) % d.step === 0;
    case 'categorical':
      return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
    case 'ordinal':
      return Number.isInteger(internal) && internal >= 0 && internal < d.values.length;
  }
}

/** True when the distribution admits exactly one value (samplers can skip it). */
export function isSingleValue(d: Distribution): boolean {
  switch (d.type) {
    case 'float':
      return d.low === d.high;
    case 'int':
      return d.low === d.high;
    case 'categorical':
      return d.choices.length === 1;
    case 'ordinal':
      return d.values.length === 1;
  }
}

/** Number of distinct values for discrete distributions; Infinity for a continuous float. */
export function cardinality(d: Distribution): number {
  switch (d.type) {
    case 'float':
      return d.step === null ? (d.low === d.high ? 1 : Infinity) : Math.round((d.high - d.low) / d.step) + 1;
    case 'int':
      return (d.high - d.low) / d.step + 1;
    case 'categorical':
      return d.choices.length;
    case 'ordinal':
      return d.values.length;
  }
}

/**
 * Maps `u` in [0, 1) to an internal value, the inverse of {@link toUnit}. Log-scaled ranges are uniform in
 * log space; ints, steps, ordinals and categories split [0, 1) into equal cells, one per value, so a
 * uniform `u` gives each value the same probability. Used by random, quasi-random and simplex samplers.
 */
export function fromUnit(d: Distribution, u: number): number {
  const x = Math.min(Math.max(u, 0), 1);
  switch (d.type) {
    case 'float': {
      if (d.step !== null) {
        const n = cardinality(d);
        const k = Math.min(n - 1, Math.floor(x * n));
        return Math.min(d.high, d.low + k * d.step);
      }
      if (d.log) {
        const v = Math.exp(Math.log(d.low) + x * (Math.log(d.high) - Math.log(d.low)));
        return Math.min(d.high, Math.max(d.low, v));
      }
      return Math.min(d.high, d.low + x * (d.high - d.low));
    }
    case 'int': {
      if (d.log) {
        // Cells of equal width in log space around each integer: [log(k-0.5), log(k+0.5)).
        const lo = Math.log(d.low - 0.5);
        const hi = Math.log(d.high + 0.5);
        const v = Math.round(Math.exp(lo + x * (hi - lo)));
        return Math.min(d.high, Math.max(d.low, v));
      }
      const n = cardinality(d);
      const k = Math.min(n - 1, Math.floor(x * n));
      return d.low + k * d.step;
    }
    case 'categorical':
    case 'ordinal': {
      const n = cardinality(d);
      return Math.min(n - 1, Math.floor(x * n));
    }
  }
}

/**
 * Maps an internal value to the centre of its cell in [0, 1] (continuous values map linearly, or
 * log-linearly). `fromUnit(d, toUnit(d, v)) === v` for every value `v` in `d`.
 */
export function toUnit(d: Distribution, internal: number): number {
  switch (d.type) {
    case 'float': {
      if (d.step !== null) {
        const n = cardinality(d);
        return (Math.round((internal - d.low) / d.step) + 0.5) / n;
      }
      if (d.low === d.high) return 0.5;
      if (d.log) return (Math.log(internal) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
      return (internal - d.low) / (d.high - d.low);
    }
    case 'int': {
      if (d.log) {
        const lo = Math.log(d.low - 0.5);
        const hi = Math.log(d.high + 0.5);
        return (Math.log(internal) - lo) / (hi - lo);
      }
      const n = cardinality(d);
      return ((internal - d.low) / d.step + 0.5) / n;
    }
    case 'categorical':
    case 'ordinal':
      return (internal + 0.5) / cardinality(d);
  }
}

/**
 * Why `later` cannot be used for a parameter first seen as `first` (Optuna's
 * check_distribution_compatibility: same kind; categorical and ordinal values unchanged), or null.
 */
export function describeKindClash(name: string, first: Distribution, later: Distribution): string | null {
  if (first.type === later.type && (first.type === 'float' || first.type === 'int' || distributionsEqual(first, later))) return null;
  return (
    `parameter "${name}" is ${describeDistribution(later)} here but ${describeDistribution(first)} in earlier trials of the study; ` +
    `a parameter keeps its kind${first.type === 'categorical' || first.type === 'ordinal' ? ' and its values' : ''} across trials (ranges may change)`
  );
}
