/**
 * Heartbeats: the policy (settings, and adopting the study's when a worker joins), the timer that beats
 * the running trials of one Study object, and the stale rule — a RUNNING trial silent for longer than
 * the grace period is failed, and re-enqueued with the same parameters up to `maxRetry` times — that any
 * participant applies.
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import { checkOptions } from './options.js';
import type { HeartbeatOptions } from './study-types.js';
import type { Storage, TrialFinish, TrialUpdate } from './storage.js';
import type { Trial } from './trial.js';
import { SystemAttr, fixedParamsOf, type FrozenTrial, type JsonValue } from './trial-record.js';

const HEARTBEAT_OPTIONS = ['intervalMs', 'graceMs', 'maxRetry'] as const satisfies readonly (keyof HeartbeatOptions)[];

/** Marks a trial created by a Study with heartbeats: its start is its first beat (no write needed). */
export const beatsFromStart = (): Record<string, JsonValue> => ({ [SystemAttr.beatsFromStart]: true });

/** The heartbeat settings given to createStudy or loadStudy, checked, with their defaults; null when disabled. */
export function resolveHeartbeat(given: HeartbeatOptions | false | undefined): Required<HeartbeatOptions> | null {
  if (given === false) return null;
  const h = given === undefined ? undefined : checkOptions('heartbeat', given, HEARTBEAT_OPTIONS);
  const intervalMs = h?.intervalMs ?? 5000;
  const graceMs = h?.graceMs ?? 60000;
  const maxRetry = h?.maxRetry ?? 0;
  for (const [name, v, min] of [
    ['intervalMs', intervalMs, 1],
    ['graceMs', graceMs, 1],
    ['maxRetry', maxRetry, 0],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (name === 'maxRetry' && !Number.isInteger(v))) {
      throw new InvalidArgumentError(
        `heartbeat.${name} must be ${name === 'maxRetry' ? 'an integer' : 'a number'} >= ${min}, got ${describeValue(v)}`,
      );
    }
  }
  if (graceMs <= intervalMs) {
    throw new InvalidArgumentError(
      `heartbeat.graceMs (${graceMs}) must be greater than heartbeat.intervalMs (${intervalMs}), or live trials are failed as stale`,
    );
  }
  return { intervalMs, graceMs, maxRetry };
}

/**
 * The heartbeat settings of a joining worker: the study's stored ones, so that no participant fails
 * another's live trial with a shorter grace period. Explicit options must agree with them (maxRetry,
 * which only affects the sweeping worker, may differ).
 */
export function adoptHeartbeat(
  studyName: string,
  stored: JsonValue | undefined,
  explicit: HeartbeatOptions | false | undefined,
  own: Required<HeartbeatOptions> | null,
): Required<HeartbeatOptions> | null {
  if (stored === undefined || stored === null) return own; // a study made elsewhere (e.g. by Optuna)
  const study: Required<HeartbeatOptions> | null = stored === false ? null : resolveHeartbeat(stored as HeartbeatOptions);
  if (explicit === undefined) return study;
  const mismatch =
    (study === null) !== (own === null) ||
    (study !== null && own !== null && (study.intervalMs !== own.intervalMs || study.graceMs !== own.graceMs));
  if (mismatch) {
    const show = (h: Required<HeartbeatOptions> | null) => (h ? `intervalMs=${h.intervalMs}, graceMs=${h.graceMs}` : 'disabled');
    throw new InvalidArgumentError(
      `heartbeat settings (${show(own)}) differ from study ${JSON.stringify(studyName)}'s (${show(study)}); ` +
        `every worker of a study must use the same ones: omit the heartbeat option to adopt the study's`,
    );
  }
  return own && study ? { ...study, maxRetry: own.maxRetry } : study;
}

/**
 * Fails a RUNNING trial whose worker died, with `reason`, and re-enqueues it (same parameters, its retry
 * history one longer) while it has been retried fewer than `maxRetry` times — Optuna's
 * RetryFailedTrialCallback. The failure and its retry are one write: a participant that dies between two
 * writes would leave the trial failed and no retry, and nobody would ever create it. Returns false when the
 * trial had finished meanwhile (or another participant failed it first).
 */
export async function failWithRetry(
  storage: Storage,
  studyId: number,
  trial: FrozenTrial,
  reason: string,
  maxRetry: number,
): Promise<boolean> {
  const updates: TrialUpdate[] = [{ kind: 'systemAttr', key: SystemAttr.failReason, value: reason }];
  const fail: TrialFinish = { state: 'FAIL', values: null };
  const history = Array.isArray(trial.systemAttrs[SystemAttr.retryHistory]) ? (trial.systemAttrs[SystemAttr.retryHistory] as number[]) : [];
  if (history.length >= maxRetry) return storage.updateTrial(trial.trialId, updates, fail);
  const original = typeof trial.systemAttrs[SystemAttr.failedTrial] === 'number' ? trial.systemAttrs[SystemAttr.failedTrial] : trial.number;
  return storage.finishAndCreate(trial.trialId, updates, fail, studyId, {
    template: {
      state: 'WAITING',
      userAttrs: { ...trial.userAttrs },
      systemAttrs: {
        [SystemAttr.fixedParams]: {
          ...(fixedParamsOf(trial) as Record<string, JsonValue>),
          ...(trial.params as Record<string, JsonValue>),
        },
        [SystemAttr.failedTrial]: original,
        [SystemAttr.retryHistory]: [...history, trial.number],
      },
    },
  });
}

/** The heartbeat of one Study object's running trials, and the stale-trial rule it applies to the study. */
export class HeartbeatMonitor {
  private lastSweep = 0;
  /** One interval timer beats every active trial of this Study object (a timer per trial costs more than its trial on a fast objective). */
  private beatTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly studyId: number,
    private readonly heartbeat: Required<HeartbeatOptions> | null,
    /** The Study object's running trials (it adds and removes them). */
    private readonly activeTrials: ReadonlyMap<number, { trial: Trial }>,
  ) {}

  async failStale(): Promise<number[]> {
    if (!this.heartbeat) return [];
    const failed: number[] = [];
    for (const trialId of await this.storage.getStaleTrialIds(this.studyId, this.heartbeat.graceMs)) {
      if (this.activeTrials.has(trialId)) continue; // ours and alive: its timer was merely late
      const trial = await this.storage.getTrial(trialId);
      const reason = `stale: no heartbeat for more than ${this.heartbeat.graceMs} ms`;
      const applied = await failWithRetry(this.storage, this.studyId, trial, reason, this.heartbeat.maxRetry);
      if (applied) failed.push(trial.number); // else finished meanwhile, or failed by another participant first
    }
    return failed;
  }

  /**
   * `failStaleTrials`, at most every quarter grace period (and at least every second): a dead worker is
   * still found well within its grace period, without a directory scan per trial.
   */
  async sweep(): Promise<void> {
    if (!this.heartbeat) return;
    const now = Date.now();
    if (now - this.lastSweep < Math.min(1000, this.heartbeat.graceMs / 4)) return;
    this.lastSweep = now;
    await this.failStale();
  }

  start(): void {
    if (!this.heartbeat || this.beatTimer) return;
    this.beatTimer = setInterval(() => this.beatActiveTrials(), this.heartbeat.intervalMs);
    this.beatTimer.unref();
  }

  private beatActiveTrials(): void {
    if (this.activeTrials.size === 0) {
      if (this.beatTimer) clearInterval(this.beatTimer);
      this.beatTimer = null;
      return;
    }
    for (const trialId of this.activeTrials.keys()) {
      this.storage.recordHeartbeat(trialId).then(
        (running) => {
          // Finished elsewhere (told through another Study object, swept as stale): stop beating.
          if (!running) this.activeTrials.get(trialId)?.trial.release();
        },
        () => {
          // A missed beat is survivable; the next one retries. A dead storage surfaces at tell.
        },
      );
    }
  }
}
