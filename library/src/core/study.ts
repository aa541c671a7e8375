/**
 * `Study`: a named optimisation in a storage, with its sampler and pruner. Ask-and-tell, the optimise
 * loop, enqueued and added trials, heartbeats with stale-trial failure, and results.
 *
 * This module holds no defaults (no sampler, pruner or storage is imported here); the public entry
 * point (`src/index.ts`) wires them, so `core/` never imports an outer ring.
 */
import { HeartbeatMonitor, adoptHeartbeat, resolveHeartbeat } from './heartbeat.js';
import { OptimizeRun } from './optimize-run.js';
import { TrialLifecycle } from './trial-lifecycle.js';

import { checkOptions } from './options.js';
import {
  ASK_OPTIONS,
  CREATE_STUDY_OPTIONS,
  LOAD_STUDY_OPTIONS,
  OPTIMIZE_OPTIONS,
  catchPredicate,
  checkBudget,
  checkDirections,
  checkSeed,
  checkStorage,
  checkStudyName,
  TELL_OPTIONS,
} from './study-options.js';
import type { ParamValue } from './distributions.js';
import { DuplicateStudyError, InvalidArgumentError, TansakuError, describeValue } from './errors.js';
import type { Pruner } from './pruner.js';
import { Rng, hashString } from './rng.js';
import type { Sampler, StudyView } from './sampler.js';
import type { GetTrialsOptions, Storage } from './storage.js';
import { type Trial, checkJson, type TrialHost } from './trial.js';
import { SystemAttr, type FrozenTrial, type JsonValue, type StudyDirection } from './trial-record.js';
import { defaultWorkerId } from './worker-id.js';
import { bestTrialOf, paretoFront } from './pareto.js';
import { addedTemplate, enqueuedTemplate, isEnqueuedOrRun } from './trial-input.js';

export type {
  HeartbeatOptions,
  StudyDefaults,
  CreateStudyOptions,
  LoadStudyOptions,
  ObjectiveResult,
  Objective,
  StudyCallback,
  OptimizeOptions,
  OptimizeResult,
  AskOptions,
  TellOptions,
  TrialInput,
} from './study-types.js';
import type {
  HeartbeatOptions,
  StudyDefaults,
  CreateStudyOptions,
  LoadStudyOptions,
  Objective,
  OptimizeOptions,
  OptimizeResult,
  AskOptions,
  TellOptions,
  TrialInput,
} from './study-types.js';

/** The optimise loop lets other event-loop work run at least this often. */
const SEED_WAIT_MS = 1000;

let generatedNames = 0;

/**
 * @example
 * ```ts
 * const study = await createStudy({ direction: 'minimize', seed: 1 });
 * await study.optimize((trial) => {
 *   const x = trial.suggestFloat('x', -10, 10);
 *   return (x - 2) ** 2;
 * }, { nTrials: 100 });
 * console.log(await study.bestParams);
 * ```
 */
export class Study implements StudyView, TrialHost {
  readonly studyId: number;
  readonly studyName: string;
  readonly directions: readonly StudyDirection[];
  readonly storage: Storage;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly seed: number;
  /** Id recorded on the trials this Study object runs. */
  readonly workerId: string;
  /** @internal */
  readonly heartbeat: Required<HeartbeatOptions> | null;
  /** @internal Set by `stop()` (and by a running optimize when the study is exhausted): start no new trial. */
  stopRequested = false;
  /** @internal This Study object's running trials. */
  readonly activeTrials = new Map<number, { trial: Trial; abort: AbortController }>();
  /** @internal The heartbeat of this Study object's running trials, and the stale-trial rule. */
  readonly heartbeats: HeartbeatMonitor;
  /** Asking for and telling trials. */
  private readonly lifecycle: TrialLifecycle;

  private constructor(init: {
    studyId: number;
    studyName: string;
    directions: readonly StudyDirection[];
    storage: Storage;
    sampler: Sampler;
    pruner: Pruner;
    seed: number;
    heartbeat: Required<HeartbeatOptions> | null;
  }) {
    this.studyId = init.studyId;
    this.studyName = init.studyName;
    this.directions = init.directions;
    this.storage = init.storage;
    this.sampler = init.sampler;
    this.pruner = init.pruner;
    this.seed = init.seed;
    this.heartbeat = init.heartbeat;
    this.workerId = defaultWorkerId();
    this.heartbeats = new HeartbeatMonitor(this.storage, this.studyId, this.heartbeat, this.activeTrials);
    this.lifecycle = new TrialLifecycle(this);
  }

  /** The study as samplers and pruners see it (the Study itself, through the narrower `StudyView` type). */
  get view(): StudyView {
    return this;
  }

  /** @internal Use `createStudy` from the package entry point. */
  static async create(given: CreateStudyOptions, defaults: StudyDefaults): Promise<Study> {
    const options = checkOptions('createStudy', given, CREATE_STUDY_OPTIONS);
    if (options.direction !== undefined && options.directions !== undefined) {
      throw new InvalidArgumentError('give either direction or directions, not both');
    }
    const directions = checkDirections(options.directions ?? [options.direction ?? 'minimize']);
    const heartbeat = resolveHeartbeat(options.heartbeat);
    const explicitSeed = checkSeed(options.seed);
    const maxTrials = checkBudget('maxTrials', options.maxTrials);
    const storage = options.storage === undefined ? defaults.storage() : checkStorage('createStudy', options.storage);
    if (options.studyName !== undefined) checkStudyName('createStudy', options.studyName);
    const studyName = options.studyName ?? `study-${Date.now().toString(36)}-${process.pid}-${++generatedNames}`;
    let studyId: number;
    try {
      studyId = await storage.createStudy(studyName, directions);
    } catch (error) {
      if (error instanceof DuplicateStudyError && options.loadIfExists) {
        const study = await Study.load(
          { studyName, storage, sampler: options.sampler, pruner: options.pruner, seed: explicitSeed, heartbeat: options.heartbeat },
          defaults,
        );
        if (study.directions.join() !== directions.join()) {
          throw new InvalidArgumentError(
            `study ${JSON.stringify(studyName)} exists with directions [${study.directions.join(', ')}], not the requested [${directions.join(', ')}]`,
          );
        }
        if (maxTrials !== undefined) await storage.setStudySystemAttr(study.studyId, SystemAttr.maxTrials, maxTrials);
        return study;
      }
      throw error;
    }
    const seed = explicitSeed ?? Rng.randomSeed();
    // Study-wide settings every joining worker adopts; the seed goes last because loaders wait for it.
    await storage.setStudySystemAttr(studyId, SystemAttr.defaultSampler, defaults.samplerName);
    await storage.setStudySystemAttr(
      studyId,
      SystemAttr.heartbeat,
      heartbeat ? { intervalMs: heartbeat.intervalMs, graceMs: heartbeat.graceMs, maxRetry: heartbeat.maxRetry } : false,
    );
    if (maxTrials !== undefined) await storage.setStudySystemAttr(studyId, SystemAttr.maxTrials, maxTrials);
    await storage.setStudySystemAttr(studyId, SystemAttr.studySeed, seed);
    return new Study({
      studyId,
      studyName,
      directions,
      storage,
      sampler: options.sampler ?? defaults.sampler(null),
      pruner: options.pruner ?? defaults.pruner(),
      seed,
      heartbeat,
    });
  }

  /** @internal Use `loadStudy` from the package entry point. */
  static async load(given: LoadStudyOptions, defaults: StudyDefaults): Promise<Study> {
    const options = checkOptions('loadStudy', given, LOAD_STUDY_OPTIONS);
    if (!options.storage) throw new InvalidArgumentError('loadStudy needs a storage (the study lives there)');
    checkStorage('loadStudy', options.storage);
    checkStudyName('loadStudy', options.studyName);
    const ownHeartbeat = resolveHeartbeat(options.heartbeat);
    const explicitSeed = checkSeed(options.seed);
    const studyId = await options.storage.getStudyIdFromName(options.studyName);
    let record = await options.storage.getStudy(studyId);
    let stored = record.systemAttrs[SystemAttr.studySeed];
    // The creator stores the seed right after creating the study; wait out that short window.
    const deadline = Date.now() + SEED_WAIT_MS;
    while (typeof stored !== 'number' && explicitSeed === undefined && Date.now() < deadline && record.nTrials === 0) {
      await new Promise((r) => setTimeout(r, 20));
      record = await options.storage.getStudy(studyId);
      stored = record.systemAttrs[SystemAttr.studySeed];
    }
    let seed: number;
    if (explicitSeed !== undefined) seed = explicitSeed;
    else if (typeof stored === 'number') seed = stored;
    else {
      // A study made elsewhere (e.g. by Optuna): every joining worker derives the same seed.
      seed = hashString(`tansaku-study:${options.studyName}`);
      await options.storage.setStudySystemAttr(studyId, SystemAttr.studySeed, seed);
    }
    const heartbeat = adoptHeartbeat(options.studyName, record.systemAttrs[SystemAttr.heartbeat], options.heartbeat, ownHeartbeat);
    return new Study({
      studyId,
      studyName: record.studyName,
      directions: record.directions,
      storage: options.storage,
      sampler: options.sampler ?? defaults.sampler(record.systemAttrs),
      pruner: options.pruner ?? defaults.pruner(),
      seed,
      heartbeat,
    });
  }

  /** The direction of a single-objective study. */
  get direction(): StudyDirection {
    if (this.directions.length !== 1) {
      throw new InvalidArgumentError(`study ${JSON.stringify(this.studyName)} has ${this.directions.length} objectives; use directions`);
    }
    return this.directions[0];
  }

  // ---------------------------------------------------------------- StudyView

  getTrials(options?: GetTrialsOptions): Promise<readonly FrozenTrial[]> {
    return this.storage.getAllTrials(this.studyId, options);
  }

  async getSystemAttrs(): Promise<Readonly<Record<string, JsonValue>>> {
    return (await this.storage.getStudy(this.studyId)).systemAttrs;
  }

  async setSystemAttr(key: string, value: JsonValue): Promise<void> {
    checkJson(`study system attribute "${key}"`, value);
    await this.storage.setStudySystemAttr(this.studyId, key, value);
  }

  async setUserAttr(key: string, value: JsonValue): Promise<void> {
    checkJson(`study user attribute "${key}"`, value);
    await this.storage.setStudyUserAttr(this.studyId, key, value);
  }

  get userAttrs(): Promise<Readonly<Record<string, JsonValue>>> {
    return this.storage.getStudy(this.studyId).then((s) => s.userAttrs);
  }

  get systemAttrs(): Promise<Readonly<Record<string, JsonValue>>> {
    return this.getSystemAttrs();
  }

  // ---------------------------------------------------------------- ask / tell

  /**
   * Starts a new trial: runs a WAITING (enqueued) trial first, else lets the sampler plan one.
   * When the sampler defers, waits until running trials change (or uses the sampler's fallback).
   * Throws `StudyExhaustedError` when the sampler has nothing left or the study budget is used.
   *
   * @example
   * ```ts
   * const trial = await study.ask();
   * const x = trial.suggestFloat('x', -5, 5);
   * await study.tell(trial, x * x);
   * ```
   */
  async ask(given: AskOptions = {}): Promise<Trial> {
    const trial = await this.askTrial(checkOptions('ask', given, ASK_OPTIONS));
    // The caller runs the objective after this returns: what ask queued (the relative sample) is written
    // as soon as it awaits.
    trial.scheduleWrites();
    return trial;
  }

  /** `ask` without the option check, for `optimize`, which schedules the trial's first write itself. */
  /** @internal */
  askTrial(options: AskOptions): Promise<Trial> {
    return this.lifecycle.askTrial(options);
  }

  /**
   * Finishes a trial: with values (COMPLETE), or with a state ('PRUNED' or 'FAIL'). A NaN value makes
   * the trial FAIL with the reason recorded; ±Infinity are valid values. A call with invalid values
   * throws and changes nothing: the trial keeps running (and beating) and can be told again.
   *
   * @example
   * ```ts
   * await study.tell(trial, 0.93);           // COMPLETE
   * await study.tell(trial.number, 'PRUNED');
   * ```
   */
  async tell(
    trialOrNumber: Trial | number,
    valuesOrState: number | readonly number[] | 'COMPLETE' | 'PRUNED' | 'FAIL',
    options: TellOptions & { values?: number | readonly number[] } = {},
  ): Promise<FrozenTrial> {
    // async: a bad option rejects, as every other bad argument of tell does
    return this.lifecycle.tell(trialOrNumber, valuesOrState, checkOptions('tell', options, TELL_OPTIONS));
  }

  /** @internal `tell` for the optimize loop, whose options it builds itself (no check per trial). */
  tellTrial(trial: Trial, outcome: number[] | 'PRUNED' | 'FAIL', options: TellOptions): Promise<FrozenTrial> {
    return this.lifecycle.tell(trial, outcome, options);
  }

  /** @internal */
  tellAndStart(
    trial: Trial,
    valuesOrState: number | readonly number[] | 'PRUNED' | 'FAIL',
    options: TellOptions,
    maxTrials: number | undefined,
  ): Promise<{ finished: FrozenTrial; next: Trial | null }> {
    return this.lifecycle.tellAndStart(trial, valuesOrState, options, maxTrials);
  }

  // ---------------------------------------------------------------- optimize

  /**
   * Runs trials until `nTrials`, `timeout`, the study budget, exhaustion of the sampler or `stop()`.
   *
   * @example
   * ```ts
   * await study.optimize(async (trial) => {
   *   const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
   *   return await train(lr);
   * }, { nTrials: 50, concurrency: 4 });
   * ```
   */
  async optimize(objective: Objective, given: OptimizeOptions = {}): Promise<OptimizeResult> {
    const options = checkOptions('optimize', given, OPTIMIZE_OPTIONS);
    if (typeof objective !== 'function') {
      throw new InvalidArgumentError(`optimize: objective must be a function (trial) => number, got ${describeValue(objective)}`);
    }
    const nTrials = checkBudget('nTrials', options.nTrials);
    const maxTrials = checkBudget('maxTrials', options.maxTrials);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError(`optimize: concurrency must be an integer >= 1, got ${describeValue(concurrency)}`);
    }
    if (options.timeout !== undefined && (typeof options.timeout !== 'number' || !(options.timeout > 0))) {
      throw new InvalidArgumentError(`optimize: timeout must be a number of seconds > 0, got ${describeValue(options.timeout)}`);
    }
    const isCaught = catchPredicate(options.catch);
    this.stopRequested = false;
    return new OptimizeRun(this, objective, {
      nTrials,
      maxTrials,
      concurrency,
      deadline: options.timeout !== undefined ? Date.now() + options.timeout * 1000 : Number.POSITIVE_INFINITY,
      isCaught,
      callbacks: options.callbacks ?? [],
      handleSignals: options.handleSignals !== false,
      signal: options.signal,
    }).run();
  }

  /** Asks a running `optimize` to start no new trial; running ones finish normally. */
  stop(): void {
    this.stopRequested = true;
  }

  // ---------------------------------------------------------------- enqueue / add

  /**
   * Queues a trial with fixed parameter values; it runs before any sampled trial. Parameters not
   * given are sampled as usual.
   *
   * @example await study.enqueueTrial({ lr: 0.01, layers: 2 });
   */
  async enqueueTrial(
    params: Record<string, ParamValue>,
    options: { userAttrs?: Record<string, JsonValue>; skipIfExists?: boolean } = {},
  ): Promise<number | null> {
    const template = enqueuedTemplate(params, options);
    if (options.skipIfExists && isEnqueuedOrRun(await this.getTrials(), params)) return null;
    const created = await this.storage.createTrial(this.studyId, { template });
    if (!created.created) throw new TansakuError('TANSAKU_STORAGE_ERROR', 'enqueueTrial: the storage refused to create the trial');
    return created.number;
  }

  /**
   * Adds a finished trial (or a WAITING one) with known parameters and results, e.g. from an earlier
   * experiment. Values are validated against the distributions and the study's directions.
   */
  async addTrial(input: TrialInput): Promise<FrozenTrial> {
    const created = await this.storage.createTrial(this.studyId, { template: addedTemplate(input, this.directions.length, Date.now()) });
    if (!created.created) throw new TansakuError('TANSAKU_STORAGE_ERROR', 'addTrial: the storage refused to create the trial');
    return this.storage.getTrial(created.trialId);
  }

  // ---------------------------------------------------------------- results

  /** All trials, ordered by number. */
  get trials(): Promise<readonly FrozenTrial[]> {
    return this.getTrials();
  }

  /** The best COMPLETE trial of a single-objective study. */
  get bestTrial(): Promise<FrozenTrial> {
    return this.findBestTrial();
  }

  get bestValue(): Promise<number> {
    return this.findBestTrial().then((t) => t.values![0]);
  }

  get bestParams(): Promise<Readonly<Record<string, ParamValue>>> {
    return this.findBestTrial().then((t) => t.params);
  }

  /** The Pareto front of COMPLETE trials (for one objective: the best trials, ties included). */
  get bestTrials(): Promise<FrozenTrial[]> {
    return this.getTrials({ states: ['COMPLETE'] }).then((ts) => paretoFront(ts, this.directions));
  }

  private async findBestTrial(): Promise<FrozenTrial> {
    return bestTrialOf(await this.getTrials({ states: ['COMPLETE'] }), this.directions, this.studyName);
  }

  // ---------------------------------------------------------------- heartbeats

  /**
   * Fails RUNNING trials whose worker stopped beating for longer than the grace period, and
   * re-enqueues them (same parameters) up to `maxRetry` times. Any participant may call it; `ask` does.
   * Returns the numbers of the trials it failed.
   */
  async failStaleTrials(): Promise<number[]> {
    return this.heartbeats.failStale();
  }

  /** @internal */
  releaseTrial(trialId: number): void {
    this.activeTrials.delete(trialId);
  }

  /** @internal Aborts a running trial of this Study object (its signal) and marks it finished. */
  abortTrial(trialId: number, reason: Error): void {
    const active = this.activeTrials.get(trialId);
    active?.abort.abort(reason);
    active?.trial.markFinished();
  }

  /** @internal */
  async failTrial(trialId: number, reason: string): Promise<void> {
    this.releaseTrial(trialId);
    await this.storage.updateTrial(trialId, [{ kind: 'systemAttr', key: SystemAttr.failReason, value: reason }], {
      state: 'FAIL',
      values: null,
    });
  }
}
