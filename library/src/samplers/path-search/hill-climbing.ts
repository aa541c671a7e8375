/**
 * `HillClimbingSampler`: steepest-ascent hill climbing on a lattice of parameter levels.
 *
 * From the current point it evaluates every neighbour, one level away along one axis (for each
 * parameter in name order: the level below, then the level above; for a categorical parameter, every
 * other choice), and moves to the best neighbour that is strictly better than the current point (the
 * first one in that order on a tie). At a local peak (no neighbour is better) it either stops, which
 * makes the study exhausted, or restarts from a random point the search has not visited yet
 * (`onConverge`, default "restart"). When every point of the lattice is visited the study is exhausted.
 *
 * Levels: ordinal, linear int and stepped float parameters have one level per value (so a linear int
 * range of 1000 values is an axis of 1000 levels: give it a `step`, or `suggestOrdinal(name, logGrid(...))`
 * for a log-spaced axis of your choice); a continuous float is cut into `floatLevels` levels evenly spaced
 * over its range, in log space when it is log-scaled, and so is a log-scaled int with more values than
 * that (its levels rounded to integers, duplicates merged: `suggestInt('units', 64, 1024, { log: true })`
 * has levels 64, 84, 111, …, 776, 1024, not 961 levels one unit apart); categorical choices are levels without order.
 *
 * The neighbours of one step are evaluated in parallel by concurrent workers and processes (each is
 * claimed with a key, so none runs twice); the path is the same whatever the number of workers. Points
 * already evaluated (by this search, another sampler or an enqueued trial) are not run again. FAIL and
 * PRUNED trials count as the worst value. The path is replayed from the study's trials, so a restarted
 * process continues the same search (see `path-search.ts`).
 */
import type { Distribution, ParamValue } from '../../core/distributions.js';
import { checkOptions } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import type { JsonValue } from '../../core/trial-record.js';
import {
  PathSearchSampler,
  checkChoice,
  checkFloatLevels,
  checkStartPoint,
  latticeAxis,
  randomUnvisitedPoint,
  startInternal,
  type LatticeAxis,
  type PathContext,
  type PathSearch,
  type PathSearchOptions,
  type Point,
} from './engine.js';

const OPTION_NAMES = ['seed', 'searchSpace', 'start', 'onConverge', 'floatLevels'] as const;
/** Old option names, read as their new ones (with a warning) until 1.0. */
const RENAMED_OPTIONS = { onPeak: 'onConverge' } as const;

/** Options of {@link HillClimbingSampler}. */
export interface HillClimbingSamplerOptions extends PathSearchOptions {
  /**
   * Start point (objective-facing values, snapped to the nearest level); parameters not given start at
   * a random level drawn from the seed.
   */
  start?: Record<string, ParamValue>;
  /** At a local peak: "restart" from a random unvisited point (default), or "stop" (the study is exhausted). */
  onConverge?: 'stop' | 'restart';
  /** @deprecated The old name of `onConverge`, accepted with a warning until 1.0. */
  onPeak?: 'stop' | 'restart';
  /**
   * Levels of a continuous float parameter, and of a log-scaled int parameter with more values than
   * this (log-spaced, rounded, duplicates merged), both ends included. Default 11.
   */
  floatLevels?: number;
}

const NAME = 'HillClimbingSampler';

/**
 * The neighbours of a point on a lattice: for each axis in order, the level below and the level
 * above (for a categorical axis, every other choice in list order).
 */
export function latticeNeighbours(axes: readonly LatticeAxis[], point: Point): Point[] {
  const out: Point[] = [];
  axes.forEach((axis, i) => {
    const at = axis.indexOf(point[i]);
    const levels = axis.categorical
      ? Array.from({ length: axis.count }, (_, k) => k).filter((k) => k !== at)
      : [at - 1, at + 1].filter((k) => k >= 0 && k < axis.count);
    for (const k of levels) {
      const next = [...point];
      next[i] = axis.value(k);
      out.push(next);
    }
  });
  return out;
}

/**
 * Steepest-ascent hill climbing over the lattice of parameter levels, with restarts at local peaks.
 *
 * @example
 * ```ts
 * import { createStudy, HillClimbingSampler, logGrid } from 'tansaku';
 *
 * const study = await createStudy({
 *   direction: 'maximize',
 *   sampler: new HillClimbingSampler({ start: { n1: 64, n2: 64 }, onConverge: 'stop' }),
 * });
 * await study.optimize((trial) => accuracy(trial.suggestOrdinal('n1', logGrid(8, 4096, 2)),
 *                                          trial.suggestOrdinal('n2', logGrid(8, 4096, 2))));
 * // optimize returns at the first local peak
 * ```
 */
export class HillClimbingSampler extends PathSearchSampler {
  readonly name = NAME;
  readonly start: Readonly<Record<string, ParamValue>> | undefined;
  readonly onConverge: 'stop' | 'restart';
  readonly floatLevels: number;

  constructor(given: HillClimbingSamplerOptions = {}) {
    super('hill-climbing', given, NAME);
    const options = checkOptions(NAME, given, OPTION_NAMES, RENAMED_OPTIONS);
    this.start = checkStartPoint(NAME, 'start', options.start);
    this.onConverge = checkChoice(NAME, 'onConverge', options.onConverge, ['stop', 'restart'] as const, 'restart');
    this.floatLevels = checkFloatLevels(NAME, options.floatLevels);
    this.checkGivenSpace();
  }

  protected override renamedOptions(): Readonly<Record<string, string>> {
    return RENAMED_OPTIONS;
  }

  protected config(): Record<string, JsonValue> {
    return { start: (this.start ?? null) as JsonValue, onConverge: this.onConverge, floatLevels: this.floatLevels };
  }

  protected startValue(name: string, distribution: Distribution, seed: number): number {
    const axis = latticeAxis(name, distribution, this.floatLevels);
    if (this.start && Object.hasOwn(this.start, name)) {
      return axis.value(axis.indexOf(startInternal(NAME, 'start', name, distribution, this.start[name])));
    }
    return axis.value(Rng.forKey(seed, 'hill-climbing', 'start', name).integer(0, axis.count - 1));
  }

  protected *createSearch(ctx: PathContext): PathSearch {
    const axes = ctx.names.map((n, i) => latticeAxis(n, ctx.distributions[i], this.floatLevels));
    let current: Point = ctx.start;
    for (let restart = 0; ; restart++) {
      let [loss] = yield { evaluate: [current] };
      for (;;) {
        const neighbours = latticeNeighbours(axes, current);
        if (neighbours.length === 0) break;
        const losses = yield { evaluate: neighbours };
        let best = -1;
        losses.forEach((l, i) => {
          if (l < (best < 0 ? loss : losses[best])) best = i;
        });
        if (best < 0) break; // a local peak
        current = neighbours[best];
        loss = losses[best];
      }
      if (this.onConverge === 'stop') return;
      const next = randomUnvisitedPoint(axes, ctx, Rng.forKey(ctx.seed, 'hill-climbing', 'restart', restart));
      if (next === null) return; // every point visited
      current = next;
    }
  }
}
