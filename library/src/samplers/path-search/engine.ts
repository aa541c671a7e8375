/**
 * The engine shared by the samplers that walk a deterministic path through the search space, a point
 * (or a batch of points) at a time: `CoordinateSearchSampler`, `HillClimbingSampler` and
 * `CrossSearchSampler`.
 *
 * A search is written as a generator ({@link PathSearch}): it yields a {@link PathRequest} (the points
 * whose values it needs next, which may be evaluated in parallel, and points it will probably need
 * after them) and receives the losses of the requested points (lower is better; a FAIL or PRUNED trial
 * is +Infinity, the worst). The engine answers requests from the study's trials and turns the points
 * still missing into trials, each claimed with a key that names the point, so concurrent workers and
 * processes never evaluate a point twice.
 *
 * State rule (ARCHITECTURE.md, "Sampler state lives in the storage"). The path is a pure function of the options, the seed and the values of the
 * points it asked for, so nothing of it is stored: every worker, and every restarted process, replays
 * it from the study's trials (a point's value is its first COMPLETE trial's; a point whose trials all
 * failed or were pruned is the worst; a point with a trial still RUNNING or WAITING is pending). The
 * replay is kept in memory and advanced incrementally (trials are read from the oldest unfinished one
 * on), so a worker's cost per trial does not grow with the study. What cannot be derived from the
 * trials, the options and the seed, is stored once in a study system attribute
 * (`tansaku:<sampler>:config`); a worker whose options differ gets a clear error instead of silently
 * following another path. If a point's value changes after the path used it (a trial failed by the
 * heartbeat sweep, then its retry completed), the path is replayed from the start with the new value,
 * so every worker converges on the same path.
 *
 * Points already evaluated are never run again, whoever evaluated them: trials enqueued or added by
 * the user, or run by another sampler, count when they hold every parameter of the search space.
 *
 * The search space is `options.searchSpace`, or else the parameters of the first trial: a "start"
 * trial that runs the search's start point (see {@link PathSearchSampler.startValue}) with whatever
 * parameters the objective suggests; its distributions (names sorted) are the space. Parameters outside
 * the space (conditional ones) are drawn uniformly at random per trial, seeded by the trial number.
 */
import {
  contains,
  fromUnit,
  toExternal,
  toInternal,
  toUnit,
  validateSearchSpace,
  cardinality,
  type Distribution,
  type IntDistribution,
  type ParamValue,
  type SearchSpace,
} from '../../core/distributions.js';
import { InvalidArgumentError, TansakuError, describeValue } from '../../core/errors.js';
import { warnRenamedOption } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import type { Sampler, StudyView, TrialPlan } from '../../core/sampler.js';
import { SystemAttr, isFinished, type FrozenTrial, type JsonValue, type TrialState } from '../../core/trial-record.js';
import { PerStudy } from '../per-study.js';

/** A point of the search space: one internal value per parameter, in the space's (sorted) name order. */
export type Point = readonly number[];

/** What a search needs next. */
export interface PathRequest {
  /** Points whose losses the search receives next (in this order); they may be evaluated in parallel. */
  readonly evaluate: readonly Point[];
  /**
   * Points the search will probably need after these: idle workers evaluate them ahead of time
   * (speculatively) when every point of `evaluate` is already running. They never change the path.
   */
  readonly speculative?: readonly Point[];
}

/** A search: yields requests, receives the losses of each request's `evaluate` points; returns when it stops. */
export type PathSearch = Generator<PathRequest, void, readonly number[]>;

/** What a search knows when it starts. */
export interface PathContext {
  /** Parameter names, sorted; a point's coordinates follow this order. */
  readonly names: readonly string[];
  readonly distributions: readonly Distribution[];
  /** The sampler's seed (its option, else the study's). */
  readonly seed: number;
  /** The start point: {@link PathSearchSampler.startValue} of every parameter. */
  readonly start: Point;
  /** Whether the path has already received this point's value (deterministic: the path's own history). */
  visited(point: Point): boolean;
  /** How many distinct points the path has received. */
  visitedCount(): number;
}

/** The identity of a point: its internal values as JSON (exact for doubles). */
export function pointKey(point: Point): string {
  return JSON.stringify(point);
}

// ------------------------------------------------------------------------------------------ lattice

/**
 * One parameter seen as an axis of levels (for samplers that move by whole steps). Ordinal, linear int and
 * stepped float parameters have one level per value (their values are the grid the user chose); a
 * continuous float has `levels` levels evenly spaced over its range (in log space when log-scaled), both
 * ends included; a log-scaled int with more than `levels` values gets `levels` log-spaced levels too,
 * rounded to integers (duplicates merged), both ends included, because one level per integer would make
 * `suggestInt('units', 64, 1024, { log: true })` an axis of 961 levels whose neighbours differ by one
 * unit; a categorical parameter's choices are levels without order.
 */
export interface LatticeAxis {
  readonly name: string;
  readonly distribution: Distribution;
  /** Unordered choices: every other choice is a neighbour, and a line is every choice. */
  readonly categorical: boolean;
  /** Number of levels (may exceed what could be listed, e.g. a wide int range). */
  readonly count: number;
  /** The internal value of level `index` (0 <= index < count). */
  value(index: number): number;
  /** The index of the level nearest to an internal value. */
  indexOf(internal: number): number;
}

/**
 * Builds the {@link LatticeAxis} of a parameter; `levels` applies to continuous floats and to log-scaled
 * ints with more values than that (pass Infinity for one level per integer).
 */
export function latticeAxis(name: string, d: Distribution, levels: number): LatticeAxis {
  const clamp = (count: number, i: number): number => Math.min(count - 1, Math.max(0, Math.round(i)));
  switch (d.type) {
    case 'categorical':
    case 'ordinal': {
      const count = cardinality(d);
      return { name, distribution: d, categorical: d.type === 'categorical', count, value: (k) => k, indexOf: (v) => clamp(count, v) };
    }
    case 'int': {
      const count = cardinality(d);
      if (d.log && count > levels) return logIntAxis(name, d, levels);
      return {
        name,
        distribution: d,
        categorical: false,
        count,
        value: (k) => d.low + k * d.step,
        indexOf: (v) => clamp(count, (v - d.low) / d.step),
      };
    }
    case 'float': {
      if (d.low === d.high) return { name, distribution: d, categorical: false, count: 1, value: () => d.low, indexOf: () => 0 };
      if (d.step !== null) {
        const count = cardinality(d);
        // The same values as `fromUnit` gives (cell centres), so a point's identity never depends on the route to it.
        return {
          name,
          distribution: d,
          categorical: false,
          count,
          value: (k) => fromUnit(d, (k + 0.5) / count),
          indexOf: (v) => clamp(count, (v - d.low) / d.step!),
        };
      }
      const count = levels;
      return {
        name,
        distribution: d,
        categorical: false,
        count,
        value: (k) => (k <= 0 ? d.low : k >= count - 1 ? d.high : fromUnit(d, k / (count - 1))),
        indexOf: (v) => clamp(count, toUnit(d, v) * (count - 1)),
      };
    }
  }
}

/** `levels` log-spaced integer levels of a log-scaled int, rounded, duplicates merged, from low to high. */
function logIntAxis(name: string, d: IntDistribution, levels: number): LatticeAxis {
  const logLow = Math.log(d.low);
  const logSpan = Math.log(d.high) - logLow;
  const values: number[] = [];
  for (let k = 0; k < levels; k++) {
    const v = k === levels - 1 ? d.high : Math.min(d.high, Math.max(d.low, Math.round(Math.exp(logLow + (k / (levels - 1)) * logSpan))));
    if (v !== values[values.length - 1]) values.push(v);
  }
  return {
    name,
    distribution: d,
    categorical: false,
    count: values.length,
    value: (k) => values[k],
    // Nearest in log space, the lower level on a tie; off-level values come from other samplers or a start point.
    indexOf: (v) => {
      let best = 0;
      for (let k = 1; k < values.length; k++) {
        if (Math.abs(Math.log(v / values[k])) < Math.abs(Math.log(v / values[best]))) best = k;
      }
      return best;
    },
  };
}

/** Number of points of a lattice (Infinity past what a double holds exactly). */
export function latticeSize(axes: readonly LatticeAxis[]): number {
  let size = 1;
  for (const a of axes) size *= a.count;
  return Number.isSafeInteger(size) ? size : Infinity;
}

/** Up to this many points, a random unvisited point is drawn from the list of all unvisited points. */
const ENUMERATE_LIMIT = 1 << 16;

/**
 * A uniformly random point of the lattice that the path has not visited, or null when every point is
 * visited. Deterministic for a given `rng` and path history.
 */
export function randomUnvisitedPoint(axes: readonly LatticeAxis[], ctx: PathContext, rng: Rng): Point | null {
  const size = latticeSize(axes);
  if (ctx.visitedCount() >= size) return null;
  const draw = (): Point => axes.map((a) => a.value(rng.integer(0, a.count - 1)));
  // Rejection sampling first (uniform over the unvisited points too): listing every point at each
  // restart would cost O(size) per restart while most of the lattice is still unvisited.
  const tries = size <= ENUMERATE_LIMIT ? 32 : 10_000;
  let point: Point = [];
  for (let t = 0; t < tries; t++) {
    point = draw();
    if (!ctx.visited(point)) return point;
  }
  if (size <= ENUMERATE_LIMIT) {
    const unvisited: Point[] = [];
    const index = axes.map(() => 0);
    for (let n = 0; n < size; n++) {
      const point = axes.map((a, i) => a.value(index[i]));
      if (!ctx.visited(point)) unvisited.push(point);
      for (let i = axes.length - 1; i >= 0; i--) {
        if (++index[i] < axes[i].count) break;
        index[i] = 0;
      }
    }
    return unvisited.length ? unvisited[rng.integer(0, unvisited.length - 1)] : null;
  }
  // A huge lattice nearly all visited: go on from a visited point (its neighbours may not be).
  return point;
}

// ------------------------------------------------------------------------------------------ engine

/** Options every path-following sampler takes. */
export interface PathSearchOptions {
  /** Seed of the random choices (start points, restarts, conditional parameters); defaults to the study's seed. */
  seed?: number;
  /**
   * The parameters the search moves in. By default: the parameters the objective suggests in the
   * study's first trial, which runs the start point.
   */
  searchSpace?: SearchSpace;
}

interface CellState {
  /** Number and loss of the lowest-numbered COMPLETE trial of the point (Infinity: none). */
  completeNumber: number;
  completeLoss: number;
  /** RUNNING or WAITING trials of the point. */
  unfinished: Set<number>;
  /** FAIL or PRUNED trials of the point. */
  failed: number;
}

interface Space {
  names: string[];
  distributions: Distribution[];
}

/** One study's replay, per sampler instance. */
interface Run {
  space: Space | null;
  configChecked: boolean;
  readUpTo: number;
  unfinished: Set<number>;
  /** Every trial read: its last seen state and the point it evaluates (null: none of ours). */
  seen: Map<number, { state: TrialState; key: string | null }>;
  cells: Map<string, CellState>;
  search: PathSearch | null;
  request: PathRequest | null;
  done: boolean;
  /** The losses the path received, by point key (the path's visited points). */
  consumed: Map<string, number>;
  /** A consumed value changed: replay the path from the start. */
  stale: boolean;
  ctx: PathContext | null;
}

/** Requests answered from known values in a row before the engine calls the search broken. */
const MAX_ANSWERED_IN_A_ROW = 5_000_000;

const PENDING = Symbol('pending');
const UNCLAIMED = Symbol('unclaimed');

/**
 * Base class of the path-following samplers; see the module comment. Subclasses give the search
 * ({@link createSearch}), the start point ({@link startValue}) and the options that define the path
 * ({@link config}).
 */
export abstract class PathSearchSampler implements Sampler {
  abstract readonly name: string;
  /** The start point the options give (objective-facing values), if any. */
  abstract readonly start: Readonly<Record<string, ParamValue>> | undefined;
  readonly seed: number | undefined;
  /** The search space from the options, validated (names sorted); null when it is inferred. */
  readonly searchSpace: Readonly<SearchSpace> | null;
  private readonly runs = new PerStudy<Run>();

  protected constructor(
    /** Short tag used in claim keys and attribute names, e.g. "cross-search". */
    protected readonly tag: string,
    options: PathSearchOptions,
    samplerName: string,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`${samplerName}: options must be an object, got ${describeValue(options)}`);
    }
    if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isSafeInteger(options.seed))) {
      throw new InvalidArgumentError(`${samplerName}: seed must be an integer, got ${describeValue(options.seed)}`);
    }
    this.seed = options.seed;
    if (options.searchSpace !== undefined) {
      const raw = options.searchSpace as unknown;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new InvalidArgumentError(
          `${samplerName}: searchSpace must be an object mapping parameter names to distributions, got ${describeValue(raw)}`,
        );
      }
      if (Object.keys(raw).length === 0)
        throw new InvalidArgumentError(`${samplerName}: searchSpace must have at least one parameter, got {}`);
      this.searchSpace = Object.freeze(validateSearchSpace(raw as Record<string, unknown>));
    } else {
      this.searchSpace = null;
    }
  }

  /** The search, started with the context of a study whose space is known. */
  protected abstract createSearch(ctx: PathContext): PathSearch;

  /**
   * The start point's internal value for a parameter. Must be a pure function of its arguments: it
   * gives both the first trial's values (before the space is known) and the search's start point.
   */
  protected abstract startValue(name: string, distribution: Distribution, seed: number): number;

  /** The options that define the path, as JSON (stored with the study and compared by joining workers). */
  protected abstract config(): Record<string, JsonValue>;

  /** Old option names and their new ones, so that options stored by an older release still match. */
  protected renamedOptions(): Readonly<Record<string, string>> {
    return {};
  }

  /**
   * Checks the space once it is known: that the start point names its parameters (subclasses add their
   * own checks). Throws `InvalidArgumentError`.
   */
  protected checkSpace(names: readonly string[], distributions: readonly Distribution[]): void {
    checkStartNames(this.name, 'start', this.start, names, distributions);
  }

  /** For the end of a subclass's constructor: checks a given search space at once, not at the first trial. */
  protected checkGivenSpace(): void {
    if (!this.searchSpace) return;
    const names = Object.keys(this.searchSpace);
    this.checkSpace(
      names,
      names.map((n) => this.searchSpace![n]),
    );
  }

  // -------------------------------------------------------------------------------- Sampler

  async planTrial(study: StudyView): Promise<TrialPlan> {
    if (study.directions.length !== 1) {
      throw new InvalidArgumentError(
        `${this.name} optimises one objective, but study ${JSON.stringify(study.studyName)} has ${study.directions.length} directions; use a multi-objective sampler`,
      );
    }
    const run = this.runOf(study);
    const seed = this.seed ?? study.seed;
    if (!run.configChecked) await this.checkConfig(study, run, seed);
    if (!run.space) {
      const found = await this.findSpace(study);
      if ('plan' in found) return found.plan;
      this.checkSpace(found.space.names, found.space.distributions);
      run.space ??= found.space;
    }
    await this.readTrials(study, run);
    this.advance(run, study, seed);
    if (run.done) return { kind: 'exhausted' };
    const request = run.request!;
    const space = run.space!;
    for (const list of [request.evaluate, request.speculative ?? []]) {
      for (const point of list) {
        const key = pointKey(point);
        if (run.cells.has(key)) continue; // evaluated, running, or waiting
        const params: Record<string, JsonValue> = {};
        space.names.forEach((n, i) => {
          params[n] = toExternal(space.distributions[i], point[i]) as JsonValue;
        });
        return { kind: 'fixed', params, claimKey: `${this.cellPrefix}${key}` };
      }
    }
    // Every point the search needs is running: wait for one to finish.
    return { kind: 'defer' };
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const seed = this.seed ?? study.seed;
    const claim = trial.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string' && claim.startsWith(this.startPrefix)) return this.startValue(name, distribution, seed);
    return fromUnit(distribution, Rng.forKey(seed, trial.number, name).random());
  }

  // -------------------------------------------------------------------------------- internals

  private get cellPrefix(): string {
    return `${this.tag}:point:`;
  }

  private get startPrefix(): string {
    return `${this.tag}:start:`;
  }

  private get configAttr(): string {
    return `tansaku:${this.tag}:config`;
  }

  private runOf(study: StudyView): Run {
    let run = this.runs.get(study);
    if (!run) {
      run = {
        space: null,
        configChecked: false,
        readUpTo: 0,
        unfinished: new Set(),
        seen: new Map(),
        cells: new Map(),
        search: null,
        request: null,
        done: false,
        consumed: new Map(),
        stale: false,
        ctx: null,
      };
      if (this.searchSpace) {
        const names = Object.keys(this.searchSpace).sort();
        run.space = { names, distributions: names.map((n) => this.searchSpace![n]) };
        this.checkSpace(run.space.names, run.space.distributions);
      }
      this.runs.set(study, run);
    }
    return run;
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

  /** Stores the options with the study, or checks them against the stored ones. */
  private async checkConfig(study: StudyView, run: Run, seed: number): Promise<void> {
    const mine: Record<string, JsonValue> = { seed, ...this.config() };
    if (this.searchSpace) mine.searchSpace = this.searchSpace as unknown as JsonValue;
    const raw = (await study.getSystemAttrs())[this.configAttr];
    const stored = raw === undefined ? undefined : this.renameStoredOptions(study, raw);
    if (stored === undefined) {
      await study.setSystemAttr(this.configAttr, mine);
    } else if (canonicalJson(stored) !== canonicalJson(mine)) {
      throw new InvalidArgumentError(
        `${this.name}: this worker's options ${describeValue(mine)} differ from those study ${JSON.stringify(study.studyName)} ` +
          `was started with, ${describeValue(stored)}; every worker of a study must use the same options and seed to continue ` +
          `the same search (or start a new study)`,
      );
    }
    run.configChecked = true;
  }

  /**
   * The space from the first finished start trial that has parameters, or the plan to get one: run a
   * start trial, or wait for the one running.
   */
  private async findSpace(study: StudyView): Promise<{ space: Space } | { plan: TrialPlan }> {
    let starts = 0;
    let running = false;
    for (const t of await study.getTrials()) {
      const claim = t.systemAttrs[SystemAttr.claimKey];
      if (typeof claim !== 'string' || !claim.startsWith(this.startPrefix)) continue;
      starts++;
      if (!isFinished(t.state)) {
        running = true;
        continue;
      }
      const names = Object.keys(t.distributions).sort();
      if (names.length > 0) return { space: { names, distributions: names.map((n) => t.distributions[n]) } };
    }
    if (running) return { plan: { kind: 'defer' } };
    // The start trial's parameters come from `sampleIndependent` (the start point): nothing is fixed.
    return { plan: { kind: 'fixed', params: {}, claimKey: `${this.startPrefix}${starts}` } };
  }

  /** Reads the trials created or changed since the last read (from the oldest unfinished one on). */
  private async readTrials(study: StudyView, run: Run): Promise<void> {
    let from = run.readUpTo;
    for (const n of run.unfinished) if (n < from) from = n;
    const trials = await study.getTrials({ fromNumber: from });
    for (const t of trials) this.absorb(run, study, t);
    if (trials.length) run.readUpTo = Math.max(run.readUpTo, trials[trials.length - 1].number + 1);
  }

  /** Records one trial snapshot. Monotone: an older snapshot read late never undoes a newer one. */
  private absorb(run: Run, study: StudyView, t: FrozenTrial): void {
    const prev = run.seen.get(t.number);
    if (prev && (isFinished(prev.state) || (prev.state === t.state && prev.key !== null))) return;
    const finished = isFinished(t.state);
    const key = prev?.key ?? this.keyOf(run, t);
    run.seen.set(t.number, { state: t.state, key });
    if (finished) run.unfinished.delete(t.number);
    else run.unfinished.add(t.number);
    if (key === null) return;
    let cell = run.cells.get(key);
    if (!cell) {
      cell = { completeNumber: Infinity, completeLoss: Infinity, unfinished: new Set(), failed: 0 };
      run.cells.set(key, cell);
    }
    if (!finished) {
      cell.unfinished.add(t.number);
      return;
    }
    cell.unfinished.delete(t.number);
    if (t.state === 'COMPLETE' && t.values && t.values.length === 1) {
      if (t.number < cell.completeNumber) {
        cell.completeNumber = t.number;
        cell.completeLoss = study.directions[0] === 'maximize' ? -t.values[0] : t.values[0];
      }
    } else {
      cell.failed++;
    }
    const used = run.consumed.get(key);
    if (used !== undefined) {
      const now = cellValue(cell);
      if (typeof now === 'number' && !Object.is(now, used)) run.stale = true;
    }
  }

  /** The point a trial evaluates, as a key, or null when it is not a point of the space. */
  private keyOf(run: Run, t: FrozenTrial): string | null {
    const claim = t.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string' && claim.startsWith(this.cellPrefix)) return claim.slice(this.cellPrefix.length);
    const original = t.systemAttrs[SystemAttr.failedTrial];
    if (typeof original === 'number') {
      // A heartbeat retry: the same point as the trial it retries (which has a lower number).
      const key = run.seen.get(original)?.key;
      if (key) return key;
    }
    const { names, distributions } = run.space!;
    if (names.every((n) => Object.hasOwn(t.internalParams, n))) {
      const point = names.map((n) => t.internalParams[n]);
      return point.every((v, i) => contains(distributions[i], v)) ? pointKey(point) : null;
    }
    const fixed = t.systemAttrs[SystemAttr.fixedParams];
    if (fixed && typeof fixed === 'object' && !Array.isArray(fixed) && names.every((n) => Object.hasOwn(fixed, n))) {
      try {
        return pointKey(names.map((n, i) => toInternal(n, distributions[i], (fixed as Record<string, unknown>)[n])));
      } catch {
        return null;
      }
    }
    return null;
  }

  /** Feeds the search every value it asks for that is known, until it needs one that is not (or stops). */
  private advance(run: Run, study: StudyView, seed: number): void {
    if (run.stale) {
      run.stale = false;
      run.search = null;
      run.request = null;
      run.done = false;
      run.consumed.clear();
    }
    if (run.done) return;
    if (!run.search) {
      const space = run.space!;
      const consumed = run.consumed;
      run.ctx = {
        names: space.names,
        distributions: space.distributions,
        seed,
        start: space.names.map((n, i) => this.startValue(n, space.distributions[i], seed)),
        visited: (p) => consumed.has(pointKey(p)),
        visitedCount: () => consumed.size,
      };
      run.search = this.createSearch(run.ctx);
      if (!this.take(run, run.search.next())) return;
    }
    for (let answered = 0; ; answered++) {
      if (answered > MAX_ANSWERED_IN_A_ROW) {
        throw new TansakuError(
          'TANSAKU_SAMPLER_ERROR',
          `${this.name} asked for ${MAX_ANSWERED_IN_A_ROW} already known points in a row in study ${JSON.stringify(study.studyName)} without needing a new one; its search does not progress`,
        );
      }
      const losses: number[] = [];
      for (const point of run.request!.evaluate) {
        const cell = run.cells.get(pointKey(point));
        const value = cell ? cellValue(cell) : UNCLAIMED;
        if (typeof value !== 'number') return;
        losses.push(value);
      }
      run.request!.evaluate.forEach((p, i) => {
        run.consumed.set(pointKey(p), losses[i]);
      });
      if (!this.take(run, run.search!.next(losses))) return;
    }
  }

  /** Takes the search's next request; false when the search has stopped. */
  private take(run: Run, step: IteratorResult<PathRequest, void>): boolean {
    if (step.done) {
      run.done = true;
      run.request = null;
      return false;
    }
    const { distributions, names } = run.space!;
    for (const point of [...step.value.evaluate, ...(step.value.speculative ?? [])]) {
      if (point.length !== names.length || !point.every((v, i) => contains(distributions[i], v))) {
        throw new TansakuError(
          'TANSAKU_SAMPLER_ERROR',
          `${this.name} proposed ${describeValue(point)}, which is not a point of the space ${names.join(', ')}`,
        );
      }
    }
    run.request = step.value;
    return true;
  }
}

function cellValue(cell: CellState): number | typeof PENDING {
  if (cell.completeNumber !== Infinity) return cell.completeLoss;
  if (cell.unfinished.size > 0) return PENDING;
  return Infinity;
}

/** Checks `floatLevels` (an integer >= 2). */
export function checkFloatLevels(sampler: string, value: unknown): number {
  if (value === undefined) return 11;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) {
    throw new InvalidArgumentError(`${sampler}: floatLevels must be an integer >= 2, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates a "stop or restart" option. */
export function checkChoice<T extends string>(sampler: string, option: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `${sampler}: ${option} must be ${choices.map((c) => JSON.stringify(c)).join(' or ')}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

/**
 * The internal value of a user-given start value for a parameter: `toInternal`, with an error naming
 * the option when the value is not in the distribution.
 */
export function startInternal(sampler: string, option: string, name: string, d: Distribution, value: ParamValue): number {
  try {
    return toInternal(name, d, value);
  } catch (error) {
    throw new InvalidArgumentError(
      `${sampler}: ${option}.${name} = ${describeValue(value)} is not a value of the parameter: ${(error as Error).message}`,
    );
  }
}

/** Checks a user-given start point: an object of parameter name -> objective-facing value. */
export function checkStartPoint(sampler: string, option: string, value: unknown): Readonly<Record<string, ParamValue>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${sampler}: ${option} must be an object of parameter name -> value, got ${describeValue(value)}`);
  }
  return Object.freeze({ ...(value as Record<string, ParamValue>) });
}

/** Checks that every named parameter of a start point belongs to the space. */
export function checkStartNames(
  sampler: string,
  option: string,
  start: Readonly<Record<string, ParamValue>> | undefined,
  names: readonly string[],
  distributions: readonly Distribution[],
): void {
  if (!start) return;
  for (const n of Object.keys(start)) {
    const i = names.indexOf(n);
    if (i < 0)
      throw new InvalidArgumentError(
        `${sampler}: ${option} names parameter "${n}", which is not in the search space (${names.join(', ')})`,
      );
    startInternal(sampler, option, n, distributions[i], start[n]);
  }
}

/** JSON with object keys sorted at every level, so that two option sets compare equal whatever their key order. */
function canonicalJson(value: JsonValue): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
