/**
 * The option names and argument checks of `createStudy`, `loadStudy`, `optimize`, `ask` and `tell`, so
 * that `Study` holds behaviour and these hold the rules of what it accepts.
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import type { AskOptions, CreateStudyOptions, LoadStudyOptions, OptimizeOptions } from './study-types.js';
import type { Storage } from './storage.js';
import type { StudyDirection } from './trial-record.js';

export const CREATE_STUDY_OPTIONS = [
  'studyName',
  'direction',
  'directions',
  'sampler',
  'pruner',
  'storage',
  'loadIfExists',
  'seed',
  'maxTrials',
  'heartbeat',
] as const satisfies readonly (keyof CreateStudyOptions)[];
export const LOAD_STUDY_OPTIONS = [
  'studyName',
  'storage',
  'sampler',
  'pruner',
  'seed',
  'heartbeat',
] as const satisfies readonly (keyof LoadStudyOptions)[];
export const OPTIMIZE_OPTIONS = [
  'nTrials',
  'timeout',
  'concurrency',
  'catch',
  'callbacks',
  'maxTrials',
  'handleSignals',
  'signal',
] as const satisfies readonly (keyof OptimizeOptions)[];
export const ASK_OPTIONS = ['fixedDistributions', 'maxTrials'] as const satisfies readonly (keyof AskOptions)[];
export const TELL_OPTIONS = ['skipIfFinished', 'failReason', 'values'] as const;

export function checkDirections(directions: unknown): StudyDirection[] {
  if (!Array.isArray(directions) || directions.length === 0) {
    throw new InvalidArgumentError(`directions must be a non-empty array of "minimize" or "maximize", got ${describeValue(directions)}`);
  }
  for (const d of directions) {
    if (d !== 'minimize' && d !== 'maximize') {
      throw new InvalidArgumentError(`each direction must be "minimize" or "maximize", got ${describeValue(d)}`);
    }
  }
  return directions as StudyDirection[];
}

export function checkBudget(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InvalidArgumentError(`${name} must be an integer >= 0, got ${describeValue(v)}`);
  }
  return v;
}

export function checkSeed(seed: unknown): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(`seed must be an integer, got ${describeValue(seed)}`);
  }
  return seed >>> 0;
}

/** `optimize`'s `catch` option as a predicate: an error class, an array of them, or a predicate. */
export function catchPredicate(c: OptimizeOptions['catch']): (error: unknown) => boolean {
  if (c === undefined) return () => false;
  if (typeof c === 'function') {
    // A single error class is accepted as if it were in an array; any other function is a predicate.
    if ((c as { prototype?: unknown }).prototype instanceof Error || (c as unknown) === Error)
      return (error) => error instanceof (c as unknown as typeof Error);
    return c as (error: unknown) => boolean;
  }
  if (!Array.isArray(c))
    throw new InvalidArgumentError(`optimize: catch must be an array of error classes or a predicate, got ${describeValue(c)}`);
  return (error) => c.some((cls) => error instanceof cls);
}

/** The methods every `Storage` has (`finishAndStart` is optional). */
const STORAGE_METHODS = [
  'createStudy',
  'deleteStudy',
  'getStudyIdFromName',
  'getStudy',
  'getAllStudies',
  'setStudyUserAttr',
  'setStudySystemAttr',
  'createTrial',
  'claimWaitingTrial',
  'setTrialParam',
  'setTrialStateValues',
  'setTrialIntermediateValue',
  'updateTrial',
  'finishAndCreate',
  'setTrialUserAttr',
  'setTrialSystemAttr',
  'getTrial',
  'getTrialByNumber',
  'getAllTrials',
  'countTrials',
  'recordHeartbeat',
  'getStaleTrialIds',
  'waitForChange',
  'close',
] as const satisfies readonly (keyof Storage)[];

/** Checks that `storage` implements `Storage`, naming what it lacks (a plain object is a common slip). */
export function checkStorage(where: string, storage: unknown): Storage {
  if (typeof storage !== 'object' || storage === null) {
    throw new InvalidArgumentError(
      `${where}: storage must be a Storage (InMemoryStorage, JournalFileStorage, or your own implementation), got ${describeValue(storage)}`,
    );
  }
  const missing = STORAGE_METHODS.filter((m) => typeof (storage as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `${where}: storage does not implement Storage: it lacks ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? `, and ${missing.length - 6} more` : ''}; ` +
        'give an InMemoryStorage or a JournalFileStorage, or an object implementing Storage (check it with runStorageContract from tansaku/testing)',
    );
  }
  return storage as Storage;
}

/** Checks a study name: a string with something other than white space in it. */
export function checkStudyName(where: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0) {
    throw new InvalidArgumentError(
      `${where}: studyName must be a string that is not empty or only white space, got ${describeValue(name)}`,
    );
  }
  return name;
}
