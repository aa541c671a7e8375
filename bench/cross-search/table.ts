/**
 * Tables for bench/cross-search: a value (accuracy, in percent) for every cell of a 2-D grid of two
 * ordinal axes, with a cost per cell. The format is a JSON file (see README.md), so a table measured
 * elsewhere (e.g. a real MLP trained on MNIST for every (N1, N2)) plugs in with `--table file.json`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from 'tansaku/extend';

/** A table file, as written on disk. */
export interface TableFile {
  /** Short name used in the results. */
  name: string;
  /** Where the values come from. */
  description: string;
  /** What the values are, e.g. "test accuracy (%)". */
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Exactly two axes; values[i][j] is the cell (axes[0].values[i], axes[1].values[j]). */
  axes: [{ name: string; values: number[] }, { name: string; values: number[] }];
  values: number[][];
  /**
   * Cost of evaluating each cell, same shape as `values`. Default: multiplications per sample of a
   * 3-layer MLP with 784 inputs and 10 outputs, 784·N1 + N1·N2 + N2·10 (the axes' values are N1, N2).
   */
  cost?: number[][];
  /** What `cost` counts (shown in the results). */
  costUnit?: string;
}

/** A validated table with its costs filled in. */
export interface Table extends TableFile {
  cost: number[][];
  costUnit: string;
}

/** Multiplications per sample of the MLP 784 -> N1 -> N2 -> 10 (Imai 2024's cost measure). */
export function mlpMultiplications(n1: number, n2: number): number {
  return 784 * n1 + n1 * n2 + n2 * 10;
}

function fail(source: string, what: string): never {
  throw new Error(`table ${source}: ${what}`);
}

/** Checks a parsed table file and fills in the default cost. */
export function checkTable(raw: unknown, source: string): Table {
  if (typeof raw !== 'object' || raw === null) fail(source, 'expected a JSON object');
  const t = raw as TableFile;
  if (typeof t.name !== 'string' || !t.name) fail(source, '"name" must be a non-empty string');
  if (t.direction !== 'maximize' && t.direction !== 'minimize')
    fail(source, `"direction" must be "maximize" or "minimize", got ${JSON.stringify(t.direction)}`);
  if (!Array.isArray(t.axes) || t.axes.length !== 2) fail(source, '"axes" must list exactly two axes');
  for (const a of t.axes) {
    if (
      typeof a?.name !== 'string' ||
      !Array.isArray(a.values) ||
      a.values.length < 2 ||
      !a.values.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      fail(source, 'each axis needs a "name" and at least two numeric "values"');
    }
  }
  const [n, m] = [t.axes[0].values.length, t.axes[1].values.length];
  const checkMatrix = (x: unknown, what: string): number[][] => {
    if (
      !Array.isArray(x) ||
      x.length !== n ||
      !x.every((row) => Array.isArray(row) && row.length === m && row.every((v) => typeof v === 'number' && Number.isFinite(v)))
    ) {
      fail(source, `"${what}" must be a ${n}x${m} array of finite numbers (rows: ${t.axes[0].name}, columns: ${t.axes[1].name})`);
    }
    return x as number[][];
  };
  const values = checkMatrix(t.values, 'values');
  const cost =
    t.cost !== undefined
      ? checkMatrix(t.cost, 'cost')
      : t.axes[0].values.map((n1) => t.axes[1].values.map((n2) => mlpMultiplications(n1, n2)));
  return {
    ...t,
    description: t.description ?? '',
    metric: t.metric ?? 'value',
    values,
    cost,
    costUnit: t.cost !== undefined ? (t.costUnit ?? 'cost units') : 'multiplications 784·N1 + N1·N2 + N2·10',
  };
}

export function loadTable(path: string): Table {
  return checkTable(JSON.parse(readFileSync(path, 'utf8')), path);
}

const SIZES = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/**
 * A synthetic accuracy surface (percent) for an MLP 784 -> N1 -> N2 -> 10 on MNIST-like data, over
 * N1, N2 in logGrid(8, 4096, 2). In x = log2(N1) - 3 and y = log2(N2) - 3 (0..9): accuracy rises with
 * width and saturates (exponential terms), falls slowly for very wide layers (overfitting, quadratic
 * terms), and a second layer much wider than the first buys nothing (the last term). It is smooth and
 * not separable, with its optimum inside the grid. `noise` adds a fixed, seeded N(0, noise^2) value to
 * every cell (training noise), which creates local optima.
 */
export function syntheticTable(noise = 0, seed = 7): Table {
  const values = SIZES.map((_, x) =>
    SIZES.map((__, y) => {
      const acc =
        98.2 -
        10 * Math.exp(-0.6 * x) -
        5 * Math.exp(-0.6 * y) -
        0.06 * (x - 6.5) ** 2 -
        0.04 * (y - 5) ** 2 -
        0.05 * Math.max(0, y - x - 1) ** 2;
      const eps = noise > 0 ? noise * Rng.forKey(seed, 'cell', x, y).normal() : 0;
      return Math.round((acc + eps) * 1e4) / 1e4;
    }),
  );
  return checkTable(
    {
      name: noise > 0 ? `synthetic-noisy-${noise}` : 'synthetic-smooth',
      description:
        noise > 0
          ? `the smooth synthetic surface plus fixed seeded cell noise N(0, ${noise}^2) points (seed ${seed}), which makes local optima`
          : 'smooth synthetic accuracy surface of an MLP 784-N1-N2-10 (bench/cross-search/table.ts, syntheticTable)',
      metric: 'accuracy (%)',
      direction: 'maximize',
      axes: [
        { name: 'n1', values: SIZES },
        { name: 'n2', values: SIZES },
      ],
      values,
    },
    'synthetic',
  );
}

/**
 * The HPOBench MLP width x depth slice of one task (../shared/bench/tabular/hpobench): validation
 * accuracy (%, mean over the 5 seeds) for width 16..1024 (10 values) x depth 1..3, with alpha,
 * batch_size and learning_rate_init fixed at the task's best configuration (best mean over seeds).
 * The cost of a cell is 1 (an evaluation): the table does not give the input size the MLP formula needs.
 */
export function hpobenchSlice(dataDir: string, task: string): Table {
  const spaceFile = JSON.parse(readFileSync(join(dataDir, 'space.json'), 'utf8')) as { order: string[]; space: Record<string, number[]> };
  const data = JSON.parse(readFileSync(join(dataDir, `${task}.json`), 'utf8')) as Record<string, number[]>;
  const order = spaceFile.order;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let bestKey = '';
  let best = -Infinity;
  for (const [key, seeds] of Object.entries(data)) {
    const v = mean(seeds);
    if (v > best) [best, bestKey] = [v, key];
  }
  const w = order.indexOf('width');
  const d = order.indexOf('depth');
  const widths = spaceFile.space.width;
  const depths = spaceFile.space.depth;
  const values = widths.map((_, wi) =>
    depths.map((__, di) => {
      const key = bestKey.split('');
      key[w] = String(wi);
      key[d] = String(di);
      const seeds = data[key.join('')];
      if (!seeds) throw new Error(`hpobench ${task}: no entry for ${key.join('')}`);
      return Math.round(mean(seeds) * 100 * 1e4) / 1e4;
    }),
  );
  const fixed = order
    .filter((p) => p !== 'width' && p !== 'depth')
    .map((p) => `${p}=${spaceFile.space[p][Number(bestKey[order.indexOf(p)])]}`);
  return checkTable(
    {
      name: `hpobench-${task}`,
      description: `HPOBench MLP ${task}: width x depth, ${fixed.join(', ')} (the task's best configuration); validation accuracy, mean of 5 seeds`,
      metric: 'validation accuracy (%)',
      direction: 'maximize',
      axes: [
        { name: 'width', values: widths },
        { name: 'depth', values: depths },
      ],
      values,
      cost: widths.map(() => depths.map(() => 1)),
      costUnit: 'evaluations',
    },
    `hpobench/${task}`,
  );
}
