/**
 * PatientPruner: wait until a trial stops improving for `patience` steps before letting another pruner
 * (or plain early stopping) end it. Port of Optuna 3.1's `optuna.pruners.PatientPruner`
 * (optuna/pruners/_patient.py; experimental there since 2.8.0).
 */
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Pruner } from '../core/pruner.js';
import type { StudyView } from '../core/sampler.js';
import type { FrozenTrial } from '../core/trial-record.js';
import { checkOptionsObject, singleDirection } from './percentile.js';

/** Options of {@link PatientPruner}. */
export interface PatientPrunerOptions {
  /**
   * Pruning is disabled until the trial's objective has not improved for this many consecutive steps
   * (integer >= 0): the trial needs more than `patience + 1` reported steps.
   */
  patience: number;
  /**
   * Tolerance: the trial counts as stalled only when its recent best is worse than its earlier best by
   * more than this. At least 0; default 0.
   */
  minDelta?: number;
}

/**
 * Wraps another pruner with tolerance: the trial may be pruned only once the best of its intermediate
 * values at the last `patience + 1` reported steps is worse, by more than `minDelta`, than its best value
 * at the steps before them (min for minimize, max for maximize). Then the wrapped pruner decides; with
 * `null` the trial is pruned (early stopping on the trial's own curve).
 *
 * As in Optuna 3.1's code: "worse" is strict, so a flat curve (no change at all) never counts as stalled;
 * steps are taken in numeric order; NaN values are ignored, and a window with only NaN values never
 * allows pruning. Single-objective studies only.
 *
 * @example
 * ```ts
 * import { createStudy, MedianPruner, PatientPruner, TrialPruned } from 'tansaku';
 *
 * // median rule, but only once the trial has stalled for 3 epochs
 * const pruner = new PatientPruner(new MedianPruner(), { patience: 3 });
 * // or plain early stopping: new PatientPruner(null, { patience: 5, minDelta: 1e-3 })
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
export class PatientPruner implements Pruner {
  readonly name: string = 'PatientPruner';
  readonly wrappedPruner: Pruner | null;
  readonly patience: number;
  readonly minDelta: number;

  constructor(wrappedPruner: Pruner | null, options: PatientPrunerOptions) {
    const owner = 'PatientPruner';
    if (
      wrappedPruner !== null &&
      (typeof wrappedPruner !== 'object' || typeof (wrappedPruner as { prune?: unknown }).prune !== 'function')
    ) {
      throw new InvalidArgumentError(
        `${owner}: argument "wrappedPruner" must be a Pruner (an object with a prune method) or null, got ${describeValue(wrappedPruner)}`,
      );
    }
    if (options === undefined) {
      throw new InvalidArgumentError(`${owner}: options with "patience" are required, got undefined`);
    }
    const o = checkOptionsObject(owner, options, ['patience', 'minDelta']);
    const patience = o.patience;
    if (typeof patience !== 'number' || !Number.isInteger(patience) || patience < 0) {
      throw new InvalidArgumentError(`${owner}: option "patience" must be an integer >= 0, got ${describeValue(patience)}`);
    }
    const minDelta = o.minDelta ?? 0;
    if (typeof minDelta !== 'number' || !(minDelta >= 0)) {
      throw new InvalidArgumentError(`${owner}: option "minDelta" must be a number >= 0, got ${describeValue(minDelta)}`);
    }
    this.wrappedPruner = wrappedPruner;
    this.patience = patience;
    this.minDelta = minDelta;
  }

  prune(study: StudyView, trial: FrozenTrial): boolean | Promise<boolean> {
    const direction = singleDirection(this.name, study);
    const values = trial.intermediateValues;
    // Too few steps to judge (this also covers a trial with no intermediate value).
    if (values.size <= this.patience + 1) return false;

    const steps = [...values.keys()].sort((a, b) => a - b);
    const split = steps.length - this.patience - 1;
    const before = steps.slice(0, split).map((s) => values.get(s) as number);
    const after = steps.slice(split).map((s) => values.get(s) as number);

    let maybePrune: boolean;
    if (direction === 'minimize') {
      maybePrune = nanExtreme(before, Math.min) + this.minDelta < nanExtreme(after, Math.min);
    } else {
      maybePrune = nanExtreme(before, Math.max) - this.minDelta > nanExtreme(after, Math.max);
    }
    if (!maybePrune) return false;
    return this.wrappedPruner === null ? true : this.wrappedPruner.prune(study, trial);
  }
}

/** NumPy's nanmin / nanmax: the extreme of the non-NaN values, NaN when there are none. */
function nanExtreme(values: readonly number[], pick: (a: number, b: number) => number): number {
  let best = Number.NaN;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    best = Number.isNaN(best) ? v : pick(best, v);
  }
  return best;
}
