/**
 * The Storage interface. Storages are designed around an operation log (see ARCHITECTURE.md): every change
 * is one {@link Operation}; a reader replays operations in log order into the same in-memory model.
 * The operation codes are Optuna's JournalStorage op codes (0-9), so a journal file can be shared with
 * Optuna.
 *
 * Atomicity rules every implementation keeps:
 * - trial numbers within a study are 0, 1, 2... without gap or duplicate, whatever the number of writers;
 * - `createTrial` with `maxTrials` or `claimKey`, `claimWaitingTrial` and finishing a trial are decided
 *   against the state that includes every earlier operation in the log, so two workers can never both
 *   win the same budget slot, grid cell, waiting trial or finish.
 */
import type { Distribution } from './distributions.js';
import type { FrozenTrial, JsonValue, StudyDirection, StudyRecord, TrialState } from './trial-record.js';

/** Optuna's JournalStorage operation codes. */
export const OpCode = {
  CreateStudy: 0,
  DeleteStudy: 1,
  SetStudyUserAttr: 2,
  SetStudySystemAttr: 3,
  CreateTrial: 4,
  SetTrialParam: 5,
  SetTrialStateValues: 6,
  SetTrialIntermediateValue: 7,
  SetTrialUserAttr: 8,
  SetTrialSystemAttr: 9,
} as const;

/** A trial's initial contents, for enqueued (WAITING), added (finished) or planned (RUNNING) trials. */
export interface TrialTemplate {
  state?: TrialState;
  params?: Record<string, { distribution: Distribution; internal: number }>;
  values?: readonly number[] | null;
  intermediateValues?: ReadonlyMap<number, number> | Record<number, number>;
  userAttrs?: Record<string, JsonValue>;
  systemAttrs?: Record<string, JsonValue>;
  datetimeStart?: number | null;
  datetimeComplete?: number | null;
}

export type Operation =
  | { op: typeof OpCode.CreateStudy; workerId: string; studyName: string; directions: readonly StudyDirection[] }
  | { op: typeof OpCode.DeleteStudy; workerId: string; studyId: number }
  | { op: typeof OpCode.SetStudyUserAttr; workerId: string; studyId: number; attrs: Record<string, JsonValue> }
  | { op: typeof OpCode.SetStudySystemAttr; workerId: string; studyId: number; attrs: Record<string, JsonValue> }
  | { op: typeof OpCode.CreateTrial; workerId: string; studyId: number; template: TrialTemplate }
  | { op: typeof OpCode.SetTrialParam; workerId: string; trialId: number; name: string; internal: number; distribution: Distribution }
  | {
      op: typeof OpCode.SetTrialStateValues;
      workerId: string;
      trialId: number;
      state: TrialState;
      values: readonly number[] | null;
      datetime: number;
    }
  | { op: typeof OpCode.SetTrialIntermediateValue; workerId: string; trialId: number; step: number; value: number }
  | { op: typeof OpCode.SetTrialUserAttr; workerId: string; trialId: number; attrs: Record<string, JsonValue> }
  | { op: typeof OpCode.SetTrialSystemAttr; workerId: string; trialId: number; attrs: Record<string, JsonValue> };

/** One change to a running trial, for {@link Storage.updateTrial}. */
export type TrialUpdate =
  | { kind: 'param'; name: string; internal: number; distribution: Distribution }
  | { kind: 'intermediate'; step: number; value: number }
  | { kind: 'userAttr'; key: string; value: JsonValue }
  | { kind: 'systemAttr'; key: string; value: JsonValue };

/** The final state given to {@link Storage.updateTrial}. */
export interface TrialFinish {
  state: TrialState;
  values: readonly number[] | null;
}

/** What {@link Storage.finishAndStart} should start after finishing a trial. */
export interface NextTrialRequest {
  studyId: number;
  workerId: string;
  /** The study budget, as in {@link CreateTrialOptions.maxTrials}. */
  maxTrials?: number;
  /**
   * System attributes of the started trial: written with a newly created trial, or set on a claimed
   * WAITING trial in the same write, just before the claim (so a crash never leaves it claimed without them).
   */
  systemAttrs?: Record<string, JsonValue>;
}

/** The trial {@link Storage.finishAndStart} started: a claimed WAITING trial, a new one, or none. */
export type StartedTrial =
  | { kind: 'claimed'; trial: FrozenTrial }
  | { kind: 'created'; trialId: number; number: number }
  | { kind: 'budget' };

export interface CreateTrialOptions {
  /** Initial contents; default a RUNNING trial with no params. */
  template?: TrialTemplate;
  /** Refuse (return `{ created: false, reason: 'budget' }`) when the study already has this many trials. */
  maxTrials?: number;
  /** Refuse (`reason: 'claimed'`) when another trial of the study already holds this key. */
  claimKey?: string;
  /** Id of the worker creating the trial; recorded on RUNNING trials. */
  workerId?: string;
}

export type CreateTrialResult = { created: true; trialId: number; number: number } | { created: false; reason: 'budget' | 'claimed' };

/** Options for reading trials. */
export interface GetTrialsOptions {
  /** Only trials in these states. */
  states?: readonly TrialState[];
  /**
   * Only trials numbered `fromNumber` or higher: lets a sampler read a study incrementally (numbers are
   * dense and assigned in order), so its per-trial cost does not grow with the study.
   */
  fromNumber?: number;
}

/**
 * Where studies live. All methods are async so network databases fit behind the same interface.
 * Implementations: `InMemoryStorage` and `JournalFileStorage`, both on `OperationLogStorage` (from
 * `tansaku/extend`), which a new backend extends by supplying only how its log is read and appended to;
 * `runStorageContract` from `tansaku/testing` checks an implementation.
 *
 * @example
 * ```ts
 * // Several processes, or machines sharing a filesystem, run one study through one journal file.
 * const storage = new JournalFileStorage('studies/mlp.journal');
 * const study = await createStudy({ studyName: 'mlp', storage, loadIfExists: true, direction: 'maximize' });
 * await study.optimize(objective, { nTrials: 100 }); // start the same program on every worker
 * ```
 */
export interface Storage {
  /** Creates a study; throws `DuplicateStudyError` when the name is taken. Returns the study id. */
  createStudy(studyName: string, directions: readonly StudyDirection[], workerId?: string): Promise<number>;
  deleteStudy(studyId: number): Promise<void>;
  /** Throws `StudyNotFoundError` when no study has that name. */
  getStudyIdFromName(studyName: string): Promise<number>;
  getStudy(studyId: number): Promise<StudyRecord>;
  getAllStudies(): Promise<StudyRecord[]>;
  setStudyUserAttr(studyId: number, key: string, value: JsonValue): Promise<void>;
  setStudySystemAttr(studyId: number, key: string, value: JsonValue): Promise<void>;

  createTrial(studyId: number, options?: CreateTrialOptions): Promise<CreateTrialResult>;
  /**
   * Atomically moves the oldest WAITING trial of the study to RUNNING; null when none is waiting.
   * `systemAttrs` are set on it in the same atomic write, before the claim.
   */
  claimWaitingTrial(studyId: number, workerId: string, systemAttrs?: Record<string, JsonValue>): Promise<FrozenTrial | null>;
  setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): Promise<void>;
  /**
   * Moves a trial to `state`. Returns false, changing nothing, when the trial was already finished by
   * another participant (a stale-trial sweep, a second `tell`): the first finish in the log wins.
   * Throws `InvalidStateTransitionError` for transitions the lifecycle forbids.
   */
  setTrialStateValues(trialId: number, state: TrialState, values?: readonly number[] | null): Promise<boolean>;
  setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void>;
  /**
   * Applies `updates` in order and then, with `finish`, moves the trial to its final state, as one
   * atomic and durable write (one lock and one fsync for a file, one transaction for a database): a
   * trial's parameters, reports and result cost one write instead of one each. With `finish`, returns
   * false and writes nothing when another participant finished the trial first. Throws
   * `TrialFinishedError` for parameters or reports sent to a finished trial.
   */
  updateTrial(trialId: number, updates: readonly TrialUpdate[], finish?: TrialFinish): Promise<boolean>;
  /**
   * Optional: finishes a trial as {@link updateTrial} does and starts the next one — the oldest WAITING
   * trial, else a new RUNNING trial within `maxTrials` — in one atomic and durable write. The optimise
   * loop uses it for samplers that plan nothing before a trial exists, so a trial costs one write
   * (one lock, one fsync) instead of two, with every operation still durable before it is acknowledged.
   */
  finishAndStart?(
    trialId: number,
    updates: readonly TrialUpdate[],
    finish: TrialFinish,
    next: NextTrialRequest,
  ): Promise<{ finished: boolean; next: StartedTrial }>;
  /**
   * Finishes a trial as {@link updateTrial} does and creates a trial in `studyId` (e.g. the WAITING retry
   * of a trial failed as stale) in the same atomic and durable write, so a crash can never leave one
   * without the other. Returns false and writes nothing when another participant finished the trial first.
   * @example
   * ```ts
   * await storage.finishAndCreate(trialId, [], { state: 'FAIL', values: null }, studyId, { template: { state: 'WAITING' } });
   * ```
   */
  finishAndCreate(
    trialId: number,
    updates: readonly TrialUpdate[],
    finish: TrialFinish,
    studyId: number,
    create: CreateTrialOptions,
  ): Promise<boolean>;
  setTrialUserAttr(trialId: number, key: string, value: JsonValue): Promise<void>;
  setTrialSystemAttr(trialId: number, key: string, value: JsonValue): Promise<void>;
  getTrial(trialId: number): Promise<FrozenTrial>;
  /** Throws `TrialNotFoundError` when the study has no trial with that number. */
  getTrialByNumber(studyId: number, number: number): Promise<FrozenTrial>;
  /** Trials of the study ordered by number. Snapshots: they never change after being returned. */
  getAllTrials(studyId: number, options?: GetTrialsOptions): Promise<readonly FrozenTrial[]>;
  /** Number of trials, optionally only in some states, without materialising them. */
  countTrials(studyId: number, states?: readonly TrialState[]): Promise<number>;

  /**
   * Records that the worker running this trial is alive (not part of the operation log). Returns false,
   * recording nothing, when the trial is no longer RUNNING (finished by someone else), so the beating
   * worker can stop.
   */
  recordHeartbeat(trialId: number): Promise<boolean>;
  /**
   * RUNNING trials of the study whose last heartbeat is older than `graceMs`. A trial that has not beaten
   * yet but carries the system attribute `tansaku:beats_from_start` (SystemAttr.beatsFromStart) counts
   * its start as its first beat; other trials without a beat (Optuna's, say) are never stale.
   */
  getStaleTrialIds(studyId: number, graceMs: number): Promise<number[]>;

  /**
   * Resolves when the study may have changed since the call (a trial finished, a trial was created),
   * or after `timeoutMs`. Used by `ask` to wait while a sampler defers.
   */
  waitForChange(studyId: number, timeoutMs: number): Promise<void>;

  /** Releases files, connections and timers. */
  close(): Promise<void>;
}
