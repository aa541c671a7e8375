/**
 * Tiny problems of the `toy` group, for the harness's own tests and smoke runs (`--groups toy`): cheap,
 * deterministic, with known optima, and together touching every kind of parameter the bridge forwards
 * (float with log and step, int, categorical with mixed-type choices, ordinal, a conditional branch) and
 * a two-objective problem. They are not a benchmark; the real problems live in `bench/problems/`.
 */
import type { BenchmarkProblem, ParameterSource } from '../problems/problem.js';

function problem(p: Omit<BenchmarkProblem, 'group' | 'lastCost'>): BenchmarkProblem {
  return Object.freeze({ ...p, group: 'toy', lastCost: () => 1 });
}

/** Sphere in d dimensions on [-5, 5]^d, optimum 0 at the origin. */
export function toySphere(d = 2): BenchmarkProblem {
  return problem({
    id: `toy_sphere_d${d}`,
    name: `Sphere ${d}-D`,
    directions: ['minimize'],
    dimension: d,
    optimum: 0,
    evaluate(params: ParameterSource): number {
      let s = 0;
      for (let i = 0; i < d; i++) s += params.suggestFloat(`x${i}`, -5, 5) ** 2;
      return s;
    },
  });
}

/**
 * Every parameter kind: a log float, a stepped float, an int, an ordinal, and a categorical switch whose
 * `'quad'` branch adds a conditional float. Maximised (so sign handling is exercised); optimum 10.
 */
export function toyMixed(): BenchmarkProblem {
  const units = [8, 16, 32, 64, 128] as const;
  return problem({
    id: 'toy_mixed',
    name: 'Mixed and conditional toy',
    directions: ['maximize'],
    dimension: 5,
    optimum: 10,
    evaluate(params: ParameterSource): number {
      const lr = params.suggestFloat('lr', 1e-4, 1, { log: true });
      const drop = params.suggestFloat('drop', 0, 0.5, { step: 0.1 });
      const layers = params.suggestInt('layers', 1, 4);
      const width = params.suggestOrdinal('width', units);
      const kind = params.suggestCategorical('kind', ['quad', 'flat', true, null]);
      let loss = Math.log10(lr / 1e-2) ** 2 + drop * 2 + (layers - 2) ** 2 + Math.abs(Math.log2(width / 32));
      if (kind === 'quad') loss += (params.suggestFloat('c', -1, 1) - 0.25) ** 2;
      else loss += 1;
      return 10 - loss;
    },
  });
}

/** A two-objective problem (a ZDT1-like front on 3 variables), reference point (1.1, 11). */
export function toyBiobjective(): BenchmarkProblem {
  return problem({
    id: 'toy_biobjective',
    name: 'Two-objective toy (ZDT1 on 3 variables)',
    directions: ['minimize', 'minimize'],
    dimension: 3,
    referencePoint: [1.1, 11],
    // The box 1.1 × 11 minus the area under the front f2 = 1 − √f1 on [0, 1] (∫ = 1 − 2/3 = 1/3).
    optimalHypervolume: 1.1 * 11 - 1 / 3,
    evaluate(params: ParameterSource): number[] {
      const x = [0, 1, 2].map((i) => params.suggestFloat(`x${i}`, 0, 1));
      const g = 1 + (9 * (x[1] + x[2])) / 2;
      const f1 = x[0];
      return [f1, g * (1 - Math.sqrt(f1 / g))];
    },
  });
}

/** The problems of the `toy` group. */
export function toyProblems(): BenchmarkProblem[] {
  return [toySphere(2), toyMixed(), toyBiobjective()];
}
