/**
 * `NelderMeadSampler`: the Nelder-Mead simplex method as a sampler, serial or parallel (see
 * `nelder-mead-path.ts` for the algorithm and its sources).
 *
 * Search space. The simplex lives in the unit hypercube: each parameter is mapped with `toUnit`/`fromUnit`
 * (log-scaled ranges in log space; ints, steps and ordinals snapped to their nearest value, so the
 * simplex moves continuously while trials run on the grid). Categorical parameters have no order, so
 * they cannot be part of a simplex: a search space with one is refused with an error that names it
 * (use an ordinal parameter when the values are ordered), unless `categorical: 'random'` is given, in which
 * case they are drawn at random for each trial (which makes the objective noisy for the simplex).
 * Parameters outside the space (conditional ones) are drawn at random.
 *
 * The space is `options.searchSpace`, or else the distributions of the study's first COMPLETE trial
 * (that first trial is sampled at random, or at `start`), stored in the study attribute
 * `tansaku:nm:search_space` so that every worker uses the same dimensions.
 *
 * State. Every point the method asks for has a sequence number k, and its trial carries the claim key
 * `nm:<k>:<hash of its grid cell>` (with `:<a>` for a re-run after a worker died), which names the point
 * itself. The path is a pure function of the values of those trials, so the sampler rebuilds it by
 * replaying the trials in the storage: a second worker, a second machine or a restarted process
 * continues the same search, and concurrent workers never run a point twice. Should a value the path
 * already used change (a failed point whose heartbeat retry completes later), the path is replayed from
 * scratch with the final values; trials made for the abandoned branch keep their own keys and are not
 * mistaken for points of the new one. A point whose trial FAILED or was PRUNED counts as the worst value (+∞); a trial failed by the
 * heartbeat rule (its worker died) is re-run, up to `staleRetries` times, since that failure says nothing
 * about the point. Points that snap to a grid cell already evaluated reuse its value instead of
 * running again. The sampler's options are stored in `tansaku:nm:config`; a worker with different
 * options is refused, because it would follow a different path.
 *
 * Parallelism. In serial mode each step's point waits for the previous value, so extra workers wait
 * (`defer`). With `parallel: true` (Watanabe, Ozaki & Onishi 2019), the reflection, expansion and
 * both contractions of an iteration run at once on up to four workers and the serial rule picks among
 * them: the path is exactly the serial one, reached in fewer rounds. Initial vertices and shrink points
 * always run in parallel.
 */
import {
  fromUnit,
  isSingleValue,
  toExternal,
  toInternal,
  toUnit,
  validateSearchSpace,
  type Distribution,
  type ParamValue,
  type SearchSpace,
} from '../../core/distributions.js';
import { checkOptions } from '../../core/options.js';
import { InvalidArgumentError, StorageError, describeValue } from '../../core/errors.js';
import { Rng, hashString } from '../../core/rng.js';
import type { RelativeSample, Sampler, StudyView, TrialPlan } from '../../core/sampler.js';
import { SystemAttr, type FrozenTrial, type JsonValue, type TrialState } from '../../core/trial-record.js';
import {
  insideUnitCube,
  nelderMeadPath,
  resolveCoefficients,
  resolvePathOptions,
  type BoundaryHandling,
  type InitialSimplexMethod,
  type NelderMeadCoefficients,
  type NelderMeadAnswer,
  type NelderMeadEvent,
  type NelderMeadJoin,
  type NelderMeadRequest,
} from './path.js';
import { PerStudy } from '../per-study.js';

export type { BoundaryHandling, InitialSimplexMethod, NelderMeadCoefficients, NelderMeadEvent } from './path.js';

/** Study system attribute holding the inferred search space (name -> distribution JSON). */
export const NELDER_MEAD_SEARCH_SPACE_ATTR = 'tansaku:nm:search_space';
/** Study system attribute holding the options that fix the path; joiners must match it. */
export const NELDER_MEAD_CONFIG_ATTR = 'tansaku:nm:config';
const KEY_PREFIX = 'nm:';

/** Options of {@link NelderMeadSampler}. */
export interface NelderMeadSamplerOptions {
  /** The parameters of the simplex; by default inferred from the study's first COMPLETE trial. */
  searchSpace?: SearchSpace;
  /** Seed of the initial simplices and of random draws; defaults to the study's seed. */
  seed?: number;
  /** Step coefficients; defaults reflection 1, expansion 2, outside contraction 0.5, inside −0.5, shrink 0.5. */
  coefficients?: Partial<NelderMeadCoefficients>;
  /** How the initial simplex is made (default `regular`, see {@link InitialSimplexMethod}). */
  initialSimplex?: InitialSimplexMethod;
  /** The regular simplex's edge (a fraction of the normalised range, default: largest that fits) and centre. */
  regularSimplex?: { edge?: number; centre?: Record<string, ParamValue> };
  /** A starting point, used as a vertex of the first simplex (objective-facing values of every parameter). */
  start?: Record<string, ParamValue>;
  /**
   * Points outside the box (default `barrier`: worst value, not evaluated — the extreme barrier of
   * direct search, which keeps the simplex's shape and spends no trial on an infeasible point; `clip`
   * projects them onto the boundary and evaluates them there, which can flatten the simplex).
   */
  boundary?: BoundaryHandling;
  /** Evaluate reflection, expansion and both contractions at once (default false: the serial method). */
  parallel?: boolean;
  /** Restart rules: collapse in the unit cube (default 1e-6) or in value spread (relative, default 1e-12). */
  restart?: { xTolerance?: number; fTolerance?: number };
  /** Categorical parameters in the space: `error` (default) or `random` (drawn at random each trial). */
  categorical?: 'error' | 'random';
  /** How many times a point is re-run after its worker died (heartbeat failure), default 2. */
  staleRetries?: number;
  /**
   * The spare-worker variant (a documented departure from the exact method): a worker with no simplex
   * point to run samples a trial with this sampler instead of waiting, and such trials that beat the
   * worst vertex join the simplex. Deterministic all the same: the trials created while one request of
   * the path was out are offered to the simplex when the next request is answered (each replaces the
   * worst vertex if better), and the path waits for them to finish. Without it, spare workers wait.
   */
  subSampler?: Sampler;
}

interface PointTrial {
  number: number;
  state: TrialState;
  value: number | null;
  attempt: number | null;
  stale: boolean;
}

type PointStatus = { kind: 'resolved'; value: number } | { kind: 'pending' } | { kind: 'unclaimed'; index: number; attempt: number };

/** The replayed search of one study, in one process. */
interface Run {
  names: string[];
  distributions: Distribution[];
  path: Generator<NelderMeadRequest, never, NelderMeadAnswer>;
  request: NelderMeadRequest;
  requestBase: number;
  nextIndex: number;
  /** Point index -> the first earlier point that snaps to the same cell (or itself). */
  aliasOf: Map<number, number>;
  cellOwner: Map<string, number>;
  /** Ids (`<index>:<cell hash>`) of the current request's evaluated points, by point index. */
  ids: Map<number, string>;
  /** Point id -> its trials (claimed attempts and heartbeat retries). */
  trials: Map<string, PointTrial[]>;
  trialPoint: Map<number, string>;
  /** Ids of points whose values the path has consumed, and the states of their trials when it did. */
  consumed: Set<string>;
  seen: Map<number, TrialState>;
  /** A consumed point's trials changed (a retry completed after a failure was used): replay from scratch. */
  dirty: boolean;
  /** Values of points no longer in the current request, kept for points that alias them. */
  settled: Map<number, number>;
  unfinished: Set<number>;
  /** Sub-sampler trials (spare-worker variant): number -> state, unit point (null if not joinable) and value. */
  spare: Map<number, { state: TrialState; x: number[] | null; value: number }>;
  /** Spare trials numbered from here on have not been offered to the simplex yet. */
  spareFrom: number;
  readUpTo: number;
  events: NelderMeadEvent[];
  exhausted: boolean;
}

/** Points the path may take in a row without a new evaluation before the search counts as exhausted. */
const EXHAUSTION_POINTS = 20_000;

/**
 * @example
 * ```ts
 * const sampler = new NelderMeadSampler({ parallel: true });
 * const study = await createStudy({ sampler, storage: new JournalFileStorage('nm.journal'), studyName: 'nm' });
 * await study.optimize((trial) => {
 *   const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
 *   const width = trial.suggestOrdinal('width', logGrid(16, 1024, 2));
 *   return validationLoss(lr, width);
 * }, { nTrials: 200, concurrency: 4 });
 * ```
 */
export class NelderMeadSampler implements Sampler {
  readonly name = 'NelderMeadSampler';
  private readonly options: NelderMeadSamplerOptions;
  private readonly searchSpace: SearchSpace | null;
  private readonly staleRetries: number;
  private readonly runs = new PerStudy<Promise<Run | null>>();

  constructor(given: NelderMeadSamplerOptions = {}) {
    const options = checkOptions('NelderMeadSampler', given, [
      'searchSpace',
      'seed',
      'coefficients',
      'initialSimplex',
      'regularSimplex',
      'start',
      'boundary',
      'parallel',
      'restart',
      'categorical',
      'staleRetries',
      'subSampler',
    ] satisfies (keyof NelderMeadSamplerOptions)[]);
    resolveCoefficients(options.coefficients); // fail at construction, not mid-study
    if (options.categorical !== undefined && options.categorical !== 'error' && options.categorical !== 'random') {
      throw new InvalidArgumentError(
        `NelderMeadSampler: categorical must be "error" or "random", got ${describeValue(options.categorical)}`,
      );
    }
    const retries = options.staleRetries ?? 2;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new InvalidArgumentError(`NelderMeadSampler: staleRetries must be an integer >= 0, got ${describeValue(options.staleRetries)}`);
    }
    this.staleRetries = retries;
    this.options = options;
    this.searchSpace =
      options.searchSpace === undefined ? null : this.checkSpace(validateSearchSpace(options.searchSpace), 'options.searchSpace');
    // Fail at construction, not mid-study: with a space every option can be checked, else all but points.
    if (this.searchSpace) resolvePathOptions(this.pathOptions(simplexNames(this.searchSpace, this.categoricalPolicy), this.searchSpace, 0));
    else resolvePathOptions({ ...this.pathOptions([], {}, 0), dimension: 1, start: undefined, regularCentre: undefined });
  }

  async planTrial(study: StudyView): Promise<TrialPlan> {
    if (study.directions.length !== 1) {
      throw new InvalidArgumentError(
        `NelderMeadSampler: study ${JSON.stringify(study.studyName)} has ${study.directions.length} objectives; Nelder-Mead optimises one`,
      );
    }
    const run = await this.sync(study);
    if (run === null) {
      // The space is inferred from the first COMPLETE trial: run one (at `start`, or random), or wait for it.
      const running = await study.getTrials({ states: ['RUNNING', 'WAITING'] });
      return running.length > 0 ? { kind: 'defer' } : { kind: 'free' };
    }
    const statuses = this.advance(run);
    if (statuses === null) return { kind: 'exhausted' };
    for (const status of statuses) {
      if (status.kind !== 'unclaimed') continue;
      const point = run.request[status.index - run.requestBase];
      const params: Record<string, JsonValue> = {};
      run.names.forEach((name, j) => {
        params[name] = toExternal(run.distributions[j], fromUnit(run.distributions[j], point[j])) as JsonValue;
      });
      // The key names the point (sequence number and cell), so a trial made for another path never
      // stands in for this point after a replay.
      const id = run.ids.get(status.index)!;
      const claimKey = status.attempt === 0 ? `${KEY_PREFIX}${id}` : `${KEY_PREFIX}${id}:${status.attempt}`;
      return { kind: 'fixed', params, claimKey };
    }
    // Every point of the request is out: wait for them, or (spare-worker variant) sample a trial meanwhile.
    return { kind: 'defer', fallback: this.options.subSampler !== undefined };
  }

  async sampleRelative(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> {
    const sub = this.options.subSampler;
    if (sub?.sampleRelative && !isSimplexTrial(trial)) return sub.sampleRelative(study, trial);
    return {};
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const start = this.options.start;
    if (start && Object.hasOwn(start, name) && distribution.type !== 'categorical') {
      return toInternal(name, distribution, start[name]);
    }
    const sub = this.options.subSampler;
    if (sub && !isSimplexTrial(trial)) return sub.sampleIndependent(study, trial, name, distribution);
    return fromUnit(distribution, Rng.forKey(this.options.seed ?? study.seed, trial.number, name).random());
  }

  async afterTrial(study: StudyView, trial: FrozenTrial, state: TrialState, values: readonly number[] | null): Promise<void> {
    const sub = this.options.subSampler;
    if (sub?.afterTrial && !isSimplexTrial(trial)) await sub.afterTrial(study, trial, state, values);
  }

  /**
   * The accepted steps of the search so far (each with the simplex after it), replayed from the storage.
   * Two runs that took the same path have equal lists.
   */
  async path(study: StudyView): Promise<readonly NelderMeadEvent[]> {
    const run = await this.sync(study);
    if (run === null) return [];
    this.advance(run);
    return run.events;
  }

  private get categoricalPolicy(): 'error' | 'random' {
    return this.options.categorical ?? 'error';
  }

  private checkSpace(space: SearchSpace, source: string): SearchSpace {
    if (this.categoricalPolicy === 'error') {
      for (const [name, d] of Object.entries(space)) {
        if (d.type === 'categorical' && !isSingleValue(d)) {
          throw new InvalidArgumentError(
            `NelderMeadSampler: parameter "${name}" in ${source} is categorical (${JSON.stringify(d.choices)}); a simplex needs ordered ` +
              `parameters. Use suggestOrdinal if its values are ordered, or NelderMeadSampler({ categorical: 'random' }) to draw it at random`,
          );
        }
      }
    }
    if (simplexNames(space, this.categoricalPolicy).length === 0) {
      const drawnAtRandom =
        this.categoricalPolicy === 'random' && Object.values(space).some((d) => d.type === 'categorical' && !isSingleValue(d));
      throw new InvalidArgumentError(
        `NelderMeadSampler: ${source} has nothing for a simplex to search: it needs at least one float, int or ordinal parameter ` +
          `with more than one value${drawnAtRandom ? " (its categorical parameters are drawn at random under categorical: 'random')" : ''}; ` +
          'use RandomSampler or TPESampler for such a space',
      );
    }
    return space;
  }

  private pathOptions(names: string[], space: SearchSpace, seed: number) {
    const unitPoint = (label: string, values: Record<string, ParamValue> | undefined) => {
      if (values === undefined) return undefined;
      if (typeof values !== 'object' || values === null) {
        throw new InvalidArgumentError(`NelderMeadSampler: ${label} must be an object of parameter values, got ${describeValue(values)}`);
      }
      return names.map((name) => {
        if (!Object.hasOwn(values, name)) {
          throw new InvalidArgumentError(
            `NelderMeadSampler: ${label} has no value for parameter "${name}"; expected one for each of ${names.join(', ')}`,
          );
        }
        return toUnit(space[name], toInternal(name, space[name], values[name]));
      });
    };
    return {
      dimension: names.length,
      seed,
      coefficients: this.options.coefficients,
      initialSimplex: this.options.initialSimplex,
      regularEdge: this.options.regularSimplex?.edge,
      regularCentre: names.length ? unitPoint('regularSimplex.centre', this.options.regularSimplex?.centre) : undefined,
      start: names.length ? unitPoint('start', this.options.start) : undefined,
      boundary: this.options.boundary,
      parallel: this.options.parallel,
      xTolerance: this.options.restart?.xTolerance,
      fTolerance: this.options.restart?.fTolerance,
    };
  }

  /** Brings this process's replay of the study up to date with the storage. */
  private async sync(study: StudyView): Promise<Run | null> {
    let pending = this.runs.get(study);
    if (!pending) {
      const created = this.runs.set(study, this.createRun(study));
      // Until the space is known there is no run; ask again next time.
      created.then(
        (run) => run === null && this.runs.delete(study, created),
        () => this.runs.delete(study, created),
      );
      pending = created;
    }
    const run = await pending;
    if (run === null) return null;
    if (run.dirty) {
      // Rare: a value the path used changed (a stale failure, then its retry completed). Replay from
      // scratch with the final values, so every worker converges on one path.
      this.runs.delete(study, pending);
      return this.sync(study);
    }
    let from = run.readUpTo;
    for (const n of run.unfinished) from = Math.min(from, n);
    const trials = await study.getTrials({ fromNumber: from });
    const sign = study.directions[0] === 'maximize' ? -1 : 1;
    for (const t of trials) this.record(run, t, sign);
    // Concurrent syncs may read overlapping ranges; recording a trial twice is idempotent.
    if (trials.length) run.readUpTo = Math.max(run.readUpTo, trials[trials.length - 1].number + 1);
    if (run.dirty) return this.sync(study);
    return run;
  }

  private async createRun(study: StudyView): Promise<Run | null> {
    const attrs = await study.getSystemAttrs();
    let space = this.searchSpace;
    if (space === null) space = await this.inferSpace(study, attrs);
    if (space === null) return null;
    const names = simplexNames(space, this.categoricalPolicy);
    const seed = this.options.seed ?? study.seed;
    const pathOptions = this.pathOptions(names, space, seed);
    const config = JSON.stringify({
      ...pathOptions,
      coefficients: resolveCoefficients(this.options.coefficients),
      names,
      space,
      subSampler: this.options.subSampler?.name ?? null,
    });
    const stored = attrs[NELDER_MEAD_CONFIG_ATTR];
    if (stored === undefined) {
      await study.setSystemAttr(NELDER_MEAD_CONFIG_ATTR, config);
    } else if (stored !== config) {
      throw new InvalidArgumentError(
        `NelderMeadSampler: study ${JSON.stringify(study.studyName)} was started by a NelderMeadSampler with other options ` +
          `(${typeof stored === 'string' ? stored : describeValue(stored)}); this one has ${config}. Use the same options to continue its path`,
      );
    }
    const run: Run = {
      names,
      distributions: names.map((n) => space![n]),
      path: null as never,
      request: [],
      requestBase: 0,
      nextIndex: 0,
      aliasOf: new Map(),
      cellOwner: new Map(),
      trials: new Map(),
      ids: new Map(),
      trialPoint: new Map(),
      consumed: new Set(),
      seen: new Map(),
      dirty: false,
      settled: new Map(),
      unfinished: new Set(),
      spare: new Map(),
      spareFrom: 0,
      readUpTo: 0,
      events: [],
      exhausted: false,
    };
    run.path = nelderMeadPath(pathOptions, (event) => run.events.push(event));
    this.beginRequest(run, run.path.next().value);
    return run;
  }

  private async inferSpace(study: StudyView, attrs: Readonly<Record<string, JsonValue>>): Promise<SearchSpace | null> {
    const stored = attrs[NELDER_MEAD_SEARCH_SPACE_ATTR];
    if (stored !== undefined) {
      if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
        throw new StorageError(
          `NelderMeadSampler: study attribute "${NELDER_MEAD_SEARCH_SPACE_ATTR}" must be an object of distributions, got ${describeValue(stored)}`,
        );
      }
      return this.checkSpace(validateSearchSpace(stored), `the study's stored search space`);
    }
    let first: FrozenTrial | null = null;
    for (const t of await study.getTrials({ states: ['COMPLETE'] })) if (first === null || t.number < first.number) first = t;
    if (first === null) return null;
    const space = this.checkSpace(validateSearchSpace(first.distributions), `the distributions of trial ${first.number}`);
    await study.setSystemAttr(NELDER_MEAD_SEARCH_SPACE_ATTR, space as unknown as JsonValue);
    // Two workers may infer at once from different trials; the last write wins and both read it back.
    const after = (await study.getSystemAttrs())[NELDER_MEAD_SEARCH_SPACE_ATTR];
    return after === undefined
      ? space
      : this.checkSpace(validateSearchSpace(after as Record<string, unknown>), `the study's stored search space`);
  }

  /** Registers the points of a new request: their indices and which earlier point shares their cell. */
  private beginRequest(run: Run, request: NelderMeadRequest): void {
    run.request = request;
    run.requestBase = run.nextIndex;
    run.ids.clear();
    for (const point of request) {
      const index = run.nextIndex++;
      if (this.options.boundary !== 'clip' && !insideUnitCube(point)) continue; // never evaluated
      const cell = JSON.stringify(run.distributions.map((d, j) => fromUnit(d, point[j])));
      run.ids.set(index, `${index}:${hashString(cell).toString(16).padStart(8, '0')}`);
      const owner = run.cellOwner.get(cell);
      if (owner === undefined) run.cellOwner.set(cell, index);
      else run.aliasOf.set(index, owner);
    }
  }

  private record(run: Run, t: FrozenTrial, sign: number): void {
    let id: string | undefined;
    let attempt: number | null = null;
    const key = t.systemAttrs[SystemAttr.claimKey];
    if (typeof key === 'string' && key.startsWith(KEY_PREFIX)) {
      const [k, hash, a] = key.slice(KEY_PREFIX.length).split(':');
      id = `${k}:${hash}`;
      attempt = a === undefined ? 0 : Number(a);
    } else {
      const original = t.systemAttrs[SystemAttr.failedTrial];
      if (typeof original === 'number') id = run.trialPoint.get(original);
    }
    if (id === undefined && this.options.subSampler && attempt === null && typeof t.systemAttrs[SystemAttr.failedTrial] !== 'number') {
      this.recordSpare(run, t, sign);
      return;
    }
    if (id === undefined) return;
    run.trialPoint.set(t.number, id);
    if (run.consumed.has(id) && run.seen.get(t.number) !== t.state) run.dirty = true;
    run.seen.set(t.number, t.state);
    const entry: PointTrial = {
      number: t.number,
      state: t.state,
      value: t.state === 'COMPLETE' && t.values ? sign * t.values[0] : null,
      attempt,
      stale: t.state === 'FAIL' && String(t.systemAttrs[SystemAttr.failReason] ?? '').startsWith('stale'),
    };
    const list = run.trials.get(id) ?? [];
    const at = list.findIndex((p) => p.number === t.number);
    if (at >= 0) list[at] = entry;
    else list.push(entry);
    run.trials.set(id, list);
    if (t.state === 'RUNNING' || t.state === 'WAITING') run.unfinished.add(t.number);
    else run.unfinished.delete(t.number);
  }

  private recordSpare(run: Run, t: FrozenTrial, sign: number): void {
    if (t.number < run.spareFrom) return; // already offered to the simplex
    let x: number[] | null = null;
    if (t.state === 'COMPLETE' && run.names.every((n) => t.distributions[n] !== undefined)) {
      x = run.names.map((n, j) =>
        toUnit(run.distributions[j], toInternal(n, run.distributions[j], toExternal(t.distributions[n], t.internalParams[n]))),
      );
    }
    const value = t.state === 'COMPLETE' && t.values ? sign * t.values[0] : Infinity;
    run.spare.set(t.number, { state: t.state, x, value });
    if (t.state === 'RUNNING' || t.state === 'WAITING') run.unfinished.add(t.number);
    else run.unfinished.delete(t.number);
  }

  /**
   * Spare-worker variant: the sub-sampler trials to offer when the current request is answered — those
   * numbered below the request's first trial and not offered before — or null while one is unfinished.
   */
  private joinsFor(run: Run): NelderMeadJoin[] | null {
    if (!this.options.subSampler) return [];
    let first = Infinity;
    for (let i = 0; i < run.request.length; i++) {
      const id = run.ids.get(run.requestBase + i);
      for (const t of (id && run.trials.get(id)) || []) first = Math.min(first, t.number);
    }
    if (first === Infinity) return []; // no trial ran for this request: nothing to order spare trials by
    const joins: NelderMeadJoin[] = [];
    for (const [number, spare] of run.spare) {
      if (number >= first) continue;
      if (spare.state === 'RUNNING' || spare.state === 'WAITING') return null;
      if (spare.x) joins.push({ x: spare.x, value: spare.value });
    }
    for (const number of [...run.spare.keys()]) if (number < first) run.spare.delete(number);
    run.spareFrom = Math.max(run.spareFrom, first);
    return joins;
  }

  /**
   * Feeds every resolved request to the path; returns the statuses of the first unresolved one, or null
   * when the path has gone `EXHAUSTION_POINTS` points without needing a new trial: on a small discrete
   * space every cell has been evaluated and the search is over.
   */
  private advance(run: Run): PointStatus[] | null {
    if (run.exhausted) return null;
    for (let free = 0; ; free += run.request.length) {
      const statuses = run.request.map((point, i) => this.status(run, run.requestBase + i, point));
      if (statuses.some((s) => s.kind !== 'resolved')) return statuses;
      if (free > EXHAUSTION_POINTS) {
        run.exhausted = true;
        return null;
      }
      const values = statuses.map((s) => (s as { value: number }).value);
      const joins = this.joinsFor(run);
      if (joins === null) return [{ kind: 'pending' }];
      values.forEach((v, i) => {
        const index = run.requestBase + i;
        // Only cell owners can be aliased by later points.
        if (!run.aliasOf.has(index)) run.settled.set(index, v);
        const id = run.ids.get(index);
        if (id !== undefined) {
          run.consumed.add(id);
          run.trials.delete(id);
        }
      });
      const answer: NelderMeadAnswer = joins.length ? { values, joins } : values;
      this.beginRequest(run, run.path.next(answer).value);
    }
  }

  private status(run: Run, index: number, point: readonly number[]): PointStatus {
    if (this.options.boundary !== 'clip' && !insideUnitCube(point)) return { kind: 'resolved', value: Infinity };
    const owner = run.aliasOf.get(index);
    if (owner !== undefined) {
      const settled = run.settled.get(owner);
      if (settled !== undefined) return { kind: 'resolved', value: settled };
      // The owner is in the current request: share its status (it is the one that runs).
      const status = this.status(run, owner, point);
      return status.kind === 'unclaimed' ? { kind: 'pending' } : status;
    }
    const settled = run.settled.get(index);
    if (settled !== undefined) return { kind: 'resolved', value: settled };
    const id = run.ids.get(index);
    const trials = (id !== undefined && run.trials.get(id)) || [];
    if (trials.length === 0) return { kind: 'unclaimed', index, attempt: 0 };
    if (trials.some((t) => t.state === 'RUNNING' || t.state === 'WAITING')) return { kind: 'pending' };
    let firstComplete: PointTrial | null = null;
    for (const t of trials) if (t.state === 'COMPLETE' && (firstComplete === null || t.number < firstComplete.number)) firstComplete = t;
    if (firstComplete) return { kind: 'resolved', value: firstComplete.value ?? Infinity };
    const last = trials.reduce((a, b) => (b.number > a.number ? b : a));
    const staleFailures = trials.filter((t) => t.stale).length;
    if (last.stale && staleFailures <= this.staleRetries) {
      const attempts = trials.filter((t) => t.attempt !== null).length;
      return { kind: 'unclaimed', index, attempt: attempts };
    }
    return { kind: 'resolved', value: Infinity };
  }
}

/** A trial created for a simplex point (or re-running one), as opposed to a free or sub-sampler trial. */
function isSimplexTrial(trial: FrozenTrial): boolean {
  const key = trial.systemAttrs[SystemAttr.claimKey];
  return (typeof key === 'string' && key.startsWith(KEY_PREFIX)) || typeof trial.systemAttrs[SystemAttr.failedTrial] === 'number';
}

/** The simplex's parameters: sorted names with more than one value (categoricals only with policy `error`). */
function simplexNames(space: SearchSpace, categorical: 'error' | 'random'): string[] {
  return Object.keys(space)
    .sort()
    .filter((name) => !isSingleValue(space[name]) && !(categorical === 'random' && space[name].type === 'categorical'));
}
