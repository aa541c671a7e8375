/**
 * Views of a study restricted to some of its trials, for pruners that narrow what a sampler sees
 * (`Pruner.samplerView`) and for samplers that work on a part of a study.
 *
 * @example
 * ```ts
 * // A pruner whose brackets are the trial number modulo 3: the sampler sees the trial's bracket only.
 * samplerView(study: StudyView, trial: FrozenTrial): StudyView {
 *   return filteredStudyView(study, (t) => t.number % 3 === trial.number % 3);
 * }
 * ```
 */
import type { GetTrialsOptions } from './storage.js';
import type { StudyView } from './sampler.js';
import type { FrozenTrial } from './trial-record.js';

/**
 * The study with only the trials `keep` accepts: `getTrials` (with any of its options) returns those;
 * everything else (directions, seed, system attributes, storage) is the study's own.
 */
export function filteredStudyView(study: StudyView, keep: (trial: FrozenTrial) => boolean): StudyView {
  return {
    studyId: study.studyId,
    studyName: study.studyName,
    directions: study.directions,
    seed: study.seed,
    storage: study.storage,
    getTrials: async (options?: GetTrialsOptions) => (await study.getTrials(options)).filter(keep),
    getSystemAttrs: () => study.getSystemAttrs(),
    setSystemAttr: (key, value) => study.setSystemAttr(key, value),
  };
}
