/**
 * Tansaku (探索, "search"): hyperparameter optimisation for TypeScript and Node.js.
 *
 * This entry point re-exports the core and wires the defaults: `RandomSampler` (seeded from the
 * study), `MedianPruner`, and a fresh `InMemoryStorage` when no storage is given.
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
import { InvalidArgumentError, describeValue } from './core/errors.js';
import type { Storage } from './core/storage.js';
import { Study, type CreateStudyOptions, type LoadStudyOptions, type StudyDefaults } from './core/study.js';
import type { StudyDirection } from './core/trial-record.js';
import { MedianPruner } from './pruners/index.js';
import { RandomSampler } from './samplers/random.js';
import { InMemoryStorage } from './storage/memory.js';

const defaults: StudyDefaults = {
  sampler: () => new RandomSampler(),
  pruner: () => new MedianPruner(),
  storage: () => new InMemoryStorage(),
};

/**
 * Creates a study (or loads it with `loadIfExists`).
 * @example const study = await createStudy({ studyName: 'mlp', storage, direction: 'maximize' });
 */
export function createStudy(options: CreateStudyOptions = {}): Promise<Study> {
  return Study.create(options, defaults);
}

/**
 * Loads an existing study from a storage, e.g. to join it as another worker.
 * @example const study = await loadStudy({ studyName: 'mlp', storage });
 */
export function loadStudy(options: LoadStudyOptions): Promise<Study> {
  return Study.load(options, defaults);
}

function requireStorage(fn: string, storage: unknown): Storage {
  if (!storage || typeof (storage as Storage).getAllStudies !== 'function') {
    throw new InvalidArgumentError(`${fn}: storage must be a Storage (e.g. new InMemoryStorage()), got ${describeValue(storage)}`);
  }
  return storage as Storage;
}

/** Deletes a study and its trials from a storage. */
export async function deleteStudy(options: { studyName: string; storage: Storage }): Promise<void> {
  const storage = requireStorage('deleteStudy', options.storage);
  await storage.deleteStudy(await storage.getStudyIdFromName(options.studyName));
}

/** A study's summary, as `listStudies` returns it. */
export interface StudySummary {
  studyName: string;
  directions: readonly StudyDirection[];
  nTrials: number;
  datetimeStart: Date | null;
  userAttrs: Readonly<Record<string, unknown>>;
}

/** The studies in a storage. */
export async function listStudies(options: { storage: Storage }): Promise<StudySummary[]> {
  const storage = requireStorage('listStudies', options.storage);
  return (await storage.getAllStudies()).map((s) => ({
    studyName: s.studyName,
    directions: s.directions,
    nTrials: s.nTrials,
    datetimeStart: s.datetimeStart === null ? null : new Date(s.datetimeStart),
    userAttrs: s.userAttrs,
  }));
}

export {
  Study,
  OptimizationInterruptedError,
  type AskOptions,
  type CreateStudyOptions,
  type HeartbeatOptions,
  type LoadStudyOptions,
  type Objective,
  type ObjectiveResult,
  type OptimizeOptions,
  type OptimizeResult,
  type StudyCallback,
  type TellOptions,
  type TrialInput,
} from './core/study.js';
export { Trial } from './core/trial.js';
export * from './core/errors.js';
export {
  logGrid,
  floatDistribution,
  intDistribution,
  categoricalDistribution,
  ordinalDistribution,
  validateDistribution,
  distributionsEqual,
  fromUnit,
  toUnit,
  toInternal,
  toExternal,
  contains,
  cardinality,
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
export {
  TRIAL_STATES,
  SystemAttr,
  isFinished,
  trialValue,
  type FrozenTrial,
  type JsonValue,
  type StudyDirection,
  type StudyRecord,
  type TrialState,
} from './core/trial-record.js';
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
export type { RelativeSample, Sampler, StudyView, TrialPlan } from './core/sampler.js';
export type { Pruner } from './core/pruner.js';
export { Rng, deriveSeed } from './core/rng.js';
export { paretoFront, dominates } from './core/pareto.js';
export { hypervolume } from './core/hypervolume.js';
export { trialsToCSV, trialsToJSON, trialToJSON, type TrialJSON } from './core/export.js';
export { RandomSampler, type RandomSamplerOptions } from './samplers/random.js';
export { GridSampler, type GridSamplerOptions } from './samplers/grid.js';
export { QmcSampler, centeredL2Discrepancy, type QmcSamplerOptions } from './samplers/qmc.js';
export {
  NelderMeadSampler,
  NELDER_MEAD_CONFIG_ATTR,
  NELDER_MEAD_SEARCH_SPACE_ATTR,
  type NelderMeadSamplerOptions,
  type NelderMeadCoefficients,
  type NelderMeadEvent,
  type InitialSimplexMethod,
  type BoundaryHandling,
} from './samplers/nelder-mead.js';
export { nelderMeadPath, regularSimplexOffsets, type NelderMeadJoin, type NelderMeadPathOptions } from './samplers/nelder-mead-path.js';
export { SobolSequence } from './samplers/sobol.js';
export { CoordinateSearchSampler, type CoordinateSearchSamplerOptions } from './samplers/coordinate-search.js';
export { HillClimbingSampler, type HillClimbingSamplerOptions } from './samplers/hill-climbing.js';
export { CrossSearchSampler, type CrossSearchSamplerOptions } from './samplers/cross-search.js';
export * from './pruners/index.js';
export { InMemoryStorage } from './storage/memory.js';
export { JournalFileStorage, type JournalFileStorageOptions } from './storage/journal.js';
export { OperationLogStorage } from './storage/log-storage.js';
export { CommandObjective, CommandTrialError, type CommandObjectiveOptions } from './runner/command.js';
export { splitCommand } from './runner/argv.js';
