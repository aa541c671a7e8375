/**
 * `CrossSearchSampler`: cross-search on a lattice of parameter levels (Imai 2024, "Proposal of a
 * hyperparameter optimization method for neural networks"), made for ordinal axes such as layer sizes
 * `logGrid(8, 4096, 2)`.
 *
 * Full cross-search (the default): evaluate the whole line through the current best point along one
 * axis, move to the best point of that line, then do the same along the next axis, and so on in turn,
 * until every axis's line through the current best has been evaluated without finding a better point
 * (a full cycle without improvement). The axis order is the parameters' names, sorted, starting at
 * `firstAxis` (the source document's "(L1)" and "(L2)" rows differ by which layer goes first).
 *
 * Partial cross-search (`limit: k`): along an axis, walk from the current best point in both
 * directions, one level at a time, and stop a direction once `k` steps have passed without improving
 * on the best value seen in that direction (k steps past a local peak) or at the end of the axis; then
 * move to the best point either walk found (the upward walk wins a tie). A categorical axis has no
 * order: its line is every choice, as in full cross-search.
 *
 * Moves are to strictly better points (on a tie within a line, the lowest level). When the search has
 * converged it stops and the study is exhausted, or, with `onConverge: "restart"`, it starts again from
 * a random point it has not visited; it is exhausted when every point is visited.
 *
 * A whole line (or, in partial mode, the next `k - steps since the best` points of each walk, which
 * the walk needs whatever their values) is evaluated in parallel by concurrent workers and processes,
 * each point claimed with a key so none runs twice; the path is the same whatever the number of
 * workers. Points already evaluated (by this search, another sampler or an enqueued trial) are reused,
 * never run again. FAIL and PRUNED trials count as the worst value. The path is replayed from the
 * study's trials, so a restarted process continues the same search (see `path-search.ts`).
 *
 * Levels: as {@link HillClimbingSampler} (one level per ordinal, linear int or stepped-float value;
 * `floatLevels` levels for a continuous float and for a log-scaled int with more values than that;
 * categorical choices without order).
 */
import type { Distribution, ParamValue } from '../../core/distributions.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
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

const OPTION_NAMES = ['seed', 'searchSpace', 'start', 'firstAxis', 'limit', 'onConverge', 'floatLevels'] as const;

/** Options of {@link CrossSearchSampler}. */
export interface CrossSearchSamplerOptions extends PathSearchOptions {
  /**
   * Start point (objective-facing values, snapped to the nearest level); parameters not given start at
   * a random level drawn from the seed.
   */
  start?: Record<string, ParamValue>;
  /** The axis searched first; then the others in name order (wrapping around). Default: the first name. */
  firstAxis?: string;
  /**
   * Partial cross-search: steps walked past a local peak along an axis (an integer >= 1). Default:
   * full cross-search (every point of the line).
   */
  limit?: number;
  /** When a full cycle brings no improvement: "stop" (default; the study is exhausted) or "restart" from a random unvisited point. */
  onConverge?: 'stop' | 'restart';
  /**
   * Levels of a continuous float parameter, and of a log-scaled int parameter with more values than
   * this (log-spaced, rounded, duplicates merged), both ends included. Default 11.
   */
  floatLevels?: number;
}

const NAME = 'CrossSearchSampler';

/** The best of one line or walk: the point and its loss, or null when nothing beat the start. */
type LineResult = { point: Point; loss: number } | null;

/**
 * Full or partial cross-search over the lattice of parameter levels.
 *
 * @example
 * ```ts
 * import { createStudy, CrossSearchSampler, logGrid } from 'tansaku';
 *
 * const study = await createStudy({
 *   direction: 'maximize',
 *   sampler: new CrossSearchSampler({ start: { n1: 64, n2: 64 }, firstAxis: 'n1' }), // add limit: 2 for partial
 * });
 * await study.optimize(
 *   (trial) => trainMlp(trial.suggestOrdinal('n1', logGrid(8, 4096, 2)), trial.suggestOrdinal('n2', logGrid(8, 4096, 2))),
 *   { concurrency: 4 }, // a line's points run 4 at a time; optimize returns when the search has converged
 * );
 * ```
 */
export class CrossSearchSampler extends PathSearchSampler {
  readonly name = NAME;
  readonly start: Readonly<Record<string, ParamValue>> | undefined;
  readonly firstAxis: string | undefined;
  readonly limit: number | undefined;
  readonly onConverge: 'stop' | 'restart';
  readonly floatLevels: number;

  constructor(given: CrossSearchSamplerOptions = {}) {
    super('cross-search', given, NAME);
    const options = checkOptions(NAME, given, OPTION_NAMES);
    this.start = checkStartPoint(NAME, 'start', options.start);
    if (options.firstAxis !== undefined && (typeof options.firstAxis !== 'string' || options.firstAxis.length === 0)) {
      throw new InvalidArgumentError(`${NAME}: firstAxis must be a parameter name, got ${describeValue(options.firstAxis)}`);
    }
    this.firstAxis = options.firstAxis;
    if (options.limit !== undefined && (typeof options.limit !== 'number' || !Number.isInteger(options.limit) || options.limit < 1)) {
      throw new InvalidArgumentError(
        `${NAME}: limit must be an integer >= 1 (steps past a local peak), got ${describeValue(options.limit)}; leave it out for full cross-search`,
      );
    }
    this.limit = options.limit;
    this.onConverge = checkChoice(NAME, 'onConverge', options.onConverge, ['stop', 'restart'] as const, 'stop');
    this.floatLevels = checkFloatLevels(NAME, options.floatLevels);
    this.checkGivenSpace();
  }

  protected override checkSpace(names: readonly string[], distributions: readonly Distribution[]): void {
    super.checkSpace(names, distributions);
    if (this.firstAxis !== undefined && !names.includes(this.firstAxis)) {
      throw new InvalidArgumentError(
        `${NAME}: firstAxis ${JSON.stringify(this.firstAxis)} is not a parameter of the search space (${names.join(', ')})`,
      );
    }
  }

  protected config(): Record<string, JsonValue> {
    return {
      start: (this.start ?? null) as JsonValue,
      firstAxis: this.firstAxis ?? null,
      limit: this.limit ?? null,
      onConverge: this.onConverge,
      floatLevels: this.floatLevels,
    };
  }

  protected startValue(name: string, distribution: Distribution, seed: number): number {
    const axis = latticeAxis(name, distribution, this.floatLevels);
    if (this.start && Object.hasOwn(this.start, name)) {
      return axis.value(axis.indexOf(startInternal(NAME, 'start', name, distribution, this.start[name])));
    }
    return axis.value(Rng.forKey(seed, 'cross-search', 'start', name).integer(0, axis.count - 1));
  }

  protected *createSearch(ctx: PathContext): PathSearch {
    const axes = ctx.names.map((n, i) => latticeAxis(n, ctx.distributions[i], this.floatLevels));
    const first = this.firstAxis === undefined ? 0 : ctx.names.indexOf(this.firstAxis);
    const order = axes.map((_, i) => (first + i) % axes.length);
    let current: Point = ctx.start;
    for (let restart = 0; ; restart++) {
      let [loss] = yield { evaluate: [current] };
      // Axes searched in a row without a move; a move makes its own axis's line already searched.
      let unmoved = 0;
      for (let a = 0; unmoved < axes.length; a = (a + 1) % axes.length) {
        const i = order[a];
        const found: LineResult =
          this.limit === undefined || axes[i].categorical
            ? yield* fullLine(axes[i], i, current, loss)
            : yield* partialWalk(axes[i], i, current, loss, this.limit);
        if (found) {
          current = found.point;
          loss = found.loss;
          unmoved = 1;
        } else {
          unmoved++;
        }
      }
      if (this.onConverge === 'stop') return;
      const next = randomUnvisitedPoint(axes, ctx, Rng.forKey(ctx.seed, 'cross-search', 'restart', restart));
      if (next === null) return;
      current = next;
    }
  }
}

function withLevel(point: Point, i: number, value: number): Point {
  const next = [...point];
  next[i] = value;
  return next;
}

/** Every other point of the line through `current` along axis `i`; the best one if it beats `loss`. */
function* fullLine(
  axis: LatticeAxis,
  i: number,
  current: Point,
  loss: number,
): Generator<{ evaluate: Point[] }, LineResult, readonly number[]> {
  const at = axis.indexOf(current[i]);
  const line: Point[] = [];
  for (let k = 0; k < axis.count; k++) if (k !== at) line.push(withLevel(current, i, axis.value(k)));
  if (line.length === 0) return null;
  const losses = yield { evaluate: line };
  let best = -1;
  losses.forEach((l, j) => {
    if (l < (best < 0 ? loss : losses[best])) best = j;
  });
  return best < 0 ? null : { point: line[best], loss: losses[best] };
}

/**
 * Walks from `current` along axis `i`, up and down at once, each direction stopping `limit` steps past
 * the best value it has seen (or at the end of the axis). Each request holds, per direction, the
 * points the walk needs whatever their values: `limit - (steps since its best)` of them.
 */
function* partialWalk(
  axis: LatticeAxis,
  i: number,
  current: Point,
  loss: number,
  limit: number,
): Generator<{ evaluate: Point[] }, LineResult, readonly number[]> {
  const at = axis.indexOf(current[i]);
  const walks = [+1, -1].map((step) => ({ step, pos: at, best: loss, bestPos: -1, since: 0, active: true }));
  for (;;) {
    const parts: { walk: (typeof walks)[number]; positions: number[] }[] = [];
    for (const walk of walks) {
      if (!walk.active) continue;
      const positions: number[] = [];
      for (let j = 1; j <= limit - walk.since; j++) {
        const p = walk.pos + j * walk.step;
        if (p < 0 || p >= axis.count) break;
        positions.push(p);
      }
      if (positions.length === 0) walk.active = false;
      else parts.push({ walk, positions });
    }
    if (parts.length === 0) break;
    const losses = yield { evaluate: parts.flatMap((part) => part.positions.map((p) => withLevel(current, i, axis.value(p)))) };
    let n = 0;
    for (const { walk, positions } of parts) {
      for (const p of positions) {
        const l = losses[n++];
        walk.pos = p;
        if (l < walk.best) {
          walk.best = l;
          walk.bestPos = p;
          walk.since = 0;
        } else if (++walk.since >= limit) {
          walk.active = false;
        }
      }
    }
  }
  const [up, down] = walks;
  const winner = down.bestPos >= 0 && (up.bestPos < 0 || down.best < up.best) ? down : up.bestPos >= 0 ? up : null;
  return winner ? { point: withLevel(current, i, axis.value(winner.bestPos)), loss: winner.best } : null;
}
