/**
 * Estimates the optimum (best noiseless val_accuracy at epoch 51) of every LCBench task of the YAHPO
 * surrogate and writes `bench/problems/lcbench-optima.json`, which the `lcbench` problems read (so that no
 * benchmark run redoes the search). Method: `searchLcbenchOptimum` in `bench/problems/lcbench.ts`
 * (200,000 uniformly random configurations in batches of 10,000, then 40 generations of a batched (μ+λ)
 * local search from the best 32; seed fixed). About 30 s per task on one core.
 *
 *   node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts                   # the tasks the file lacks (all 34 at first)
 *   node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts --tasks 3945,7593 # only these (merged into the existing file)
 *   node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts --force           # every task again
 *
 * The data folder is `$TANSAKU_BENCH_DATA` (default `../shared/bench`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  LCBENCH_FINAL_EPOCH,
  LCBENCH_TASKS,
  lcbenchPaths,
  lcbenchTaskCode,
  loadLcbenchSpace,
  openLcbenchSurrogate,
  searchLcbenchOptimum,
  type LcbenchOptimaFile,
} from '../problems/lcbench.js';
import { benchDataDir } from '../problems/tabular.js';

const OUT = fileURLToPath(new URL('../problems/lcbench-optima.json', import.meta.url));
const SEED = 20240601;

/** Largest val_accuracy per task in YAHPO's instance_target_statistics.csv (over all epochs of the data). */
function dataMaxima(): Map<string, number> {
  const out = new Map<string, number>();
  const path = join(benchDataDir(), 'yahpo', 'instance_target_statistics.csv');
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [metric, statistic, value, scenario, instance] = line.split(',');
    if (scenario === 'lcbench' && metric === 'val_accuracy' && statistic === 'max') out.set(instance?.trim(), Number(value));
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { tasks: { type: 'string' }, force: { type: 'boolean', default: false } } });
  const paths = lcbenchPaths();
  const space = loadLcbenchSpace();
  const surrogate = await openLcbenchSurrogate(paths.model);
  const sha256 = createHash('sha256').update(readFileSync(paths.model)).digest('hex');
  const previous: LcbenchOptimaFile | null = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as LcbenchOptimaFile) : null;
  if (previous && previous.model.sha256 !== sha256)
    console.warn('the model differs from the one of the existing file: recompute every task');
  const maxima = dataMaxima();
  const file: LcbenchOptimaFile = {
    description:
      'Estimated optimum of each LCBench task of the YAHPO Gym v1.0 surrogate: the best noiseless val_accuracy ' +
      `(percent) at epoch ${LCBENCH_FINAL_EPOCH} found, and its configuration. Regret of the lcbench group is measured ` +
      'against valAccuracy. randomBest: best of the random phase; dataMax: largest val_accuracy of the task in ' +
      "YAHPO's instance_target_statistics.csv (any epoch, for comparison).",
    method:
      `searchLcbenchOptimum (bench/problems/lcbench.ts), seed ${SEED}: 200,000 uniformly random configurations in batches ` +
      'of 10,000 (mapped to values as Tansaku samplers do), then 40 generations of a (mu+lambda) local search in the unit ' +
      'cube: 10,000 Gaussian perturbations of the best 32 per generation, sd 0.1 halved after a generation without ' +
      'improvement. Made by node bench/scripts/bench.mjs scripts/make-lcbench-optima.ts.',
    date: new Date().toISOString().slice(0, 10),
    epoch: LCBENCH_FINAL_EPOCH,
    model: { file: 'yahpo/lcbench/model.onnx', sha256 },
    tasks: previous && previous.model.sha256 === sha256 ? { ...previous.tasks } : {},
  };
  const tasks = values.tasks
    ? values.tasks.split(',').map((s) => s.trim())
    : LCBENCH_TASKS.filter((t) => values.force || !(t in file.tasks));
  for (const task of tasks) {
    const t0 = performance.now();
    const r = await searchLcbenchOptimum(surrogate, space, lcbenchTaskCode(space, task), { seed: SEED });
    const dataMax = maxima.get(task);
    file.tasks[task] = {
      valAccuracy: r.best,
      config: r.config,
      randomBest: r.randomBest,
      evaluations: r.evaluations,
      ...(dataMax !== undefined ? { dataMax } : {}),
    };
    console.log(
      `${task}: ${r.best.toFixed(4)} (random ${r.randomBest.toFixed(4)}, data max ${dataMax ?? '—'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // Tasks in LCBENCH_TASKS' order; written after each task so an interrupted run keeps what it made.
    file.tasks = Object.fromEntries(LCBENCH_TASKS.filter((t) => t in file.tasks).map((t) => [t, file.tasks[t]]));
    const tmp = `${OUT}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(file, null, 1)}\n`);
    renameSync(tmp, OUT);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
