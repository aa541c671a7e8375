/**
 * Error classes of Tansaku. Every error carries a stable `code` so programs can branch on it without
 * parsing messages, and every message about a bad argument names the parameter, the value received and
 * what was expected.
 *
 * @example
 * ```ts
 * try { trial.suggestFloat('lr', 1, 0); } catch (e) {
 *   if (e instanceof TansakuError && e.code === 'TANSAKU_INVALID_DISTRIBUTION') console.error(e.message);
 * }
 * ```
 */
/**
 * Every `code` a {@link TansakuError} carries. Stable across releases: branch on these, not on messages.
 *
 * @example
 * ```ts
 * try { await loadStudy({ studyName: 'mlp', storage }); }
 * catch (e) { if (e instanceof TansakuError && e.code === 'TANSAKU_STUDY_NOT_FOUND') await createStudy({ studyName: 'mlp', storage }); }
 * ```
 */
export type ErrorCode =
  | 'TANSAKU_ABORTED'
  | 'TANSAKU_ALL_TRIALS_FAILED'
  | 'TANSAKU_COMMAND_FAILED'
  | 'TANSAKU_DATASET_FORMAT'
  | 'TANSAKU_DATASET_NOT_FOUND'
  | 'TANSAKU_DISTRIBUTION_CLASH'
  | 'TANSAKU_DUPLICATE_STUDY'
  | 'TANSAKU_INTERRUPTED'
  | 'TANSAKU_INVALID_ARGUMENT'
  | 'TANSAKU_INVALID_DISTRIBUTION'
  | 'TANSAKU_INVALID_SPACE'
  | 'TANSAKU_INVALID_STATE_TRANSITION'
  | 'TANSAKU_MISSING_DEPENDENCY'
  | 'TANSAKU_MODEL_FORMAT'
  | 'TANSAKU_NO_COMPLETED_TRIALS'
  | 'TANSAKU_OBJECTIVE_MODULE'
  | 'TANSAKU_SAMPLER_DEADLOCK'
  | 'TANSAKU_SAMPLER_ERROR'
  | 'TANSAKU_STORAGE_ERROR'
  | 'TANSAKU_STUDY_DELETED'
  | 'TANSAKU_STUDY_EXHAUSTED'
  | 'TANSAKU_STUDY_NOT_FOUND'
  | 'TANSAKU_TRIAL_FINISHED'
  | 'TANSAKU_TRIAL_NOT_FOUND'
  | 'TANSAKU_TRIAL_PRUNED'
  | 'TANSAKU_USAGE'
  | 'TANSAKU_WORKERS_FAILED';

/** The `code` of each warning Tansaku emits with `process.emitWarning` (a repaired journal line, a lock waited on or broken, an objective value that failed its trial). */
export type WarningCode =
  | 'TANSAKU_BAD_OBJECTIVE_VALUE'
  | 'TANSAKU_DEPRECATED_OPTION'
  | 'TANSAKU_JOURNAL_LOCK_RACE'
  | 'TANSAKU_JOURNAL_LOCK_WAIT'
  | 'TANSAKU_JOURNAL_STALE_LOCK'
  | 'TANSAKU_JOURNAL_TORN_LINE';

export class TansakuError extends Error {
  /** Stable machine-readable code, e.g. `TANSAKU_INVALID_DISTRIBUTION`. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An argument to a public function was invalid (wrong type, out of range, unknown option...). */
export class InvalidArgumentError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_INVALID_ARGUMENT', message);
  }
}

/** A distribution's definition is invalid (low > high, log with low <= 0, step not dividing the range...). */
export class InvalidDistributionError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_INVALID_DISTRIBUTION', message);
  }
}

/** The same parameter name was suggested with two different distributions in one trial. */
export class DistributionClashError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_DISTRIBUTION_CLASH', message);
  }
}

/** A trial state change that the trial lifecycle does not allow (e.g. COMPLETE -> RUNNING). */
export class InvalidStateTransitionError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_INVALID_STATE_TRANSITION', message);
  }
}

/** An operation that needs a RUNNING trial was applied to a finished one (tell twice, report after tell...). */
export class TrialFinishedError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_TRIAL_FINISHED', message);
  }
}

/** No study with that name or id exists in the storage. */
export class StudyNotFoundError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_STUDY_NOT_FOUND', message);
  }
}

/** A study with that name already exists (and `loadIfExists` was not set). */
export class DuplicateStudyError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_DUPLICATE_STUDY', message);
  }
}

/** No trial with that number or id exists. */
export class TrialNotFoundError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_TRIAL_NOT_FOUND', message);
  }
}

/** The study has no finished trial to answer the question (e.g. `bestTrial` before any trial completed). */
export class NoCompletedTrialsError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_NO_COMPLETED_TRIALS', message);
  }
}

/** The sampler has nothing left to propose: every grid cell is taken, the budget is used. */
export class StudyExhaustedError extends TansakuError {
  /** Why: the study's trial budget is used, or the sampler has nothing left to propose. */
  readonly reason: 'budget' | 'sampler';
  constructor(message: string, reason: 'budget' | 'sampler' = 'sampler') {
    super('TANSAKU_STUDY_EXHAUSTED', message);
    this.reason = reason;
  }
}

/** The storage could not perform an operation, or found its data inconsistent. */
export class StorageError extends TansakuError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TANSAKU_STORAGE_ERROR', message, options);
  }
}

/**
 * Thrown by an objective to say "this trial was pruned". `study.optimize` records the trial as PRUNED.
 *
 * @example
 * ```ts
 * trial.report(loss, epoch);
 * if (await trial.shouldPrune()) throw new TrialPruned();
 * ```
 */
export class TrialPruned extends TansakuError {
  constructor(message = 'trial was pruned') {
    super('TANSAKU_TRIAL_PRUNED', message);
  }
}

/** Formats a value for an error message: strings quoted, numbers as written, objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 200)}...` : json;
  } catch {
    return String(value);
  }
}

/** Thrown by `optimize` when it was interrupted by SIGINT or its abort signal. */
export class OptimizationInterruptedError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_INTERRUPTED', message);
  }
}

/** An error as `Name: message` (a subclass that does not set `name` shows its class name), for fail reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    // Subclasses that do not set `name` still show their class name.
    const name = error.name === 'Error' && error.constructor?.name ? error.constructor.name : error.name;
    return `${name}: ${error.message}`;
  }
  return `non-Error thrown: ${describeValue(error)}`;
}
