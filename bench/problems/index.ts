/**
 * Every benchmark problem, and a registry of the groups the comparison harness (`bench/compare`) runs.
 *
 * @example
 * ```ts
 * import { problemGroups, problemsInGroup } from '../problems/index.js';
 * for (const g of problemGroups()) console.log(g.name, g.description);
 * const problems = problemsInGroup('bbob-d5', { functions: [1, 15], instances: [1, 2] });
 * const tables = problemsInGroup('hpobench', { tasks: ['kc1'] }); // data read lazily on first use
 * const surrogate = problemsInGroup('lcbench', { tasks: ['3945'] }); // onnxruntime-node loaded on first evaluate
 * ```
 */
import { InvalidArgumentError } from 'tansaku';
import { BBOB_FUNCTION_COUNT } from './bbob.js';
import { bbobBenchmark } from './bbob-problem.js';
import { classicProblems } from './classic.js';
import { conditionalProblems } from './conditional.js';
import { mixedProblems } from './mixed.js';
import { dtlzProblems, zdtProblems } from './multiobjective.js';
import type { BenchmarkProblem } from './problem.js';
import { hpobenchProblems, nasbench201Problems } from './tabular.js';
import { lcbenchProblems } from './lcbench.js';

export type { BenchmarkProblem, ParameterSource } from './problem.js';
export * from './bbob.js';
export * from './bbob-problem.js';
export * from './classic.js';
export * from './mixed.js';
export * from './conditional.js';
export * from './tabular.js';
export * from './lcbench.js';
export * from './multiobjective.js';

/** One group of problems the harness aggregates over. */
export interface ProblemGroupInfo {
  /** Group name, equal to the `group` of every problem in it, e.g. `bbob-d5`, `classic`, `hpobench`. */
  readonly name: string;
  /** One line saying what is in it. */
  readonly description: string;
  /** Number of objectives of its problems (1, or 2/3 for the multi-objective groups). */
  readonly objectives: 'single' | 'multi';
  /** True if its problems read the shared data folder (`TANSAKU_BENCH_DATA`, default `../shared/bench`). */
  readonly needsData: boolean;
}

/** Options of {@link problemsInGroup}; each applies only to the groups named in its comment. */
export interface ProblemGroupOptions {
  /** BBOB groups: function numbers (default 1–24). */
  readonly functions?: readonly number[];
  /** BBOB groups: instances (default 1–5). */
  readonly instances?: readonly number[];
  /** `classic`: dimensions of the scalable functions (default `[5, 10]`). */
  readonly dimensions?: readonly number[];
  /** `hpobench`, `nasbench201`: task names (default all); `lcbench`: OpenML task ids (default 8 of the 34). */
  readonly tasks?: readonly string[];
  /** `hpobench`, `nasbench201`, `lcbench`: data folder (default `$TANSAKU_BENCH_DATA`, else `../shared/bench`). */
  readonly dataDir?: string;
  /** `lcbench`: sd of the Gaussian noise on val_accuracy, percentage points (default 0.5). */
  readonly lcbenchNoiseSd?: number;
  /** `zdt`: number of variables (default 30). */
  readonly zdtVariables?: number;
  /** `dtlz`: numbers of objectives (default `[2, 3]`). */
  readonly dtlzObjectives?: readonly number[];
}

/** Dimensions of the BBOB groups (`bbob-d2` … `bbob-d40`). */
export const BBOB_GROUP_DIMENSIONS: readonly number[] = Object.freeze([2, 5, 10, 20, 40]);

const GROUPS: readonly ProblemGroupInfo[] = Object.freeze([
  ...BBOB_GROUP_DIMENSIONS.map((d) =>
    Object.freeze({
      name: `bbob-d${d}`,
      description: `BBOB noiseless f1–f24 (COCO), ${d}-D, domain [-5, 5]^${d}`,
      objectives: 'single' as const,
      needsData: false,
    }),
  ),
  Object.freeze({
    name: 'classic',
    description: 'Branin, Hartmann3, Hartmann6, and Rosenbrock, Ackley, Levy, Styblinski-Tang in 5-D and 10-D',
    objectives: 'single' as const,
    needsData: false,
  }),
  Object.freeze({
    name: 'mixed',
    description: 'mixed-integer variants: integer, ordinal-grid and categorical coordinates, optimum on the grid',
    objectives: 'single' as const,
    needsData: false,
  }),
  Object.freeze({
    name: 'conditional',
    description: 'hierarchical spaces: a categorical switch activating different (nested) sub-spaces',
    objectives: 'single' as const,
    needsData: false,
  }),
  Object.freeze({
    name: 'hpobench',
    description: 'HPOBench MLP tabular benchmark, 8 OpenML tasks, 5 ordinal parameters (maximise accuracy)',
    objectives: 'single' as const,
    needsData: true,
  }),
  Object.freeze({
    name: 'nasbench201',
    description: 'NAS-Bench-201 tabular benchmark, CIFAR-10/100 and ImageNet16-120, 6 categorical ops (maximise)',
    objectives: 'single' as const,
    needsData: true,
  }),
  Object.freeze({
    name: 'lcbench',
    description:
      'LCBench (YAHPO Gym v1.0 ONNX surrogate), 8 OpenML tasks, 7 MLP hyperparameters, val. accuracy at epoch 51 + N(0, 0.5²) noise (maximise)',
    objectives: 'single' as const,
    needsData: true,
  }),
  Object.freeze({
    name: 'zdt',
    description: 'ZDT1, ZDT2, ZDT3 (2 objectives, 30 variables by default), with hypervolume',
    objectives: 'multi' as const,
    needsData: false,
  }),
  Object.freeze({
    name: 'dtlz',
    description: 'DTLZ1, DTLZ2 with 2 and 3 objectives (k = 5 and 10 as in Deb et al. 2002), with hypervolume',
    objectives: 'multi' as const,
    needsData: false,
  }),
]);

/** The groups the harness knows, in a stable order. */
export function problemGroups(): readonly ProblemGroupInfo[] {
  return GROUPS;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The dimension of a BBOB group's name (`bbob-d20` → 20); null for any other group. */
export function bbobGroupDimension(name: string): number | null {
  const m = /^bbob-d(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * The problems of group `name` (see {@link problemGroups}). Problems are created fresh on every call (BBOB
 * problems hold buffers; tabular problems share one lazily loaded, cached table per task).
 * Throws `InvalidArgumentError` for an unknown group name.
 */
export function problemsInGroup(name: string, options: ProblemGroupOptions = {}): BenchmarkProblem[] {
  const d = bbobGroupDimension(name);
  if (d !== null) {
    const fns = options.functions ?? range(1, BBOB_FUNCTION_COUNT);
    const instances = options.instances ?? range(1, 5);
    const out: BenchmarkProblem[] = [];
    for (const f of fns) for (const i of instances) out.push(bbobBenchmark(f, i, d));
    return out;
  }
  switch (name) {
    case 'classic':
      return classicProblems({ dimensions: options.dimensions });
    case 'mixed':
      return mixedProblems();
    case 'conditional':
      return conditionalProblems();
    case 'hpobench':
      return hpobenchProblems({ tasks: options.tasks, dataDir: options.dataDir });
    case 'nasbench201':
      return nasbench201Problems({ tasks: options.tasks, dataDir: options.dataDir });
    case 'lcbench':
      return lcbenchProblems({ tasks: options.tasks, dataDir: options.dataDir, noiseSd: options.lcbenchNoiseSd });
    case 'zdt':
      return zdtProblems({ variables: options.zdtVariables });
    case 'dtlz':
      return dtlzProblems({ objectives: options.dtlzObjectives });
    default:
      throw new InvalidArgumentError(
        `problemsInGroup(): unknown group ${JSON.stringify(name)}; expected one of ` +
          `${GROUPS.map((g) => g.name).join(', ')} (or bbob-d<d> for another BBOB dimension 2–44)`,
      );
  }
}
