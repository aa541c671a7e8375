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
 * The path is a pure function of the options, the seed and the values of the points it asked for, so
 * it is replayed from the study's trials by the replay engine (`samplers/replay/engine.ts`: the options
 * stored with the study, incremental reading, claim keys, heartbeat retries, replay from scratch when a
 * used value changes). A point is named by its coordinates (`<tag>:point:<internal values as JSON>`).
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
import { Rng } from '../../core/rng.js';
import type { StudyView, TrialPlan } from '../../core/sampler.js';
import { SystemAttr, isFinished, type FrozenTrial, type JsonValue } from '../../core/trial-record.js';
import { ReplaySampler, type Replay, type ReplayRequest, type ReplayedSearch, type RequestSlot } from '../replay/engine.js';

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

/** A path search as the replay engine drives it: points become slots named by their coordinates. */
class PathReplay implements ReplayedSearch {
  private readonly search: PathSearch;

  constructor(
    private readonly sampler: string,
    private readonly names: readonly string[],
    private readonly distributions: readonly Distribution[],
    createSearch: (ctx: PathContext) => PathSearch,
    ctx: PathContext,
  ) {
    this.search = createSearch(ctx);
  }

  first(): ReplayRequest | null {
    return this.take(this.search.next());
  }

  answer(values: readonly number[]): ReplayRequest | null {
    return this.take(this.search.next(values));
  }

  /** A trial made elsewhere (enqueued, another sampler's) evaluates a point when it holds every parameter. */
  pointOf(t: FrozenTrial): string | null {
    const { names, distributions } = this;
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

  private take(step: IteratorResult<PathRequest, void>): ReplayRequest | null {
    if (step.done) return null;
    const { evaluate, speculative = [] } = step.value;
    return { evaluate: evaluate.map((p) => this.slot(p)), speculative: speculative.map((p) => this.slot(p)) };
  }

  private slot(point: Point): RequestSlot {
    const { names, distributions } = this;
    if (point.length !== names.length || !point.every((v, i) => contains(distributions[i], v))) {
      throw new TansakuError(
        'TANSAKU_SAMPLER_ERROR',
        `${this.sampler} proposed ${describeValue(point)}, which is not a point of the space ${names.join(', ')}`,
      );
    }
    return {
      id: pointKey(point),
      params: () => Object.fromEntries(names.map((n, i) => [n, toExternal(distributions[i], point[i]) as JsonValue])),
    };
  }
}

/**
 * Base class of the path-following samplers; see the module comment. Subclasses give the search
 * ({@link createSearch}), the start point ({@link startValue}) and the options that define the path
 * ({@link config}); the replay engine (`samplers/replay/`) does the rest.
 */
export abstract class PathSearchSampler extends ReplaySampler<PathReplay> {
  abstract override readonly name: string;
  /** The start point the options give (objective-facing values), if any. */
  abstract readonly start: Readonly<Record<string, ParamValue>> | undefined;
  readonly seed: number | undefined;
  /** The search space from the options, validated (names sorted); null when it is inferred. */
  readonly searchSpace: Readonly<SearchSpace> | null;
  protected readonly claimPrefix: string;
  protected readonly configAttr: string;
  private readonly startPrefix: string;

  protected constructor(
    /** Short tag used in claim keys and attribute names, e.g. "cross-search". */
    protected readonly tag: string,
    options: PathSearchOptions,
    samplerName: string,
  ) {
    super();
    this.claimPrefix = `${tag}:point:`;
    this.startPrefix = `${tag}:start:`;
    this.configAttr = `tansaku:${tag}:config`;
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

  /**
   * Checks the space once it is known: that the start point names its parameters (subclasses add their
   * own checks). Throws `InvalidArgumentError`.
   */
  protected checkSpace(names: readonly string[], distributions: readonly Distribution[]): void {
    checkStartNames(this.name, 'start', this.start, names, distributions);
  }

  /** For the end of a subclass's constructor: checks a given search space at once, not at the first trial. */
  protected checkGivenSpace(): void {
    if (this.searchSpace) this.validateSpace(this.searchSpace);
  }

  // -------------------------------------------------------------------------------- Sampler

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const seed = this.seedOf(study);
    const claim = trial.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string' && claim.startsWith(this.startPrefix)) return this.startValue(name, distribution, seed);
    return fromUnit(distribution, Rng.forKey(seed, trial.number, name).random());
  }

  // -------------------------------------------------------------------------------- replay hooks

  protected seedOf(study: StudyView): number {
    return this.seed ?? study.seed;
  }

  protected override validateSpace(space: SearchSpace): void {
    const names = Object.keys(space).sort();
    this.checkSpace(
      names,
      names.map((n) => space[n]),
    );
  }

  protected storedConfig(seed: number): JsonValue {
    const mine: Record<string, JsonValue> = { seed, ...this.config() };
    if (this.searchSpace) mine.searchSpace = this.searchSpace as unknown as JsonValue;
    return mine;
  }

  protected startSearch(replay: Replay): PathReplay {
    const names = Object.keys(replay.space).sort();
    const distributions = names.map((n) => replay.space[n]);
    const consumed = replay.consumed;
    const ctx: PathContext = {
      names,
      distributions,
      seed: replay.seed,
      start: names.map((n, i) => this.startValue(n, distributions[i], replay.seed)),
      visited: (p) => consumed.has(pointKey(p)),
      visitedCount: () => consumed.size,
    };
    return new PathReplay(this.name, names, distributions, (c) => this.createSearch(c), ctx);
  }

  /**
   * The space: the given one, else the distributions of the first finished start trial that has
   * parameters; or the plan to get one: run a start trial, or wait for the one running.
   */
  protected async findSpace(study: StudyView): Promise<{ space: SearchSpace } | { plan: TrialPlan }> {
    if (this.searchSpace) return { space: this.searchSpace };
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
      if (Object.keys(t.distributions).length > 0) return { space: { ...t.distributions } };
    }
    if (running) return { plan: { kind: 'defer' } };
    // The start trial's parameters come from `sampleIndependent` (the start point): nothing is fixed.
    return { plan: { kind: 'fixed', params: {}, claimKey: `${this.startPrefix}${starts}` } };
  }
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
