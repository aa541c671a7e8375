/**
 * The study functions of the public entry point, with the defaults wired in: `TpeSampler` (seeded
 * from the study), `MedianPruner`, and a fresh `InMemoryStorage` when no storage is given. They live
 * here, outside `core/`, because the core may not import the samplers, pruners and storages it defaults to.
 */
import { InvalidArgumentError, describeValue } from './core/errors.js';
import type { Storage } from './core/storage.js';
import { Study, type CreateStudyOptions, type LoadStudyOptions, type StudyDefaults } from './core/study.js';
import { MedianPruner } from './pruners/index.js';
import { RandomSampler } from './samplers/random.js';
import { TpeSampler } from './samplers/tpe/sampler.js';
import type { Sampler } from './core/sampler.js';
import { SystemAttr, type JsonValue, type StudyDirection } from './core/trial-record.js';
import { InMemoryStorage } from './storage/memory.js';

/**
 * The sampler of a study given none: TPE, as Optuna's default; a study whose creator stored a default
 * keeps it, and one made by an older Tansaku (its seed stored, no default) keeps that release's
 * default, random search, so joining it does not change how its trials are drawn. A study made by
 * Optuna gets TPE, Optuna's default.
 */
function defaultSampler(stored: Readonly<Record<string, JsonValue>> | null): Sampler {
  const name = stored?.[SystemAttr.defaultSampler];
  if (name === 'RandomSampler') return new RandomSampler();
  if (stored !== null && name === undefined && stored[SystemAttr.studySeed] !== undefined) return new RandomSampler();
  return new TpeSampler();
}

const defaults: StudyDefaults = {
  sampler: defaultSampler,
  samplerName: 'TpeSampler',
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
