/**
 * `CoordinateSearchSampler`: the coordinate-search method, a directional direct-search method with the
 * poll set D⊕ = {±e_i} (Conn, Scheinberg & Vicente 2009, "Introduction to Derivative-Free
 * Optimization", SIAM, Algorithm 7.1; used for DNN hyperparameters by Ozaki, Yano & Onishi 2017).
 *
 * The search runs in the unit cube: each parameter is mapped to [0, 1] by `toUnit` (log-scaled ones in
 * log space), and a poll point's value is mapped back by `fromUnit`, so integers, stepped floats and
 * ordinal values are snapped to the cell the poll point falls in. An iteration polls, in order, for
 * each parameter (names sorted) the points x + α·e_i and x - α·e_i, and stops at the first poll point
 * strictly better than x (opportunistic polling): x moves there and α is kept. When no poll point is
 * better, α is halved. Poll points outside the cube are skipped (treated as not better, never
 * evaluated); a poll point that snaps to x itself is skipped too.
 *
 * Categorical parameters have no order, so α means nothing for them: every iteration also polls each
 * other choice of each categorical parameter at x (a discrete neighbourhood, as in mixed-variable
 * pattern search, Audet & Dennis 2001, SIAM J. Optim. 11(3)). Points already evaluated are answered
 * from the study's trials without a new trial, so these polls cost nothing after the first time.
 *
 * When α falls below `minStep` the search has converged: with `onConverge: "restart"` (the default, so
 * the whole budget is used) it starts again from a random point (drawn from the seed; when every
 * parameter is discrete, a point not visited yet) with α = `initialStep`; with "stop" the study is
 * exhausted. A fully discrete space is exhausted once every point is visited.
 *
 * Parallel workers: while the next poll point runs, idle workers evaluate the following poll points of
 * the same iteration speculatively (each claimed with a key, so none runs twice). The path (the
 * sequence of iterates and steps) is exactly the serial one; a speculative point the serial search
 * would not have needed costs one evaluation, and is reused if the search needs it later. FAIL and
 * PRUNED trials count as the worst value. The path is replayed from the study's trials, so a restarted
 * process continues the same search (see `path-search.ts`).
 */
import { fromUnit, toUnit, type Distribution, type ParamValue } from '../../core/distributions.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import type { JsonValue } from '../../core/trial-record.js';
import {
  PathSearchSampler,
  checkChoice,
  checkStartPoint,
  latticeAxis,
  randomUnvisitedPoint,
  startInternal,
  type PathContext,
  type PathSearch,
  type PathSearchOptions,
  type Point,
} from './engine.js';

const OPTION_NAMES = ['seed', 'searchSpace', 'start', 'initialStep', 'minStep', 'onConverge'] as const;
/** Old option names, read as their new ones (with a warning) until 1.0. */
const RENAMED_OPTIONS = { initialPoint: 'start' } as const;

/** Options of {@link CoordinateSearchSampler}. */
export interface CoordinateSearchSamplerOptions extends PathSearchOptions {
  /** Start point (objective-facing values); parameters not given start at the middle of their range (`fromUnit(d, 0.5)`). */
  start?: Record<string, ParamValue>;
  /** @deprecated The old name of `start`, accepted with a warning until 1.0. */
  initialPoint?: Record<string, ParamValue>;
  /** Initial step α0 in the unit cube, in (0, 1]. Default 0.25. */
  initialStep?: number;
  /** The search has converged when α falls below this (> 0 and <= initialStep). Default 1e-3. */
  minStep?: number;
  /** On convergence: "restart" from a random point (default) or "stop" (the study is exhausted). */
  onConverge?: 'stop' | 'restart';
}

const NAME = 'CoordinateSearchSampler';

/**
 * Coordinate search (compass search with the poll set {±e_i}) in the unit cube, with restarts.
 *
 * @example
 * ```ts
 * import { createStudy, CoordinateSearchSampler } from 'tansaku';
 *
 * const study = await createStudy({
 *   sampler: new CoordinateSearchSampler({ start: { lr: 1e-3 }, initialStep: 0.25 }),
 * });
 * await study.optimize((trial) => {
 *   const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
 *   const layers = trial.suggestInt('layers', 1, 8);
 *   return validationLoss(lr, layers);
 * }, { nTrials: 100 });
 * ```
 */
export class CoordinateSearchSampler extends PathSearchSampler {
  readonly name = NAME;
  readonly start: Readonly<Record<string, ParamValue>> | undefined;
  readonly initialStep: number;
  readonly minStep: number;
  readonly onConverge: 'stop' | 'restart';

  constructor(given: CoordinateSearchSamplerOptions = {}) {
    super('coordinate-search', given, NAME);
    const options = checkOptions(NAME, given, OPTION_NAMES, RENAMED_OPTIONS);
    this.start = checkStartPoint(NAME, 'start', options.start);
    const initialStep = options.initialStep ?? 0.25;
    if (typeof initialStep !== 'number' || !(initialStep > 0 && initialStep <= 1)) {
      throw new InvalidArgumentError(
        `${NAME}: initialStep must be a number in (0, 1] (a step in the unit cube), got ${describeValue(initialStep)}`,
      );
    }
    const minStep = options.minStep ?? Math.min(1e-3, initialStep);
    if (typeof minStep !== 'number' || !(minStep > 0 && minStep <= initialStep)) {
      throw new InvalidArgumentError(
        `${NAME}: minStep must be a number > 0 and <= initialStep (${initialStep}), got ${describeValue(minStep)}`,
      );
    }
    this.initialStep = initialStep;
    this.minStep = minStep;
    this.onConverge = checkChoice(NAME, 'onConverge', options.onConverge, ['stop', 'restart'] as const, 'restart');
    this.checkGivenSpace();
  }

  protected override renamedOptions(): Readonly<Record<string, string>> {
    return RENAMED_OPTIONS;
  }

  protected config(): Record<string, JsonValue> {
    return {
      start: (this.start ?? null) as JsonValue,
      initialStep: this.initialStep,
      minStep: this.minStep,
      onConverge: this.onConverge,
    };
  }

  protected startValue(name: string, distribution: Distribution): number {
    if (this.start && Object.hasOwn(this.start, name)) {
      return startInternal(NAME, 'start', name, distribution, this.start[name]);
    }
    return fromUnit(distribution, 0.5);
  }

  protected *createSearch(ctx: PathContext): PathSearch {
    const ds = ctx.distributions;
    const discrete = ds.every((d) => !(d.type === 'float' && d.step === null && d.low !== d.high));
    // Restarts draw from every value of a discrete space (Infinity: a log-scaled int keeps one level per integer).
    const lattice = discrete ? ds.map((d, i) => latticeAxis(ctx.names[i], d, Infinity)) : null;
    // Steps are alpha0 / 2^k for k = 0..halvings, all whole multiples of the smallest one, `unit`: the
    // iterate is kept as whole offsets of `unit` from its origin, so returning to a point gives exactly
    // the same values (no rounding drift), and a point already evaluated is recognised.
    let halvings = 0;
    while (this.initialStep / 2 ** (halvings + 1) >= this.minStep) halvings++;
    const unit = this.initialStep / 2 ** halvings;
    let origin: Point = ctx.start;
    for (let restart = 0; ; restart++) {
      const frame: PollFrame = { ds, origin, base: ds.map((d, i) => (d.type === 'categorical' ? 0 : toUnit(d, origin[i]))), unit };
      let x: Iterate = { point: origin, offsets: ds.map(() => 0) };
      let [fx] = yield { evaluate: [x.point] };
      for (let k = halvings; k >= 0; ) {
        const polls = pollSet(frame, x, 2 ** k);
        let moved = false;
        for (let j = 0; j < polls.length; j++) {
          const [f] = yield { evaluate: [polls[j].point], speculative: polls.slice(j + 1).map((p) => p.point) };
          if (f < fx) {
            x = polls[j];
            fx = f;
            moved = true;
            break;
          }
        }
        if (!moved) k--; // halve the step
      }
      if (this.onConverge === 'stop') return;
      const rng = Rng.forKey(ctx.seed, 'coordinate-search', 'restart', restart);
      if (lattice) {
        const next = randomUnvisitedPoint(lattice, ctx, rng);
        if (next === null) return; // every point visited
        origin = next;
      } else {
        origin = ds.map((d) => (d.type === 'categorical' ? rng.integer(0, d.choices.length - 1) : fromUnit(d, rng.random())));
      }
    }
  }
}

/** Where an iteration's unit-cube coordinates come from: `base + offset * unit`, offset 0 being `origin` exactly. */
interface PollFrame {
  ds: readonly Distribution[];
  origin: Point;
  base: readonly number[];
  unit: number;
}

/** The current point and its offsets (in `unit`s; unused for categorical parameters). */
interface Iterate {
  point: Point;
  offsets: readonly number[];
}

/**
 * The poll points of x with step `stride` units, in polling order: for each parameter, x + alpha e_i
 * then x - alpha e_i in the unit cube (skipped outside it, or when they snap back to x's value); for a
 * categorical one, each other choice.
 */
function pollSet(frame: PollFrame, x: Iterate, stride: number): Iterate[] {
  const out: Iterate[] = [];
  frame.ds.forEach((d, i) => {
    const at = (point: Point, offsets: readonly number[]) => out.push({ point, offsets });
    if (d.type === 'categorical') {
      for (let c = 0; c < d.choices.length; c++) {
        if (c === x.point[i]) continue;
        const p = [...x.point];
        p[i] = c;
        at(p, x.offsets);
      }
      return;
    }
    for (const n of [x.offsets[i] + stride, x.offsets[i] - stride]) {
      const u = frame.base[i] + n * frame.unit;
      if (u < 0 || u > 1) continue;
      const v = n === 0 ? frame.origin[i] : fromUnit(d, u);
      if (v === x.point[i]) continue;
      const p = [...x.point];
      p[i] = v;
      const offsets = [...x.offsets];
      offsets[i] = n;
      at(p, offsets);
    }
  });
  return out;
}
