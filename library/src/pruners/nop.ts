/**
 * NopPruner: never prunes. Port of Optuna 3.1's `optuna.pruners.NopPruner` (optuna/pruners/_nop.py).
 */
import type { Pruner } from '../core/pruner.js';
import type { StudyView } from '../core/sampler.js';
import type { FrozenTrial } from '../core/trial-record.js';

/**
 * A pruner that never prunes: every trial runs to its end. Use it to turn pruning off explicitly, or
 * as a baseline when measuring what another pruner saves.
 *
 * @example
 * ```ts
 * import { createStudy, NopPruner } from 'tansaku';
 *
 * const study = await createStudy({ direction: 'maximize', pruner: new NopPruner() });
 * await study.optimize(async (trial) => {
 *   let acc = 0;
 *   for (let epoch = 0; epoch < 10; epoch++) {
 *     acc = await trainOneEpoch(trial);
 *     trial.report(acc, epoch);
 *     // always false with NopPruner
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return acc;
 * }, { nTrials: 20 });
 * ```
 */
export class NopPruner implements Pruner {
  readonly name: string = 'NopPruner';

  prune(_study: StudyView, _trial: FrozenTrial): boolean {
    return false;
  }
}
