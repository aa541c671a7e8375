/**
 * Tansaku (探索, "search"): hyperparameter optimisation for TypeScript and Node.js.
 *
 * The root entry point: what a user of the library needs to define, run and read studies. It only
 * re-exports; `tansaku/extend` has the building blocks for writing samplers, pruners and storages,
 * `tansaku/testing` the contract suites they must pass, `tansaku/tfjs` TensorFlow.js. The list is
 * deliberate: test/public-api.test.ts names every runtime export of each entry point.
 *
 * @example
 * ```ts
 * import { createStudy } from 'tansaku';
 * const study = await createStudy({ direction: 'minimize', seed: 7 });
 * await study.optimize((trial) => {
 *   const x = trial.suggestFloat('x', -10, 10);
 *   const y = trial.suggestInt('y', -3, 3);
 *   return (x - 2) ** 2 + y * y;
 * }, { nTrials: 200 });
 * console.log(await study.bestParams, await study.bestValue);
 * ```
 */
export { createStudy, deleteStudy, listStudies, loadStudy, type StudySummary } from './defaults.js';
export type {
  AskOptions,
  CreateStudyOptions,
  HeartbeatOptions,
  LoadStudyOptions,
  Objective,
  ObjectiveResult,
  OptimizeOptions,
  OptimizeResult,
  Study,
  StudyCallback,
  TellOptions,
  TrialInput,
} from './core/study.js';
export type { Trial } from './core/trial.js';
export {
  DistributionClashError,
  DuplicateStudyError,
  InvalidArgumentError,
  InvalidDistributionError,
  InvalidStateTransitionError,
  NoCompletedTrialsError,
  OptimizationInterruptedError,
  StorageError,
  StudyExhaustedError,
  StudyNotFoundError,
  TansakuError,
  TrialFinishedError,
  TrialNotFoundError,
  TrialPruned,
  type ErrorCode,
  type WarningCode,
} from './core/errors.js';
export {
  logGrid,
  type CategoricalChoice,
  type Distribution,
  type OrdinalValue,
  type ParamValue,
  type SearchSpace,
} from './core/distributions.js';
export type { FrozenTrial, JsonValue, StudyDirection, TrialState } from './core/trial-record.js';
export type { Storage } from './core/storage.js';
export type { Sampler } from './core/sampler.js';
export type { Pruner } from './core/pruner.js';
export { trialsToCSV, trialsToJSON, type TrialJSON } from './core/export.js';
export { RandomSampler, type RandomSamplerOptions } from './samplers/random.js';
export { GridSampler, type GridSamplerOptions } from './samplers/grid.js';
export { QmcSampler, type QmcSamplerOptions } from './samplers/qmc/sampler.js';
export { TpeSampler, type TpeSamplerOptions } from './samplers/tpe/sampler.js';
export {
  NelderMeadSampler,
  type BoundaryHandling,
  type InitialSimplexMethod,
  type NelderMeadCoefficients,
  type NelderMeadEvent,
  type NelderMeadSamplerOptions,
} from './samplers/nelder-mead/sampler.js';
export { CoordinateSearchSampler, type CoordinateSearchSamplerOptions } from './samplers/path-search/coordinate-search.js';
export { HillClimbingSampler, type HillClimbingSamplerOptions } from './samplers/path-search/hill-climbing.js';
export { CrossSearchSampler, type CrossSearchSamplerOptions } from './samplers/path-search/cross-search.js';
export {
  MedianPruner,
  NopPruner,
  PatientPruner,
  PercentilePruner,
  ThresholdPruner,
  type MedianPrunerOptions,
  type PatientPrunerOptions,
  type PercentilePrunerOptions,
  type ThresholdPrunerOptions,
} from './pruners/index.js';
export { InMemoryStorage } from './storage/memory.js';
export { JournalFileStorage, type JournalFileStorageOptions } from './storage/journal.js';
export { CommandObjective, CommandTrialError, type CommandObjectiveOptions } from './runner/command.js';
