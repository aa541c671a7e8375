/**
 * ThresholdPruner: prune a trial whose latest intermediate value leaves [lower, upper] or is NaN.
 * Port of Optuna 3.1's `optuna.pruners.ThresholdPruner` (optuna/pruners/_threshold.py).
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Pruner } from '../core/pruner.js';
import type { StudyView } from '../core/sampler.js';
import type { FrozenTrial } from '../core/trial-record.js';
import { checkOptionsObject, intOption, isFirstInIntervalStep, lastStep } from './percentile.js';

/** Options of {@link ThresholdPruner}; at least one of `lower` and `upper` is required. */
export interface ThresholdPrunerOptions {
  /** Prune when the latest intermediate value is smaller than this. */
  lower?: number | null;
  /** Prune when the latest intermediate value is larger than this. */
  upper?: number | null;
  /** Pruning is disabled while the latest step is smaller than this. Default 0. */
  nWarmupSteps?: number;
  /**
   * Interval in steps between pruning checks, offset by the warm-up steps; a check with no reported
   * value waits for the next reported step. At least 1; default 1.
   */
  intervalSteps?: number;
}

/**
 * Prunes a trial whose latest intermediate value is below `lower`, above `upper`, or NaN: a detector of
 * diverging or outlying runs. It looks at the trial alone, never at other trials, and ignores the
 * study's direction. Warm-up and interval steps work as in `PercentilePruner`.
 *
 * @example
 * ```ts
 * import { createStudy, ThresholdPruner, TrialPruned } from 'tansaku';
 *
 * // stop runs whose loss explodes (or becomes NaN)
 * const study = await createStudy({ direction: 'minimize', pruner: new ThresholdPruner({ upper: 10 }) });
 * await study.optimize(async (trial) => {
 *   let loss = Infinity;
 *   for (let step = 0; step < 100; step++) {
 *     loss = await trainStep(trial);
 *     trial.report(loss, step);
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return loss;
 * }, { nTrials: 20 });
 * ```
 */
export class ThresholdPruner implements Pruner {
  readonly name: string = 'ThresholdPruner';
  /** Lower bound; `-Infinity` when not given. */
  readonly lower: number;
  /** Upper bound; `Infinity` when not given. */
  readonly upper: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;

  constructor(options: ThresholdPrunerOptions) {
    const owner = 'ThresholdPruner';
    const o = checkOptionsObject(owner, options, ['lower', 'upper', 'nWarmupSteps', 'intervalSteps']);
    const lower = boundOption(owner, o, 'lower');
    const upper = boundOption(owner, o, 'upper');
    if (lower === null && upper === null) {
      throw new InvalidArgumentError(`${owner}: at least one of the options "lower" and "upper" must be given`);
    }
    this.lower = lower ?? -Infinity;
    this.upper = upper ?? Infinity;
    if (this.lower > this.upper) {
      throw new InvalidArgumentError(
        `${owner}: option "lower" (${this.lower}) must be smaller than or equal to option "upper" (${this.upper})`,
      );
    }
    this.nWarmupSteps = intOption(owner, o, 'nWarmupSteps', 0, 0);
    this.intervalSteps = intOption(owner, o, 'intervalSteps', 1, 1);
  }

  prune(_study: StudyView, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === null) return false;
    if (step < this.nWarmupSteps) return false;
    if (!isFirstInIntervalStep(step, trial.intermediateValues.keys(), this.nWarmupSteps, this.intervalSteps)) {
      return false;
    }
    const latest = trial.intermediateValues.get(step) as number;
    if (Number.isNaN(latest)) return true;
    return latest < this.lower || latest > this.upper;
  }
}

function boundOption(owner: string, o: Record<string, unknown>, key: string): number | null {
  const value = o[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidArgumentError(`${owner}: option "${key}" must be a number (not NaN), got ${describeValue(value)}`);
  }
  return value;
}
