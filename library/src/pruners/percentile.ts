/**
 * PercentilePruner: keep the trials whose best intermediate value is within the given percentile of the
 * completed trials at the same step.
 *
 * A port of Optuna 3.1's `optuna.pruners.PercentilePruner` (optuna/pruners/_percentile.py), with the
 * same decisions for the same inputs, NaN and infinities included (the percentile is computed as NumPy
 * 1.24's `nanpercentile` with its default "linear" method does, see {@link nanPercentile}).
 */
import { checkOptions } from '../core/options.js';
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Pruner } from '../core/pruner.js';
import type { StudyView } from '../core/sampler.js';
import type { FrozenTrial, StudyDirection } from '../core/trial-record.js';

/** Options of {@link PercentilePruner}. */
export interface PercentilePrunerOptions {
  /**
   * Percentile in [0, 100]: a trial is kept while its best intermediate value is at least as good as
   * this percentile of the completed trials' values at the same step (25 keeps the top 25%).
   */
  percentile: number;
  /** Pruning is disabled until this many trials of the study are COMPLETE. Default 5. */
  nStartupTrials?: number;
  /**
   * Pruning is disabled until the trial reaches this step (steps are assumed to start at 0).
   * Default 0.
   */
  nWarmupSteps?: number;
  /**
   * Interval in steps between pruning checks, offset by the warm-up steps. When no value was reported
   * at a check step, the check happens at the next reported step. At least 1; default 1.
   */
  intervalSteps?: number;
  /**
   * Minimum number of completed trials that reported a value at the current step for a decision; with
   * fewer the trial is not pruned. At least 1; default 1.
   */
  nMinTrials?: number;
}

/**
 * Prunes a trial when its best intermediate value so far is worse than the given percentile of the
 * completed trials' intermediate values at the trial's latest step.
 *
 * Decision at each call, as in Optuna 3.1 (for the trial's latest reported step `s`):
 * 1. no pruning while fewer than `nStartupTrials` (or zero) trials are COMPLETE, before any value was
 *    reported, while `s < nWarmupSteps`, or when `s` is not the first reported step of its interval
 *    (intervals of `intervalSteps` steps starting at `nWarmupSteps`);
 * 2. the trial's best value over all its steps (min for minimize, max for maximize, NaN ignored) is
 *    compared with the `percentile`-th percentile (the `(100 - percentile)`-th for maximize) of the
 *    values the COMPLETE trials reported at step `s` (NaN ignored);
 * 3. a trial whose values are all NaN is pruned; no pruning when fewer than `nMinTrials` completed trials
 *    reported step `s`, or when the percentile is NaN.
 *
 * Single-objective studies only: a multi-objective study gets an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * import { createStudy, PercentilePruner, TrialPruned } from 'tansaku';
 *
 * // keep the best 25% of curves, judged every 10 epochs after 30 epochs of warm-up
 * const pruner = new PercentilePruner({ percentile: 25, nStartupTrials: 5, nWarmupSteps: 30, intervalSteps: 10 });
 * const study = await createStudy({ direction: 'maximize', pruner });
 * await study.optimize(async (trial) => {
 *   let acc = 0;
 *   for (let epoch = 0; epoch < 100; epoch++) {
 *     acc = await trainOneEpoch(trial);
 *     trial.report(acc, epoch);
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return acc;
 * }, { nTrials: 20 });
 * ```
 */
export class PercentilePruner implements Pruner {
  /** Name used in error messages of this class (subclasses override it). */
  static readonly prunerName: string = 'PercentilePruner';

  readonly name: string = 'PercentilePruner';
  readonly percentile: number;
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;

  constructor(options: PercentilePrunerOptions) {
    const owner = (new.target as { prunerName?: string }).prunerName ?? 'PercentilePruner';
    const o = checkOptionsObject(owner, options, ['percentile', 'nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials']);
    const percentile = o.percentile;
    if (typeof percentile !== 'number' || !(percentile >= 0 && percentile <= 100)) {
      throw new InvalidArgumentError(
        `${owner}: option "percentile" must be a number between 0 and 100 inclusive, got ${describeValue(percentile)}`,
      );
    }
    this.percentile = percentile;
    this.nStartupTrials = intOption(owner, o, 'nStartupTrials', 5, 0);
    this.nWarmupSteps = intOption(owner, o, 'nWarmupSteps', 0, 0);
    this.intervalSteps = intOption(owner, o, 'intervalSteps', 1, 1);
    this.nMinTrials = intOption(owner, o, 'nMinTrials', 1, 1);
  }

  async prune(study: StudyView, trial: FrozenTrial): Promise<boolean> {
    const direction = singleDirection(this.name, study);
    // The checks that need only the trial come first, so most calls never read the study; they all
    // answer "keep", as do Optuna's checks that come before them there, so the order is immaterial.
    const step = lastStep(trial);
    if (step === null) return false;
    if (step < this.nWarmupSteps) return false;
    if (!isFirstInIntervalStep(step, trial.intermediateValues.keys(), this.nWarmupSteps, this.intervalSteps)) {
      return false;
    }

    const completed = await study.getTrials({ states: ['COMPLETE'] });
    const nTrials = completed.length;
    if (nTrials === 0) return false;
    if (nTrials < this.nStartupTrials) return false;

    const best = bestIntermediateValue(trial, direction);
    if (Number.isNaN(best)) return true;

    const p = percentileOverTrials(completed, direction, step, this.percentile, this.nMinTrials);
    if (Number.isNaN(p)) return false;

    return direction === 'maximize' ? best < p : best > p;
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers shared by the pruners of this folder (not part of the public API).

/**
 * The study's only direction; throws `InvalidArgumentError` for a multi-objective study (Optuna raises
 * there too: `study.direction` and `trial.should_prune()` refuse multi-objective studies).
 * @internal
 */
export function singleDirection(owner: string, study: StudyView): StudyDirection {
  const directions = study.directions;
  if (directions.length !== 1) {
    throw new InvalidArgumentError(
      `${owner} supports single-objective studies only, but study ${describeValue(study.studyName)} has ` +
        `${directions.length} directions ${describeValue(directions)}`,
    );
  }
  return directions[0];
}

/** The trial's latest reported step (Optuna's `FrozenTrial.last_step`), or null. @internal */
export function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const s of trial.intermediateValues.keys()) if (last === null || s > last) last = s;
  return last;
}

/**
 * Optuna's `_is_first_in_interval_step`: whether `step` is the first reported step at or after the
 * latest pruning step `nWarmupSteps + k * intervalSteps` not after `step`. Steps need not be sorted.
 * @internal
 */
export function isFirstInIntervalStep(step: number, steps: Iterable<number>, nWarmupSteps: number, intervalSteps: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps + nWarmupSteps;
  let secondLastStep = -1;
  for (const s of steps) if (s > secondLastStep && s !== step) secondLastStep = s;
  return secondLastStep < nearestLowerPruningStep;
}

/** NumPy's `nanmin`/`nanmax` of the trial's intermediate values: NaN when all are NaN. */
function bestIntermediateValue(trial: FrozenTrial, direction: StudyDirection): number {
  let best = Number.NaN;
  for (const v of trial.intermediateValues.values()) {
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
  }
  return best;
}

/** Optuna's `_get_percentile_intermediate_result_over_trials`. */
function percentileOverTrials(
  completed: readonly FrozenTrial[],
  direction: StudyDirection,
  step: number,
  percentile: number,
  nMinTrials: number,
): number {
  const values: number[] = [];
  for (const t of completed) {
    const v = t.intermediateValues.get(step);
    if (v !== undefined) values.push(v);
  }
  // NaN values count towards nMinTrials, as in Optuna (the count is taken before nanpercentile).
  if (values.length < nMinTrials) return Number.NaN;
  return nanPercentile(values, direction === 'maximize' ? 100 - percentile : percentile);
}

/**
 * NumPy 1.24's `nanpercentile(values, q)` with the default "linear" method, operation for operation, so
 * results match Optuna bit for bit, including NumPy's quirks with infinities (the median of
 * `[1, 2, Infinity]` is NaN because `(Infinity - 2) * 0` is NaN). NaN when no value is a number.
 * @internal
 */
export function nanPercentile(values: readonly number[], q: number): number {
  const arr = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = arr.length;
  if (n === 0) return Number.NaN;
  const quantile = q / 100;
  const virtualIndex = (n - 1) * quantile;
  let previousIndex = Math.floor(virtualIndex);
  let nextIndex = previousIndex + 1;
  if (virtualIndex >= n - 1) {
    // NumPy takes the last element for both, and computes gamma against the index -1.
    previousIndex = -1;
    nextIndex = -1;
  }
  const gamma = virtualIndex - previousIndex;
  const a = arr[previousIndex < 0 ? n + previousIndex : previousIndex];
  const b = arr[nextIndex < 0 ? n + nextIndex : nextIndex];
  // NumPy's _lerp.
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Checks that `options` is a plain object with no unknown keys. @internal */
export function checkOptionsObject(owner: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  return checkOptions(owner, options as Record<string, unknown> | undefined, allowed);
}

/** Reads an integer option `>= min`, with a default when absent. @internal */
export function intOption(owner: string, o: Record<string, unknown>, key: string, def: number, min: number): number {
  const value = o[key];
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${owner}: option "${key}" must be an integer >= ${min}, got ${describeValue(value)}`);
  }
  return value;
}
