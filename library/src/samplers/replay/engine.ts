/**
 * The replay engine: what every sampler that follows a deterministic search through the study's trials
 * shares — Nelder-Mead (`samplers/nelder-mead/`), the path searches (`samplers/path-search/`), and the
 * generation-based samplers to come.
 *
 * State rule (ARCHITECTURE.md, "Sampler state lives in the storage"). Such a search is a pure function of
 * the sampler's options, the seed and the values of the points it asked for, so nothing of it is stored:
 * every worker, and every restarted process, replays it from the study's trials. The engine owns the
 * mechanisms of that replay, once for all of them:
 *
 * - **Options stored with the study.** What defines the path (options, seed, space) is written once to a
 *   study system attribute; a worker whose options differ is refused with an error, instead of silently
 *   following another path. Option names renamed since a study was stored are read as their new names.
 * - **The search space**: given in the options, or found by the sampler's own rule (a start trial, the
 *   first COMPLETE trial) before the replay starts; until it is known the sampler plans those trials.
 * - **Incremental reading.** The replay is kept in memory and advanced from the trials created or changed
 *   since the last read (from the oldest unfinished one on), so a worker's cost per trial does not grow
 *   with the study. Reading a trial twice, or an older snapshot late, never undoes a newer one.
 * - **Claim keys** (`<prefix><point id>`, `:<attempt>` for a re-run): a point's trial is claimed with a key
 *   naming the point, so concurrent workers and processes never evaluate it twice, and a trial made for an
 *   abandoned branch is never mistaken for a point of the new one.
 * - **Heartbeat retries**: a trial carrying `failed_trial` (the study's retry of a trial whose worker died)
 *   evaluates the same point as the trial it retries; a sampler may also re-claim a point whose trial was
 *   failed by the heartbeat rule, up to {@link ReplaySampler.staleRetries} times.
 * - **Point values**: a point's value is its lowest-numbered COMPLETE trial's loss (lower is better: values
 *   of a maximised study are negated), final once no lower-numbered trial of it is unfinished; a point
 *   whose trials all failed or were pruned is the worst value (+∞).
 * - **Replay from scratch.** Should a value the search already received change (a stale failure used as
 *   +∞, then its retry completes), the replay is dropped and rebuilt from the storage, so every worker
 *   converges on the same path.
 *
 * A sampler plugs in a {@link ReplayedSearch}: it gives requests (the points whose values it needs next,
 * in {@link RequestSlot}s) and receives their values. A slot names its point by an id of the sampler's
 * choosing — the point's coordinates, or a sequence number and grid cell — and two slots with one id
 * share one evaluation (grid-cell aliasing).
 */
import { InvalidArgumentError, TansakuError, describeValue } from '../../core/errors.js';
import type { Distribution, SearchSpace } from '../../core/distributions.js';
import { warnRenamedOption } from '../../core/options.js';
import type { Sampler, StudyView, TrialPlan } from '../../core/sampler.js';
import { SystemAttr, isFinished, type FrozenTrial, type JsonValue, type TrialState } from '../../core/trial-record.js';
import { PerStudy } from '../per-study.js';

/** One point of a request: evaluated by a trial, or known without one. */
export type RequestSlot =
  | {
      /** Names the point; slots (of any request) with the same id share one evaluation. */
      readonly id: string;
      /** The objective-facing values the point's trial runs (made only when a trial is claimed). */
      readonly params: () => Record<string, JsonValue>;
      /** The id is an earlier point's (the same grid cell): the slot reuses that point's trials. */
      readonly alias?: boolean;
    }
  /** A point whose value needs no trial (outside the box under the extreme barrier: +∞). */
  | { readonly value: number };

/** What a search needs next. */
export interface ReplayRequest {
  /** Points whose values the search receives next (in this order); they may be evaluated in parallel. */
  readonly evaluate: readonly RequestSlot[];
  /** Points it will probably need after these, evaluated ahead by idle workers; they never change the path. */
  readonly speculative?: readonly RequestSlot[];
}

/** Answer of {@link ReplayedSearch.answer}: not yet (something else the search needs is unfinished). */
export const WAIT: unique symbol = Symbol('wait');

/** A search as the engine drives it, made per study and replay by {@link ReplaySampler.startSearch}. */
export interface ReplayedSearch {
  /** The first request, or null when the search stops at once. */
  first(): ReplayRequest | null;
  /**
   * The next request, given the values of the current request's `evaluate` slots; null when the search
   * has stopped; {@link WAIT} when it cannot take them yet (it is asked again with the same values).
   */
  answer(values: readonly number[]): ReplayRequest | null | typeof WAIT;
  /** The point a trial with no claim key of this sampler evaluates (an enqueued trial), or null. */
  pointOf?(trial: FrozenTrial): string | null;
  /** Sees a trial that evaluates no point of the search (e.g. a spare worker's), each time it changes. */
  observe?(trial: FrozenTrial, loss: number): void;
}

/** What a search sees of its replay. */
export interface Replay {
  readonly space: Readonly<SearchSpace>;
  /** The sampler's seed (its option, else the study's). */
  readonly seed: number;
  /** The values the search has received, by point id. */
  readonly consumed: ReadonlyMap<string, number>;
  /** The lowest trial number of a point, or Infinity when it has none. */
  firstTrialOf(id: string): number;
}

/** The status of one point, from its trials. */
export type PointStatus =
  | { readonly kind: 'resolved'; readonly value: number }
  | { readonly kind: 'pending' }
  | { readonly kind: 'unclaimed'; readonly attempt: number };

const UNCLAIMED: PointStatus = Object.freeze({ kind: 'unclaimed', attempt: 0 });
const PENDING: PointStatus = Object.freeze({ kind: 'pending' });

/** The trials of one point, folded as they are read (a handful of numbers, not the trials). */
class PointTrials {
  firstNumber = Infinity;
  completeNumber = Infinity;
  completeLoss = Infinity;
  unfinished: number[] = [];
  staleFailures = 0;
  lastFinished = -1;
  lastStale = false;
  /** Trials claimed with an attempt number (re-claims count from here). */
  attempts = 0;

  status(staleRetries: number): PointStatus {
    if (this.completeNumber !== Infinity) {
      // Final unless a lower-numbered trial of the point may still complete.
      return this.unfinished.some((n) => n < this.completeNumber) ? PENDING : { kind: 'resolved', value: this.completeLoss };
    }
    if (this.unfinished.length > 0) return PENDING;
    if (this.lastStale && this.staleFailures <= staleRetries) return { kind: 'unclaimed', attempt: this.attempts };
    return { kind: 'resolved', value: Infinity };
  }
}

/** One study's replay, in one process. */
interface Run<S extends ReplayedSearch> {
  replay: Replay;
  search: S;
  request: ReplayRequest | null;
  points: Map<string, PointTrials>;
  /** Trials placed at a point: their last seen state and the point. */
  seen: Map<number, { state: TrialState; id: string }>;
  consumed: Map<string, number>;
  readUpTo: number;
  unfinished: Set<number>;
  /** A value the search received has changed: rebuild the replay. */
  dirty: boolean;
}

type Made<S extends ReplayedSearch> = { run: Run<S> } | { plan: TrialPlan };

/** How many points a search may receive in a row, all known, before it counts as exhausted (or broken). */
export interface FreeAnswerLimit {
  readonly points: number;
  /** `exhausted`: the search is over (a small discrete space fully evaluated); `error`: the search is broken. */
  readonly outcome: 'exhausted' | 'error';
}

/**
 * Base class of the replayed samplers; see the module comment. A subclass gives the search
 * ({@link startSearch}), how the space is found ({@link findSpace}), the options that define the path
 * ({@link storedConfig}), and may change the claim-key format and the retry policy.
 */
export abstract class ReplaySampler<S extends ReplayedSearch> implements Sampler {
  abstract readonly name: string;
  private readonly runs = new PerStudy<Promise<Made<S>>>();

  /** Prefix of this sampler's claim keys, e.g. `nm:`. */
  protected abstract readonly claimPrefix: string;
  /** The study system attribute holding the options that define the path. */
  protected abstract readonly configAttr: string;

  /** The seed the sampler uses in a study: its option, else the study's. */
  protected abstract seedOf(study: StudyView): number;

  /** The space, or the plan of a trial that finds it (or waits for one); checked by {@link validateSpace}. */
  protected abstract findSpace(study: StudyView): Promise<{ space: SearchSpace } | { plan: TrialPlan }>;

  /** Throws `InvalidArgumentError` when the sampler cannot search a space (called once it is known). */
  protected validateSpace(_space: SearchSpace): void {}

  /**
   * The options that define the path, as stored with the study; `space` is null before it is known, when
   * the sampler may return undefined to be asked again once it is.
   */
  protected abstract storedConfig(seed: number, space: SearchSpace | null): JsonValue | undefined;

  /** Old option names and their new ones, so that options stored by an older release still match. */
  protected renamedOptions(): Readonly<Record<string, string>> {
    return {};
  }

  /** Starts the search of a study whose space is known. */
  protected abstract startSearch(replay: Replay, study: StudyView): S;

  /** How many times a point is re-claimed after its trial was failed by the heartbeat rule (default 0). */
  protected staleRetries(): number {
    return 0;
  }

  /** See {@link FreeAnswerLimit}. */
  protected freeAnswerLimit(): FreeAnswerLimit {
    return { points: 5_000_000, outcome: 'error' };
  }

  /** Whether a worker with no point to claim samples a trial anyway (`defer` with `fallback`). */
  protected spareWorkers(): boolean {
    return false;
  }

  /** The claim key of a point's trial. */
  protected claimKey(id: string, attempt: number): string {
    return attempt === 0 ? `${this.claimPrefix}${id}` : `${this.claimPrefix}${id}:${attempt}`;
  }

  /**
   * The point and attempt a claim key (after the prefix) names, or null; the inverse of {@link claimKey}
   * (this default: for ids that do not end in `:<digits>`).
   */
  protected parseClaim(rest: string): { id: string; attempt: number } | null {
    const retry = /^(.*):(\d+)$/.exec(rest);
    return retry ? { id: retry[1], attempt: Number(retry[2]) } : { id: rest, attempt: 0 };
  }

  /** Whether a trial was made for a point of this search (claimed, or a heartbeat retry of one). */
  protected isPointTrial(trial: FrozenTrial): boolean {
    const key = trial.systemAttrs[SystemAttr.claimKey];
    return (typeof key === 'string' && key.startsWith(this.claimPrefix)) || typeof trial.systemAttrs[SystemAttr.failedTrial] === 'number';
  }

  // -------------------------------------------------------------------------------- Sampler

  async planTrial(study: StudyView): Promise<TrialPlan> {
    if (study.directions.length !== 1) {
      throw new InvalidArgumentError(
        `${this.name} optimises one objective, but study ${JSON.stringify(study.studyName)} has ${study.directions.length} directions; use a multi-objective sampler`,
      );
    }
    const synced = await this.sync(study);
    if ('plan' in synced) return synced.plan;
    const run = synced.run;
    const request = this.advance(run, study);
    if (request === null) return { kind: 'exhausted' };
    const retries = this.staleRetries();
    for (const list of [request.evaluate, request.speculative ?? []]) {
      for (const slot of list) {
        if (!('id' in slot) || slot.alias) continue;
        const status = run.points.get(slot.id)?.status(retries) ?? UNCLAIMED;
        if (status.kind === 'unclaimed') {
          return { kind: 'fixed', params: slot.params(), claimKey: this.claimKey(slot.id, status.attempt) };
        }
      }
    }
    // Every point the search needs is out: wait for one to finish (or sample a spare trial meanwhile).
    return this.spareWorkers() ? { kind: 'defer', fallback: true } : { kind: 'defer' };
  }

  abstract sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number;

  /** The search of a study, brought up to date with the storage and advanced; null before the space is known. */
  protected async currentSearch(study: StudyView): Promise<S | null> {
    const synced = await this.sync(study);
    if ('plan' in synced) return null;
    this.advance(synced.run, study);
    return synced.run.search;
  }

  // -------------------------------------------------------------------------------- internals

  /** Brings this process's replay of the study up to date with the storage. */
  private async sync(study: StudyView): Promise<Made<S>> {
    let pending = this.runs.get(study);
    if (!pending) {
      const created = this.runs.set(study, this.createRun(study));
      // Until the space is known there is no replay: plan again next time.
      created.then(
        (made) => 'plan' in made && this.runs.delete(study, created),
        () => this.runs.delete(study, created),
      );
      pending = created;
    }
    const made = await pending;
    if ('plan' in made) return made;
    const run = made.run;
    if (!run.dirty) await this.read(study, run);
    if (run.dirty) {
      // Rare: a value the search used changed. Rebuild from the storage with the final values.
      this.runs.delete(study, pending);
      return this.sync(study);
    }
    return made;
  }

  private async createRun(study: StudyView): Promise<Made<S>> {
    const seed = this.seedOf(study);
    const early = this.storedConfig(seed, null);
    if (early !== undefined) await this.checkConfig(study, early);
    const found = await this.findSpace(study);
    if ('plan' in found) return found;
    this.validateSpace(found.space);
    if (early === undefined) await this.checkConfig(study, this.storedConfig(seed, found.space)!);
    const points = new Map<string, PointTrials>();
    const consumed = new Map<string, number>();
    const replay: Replay = {
      space: found.space,
      seed,
      consumed,
      firstTrialOf: (id) => points.get(id)?.firstNumber ?? Infinity,
    };
    const search = this.startSearch(replay, study);
    const run: Run<S> = {
      replay,
      search,
      request: null,
      points,
      seen: new Map(),
      consumed,
      readUpTo: 0,
      unfinished: new Set(),
      dirty: false,
    };
    run.request = search.first();
    return { run };
  }

  /** Stores the options with the study, or checks them against the stored ones. */
  private async checkConfig(study: StudyView, mine: JsonValue): Promise<void> {
    const raw = (await study.getSystemAttrs())[this.configAttr];
    if (raw === undefined) {
      await study.setSystemAttr(this.configAttr, mine);
      return;
    }
    const stored = this.renameStoredOptions(study, parseIfString(raw));
    if (canonicalJson(stored) !== canonicalJson(parseIfString(mine))) {
      throw new InvalidArgumentError(
        `${this.name}: study ${JSON.stringify(study.studyName)} was started by a ${this.name} with other options, ` +
          `${describeConfig(raw)}; this worker's options are ${describeConfig(mine)}. Every worker of a study must use the same ` +
          'options and seed to continue the same search (or start a new study)',
      );
    }
  }

  /** The stored options with old option names (an older release's) read as their new ones, with a warning. */
  private renameStoredOptions(study: StudyView, stored: JsonValue): JsonValue {
    if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored;
    const renamed = this.renamedOptions();
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(stored)) {
      const to = Object.hasOwn(renamed, key) ? renamed[key] : undefined;
      if (to !== undefined) warnRenamedOption(this.name, key, to, ` (stored with study ${JSON.stringify(study.studyName)})`);
      out[to ?? key] = value;
    }
    return out;
  }

  /** Reads the trials created or changed since the last read (from the oldest unfinished one on). */
  private async read(study: StudyView, run: Run<S>): Promise<void> {
    let from = run.readUpTo;
    for (const n of run.unfinished) if (n < from) from = n;
    const trials = await study.getTrials({ fromNumber: from });
    const sign = study.directions[0] === 'maximize' ? -1 : 1;
    for (const t of trials) this.absorb(run, t, sign);
    // Concurrent reads may cover overlapping ranges; absorbing a trial twice changes nothing.
    if (trials.length) run.readUpTo = Math.max(run.readUpTo, trials[trials.length - 1].number + 1);
  }

  /** Records one trial snapshot. Monotone: an older snapshot read late never undoes a newer one. */
  private absorb(run: Run<S>, t: FrozenTrial, sign: number): void {
    const prev = run.seen.get(t.number);
    if (prev && (isFinished(prev.state) || prev.state === t.state)) return;
    const finished = isFinished(t.state);
    if (finished) run.unfinished.delete(t.number);
    else run.unfinished.add(t.number);
    const loss = t.state === 'COMPLETE' && t.values && t.values.length === 1 ? sign * t.values[0] : Infinity;
    let id = prev?.id;
    let attempt: number | null = null;
    if (id === undefined) {
      const placed = this.place(run, t);
      if (placed === null) {
        run.search.observe?.(t, loss);
        return;
      }
      ({ id, attempt } = placed);
    }
    run.seen.set(t.number, { state: t.state, id });
    let point = run.points.get(id);
    if (!point) {
      point = new PointTrials();
      run.points.set(id, point);
    }
    if (!prev) {
      point.firstNumber = Math.min(point.firstNumber, t.number);
      if (attempt !== null) point.attempts++;
    }
    if (!finished) {
      if (!point.unfinished.includes(t.number)) point.unfinished.push(t.number);
      return;
    }
    point.unfinished = point.unfinished.filter((n) => n !== t.number);
    if (t.state === 'COMPLETE' && t.values && t.values.length === 1) {
      if (t.number < point.completeNumber) {
        point.completeNumber = t.number;
        point.completeLoss = loss;
      }
    }
    const stale = t.state === 'FAIL' && String(t.systemAttrs[SystemAttr.failReason] ?? '').startsWith('stale');
    if (stale) point.staleFailures++;
    if (t.number > point.lastFinished) {
      point.lastFinished = t.number;
      point.lastStale = stale;
    }
    const used = run.consumed.get(id);
    if (used !== undefined) {
      const now = point.status(this.staleRetries());
      if (now.kind === 'unclaimed' || (now.kind === 'resolved' && !Object.is(now.value, used))) run.dirty = true;
    }
  }

  /** The point a trial evaluates: by its claim key, as a retry of a placed trial, or by the search's rule. */
  private place(run: Run<S>, t: FrozenTrial): { id: string; attempt: number | null } | null {
    const claim = t.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string' && claim.startsWith(this.claimPrefix)) {
      return this.parseClaim(claim.slice(this.claimPrefix.length));
    }
    const original = t.systemAttrs[SystemAttr.failedTrial];
    if (typeof original === 'number') {
      // A heartbeat retry: the same point as the trial it retries (which has a lower number).
      const id = run.seen.get(original)?.id;
      if (id !== undefined) return { id, attempt: null };
    }
    const id = run.search.pointOf?.(t) ?? null;
    return id === null ? null : { id, attempt: null };
  }

  /**
   * Feeds the search every request whose values are known, until one is not (returned) or the search
   * stops (null).
   */
  private advance(run: Run<S>, study: StudyView): ReplayRequest | null {
    const retries = this.staleRetries();
    const limit = this.freeAnswerLimit();
    for (let free = 0; run.request !== null; ) {
      const request = run.request;
      const values: number[] = [];
      for (const slot of request.evaluate) {
        if (!('id' in slot)) {
          values.push(slot.value);
          continue;
        }
        const status = run.points.get(slot.id)?.status(retries) ?? UNCLAIMED;
        if (status.kind !== 'resolved') return request;
        values.push(status.value);
      }
      if (free > limit.points) {
        if (limit.outcome === 'exhausted') {
          run.request = null;
          return null;
        }
        throw new TansakuError(
          'TANSAKU_SAMPLER_ERROR',
          `${this.name} received ${limit.points} already known points in a row in study ${JSON.stringify(study.studyName)} without needing a new one; its search does not progress`,
        );
      }
      const next = run.search.answer(values);
      if (next === WAIT) return request;
      request.evaluate.forEach((slot, i) => {
        if ('id' in slot) run.consumed.set(slot.id, values[i]);
      });
      free += request.evaluate.length;
      run.request = next;
    }
    return null;
  }
}

function parseIfString(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

function describeConfig(value: JsonValue): string {
  return typeof value === 'string' ? value : describeValue(value);
}

/** JSON with object keys sorted at every level, so that two option sets compare equal whatever their key order. */
export function canonicalJson(value: JsonValue): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
