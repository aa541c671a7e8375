/**
 * Constraints of a trial, as Optuna keeps them: a list of floats in the trial's `constraints` system
 * attribute, the trial feasible when every value is <= 0. Set with `trial.setConstraints`, or by a
 * command objective's `"constraints"` key; read by constrained samplers.
 *
 * @example
 * const feasible = (await study.trials).filter((t) => isFeasible(t) === true);
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import { SystemAttr, type FrozenTrial } from './trial-record.js';

/** Checks constraint values (finite numbers, at least one) and returns a copy. */
export function checkConstraints(owner: string, values: unknown): number[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new InvalidArgumentError(
      `${owner}: constraints must be a non-empty array of numbers (feasible when all are <= 0), got ${describeValue(values)}`,
    );
  }
  for (const [i, v] of values.entries()) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${owner}: constraint ${i} must be a finite number, got ${describeValue(v)}`);
    }
  }
  return [...(values as number[])];
}

/** The trial's constraint values, or null when it has none (or they are not a list of numbers). */
export function constraintsOf(trial: FrozenTrial): number[] | null {
  const stored = trial.systemAttrs[SystemAttr.constraints];
  if (!Array.isArray(stored) || stored.length === 0 || !stored.every((v) => typeof v === 'number')) return null;
  return stored as number[];
}

/** Whether the trial satisfies its constraints (every value <= 0); null when it has none. */
export function isFeasible(trial: FrozenTrial): boolean | null {
  const c = constraintsOf(trial);
  return c === null ? null : c.every((v) => v <= 0);
}
