/**
 * Asking for and telling trials, for one Study object: claiming a WAITING trial or letting the sampler
 * plan one (waiting while it defers), creating it under the storage's lock, preparing the objective's
 * `Trial` (heartbeat, relative sample), and finishing it (alone, or together with the start of the next
 * trial in one write). `Study.ask`, `Study.tell` and the optimize loop delegate here.
 */
import {
  InvalidArgumentError,
  InvalidStateTransitionError,
  StudyExhaustedError,
  TansakuError,
  TrialFinishedError,
  describeError,
  describeValue,
} from './errors.js';
import { beatsFromStart } from './heartbeat.js';
import { relativeSampleToJson } from './relative.js';
import type { RelativeSample, StudyView, TrialPlan } from './sampler.js';
import type { StartedTrial, TrialTemplate, TrialUpdate } from './storage.js';
import type { AskOptions, Study, TellOptions } from './study.js';
import { checkBudget } from './study-options.js';
import { decideTellOutcome, prunedValues } from './tell-rules.js';
import { Trial, checkJson } from './trial.js';
import { SystemAttr, fixedParamsOf, isFinished, type FrozenTrial, type JsonValue, type StudyRecord } from './trial-record.js';
import { validateDistribution, type Distribution } from './distributions.js';

/** How long an ask waits for a change while its sampler defers (ms) before planning again. */
const DEFER_POLL_MS = 200;

/** The ask/tell lifecycle of one Study object's trials; it reads and updates the Study's internal state. */
export class TrialLifecycle {
  constructor(private readonly study: Study) {}

  async askTrial(options: AskOptions): Promise<Trial> {
    const record = await this.study.storage.getStudy(this.study.studyId);
    const maxTrials = studyBudget(record, options.maxTrials !== undefined ? checkBudget('maxTrials', options.maxTrials) : undefined);
    // Validate before creating anything, so a bad argument never leaves a trial behind.
    const fixedDistributions = Object.entries(options.fixedDistributions ?? {}).map(
      ([name, d]) => [name, validateDistribution(name, d)] as const,
    );
    await this.study.heartbeats.sweep();
    let frozen: FrozenTrial | null = null;
    let fixedParams: Record<string, unknown> = {};
    let claimConflicts = 0;
    let idleDefers = 0;
    for (;;) {
      // Marked like a created trial, in the claim's own write: a worker that dies before its first beat
      // leaves a trial the sweep fails once its start is older than the grace period.
      frozen = await this.study.storage.claimWaitingTrial(
        this.study.studyId,
        this.study.workerId,
        this.study.heartbeat ? beatsFromStart() : undefined,
      );
      if (frozen) {
        fixedParams = fixedParamsOf(frozen);
        break;
      }
      const plan: TrialPlan = (await this.study.sampler.planTrial?.(this.study)) ?? { kind: 'free' };
      if (plan.kind === 'exhausted') {
        throw new StudyExhaustedError(
          `${this.study.sampler.name} has nothing left to propose in study ${JSON.stringify(this.study.studyName)}`,
        );
      }
      if (plan.kind === 'defer' && !plan.fallback) {
        const running = await this.study.storage.countTrials(this.study.studyId, ['RUNNING']);
        if (running > 0) idleDefers = 0;
        // The trials it waited for may have finished between its plan and our count: plan once more.
        else if (++idleDefers < 2) continue;
        else {
          throw new TansakuError(
            'TANSAKU_SAMPLER_DEADLOCK',
            `${this.study.sampler.name} deferred, waiting for running trials, but study ${JSON.stringify(this.study.studyName)} has none`,
          );
        }
        await this.study.storage.waitForChange(this.study.studyId, DEFER_POLL_MS);
        // The trial we wait for may belong to a dead worker: keep sweeping while we wait.
        await this.study.heartbeats.sweep();
        continue;
      }
      const template: TrialTemplate = { state: 'RUNNING' };
      if (plan.kind === 'fixed') {
        fixedParams = plan.params;
        checkJson('planned parameters', plan.params);
        template.systemAttrs = { ...plan.systemAttrs, [SystemAttr.fixedParams]: plan.params as Record<string, JsonValue> };
      }
      if (this.study.heartbeat) template.systemAttrs = { ...template.systemAttrs, ...beatsFromStart() };
      const created = await this.study.storage.createTrial(this.study.studyId, {
        template,
        maxTrials,
        claimKey: plan.kind === 'fixed' ? plan.claimKey : undefined,
        workerId: this.study.workerId,
      });
      if (!created.created) {
        if (created.reason === 'claimed') {
          // Another worker took the cell first; the sampler sees that claim on its next plan.
          if (++claimConflicts > 10000) {
            throw new TansakuError(
              'TANSAKU_SAMPLER_ERROR',
              `${this.study.sampler.name} proposed already-claimed trials 10000 times in a row (key ${JSON.stringify(plan.kind === 'fixed' ? plan.claimKey : '')})`,
            );
          }
          continue;
        }
        throw new StudyExhaustedError(`study ${JSON.stringify(this.study.studyName)} reached its budget of ${maxTrials} trials`, 'budget');
      }
      frozen = await this.study.storage.getTrial(created.trialId);
      break;
    }
    return this.prepareTrial(frozen, fixedParams, record.paramDistributions, fixedDistributions);
  }

  /** Turns a created (or claimed) trial into the objective's Trial: heartbeat, relative sampling. */
  private async prepareTrial(
    frozen: FrozenTrial,
    fixedParams: Readonly<Record<string, unknown>>,
    paramKinds: Readonly<Record<string, Distribution>>,
    fixedDistributions: ReadonlyArray<readonly [string, Distribution]> = [],
  ): Promise<Trial> {
    const trialId = frozen.trialId;
    try {
      // A trial created or claimed with `beatsFromStart` counts its start as its first beat; others (claimed
      // through a storage that did not mark it) beat now.
      if (this.study.heartbeat && frozen.systemAttrs[SystemAttr.beatsFromStart] !== true) await this.study.storage.recordHeartbeat(trialId);
      // The sampler sees the study as the pruner narrows it for this trial (a Hyperband bracket), if it does.
      const samplerView: StudyView = (await this.study.pruner.samplerView?.(this.study, frozen)) ?? this.study;
      const relative: RelativeSample = (await this.study.sampler.sampleRelative?.(samplerView, frozen)) ?? {};
      // Kinds first seen by trials created since `paramKinds` was read are still checked by the storage.
      const abort = new AbortController();
      const trial = new Trial(this.study, frozen, {
        relative,
        samplerView,
        fixedParams,
        paramKinds,
        signal: abort.signal,
        onRelease: () => this.study.releaseTrial(trialId),
      });
      // The relative sample goes to the trial's `tansaku:relative` attribute with the trial's first write:
      // as soon as the objective first awaits (so other workers see where a long trial is while it runs;
      // a model-based sampler's constant liar needs it), or with the result of an objective that returns
      // at once, at no extra append. An attribute, not parameters: a conditional objective may never
      // suggest some of them, and a trial's parameters are what its objective suggested.
      if (Object.keys(relative).length > 0) trial.queueSystemAttr(SystemAttr.relativeSample, relativeSampleToJson(relative));
      this.study.activeTrials.set(trialId, { trial, abort });
      this.study.heartbeats.start();
      for (const [name, d] of fixedDistributions) trial.suggest(name, d);
      return trial;
    } catch (error) {
      // The trial exists: never leave it RUNNING when preparing it failed.
      await this.study.failTrial(trialId, `preparing the trial failed: ${describeError(error)}`).catch(() => {});
      throw error;
    }
  }

  /**
   * Finishes `trial` and, in the same storage write, starts the next trial of this worker (a WAITING
   * trial first). Used by the optimise loop when the sampler plans nothing before a trial exists.
   * Returns the finished trial and the next one, or null when the study budget is used.
   */
  async tellAndStart(
    trial: Trial,
    valuesOrState: number | readonly number[] | 'PRUNED' | 'FAIL',
    options: TellOptions,
    maxTrials: number | undefined,
  ): Promise<{ finished: FrozenTrial; next: Trial | null }> {
    const prepared = await this.prepareTell(trial, valuesOrState, options);
    if ('done' in prepared) return { finished: prepared.done, next: await this.askOrNull(maxTrials) };
    const { trialId, state, values, updates } = prepared;
    await this.study.heartbeats.sweep();
    const record = await this.study.storage.getStudy(this.study.studyId);
    const budget = studyBudget(record, maxTrials);
    let applied: boolean;
    let started: StartedTrial;
    try {
      const r = await this.study.storage.finishAndStart!(
        trialId,
        updates,
        { state, values },
        {
          studyId: this.study.studyId,
          workerId: this.study.workerId,
          maxTrials: budget,
          ...(this.study.heartbeat ? { systemAttrs: beatsFromStart() } : {}),
        },
      );
      applied = r.finished;
      started = r.next;
    } catch (error) {
      // Nothing was written: finish as tell would (a lost race is not an error), then ask as usual.
      applied = await this.refusedFinish(trialId, error);
      return { finished: await this.afterFinish(trialId, applied, state, values, options), next: await this.askOrNull(maxTrials) };
    } finally {
      trial.release();
      this.study.releaseTrial(trialId);
    }
    const finished = await this.afterFinish(trialId, applied, state, values, options);
    if (started.kind === 'budget') return { finished, next: null };
    if (started.kind === 'claimed')
      return { finished, next: await this.prepareTrial(started.trial, fixedParamsOf(started.trial), record.paramDistributions) };
    const frozen = await this.study.storage.getTrial(started.trialId);
    return { finished, next: await this.prepareTrial(frozen, {}, record.paramDistributions) };
  }

  private async askOrNull(maxTrials: number | undefined): Promise<Trial | null> {
    try {
      return await this.askTrial({ maxTrials });
    } catch (error) {
      if (error instanceof StudyExhaustedError) return null;
      throw error;
    }
  }

  /** A finish the storage refused: a lost race is `false`; anything else fails the trial and rethrows. */
  private async refusedFinish(trialId: number, error: unknown): Promise<boolean> {
    if (error instanceof TrialFinishedError) return false;
    await this.study.failTrial(trialId, `the storage refused the trial's updates: ${describeError(error)}`);
    throw error;
  }

  private async afterFinish(
    trialId: number,
    applied: boolean,
    state: 'COMPLETE' | 'PRUNED' | 'FAIL',
    values: number[] | null,
    options: TellOptions,
  ): Promise<FrozenTrial> {
    if (!applied) {
      const after = await this.study.storage.getTrial(trialId);
      if (options.skipIfFinished) return after;
      throw new TrialFinishedError(`trial ${after.number} was already finished as ${after.state} by another participant`);
    }
    const finished = await this.study.storage.getTrial(trialId);
    await this.study.sampler.afterTrial?.(this.study, finished, state, values);
    return finished;
  }

  /** Everything `tell` checks before changing anything, and the updates to write with the finish. */
  private async prepareTell(
    trialOrNumber: Trial | number,
    valuesOrState: number | readonly number[] | 'COMPLETE' | 'PRUNED' | 'FAIL',
    options: TellOptions & { values?: number | readonly number[] },
  ): Promise<
    | { done: FrozenTrial }
    | { trial: Trial | undefined; trialId: number; state: 'COMPLETE' | 'PRUNED' | 'FAIL'; values: number[] | null; updates: TrialUpdate[] }
  > {
    let trial: Trial | undefined;
    let current: FrozenTrial;
    if (trialOrNumber instanceof Trial) {
      trial = trialOrNumber;
      current = await this.study.storage.getTrial(trial.trialId);
    } else if (typeof trialOrNumber === 'number' && Number.isInteger(trialOrNumber)) {
      current = await this.study.storage.getTrialByNumber(this.study.studyId, trialOrNumber);
      trial = this.study.activeTrials.get(current.trialId)?.trial;
    } else {
      throw new InvalidArgumentError(`tell: expected a Trial or a trial number, got ${describeValue(trialOrNumber)}`);
    }
    const trialId = current.trialId;
    if (current.studyId !== this.study.studyId) {
      throw new InvalidArgumentError(
        `tell: trial ${current.number} belongs to another study (id ${current.studyId}), not to ${JSON.stringify(this.study.studyName)}`,
      );
    }

    // Everything that can be wrong with the call is checked before anything changes.
    let { state, values, failReason } = decideTellOutcome(current.number, this.study.directions.length, valuesOrState, options);
    if (current.state === 'WAITING') {
      throw new InvalidStateTransitionError(`tell: trial ${current.number} is WAITING (enqueued, never run); run it with ask() first`);
    }
    if (isFinished(current.state)) {
      trial?.release();
      if (options.skipIfFinished) return { done: current };
      throw new TrialFinishedError(`trial ${current.number} is already ${current.state}; it cannot be told again`);
    }
    if (state === 'PRUNED')
      values = prunedValues(this.study.directions.length, trial?.snapshot().intermediateValues ?? current.intermediateValues);

    let updates: TrialUpdate[] = [];
    try {
      if (trial) updates = await trial.takePendingUpdates();
    } catch (error) {
      trial?.release();
      // A write refused because someone else finished the trial (a stale-trial sweep, an interrupt).
      if (error instanceof TrialFinishedError && options.skipIfFinished) return { done: await this.study.storage.getTrial(trialId) };
      // Any other refusal (e.g. a parameter whose kind clashes with earlier trials): never leave the
      // trial RUNNING.
      if (!(error instanceof TrialFinishedError))
        await this.study.failTrial(trialId, `the storage refused the trial's updates: ${describeError(error)}`);
      throw error;
    }
    trial?.markFinished();
    if (state === 'FAIL' && failReason !== undefined) updates.push({ kind: 'systemAttr', key: SystemAttr.failReason, value: failReason });
    return { trial, trialId, state, values, updates };
  }

  async tell(
    trialOrNumber: Trial | number,
    valuesOrState: number | readonly number[] | 'COMPLETE' | 'PRUNED' | 'FAIL',
    options: TellOptions & { values?: number | readonly number[] } = {},
  ): Promise<FrozenTrial> {
    const prepared = await this.prepareTell(trialOrNumber, valuesOrState, options);
    if ('done' in prepared) return prepared.done;
    const { trial, trialId, state, values, updates } = prepared;
    let applied: boolean;
    try {
      applied = await this.study.storage.updateTrial(trialId, updates, { state, values });
    } catch (error) {
      applied = await this.refusedFinish(trialId, error);
    } finally {
      trial?.release();
      this.study.releaseTrial(trialId);
    }
    return this.afterFinish(trialId, applied, state, values, options);
  }
}

/** The budget for a new trial: an explicit one, else the one stored with the study, else none. */
function studyBudget(record: StudyRecord, explicit: number | undefined): number | undefined {
  if (explicit !== undefined) return explicit;
  const stored = record.systemAttrs[SystemAttr.maxTrials];
  return typeof stored === 'number' ? stored : undefined;
}
