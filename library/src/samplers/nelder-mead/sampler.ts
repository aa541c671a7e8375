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
  type NelderMeadPathOptions,
  type NelderMeadRequest,
} from './path.js';
import {
  ReplaySampler,
  WAIT,
  type FreeAnswerLimit,
  type Replay,
  type ReplayRequest,
  type ReplayedSearch,
  type RequestSlot,
} from '../replay/engine.js';

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

/** Points the path may take in a row without a new evaluation before the search counts as exhausted. */
const EXHAUSTION_POINTS = 20_000;

/**
 * The Nelder-Mead path as the replay engine drives it. Every point the method asks for has a sequence
 * number k; a point inside the box is the slot `<k>:<hash of its grid cell>`, or, when an earlier point
 * snapped to the same cell, an alias of that point's slot (it reuses its value instead of running again).
 * Under the extreme barrier a point outside the box is +∞ without a trial.
 */
class NelderMeadReplay implements ReplayedSearch {
  /** The accepted steps so far, each with the simplex after it. */
  readonly events: NelderMeadEvent[] = [];
  private readonly path: Generator<NelderMeadRequest, never, NelderMeadAnswer>;
  private nextIndex = 0;
  /** Grid cell (as JSON) -> the id of the first point that snapped to it. */
  private readonly cellOwner = new Map<string, string>();
  private request: RequestSlot[] = [];
  /** Sub-sampler trials (spare-worker variant): number -> state, unit point (null if not joinable) and value. */
  private readonly spare = new Map<number, { state: TrialState; x: number[] | null; value: number }>();
  /** Spare trials numbered from here on have not been offered to the simplex yet. */
  private spareFrom = 0;

  constructor(
    private readonly replay: Replay,
    private readonly names: readonly string[],
    private readonly distributions: readonly Distribution[],
    pathOptions: NelderMeadPathOptions,
    private readonly clip: boolean,
    private readonly spareWorkers: boolean,
  ) {
    this.path = nelderMeadPath(pathOptions, (event) => this.events.push(event));
  }

  first(): ReplayRequest {
    return this.begin(this.path.next().value);
  }

  answer(values: readonly number[]): ReplayRequest | typeof WAIT {
    const joins = this.joins();
    if (joins === null) return WAIT;
    return this.begin(this.path.next(joins.length ? { values: [...values], joins } : [...values]).value);
  }

  observe(t: FrozenTrial, loss: number): void {
    if (!this.spareWorkers || t.number < this.spareFrom) return; // already offered to the simplex
    if (typeof t.systemAttrs[SystemAttr.failedTrial] === 'number') return;
    const claim = t.systemAttrs[SystemAttr.claimKey];
    if (typeof claim === 'string' && claim.startsWith(KEY_PREFIX)) return;
    const { names, distributions } = this;
    let x: number[] | null = null;
    if (t.state === 'COMPLETE' && names.every((n) => t.distributions[n] !== undefined)) {
      x = names.map((n, j) =>
        toUnit(distributions[j], toInternal(n, distributions[j], toExternal(t.distributions[n], t.internalParams[n]))),
      );
    }
    this.spare.set(t.number, { state: t.state, x, value: loss });
  }

  /** Registers the points of a new request: their ids, and which earlier point shares their cell. */
  private begin(points: NelderMeadRequest): ReplayRequest {
    const { names, distributions } = this;
    this.request = points.map((point): RequestSlot => {
      const index = this.nextIndex++;
      if (!this.clip && !insideUnitCube(point)) return { value: Infinity }; // never evaluated
      const internal = distributions.map((d, j) => fromUnit(d, point[j]));
      const cell = JSON.stringify(internal);
      const params = () => Object.fromEntries(names.map((n, j) => [n, toExternal(distributions[j], internal[j]) as JsonValue]));
      const owner = this.cellOwner.get(cell);
      if (owner !== undefined) return { id: owner, params, alias: true };
      const id = `${index}:${hashString(cell).toString(16).padStart(8, '0')}`;
      this.cellOwner.set(cell, id);
      return { id, params };
    });
    return { evaluate: this.request };
  }

  /**
   * Spare-worker variant: the sub-sampler trials to offer when the current request is answered — those
   * numbered below the request's first trial and not offered before — or null while one is unfinished.
   */
  private joins(): NelderMeadJoin[] | null {
    if (!this.spareWorkers) return [];
    let first = Infinity;
    for (const slot of this.request) if ('id' in slot && !slot.alias) first = Math.min(first, this.replay.firstTrialOf(slot.id));
    if (first === Infinity) return []; // no trial ran for this request: nothing to order spare trials by
    const joins: NelderMeadJoin[] = [];
    for (const [number, spare] of this.spare) {
      if (number >= first) continue;
      if (spare.state === 'RUNNING' || spare.state === 'WAITING') return null;
      if (spare.x) joins.push({ x: spare.x, value: spare.value });
    }
    for (const number of [...this.spare.keys()]) if (number < first) this.spare.delete(number);
    this.spareFrom = Math.max(this.spareFrom, first);
    return joins;
  }
}

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
export class NelderMeadSampler extends ReplaySampler<NelderMeadReplay> {
  readonly name = 'NelderMeadSampler';
  protected readonly claimPrefix = KEY_PREFIX;
  protected readonly configAttr = NELDER_MEAD_CONFIG_ATTR;
  private readonly options: NelderMeadSamplerOptions;
  private readonly searchSpace: SearchSpace | null;
  private readonly retries: number;

  constructor(given: NelderMeadSamplerOptions = {}) {
    super();
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
    this.retries = retries;
    this.options = options;
    this.searchSpace =
      options.searchSpace === undefined ? null : this.checkSpace(validateSearchSpace(options.searchSpace), 'options.searchSpace');
    // Fail at construction, not mid-study: with a space every option can be checked, else all but points.
    if (this.searchSpace) resolvePathOptions(this.pathOptions(simplexNames(this.searchSpace, this.categoricalPolicy), this.searchSpace, 0));
    else resolvePathOptions({ ...this.pathOptions([], {}, 0), dimension: 1, start: undefined, regularCentre: undefined });
  }

  async sampleRelative(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> {
    const sub = this.options.subSampler;
    if (sub?.sampleRelative && !this.isPointTrial(trial)) return sub.sampleRelative(study, trial);
    return {};
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const start = this.options.start;
    if (start && Object.hasOwn(start, name) && distribution.type !== 'categorical') {
      return toInternal(name, distribution, start[name]);
    }
    const sub = this.options.subSampler;
    if (sub && !this.isPointTrial(trial)) return sub.sampleIndependent(study, trial, name, distribution);
    return fromUnit(distribution, Rng.forKey(this.options.seed ?? study.seed, trial.number, name).random());
  }

  async afterTrial(study: StudyView, trial: FrozenTrial, state: TrialState, values: readonly number[] | null): Promise<void> {
    const sub = this.options.subSampler;
    if (sub?.afterTrial && !this.isPointTrial(trial)) await sub.afterTrial(study, trial, state, values);
  }

  /**
   * The accepted steps of the search so far (each with the simplex after it), replayed from the storage.
   * Two runs that took the same path have equal lists.
   */
  async path(study: StudyView): Promise<readonly NelderMeadEvent[]> {
    return (await this.currentSearch(study))?.events ?? [];
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

  // -------------------------------------------------------------------------------- replay hooks

  protected seedOf(study: StudyView): number {
    return this.options.seed ?? study.seed;
  }

  protected override staleRetries(): number {
    return this.retries;
  }

  protected override freeAnswerLimit(): FreeAnswerLimit {
    // On a small discrete space every cell gets evaluated and the path only revisits them: the search is over.
    return { points: EXHAUSTION_POINTS, outcome: 'exhausted' };
  }

  protected override spareWorkers(): boolean {
    return this.options.subSampler !== undefined;
  }

  /** `<k>:<cell hash>` and, for a re-run after a worker died, `:<attempt>`. */
  protected override parseClaim(rest: string): { id: string; attempt: number } | null {
    const [k, hash, attempt] = rest.split(':');
    if (hash === undefined) return null;
    return { id: `${k}:${hash}`, attempt: attempt === undefined ? 0 : Number(attempt) };
  }

  protected storedConfig(seed: number, space: SearchSpace | null): JsonValue | undefined {
    if (space === null) return undefined; // the path's options include the space's dimensions
    const names = simplexNames(space, this.categoricalPolicy);
    return JSON.stringify({
      ...this.pathOptions(names, space, seed),
      coefficients: resolveCoefficients(this.options.coefficients),
      names,
      space,
      subSampler: this.options.subSampler?.name ?? null,
    });
  }

  protected startSearch(replay: Replay): NelderMeadReplay {
    const names = simplexNames(replay.space, this.categoricalPolicy);
    return new NelderMeadReplay(
      replay,
      names,
      names.map((n) => replay.space[n]),
      this.pathOptions(names, replay.space, replay.seed),
      this.options.boundary === 'clip',
      this.options.subSampler !== undefined,
    );
  }

  /**
   * The given space; else the stored one; else the first COMPLETE trial's (stored for every worker). Until
   * there is one, a free trial runs (at `start`, or random), or the sampler waits for the one running.
   */
  protected async findSpace(study: StudyView): Promise<{ space: SearchSpace } | { plan: TrialPlan }> {
    if (this.searchSpace) return { space: this.searchSpace };
    const space = await this.inferSpace(study, await study.getSystemAttrs());
    if (space) return { space };
    const running = await study.getTrials({ states: ['RUNNING', 'WAITING'] });
    return { plan: running.length > 0 ? { kind: 'defer' } : { kind: 'free' } };
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
}

/** The simplex's parameters: sorted names with more than one value (categoricals only with policy `error`). */
function simplexNames(space: SearchSpace, categorical: 'error' | 'random'): string[] {
  return Object.keys(space)
    .sort()
    .filter((name) => !isSingleValue(space[name]) && !(categorical === 'random' && space[name].type === 'categorical'));
}
