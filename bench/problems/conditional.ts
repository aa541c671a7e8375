/**
 * Conditional (hierarchical) problems: a categorical switch activates a different sub-space, as in real HPO
 * spaces (which model, then that model's hyperparameters; which optimizer, then its learning rate).
 * Parameters are asked define-by-run, so a trial only holds the active branch's parameters. All minimised,
 * cost 1, with a known global optimum and a known optimum per branch.
 *
 * - `conditional_models` (two levels). `model` ∈ {linear, tree, net}:
 *   - linear: `linear_alpha` (float, log, [1e-5, 1]), `linear_l1_ratio` (float, [0, 1]);
 *     f = 0.3 + 0.05(log10 α + 2)² + 0.4(r − 0.3)²; branch optimum 0.3 at α = 0.01, r = 0.3.
 *   - tree: `tree_depth` (int, [1, 12]), `tree_min_samples` (int, log, [1, 64]), `tree_criterion`
 *     ∈ {gini, entropy, log_loss}; f = 0.2 + 0.004(depth − 7)² + 0.01(log2 s − 3)² + (0, 0.03, 0.06);
 *     branch optimum 0.2 at depth 7, s = 8, gini.
 *   - net: `net_layers` (int, [1, 4]), `net_width` (ordinal 16…512, powers of 2), `net_optimizer`
 *     ∈ {sgd, adam}, then a second level:
 *     - sgd: `sgd_lr` (float, log, [1e-4, 1]), `sgd_momentum` (float, [0, 0.99]);
 *       opt = 0.05 + 0.02(log10 lr + 1 − u)² + 0.5(m − 0.9)²,
 *     - adam: `adam_lr` (float, log, [1e-5, 0.1]), `adam_beta1` (float, [0.5, 0.999]);
 *       opt = 0.02(log10 lr + 3 − u)² + 0.5(b − 0.9)²,
 *     with u = 0.25(log2 width − 7) coupling the best learning rate to the width, and
 *     f = 0.1 + 0.01(layers − 3)² + 0.002(log2 width − 7)² + opt.
 *     Branch optima 0.15 (sgd: lr 0.1, m 0.9) and 0.1 (adam: lr 1e-3, β1 0.9), both at 3 layers, width 128.
 *   Every term is a square with a non-negative weight, so each stated optimum is a lower bound attained at
 *   the stated configuration: the global optimum is 0.1 (net, adam). Dimension 6 (the net branch).
 * - `conditional_functions`. `function` ∈ {branin, hartmann3, hartmann6}, each with its own coordinates
 *   (`branin_x0..1` over Branin's domain, `hartmann3_x0..2`, `hartmann6_x0..5` over [0, 1]); the value is
 *   f(x) − f* + (0.5, 0.25, 0) (see classic.ts for the functions and their verified optima): the easy branch
 *   has the worst optimum; the global optimum 0 is in the 6-D Hartmann branch. Dimension 7.
 *
 * @example
 * ```ts
 * const p = conditionalModels();
 * p.optimum;         // 0.1
 * p.optimalConfig;   // { model: 'net', net_layers: 3, net_width: 128, net_optimizer: 'adam', adam_lr: 0.001, adam_beta1: 0.9 }
 * p.branchOptima;    // { linear: 0.3, tree: 0.2, 'net/sgd': 0.15, 'net/adam': 0.1 }
 * ```
 */
import type { Rng } from 'tansaku/extend';
import { branin, hartmann3, hartmann6, type ContinuousBenchmarkProblem } from './classic.js';
import type { KnownOptimumProblem } from './mixed.js';
import type { ParameterSource } from './problem.js';

/** A conditional problem: its global optimum and the optimum of each branch (by branch path). */
export interface ConditionalBenchmarkProblem extends KnownOptimumProblem {
  /** Optimum of each branch, keyed by the branch path (`tree`, `net/adam`, …). */
  readonly branchOptima: Readonly<Record<string, number>>;
  /** A configuration attaining each branch's optimum, keyed like `branchOptima`. */
  readonly branchOptimalConfigs: Readonly<Record<string, Readonly<Record<string, number | string>>>>;
}

/** Widths of the `net` branch of {@link conditionalModels}. */
export const CONDITIONAL_NET_WIDTHS: readonly number[] = Object.freeze([16, 32, 64, 128, 256, 512]);

const sq = (v: number): number => v * v;

/** `conditional_models`: model → hyperparameters, net → optimizer → its hyperparameters (see the header). */
export function conditionalModels(): ConditionalBenchmarkProblem {
  const branchOptimalConfigs = {
    linear: { model: 'linear', linear_alpha: 0.01, linear_l1_ratio: 0.3 },
    tree: { model: 'tree', tree_depth: 7, tree_min_samples: 8, tree_criterion: 'gini' },
    'net/sgd': { model: 'net', net_layers: 3, net_width: 128, net_optimizer: 'sgd', sgd_lr: 0.1, sgd_momentum: 0.9 },
    'net/adam': { model: 'net', net_layers: 3, net_width: 128, net_optimizer: 'adam', adam_lr: 0.001, adam_beta1: 0.9 },
  };
  return Object.freeze({
    id: 'conditional_models',
    name: 'Conditional models (model → hyperparameters; net → optimizer → its hyperparameters)',
    group: 'conditional',
    directions: Object.freeze(['minimize'] as const),
    dimension: 6,
    optimum: 0.1,
    optimalConfig: Object.freeze(branchOptimalConfigs['net/adam']),
    branchOptima: Object.freeze({ linear: 0.3, tree: 0.2, 'net/sgd': 0.15, 'net/adam': 0.1 }),
    branchOptimalConfigs: Object.freeze(branchOptimalConfigs),
    evaluate(params: ParameterSource, _rng: Rng): number {
      const model = params.suggestCategorical('model', ['linear', 'tree', 'net'] as const);
      if (model === 'linear') {
        const alpha = params.suggestFloat('linear_alpha', 1e-5, 1, { log: true });
        const r = params.suggestFloat('linear_l1_ratio', 0, 1);
        return 0.3 + 0.05 * sq(Math.log10(alpha) + 2) + 0.4 * sq(r - 0.3);
      }
      if (model === 'tree') {
        const depth = params.suggestInt('tree_depth', 1, 12);
        const s = params.suggestInt('tree_min_samples', 1, 64, { log: true });
        const criterion = params.suggestCategorical('tree_criterion', ['gini', 'entropy', 'log_loss'] as const);
        const c = criterion === 'gini' ? 0 : criterion === 'entropy' ? 0.03 : 0.06;
        return 0.2 + 0.004 * sq(depth - 7) + 0.01 * sq(Math.log2(s) - 3) + c;
      }
      const layers = params.suggestInt('net_layers', 1, 4);
      const width = params.suggestOrdinal('net_width', CONDITIONAL_NET_WIDTHS);
      const optimizer = params.suggestCategorical('net_optimizer', ['sgd', 'adam'] as const);
      const u = 0.25 * (Math.log2(width) - 7);
      let opt: number;
      if (optimizer === 'sgd') {
        const lr = params.suggestFloat('sgd_lr', 1e-4, 1, { log: true });
        const m = params.suggestFloat('sgd_momentum', 0, 0.99);
        opt = 0.05 + 0.02 * sq(Math.log10(lr) + 1 - u) + 0.5 * sq(m - 0.9);
      } else {
        const lr = params.suggestFloat('adam_lr', 1e-5, 0.1, { log: true });
        const b = params.suggestFloat('adam_beta1', 0.5, 0.999);
        opt = 0.02 * sq(Math.log10(lr) + 3 - u) + 0.5 * sq(b - 0.9);
      }
      return 0.1 + 0.01 * sq(layers - 3) + 0.002 * sq(Math.log2(width) - 7) + opt;
    },
    lastCost(): number {
      return 1;
    },
  });
}

/** `conditional_functions`: a switch between Branin, Hartmann3 and Hartmann6 (see the header). */
export function conditionalFunctions(): ConditionalBenchmarkProblem {
  const branches: { key: string; p: ContinuousBenchmarkProblem; offset: number }[] = [
    { key: 'branin', p: branin(), offset: 0.5 },
    { key: 'hartmann3', p: hartmann3(), offset: 0.25 },
    { key: 'hartmann6', p: hartmann6(), offset: 0 },
  ];
  const choices = branches.map((b) => b.key);
  const names = branches.map((b) => Array.from({ length: b.p.dimension }, (_, i) => `${b.key}_x${i}`));
  const buffers = branches.map((b) => new Float64Array(b.p.dimension));
  const branchOptima: Record<string, number> = {};
  const branchOptimalConfigs: Record<string, Record<string, number | string>> = {};
  branches.forEach((b, j) => {
    branchOptima[b.key] = b.offset;
    const cfg: Record<string, number | string> = { function: b.key };
    b.p.minimizers[0].forEach((v, i) => {
      cfg[names[j][i]] = v;
    });
    branchOptimalConfigs[b.key] = Object.freeze(cfg);
  });
  return Object.freeze({
    id: 'conditional_functions',
    name: 'Conditional functions (Branin | Hartmann3 | Hartmann6, each with its own coordinates)',
    group: 'conditional',
    directions: Object.freeze(['minimize'] as const),
    dimension: 7,
    optimum: 0,
    optimalConfig: branchOptimalConfigs.hartmann6,
    branchOptima: Object.freeze(branchOptima),
    branchOptimalConfigs: Object.freeze(branchOptimalConfigs),
    evaluate(params: ParameterSource, _rng: Rng): number {
      const key = params.suggestCategorical('function', choices);
      const j = choices.indexOf(key);
      const { p, offset } = branches[j];
      const x = buffers[j];
      for (let i = 0; i < p.dimension; i++) x[i] = params.suggestFloat(names[j][i], p.lower[i], p.upper[i]);
      return p.f(x) - p.optimum + offset;
    },
    lastCost(): number {
      return 1;
    },
  });
}

/** The `conditional` group. */
export function conditionalProblems(): ConditionalBenchmarkProblem[] {
  return [conditionalModels(), conditionalFunctions()];
}
