/**
 * The Nelder-Mead method as a pure, replayable state machine over the unit hypercube [0, 1]^d.
 *
 * The search is written as a generator that yields the points it needs evaluated and receives their
 * values. Given the same options and the same values it takes the same path, so the sampler can rebuild
 * the whole state of the search from the trials in the storage (the state rule of ARCHITECTURE.md) by replaying
 * it, and parallel workers agree on every step without talking to each other.
 *
 * Algorithm: Nelder & Mead (1965) with the tie-breaking and acceptance rules of Lagarias, Reeds, Wright
 * & Wright (1998), "Convergence properties of the Nelder-Mead simplex method in low dimensions", SIAM J.
 * Optim. 9(1), in the parametrisation of Ozaki, Yano & Onishi (2017), "Effective hyperparameter
 * optimization using Nelder-Mead method in deep learning", IPSJ Trans. Comput. Vision Appl. 9:20: every
 * trial point is x = c + δ (c − x_worst), c the centroid of all vertices but the worst, with
 * δ_r = 1 (reflection), δ_e = 2 (expansion), δ_oc = 0.5 (outside contraction), δ_ic = −0.5 (inside
 * contraction), and shrink x_i = x_1 + γ_s (x_i − x_1) with γ_s = 0.5.
 *
 * Parallel mode (Watanabe, Ozaki & Onishi 2019, parallel Nelder-Mead for hyperparameter optimisation):
 * reflection, expansion and both contractions depend only on the sorted simplex, so they are requested
 * together and evaluated at once; the serial decision rule is then applied to their values, which
 * reproduces the serial path exactly in one round per iteration. Shrink points and the initial vertices
 * are requested together in both modes.
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';

/** Coefficients of the Nelder-Mead steps (Ozaki et al. 2017's parametrisation). */
export interface NelderMeadCoefficients {
  /** δ_r, default 1. */
  reflection: number;
  /** δ_e, default 2. Must exceed `reflection`. */
  expansion: number;
  /** δ_oc, default 0.5, in (0, reflection). */
  outsideContraction: number;
  /** δ_ic, default −0.5, in (−1, 0). */
  insideContraction: number;
  /** γ_s, default 0.5, in (0, 1). */
  shrink: number;
}

export const DEFAULT_COEFFICIENTS: Readonly<NelderMeadCoefficients> = Object.freeze({
  reflection: 1,
  expansion: 2,
  outsideContraction: 0.5,
  insideContraction: -0.5,
  shrink: 0.5,
});

/**
 * How the initial simplex is made:
 * - `regular`: a regular simplex (all edges equal) centred in the normalised space, as large as fits in
 *   the box, in a seeded random orientation — the initialisation Takenaga, Ozaki & Onishi (2023,
 *   "Practical initialization of the Nelder–Mead method for computationally expensive optimization
 *   problems", Optimization Letters 17) found best for small evaluation budgets (a large, regular
 *   simplex). Its `edge` and `centre` can be set.
 * - `random`: d+1 points uniform in the box.
 * - `lhs`: d+1 points of a Latin hypercube (each axis cut into d+1 strata, one point in each).
 */
export type InitialSimplexMethod = 'regular' | 'random' | 'lhs';

/**
 * Points outside [0, 1]^d: `barrier` (extreme barrier: the point is worst, +∞, and is not evaluated)
 * or `clip` (the point is projected onto the box and evaluated there).
 */
export type BoundaryHandling = 'barrier' | 'clip';

export interface NelderMeadPathOptions {
  dimension: number;
  seed: number;
  coefficients?: Partial<NelderMeadCoefficients>;
  initialSimplex?: InitialSimplexMethod;
  /** Edge length of the regular simplex in unit-cube coordinates; default: the largest that fits. */
  regularEdge?: number;
  /** Centre of the regular simplex in unit-cube coordinates; default 0.5 in every axis. */
  regularCentre?: readonly number[];
  /** A vertex of the first simplex, in unit-cube coordinates (a user's starting point). */
  start?: readonly number[];
  boundary?: BoundaryHandling;
  /** Request reflection, expansion and both contractions at once (exact speculation). */
  parallel?: boolean;
  /** Restart when every vertex is within this ∞-norm distance of the best one (default 1e-6). */
  xTolerance?: number;
  /** Restart when f_worst − f_best ≤ fTolerance · max(1, |f_best|) (default 1e-12). */
  fTolerance?: number;
}

/** What one step of the path did, for inspection and for tests that compare paths. */
export type NelderMeadOperation = 'initial' | 'join' | 'reflect' | 'expand' | 'contract-outside' | 'contract-inside' | 'shrink';

export interface NelderMeadEvent {
  restart: number;
  iteration: number;
  operation: NelderMeadOperation;
  /** The simplex after the step, vertices sorted best first. */
  simplex: number[][];
  values: number[];
}

/** A request for evaluations: the points (unit-cube coordinates, possibly outside the box). */
export type NelderMeadRequest = number[][];

/** A point evaluated outside the path (a spare worker's sub-sampler trial), offered to the simplex. */
export interface NelderMeadJoin {
  x: readonly number[];
  value: number;
}

/**
 * The answer to a request: one value per point, or the values plus points from elsewhere that may join
 * the simplex (each replaces the worst vertex if it is better, before the next iteration).
 */
export type NelderMeadAnswer = readonly number[] | { values: readonly number[]; joins?: readonly NelderMeadJoin[] };

/** Validates user coefficients against the conditions of Lagarias et al. (1998). */
export function resolveCoefficients(partial: Partial<NelderMeadCoefficients> = {}): NelderMeadCoefficients {
  const c = { ...DEFAULT_COEFFICIENTS, ...partial };
  for (const [key, value] of Object.entries(c)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidArgumentError(`NelderMeadSampler: coefficients.${key} must be a finite number, got ${describeValue(value)}`);
    }
  }
  const problems: string[] = [];
  if (!(c.reflection > 0)) problems.push(`reflection must be > 0 (got ${c.reflection})`);
  if (!(c.expansion > c.reflection && c.expansion > 1)) problems.push(`expansion must be > max(1, reflection) (got ${c.expansion})`);
  if (!(c.outsideContraction > 0 && c.outsideContraction < c.reflection)) {
    problems.push(`outsideContraction must be in (0, reflection) (got ${c.outsideContraction})`);
  }
  if (!(c.insideContraction > -1 && c.insideContraction < 0))
    problems.push(`insideContraction must be in (-1, 0) (got ${c.insideContraction})`);
  if (!(c.shrink > 0 && c.shrink < 1)) problems.push(`shrink must be in (0, 1) (got ${c.shrink})`);
  if (problems.length) throw new InvalidArgumentError(`NelderMeadSampler: invalid coefficients: ${problems.join('; ')}`);
  return c;
}

/**
 * A regular simplex with unit edge, centred at the origin, in a seeded random orientation: d+1 vertices.
 * Construction: the standard basis vectors e_1..e_d plus a·(1,…,1) with a = (1 − √(d+1))/d form a
 * regular simplex with edge √2; it is centred, scaled to edge 1 and rotated by a random orthogonal
 * matrix (Gram–Schmidt on Gaussian vectors, which gives a Haar-distributed rotation).
 */
export function regularSimplexOffsets(dimension: number, rng: Rng): number[][] {
  const d = dimension;
  const a = (1 - Math.sqrt(d + 1)) / d;
  const raw: number[][] = [];
  for (let i = 0; i < d; i++) raw.push(Array.from({ length: d }, (_, j) => (j === i ? 1 : 0)));
  raw.push(new Array<number>(d).fill(a));
  const centre = new Array<number>(d).fill(0);
  for (const v of raw) for (let j = 0; j < d; j++) centre[j] += v[j] / (d + 1);
  const scale = 1 / Math.SQRT2;
  const centred = raw.map((v) => v.map((x, j) => (x - centre[j]) * scale));
  const q = randomOrthogonal(d, rng);
  return centred.map((v) => q.map((row) => row.reduce((s, qij, j) => s + qij * v[j], 0)));
}

function randomOrthogonal(d: number, rng: Rng): number[][] {
  const rows: number[][] = [];
  while (rows.length < d) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const r of rows) {
      const dot = r.reduce((s, x, j) => s + x * v[j], 0);
      for (let j = 0; j < d; j++) v[j] -= dot * r[j];
    }
    const norm = Math.hypot(...v);
    if (norm < 1e-8) continue; // numerically dependent: draw again
    rows.push(v.map((x) => x / norm));
  }
  return rows;
}

/** The largest scale s such that centre + s·offset stays in [0, 1]^d for every offset. */
function largestFittingScale(centre: readonly number[], offsets: readonly number[][]): number {
  let s = Infinity;
  for (const v of offsets) {
    for (let j = 0; j < v.length; j++) {
      if (v[j] > 1e-15) s = Math.min(s, (1 - centre[j]) / v[j]);
      else if (v[j] < -1e-15) s = Math.min(s, centre[j] / -v[j]);
    }
  }
  return s;
}

function initialSimplex(options: ResolvedPathOptions, restart: number): number[][] {
  const d = options.dimension;
  const rng = Rng.forKey(options.seed, 'nelder-mead', 'initial', restart);
  const start = restart === 0 ? options.start : undefined;
  let points: number[][];
  switch (options.initialSimplex) {
    case 'random':
      points = Array.from({ length: d + 1 }, () => Array.from({ length: d }, () => rng.random()));
      break;
    case 'lhs': {
      const columns = Array.from({ length: d }, () => rng.shuffle(Array.from({ length: d + 1 }, (_, i) => i)));
      points = Array.from({ length: d + 1 }, (_, i) => columns.map((col) => (col[i] + rng.random()) / (d + 1)));
      break;
    }
    case 'regular': {
      const offsets = regularSimplexOffsets(d, rng);
      if (start) {
        // The start point is vertex 0; the simplex extends from it towards the centre of the box.
        const edge = options.regularEdge ?? 0.5;
        const toVertex0 = offsets[0];
        const towardCentre = start.map((x) => 0.5 - x);
        // Flip the orientation so the body of the simplex lies on the centre's side of the start point.
        const sign = toVertex0.reduce((s, v, j) => s + v * towardCentre[j], 0) > 0 ? -1 : 1;
        points = offsets.map((v) => v.map((x, j) => start[j] + sign * edge * (x - toVertex0[j])));
        points[0] = [...start];
        break;
      }
      // Restarts move the centre at random, keeping the simplex inside the box.
      const centre =
        restart === 0 ? (options.regularCentre ?? new Array<number>(d).fill(0.5)) : Array.from({ length: d }, () => rng.uniform(0.2, 0.8));
      const edge = options.regularEdge ?? largestFittingScale(centre, offsets);
      points = offsets.map((v) => v.map((x, j) => centre[j] + edge * x));
      break;
    }
  }
  if (start && options.initialSimplex !== 'regular') points[0] = [...start];
  return points;
}

export interface ResolvedPathOptions {
  dimension: number;
  seed: number;
  coefficients: NelderMeadCoefficients;
  initialSimplex: InitialSimplexMethod;
  regularEdge: number | undefined;
  regularCentre: readonly number[] | undefined;
  start: readonly number[] | undefined;
  boundary: BoundaryHandling;
  parallel: boolean;
  xTolerance: number;
  fTolerance: number;
}

/** Validates path options (throws `InvalidArgumentError` naming the option); used before a study starts. */
export function resolvePathOptions(o: NelderMeadPathOptions): ResolvedPathOptions {
  if (!Number.isInteger(o.dimension) || o.dimension < 1) {
    throw new InvalidArgumentError(
      `NelderMeadSampler: the search space needs at least one numeric dimension, got ${describeValue(o.dimension)}`,
    );
  }
  const checkPoint = (label: string, p: readonly number[] | undefined) => {
    if (p === undefined) return;
    if (!Array.isArray(p) || p.length !== o.dimension || p.some((x) => typeof x !== 'number' || !(x >= 0 && x <= 1))) {
      throw new InvalidArgumentError(`NelderMeadSampler: ${label} must be ${o.dimension} numbers in [0, 1], got ${describeValue(p)}`);
    }
  };
  checkPoint('regularCentre', o.regularCentre);
  checkPoint('start', o.start);
  if (o.regularEdge !== undefined && !(typeof o.regularEdge === 'number' && o.regularEdge > 0 && Number.isFinite(o.regularEdge))) {
    throw new InvalidArgumentError(`NelderMeadSampler: regularSimplex.edge must be a positive number, got ${describeValue(o.regularEdge)}`);
  }
  const positive = (label: string, v: number | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`NelderMeadSampler: ${label} must be a finite number >= 0, got ${describeValue(v)}`);
    }
    return v;
  };
  const methods: InitialSimplexMethod[] = ['regular', 'random', 'lhs'];
  const initial = o.initialSimplex ?? 'regular';
  if (!methods.includes(initial)) {
    throw new InvalidArgumentError(`NelderMeadSampler: initialSimplex must be one of ${methods.join(', ')}, got ${describeValue(initial)}`);
  }
  const boundary = o.boundary ?? 'barrier';
  if (boundary !== 'barrier' && boundary !== 'clip') {
    throw new InvalidArgumentError(`NelderMeadSampler: boundary must be "barrier" or "clip", got ${describeValue(boundary)}`);
  }
  return {
    dimension: o.dimension,
    seed: o.seed,
    coefficients: resolveCoefficients(o.coefficients),
    initialSimplex: initial,
    regularEdge: o.regularEdge,
    regularCentre: o.regularCentre,
    start: o.start,
    boundary,
    parallel: o.parallel ?? false,
    xTolerance: positive('restart.xTolerance', o.xTolerance, 1e-6),
    fTolerance: positive('restart.fTolerance', o.fTolerance, 1e-12),
  };
}

/** True when the point lies in [0, 1]^d. */
export function insideUnitCube(x: readonly number[]): boolean {
  for (const v of x) if (!(v >= 0 && v <= 1)) return false;
  return true;
}

/**
 * The Nelder-Mead search path: yields requests (arrays of points) and must be resumed with one value per
 * point (+∞ for a failed or infeasible point; minimisation). It never returns: when the simplex collapses
 * (diameter or value spread under the tolerances) it restarts from a new initial simplex, so a study's
 * whole budget is used. `onEvent` sees each accepted step.
 *
 * With `boundary: 'clip'` the requested points are already projected onto the box; with `'barrier'`
 * they may lie outside it, and the caller should answer +∞ for those without evaluating them.
 *
 * @example
 * ```ts
 * const path = nelderMeadPath({ dimension: 2, seed: 1 });
 * let request = path.next().value;           // the initial simplex: 3 points
 * request = path.next(request.map(f)).value; // then a reflection, ...
 * ```
 */
export function* nelderMeadPath(
  options: NelderMeadPathOptions,
  onEvent?: (event: NelderMeadEvent) => void,
): Generator<NelderMeadRequest, never, NelderMeadAnswer> {
  const o = resolvePathOptions(options);
  const { reflection, expansion, outsideContraction, insideContraction, shrink } = o.coefficients;
  const d = o.dimension;
  const project = (x: number[]) => (o.boundary === 'clip' ? x.map((v) => Math.min(1, Math.max(0, v))) : x);
  let joins: NelderMeadJoin[] = [];
  const evaluate = function* (points: number[][]): Generator<NelderMeadRequest, number[], NelderMeadAnswer> {
    const answer = yield points;
    const values = Array.isArray(answer) ? answer : (answer as { values: readonly number[] }).values;
    if (!Array.isArray(answer)) joins.push(...((answer as { joins?: readonly NelderMeadJoin[] }).joins ?? []));
    if (!Array.isArray(values) || values.length !== points.length) {
      throw new InvalidArgumentError(`nelderMeadPath: expected ${points.length} values, got ${describeValue(values)}`);
    }
    // NaN would break every comparison below: a point without a usable value is the worst possible.
    return values.map((v) => (Number.isNaN(v) ? Infinity : v));
  };
  for (let restart = 0; ; restart++) {
    // Vertices and values, kept sorted best first; a stable sort puts a new vertex after equal ones
    // (Lagarias et al.'s tie-breaking rule).
    let xs = initialSimplex(o, restart).map(project);
    joins = []; // points offered to the collapsed simplex do not carry over to a new one
    let fs = yield* evaluate(xs);
    const sortSimplex = () => {
      const order = xs.map((_, i) => i).sort((a, b) => fs[a] - fs[b] || a - b);
      xs = order.map((i) => xs[i]);
      fs = order.map((i) => fs[i]);
    };
    sortSimplex();
    let iteration = 0;
    const emit = (operation: NelderMeadOperation) =>
      onEvent?.({ restart, iteration, operation, simplex: xs.map((x) => [...x]), values: [...fs] });
    emit('initial');
    for (;;) {
      if (joins.length) {
        // Better points found elsewhere replace the worst vertices, best first (greedy), then the usual step.
        const offered = joins.filter((j) => !Number.isNaN(j.value)).sort((a, b) => a.value - b.value);
        joins = [];
        let joined = false;
        for (const j of offered) {
          if (!(j.value < fs[d]) || j.x.length !== d) continue;
          xs[d] = project([...j.x]);
          fs[d] = j.value;
          sortSimplex();
          joined = true;
        }
        if (joined) emit('join');
      }
      iteration++;
      const best = fs[0];
      const worst = fs[d];
      let diameter = 0;
      for (let i = 1; i <= d; i++) for (let j = 0; j < d; j++) diameter = Math.max(diameter, Math.abs(xs[i][j] - xs[0][j]));
      const spread = worst - best;
      // An all-infinite simplex has a NaN spread: nothing to descend, restart too.
      if (diameter <= o.xTolerance || !(spread > o.fTolerance * Math.max(1, Math.abs(best)))) break;
      const centroid = new Array<number>(d).fill(0);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] += xs[i][j] / d;
      const along = (delta: number) => project(centroid.map((c, j) => c + delta * (c - xs[d][j])));
      const xr = along(reflection);
      let fr: number;
      let speculative: number[] | null = null;
      const xe = along(expansion);
      const xoc = along(outsideContraction);
      const xic = along(insideContraction);
      if (o.parallel) {
        speculative = yield* evaluate([xr, xe, xoc, xic]);
        fr = speculative[0];
      } else {
        [fr] = yield* evaluate([xr]);
      }
      const speculatedValue = function* (index: 1 | 2 | 3, x: number[]): Generator<NelderMeadRequest, number, NelderMeadAnswer> {
        if (speculative) return speculative[index];
        const [v] = yield* evaluate([x]);
        return v;
      };
      let accepted: { x: number[]; f: number; operation: NelderMeadOperation } | null = null;
      if (fr < best) {
        const fe = yield* speculatedValue(1, xe);
        accepted = fe < fr ? { x: xe, f: fe, operation: 'expand' } : { x: xr, f: fr, operation: 'reflect' };
      } else if (fr < fs[d - 1]) {
        accepted = { x: xr, f: fr, operation: 'reflect' };
      } else if (fr < worst) {
        const foc = yield* speculatedValue(2, xoc);
        if (foc <= fr) accepted = { x: xoc, f: foc, operation: 'contract-outside' };
      } else {
        const fic = yield* speculatedValue(3, xic);
        if (fic < worst) accepted = { x: xic, f: fic, operation: 'contract-inside' };
      }
      if (accepted) {
        xs[d] = accepted.x;
        fs[d] = accepted.f;
        sortSimplex();
        emit(accepted.operation);
        continue;
      }
      const shrunk = xs.slice(1).map((x) => project(x.map((v, j) => xs[0][j] + shrink * (v - xs[0][j]))));
      const shrunkValues = yield* evaluate(shrunk);
      xs = [xs[0], ...shrunk];
      fs = [fs[0], ...shrunkValues];
      sortSimplex();
      emit('shrink');
    }
  }
}
