/**
 * Mixed-integer problems: classic functions whose coordinates are of three kinds (integers asked with
 * `suggestInt`, an ordered grid asked with `suggestOrdinal`, continuous with `suggestFloat`), plus one
 * categorical parameter that changes the landscape. The global optimum lies on the grid by construction:
 *
 * - `mixed_levy_*`: Levy (Surjanovic & Bingham's library; see classic.ts) evaluated at y = x − s_c, plus a
 *   penalty p_c, where the categorical `offset` ∈ {a, b, c} gives s = (0, 2, −3), p = (0, 0.25, 0.5).
 *   Integers in [−10, 10], grid {−10, −6, −4, −2, −1, 0, 1, 2, 3, 4, 6, 10}, floats in [−10, 10].
 *   Levy is a sum of non-negative terms that all vanish only at y = (1, …, 1), so f ≥ p_c ≥ 0 with equality
 *   only for `offset = a`, x = (1, …, 1) — an integer and a grid value. Each other choice has its own minimum
 *   p_c at x = 1 + s_c (also on every kind of coordinate), a trap for samplers that settle early.
 * - `mixed_rosenbrock_*`: Rosenbrock (non-separable) the same way, `offset` ∈ {a, b, c} with
 *   s = (0, 1, −2), p = (0, 1, 2); integers in [−5, 10], grid {−5, −3, −2, −1, 0, 1, 2, 3, 5, 10}, floats in
 *   [−5, 10]. Rosenbrock ≥ 0 with equality only at y = 1: optimum 0 at `offset = a`, x = 1.
 * - `mixed_styblinski_tang_*`: Styblinski-Tang (separable) at y = σ_c·x with `sign` ∈ {plus, minus},
 *   σ = (+1, −1). Integers in [−5, 5], grid {−5, −4, x*, −2, −1, 0, 1, 2, 3, 4, 5} with
 *   x* = −2.903534027771177 (the continuous minimiser), floats in [−5, 5]. Per coordinate the minimum is −39
 *   on the integers (at −3 for plus, 3 for minus; ½(81 − 144 − 15)), −39.16616570377142 on the grid for plus
 *   (at x*) but only −39 for minus (−x* is not on the grid), and −39.16616570377142 on the floats; so the
 *   optimum is `sign = plus` with f* = −39·nInt − 39.16616570377142·(nOrd + nFloat), and `minus` is worse by
 *   0.16616570377142·nOrd.
 *
 * Coordinates are named `x0 … x{d−1}` (integers first, then grid, then floats); the categorical is `offset`
 * or `sign`, asked first. All minimised, cost 1. test/bench/mixed.test.ts proves each optimum by brute force
 * over every configuration of small all-discrete variants.
 *
 * @example
 * ```ts
 * const p = mixedLevy();                 // 2 integers, 2 grid coordinates, 2 floats, + `offset`
 * p.optimum;                             // 0
 * p.optimalConfig;                       // { offset: 'a', x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1 }
 * ```
 */
import { InvalidArgumentError } from 'tansaku';
import type { Rng } from 'tansaku/extend';
import { levyFunction, rosenbrockFunction, STYBLINSKI_TANG_FOPT_PER_DIM, STYBLINSKI_TANG_XOPT, styblinskiTangFunction } from './classic.js';
import type { BenchmarkProblem, ParameterSource } from './problem.js';

/** A problem whose optimum is attained at a known configuration. */
export interface KnownOptimumProblem extends BenchmarkProblem {
  readonly optimum: number;
  /** A configuration (parameter name → value) at which `optimum` is attained. */
  readonly optimalConfig: Readonly<Record<string, number | string>>;
}

/** How many coordinates of each kind a mixed problem has. */
export interface MixedLayout {
  /** Coordinates asked with `suggestInt` (default 2). */
  readonly integers?: number;
  /** Coordinates asked with `suggestOrdinal` over the problem's grid (default 2). */
  readonly ordinals?: number;
  /** Coordinates asked with `suggestFloat` (default 2). */
  readonly floats?: number;
}

/** A mixed problem; `kindOf[i]` says how coordinate `x{i}` is asked. */
export interface MixedBenchmarkProblem extends KnownOptimumProblem {
  readonly kinds: readonly ('int' | 'ordinal' | 'float')[];
  readonly lower: number;
  readonly upper: number;
  readonly grid: readonly number[];
  readonly categorical: { readonly name: string; readonly choices: readonly string[] };
}

interface MixedSpec {
  base: string;
  title: string;
  layout: MixedLayout;
  lower: number;
  upper: number;
  grid: readonly number[];
  catName: string;
  choices: readonly string[];
  sign: readonly number[];
  shift: readonly number[];
  penalty: readonly number[];
  f: (y: Float64Array) => number;
  optimum: (nInt: number, nOrd: number, nFloat: number) => number;
  optimalX: { int: number; ordinal: number; float: number; choice: number };
}

function count(name: string, v: number | undefined): number {
  const n = v ?? 2;
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError(`mixed layout: ${name} must be an integer from 0 to 100, got ${String(v)}`);
  }
  return n;
}

function mixedProblem(spec: MixedSpec, minDimension: number): MixedBenchmarkProblem {
  const nInt = count('integers', spec.layout.integers);
  const nOrd = count('ordinals', spec.layout.ordinals);
  const nFloat = count('floats', spec.layout.floats);
  const d = nInt + nOrd + nFloat;
  if (d < minDimension) {
    throw new InvalidArgumentError(
      `${spec.base}: needs at least ${minDimension} coordinates in all, got integers=${nInt}, ordinals=${nOrd}, floats=${nFloat}`,
    );
  }
  const kinds: ('int' | 'ordinal' | 'float')[] = [
    ...new Array<'int'>(nInt).fill('int'),
    ...new Array<'ordinal'>(nOrd).fill('ordinal'),
    ...new Array<'float'>(nFloat).fill('float'),
  ];
  const names = kinds.map((_, i) => `x${i}`);
  const y = new Float64Array(d);
  const optimalConfig: Record<string, number | string> = { [spec.catName]: spec.choices[spec.optimalX.choice] };
  kinds.forEach((k, i) => {
    optimalConfig[names[i]] = k === 'int' ? spec.optimalX.int : k === 'ordinal' ? spec.optimalX.ordinal : spec.optimalX.float;
  });
  return Object.freeze({
    id: `${spec.base}_i${nInt}o${nOrd}f${nFloat}`,
    name: `${spec.title} (${nInt} integer, ${nOrd} grid, ${nFloat} continuous, 1 categorical)`,
    group: 'mixed',
    directions: Object.freeze(['minimize'] as const),
    dimension: d + 1,
    optimum: spec.optimum(nInt, nOrd, nFloat),
    optimalConfig: Object.freeze(optimalConfig),
    kinds: Object.freeze(kinds),
    lower: spec.lower,
    upper: spec.upper,
    grid: Object.freeze([...spec.grid]),
    categorical: Object.freeze({ name: spec.catName, choices: Object.freeze([...spec.choices]) }),
    evaluate(params: ParameterSource, _rng: Rng): number {
      const c = spec.choices.indexOf(params.suggestCategorical(spec.catName, spec.choices));
      for (let i = 0; i < d; i++) {
        const k = kinds[i];
        const x =
          k === 'int'
            ? params.suggestInt(names[i], spec.lower, spec.upper)
            : k === 'ordinal'
              ? params.suggestOrdinal(names[i], spec.grid)
              : params.suggestFloat(names[i], spec.lower, spec.upper);
        y[i] = spec.sign[c] * x - spec.shift[c];
      }
      return spec.f(y) + spec.penalty[c];
    },
    lastCost(): number {
      return 1;
    },
  });
}

/** Mixed Levy (see the file header); `layout` defaults to 2 integer, 2 grid, 2 continuous coordinates. */
export function mixedLevy(layout: MixedLayout = {}): MixedBenchmarkProblem {
  return mixedProblem(
    {
      base: 'mixed_levy',
      title: 'Mixed Levy',
      layout,
      lower: -10,
      upper: 10,
      grid: [-10, -6, -4, -2, -1, 0, 1, 2, 3, 4, 6, 10],
      catName: 'offset',
      choices: ['a', 'b', 'c'],
      sign: [1, 1, 1],
      shift: [0, 2, -3],
      penalty: [0, 0.25, 0.5],
      f: levyFunction,
      optimum: () => 0,
      optimalX: { int: 1, ordinal: 1, float: 1, choice: 0 },
    },
    1,
  );
}

/** Mixed Rosenbrock (see the file header); at least 2 coordinates. */
export function mixedRosenbrock(layout: MixedLayout = {}): MixedBenchmarkProblem {
  return mixedProblem(
    {
      base: 'mixed_rosenbrock',
      title: 'Mixed Rosenbrock',
      layout,
      lower: -5,
      upper: 10,
      grid: [-5, -3, -2, -1, 0, 1, 2, 3, 5, 10],
      catName: 'offset',
      choices: ['a', 'b', 'c'],
      sign: [1, 1, 1],
      shift: [0, 1, -2],
      penalty: [0, 1, 2],
      f: rosenbrockFunction,
      optimum: () => 0,
      optimalX: { int: 1, ordinal: 1, float: 1, choice: 0 },
    },
    2,
  );
}

/** Mixed Styblinski-Tang (see the file header). */
export function mixedStyblinskiTang(layout: MixedLayout = {}): MixedBenchmarkProblem {
  return mixedProblem(
    {
      base: 'mixed_styblinski_tang',
      title: 'Mixed Styblinski-Tang',
      layout,
      lower: -5,
      upper: 5,
      grid: [-5, -4, STYBLINSKI_TANG_XOPT, -2, -1, 0, 1, 2, 3, 4, 5],
      catName: 'sign',
      choices: ['plus', 'minus'],
      sign: [1, -1],
      shift: [0, 0],
      penalty: [0, 0],
      f: styblinskiTangFunction,
      optimum: (nInt, nOrd, nFloat) => -39 * nInt + STYBLINSKI_TANG_FOPT_PER_DIM * (nOrd + nFloat),
      optimalX: { int: -3, ordinal: STYBLINSKI_TANG_XOPT, float: STYBLINSKI_TANG_XOPT, choice: 0 },
    },
    1,
  );
}

/** The `mixed` group: the three mixed problems with the default layout (7 parameters each). */
export function mixedProblems(): MixedBenchmarkProblem[] {
  return [mixedLevy(), mixedRosenbrock(), mixedStyblinskiTang()];
}
