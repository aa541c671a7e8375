/**
 * bench/cross-search: cross-search (Imai 2024) on tables of an MLP's accuracy over a 10x10 log2 grid
 * of two layer sizes, N1, N2 in logGrid(8, 4096, 2), beside the full grid, hill climbing and random
 * search. Runs the real samplers (CrossSearchSampler, HillClimbingSampler, RandomSampler) through
 * studies on an in-memory storage, from every start cell.
 *
 *   node bench/scripts/bench.mjs cross-search/run.ts                      # synthetic tables + HPOBench slices
 *   node bench/scripts/bench.mjs cross-search/run.ts --table my.json      # add a table file (see README.md), e.g. a real MNIST table
 *   node bench/scripts/bench.mjs cross-search/run.ts --table my.json --no-synthetic --no-hpobench
 *   node bench/scripts/bench.mjs cross-search/run.ts --write-table example.json   # the table format, filled with the synthetic table
 *
 * Writes bench/results/cross-search.md and .json (`--out name` changes the name) and prints the tables.
 * See bench/cross-search/README.md for what is measured.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CrossSearchSampler,
  HillClimbingSampler,
  InMemoryStorage,
  NelderMeadSampler,
  NopPruner,
  RandomSampler,
  TpeSampler,
  createStudy,
  type Sampler,
} from 'tansaku';
import { ordinalDistribution } from 'tansaku/extend';
import { machineInfo, loadavg } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { hpobenchSlice, loadTable, syntheticTable, type Table } from './table.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const HPOBENCH_TASKS = ['australian', 'blood_transfusion', 'car', 'credit_g', 'kc1', 'phoneme', 'segment', 'vehicle'];
const TARGET_COST = 0.3;

/** One search from one start cell. */
interface RunResult {
  start: [number, number];
  /** Cells evaluated, in trial order ([i, j] indices), repeats included (random search). */
  cells: [number, number][];
  evaluations: number;
  relativeCost: number;
  best: number;
  reached: boolean;
  /** Optimum minus best found (in the table's units; for "minimize", best minus optimum). */
  loss: number;
}

interface MethodSummary {
  method: string;
  runs: number;
  reached: number;
  reachedWithinTarget: number;
  costMedian: number;
  costMin: number;
  costMax: number;
  evaluationsMedian: number;
  lossMean: number;
  lossMax: number;
}

/** Runs a study with `sampler` on the table (until the sampler stops, or `nTrials`). */
async function search(table: Table, sampler: Sampler, start: [number, number], nTrials?: number): Promise<RunResult> {
  const [ax, ay] = table.axes;
  const study = await createStudy({
    storage: new InMemoryStorage(),
    sampler,
    pruner: new NopPruner(),
    direction: table.direction,
    seed: 1,
    heartbeat: false,
  });
  const cells: [number, number][] = [];
  await study.optimize(
    (trial) => {
      const i = ax.values.indexOf(trial.suggestOrdinal(ax.name, ax.values) as number);
      const j = ay.values.indexOf(trial.suggestOrdinal(ay.name, ay.values) as number);
      cells.push([i, j]);
      return table.values[i][j];
    },
    { nTrials: nTrials ?? table.values.length * table.values[0].length * 2 },
  );
  return score(table, start, cells);
}

function optimumOf(table: Table): number {
  const all = table.values.flat();
  return table.direction === 'maximize' ? Math.max(...all) : Math.min(...all);
}

function score(table: Table, start: [number, number], cells: [number, number][]): RunResult {
  const totalCost = table.cost.flat().reduce((a, b) => a + b, 0);
  const values = cells.map(([i, j]) => table.values[i][j]);
  const best = table.direction === 'maximize' ? Math.max(...values) : Math.min(...values);
  const optimum = optimumOf(table);
  return {
    start,
    cells,
    evaluations: cells.length,
    relativeCost: cells.reduce((s, [i, j]) => s + table.cost[i][j], 0) / totalCost,
    best,
    reached: best === optimum,
    loss: Math.abs(optimum - best),
  };
}

function summarize(method: string, runs: RunResult[]): MethodSummary {
  const costs = runs.map((r) => r.relativeCost);
  return {
    method,
    runs: runs.length,
    reached: runs.filter((r) => r.reached).length / runs.length,
    reachedWithinTarget: runs.filter((r) => r.reached && r.relativeCost <= TARGET_COST).length / runs.length,
    costMedian: median(costs),
    costMin: Math.min(...costs),
    costMax: Math.max(...costs),
    evaluationsMedian: median(runs.map((r) => r.evaluations)),
    lossMean: runs.reduce((s, r) => s + r.loss, 0) / runs.length,
    lossMax: Math.max(...runs.map((r) => r.loss)),
  };
}

/** Every method from every start cell of one table. */
async function benchTable(
  table: Table,
  limits: readonly number[],
): Promise<{ table: Table; summaries: MethodSummary[]; runs: Record<string, RunResult[]> }> {
  const [ax, ay] = table.axes;
  const searchSpace = { [ax.name]: ordinalDistribution(ax.name, ax.values), [ay.name]: ordinalDistribution(ay.name, ay.values) };
  const starts: [number, number][] = [];
  for (let i = 0; i < ax.values.length; i++) for (let j = 0; j < ay.values.length; j++) starts.push([i, j]);
  const startOf = ([i, j]: [number, number]) => ({ [ax.name]: ax.values[i], [ay.name]: ay.values[j] });
  const runs: Record<string, RunResult[]> = {};
  const add = (method: string, r: RunResult) => {
    runs[method] ??= [];
    runs[method].push(r);
  };
  const orders = [
    { label: `L1 (${ax.name} first)`, firstAxis: ax.name },
    { label: `L2 (${ay.name} first)`, firstAxis: ay.name },
  ];
  for (const s of starts) {
    for (const { label, firstAxis } of orders) {
      add(`full cross-search, ${label}`, await search(table, new CrossSearchSampler({ searchSpace, start: startOf(s), firstAxis }), s));
    }
    for (const limit of limits) {
      for (const { label, firstAxis } of orders) {
        add(
          `partial cross-search limit ${limit}, ${label}`,
          await search(table, new CrossSearchSampler({ searchSpace, start: startOf(s), firstAxis, limit }), s),
        );
      }
    }
    add(
      'hill climbing (stops at the first peak)',
      await search(table, new HillClimbingSampler({ searchSpace, start: startOf(s), onConverge: 'stop' }), s),
    );
  }
  // Random search with the same number of evaluations as full cross-search (L1) from the same start.
  const full = runs[`full cross-search, ${orders[0].label}`];
  for (const [k, r] of full.entries()) {
    add(
      'random search, as many evaluations as full cross-search L1',
      await search(table, new RandomSampler({ seed: k }), r.start, r.evaluations),
    );
  }
  // TPE (Tansaku's default sampler; and Optuna 3.1's choices), the same budget: the cross-search source
  // document's open question, how it compares with Bayesian optimisation. Repeated cells count, as for random.
  for (const [k, r] of full.entries()) {
    add(
      'TPE (the default sampler), as many evaluations as full cross-search L1',
      await search(table, new TpeSampler({ seed: k }), r.start, r.evaluations),
    );
    add(
      "TPE (preset 'optuna-3.1'), as many evaluations as full cross-search L1",
      await search(table, new TpeSampler({ seed: k, preset: 'optuna-3.1' }), r.start, r.evaluations),
    );
  }
  // Nelder-Mead (serial, regular initial simplex with the start cell as a vertex, points snapped to the
  // grid), with the same budget; it may stop sooner when its path only revisits evaluated cells.
  for (const [k, r] of full.entries()) {
    add(
      'Nelder-Mead, at most as many evaluations as full cross-search L1',
      await search(table, new NelderMeadSampler({ searchSpace, start: startOf(r.start), seed: k }), r.start, r.evaluations),
    );
  }
  const grid = score(table, [0, 0], starts);
  const summaries = [summarize('full grid', [grid]), ...Object.entries(runs).map(([m, rs]) => summarize(m, rs))];
  return { table, summaries, runs };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const f3 = (x: number) => x.toFixed(3);

function methodTable(summaries: MethodSummary[]): string {
  return markdownTable(
    [
      'method',
      'starts reaching the optimum',
      `optimum at rel. cost ≤ ${TARGET_COST}`,
      'rel. cost median (min–max)',
      'evaluations (median)',
      'loss mean / max (points)',
    ],
    summaries.map((s) => [
      s.method,
      pct(s.reached),
      pct(s.reachedWithinTarget),
      `${f3(s.costMedian)} (${f3(s.costMin)}–${f3(s.costMax)})`,
      String(s.evaluationsMedian),
      `${f3(s.lossMean)} / ${f3(s.lossMax)}`,
    ]),
  );
}

/** The source document's layout: limit vs relative cost vs accuracy loss, per axis order. */
function limitTable(summaries: MethodSummary[], axes: [string, string]): string {
  const rows: string[][] = [];
  const find = (m: string) => summaries.find((s) => s.method === m)!;
  const labels = [`L1 (${axes[0]} first)`, `L2 (${axes[1]} first)`];
  for (const label of labels) {
    for (const m of summaries.filter((s) => s.method.startsWith('partial') && s.method.endsWith(label))) {
      const limit = /limit (\d+)/.exec(m.method)![1];
      rows.push([`${label.slice(0, 2)} limit ${limit}`, f3(m.costMedian), f3(m.lossMean), f3(m.lossMax), pct(m.reached)]);
    }
    const full = find(`full cross-search, ${label}`);
    rows.push([`${label.slice(0, 2)} full`, f3(full.costMedian), f3(full.lossMean), f3(full.lossMax), pct(full.reached)]);
  }
  return markdownTable(['limit', 'rel. cost (median)', 'accuracy loss mean (points)', 'loss max', 'reached optimum'], rows);
}

function describeOptimum(table: Table): string {
  const opt = optimumOf(table);
  const cells: string[] = [];
  table.values.forEach((row, i) => {
    row.forEach((v, j) => {
      v === opt && cells.push(`${table.axes[0].name}=${table.axes[0].values[i]}, ${table.axes[1].name}=${table.axes[1].values[j]}`);
    });
  });
  return `optimum ${opt} at ${cells.join('; ')}`;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      table: { type: 'string', multiple: true },
      'no-synthetic': { type: 'boolean' },
      'no-hpobench': { type: 'boolean' },
      noise: { type: 'string', default: '0.1' },
      limits: { type: 'string', default: '1,2,3,4' },
      out: { type: 'string', default: 'cross-search' },
      'write-table': { type: 'string' },
    },
  });
  if (args['write-table']) {
    // An example of the table format (the smooth synthetic table), e.g. to start a real MNIST table from.
    const { cost: _cost, costUnit: _unit, ...file } = syntheticTable(0);
    writeFileSync(args['write-table'], `${JSON.stringify(file, null, 1)}\n`);
    console.log(`wrote ${args['write-table']}`);
    return;
  }
  const started = Date.now();
  const machine = machineInfo(ROOT, ['library/src/samplers', 'bench/cross-search']);
  const limits = args.limits!.split(',').map(Number);
  const tables: Table[] = [];
  if (!args['no-synthetic']) tables.push(syntheticTable(0), syntheticTable(Number(args.noise)));
  for (const file of args.table ?? []) tables.push(loadTable(file));
  const hpoDir = join(process.env.TANSAKU_BENCH_DATA ?? resolve(ROOT, '../shared/bench'), 'tabular/hpobench');
  const hpo: Table[] = [];
  if (!args['no-hpobench'] && existsSync(join(hpoDir, 'space.json')))
    for (const task of HPOBENCH_TASKS) hpo.push(hpobenchSlice(hpoDir, task));

  const sections: string[] = [];
  const json: Record<string, unknown>[] = [];
  for (const table of tables) {
    console.error(`${table.name}: ${table.axes[0].values.length * table.axes[1].values.length} start cells...`);
    const r = await benchTable(table, limits);
    sections.push(
      `### ${table.name}\n\n${table.description}; ${table.metric}, ${table.direction}; ${describeOptimum(table)}; cost: ${table.costUnit}.\n\n` +
        `${methodTable(r.summaries)}\n\nPartial cross-search, limit vs relative cost vs accuracy loss (as in the source document):\n\n${limitTable(r.summaries, [table.axes[0].name, table.axes[1].name])}`,
    );
    json.push({
      table: {
        name: table.name,
        description: table.description,
        metric: table.metric,
        direction: table.direction,
        axes: table.axes,
        values: table.values,
        costUnit: table.costUnit,
      },
      summaries: r.summaries,
      runs: compactRuns(r.runs),
    });
  }
  if (hpo.length) {
    const rows: string[][] = [];
    for (const table of hpo) {
      console.error(`${table.name}...`);
      const r = await benchTable(table, [1]);
      const get = (prefix: string) => r.summaries.filter((s) => s.method.startsWith(prefix));
      const pooled = (prefix: string) => {
        const ss = get(prefix);
        return `${pct(ss.reduce((a, s) => a + s.reached, 0) / ss.length)} / ${f3(median(ss.map((s) => s.costMedian)))}`;
      };
      rows.push([
        table.name.replace('hpobench-', ''),
        describeOptimum(table).replace('optimum ', ''),
        pooled('full cross-search'),
        pooled('partial cross-search limit 1'),
        pooled('hill climbing'),
        pooled('random search'),
      ]);
      json.push({
        table: { name: table.name, description: table.description, axes: table.axes, values: table.values },
        summaries: r.summaries,
      });
    }
    sections.push(
      `### HPOBench MLP, width (10 values) x depth (1-3), the other hyperparameters at each task's best\n\n` +
        `Validation accuracy (%, mean of 5 seeds) from ../shared/bench/tabular/hpobench; cost = evaluations (the table does not give the input size the multiplication count needs). ` +
        `Each cell: share of the 30 starts reaching the optimum / median relative cost (cross-search rows pool both axis orders).\n\n` +
        markdownTable(['task', 'optimum', 'full cross-search', 'partial, limit 1', 'hill climbing', 'random (same evaluations)'], rows),
    );
  }
  machine.loadavgEnd = loadavg();
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores; Node ${process.version}; code ${machine.commit ?? 'unknown'}${machine.dirty ? ' (uncommitted changes)' : ''}; run time ${((Date.now() - started) / 1000).toFixed(0)} s. The results are deterministic (seeded); the machine does not change them.`;
  writeResults(ROOT, {
    name: args.out!,
    title: 'bench/cross-search: cross-search on a 10x10 log2 grid of layer sizes',
    writtenBy: '`node bench/scripts/bench.mjs cross-search/run.ts` (bench/cross-search/run.ts)',
    readme: 'bench/cross-search/README.md',
    machineLine,
    table: sections.join('\n\n'),
    notes: [
      'Relative cost: the cost of the cells a search evaluated (multiplications per sample of the MLP, 784·N1 + N1·N2 + N2·10, for the 10x10 tables) divided by the cost of evaluating the whole grid.',
      `"Optimum at rel. cost ≤ ${TARGET_COST}": share of start cells from which the search reached the grid optimum spending at most ${TARGET_COST} of the full grid's cost.`,
      'Full cross-search evaluates the whole line through the current best along one axis, moves to its best, then the other axis, until both lines through the best bring nothing better. Partial cross-search walks along the axis both ways and stops a direction `limit` steps past the best it has seen. L1/L2: which axis goes first.',
      'Hill climbing evaluates the 4 neighbours (±1 level per axis) and moves to the best better one; it stops at the first local peak. Random search runs as many (independent, repeatable) draws as full cross-search (L1) took from the same start, seed = start index.',
      'Nelder-Mead (NelderMeadSampler, serial, regular initial simplex with the start cell as a vertex, points snapped to grid levels, seed = start index) gets the same budget as random search; it stops sooner when its path keeps landing on evaluated cells.',
      "Loss: the grid optimum minus the best value found, in the table's units (percentage points of accuracy).",
      'The synthetic tables are model surfaces with known structure; the real MNIST table, built with Tansaku by `npm run bench:layer-size`, is bench/results/layer-size-mnist.table.json (compared in layer-size-mnist-comparison.md). `--table file.json` adds any table in the same format (README.md).',
    ],
    json: { machine, config: { limits, noise: Number(args.noise), targetCost: TARGET_COST }, tables: json },
  });
}

/** Runs as columns, in start order (the starts listed once per table), without their cell lists. */
function compactRuns(runs: Record<string, RunResult[]>): {
  starts: [number, number][];
  methods: Record<string, { evaluations: number[]; relativeCost: number[]; best: number[] }>;
} {
  const first = Object.values(runs)[0];
  return {
    starts: first.map((r) => r.start),
    methods: Object.fromEntries(
      Object.entries(runs).map(([m, rs]) => [
        m,
        {
          evaluations: rs.map((r) => r.evaluations),
          relativeCost: rs.map((r) => Math.round(r.relativeCost * 1e6) / 1e6),
          best: rs.map((r) => r.best),
        },
      ]),
    ),
  };
}

await main();
