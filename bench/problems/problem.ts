/**
 * The one interface every benchmark problem implements, so the side-by-side harness (`bench/compare`) can
 * run any problem with any sampler — Tansaku's, or Optuna's through the Python bridge.
 *
 * A problem is define-by-run, like a real objective: `evaluate` asks its parameters from a
 * {@link ParameterSource} (a Tansaku `Trial` is one; the Optuna bridge provides another), so conditional
 * spaces (a categorical switch that activates a sub-space) are expressed exactly as users write them.
 */
import type { CategoricalChoice, OrdinalValue } from 'tansaku';
import type { Rng } from 'tansaku/extend';

/** The suggest API a problem uses: a subset of Tansaku's `Trial`, which satisfies it as is. */
export interface ParameterSource {
  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number | null }): number;
  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number;
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T;
  /**
   * An ordered discrete axis (a log2 grid of layer sizes, a tabular benchmark's value list). Samplers that
   * know order (Nelder-Mead, cross-search) use it; the Optuna bridge gives Optuna an IntDistribution over
   * the value indices, which keeps the order.
   */
  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T;
}

/** One benchmark problem: a function (or table) with a known optimum, so regret can be measured. */
export interface BenchmarkProblem {
  /** Stable id used in result files, e.g. `bbob_f001_i01_d05`, `branin`, `hpobench_mlp_kc1`. */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** Group the harness aggregates over, e.g. `bbob-d5`, `classic`, `mixed`, `conditional`, `hpobench`, `zdt`. */
  readonly group: string;
  /** One entry per objective. Single-objective problems have one. */
  readonly directions: readonly ('minimize' | 'maximize')[];
  /** Number of parameters (of the largest branch for conditional problems). */
  readonly dimension: number;
  /**
   * Best attainable value (single-objective): regret = |best found − optimum|, normalised by the group's
   * rule. For tables, the best mean over seeds. Undefined for multi-objective problems.
   */
  readonly optimum?: number;
  /** Multi-objective problems: the hypervolume reference point (in the problems' directions' sense). */
  readonly referencePoint?: readonly number[];
  /** Multi-objective problems: hypervolume of the true Pareto front w.r.t. `referencePoint`, if known. */
  readonly optimalHypervolume?: number;
  /**
   * Evaluates one configuration, suggesting its parameters from `params`. `rng` is for problems with noise
   * (a tabular benchmark picks one seed's value at random); deterministic problems ignore it.
   * Returns the value, or one value per objective, or a promise of them (a surrogate model that runs
   * asynchronously, e.g. `lcbench`): the harness awaits it before telling the trial, and never evaluates one
   * problem object twice at once. Synchronous problems return the value itself and pay no await.
   */
  evaluate(params: ParameterSource, rng: Rng): number | readonly number[] | Promise<number | readonly number[]>;
  /**
   * Cost of the evaluation just made, in the problem's units (1 for synthetic functions and the shared
   * tables; the surrogate's predicted training seconds for `lcbench`), so parallel wall-clock can be
   * simulated. Called right after `evaluate` (after its promise settled).
   */
  lastCost(): number;
  /**
   * Noisy problems (a tabular benchmark returns one seed's value): the noise-free value of the evaluation
   * just made (the mean over seeds), so regret measures the configuration found, not its lucky seed.
   */
  lastMean?(): number;
}
