/**
 * A Storage over an operation log. Backends (memory array, journal file, PostgreSQL table) supply only
 * the log primitives — catch up on operations appended by others, and append under a write lock — and
 * this class implements every Storage method on top of the shared {@link ReplayModel}.
 */
import type { Distribution } from '../core/distributions.js';
import { InvalidArgumentError, StorageError, TrialNotFoundError } from '../core/errors.js';
import {
  OpCode,
  type CreateTrialOptions,
  type CreateTrialResult,
  type GetTrialsOptions,
  type Operation,
  type NextTrialRequest,
  type StartedTrial,
  type Storage,
  type TrialFinish,
  type TrialUpdate,
} from '../core/storage.js';
import {
  SystemAttr,
  isFinished,
  type FrozenTrial,
  type JsonValue,
  type StudyDirection,
  type StudyRecord,
  type TrialState,
} from '../core/trial-record.js';
import { defaultWorkerId } from '../core/worker-id.js';
import { ReplayModel, checkTransition, type ApplyResult } from './replay.js';

/**
 * What a backend decides inside its write lock: the operations to append (possibly none) and the value
 * to return to the caller, computed from the up-to-date model.
 */
export interface Decision<T> {
  ops: Operation[];
  result: (applied: ApplyResult[]) => T;
}

export abstract class OperationLogStorage implements Storage {
  protected readonly model = new ReplayModel();
  protected readonly workerId: string;

  constructor(options: { workerId?: string } = {}) {
    this.workerId = options.workerId ?? defaultWorkerId();
  }

  /** Brings the model up to date with operations other writers appended. */
  protected abstract catchUp(): Promise<void>;
  /**
   * Under the backend's write lock: catch up, call `decide` on the up-to-date model, append the
   * operations it returns durably, apply them to the model, release the lock.
   */
  protected abstract transact<T>(decide: () => Decision<T>): Promise<T>;

  abstract recordHeartbeat(trialId: number): Promise<boolean>;
  abstract getStaleTrialIds(studyId: number, graceMs: number): Promise<number[]>;

  /**
   * RUNNING trials of the study whose last beat (`lastBeat`, epoch ms or undefined for none) — or, for
   * a trial marked `SystemAttr.beatsFromStart` that has not beaten yet, its start — is older than `graceMs`.
   */
  protected staleRunningTrials(studyId: number, graceMs: number, lastBeat: (trialId: number) => number | undefined): number[] {
    const now = Date.now();
    const stale: number[] = [];
    for (const trialId of this.model.study(studyId).running) {
      let beat = lastBeat(trialId);
      if (beat === undefined) {
        const trial = this.model.trials[trialId];
        if (trial?.systemAttrs[SystemAttr.beatsFromStart] === true && trial.datetimeStart !== null) beat = trial.datetimeStart;
      }
      if (beat !== undefined && now - beat > graceMs) stale.push(trialId);
    }
    return stale;
  }
  abstract waitForChange(studyId: number, timeoutMs: number): Promise<void>;
  abstract close(): Promise<void>;

  /** Appends one checked operation and returns what applying it gave. */
  private appendOne(op: Operation): Promise<ApplyResult> {
    return this.transact(() => {
      this.model.check(op);
      return { ops: [op], result: (applied) => applied[0] };
    });
  }

  async createStudy(studyName: string, directions: readonly StudyDirection[], workerId = this.workerId): Promise<number> {
    const r = await this.appendOne({ op: OpCode.CreateStudy, workerId, studyName, directions: [...directions] });
    if (r.kind !== 'study') throw new StorageError(`creating study ${JSON.stringify(studyName)} did not produce a study`);
    return r.studyId;
  }

  async deleteStudy(studyId: number): Promise<void> {
    await this.appendOne({ op: OpCode.DeleteStudy, workerId: this.workerId, studyId });
  }

  async getStudyIdFromName(studyName: string): Promise<number> {
    await this.catchUp();
    return this.model.studyIdFromName(studyName);
  }

  async getStudy(studyId: number): Promise<StudyRecord> {
    await this.catchUp();
    return this.model.study(studyId).toRecord();
  }

  async getAllStudies(): Promise<StudyRecord[]> {
    await this.catchUp();
    const out: StudyRecord[] = [];
    for (const s of this.model.studies) if (s) out.push(s.toRecord());
    return out;
  }

  async setStudyUserAttr(studyId: number, key: string, value: JsonValue): Promise<void> {
    await this.appendOne({ op: OpCode.SetStudyUserAttr, workerId: this.workerId, studyId, attrs: { [key]: value } });
  }

  async setStudySystemAttr(studyId: number, key: string, value: JsonValue): Promise<void> {
    await this.appendOne({ op: OpCode.SetStudySystemAttr, workerId: this.workerId, studyId, attrs: { [key]: value } });
  }

  createTrial(studyId: number, options: CreateTrialOptions = {}): Promise<CreateTrialResult> {
    const workerId = options.workerId ?? this.workerId;
    return this.transact<CreateTrialResult>(() => {
      const s = this.model.study(studyId);
      if (options.maxTrials !== undefined && s.trials.length >= options.maxTrials) {
        return { ops: [], result: () => ({ created: false, reason: 'budget' }) };
      }
      let template = options.template ?? {};
      if (options.claimKey !== undefined) {
        if (s.claimKeys.has(options.claimKey)) return { ops: [], result: () => ({ created: false, reason: 'claimed' }) };
        template = { ...template, systemAttrs: { ...template.systemAttrs, [SystemAttr.claimKey]: options.claimKey } };
      }
      const state = template.state ?? 'RUNNING';
      if (state === 'RUNNING' && template.datetimeStart == null) template = { ...template, datetimeStart: Date.now() };
      const op: Operation = { op: OpCode.CreateTrial, workerId, studyId, template };
      return {
        ops: [op],
        result: (applied) => {
          const r = applied[0];
          if (r.kind !== 'trial') throw new StorageError(`creating a trial in study ${studyId} did not produce a trial`);
          return { created: true, trialId: r.trialId, number: r.number };
        },
      };
    });
  }

  async claimWaitingTrial(studyId: number, workerId: string, systemAttrs?: Record<string, JsonValue>): Promise<FrozenTrial | null> {
    // Nearly every ask finds nothing waiting: decide that from the caught-up model, without the lock.
    // A trial enqueued just after this read is claimed by the next ask.
    await this.catchUp();
    if (this.model.study(studyId).oldestWaiting(this.model.trials) === undefined) return null;
    return this.transact<FrozenTrial | null>(() => {
      const s = this.model.study(studyId);
      const id = s.oldestWaiting(this.model.trials);
      if (id === undefined) return { ops: [], result: () => null };
      return { ops: this.claimOps(id, workerId, systemAttrs), result: () => this.model.trials[id] };
    });
  }

  /**
   * Claiming a WAITING trial: its system attributes first (harmless on a WAITING trial, should a crash
   * cut the append between the two lines), then the move to RUNNING.
   */
  private claimOps(trialId: number, workerId: string, systemAttrs: Record<string, JsonValue> | undefined): Operation[] {
    const claim: Operation = { op: OpCode.SetTrialStateValues, workerId, trialId, state: 'RUNNING', values: null, datetime: Date.now() };
    return systemAttrs && Object.keys(systemAttrs).length > 0
      ? [{ op: OpCode.SetTrialSystemAttr, workerId, trialId, attrs: { ...systemAttrs } }, claim]
      : [claim];
  }

  async setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): Promise<void> {
    await this.appendOne({ op: OpCode.SetTrialParam, workerId: this.workerId, trialId, name, internal, distribution });
  }

  setTrialStateValues(trialId: number, state: TrialState, values: readonly number[] | null = null): Promise<boolean> {
    // A finish that lost the race (or a claim of a trial no longer WAITING) is decided under the lock
    // and kept out of the log, as for any finish.
    return this.updateTrial(trialId, [], { state, values });
  }

  /** The operations of a trial's updates and optional finish, in order. */
  private trialUpdateOps(trialId: number, updates: readonly TrialUpdate[], finish?: TrialFinish): Operation[] {
    const workerId = this.workerId;
    const ops: Operation[] = updates.map((u): Operation => {
      switch (u.kind) {
        case 'param':
          return { op: OpCode.SetTrialParam, workerId, trialId, name: u.name, internal: u.internal, distribution: u.distribution };
        case 'intermediate':
          return { op: OpCode.SetTrialIntermediateValue, workerId, trialId, step: u.step, value: u.value };
        case 'userAttr':
          return { op: OpCode.SetTrialUserAttr, workerId, trialId, attrs: { [u.key]: u.value } };
        case 'systemAttr':
          return { op: OpCode.SetTrialSystemAttr, workerId, trialId, attrs: { [u.key]: u.value } };
        default: {
          const unknown: never = u;
          throw new TypeError(`unknown trial update ${JSON.stringify(unknown)}`);
        }
      }
    });
    if (finish) {
      ops.push({
        op: OpCode.SetTrialStateValues,
        workerId,
        trialId,
        state: finish.state,
        values: finish.values === null ? null : [...finish.values],
        datetime: Date.now(),
      });
    }
    return ops;
  }

  /**
   * Under the lock: whether the finish can apply (false: someone finished the trial first), after
   * checking every operation so that an invalid batch throws before anything is appended.
   */
  private checkUpdateOps(trialId: number, ops: readonly Operation[], finish?: TrialFinish): boolean {
    const t = this.model.trial(trialId);
    if (finish) {
      checkTransition(t, finish.state);
      if (isFinished(t.state) || (finish.state === 'RUNNING' && t.state !== 'WAITING')) return false;
    }
    for (const op of ops) this.model.check(op);
    return true;
  }

  updateTrial(trialId: number, updates: readonly TrialUpdate[], finish?: TrialFinish): Promise<boolean> {
    const ops = this.trialUpdateOps(trialId, updates, finish);
    return this.transact<boolean>(() => {
      if (!this.checkUpdateOps(trialId, ops, finish)) return { ops: [], result: () => false };
      return {
        ops,
        result: (applied) => !finish || (applied.at(-1)!.kind === 'state' && (applied.at(-1) as { applied: boolean }).applied),
      };
    });
  }

  finishAndCreate(
    trialId: number,
    updates: readonly TrialUpdate[],
    finish: TrialFinish,
    studyId: number,
    create: CreateTrialOptions,
  ): Promise<boolean> {
    const finishOps = this.trialUpdateOps(trialId, updates, finish);
    const workerId = create.workerId ?? this.workerId;
    return this.transact<boolean>(() => {
      if (!this.checkUpdateOps(trialId, finishOps, finish)) return { ops: [], result: () => false };
      let template = create.template ?? {};
      if ((template.state ?? 'RUNNING') === 'RUNNING' && template.datetimeStart == null)
        template = { ...template, datetimeStart: Date.now() };
      const ops: Operation[] = [...finishOps, { op: OpCode.CreateTrial, workerId, studyId, template }];
      this.model.check(ops.at(-1)!);
      return { ops, result: (applied) => (applied[finishOps.length - 1] as { applied?: boolean }).applied === true };
    });
  }

  finishAndStart(
    trialId: number,
    updates: readonly TrialUpdate[],
    finish: TrialFinish,
    next: NextTrialRequest,
  ): Promise<{ finished: boolean; next: StartedTrial }> {
    const finishOps = this.trialUpdateOps(trialId, updates, finish);
    return this.transact(() => {
      const ops = this.checkUpdateOps(trialId, finishOps, finish) ? [...finishOps] : [];
      const finishing = ops.length > 0;
      const s = this.model.study(next.studyId);
      const waiting = s.oldestWaiting(this.model.trials);
      let started: 'claim' | 'create' | 'budget';
      if (waiting !== undefined) {
        started = 'claim';
        ops.push(...this.claimOps(waiting, next.workerId, next.systemAttrs));
      } else if (next.maxTrials !== undefined && s.trials.length >= next.maxTrials) {
        started = 'budget';
      } else {
        started = 'create';
        const template = {
          state: 'RUNNING' as const,
          datetimeStart: Date.now(),
          ...(next.systemAttrs ? { systemAttrs: next.systemAttrs } : {}),
        };
        ops.push({ op: OpCode.CreateTrial, workerId: next.workerId, studyId: next.studyId, template });
      }
      return {
        ops,
        result: (applied) => {
          const finished = finishing && (applied[finishOps.length - 1] as { applied?: boolean }).applied === true;
          const last = applied.at(-1);
          let nextTrial: StartedTrial;
          if (started === 'budget') nextTrial = { kind: 'budget' };
          else if (started === 'claim') nextTrial = { kind: 'claimed', trial: this.model.trials[waiting!] };
          else if (last?.kind === 'trial') nextTrial = { kind: 'created', trialId: last.trialId, number: last.number };
          else throw new StorageError(`starting a trial in study ${next.studyId} did not produce a trial`);
          return { finished, next: nextTrial };
        },
      };
    });
  }

  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    await this.appendOne({ op: OpCode.SetTrialIntermediateValue, workerId: this.workerId, trialId, step, value });
  }

  async setTrialUserAttr(trialId: number, key: string, value: JsonValue): Promise<void> {
    await this.appendOne({ op: OpCode.SetTrialUserAttr, workerId: this.workerId, trialId, attrs: { [key]: value } });
  }

  async setTrialSystemAttr(trialId: number, key: string, value: JsonValue): Promise<void> {
    await this.appendOne({ op: OpCode.SetTrialSystemAttr, workerId: this.workerId, trialId, attrs: { [key]: value } });
  }

  async getTrial(trialId: number): Promise<FrozenTrial> {
    await this.catchUp();
    return this.model.trial(trialId);
  }

  async getTrialByNumber(studyId: number, number: number): Promise<FrozenTrial> {
    await this.catchUp();
    const t = Number.isInteger(number) ? this.model.study(studyId).trials[number] : undefined;
    if (!t) throw new TrialNotFoundError(`study ${studyId} has no trial number ${number}`);
    return t;
  }

  async getAllTrials(studyId: number, options: GetTrialsOptions = {}): Promise<readonly FrozenTrial[]> {
    await this.catchUp();
    const s = this.model.study(studyId);
    const from = options.fromNumber ?? 0;
    if (!Number.isInteger(from) || from < 0) {
      throw new InvalidArgumentError(`getAllTrials: fromNumber must be an integer >= 0, got ${String(from)}`);
    }
    if (!options.states) return s.trials.slice(from);
    const states = options.states;
    if (from === 0 && states.length === 1 && states[0] === 'RUNNING') {
      return [...s.running].map((id) => this.model.trials[id]).sort((a, b) => a.number - b.number);
    }
    const out: FrozenTrial[] = [];
    for (let i = from; i < s.trials.length; i++) if (states.includes(s.trials[i].state)) out.push(s.trials[i]);
    return out;
  }

  async countTrials(studyId: number, states?: readonly TrialState[]): Promise<number> {
    await this.catchUp();
    const s = this.model.study(studyId);
    if (!states) return s.trials.length;
    let n = 0;
    for (const state of states) n += s.stateCounts[state];
    return n;
  }
}
