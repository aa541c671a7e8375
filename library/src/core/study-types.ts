/**
 * The option and input types of `Study`: what `createStudy`, `loadStudy`, `optimize`, `ask`, `tell`
 * and `addTrial` accept (checked in `study-options.ts`), apart from the behaviour in `study.ts`.
 */
import type { Distribution } from './distributions.js';
import type { Pruner } from './pruner.js';
import type { Sampler } from './sampler.js';
import type { Storage } from './storage.js';
import type { Trial } from './trial.js';
import type { FrozenTrial, JsonValue, StudyDirection, TrialState } from './trial-record.js';
import type { Study } from './study.js';

/** Heartbeat settings: how often a running trial says it is alive, and when silence means death. */
export interface HeartbeatOptions {
  /** Milliseconds between heartbeats of a running trial. Default 5000. */
  intervalMs?: number;
  /**
   * Milliseconds without a heartbeat after which any participant marks the trial FAIL. Default 60000.
   * Heartbeats are timers on this process's event loop: an objective that blocks the loop (a long
   * synchronous computation) longer than this is taken for dead. Raise it for such objectives, or run
   * them in worker processes.
   */
  graceMs?: number;
  /** How many times a trial failed by heartbeat is re-enqueued with the same parameters. Default 0. */
  maxRetry?: number;
}

/** Defaults the public entry point supplies (keeps `core/` free of outer rings). */
export interface StudyDefaults {
  /**
   * The sampler of a study given none: for a new study (`stored` null), or for a loaded one from what
   * its creator stored (its system attributes), so a study keeps the default it was made with.
   */
  sampler: (stored: Readonly<Record<string, JsonValue>> | null) => Sampler;
  /** The name stored as `SystemAttr.defaultSampler` with a new study, for `sampler` to read back. */
  samplerName: string;
  pruner: () => Pruner;
  storage: () => Storage;
}

export interface CreateStudyOptions {
  /** Name of the study; a unique name is generated when omitted. */
  studyName?: string;
  /** Single objective direction. Default "minimize". */
  direction?: StudyDirection;
  /** One direction per objective, for multi-objective studies. */
  directions?: readonly StudyDirection[];
  sampler?: Sampler;
  pruner?: Pruner;
  storage?: Storage;
  /** Load the study when one with the same name exists instead of failing. */
  loadIfExists?: boolean;
  /** Study seed: every worker derives its randomness from it and the trial number. */
  seed?: number;
  /**
   * A trial budget for the whole study, shared by every worker (stored with the study): `ask` creates no
   * new sampled trial once the study holds this many trials in any state. Enqueued trials and heartbeat
   * retries are always run, so they may take the study past it.
   */
  maxTrials?: number;
  /** Heartbeats of running trials; `false` disables them and the stale-trial sweep. */
  heartbeat?: HeartbeatOptions | false;
}

export interface LoadStudyOptions {
  studyName: string;
  storage: Storage;
  sampler?: Sampler;
  pruner?: Pruner;
  seed?: number;
  heartbeat?: HeartbeatOptions | false;
}

/** Returned by an objective: one value, or one per direction. */
export type ObjectiveResult = number | readonly number[];
export type Objective = (trial: Trial) => ObjectiveResult | Promise<ObjectiveResult>;
export type StudyCallback = (study: Study, trial: FrozenTrial) => void | Promise<void>;

export interface OptimizeOptions {
  /** Number of trials this call runs (over all its concurrent slots). Default: until stopped. */
  nTrials?: number;
  /** Seconds after which no new trial starts. */
  timeout?: number;
  /** Trials run at once in this process (for I/O-bound or async objectives). Default 1. */
  concurrency?: number;
  /**
   * Errors that fail the trial but let the optimisation go on: error classes, or a predicate.
   * Any other error fails the trial and, once running trials end, rejects `optimize`.
   */
  catch?: ReadonlyArray<abstract new (...args: never[]) => Error> | ((error: unknown) => boolean);
  /** Called after each trial finishes. */
  callbacks?: readonly StudyCallback[];
  /** Study-wide budget, overriding the stored one for this call. */
  maxTrials?: number;
  /** Stop on SIGINT: running trials are failed as interrupted and `optimize` rejects. Default true. */
  handleSignals?: boolean;
  /** Stop when this signal aborts (same effect as SIGINT). */
  signal?: AbortSignal;
}

/** Summary of one `optimize` call. */
export interface OptimizeResult {
  /** Trials this call finished, by final state. */
  complete: number;
  pruned: number;
  failed: number;
  /** Why the loop ended. */
  stoppedBy: 'nTrials' | 'timeout' | 'exhausted' | 'stop';
}

export interface AskOptions {
  /** Parameters to suggest right away with these distributions (Optuna's `fixed_distributions`). */
  fixedDistributions?: Record<string, Distribution>;
  /** Study-wide budget for this ask; defaults to the stored one. */
  maxTrials?: number;
}

export interface TellOptions {
  /** Skip silently when the trial is already finished (instead of throwing `TrialFinishedError`). */
  skipIfFinished?: boolean;
  /** Recorded as the `fail_reason` system attribute of a FAIL trial. */
  failReason?: string;
}

/**
 * A trial to add to a study as already run (Optuna's `add_trial`), e.g. results from elsewhere. A
 * `FrozenTrial` of another study fits as it is.
 */
export interface TrialInput {
  params: Readonly<Record<string, unknown>>;
  distributions: Readonly<Record<string, Distribution>>;
  /** COMPLETE (default), PRUNED, FAIL or WAITING; RUNNING is refused. */
  state?: TrialState;
  value?: number;
  values?: readonly number[] | null;
  intermediateValues?: Readonly<Record<number, number>> | ReadonlyMap<number, number>;
  userAttrs?: Readonly<Record<string, JsonValue>>;
  systemAttrs?: Readonly<Record<string, JsonValue>>;
  datetimeStart?: number | null;
  datetimeComplete?: number | null;
}
