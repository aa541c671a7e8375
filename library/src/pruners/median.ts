/**
 * MedianPruner: the median stopping rule. Port of Optuna 3.1's `optuna.pruners.MedianPruner`
 * (optuna/pruners/_median.py), which is `PercentilePruner(50.0, ...)`.
 */
import { PercentilePruner, checkOptionsObject } from './percentile.js';

/** Options of {@link MedianPruner}: those of `PercentilePruner` without `percentile`. */
export interface MedianPrunerOptions {
  /** Pruning is disabled until this many trials of the study are COMPLETE. Default 5. */
  nStartupTrials?: number;
  /** Pruning is disabled until the trial reaches this step (steps start at 0). Default 0. */
  nWarmupSteps?: number;
  /**
   * Interval in steps between pruning checks, offset by the warm-up steps; a check with no reported
   * value waits for the next reported step. At least 1; default 1.
   */
  intervalSteps?: number;
  /** Minimum number of completed trials that reported the current step for a decision. Default 1. */
  nMinTrials?: number;
}

/**
 * Prunes a trial when its best intermediate value so far is worse than the median of the completed
 * trials' intermediate values at the trial's latest step (the median stopping rule). Exactly
 * `PercentilePruner` with `percentile: 50`; see there for the full rule.
 *
 * Single-objective studies only.
 *
 * @example
 * ```ts
 * import { createStudy, MedianPruner, TrialPruned } from 'tansaku';
 *
 * const study = await createStudy({
 *   direction: 'minimize',
 *   pruner: new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 3 }),
 * });
 * await study.optimize(async (trial) => {
 *   let loss = Infinity;
 *   for (let epoch = 0; epoch < 50; epoch++) {
 *     loss = await trainOneEpoch(trial);
 *     trial.report(loss, epoch);
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return loss;
 * }, { nTrials: 100 });
 * ```
 */
export class MedianPruner extends PercentilePruner {
  static override readonly prunerName: string = 'MedianPruner';

  override readonly name: string = 'MedianPruner';

  constructor(options: MedianPrunerOptions = {}) {
    // "percentile" is not accepted: it is fixed at 50.
    const o = checkOptionsObject('MedianPruner', options, ['nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials']);
    super({ ...(o as MedianPrunerOptions), percentile: 50 });
  }
}
