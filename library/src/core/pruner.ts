/**
 * The Pruner interface: decides from intermediate values whether a running trial should stop early.
 */
import type { StudyView } from './sampler.js';
import type { FrozenTrial } from './trial-record.js';

export interface Pruner {
  /** Short name used in logs and stored settings, e.g. "MedianPruner". */
  readonly name: string;
  /**
   * True when `trial` (RUNNING, with its intermediate values so far) should be pruned. Called by
   * `trial.shouldPrune()`; `study` gives the other trials.
   */
  prune(study: StudyView, trial: FrozenTrial): boolean | Promise<boolean>;
}
