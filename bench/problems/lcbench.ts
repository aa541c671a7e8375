/**
 * LCBench through YAHPO Gym v1.0's ONNX surrogate (group `lcbench`, maximised): a 7-parameter MLP
 * hyperparameter space on OpenML tasks, read at the final epoch, with noise.
 *
 * Data: `$TANSAKU_BENCH_DATA/yahpo/lcbench/` (default `../shared/bench` next to the repository; see its
 * README, section "yahpo/lcbench"): `model.onnx` (the surrogate), `config_space.json` (ranges and log
 * flags), `encoding.json` (task id -> the model's task code). LCBench: L. Zimmer, M. Lindauer, F. Hutter,
 * *Auto-PyTorch Tabular*, IEEE TPAMI 2021 (34 OpenML tasks, funnel-shaped MLPs trained for 52 epochs);
 * YAHPO Gym: F. Pfisterer, L. Schneider, J. Moosbauer, M. Binder, B. Bischl, AutoML-Conf 2022 (Apache-2.0).
 *
 * - One problem per task, `lcbench_<task>`. Default tasks (8 of the 34, every 4th of YAHPO's list):
 *   3945, 126026, 167149, 167181, 167200, 168331, 168910, 189866 ({@link LCBENCH_DEFAULT_TASKS}); the
 *   `tasks` option takes any of {@link LCBENCH_TASKS}.
 * - Parameters, asked in this order with the bounds and log flags of `config_space.json`: `batch_size`
 *   (int, log, [16, 512]), `learning_rate` (float, log, [1e-4, 0.1]), `momentum` (float, [0.1, 0.99]),
 *   `weight_decay` (float, [1e-5, 0.1]), `num_layers` (int, [1, 5]), `max_units` (int, log, [64, 1024]),
 *   `max_dropout` (float, [0, 1]).
 * - Model input: `x_cat` int32 [N, 1] = the task code; `x_cont` float32 [N, 8] = raw values in the order
 *   epoch, batch_size, learning_rate, momentum, weight_decay, num_layers, max_units, max_dropout
 *   ({@link encodeLcbenchInputs}). Output float32 [N, 6]: time, val_accuracy (percent), val_cross_entropy,
 *   val_balanced_accuracy, test_cross_entropy, test_balanced_accuracy.
 * - Objective: val_accuracy (percent) at epoch {@link LCBENCH_FINAL_EPOCH} = 51 (the data's last epoch, 52,
 *   is unreliable), **plus Gaussian noise of sd {@link LCBENCH_NOISE_SD} = 0.5 percentage points** drawn from
 *   the harness's per-evaluation `Rng` (reproducible; about the seed-to-seed spread of retraining an MLP).
 *   `lastMean()` is the noiseless surrogate value, so the harness scores the incumbent (the trial with the
 *   best noisy value) by its noiseless value, as for the tabular groups.
 * - `optimum`: LCBench has no exhaustive table, so it is an **estimate** of the best noiseless val_accuracy,
 *   committed in `lcbench-optima.json` (made by `node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts`: 200,000 uniformly
 *   random configurations in batches of 10,000, then a batched (μ+λ) local search in the unit cube from the
 *   best 32; see {@link searchLcbenchOptimum}). Regret is measured against that estimate (a run that beats
 *   it gets regret 0).
 * - `lastCost()`: the surrogate's predicted `time` output at epoch 51 (seconds of training up to that epoch),
 *   as the model gives it (it can extrapolate to implausibly small values in corners of the space).
 *
 * The surrogate runs in `onnxruntime-node` (a dependency of the lab), imported dynamically on the first
 * `evaluate`, so nothing else ever loads it; `evaluate` is async (the harness awaits it). One ONNX Runtime
 * inference session per model file is shared by all problems of a process. Tests inject a fake {@link LcbenchSurrogate}.
 *
 * @example
 * ```ts
 * const [p] = lcbenchProblems({ tasks: ['3945'] });
 * const noisy = await p.evaluate(trial, rng);  // val_accuracy at epoch 51 + N(0, 0.5²)
 * const regret = p.optimum - p.lastMean();     // noiseless value against the estimated optimum
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Distribution, InvalidArgumentError } from 'tansaku';
import { floatDistribution, fromUnit, intDistribution, toExternal, Rng } from 'tansaku/extend';
import type { BenchmarkProblem, ParameterSource } from './problem.js';
import { BenchmarkDataError, benchDataDir, benchDataMissing, readBenchJson } from './tabular.js';

/** The 34 LCBench tasks of YAHPO Gym v1.0 (OpenML task ids, in `config_space.json`'s order). */
export const LCBENCH_TASKS: readonly string[] = Object.freeze([
  '3945',
  '7593',
  '34539',
  '126025',
  '126026',
  '126029',
  '146212',
  '167104',
  '167149',
  '167152',
  '167161',
  '167168',
  '167181',
  '167184',
  '167185',
  '167190',
  '167200',
  '167201',
  '168329',
  '168330',
  '168331',
  '168335',
  '168868',
  '168908',
  '168910',
  '189354',
  '189862',
  '189865',
  '189866',
  '189873',
  '189905',
  '189906',
  '189908',
  '189909',
]);
/** The default tasks: every 4th of {@link LCBENCH_TASKS} (indices 0, 4, …, 28). */
export const LCBENCH_DEFAULT_TASKS: readonly string[] = Object.freeze([
  '3945',
  '126026',
  '167149',
  '167181',
  '167200',
  '168331',
  '168910',
  '189866',
]);
/** The epoch the objective is read at (the data's last reliable one). */
export const LCBENCH_FINAL_EPOCH = 51;
/** Standard deviation of the Gaussian noise added to val_accuracy, in percentage points. */
export const LCBENCH_NOISE_SD = 0.5;
/** The hyperparameters, in the order they are asked (and, after `epoch`, the model's input order). */
export const LCBENCH_PARAMS = Object.freeze([
  'batch_size',
  'learning_rate',
  'momentum',
  'weight_decay',
  'num_layers',
  'max_units',
  'max_dropout',
] as const);
export type LcbenchParam = (typeof LCBENCH_PARAMS)[number];
/** A configuration: one raw value per hyperparameter. */
export type LcbenchConfig = Readonly<Record<LcbenchParam, number>>;
/** Width of a model input row (`epoch` + the 7 hyperparameters) and of an output row. */
export const LCBENCH_INPUT_WIDTH = 8;
export const LCBENCH_OUTPUT_WIDTH = 6;
/** Output columns of the surrogate. */
export const LCBENCH_OUTPUTS = Object.freeze([
  'time',
  'val_accuracy',
  'val_cross_entropy',
  'val_balanced_accuracy',
  'test_cross_entropy',
  'test_balanced_accuracy',
] as const);

/** The surrogate: predicts the 6 outputs of N rows. */
export interface LcbenchSurrogate {
  /**
   * `taskCodes`: int32 [N] (the model's `x_cat`), `inputs`: float32 [N·8] row-major (`x_cont`, see
   * {@link encodeLcbenchInputs}). Resolves to float32 [N·6] row-major in {@link LCBENCH_OUTPUTS}' order.
   */
  predict(taskCodes: Int32Array, inputs: Float32Array): Promise<Float32Array>;
}

/** One hyperparameter's range as `config_space.json` gives it. */
export interface LcbenchRange {
  readonly type: 'int' | 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
}

/** The parsed `config_space.json` and `encoding.json`. */
export interface LcbenchSpace {
  readonly ranges: Readonly<Record<LcbenchParam, LcbenchRange>>;
  /** The `epoch` range (fidelity). */
  readonly epoch: LcbenchRange;
  /** Task id -> the model's task code. */
  readonly codes: ReadonlyMap<string, number>;
}

/** The data files of a data folder. */
export function lcbenchPaths(dataDir?: string): { folder: string; model: string; configSpace: string; encoding: string } {
  const folder = join(benchDataDir(dataDir), 'yahpo', 'lcbench');
  return {
    folder,
    model: join(folder, 'model.onnx'),
    configSpace: join(folder, 'config_space.json'),
    encoding: join(folder, 'encoding.json'),
  };
}

const LCBENCH_HOLDING = 'yahpo/lcbench/ with model.onnx, config_space.json and encoding.json';
const missing = (what: string, path: string): BenchmarkDataError => benchDataMissing(what, path, LCBENCH_HOLDING);
const readJson = (path: string, what: string): unknown => readBenchJson(path, what, LCBENCH_HOLDING);

/**
 * Parses YAHPO's `config_space.json` (ConfigSpace's JSON format) and `encoding.json` objects. Throws
 * `BenchmarkDataError` (naming `where`) when a hyperparameter is missing or not of the expected kind.
 */
export function parseLcbenchSpace(configSpace: unknown, encoding: unknown, where = 'yahpo/lcbench'): LcbenchSpace {
  const bad = (why: string): never => {
    throw new BenchmarkDataError(`${where}: ${why}`);
  };
  const hps = (configSpace as { hyperparameters?: unknown } | null)?.hyperparameters;
  if (!Array.isArray(hps)) bad('config_space.json must hold a list "hyperparameters"');
  const byName = new Map<string, Record<string, unknown>>();
  for (const h of hps as Array<Record<string, unknown>>) if (h && typeof h.name === 'string') byName.set(h.name, h);
  const range = (name: string): LcbenchRange => {
    const h = byName.get(name);
    if (!h) return bad(`config_space.json has no hyperparameter ${JSON.stringify(name)}`);
    const type =
      h.type === 'uniform_int'
        ? 'int'
        : h.type === 'uniform_float'
          ? 'float'
          : bad(`${name}: expected type uniform_int or uniform_float, got ${JSON.stringify(h.type)}`);
    const { lower, upper, log } = h;
    if (typeof lower !== 'number' || typeof upper !== 'number' || !(lower < upper) || typeof log !== 'boolean' || (log && !(lower > 0))) {
      bad(`${name}: expected numbers lower < upper (> 0 if log) and a boolean log, got ${JSON.stringify({ lower, upper, log })}`);
    }
    return Object.freeze({ type, low: lower as number, high: upper as number, log: log as boolean });
  };
  const ranges = Object.freeze(Object.fromEntries(LCBENCH_PARAMS.map((n) => [n, range(n)]))) as Record<LcbenchParam, LcbenchRange>;
  const epoch = range('epoch');
  if (epoch.low > LCBENCH_FINAL_EPOCH || epoch.high < LCBENCH_FINAL_EPOCH)
    bad(`epoch range [${epoch.low}, ${epoch.high}] does not hold epoch ${LCBENCH_FINAL_EPOCH}`);
  const map = (encoding as { OpenML_task_id?: unknown } | null)?.OpenML_task_id;
  if (map === null || typeof map !== 'object') bad('encoding.json must map "OpenML_task_id" to {task id: code}');
  const codes = new Map<string, number>();
  for (const [task, code] of Object.entries(map as Record<string, unknown>)) {
    if (!Number.isInteger(code)) bad(`encoding.json: the code of task ${task} is not an integer`);
    codes.set(task, code as number);
  }
  return Object.freeze({ ranges, epoch, codes });
}

const spaceCache = new Map<string, LcbenchSpace>();

/** Reads and checks `config_space.json` and `encoding.json` of the data folder (cached per folder). */
export function loadLcbenchSpace(dataDir?: string): LcbenchSpace {
  const paths = lcbenchPaths(dataDir);
  const hit = spaceCache.get(paths.folder);
  if (hit) return hit;
  const space = parseLcbenchSpace(
    readJson(paths.configSpace, 'LCBench config space (YAHPO config_space.json)'),
    readJson(paths.encoding, 'LCBench task encoding (YAHPO encoding.json)'),
    paths.folder,
  );
  spaceCache.set(paths.folder, space);
  return space;
}

/** The Tansaku distribution of a range (what samplers draw from). */
export function lcbenchDistribution(name: LcbenchParam, r: LcbenchRange): Distribution {
  return r.type === 'int' ? intDistribution(name, r.low, r.high, { log: r.log }) : floatDistribution(name, r.low, r.high, { log: r.log });
}

/** Asks the 7 hyperparameters from `params`, in {@link LCBENCH_PARAMS}' order, with the space's ranges. */
export function suggestLcbenchConfig(params: ParameterSource, space: LcbenchSpace): LcbenchConfig {
  const out = {} as Record<LcbenchParam, number>;
  for (const name of LCBENCH_PARAMS) {
    const r = space.ranges[name];
    out[name] =
      r.type === 'int' ? params.suggestInt(name, r.low, r.high, { log: r.log }) : params.suggestFloat(name, r.low, r.high, { log: r.log });
  }
  return out;
}

/**
 * The model's `x_cont` for `configs` at `epoch`: float32 [N·8], each row epoch, batch_size, learning_rate,
 * momentum, weight_decay, num_layers, max_units, max_dropout, as raw values (no scaling: the ONNX model
 * holds YAHPO's own transforms).
 */
export function encodeLcbenchInputs(configs: readonly LcbenchConfig[], epoch = LCBENCH_FINAL_EPOCH): Float32Array {
  const x = new Float32Array(configs.length * LCBENCH_INPUT_WIDTH);
  configs.forEach((c, i) => {
    const row = i * LCBENCH_INPUT_WIDTH;
    x[row] = epoch;
    LCBENCH_PARAMS.forEach((name, j) => {
      const v = c[name];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InvalidArgumentError(`encodeLcbenchInputs(): ${name} must be a finite number, got ${String(v)}`);
      x[row + 1 + j] = v;
    });
  });
  return x;
}

/** The model's task code of `task` (throws `BenchmarkDataError` if encoding.json does not list it). */
export function lcbenchTaskCode(space: LcbenchSpace, task: string): number {
  const code = space.codes.get(task);
  if (code === undefined)
    throw new BenchmarkDataError(`LCBench task ${task} has no code in encoding.json (it lists ${[...space.codes.keys()].join(', ')})`);
  return code;
}

const surrogates = new Map<string, Promise<LcbenchSurrogate>>();

/**
 * The ONNX surrogate at `modelPath` in `onnxruntime-node` (imported here, dynamically), one thread, cached per
 * path. Throws `BenchmarkDataError` if the file is missing or onnxruntime-node is not installed.
 */
export function openLcbenchSurrogate(modelPath: string): Promise<LcbenchSurrogate> {
  let s = surrogates.get(modelPath);
  if (!s) {
    s = createOnnxSurrogate(modelPath);
    surrogates.set(modelPath, s);
    s.catch(() => surrogates.delete(modelPath));
  }
  return s;
}

async function createOnnxSurrogate(modelPath: string): Promise<LcbenchSurrogate> {
  if (!existsSync(modelPath)) throw missing('LCBench surrogate (YAHPO model.onnx)', modelPath);
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    throw new BenchmarkDataError(
      `the lcbench group needs onnxruntime-node (a devDependency: npm install, with onnxruntime-node-install=skip in .npmrc): ${(e as Error).message}`,
      { cause: e },
    );
  }
  const inference = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  return {
    async predict(taskCodes: Int32Array, inputs: Float32Array): Promise<Float32Array> {
      const n = taskCodes.length;
      if (inputs.length !== n * LCBENCH_INPUT_WIDTH)
        throw new InvalidArgumentError(`predict(): ${n} task codes but ${inputs.length} inputs (expected ${n * LCBENCH_INPUT_WIDTH})`);
      const out = await inference.run({
        x_cat: new ort.Tensor('int32', taskCodes, [n, 1]),
        x_cont: new ort.Tensor('float32', inputs, [n, LCBENCH_INPUT_WIDTH]),
      });
      const y = out[inference.outputNames[0]];
      if (!(y.data instanceof Float32Array) || y.data.length !== n * LCBENCH_OUTPUT_WIDTH) {
        throw new BenchmarkDataError(
          `${modelPath}: expected a float32 [${n}, ${LCBENCH_OUTPUT_WIDTH}] output, got ${y.type} [${y.dims.join(', ')}]`,
        );
      }
      return y.data;
    },
  };
}

/** The committed optimum estimates (`lcbench-optima.json`). */
export interface LcbenchOptimaFile {
  description: string;
  method: string;
  date: string;
  epoch: number;
  model: { file: string; sha256: string };
  tasks: Record<string, { valAccuracy: number; config: LcbenchConfig; randomBest: number; evaluations: number; dataMax?: number }>;
}

let optimaFile: LcbenchOptimaFile | null = null;
const OPTIMA_URL = new URL('./lcbench-optima.json', import.meta.url);

/** The committed optimum estimates, task id -> best noiseless val_accuracy at epoch 51. */
export function lcbenchOptima(): Readonly<Record<string, number>> {
  optimaFile ??= JSON.parse(readFileSync(OPTIMA_URL, 'utf8')) as LcbenchOptimaFile;
  return Object.fromEntries(Object.entries(optimaFile.tasks).map(([t, v]) => [t, v.valAccuracy]));
}

/** An LCBench problem; beyond {@link BenchmarkProblem}: its task, code, space and the last configuration. */
export interface LcbenchBenchmarkProblem extends BenchmarkProblem {
  readonly task: string;
  readonly taskCode: number;
  readonly space: LcbenchSpace;
  readonly noiseSd: number;
  readonly optimum: number;
  evaluate(params: ParameterSource, rng: Rng): Promise<number>;
  /** Noiseless val_accuracy of the evaluation just made (NaN before the first). */
  lastMean(): number;
  /** Predicted training time (s) up to epoch 51 of the evaluation just made (NaN before the first). */
  lastCost(): number;
  /** The configuration of the evaluation just made. */
  lastConfig(): LcbenchConfig | null;
}

class LcbenchProblem implements LcbenchBenchmarkProblem {
  readonly id: string;
  readonly name: string;
  readonly group = 'lcbench';
  readonly directions = Object.freeze(['maximize'] as const);
  readonly dimension = LCBENCH_PARAMS.length;
  private mean = Number.NaN;
  private cost = Number.NaN;
  private config: LcbenchConfig | null = null;
  private readonly codes: Int32Array;

  constructor(
    readonly task: string,
    readonly taskCode: number,
    readonly space: LcbenchSpace,
    readonly optimum: number,
    readonly noiseSd: number,
    private readonly surrogate: () => Promise<LcbenchSurrogate>,
  ) {
    this.id = `lcbench_${task}`;
    this.name = `LCBench ${task} (YAHPO surrogate, epoch ${LCBENCH_FINAL_EPOCH})`;
    this.codes = Int32Array.of(taskCode);
  }

  async evaluate(params: ParameterSource, rng: Rng): Promise<number> {
    const config = suggestLcbenchConfig(params, this.space);
    const noise = this.noiseSd > 0 ? this.noiseSd * rng.normal() : 0;
    const y = await (await this.surrogate()).predict(this.codes, encodeLcbenchInputs([config]));
    const acc = y[1];
    if (!Number.isFinite(acc))
      throw new BenchmarkDataError(`${this.id}: the surrogate returned val_accuracy ${acc} for ${JSON.stringify(config)}`);
    this.config = config;
    this.mean = acc;
    this.cost = y[0];
    return acc + noise;
  }

  lastMean(): number {
    return this.mean;
  }

  lastCost(): number {
    return this.cost;
  }

  lastConfig(): LcbenchConfig | null {
    return this.config;
  }
}

/** Options of {@link lcbenchProblems}. */
export interface LcbenchProblemsOptions {
  /** Tasks (OpenML task ids, default {@link LCBENCH_DEFAULT_TASKS}); unknown ids throw `InvalidArgumentError`. */
  readonly tasks?: readonly string[];
  /** Benchmark data folder holding `yahpo/lcbench/` (default {@link benchDataDir}()). */
  readonly dataDir?: string;
  /** Noise sd in percentage points (default {@link LCBENCH_NOISE_SD}; 0: noiseless). */
  readonly noiseSd?: number;
  /** The surrogate (default: the ONNX model of the data folder, opened on first use). Tests inject a fake. */
  readonly surrogate?: LcbenchSurrogate;
  /** Task -> optimum (default: the committed `lcbench-optima.json`). */
  readonly optima?: Readonly<Record<string, number>>;
}

/**
 * The `lcbench` group. Reads `config_space.json` and `encoding.json` now (throws `BenchmarkDataError`
 * naming TANSAKU_BENCH_DATA and the path if missing); the ONNX model is opened on the first `evaluate`.
 */
export function lcbenchProblems(options: LcbenchProblemsOptions = {}): LcbenchBenchmarkProblem[] {
  const tasks = options.tasks ?? LCBENCH_DEFAULT_TASKS;
  for (const t of tasks) {
    if (!LCBENCH_TASKS.includes(t))
      throw new InvalidArgumentError(`lcbench: unknown task ${JSON.stringify(t)}; expected one of ${LCBENCH_TASKS.join(', ')}`);
  }
  const noiseSd = options.noiseSd ?? LCBENCH_NOISE_SD;
  if (!(noiseSd >= 0 && Number.isFinite(noiseSd)))
    throw new InvalidArgumentError(`lcbench: noiseSd must be a finite number ≥ 0, got ${noiseSd}`);
  const space = loadLcbenchSpace(options.dataDir);
  const optima = options.optima ?? lcbenchOptima();
  const model = lcbenchPaths(options.dataDir).model;
  const given = options.surrogate;
  const surrogate = given ? () => Promise.resolve(given) : () => openLcbenchSurrogate(model);
  return tasks.map((t) => {
    const optimum = optima[t];
    if (typeof optimum !== 'number') {
      throw new InvalidArgumentError(
        `lcbench: no optimum estimate for task ${t} in lcbench-optima.json (run node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts)`,
      );
    }
    return new LcbenchProblem(t, lcbenchTaskCode(space, t), space, optimum, noiseSd, surrogate);
  });
}

/** Options of {@link searchLcbenchOptimum}. */
export interface LcbenchSearchOptions {
  /** Uniformly random configurations (default 200,000). */
  readonly randomSamples?: number;
  /** Rows per surrogate call (default 10,000). */
  readonly batch?: number;
  /** Configurations the local search starts from, the best of the random ones (default 32). */
  readonly parents?: number;
  /** Local-search generations (default 40), each one batch of perturbations of the parents. */
  readonly generations?: number;
  /** Initial perturbation sd in the unit cube (default 0.1; halved after a generation without improvement). */
  readonly sigma?: number;
  readonly seed?: number;
}

/** Result of {@link searchLcbenchOptimum}. */
export interface LcbenchSearchResult {
  /** Best noiseless val_accuracy found. */
  readonly best: number;
  readonly config: LcbenchConfig;
  /** Best of the random phase alone. */
  readonly randomBest: number;
  /** Surrogate evaluations made. */
  readonly evaluations: number;
}

/**
 * Estimates the best noiseless val_accuracy of task code `code` at epoch 51: `randomSamples` configurations
 * drawn uniformly in the unit cube and mapped exactly as Tansaku's samplers map them (`fromUnit`: log-uniform
 * for log ranges, equal cells for integers), then a (μ+λ) evolution strategy: each generation perturbs the
 * `parents` best points found so far by Gaussian steps of sd `sigma` in the unit cube (clipped), one batch
 * in all, keeps the best `parents` of old and new, and halves `sigma` when the best did not improve.
 */
export async function searchLcbenchOptimum(
  surrogate: LcbenchSurrogate,
  space: LcbenchSpace,
  code: number,
  options: LcbenchSearchOptions = {},
): Promise<LcbenchSearchResult> {
  const randomSamples = options.randomSamples ?? 200_000;
  const batch = options.batch ?? 10_000;
  const mu = options.parents ?? 32;
  const generations = options.generations ?? 40;
  let sigma = options.sigma ?? 0.1;
  const rng = new Rng(options.seed ?? 20240601);
  const d = LCBENCH_PARAMS.length;
  const dists = LCBENCH_PARAMS.map((n) => lcbenchDistribution(n, space.ranges[n]));
  const configOf = (u: ArrayLike<number>, offset: number): LcbenchConfig => {
    const c = {} as Record<LcbenchParam, number>;
    LCBENCH_PARAMS.forEach((n, j) => {
      c[n] = toExternal(dists[j], fromUnit(dists[j], u[offset + j])) as number;
    });
    return c;
  };
  let evaluations = 0;
  const score = async (units: Float64Array, n: number): Promise<Float64Array> => {
    const configs = Array.from({ length: n }, (_, i) => configOf(units, i * d));
    const y = await surrogate.predict(new Int32Array(n).fill(code), encodeLcbenchInputs(configs));
    evaluations += n;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number.isFinite(y[i * LCBENCH_OUTPUT_WIDTH + 1]) ? y[i * LCBENCH_OUTPUT_WIDTH + 1] : -Infinity;
    return out;
  };
  // Elite: the mu best (unit point, value) pairs so far, best first.
  let elite: Array<{ u: Float64Array; v: number }> = [];
  const offer = (units: Float64Array, values: Float64Array): void => {
    const all = elite.slice();
    for (let i = 0; i < values.length; i++) {
      if (all.length < mu || values[i] > all[all.length - 1].v) {
        all.push({ u: units.slice(i * d, (i + 1) * d), v: values[i] });
        if (all.length > 4 * mu) {
          all.sort((a, b) => b.v - a.v);
          all.length = mu;
        }
      }
    }
    all.sort((a, b) => b.v - a.v);
    elite = all.slice(0, mu);
  };
  for (let done = 0; done < randomSamples; ) {
    const n = Math.min(batch, randomSamples - done);
    const units = new Float64Array(n * d);
    for (let i = 0; i < units.length; i++) units[i] = rng.random();
    offer(units, await score(units, n));
    done += n;
  }
  if (elite.length === 0) throw new Error('searchLcbenchOptimum(): no configuration evaluated');
  const randomBest = elite[0].v;
  for (let g = 0; g < generations; g++) {
    const before = elite[0].v;
    const units = new Float64Array(batch * d);
    for (let i = 0; i < batch; i++) {
      const parent = elite[i % elite.length].u;
      for (let j = 0; j < d; j++) units[i * d + j] = Math.min(1, Math.max(0, parent[j] + sigma * rng.normal()));
    }
    offer(units, await score(units, batch));
    if (!(elite[0].v > before)) sigma /= 2;
  }
  return { best: elite[0].v, config: configOf(elite[0].u, 0), randomBest, evaluations };
}
