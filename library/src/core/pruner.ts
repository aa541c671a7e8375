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
  /**
   * Optional: the study as the sampler should see it for `trial`, e.g. only the trials of the trial's
   * Hyperband bracket (Optuna's `_BracketStudy`), so that a model-based sampler learns from comparable
   * trials only. Called once per trial, before `sampleRelative`; `sampleIndependent` gets the same view.
   * Build it with `filteredStudyView` from `tansaku/extend`. Default: the whole study.
   */
  samplerView?(study: StudyView, trial: FrozenTrial): StudyView | Promise<StudyView>;
}
