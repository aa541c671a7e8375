/**
 * `tansaku/extend`: the building blocks for extending Tansaku — samplers, pruners, storages, executors
 * and tools such as the `tansaku` command and the benchmark lab, which are built on this entry point and
 * the root one only. It only re-exports; test/public-api.test.ts names every runtime export.
 *
 * @example
 * ```ts
 * import { Rng, fromUnit, type Distribution, type FrozenTrial, type Sampler, type StudyView } from 'tansaku/extend';
 *
 * // A sampler that draws every parameter uniformly, one seeded stream per (study seed, trial, parameter).
 * export class UniformSampler implements Sampler {
 *   readonly name = 'UniformSampler';
 *   sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
 *     return fromUnit(distribution, Rng.forKey(study.seed, trial.number, name).random());
 *   }
 * }
 * ```
 * ```
 */

// The study and trial classes, and what the storage holds.
export { Study, type StudyDefaults } from './core/study.js';
export { Trial } from './core/trial.js';
export {
  SystemAttr,
  TRIAL_STATES,
  isFinished,
  trialValue,
  type FrozenTrial,
  type JsonValue,
  type StudyDirection,
  type StudyRecord,
  type TrialState,
} from './core/trial-record.js';

// Search-space arithmetic: distributions, their internal (float) representation and the unit cube.
export {
  cardinality,
  categoricalDistribution,
  contains,
  describeDistribution,
  describeKindClash,
  distributionsEqual,
  floatDistribution,
  fromUnit,
  intDistribution,
  isSingleValue,
  ordinalDistribution,
  toExternal,
  toInternal,
  toUnit,
  validateDistribution,
  validateSearchSpace,
  type CategoricalChoice,
  type CategoricalDistribution,
  type Distribution,
  type FloatDistribution,
  type IntDistribution,
  type OrdinalDistribution,
  type OrdinalValue,
  type ParamValue,
  type SearchSpace,
} from './core/distributions.js';

// Writing a sampler or a pruner.
export type { RelativeSample, Sampler, StudyView, TrialPlan } from './core/sampler.js';
export { relativeSampleOf } from './core/relative.js';
export { constraintsOf, isFeasible } from './core/constraints.js';
export { filteredStudyView } from './core/study-view.js';
export type { Pruner } from './core/pruner.js';
export { Rng, deriveSeed } from './core/rng.js';
export { dominates, paretoFront } from './core/pareto.js';
export { hypervolume } from './core/hypervolume.js';
export { NELDER_MEAD_CONFIG_ATTR, NELDER_MEAD_SEARCH_SPACE_ATTR } from './samplers/nelder-mead/sampler.js';
export { nelderMeadPath, regularSimplexOffsets, type NelderMeadJoin, type NelderMeadPathOptions } from './samplers/nelder-mead/path.js';
export { SobolSequence } from './samplers/qmc/sobol.js';
export { centeredL2Discrepancy } from './samplers/qmc/sampler.js';
export { defaultGamma, defaultWeights } from './samplers/tpe/sampler.js';
export { ParzenEstimator, type ParzenOptions } from './samplers/tpe/parzen-estimator.js';

// Writing a storage: the operation log every backend shares.
export {
  OpCode,
  type CreateTrialOptions,
  type CreateTrialResult,
  type GetTrialsOptions,
  type Operation,
  type Storage,
  type TrialFinish,
  type TrialTemplate,
  type TrialUpdate,
} from './core/storage.js';
export { OperationLogStorage } from './storage/log-storage.js';

// Running trials in other processes: command objectives' argv and environment, worker processes.
export { paramEnvName, splitCommand } from './runner/argv.js';
export { checkOptions, closest, warnRenamedOption } from './core/options.js';
export { findProgram, killAllChildren, type EnvironmentVariables, type ProgramLookup, type SignalName } from './runner/processes.js';
export {
  WorkerPool,
  failTrialsOfDeadWorker,
  loadObjectiveModule,
  needsTypeScriptLoader,
  tsxLoaderUrl,
  watchParent,
  type WorkerExit,
  type WorkerPoolOptions,
} from './runner/worker.js';

// Errors, results and text for tools.
export { describeValue } from './core/errors.js';
export { trialToJSON } from './core/export.js';
export { describeTrial, displayText, formatDuration, formatElapsed, formatNumber, formatParams, type OutputStream } from './core/format.js';
