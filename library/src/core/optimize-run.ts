/**
 * One `study.optimize` call: `concurrency` slots that each ask for a trial, run the objective and tell
 * the result, until the trial budget, the timeout, the study's budget, the sampler's exhaustion or
 * `study.stop()`; SIGINT and an abort signal interrupt it (running trials FAIL "interrupted"). Its state
 * is the fields of one `OptimizeRun`; `Study.optimize` checks the options and runs one.
 */
import { InvalidArgumentError, OptimizationInterruptedError, StudyExhaustedError, TrialPruned, describeError } from './errors.js';
import type { Objective, OptimizeResult, Study, StudyCallback } from './study.js';
import { checkObjectiveValues } from './tell-rules.js';
import type { Trial } from './trial.js';
import { SystemAttr, type FrozenTrial } from './trial-record.js';

/** How often a run whose budget is used looks again for other participants' trials to finish or retry (ms). */
const DRAIN_POLL_MS = 200;
/** A synchronous objective on a synchronous storage never yields: give the event loop a turn this often (ms). */
const YIELD_EVERY_MS = 5;

/** The checked settings of one optimize call. */
export interface OptimizeSettings {
  nTrials: number | undefined;
  maxTrials: number | undefined;
  concurrency: number;
  /** Date.now() after which no trial starts (Infinity: none). */
  deadline: number;
  isCaught: (error: unknown) => boolean;
  callbacks: readonly StudyCallback[];
  handleSignals: boolean;
  signal: AbortSignal | undefined;
}

type Outcome = number[] | 'PRUNED' | 'FAIL';

export class OptimizeRun {
  private readonly result: OptimizeResult = { complete: 0, pruned: 0, failed: 0, stoppedBy: 'stop' };
  /** Trials started by this run (asked, or started with a finish). */
  private started = 0;
  /** An error outside the objective (or one not caught): every slot stops, then optimize rejects with it. */
  private fatal: { error: unknown } | null = null;
  /** Why the run was interrupted, once it is. */
  private interrupted: string | null = null;
  /** This run's running trials, failed on interruption. */
  private readonly myTrials = new Set<number>();
  private lastYield = Date.now();
  private sigintCount = 0;
  private rejectInterrupt: (e: unknown) => void = () => {};
  private readonly interruption: Promise<never>;
  /**
   * With a sampler that plans nothing before a trial exists and no callbacks to run between trials, a
   * slot finishes its trial and starts the next in one storage write (one fsync on a journal).
   */
  private readonly canChain: boolean;

  constructor(
    private readonly study: Study,
    private readonly objective: Objective,
    private readonly settings: OptimizeSettings,
  ) {
    this.interruption = new Promise<never>((_, reject) => {
      this.rejectInterrupt = reject;
    });
    this.interruption.catch(() => {});
    this.canChain = !study.sampler.planTrial && typeof study.storage.finishAndStart === 'function' && settings.callbacks.length === 0;
  }

  async run(): Promise<OptimizeResult> {
    const { signal } = this.settings;
    if (this.settings.handleSignals) process.on('SIGINT', this.onSigint);
    if (signal) {
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
    try {
      // An error outside the objective (a callback, the storage, the sampler) stops every slot: the
      // others finish their current trial and start no new one, then optimize rejects.
      const slots = Array.from({ length: this.settings.concurrency }, () =>
        this.runSlot().catch((error: unknown) => {
          this.fatal ??= { error };
        }),
      );
      // On interruption, slots whose objectives honour trial.signal end at once, the others are left
      // behind: either way the interruption decides the outcome once running trials are failed.
      await Promise.race([Promise.all(slots), this.interruption]);
      if (this.interrupted) await this.interruption;
    } finally {
      process.off('SIGINT', this.onSigint);
      signal?.removeEventListener('abort', this.onAbort);
    }
    if (this.fatal) throw this.fatal.error;
    return this.result;
  }

  private readonly onSigint = (): void => {
    this.sigintCount++;
    if (this.sigintCount > 1) {
      // A second Ctrl-C: the default action, at once.
      process.off('SIGINT', this.onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    this.interrupt('SIGINT');
  };

  private readonly onAbort = (): void => this.interrupt('abort signal');

  private interrupt(why: string): void {
    if (this.interrupted) return;
    this.interrupted = why;
    this.study.stopRequested = true;
    const pending: Promise<unknown>[] = [];
    for (const trialId of this.myTrials) {
      this.study.abortTrial(trialId, new OptimizationInterruptedError(why));
      pending.push(this.study.failTrial(trialId, `interrupted (${why})`).catch(() => {}));
    }
    void Promise.all(pending).then(() =>
      this.rejectInterrupt(
        new OptimizationInterruptedError(`optimization of study ${JSON.stringify(this.study.studyName)} was interrupted (${why})`),
      ),
    );
  }

  /** Whether a finished trial may start the next one in the same write. */
  private mayChain(): boolean {
    const { nTrials, deadline } = this.settings;
    return (
      this.canChain &&
      !this.study.stopRequested &&
      !this.fatal &&
      !this.interrupted &&
      (nTrials === undefined || this.started < nTrials) &&
      Date.now() < deadline
    );
  }

  /** The next trial to run, or null when the run is over (and why is in `result.stoppedBy`). */
  private async nextTrial(): Promise<Trial | null> {
    const { nTrials, deadline, maxTrials } = this.settings;
    if (this.study.stopRequested || this.fatal || this.interrupted) return null;
    if (nTrials !== undefined && this.started >= nTrials) {
      this.result.stoppedBy = 'nTrials';
      return null;
    }
    if (Date.now() >= deadline) {
      this.result.stoppedBy = 'timeout';
      return null;
    }
    this.started++;
    try {
      return await this.study.askTrial({ maxTrials });
    } catch (error) {
      if (error instanceof StudyExhaustedError) {
        if (error.reason === 'budget' && this.study.heartbeat) return this.drain();
        this.started--;
        this.result.stoppedBy = 'exhausted';
        this.study.stopRequested = true;
        return null;
      }
      throw error;
    }
  }

  /**
   * The study's budget is used, but other participants' RUNNING trials may belong to dead workers, whose
   * trials nobody else would ever fail or retry: wait while one of them has missed its heartbeats, until it
   * beats again, finishes, or is failed by the stale rule, and run the retries that rule enqueues (they do
   * not count against the budget, as Optuna's RetryFailedTrialCallback's do not). Trials that keep beating
   * have a live worker, which drains in its turn, so the run does not wait for them; it looks for two
   * heartbeat intervals, so that a worker that died just now has missed a beat by then. Returns a retry
   * to run, or null once no other trial is overdue (or the run stops meanwhile).
   */
  private async drain(): Promise<Trial | null> {
    const { deadline, maxTrials } = this.settings;
    const { storage, studyId } = this.study;
    const heartbeat = this.study.heartbeat!;
    const overdueAfterMs = Math.min(2 * heartbeat.intervalMs, heartbeat.graceMs);
    const since = Date.now();
    for (;;) {
      if (this.study.stopRequested || this.fatal || this.interrupted) break;
      if (Date.now() >= deadline) {
        this.result.stoppedBy = 'timeout';
        this.started--;
        return null;
      }
      await this.study.heartbeats.sweep();
      try {
        return await this.study.askTrial({ maxTrials }); // a WAITING retry is claimed first
      } catch (error) {
        if (!(error instanceof StudyExhaustedError)) throw error;
        if (error.reason !== 'budget') break;
      }
      const others = (await storage.getAllTrials(studyId, { states: ['RUNNING'] })).filter(
        (t) => t.systemAttrs[SystemAttr.beatsFromStart] === true && !this.study.activeTrials.has(t.trialId),
      );
      if (others.length === 0) break;
      const overdue = (await storage.getStaleTrialIds(studyId, overdueAfterMs)).filter((id) => !this.study.activeTrials.has(id));
      if (overdue.length === 0 && Date.now() - since >= overdueAfterMs) break;
      await storage.waitForChange(studyId, DRAIN_POLL_MS);
    }
    this.started--;
    this.result.stoppedBy = 'exhausted';
    this.study.stopRequested = true;
    return null;
  }

  /** Tells the trial's outcome; with chaining, starts the next trial in the same write and returns it. */
  private async finish(trial: Trial, outcome: Outcome, failReason?: string): Promise<{ finished: FrozenTrial; next: Trial | null }> {
    if (!this.mayChain()) return { finished: await this.study.tellTrial(trial, outcome, { failReason, skipIfFinished: true }), next: null };
    const r = await this.study.tellAndStart(trial, outcome, { failReason, skipIfFinished: true }, this.settings.maxTrials);
    if (r.next) {
      this.started++;
      this.myTrials.add(r.next.trialId);
    }
    // Without a next trial the slot asks again: the budget is used (it drains, see `drain`) or the
    // sampler is exhausted (it stops).
    return r;
  }

  /** Runs the objective on `trial` and tells its outcome; null when the run was interrupted meanwhile. */
  private async runTrial(trial: Trial): Promise<{ finished: FrozenTrial; next: Trial | null } | null> {
    let outcome: { kind: 'values'; values: unknown } | { kind: 'pruned' } | { kind: 'error'; error: unknown };
    try {
      const returned = this.objective(trial);
      // An objective still running after its first synchronous part (it awaits) gets what ask queued
      // written meanwhile; one that returns at once has it written with its result.
      if (isThenable(returned)) trial.scheduleWrites();
      outcome = { kind: 'values', values: await returned };
    } catch (error) {
      outcome = error instanceof TrialPruned ? { kind: 'pruned' } : { kind: 'error', error };
    }
    if (this.interrupted) return null;
    if (outcome.kind === 'values') {
      let values: number[];
      try {
        values = checkObjectiveValues(outcome.values, this.study.directions.length, trial.number);
      } catch (error) {
        // Like Optuna, a result that is not a number fails the trial but not the run.
        if (!(error instanceof InvalidArgumentError)) throw error;
        process.emitWarning(`${error.message}; the trial failed`, { code: 'TANSAKU_BAD_OBJECTIVE_VALUE' });
        return this.finish(trial, 'FAIL', error.message);
      }
      return this.finish(trial, values);
    }
    if (outcome.kind === 'pruned') return this.finish(trial, 'PRUNED');
    if (!this.settings.isCaught(outcome.error)) this.fatal ??= { error: outcome.error };
    return this.finish(trial, 'FAIL', describeError(outcome.error));
  }

  private async runSlot(): Promise<void> {
    let next: Trial | null = null;
    for (;;) {
      // A synchronous objective on a synchronous storage never gives the event loop a turn: yield every
      // few milliseconds so SIGINT, abort signals and heartbeat timers can run.
      if (Date.now() - this.lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.lastYield = Date.now();
      }
      // A trial started with the previous one's finish counts as running, so it runs.
      const trial: Trial | null = next ?? (await this.nextTrial());
      next = null;
      if (!trial) return;
      if (this.interrupted) {
        await this.study.failTrial(trial.trialId, `interrupted (${this.interrupted})`).catch(() => {});
        return;
      }
      this.myTrials.add(trial.trialId);
      let told: { finished: FrozenTrial; next: Trial | null } | null;
      try {
        told = await this.runTrial(trial);
      } finally {
        this.myTrials.delete(trial.trialId);
      }
      if (!told) continue;
      next = told.next;
      const { finished } = told;
      if (finished.state === 'COMPLETE') this.result.complete++;
      else if (finished.state === 'PRUNED') this.result.pruned++;
      else this.result.failed++;
      for (const callback of this.settings.callbacks) await callback(this.study, finished);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}
