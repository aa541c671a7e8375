/**
 * The replay model: the in-memory picture of studies and trials that every operation-log storage
 * builds by applying operations in log order (ARCHITECTURE.md, "Storage is an operation log"). The memory,
 * journal and PostgreSQL backends share this code, so they agree on every rule.
 *
 * Two entry points:
 * - `check(op)` throws the error a writer must report for an invalid operation; writers call it under
 *   their write lock, before appending, so invalid operations never reach the log;
 * - `apply(op)` applies an operation read from the log. It is lenient towards operations that a
 *   foreign writer (an Optuna process, an older Tansaku) appended and that lost a race, e.g. a second
 *   finish of the same trial: those are ignored, exactly as every other reader ignores them.
 *
 * Trial snapshots are copy-on-write: applying an operation replaces the trial's object, so snapshots
 * handed out earlier never change.
 */
import { describeKindClash, distributionsEqual, toExternal, type Distribution, type ParamValue } from '../core/distributions.js';
import {
  DistributionClashError,
  DuplicateStudyError,
  InvalidStateTransitionError,
  StudyNotFoundError,
  TrialFinishedError,
  TrialNotFoundError,
} from '../core/errors.js';
import { OpCode, type Operation, type TrialTemplate } from '../core/storage.js';
import {
  SystemAttr,
  isFinished,
  type FrozenTrial,
  type JsonValue,
  type StudyDirection,
  type StudyRecord,
  type TrialState,
} from '../core/trial-record.js';
import { setName } from '../core/records.js';

const EMPTY_MAP: ReadonlyMap<number, number> = new Map();
/** The parts of a trial that have nothing yet, shared by every such trial (frozen: nothing may write to them). */
const EMPTY_RECORD: Readonly<Record<string, never>> = Object.freeze({});

/** Mutable per-study state of the model. */
export class StudyState {
  userAttrs: Record<string, JsonValue> = {};
  systemAttrs: Record<string, JsonValue> = {};
  /** Trials by number. */
  readonly trials: FrozenTrial[] = [];
  /** Ids of WAITING trials in creation order; entries that stopped waiting are skipped lazily. */
  readonly waiting: number[] = [];
  private waitingHead = 0;
  /** Ids of RUNNING trials. */
  readonly running = new Set<number>();
  readonly claimKeys = new Set<string>();
  /** The first distribution seen for each parameter name: later ones must be of the same kind. */
  readonly paramKinds = new Map<string, Distribution>();
  readonly stateCounts: Record<TrialState, number> = { WAITING: 0, RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0 };
  datetimeStart: number | null = null;

  constructor(
    readonly studyId: number,
    readonly studyName: string,
    readonly directions: readonly StudyDirection[],
  ) {}

  /** Id of the oldest trial still WAITING, or undefined. */
  oldestWaiting(trialsById: readonly FrozenTrial[]): number | undefined {
    while (this.waitingHead < this.waiting.length) {
      const id = this.waiting[this.waitingHead];
      if (trialsById[id]?.state === 'WAITING') return id;
      this.waitingHead++;
    }
    return undefined;
  }

  toRecord(): StudyRecord {
    return {
      studyId: this.studyId,
      studyName: this.studyName,
      directions: this.directions,
      userAttrs: { ...this.userAttrs },
      systemAttrs: { ...this.systemAttrs },
      nTrials: this.trials.length,
      datetimeStart: this.datetimeStart,
      paramDistributions: Object.fromEntries(this.paramKinds),
    };
  }
}

/** Result of applying one operation. */
export type ApplyResult =
  | { kind: 'study'; studyId: number }
  | { kind: 'trial'; trialId: number; number: number }
  | { kind: 'state'; applied: boolean }
  | { kind: 'none' };

type TrialPart = 'params' | 'intermediateValues' | 'userAttrs' | 'systemAttrs';
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class ReplayModel {
  /** Studies by id; deleted studies leave an `undefined` hole so ids stay stable. */
  readonly studies: Array<StudyState | undefined> = [];
  private readonly studyIdByName = new Map<string, number>();
  /** Trials by global id (ids are never reused, even when their study is deleted). */
  readonly trials: FrozenTrial[] = [];
  /** Number of operations applied; the log position this model reflects. */
  appliedCount = 0;
  /** Trial snapshots made since the last `seal`, with the parts each owns (see `editable`). */
  private readonly unsealed = new Map<FrozenTrial, Set<TrialPart>>();

  study(studyId: number): StudyState {
    const s = Number.isInteger(studyId) ? this.studies[studyId] : undefined;
    if (!s) throw new StudyNotFoundError(`no study with id ${studyId}`);
    return s;
  }

  studyIdFromName(name: string): number {
    const id = this.studyIdByName.get(name);
    if (id === undefined) throw new StudyNotFoundError(`no study named ${JSON.stringify(name)}`);
    return id;
  }

  hasStudyName(name: string): boolean {
    return this.studyIdByName.has(name);
  }

  trial(trialId: number): FrozenTrial {
    const t = Number.isInteger(trialId) ? this.trials[trialId] : undefined;
    if (!t || !this.studies[t.studyId]) throw new TrialNotFoundError(`no trial with id ${trialId}`);
    return t;
  }

  /**
   * Throws the error the writer of `op` must see if it is invalid against the current state.
   * Returns normally for valid operations (including a finish that would lose a race: `apply` then
   * reports `applied: false`).
   */
  check(op: Operation): void {
    switch (op.op) {
      case OpCode.CreateStudy:
        if (this.studyIdByName.has(op.studyName)) {
          throw new DuplicateStudyError(`a study named ${JSON.stringify(op.studyName)} already exists`);
        }
        return;
      case OpCode.DeleteStudy:
      case OpCode.SetStudyUserAttr:
      case OpCode.SetStudySystemAttr:
        this.study(op.studyId);
        return;
      case OpCode.CreateTrial: {
        this.study(op.studyId);
        for (const [name, p] of Object.entries(op.template.params ?? {})) {
          const clash = this.paramClash(op.studyId, name, p.distribution);
          if (clash) throw new DistributionClashError(clash);
        }
        return;
      }
      case OpCode.SetTrialParam:
      case OpCode.SetTrialIntermediateValue: {
        const t = this.trial(op.trialId);
        if (op.op === OpCode.SetTrialParam) {
          const clash = this.paramClash(t.studyId, op.name, op.distribution);
          if (clash) throw new DistributionClashError(clash);
        }
        if (isFinished(t.state)) {
          throw new TrialFinishedError(
            `trial ${t.number} is already ${t.state}; cannot ${op.op === OpCode.SetTrialParam ? `set parameter "${op.name}"` : `report step ${op.step}`}`,
          );
        }
        return;
      }
      case OpCode.SetTrialStateValues: {
        const t = this.trial(op.trialId);
        checkTransition(t, op.state);
        return;
      }
      case OpCode.SetTrialUserAttr:
      case OpCode.SetTrialSystemAttr:
        this.trial(op.trialId);
        return;
    }
  }

  apply(op: Operation): ApplyResult {
    this.appliedCount++;
    switch (op.op) {
      case OpCode.CreateStudy: {
        if (this.studyIdByName.has(op.studyName)) return { kind: 'none' };
        const studyId = this.studies.length;
        this.studies.push(new StudyState(studyId, op.studyName, op.directions));
        this.studyIdByName.set(op.studyName, studyId);
        return { kind: 'study', studyId };
      }
      case OpCode.DeleteStudy: {
        const s = this.studies[op.studyId];
        if (!s) return { kind: 'none' };
        this.studies[op.studyId] = undefined;
        this.studyIdByName.delete(s.studyName);
        return { kind: 'none' };
      }
      case OpCode.SetStudyUserAttr:
      case OpCode.SetStudySystemAttr: {
        const s = this.studies[op.studyId];
        if (!s) return { kind: 'none' };
        if (op.op === OpCode.SetStudyUserAttr) s.userAttrs = { ...s.userAttrs, ...op.attrs };
        else s.systemAttrs = { ...s.systemAttrs, ...op.attrs };
        return { kind: 'none' };
      }
      case OpCode.CreateTrial:
        return this.applyCreateTrial(op.studyId, op.template, op.workerId);
      case OpCode.SetTrialParam: {
        const t = this.trials[op.trialId];
        if (!t || isFinished(t.state)) return { kind: 'none' };
        // As Optuna's replay: a parameter of another kind than earlier trials' is ignored.
        if (this.paramClash(t.studyId, op.name, op.distribution)) return { kind: 'none' };
        const distribution = this.sharedDistribution(t.studyId, op.name, op.distribution);
        const next = this.editable(t, 'params');
        setName(next.params as Record<string, ParamValue>, op.name, toExternal(distribution, op.internal));
        setName(next.internalParams as Record<string, number>, op.name, op.internal);
        setName(next.distributions as Record<string, Distribution>, op.name, distribution);
        return { kind: 'none' };
      }
      case OpCode.SetTrialStateValues:
        return { kind: 'state', applied: this.applySetState(op.trialId, op.state, op.values, op.datetime, op.workerId) };
      case OpCode.SetTrialIntermediateValue: {
        const t = this.trials[op.trialId];
        if (!t || isFinished(t.state)) return { kind: 'none' };
        (this.editable(t, 'intermediateValues').intermediateValues as Map<number, number>).set(op.step, op.value);
        return { kind: 'none' };
      }
      case OpCode.SetTrialUserAttr:
      case OpCode.SetTrialSystemAttr: {
        const t = this.trials[op.trialId];
        // As Optuna's replay: a finished trial's attributes no longer change.
        if (!t || isFinished(t.state)) return { kind: 'none' };
        const part = op.op === OpCode.SetTrialUserAttr ? 'userAttrs' : 'systemAttrs';
        const attrs = this.editable(t, part)[part] as Record<string, JsonValue>;
        for (const key of Object.keys(op.attrs)) setName(attrs, key, op.attrs[key]);
        return { kind: 'none' };
      }
    }
  }

  /**
   * Why `distribution` cannot be used for `name` in this study (Optuna's
   * check_distribution_compatibility: same kind; categorical and ordinal values unchanged), or null.
   */
  paramClash(studyId: number, name: string, distribution: Distribution): string | null {
    const first = this.studies[studyId]?.paramKinds.get(name);
    return first ? describeKindClash(name, first, distribution) : null;
  }

  /**
   * The study's first distribution object for `name` when `distribution` equals it (it becomes the
   * first when there is none), so the trials of a study share one object per parameter: a study of many
   * trials then holds one copy of each distribution, not one per trial (the journal decodes a new
   * object for every parameter line).
   */
  private sharedDistribution(studyId: number, name: string, distribution: Distribution): Distribution {
    const kinds = this.studies[studyId]?.paramKinds;
    if (!kinds) return distribution;
    const first = kinds.get(name);
    if (first === undefined) {
      kinds.set(name, distribution);
      return distribution;
    }
    return first === distribution || distributionsEqual(first, distribution) ? first : distribution;
  }

  private applyCreateTrial(studyId: number, template: TrialTemplate, workerId: string): ApplyResult {
    const trialId = this.trials.length;
    const s = this.studies[studyId];
    // A trial of a deleted or unknown study (a process still running on a study another deleted) gets no
    // id, as in Optuna's replay (`_apply_create_trial` returns before `trial_id = len(self._trials)`), so
    // that both tools address the same trial by the same id from there on.
    if (!s) return { kind: 'none' };
    const state = template.state ?? 'RUNNING';
    // Trials share frozen empty objects until they change: the model replaces, never mutates, a trial's
    // parts, and a study of many trials holds no empty copy per trial.
    let params: Record<string, ParamValue> = EMPTY_RECORD as Record<string, ParamValue>;
    let internalParams: Record<string, number> = EMPTY_RECORD as Record<string, number>;
    let distributions: Record<string, Distribution> = EMPTY_RECORD as Record<string, Distribution>;
    if (template.params && Object.keys(template.params).length > 0) {
      params = {};
      internalParams = {};
      distributions = {};
      for (const name of Object.keys(template.params)) {
        const p = template.params[name];
        const distribution = this.sharedDistribution(studyId, name, p.distribution);
        setName(params, name, toExternal(distribution, p.internal));
        setName(internalParams, name, p.internal);
        setName(distributions, name, distribution);
      }
    }
    let intermediateValues = EMPTY_MAP;
    if (template.intermediateValues) {
      intermediateValues =
        template.intermediateValues instanceof Map
          ? new Map(template.intermediateValues)
          : new Map(Object.entries(template.intermediateValues).map(([k, v]) => [Number(k), v as number]));
    }
    const trial: FrozenTrial = {
      trialId,
      number: s.trials.length,
      studyId,
      state,
      params,
      internalParams,
      distributions,
      values: template.values ?? null,
      intermediateValues,
      userAttrs:
        template.userAttrs && Object.keys(template.userAttrs).length > 0 ? template.userAttrs : (EMPTY_RECORD as Record<string, JsonValue>),
      systemAttrs:
        template.systemAttrs && Object.keys(template.systemAttrs).length > 0
          ? template.systemAttrs
          : (EMPTY_RECORD as Record<string, JsonValue>),
      datetimeStart: state === 'WAITING' ? null : (template.datetimeStart ?? null),
      datetimeComplete: isFinished(state) ? (template.datetimeComplete ?? null) : null,
      workerId: state === 'RUNNING' ? workerId : null,
    };
    this.trials.push(trial);
    s.trials.push(trial);
    s.stateCounts[state]++;
    if (state === 'WAITING') s.waiting.push(trialId);
    if (state === 'RUNNING') s.running.add(trialId);
    const claim = trial.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string') s.claimKeys.add(claim);
    if (trial.datetimeStart !== null && (s.datetimeStart === null || trial.datetimeStart < s.datetimeStart)) {
      s.datetimeStart = trial.datetimeStart;
    }
    return { kind: 'trial', trialId, number: trial.number };
  }

  private applySetState(trialId: number, state: TrialState, values: readonly number[] | null, datetime: number, workerId: string): boolean {
    const t = this.trials[trialId];
    if (!t) return false;
    const s = this.studies[t.studyId];
    if (!s) return false;
    // The first finish in the log wins; a claim only succeeds on a WAITING trial (Optuna's rule).
    if (isFinished(t.state)) return false;
    if (state === 'RUNNING' && t.state !== 'WAITING') return false;
    if (state === 'WAITING') return false;
    const patch: { -readonly [K in keyof FrozenTrial]?: FrozenTrial[K] } = { state };
    if (state === 'RUNNING') {
      patch.datetimeStart = datetime;
      patch.workerId = workerId;
      if (s.datetimeStart === null || datetime < s.datetimeStart) s.datetimeStart = datetime;
    } else {
      patch.datetimeComplete = datetime;
      if (t.datetimeStart === null) patch.datetimeStart = datetime;
      patch.values = state === 'FAIL' ? null : values;
    }
    s.stateCounts[t.state]--;
    s.stateCounts[state]++;
    if (t.state === 'RUNNING') s.running.delete(trialId);
    if (state === 'RUNNING') s.running.add(trialId);
    this.replace(t, patch);
    return true;
  }

  /**
   * Applies operations in order and seals the result ({@link seal}); what a storage calls for a batch of
   * operations, so a trial's many parameter lines cost one copy of it, not one each.
   */
  applyAll(ops: readonly Operation[]): ApplyResult[] {
    try {
      return ops.map((op) => this.apply(op));
    } finally {
      this.seal();
    }
  }

  /**
   * Ends a burst of `apply` calls: the trial snapshots made during it become immutable. Within a burst,
   * no caller has seen a snapshot made in it, so `editable` may change it in place; a parameter or report
   * applied after `seal` copies the trial again (a snapshot a caller holds never changes under it).
   * Storages call this after every synchronous run of `apply` (or use {@link applyAll}).
   */
  seal(): void {
    this.unsealed.clear();
  }

  /**
   * The trial's snapshot for this burst, with its own copy of `part` (params covers params, internal
   * params and distributions), to change in place: the first change of a burst copies, the next ones
   * do not, so applying k lines to one trial costs O(k), not O(k²).
   */
  private editable(t: FrozenTrial, part: TrialPart): Mutable<FrozenTrial> {
    let owned = this.unsealed.get(t);
    let next = t as Mutable<FrozenTrial>;
    if (!owned) {
      next = { ...t };
      owned = new Set();
      this.unsealed.set(next, owned);
      this.trials[t.trialId] = next;
      const s = this.studies[t.studyId];
      if (s) s.trials[t.number] = next;
    }
    if (!owned.has(part)) {
      owned.add(part);
      if (part === 'params') {
        next.params = { ...next.params };
        next.internalParams = { ...next.internalParams };
        next.distributions = { ...next.distributions };
      } else if (part === 'intermediateValues') next.intermediateValues = new Map(next.intermediateValues);
      else next[part] = { ...next[part] };
    }
    return next;
  }

  /** Replaces a trial's snapshot with a changed copy, in both the global and the per-study index. */
  private replace(t: FrozenTrial, patch: Partial<FrozenTrial>): void {
    const next: FrozenTrial = { ...t, ...patch };
    this.trials[t.trialId] = next;
    const s = this.studies[t.studyId];
    if (s) s.trials[t.number] = next;
  }
}

/** Throws for state changes the lifecycle forbids; a finish racing another finish is not an error here. */
export function checkTransition(t: FrozenTrial, to: TrialState): void {
  const allowed =
    (t.state === 'WAITING' && to !== 'WAITING') || (t.state === 'RUNNING' && to !== 'WAITING') || (isFinished(t.state) && isFinished(to));
  if (!allowed) {
    throw new InvalidStateTransitionError(
      `trial ${t.number} cannot move from ${t.state} to ${to}; allowed: WAITING -> RUNNING|COMPLETE|PRUNED|FAIL, RUNNING -> COMPLETE|PRUNED|FAIL`,
    );
  }
}
