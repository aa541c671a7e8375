/**
 * The pure decisions of `study.tell`: which final state and values a call asks for (a NaN value makes the
 * trial FAIL, with the reason recorded), and Optuna's rule for a pruned trial's value. No storage, no
 * trial objects: `Study.tell` applies what these decide.
 *
 * @example
 * decideTellOutcome(7, 1, Number.NaN, {}) // { state: 'FAIL', values: null, failReason: 'the objective returned NaN (["NaN"])' }
 */
import { InvalidArgumentError, InvalidStateTransitionError, describeValue } from './errors.js';

/** A finished trial's state. */
export type TellState = 'COMPLETE' | 'PRUNED' | 'FAIL';

/** What a tell call asks for, checked. */
export interface TellOutcome {
  state: TellState;
  values: number[] | null;
  failReason: string | undefined;
}

/**
 * The objective's result as one number per objective. Throws `InvalidArgumentError` naming the trial
 * (`number`; -1 for a result given to `addTrial`) when it is not a number, or not an array of
 * `nObjectives` numbers.
 */
export function checkObjectiveValues(raw: unknown, nObjectives: number, number: number): number[] {
  const list = typeof raw === 'number' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number')) {
    throw new InvalidArgumentError(
      `trial ${number}: the objective must return ${nObjectives === 1 ? 'a number' : `an array of ${nObjectives} numbers`}, got ${describeValue(raw)}`,
    );
  }
  if (list.length !== nObjectives) {
    throw new InvalidArgumentError(
      `trial ${number}: the study has ${nObjectives} objective(s) but ${list.length} value(s) were given: ${describeValue(raw)}`,
    );
  }
  return list as number[];
}

/**
 * The outcome `tell(trial, valuesOrState, options)` asks for: values mean COMPLETE; a state string is
 * COMPLETE (with `options.values`), PRUNED or FAIL. A NaN among the values turns COMPLETE into FAIL with
 * the reason recorded; ±Infinity are valid values. Throws for a call that cannot be applied.
 */
export function decideTellOutcome(
  number: number,
  nObjectives: number,
  valuesOrState: unknown,
  options: { values?: unknown; failReason?: string },
): TellOutcome {
  let state: TellState;
  let rawValues: unknown;
  if (typeof valuesOrState === 'string') {
    if (valuesOrState !== 'COMPLETE' && valuesOrState !== 'PRUNED' && valuesOrState !== 'FAIL') {
      throw new InvalidStateTransitionError(`tell: a trial can be told COMPLETE, PRUNED or FAIL, got ${describeValue(valuesOrState)}`);
    }
    state = valuesOrState;
    rawValues = options.values;
    if (state === 'COMPLETE' && rawValues === undefined) {
      throw new InvalidArgumentError(`tell: trial ${number} told COMPLETE needs its values (options.values), got none`);
    }
  } else {
    state = 'COMPLETE';
    rawValues = valuesOrState;
  }
  let values: number[] | null = null;
  let failReason = options.failReason;
  if (state === 'COMPLETE') {
    values = checkObjectiveValues(rawValues, nObjectives, number);
    if (values.some((v) => Number.isNaN(v))) {
      state = 'FAIL';
      failReason = `the objective returned NaN (${JSON.stringify(values.map(String))})`;
      values = null;
    }
  }
  return { state, values, failReason };
}

/**
 * Optuna's rule for a pruned trial: with one objective it takes its last reported value (the highest
 * step's), none when it reported nothing or that value is NaN; with several objectives, none.
 */
export function prunedValues(nObjectives: number, reported: ReadonlyMap<number, number>): number[] | null {
  if (nObjectives !== 1 || reported.size === 0) return null;
  const v = reported.get(Math.max(...reported.keys())) as number;
  return Number.isNaN(v) ? null : [v];
}
