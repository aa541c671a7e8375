/**
 * Adapter from the BBOB port (`bbob.ts`) to the harness's {@link BenchmarkProblem} interface.
 *
 * Each BBOB function becomes a define-by-run problem with parameters `x0 … x{d-1}`, each asked with
 * `suggestFloat(name, -5, 5)` (COCO's region of interest), minimised, with `optimum = fopt` and cost 1.
 *
 * @example
 * ```ts
 * const p = bbobBenchmark(15, 1, 10);   // f15 rotated Rastrigin, instance 1, 10-D
 * p.id;      // 'bbob_f015_i01_d10'
 * p.group;   // 'bbob-d10'
 * const y = p.evaluate(trial, rng);     // asks x0..x9 from the trial
 * ```
 */
import type { Rng } from 'tansaku/extend';
import { bbobProblem, type BbobProblem } from './bbob.js';
import type { BenchmarkProblem, ParameterSource } from './problem.js';

/** A BBOB function as a {@link BenchmarkProblem}; `bbob` is the underlying problem (xopt, fn, instance). */
export interface BbobBenchmarkProblem extends BenchmarkProblem {
  /** The wrapped BBOB problem (its `xopt`, `fopt`, `fn`, `instance`). */
  readonly bbob: BbobProblem;
  readonly optimum: number;
}

/**
 * The instance of a BBOB problem id (`bbob_f015_i03_d10` → 3), or null for an id that is not BBOB's.
 *
 * @example bbobInstanceOf('bbob_f015_i03_d10'); // 3
 */
export function bbobInstanceOf(problemId: string): number | null {
  const m = /^bbob_f\d+_i(\d+)_/.exec(problemId);
  return m ? Number(m[1]) : null;
}

/** Parameter names used by the BBOB adapter: `x0`, `x1`, ... (shared so other code can build points). */
export function bbobParameterNames(dimension: number): string[] {
  return Array.from({ length: dimension }, (_, i) => `x${i}`);
}

/**
 * BBOB function `fn` (1–24), `instance` (>= 1), `dimension` (2–44) as a benchmark problem of group
 * `bbob-d<dimension>`. Arguments are validated by {@link bbobProblem} (`InvalidArgumentError`).
 * The returned object reuses a buffer between calls (not re-entrant, like the BBOB problem itself).
 */
export function bbobBenchmark(fn: number, instance: number, dimension: number): BbobBenchmarkProblem {
  const bbob = bbobProblem(fn, instance, dimension);
  const names = bbobParameterNames(dimension);
  const x = new Float64Array(dimension);
  return Object.freeze({
    id: bbob.id,
    name: bbob.name,
    group: `bbob-d${dimension}`,
    directions: Object.freeze(['minimize'] as const),
    dimension,
    optimum: bbob.fopt,
    bbob,
    evaluate(params: ParameterSource, _rng: Rng): number {
      for (let i = 0; i < dimension; i++) x[i] = params.suggestFloat(names[i], bbob.lower, bbob.upper);
      return bbob.evaluate(x);
    },
    lastCost(): number {
      return 1;
    },
  });
}
