/**
 * `Trial`: what an objective receives. Suggestions are synchronous (the sampler's async work happens
 * in `ask`, before the objective starts); the storage writes they cause are queued in order and sent
 * as one batch on the next turn of the event loop, or before anything that needs them
 * (`shouldPrune`, `tell`), so a slow or remote storage never makes `trial.suggestFloat` awaitable and a
 * quick trial costs one write for its parameters, reports and result together.
 */
import {
  categoricalDistribution,
  contains,
  describeDistribution,
  describeKindClash,
  validateDistribution,
  distributionsEqual,
  floatDistribution,
  intDistribution,
  isSingleValue,
  ordinalDistribution,
  toExternal,
  toInternal,
  type CategoricalChoice,
  type Distribution,
  type OrdinalValue,
  type ParamValue,
} from './distributions.js';
import { DistributionClashError, InvalidArgumentError, TansakuError, TrialFinishedError, describeValue } from './errors.js';
import { checkConstraints } from './constraints.js';
import type { Pruner } from './pruner.js';
import type { RelativeSample, Sampler, StudyView } from './sampler.js';
import type { TrialUpdate } from './storage.js';
import { SystemAttr, type FrozenTrial, type JsonValue } from './trial-record.js';
import { ownValue, setName } from './records.js';

/** @internal How `study.ask` sets a trial up. */
export interface TrialInit {
  /** Values the sampler chose jointly before the objective started. */
  relative: RelativeSample;
  /** The study as the sampler sees it for this trial (`Pruner.samplerView`). */
  samplerView: StudyView;
  /** Objective-facing values fixed in advance (enqueued trials, grid cells). */
  fixedParams: Readonly<Record<string, unknown>>;
  /** The study's first distribution per parameter name, to catch kind clashes at suggest time. */
  paramKinds: Readonly<Record<string, Distribution>>;
  signal: AbortSignal;
  /** Called once when the trial is released (heartbeat stopped). */
  onRelease: () => void;
}

/** What a Trial needs from its study; `Study` provides it. */
export interface TrialHost {
  readonly view: StudyView;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
}

/**
 * One evaluation of the objective. The objective asks it for parameter values (define-by-run: the space
 * is whatever the objective suggests, conditional parameters included), reports intermediate values, and
 * asks whether to stop early. A name suggested twice returns the same value; with another distribution
 * it is a `DistributionClashError`. Trials are made by `study.ask()` and `study.optimize`, never directly.
 *
 * @example
 * ```ts
 * await study.optimize(async (trial: Trial) => {
 *   const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
 *   const optimizer = trial.suggestCategorical('optimizer', ['adam', 'sgd']);
 *   const momentum = optimizer === 'sgd' ? trial.suggestFloat('momentum', 0, 0.99) : 0; // conditional
 *   let loss = Infinity;
 *   for (let epoch = 0; epoch < 10; epoch++) {
 *     loss = await trainOneEpoch({ lr, optimizer, momentum, signal: trial.signal });
 *     trial.report(loss, epoch);
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return loss;
 * }, { nTrials: 50 });
 * ```
 */
export class Trial {
  /** Position of the trial in its study. */
  readonly number: number;
  /** Storage-wide id. */
  readonly trialId: number;
  /**
   * Aborted when the run is interrupted (SIGINT or the `signal` given to `optimize`). Long objectives
   * should pass it to what they wait on: JavaScript cannot stop a running function from outside.
   */
  readonly signal: AbortSignal;

  private readonly host: TrialHost;
  private readonly base: FrozenTrial;
  private readonly relative: RelativeSample;
  private readonly samplerView: StudyView;
  private readonly fixedParams: Readonly<Record<string, unknown>>;
  private readonly paramKinds: Readonly<Record<string, Distribution>>;
  private onRelease: (() => void) | null;
  private flushHandle: NodeJS.Immediate | null = null;
  private readonly paramValues: Record<string, ParamValue>;
  private readonly internalParams: Record<string, number>;
  private readonly distributions: Record<string, Distribution>;
  private readonly intermediate: Map<number, number>;
  private readonly userAttrValues: Record<string, JsonValue>;
  /** Updates not yet sent to the storage, in order. */
  private pending: TrialUpdate[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private writeError: unknown = null;
  private finished = false;

  /** @internal Created by `study.ask()`; objectives receive it from `study.optimize`. */
  constructor(host: TrialHost, base: FrozenTrial, init: TrialInit) {
    this.host = host;
    this.base = base;
    this.number = base.number;
    this.trialId = base.trialId;
    this.relative = init.relative;
    this.samplerView = init.samplerView;
    this.fixedParams = init.fixedParams;
    this.paramKinds = init.paramKinds;
    this.signal = init.signal;
    this.onRelease = init.onRelease;
    // Names may be `__proto__` or `constructor` (core/records.ts): written with setName, read with ownValue.
    this.paramValues = { ...base.params };
    this.internalParams = { ...base.internalParams };
    this.distributions = { ...base.distributions };
    this.intermediate = new Map(base.intermediateValues);
    this.userAttrValues = { ...base.userAttrs };
  }

  /**
   * A float in `[low, high]`; `log` samples uniformly in log space, `step` discretises.
   * @example const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
   */
  suggestFloat(name: string, low: number, high: number, options: { log?: boolean; step?: number | null } = {}): number {
    return this.suggestValidated(name, floatDistribution(checkName(name), low, high, options)) as number;
  }

  /**
   * An integer in `[low, high]` (both included).
   * @example const layers = trial.suggestInt('layers', 1, 4);
   */
  suggestInt(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggestValidated(name, intDistribution(checkName(name), low, high, options)) as number;
  }

  /**
   * One of `choices`, which samplers treat as unordered.
   * @example const act = trial.suggestCategorical('act', ['relu', 'tanh'] as const);
   */
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.suggestValidated(name, categoricalDistribution(checkName(name), choices)) as T;
  }

  /**
   * One of `values`, which are ordered: samplers move along them (e.g. layer sizes).
   * @example const units = trial.suggestOrdinal('units', logGrid(8, 4096, 2));
   */
  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T {
    return this.suggestValidated(name, ordinalDistribution(checkName(name), values)) as T;
  }

  /** Suggests a value for any distribution object, e.g. one read from a file (it is validated). */
  suggest(name: string, distribution: Distribution): ParamValue {
    return this.suggestValidated(checkName(name), validateDistribution(name, distribution));
  }

  private suggestValidated(name: string, distribution: Distribution): ParamValue {
    this.assertRunning(`suggest "${name}"`);
    const existing = ownValue(this.distributions, name);
    if (existing !== undefined) {
      if (!distributionsEqual(existing, distribution)) {
        throw new DistributionClashError(
          `parameter "${name}" was already suggested in trial ${this.number} as ${describeDistribution(existing)}; ` +
            `it cannot be suggested again as ${describeDistribution(distribution)}`,
        );
      }
      return this.paramValues[name];
    }
    // Optuna's rule, checked here so the objective fails at once, not after it has run: a parameter
    // keeps its kind (and categorical values) across the trials of a study.
    const first = ownValue(this.paramKinds, name);
    const clash = first ? describeKindClash(name, first, distribution) : null;
    if (clash) throw new DistributionClashError(clash);
    return this.suggestNew(name, first !== undefined && distributionsEqual(first, distribution) ? first : distribution);
  }

  /**
   * A parameter's first suggestion in this trial. `distribution` is the study's own object when it equals
   * the study's first one for the name (almost always), so the trials of a study share one distribution
   * object per parameter instead of holding a copy each.
   */
  private suggestNew(name: string, distribution: Distribution): ParamValue {
    const internal = this.chooseInternal(name, distribution);
    const value = toExternal(distribution, internal);
    setName(this.paramValues, name, value);
    setName(this.internalParams, name, internal);
    setName(this.distributions, name, distribution);
    this.enqueue({ kind: 'param', name, internal, distribution });
    return value;
  }

  private chooseInternal(name: string, distribution: Distribution): number {
    if (Object.hasOwn(this.fixedParams, name)) {
      return toInternal(name, distribution, this.fixedParams[name]);
    }
    const rel = ownValue(this.relative, name);
    if (rel !== undefined && distributionsEqual(rel.distribution, distribution) && contains(distribution, rel.internal)) {
      return rel.internal;
    }
    if (isSingleValue(distribution)) return distribution.type === 'float' || distribution.type === 'int' ? distribution.low : 0;
    const internal = this.host.sampler.sampleIndependent(this.samplerView, this.snapshot(), name, distribution);
    if (!contains(distribution, internal)) {
      throw new TansakuError(
        'TANSAKU_SAMPLER_ERROR',
        `${this.host.sampler.name} returned ${describeValue(internal)} for parameter "${name}", which is not in ${describeDistribution(distribution)}`,
      );
    }
    return internal;
  }

  /**
   * Records an intermediate objective value at `step` (an epoch, an iteration) for pruning and plots.
   * A step reported twice keeps its first value, as in Optuna.
   * @example trial.report(valLoss, epoch);
   */
  report(value: number, step: number): void {
    this.assertRunning(`report step ${step}`);
    if (typeof value !== 'number') {
      throw new InvalidArgumentError(`trial.report: value must be a number, got ${describeValue(value)}`);
    }
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      throw new InvalidArgumentError(`trial.report: step must be an integer >= 0, got ${describeValue(step)}`);
    }
    if (this.intermediate.has(step)) return;
    this.intermediate.set(step, value);
    this.enqueue({ kind: 'intermediate', step, value });
  }

  /**
   * Asks the study's pruner whether to stop this trial now. Throw `TrialPruned` when it says yes.
   * @example if (await trial.shouldPrune()) throw new TrialPruned();
   */
  async shouldPrune(): Promise<boolean> {
    this.assertRunning('call shouldPrune');
    await this.flush();
    return this.host.pruner.prune(this.host.view, this.snapshot());
  }

  /** Attaches a JSON value to the trial (shown in exports and the dashboard). */
  setUserAttr(key: string, value: JsonValue): void {
    this.assertRunning(`set user attribute "${key}"`);
    checkJson(`user attribute "${key}"`, value);
    setName(this.userAttrValues, key, value);
    this.enqueue({ kind: 'userAttr', key, value });
  }

  /** Attaches a JSON value for samplers' and tools' own bookkeeping. */
  setSystemAttr(key: string, value: JsonValue): void {
    this.assertRunning(`set system attribute "${key}"`);
    checkJson(`system attribute "${key}"`, value);
    this.enqueue({ kind: 'systemAttr', key, value });
  }

  /** Parameters suggested so far. */
  get params(): Readonly<Record<string, ParamValue>> {
    return { ...this.paramValues };
  }

  get userAttrs(): Readonly<Record<string, JsonValue>> {
    return { ...this.userAttrValues };
  }

  /** The distribution each parameter was suggested with. */
  get paramDistributions(): Readonly<Record<string, Distribution>> {
    return { ...this.distributions };
  }

  /** The trial as a snapshot, including what this process has not written yet. */
  snapshot(): FrozenTrial {
    return {
      ...this.base,
      params: this.paramValues,
      internalParams: this.internalParams,
      distributions: this.distributions,
      intermediateValues: this.intermediate,
      userAttrs: this.userAttrValues,
    };
  }

  /** Waits until every queued storage write has landed; rethrows the first write error. */
  async flush(): Promise<void> {
    await this.writePending();
    this.rethrowWriteError();
  }

  /**
   * @internal For `study.tell`: waits for writes in flight and hands over the updates not yet sent, so
   * they are written together with the trial's final state.
   */
  async takePendingUpdates(): Promise<TrialUpdate[]> {
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = null;
    }
    await this.inFlight;
    this.rethrowWriteError();
    const pending = this.pending;
    this.pending = [];
    return pending;
  }

  private rethrowWriteError(): void {
    if (this.writeError !== null) {
      const error = this.writeError;
      this.writeError = null;
      throw error;
    }
  }

  /**
   * Records the trial's constraint values: it is feasible when every value is <= 0 (Optuna's convention;
   * stored as Optuna stores them, the `constraints` system attribute). Call it before the objective
   * returns; a later call replaces the values.
   * @example trial.setConstraints([latencyMs - 20, memoryMb - 512]); // feasible under 20 ms and 512 MB
   */
  setConstraints(values: readonly number[]): void {
    this.assertRunning('set constraints');
    this.setSystemAttr(SystemAttr.constraints, checkConstraints('setConstraints', values));
  }

  /** @internal Queues a system attribute for the trial's next write without scheduling one. */
  queueSystemAttr(key: string, value: JsonValue): void {
    this.assertRunning(`set system attribute "${key}"`);
    this.pending.push({ kind: 'systemAttr', key, value });
  }

  /** @internal Schedules the write of what is queued (on the next turn of the event loop). */
  scheduleWrites(): void {
    if (this.pending.length === 0 || this.flushHandle) return;
    this.flushHandle = setImmediate(() => {
      this.flushHandle = null;
      void this.writePending();
    });
  }

  private enqueue(update: TrialUpdate): void {
    this.pending.push(update);
    if (this.flushHandle) return;
    this.flushHandle = setImmediate(() => {
      this.flushHandle = null;
      void this.writePending();
    });
  }

  /** @internal Stops the trial's heartbeat and scheduled writes; called once the trial is finished. */
  release(): void {
    if (this.flushHandle) {
      clearImmediate(this.flushHandle);
      this.flushHandle = null;
    }
    const onRelease = this.onRelease;
    this.onRelease = null;
    onRelease?.();
  }

  private writePending(): Promise<void> {
    if (this.pending.length === 0) return this.inFlight;
    const batch = this.pending;
    this.pending = [];
    const storage = this.host.view.storage;
    this.inFlight = this.inFlight
      .then(() => storage.updateTrial(this.trialId, batch))
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.writeError === null) this.writeError = error;
        },
      );
    return this.inFlight;
  }

  /** @internal Called by `study.tell`: no further suggestions or reports. */
  markFinished(): void {
    this.finished = true;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private assertRunning(action: string): void {
    if (this.finished) throw new TrialFinishedError(`trial ${this.number} is finished; cannot ${action}`);
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`parameter name must be a non-empty string, got ${describeValue(name)}`);
  }
  return name;
}

/** Rejects values that would not survive a JSON round trip through a storage. */
export function checkJson(what: string, value: unknown, depth = 0): void {
  if (depth > 64) throw new InvalidArgumentError(`${what}: value is nested too deeply (more than 64 levels)`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${what}: numbers must be finite to be stored as JSON, got ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) checkJson(what, v, depth + 1);
    return;
  }
  const prototype = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    for (const v of Object.values(value as object)) checkJson(what, v, depth + 1);
    return;
  }
  throw new InvalidArgumentError(
    `${what}: expected a JSON value (string, finite number, boolean, null, array or plain object), got ${describeValue(value)}`,
  );
}
