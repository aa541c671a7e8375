/**
 * The stored form of trials and studies, shared by storages, samplers, pruners and exports.
 */
import type { Distribution, ParamValue } from './distributions.js';

/** Lifecycle of a trial. WAITING -> RUNNING -> one of COMPLETE, PRUNED, FAIL (final). */
export type TrialState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL';
export const TRIAL_STATES: readonly TrialState[] = ['WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL'];
export const FINISHED_STATES: readonly TrialState[] = ['COMPLETE', 'PRUNED', 'FAIL'];

export function isFinished(state: TrialState): boolean {
  return state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
}

/** Whether a study minimises or maximises an objective. */
export type StudyDirection = 'minimize' | 'maximize';

/** Any JSON value; user and system attributes hold these. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An immutable snapshot of a trial. Storages replace the object when the trial changes, so a snapshot
 * never changes under its holder.
 */
export interface FrozenTrial {
  /** Storage-wide id (unique across studies). */
  readonly trialId: number;
  /** Position of the trial in its study, 0-based, assigned atomically by the storage. */
  readonly number: number;
  readonly studyId: number;
  readonly state: TrialState;
  /** Objective-facing parameter values. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Internal (numeric) parameter values, see `distributions.ts`. */
  readonly internalParams: Readonly<Record<string, number>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Objective values, one per direction; null until COMPLETE (and for FAIL). */
  readonly values: readonly number[] | null;
  /** Reported intermediate values by step. */
  readonly intermediateValues: ReadonlyMap<number, number>;
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
  readonly systemAttrs: Readonly<Record<string, JsonValue>>;
  /** Milliseconds since the epoch when the trial started running (null while WAITING). */
  readonly datetimeStart: number | null;
  /** Milliseconds since the epoch when the trial finished (null until then). */
  readonly datetimeComplete: number | null;
  /** The worker (host:pid:id) that ran the trial, when known. */
  readonly workerId: string | null;
}

/** The single objective value of a finished trial, or null. */
export function trialValue(t: FrozenTrial): number | null {
  return t.values && t.values.length === 1 ? t.values[0] : null;
}

/** A study as the storage knows it. */
export interface StudyRecord {
  readonly studyId: number;
  readonly studyName: string;
  readonly directions: readonly StudyDirection[];
  readonly userAttrs: Readonly<Record<string, JsonValue>>;
  readonly systemAttrs: Readonly<Record<string, JsonValue>>;
  /** Number of trials in any state. */
  readonly nTrials: number;
  /** When the first trial started, if any. */
  readonly datetimeStart: number | null;
  /**
   * The first distribution seen for each parameter name. Later trials must use the same kind (and, for
   * categorical and ordinal parameters, the same values), as in Optuna; ranges may change.
   */
  readonly paramDistributions: Readonly<Record<string, Distribution>>;
}

/** System attribute keys that Tansaku itself writes. Keys shared with Optuna use Optuna's names. */
export const SystemAttr = {
  /** Optuna's key for an enqueued trial's fixed parameters (objective-facing values). */
  fixedParams: 'fixed_params',
  /** Optuna's RetryFailedTrialCallback keys. */
  failedTrial: 'failed_trial',
  retryHistory: 'retry_history',
  /** Why a trial failed (exception message, NaN value, stale heartbeat...). */
  failReason: 'fail_reason',
  /** A unique key a sampler claimed for this trial (grid cell, simplex vertex). */
  claimKey: 'tansaku:claim',
  /** Study seed, shared by every worker of the study. */
  studySeed: 'tansaku:seed',
  /** Study-wide heartbeat settings ({ intervalMs, graceMs, maxRetry } or false), adopted by joining workers. */
  heartbeat: 'tansaku:heartbeat',
  /**
   * On a trial: its worker beats it, and its start counts as its first beat, so a trial shorter than one
   * heartbeat interval costs no heartbeat write at all (see `Storage.getStaleTrialIds`).
   */
  beatsFromStart: 'tansaku:beats_from_start',
  /** Study-wide trial budget shared by all workers. */
  maxTrials: 'tansaku:max_trials',
  /**
   * On a study: the default sampler when it was created ("TpeSampler"), which a process joining it
   * without a sampler uses; a study without it keeps the default of whoever made it (see `StudyDefaults`).
   */
  defaultSampler: 'tansaku:default_sampler',
  /**
   * On a trial: the parameters its sampler chose jointly at ask (`sampleRelative`), written before the
   * objective starts so other workers see a running trial's point; see `relativeSampleOf`.
   */
  relativeSample: 'tansaku:relative',
  /**
   * On a trial: its constraint values, Optuna's key and format (a list of floats; the trial is feasible
   * when every value is <= 0), so Optuna's constrained samplers and tools read them too.
   */
  constraints: 'constraints',
} as const;

/** Objective-facing fixed parameters of a trial (an enqueued trial's, a retry's), or none. */
export function fixedParamsOf(t: FrozenTrial): Record<string, unknown> {
  const fixed = t.systemAttrs[SystemAttr.fixedParams];
  return fixed && typeof fixed === 'object' && !Array.isArray(fixed) ? (fixed as Record<string, unknown>) : {};
}
