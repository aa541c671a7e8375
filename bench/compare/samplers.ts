/**
 * The samplers the side-by-side harness compares, by name. Tansaku samplers are made in-process; Optuna
 * samplers run in Optuna 3.1 through the bridge (`optuna_bridge.py`, which documents their settings).
 *
 * Adding a Tansaku sampler is one line in {@link TANSAKU_SAMPLERS}, e.g.
 *   tansaku('my-sampler', 'MySampler', (seed) => new MySampler({ seed }), 'single'),
 * Its name on the command line and in reports is then `tansaku-my-sampler`.
 */
import {
  type Sampler,
  CoordinateSearchSampler,
  CrossSearchSampler,
  HillClimbingSampler,
  NelderMeadSampler,
  QmcSampler,
  RandomSampler,
  TpeSampler,
} from 'tansaku';
import type { BenchmarkProblem } from '../problems/problem.js';
import type { OptunaSamplerName } from './optuna-bridge.js';

export type Framework = 'tansaku' | 'optuna';
/** Which problems a sampler is run on by default: single-objective, multi-objective, or both. */
export type ObjectiveSupport = 'single' | 'multi' | 'both';

export interface SamplerEntry {
  /** Name used on the command line and in reports: `tansaku-<short>` or `optuna-<short>`. */
  readonly name: string;
  readonly framework: Framework;
  /** One line for reports. */
  readonly description: string;
  readonly objectives: ObjectiveSupport;
  /** Tansaku: the sampler for one run (a fresh one per run), seeded with the run's seed. */
  readonly create?: (seed: number, problem: BenchmarkProblem) => Sampler;
  /** Optuna: the bridge's sampler name. */
  readonly optuna?: OptunaSamplerName;
}

function tansaku(
  short: string,
  description: string,
  create: (seed: number, problem: BenchmarkProblem) => Sampler,
  objectives: ObjectiveSupport = 'both',
): SamplerEntry {
  return Object.freeze({ name: `tansaku-${short}`, framework: 'tansaku' as const, description, objectives, create });
}

function optuna(short: OptunaSamplerName, description: string, objectives: ObjectiveSupport = 'both'): SamplerEntry {
  return Object.freeze({ name: `optuna-${short}`, framework: 'optuna' as const, description, objectives, optuna: short });
}

/** Tansaku's samplers: one line each. */
export const TANSAKU_SAMPLERS: readonly SamplerEntry[] = [
  tansaku('random', 'RandomSampler', (seed) => new RandomSampler({ seed })),
  tansaku('qmc', 'QmcSampler (scrambled Sobol)', (seed) => new QmcSampler({ seed })),
  tansaku('tpe', 'TpeSampler (defaults: multivariate for one objective, constant liar)', (seed) => new TpeSampler({ seed })),
  // Optuna 3.1's choices, against optuna-tpe and optuna-tpe-mv: the fidelity pair.
  tansaku('tpe-3.1', "TpeSampler({ preset: 'optuna-3.1' })", (seed) => new TpeSampler({ seed, preset: 'optuna-3.1' })),
  tansaku(
    'tpe-3.1-mv',
    "TpeSampler({ preset: 'optuna-3.1', multivariate: true })",
    (seed) => new TpeSampler({ seed, preset: 'optuna-3.1', multivariate: true }),
  ),
  // Categorical parameters (mixed, conditional groups) are drawn at random: a simplex needs order.
  tansaku(
    'nelder-mead',
    'NelderMeadSampler (serial, regular initial simplex, barrier)',
    (seed) => new NelderMeadSampler({ seed, categorical: 'random' }),
    'single',
  ),
  tansaku('coordinate', 'CoordinateSearchSampler', (seed) => new CoordinateSearchSampler({ seed }), 'single'),
  tansaku('hill-climbing', 'HillClimbingSampler (restart at peaks)', (seed) => new HillClimbingSampler({ seed }), 'single'),
  tansaku(
    'cross-search',
    'CrossSearchSampler (full, restart at convergence)',
    (seed) => new CrossSearchSampler({ seed, onConverge: 'restart' }),
    'single',
  ),
];

/** Optuna 3.1's samplers, through the bridge. */
export const OPTUNA_SAMPLERS: readonly SamplerEntry[] = [
  optuna('random', 'RandomSampler'),
  optuna('tpe', 'TPESampler (defaults)'),
  optuna('tpe-mv', 'TPESampler(multivariate=True)'),
  optuna('qmc', 'QMCSampler(sobol, scramble=True)'),
  optuna('cmaes', 'CmaEsSampler (defaults)', 'single'),
  optuna('nsga2', 'NSGAIISampler (defaults)', 'multi'),
];

/** Every sampler, Tansaku's first. */
export const ALL_SAMPLERS: readonly SamplerEntry[] = [...TANSAKU_SAMPLERS, ...OPTUNA_SAMPLERS];

/** The sampler named `name`, or undefined. */
export function samplerByName(name: string): SamplerEntry | undefined {
  return ALL_SAMPLERS.find((s) => s.name === name);
}

/**
 * The fidelity pairs: Tansaku's TPE with Optuna 3.1's choices against Optuna 3.1's TPE (univariate and
 * multivariate), and Tansaku's TPE with its own defaults against Optuna 3.1's default TPE.
 */
export const FIDELITY_PAIRS = [
  ['tansaku-tpe-3.1', 'optuna-tpe'],
  ['tansaku-tpe-3.1-mv', 'optuna-tpe-mv'],
  ['tansaku-tpe', 'optuna-tpe'],
] as const;

/** The pair the self-check compares (Tansaku Random vs Optuna Random). */
export const SELF_CHECK_PAIR = ['tansaku-random', 'optuna-random'] as const;

/**
 * Resolves a `--samplers` list: full names, `tansaku` / `optuna` (all of one framework), or `all`.
 * Throws with the known names for an unknown one.
 */
export function resolveSamplers(spec: string | readonly string[]): SamplerEntry[] {
  const names = (typeof spec === 'string' ? spec.split(',') : spec).map((s) => s.trim()).filter(Boolean);
  const out: SamplerEntry[] = [];
  const add = (s: SamplerEntry): void => {
    if (!out.includes(s)) out.push(s);
  };
  for (const n of names) {
    if (n === 'all') ALL_SAMPLERS.forEach(add);
    else if (n === 'tansaku') TANSAKU_SAMPLERS.forEach(add);
    else if (n === 'optuna') OPTUNA_SAMPLERS.forEach(add);
    else {
      const s = samplerByName(n) ?? samplerByName(`tansaku-${n}`);
      if (!s)
        throw new Error(
          `unknown sampler ${JSON.stringify(n)}; known: ${ALL_SAMPLERS.map((x) => x.name).join(', ')} (or tansaku, optuna, all)`,
        );
      add(s);
    }
  }
  return out;
}

/** Does `sampler` run on `problem` by default (by number of objectives)? */
export function samplerFits(sampler: SamplerEntry, problem: BenchmarkProblem): boolean {
  const multi = problem.directions.length > 1;
  return sampler.objectives === 'both' || (sampler.objectives === 'multi') === multi;
}
