/**
 * Multi-objective benchmark problems (all objectives minimised, cost 1), with a hypervolume reference point
 * and the hypervolume of the true Pareto front:
 *
 * - ZDT1, ZDT2, ZDT3: E. Zitzler, K. Deb, L. Thiele, "Comparison of Multiobjective Evolutionary Algorithms:
 *   Empirical Results", Evolutionary Computation 8(2), 2000. n variables in [0, 1] (n = 30 by default),
 *   f1 = x1, g = 1 + 9/(n−1)·Σ_{i≥2} x_i, f2 = g·h(f1, g) with h = 1 − √(f1/g) (ZDT1), 1 − (f1/g)² (ZDT2),
 *   1 − √(f1/g) − (f1/g)·sin(10π f1) (ZDT3). Pareto set: x_i = 0 for i ≥ 2 (g = 1).
 * - DTLZ1, DTLZ2: K. Deb, L. Thiele, M. Laumanns, E. Zitzler, "Scalable Multi-Objective Optimization Test
 *   Problems", Proc. CEC 2002 (and the 2001 TIK report 112). M objectives, n = M + k − 1 variables in [0, 1],
 *   k = 5 for DTLZ1 and k = 10 for DTLZ2 as in the paper. DTLZ1: g = 100[k + Σ((x_i − ½)² − cos(20π(x_i − ½)))],
 *   f_m = ½(1 + g)·Π x·(1 − x) (linear front Σf = ½); DTLZ2: g = Σ(x_i − ½)², f_m = (1 + g)·Π cos·sin(x·π/2)
 *   (front: the unit sphere's positive orthant). Pareto set: the last k variables = ½ (g = 0).
 *
 * Default reference points: BoTorch's (botorch/test_functions/multi_objective.py, from Yang et al. 2019):
 * (11, 11) for ZDT, 400 per objective for DTLZ1, 1.1 per objective for DTLZ2. They are far from the front
 * on purpose: at hyperparameter-optimisation budgets (a few hundred evaluations) nothing a sampler finds on
 * ZDT (n = 30; a random point has g ≈ 5.5) or DTLZ1 (g in the hundreds) dominates the tight points used with
 * evolutionary budgets ((1.1, 1.1), 1 per objective), so every run's hypervolume would be 0 and every sampler
 * would tie. Another reference point can be passed.
 *
 * Optimal hypervolumes, for any reference point r the formulas hold for:
 * - ZDT1: HV* = (r2 − 1) + 2/3 + (r1 − 1)·r2, exact (∫₀¹ √a da = 2/3): 263/300 at (1.1, 1.1), 362/3 at (11, 11).
 * - ZDT2: HV* = (r2 − 1) + 1/3 + (r1 − 1)·r2, exact: 163/300 at (1.1, 1.1), 361/3 at (11, 11).
 * - ZDT3, r = (1.1, 1.1): HV* = ∫₀¹ (r2 − m(a)) da + (r1 − 1)(r2 − m(1)), m the running minimum of
 *   1 − √a − a·sin(10πa) (the front is the non-dominated part of that curve: five pieces). Computed
 *   numerically (trapezoid rule with compensated summation on 4·10⁷ intervals; 10⁵, 10⁶, 10⁷ intervals give
 *   errors 7.8e-9, 2.2e-10, 6e-12): 1.331762908656 (±1e-11). `zdt3OptimalHypervolume(r)` recomputes it (10⁶
 *   intervals, ~2e-10) for other reference points.
 * - DTLZ1 (r_i ≥ ½): the dominated region is {0 ≤ z ≤ r, Σz ≥ ½}: HV* = Π r_i − (½)^M / M!, exact
 *   (BoTorch's `_max_hv` subtracts 1/2^M instead of the simplex's (½)^M/M!; immaterial at 400^M).
 *   At r = (400, …, 400): 400^M − (½)^M/M!.
 * - DTLZ2, r = (1.1, …, 1.1): the dominated region is {0 ≤ z ≤ r, |z| ≥ 1}: HV* = Π r_i − V_M / 2^M with
 *   V_M = π^{M/2}/Γ(M/2 + 1) the unit ball's volume (M = 2: π/4; M = 3: π/6), exact (needs r_i ≥ 1).
 * Test file test/bench/multiobjective.test.ts checks each against the exact hypervolume of a dense sample of
 * the true front (library/src/core/hypervolume.ts).
 *
 * @example
 * ```ts
 * const p = zdt1();              // 30 variables x0..x29
 * const [f1, f2] = p.evaluate(trial, rng) as number[];
 * p.referencePoint;              // [11, 11]
 * p.optimalHypervolume;          // 120.66666666666667
 * ```
 */
import { InvalidArgumentError } from 'tansaku';
import type { Rng } from 'tansaku/extend';
import type { BenchmarkProblem, ParameterSource } from './problem.js';

/** A multi-objective problem over [0, 1]^n with a known front. */
export interface MultiObjectiveBenchmarkProblem extends BenchmarkProblem {
  readonly referencePoint: readonly number[];
  readonly optimalHypervolume: number;
  /** Number of objectives. */
  readonly objectives: number;
  /** Parameter names, `x0 … x{n-1}`, each asked with `suggestFloat(name, 0, 1)`. */
  readonly parameterNames: readonly string[];
  /** The objective vector at `x` (length `dimension`, each in [0, 1]). */
  f(x: ArrayLike<number>): number[];
  /**
   * A point of the Pareto set for the given position: `position` has `objectives − 1` numbers in [0, 1]
   * (ZDT: f1; DTLZ: x1 … x_{M−1}); the remaining variables are set to their optimal value.
   */
  paretoSetPoint(position: readonly number[]): number[];
  /** Points of the true Pareto front, `perAxis` positions per free axis (dominated parts of ZDT3 removed). */
  paretoFront(perAxis: number): number[][];
}

interface MoSpec {
  id: string;
  name: string;
  group: string;
  n: number;
  m: number;
  referencePoint: readonly number[];
  optimalHypervolume: number;
  f: (x: ArrayLike<number>) => number[];
  paretoSetPoint: (position: readonly number[]) => number[];
  frontFilter?: (points: number[][]) => number[][];
}

function moProblem(spec: MoSpec): MultiObjectiveBenchmarkProblem {
  const names = Array.from({ length: spec.n }, (_, i) => `x${i}`);
  const x = new Float64Array(spec.n);
  return Object.freeze({
    id: spec.id,
    name: spec.name,
    group: spec.group,
    directions: Object.freeze(new Array<'minimize'>(spec.m).fill('minimize')),
    dimension: spec.n,
    objectives: spec.m,
    referencePoint: Object.freeze([...spec.referencePoint]),
    optimalHypervolume: spec.optimalHypervolume,
    parameterNames: Object.freeze(names),
    f(point: ArrayLike<number>): number[] {
      if (point.length !== spec.n) {
        throw new InvalidArgumentError(`${spec.id}: x must have length ${spec.n}, got length ${point.length}`);
      }
      return spec.f(point);
    },
    paretoSetPoint(position: readonly number[]): number[] {
      if (position.length !== spec.m - 1 || position.some((v) => !(v >= 0 && v <= 1))) {
        throw new InvalidArgumentError(`${spec.id}: position must be ${spec.m - 1} numbers in [0, 1], got ${JSON.stringify(position)}`);
      }
      return spec.paretoSetPoint(position);
    },
    paretoFront(perAxis: number): number[][] {
      if (!Number.isInteger(perAxis) || perAxis < 2) {
        throw new InvalidArgumentError(`${spec.id}: perAxis must be an integer >= 2, got ${String(perAxis)}`);
      }
      const out: number[][] = [];
      const pos = new Array<number>(spec.m - 1).fill(0);
      const rec = (axis: number): void => {
        if (axis === spec.m - 1) {
          out.push(spec.f(spec.paretoSetPoint(pos)));
          return;
        }
        for (let i = 0; i < perAxis; i++) {
          pos[axis] = i / (perAxis - 1);
          rec(axis + 1);
        }
      };
      rec(0);
      return spec.frontFilter ? spec.frontFilter(out) : out;
    },
    evaluate(params: ParameterSource, _rng: Rng): number[] {
      for (let i = 0; i < spec.n; i++) x[i] = params.suggestFloat(names[i], 0, 1);
      return spec.f(x);
    },
    lastCost(): number {
      return 1;
    },
  });
}

function checkReference(id: string, ref: readonly number[], m: number, min: readonly number[]): void {
  if (ref.length !== m || ref.some((v, i) => !Number.isFinite(v) || v < min[i])) {
    throw new InvalidArgumentError(
      `${id}: referencePoint must be ${m} finite numbers, each at least ${JSON.stringify(min)} (beyond the ` +
        `front's nadir, where the optimal hypervolume formula holds), got ${JSON.stringify(ref)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// ZDT

/** Options of the ZDT problems. */
export interface ZdtOptions {
  /** Number of variables, >= 2 (default 30, as in Zitzler et al. 2000). */
  readonly variables?: number;
  /** Hypervolume reference point (default [11, 11], BoTorch's). */
  readonly referencePoint?: readonly number[];
}

/** BoTorch's ZDT reference point (see the file header for why not (1.1, 1.1)). */
const ZDT_DEFAULT_REFERENCE = [11, 11];

function zdtG(x: ArrayLike<number>): number {
  const n = x.length;
  let s = 0;
  for (let i = 1; i < n; i++) s += x[i];
  return 1 + (9 * s) / (n - 1);
}

function zdtVariables(id: string, options: ZdtOptions): number {
  const n = options.variables ?? 30;
  if (!Number.isInteger(n) || n < 2 || n > 10_000) {
    throw new InvalidArgumentError(`${id}: variables must be an integer from 2 to 10000, got ${String(n)}`);
  }
  return n;
}

function zdtParetoSet(n: number): (position: readonly number[]) => number[] {
  return (position) => {
    const x = new Array<number>(n).fill(0);
    x[0] = position[0];
    return x;
  };
}

function zdt(
  which: 1 | 2 | 3,
  options: ZdtOptions,
  h: (f1: number, g: number) => number,
  hv: (r: readonly number[]) => number,
  nadirMin: readonly number[],
  frontFilter?: (points: number[][]) => number[][],
): MultiObjectiveBenchmarkProblem {
  const base = `zdt${which}`;
  const n = zdtVariables(base, options);
  const ref = options.referencePoint ?? ZDT_DEFAULT_REFERENCE;
  checkReference(base, ref, 2, nadirMin);
  return moProblem({
    id: `${base}_n${n}`,
    name: `ZDT${which}, ${n} variables`,
    group: 'zdt',
    n,
    m: 2,
    referencePoint: ref,
    optimalHypervolume: hv(ref),
    f: (x) => {
      const f1 = x[0];
      const g = zdtG(x);
      return [f1, g * h(f1, g)];
    },
    paretoSetPoint: zdtParetoSet(n),
    frontFilter,
  });
}

/** ZDT1: convex front f2 = 1 − √f1. */
export function zdt1(options: ZdtOptions = {}): MultiObjectiveBenchmarkProblem {
  return zdt(
    1,
    options,
    (f1, g) => 1 - Math.sqrt(f1 / g),
    (r) => r[1] - 1 + 2 / 3 + (r[0] - 1) * r[1],
    [1, 1],
  );
}

/** ZDT2: concave front f2 = 1 − f1². */
export function zdt2(options: ZdtOptions = {}): MultiObjectiveBenchmarkProblem {
  return zdt(
    2,
    options,
    (f1, g) => 1 - (f1 / g) ** 2,
    (r) => r[1] - 1 + 1 / 3 + (r[0] - 1) * r[1],
    [1, 1],
  );
}

function zdt3Curve(a: number): number {
  return 1 - Math.sqrt(a) - a * Math.sin(10 * Math.PI * a);
}

/** ZDT3's optimal hypervolume for r = (1.1, 1.1), computed as stated in the file header. */
export const ZDT3_OPTIMAL_HYPERVOLUME = 1.331762908656;

/**
 * Hypervolume of ZDT3's true front for reference point `r` (r1 >= 1, r2 >= 1): trapezoid rule over the
 * running minimum of the front curve, compensated summation, `intervals` steps (error ~2e-10 at 10⁶).
 */
export function zdt3OptimalHypervolume(r: readonly number[], intervals = 1_000_000): number {
  let m = zdt3Curve(0);
  let prev = r[1] - m;
  let s = 0;
  let c = 0;
  for (let j = 1; j <= intervals; j++) {
    const v = zdt3Curve(j / intervals);
    if (v < m) m = v;
    const cur = r[1] - m;
    const y = (prev + cur) / 2 / intervals - c;
    const t = s + y;
    c = t - s - y;
    s = t;
    prev = cur;
  }
  return s + (r[0] - 1) * (r[1] - m);
}

/** Keeps the non-dominated points of a 2-objective set (for ZDT3's disconnected front). */
function nondominated2d(points: number[][]): number[][] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[][] = [];
  let best = Infinity;
  for (const p of sorted) {
    if (p[1] < best) {
      out.push(p);
      best = p[1];
    }
  }
  return out;
}

/** ZDT3: disconnected front (five pieces of f2 = 1 − √f1 − f1 sin(10π f1)). */
export function zdt3(options: ZdtOptions = {}): MultiObjectiveBenchmarkProblem {
  const ref = options.referencePoint ?? ZDT_DEFAULT_REFERENCE;
  const isTight = ref.length === 2 && ref[0] === 1.1 && ref[1] === 1.1;
  return zdt(
    3,
    options,
    (f1, g) => 1 - Math.sqrt(f1 / g) - (f1 / g) * Math.sin(10 * Math.PI * f1),
    (r) => (isTight ? ZDT3_OPTIMAL_HYPERVOLUME : zdt3OptimalHypervolume(r)),
    [1, 1],
    nondominated2d,
  );
}

/** Options of {@link zdtProblems}. */
export interface ZdtProblemsOptions {
  /** Number of variables (default 30). */
  readonly variables?: number;
}

/** The `zdt` group: ZDT1, ZDT2, ZDT3. */
export function zdtProblems(options: ZdtProblemsOptions = {}): MultiObjectiveBenchmarkProblem[] {
  const o = { variables: options.variables };
  return [zdt1(o), zdt2(o), zdt3(o)];
}

// ---------------------------------------------------------------------------------------------------------
// DTLZ

/** Options of the DTLZ problems. */
export interface DtlzOptions {
  /** Number of objectives M >= 2 (default 3). */
  readonly objectives?: number;
  /** Size k of the distance part (default 5 for DTLZ1, 10 for DTLZ2, as in Deb et al. 2002); n = M + k − 1. */
  readonly k?: number;
  /** Hypervolume reference point (default, BoTorch's: all 400 for DTLZ1, all 1.1 for DTLZ2). */
  readonly referencePoint?: readonly number[];
}

function factorial(m: number): number {
  let f = 1;
  for (let i = 2; i <= m; i++) f *= i;
  return f;
}

/** Volume of the unit ball in M dimensions: π^{M/2} / Γ(M/2 + 1), by the recursion V_M = 2π/M · V_{M−2}. */
export function unitBallVolume(m: number): number {
  if (m === 0) return 1;
  if (m === 1) return 2;
  return ((2 * Math.PI) / m) * unitBallVolume(m - 2);
}

function dtlzArgs(which: 1 | 2, options: DtlzOptions): { m: number; k: number; n: number } {
  const id = `dtlz${which}`;
  const m = options.objectives ?? 3;
  const k = options.k ?? (which === 1 ? 5 : 10);
  if (!Number.isInteger(m) || m < 2 || m > 20) {
    throw new InvalidArgumentError(`${id}: objectives must be an integer from 2 to 20, got ${String(m)}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new InvalidArgumentError(`${id}: k must be an integer from 1 to 1000, got ${String(k)}`);
  }
  return { m, k, n: m + k - 1 };
}

function dtlzParetoSet(m: number, n: number): (position: readonly number[]) => number[] {
  return (position) => {
    const x = new Array<number>(n).fill(0.5);
    for (let i = 0; i < m - 1; i++) x[i] = position[i];
    return x;
  };
}

/** DTLZ1: linear front Σ f = ½ (g has 11^k − 1 local fronts). */
export function dtlz1(options: DtlzOptions = {}): MultiObjectiveBenchmarkProblem {
  const { m, k, n } = dtlzArgs(1, options);
  const ref = options.referencePoint ?? new Array<number>(m).fill(400);
  checkReference('dtlz1', ref, m, new Array<number>(m).fill(0.5));
  return moProblem({
    id: `dtlz1_m${m}_k${k}`,
    name: `DTLZ1, ${m} objectives, ${n} variables`,
    group: 'dtlz',
    n,
    m,
    referencePoint: ref,
    optimalHypervolume: ref.reduce((a, b) => a * b, 1) - 0.5 ** m / factorial(m),
    f: (x) => {
      let g = 0;
      for (let i = m - 1; i < n; i++) {
        const d = x[i] - 0.5;
        g += d * d - Math.cos(20 * Math.PI * d);
      }
      g = 100 * (k + g);
      const out = new Array<number>(m);
      for (let j = 0; j < m; j++) {
        let v = 0.5 * (1 + g);
        for (let i = 0; i < m - 1 - j; i++) v *= x[i];
        if (j > 0) v *= 1 - x[m - 1 - j];
        out[j] = v;
      }
      return out;
    },
    paretoSetPoint: dtlzParetoSet(m, n),
  });
}

/** DTLZ2: spherical front |f| = 1. */
export function dtlz2(options: DtlzOptions = {}): MultiObjectiveBenchmarkProblem {
  const { m, k, n } = dtlzArgs(2, options);
  const ref = options.referencePoint ?? new Array<number>(m).fill(1.1);
  checkReference('dtlz2', ref, m, new Array<number>(m).fill(1));
  return moProblem({
    id: `dtlz2_m${m}_k${k}`,
    name: `DTLZ2, ${m} objectives, ${n} variables`,
    group: 'dtlz',
    n,
    m,
    referencePoint: ref,
    optimalHypervolume: ref.reduce((a, b) => a * b, 1) - unitBallVolume(m) / 2 ** m,
    f: (x) => {
      let g = 0;
      for (let i = m - 1; i < n; i++) g += (x[i] - 0.5) ** 2;
      const out = new Array<number>(m);
      for (let j = 0; j < m; j++) {
        let v = 1 + g;
        for (let i = 0; i < m - 1 - j; i++) v *= Math.cos((x[i] * Math.PI) / 2);
        if (j > 0) v *= Math.sin((x[m - 1 - j] * Math.PI) / 2);
        out[j] = v;
      }
      return out;
    },
    paretoSetPoint: dtlzParetoSet(m, n),
  });
}

/** Options of {@link dtlzProblems}. */
export interface DtlzProblemsOptions {
  /** Numbers of objectives to include (default [2, 3]). */
  readonly objectives?: readonly number[];
}

/** The `dtlz` group: DTLZ1 and DTLZ2 for each number of objectives (default 2 and 3). */
export function dtlzProblems(options: DtlzProblemsOptions = {}): MultiObjectiveBenchmarkProblem[] {
  const out: MultiObjectiveBenchmarkProblem[] = [];
  for (const m of options.objectives ?? [2, 3]) out.push(dtlz1({ objectives: m }), dtlz2({ objectives: m }));
  return out;
}
