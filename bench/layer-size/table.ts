/**
 * From the layer-size study's trials to tables: per (N1, N2) cell the validation accuracy of each
 * seed, its per-epoch curve and training time, the mean over the seeds; the table file that
 * bench/cross-search/run.ts --table reads (bench/cross-search/README.md); the markdown report.
 * Pure functions over trials (no TensorFlow.js, no files), so they are tested on tiny generated studies.
 */
import type { TableFile } from '../cross-search/table.js';
import { markdownTable } from '../lib/table.js';

/** The trial fields used here (a `FrozenTrial` has them). */
export interface TrialLike {
  readonly number: number;
  readonly state: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly values: readonly number[] | null;
  readonly intermediateValues: ReadonlyMap<number, number>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly systemAttrs: Readonly<Record<string, unknown>>;
}

/** The grid: N1 and N2 take `sizes`, each cell is trained once per seed. */
export interface GridSpec {
  sizes: readonly number[];
  seeds: readonly number[];
}

export interface SeedResult {
  seed: number;
  /** The trial's number in the study. */
  trial: number;
  /** Validation accuracy after the last epoch, percent. */
  accuracy: number;
  /** Validation accuracy after each epoch, percent (the reported intermediate values). */
  curve: number[];
  /** Per epoch, when recorded: validation loss, training loss, training accuracy (percent). */
  valLoss?: number[];
  trainLoss?: number[];
  trainAccuracy?: number[];
  /** Wall seconds of the training, and CPU seconds of the process during it, when recorded. */
  trainSeconds?: number;
  cpuSeconds?: number;
}

export interface CellResult {
  n1: number;
  n2: number;
  /** Completed seeds, in seed order. */
  seeds: SeedResult[];
  /** Every seed done. */
  complete: boolean;
  /** Mean accuracy (percent) over the seeds done so far; null when none is. */
  mean: number | null;
  /** Sample standard deviation over the seeds done (null with fewer than 2). */
  std: number | null;
}

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** `n1xn2/seed`: the key of one (cell, seed) trial. */
export function cellKey(n1: number, n2: number, seed: number): string {
  return `${n1}x${n2}/${seed}`;
}

/** The (n1, n2, seed) of a trial: its parameters, or for a trial that never recorded them its fixed (planned or enqueued) ones. */
export function cellOf(t: TrialLike): { n1: number; n2: number; seed: number } | null {
  const fixed = t.systemAttrs.fixed_params;
  for (const p of [t.params, fixed]) {
    if (p && typeof p === 'object') {
      const { n1, n2, seed } = p as Record<string, unknown>;
      if (typeof n1 === 'number' && typeof n2 === 'number' && typeof seed === 'number') return { n1, n2, seed };
    }
  }
  return null;
}

const numbers = (v: unknown, scale = 1): number[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]).map((x) => round(x * scale, 6)) : undefined;
const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Every cell of the grid (`cells[i][j]` is N1 = sizes[i], N2 = sizes[j]) with its COMPLETE trials. */
export function collectCells(trials: readonly TrialLike[], spec: GridSpec): CellResult[][] {
  const done = new Map<string, TrialLike>();
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || !t.values || t.values.length !== 1) continue;
    const c = cellOf(t);
    if (!c) continue;
    const key = cellKey(c.n1, c.n2, c.seed);
    const seen = done.get(key);
    if (!seen || t.number < seen.number) done.set(key, t); // a cell run twice (a retry racing a late finish): the first counts
  }
  return spec.sizes.map((n1) =>
    spec.sizes.map((n2) => {
      const seeds: SeedResult[] = [];
      for (const seed of spec.seeds) {
        const t = done.get(cellKey(n1, n2, seed));
        if (!t) continue;
        const steps = [...t.intermediateValues.keys()].sort((a, b) => a - b);
        const r: SeedResult = {
          seed,
          trial: t.number,
          accuracy: round(t.values![0] * 100),
          curve: steps.map((s) => round(t.intermediateValues.get(s)! * 100)),
        };
        const u = t.userAttrs;
        const valLoss = numbers(u.val_loss);
        const trainLoss = numbers(u.train_loss);
        const trainAccuracy = numbers(u.train_accuracy, 100);
        if (valLoss) r.valLoss = valLoss;
        if (trainLoss) r.trainLoss = trainLoss;
        if (trainAccuracy) r.trainAccuracy = trainAccuracy;
        const trainSeconds = number(u.train_seconds);
        const cpuSeconds = number(u.cpu_seconds);
        if (trainSeconds !== undefined) r.trainSeconds = trainSeconds;
        if (cpuSeconds !== undefined) r.cpuSeconds = cpuSeconds;
        seeds.push(r);
      }
      const acc = seeds.map((s) => s.accuracy);
      const mean = acc.length ? acc.reduce((a, b) => a + b, 0) / acc.length : null;
      const std = acc.length >= 2 ? Math.sqrt(acc.reduce((a, b) => a + (b - mean!) ** 2, 0) / (acc.length - 1)) : null;
      return {
        n1,
        n2,
        seeds,
        complete: seeds.length === spec.seeds.length,
        mean: mean === null ? null : round(mean),
        std: std === null ? null : round(std),
      };
    }),
  );
}

export interface StudyProgress {
  /** (cell, seed) trials in the grid, and how many have completed. */
  trialsTotal: number;
  trialsComplete: number;
  /** Cells, and how many have every seed. */
  cellsTotal: number;
  cellsComplete: number;
  failed: number;
  running: number;
  waiting: number;
  /** Sums over the COMPLETE trials. */
  trainSeconds: number;
  cpuSeconds: number;
}

export function progressOf(trials: readonly TrialLike[], spec: GridSpec): StudyProgress {
  const cells = collectCells(trials, spec).flat();
  const seeds = cells.flatMap((c) => c.seeds);
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  return {
    trialsTotal: spec.sizes.length ** 2 * spec.seeds.length,
    trialsComplete: seeds.length,
    cellsTotal: spec.sizes.length ** 2,
    cellsComplete: cells.filter((c) => c.complete).length,
    failed: count('FAIL'),
    running: count('RUNNING'),
    waiting: count('WAITING'),
    trainSeconds: seeds.reduce((a, s) => a + (s.trainSeconds ?? 0), 0),
    cpuSeconds: seeds.reduce((a, s) => a + (s.cpuSeconds ?? 0), 0),
  };
}

/** (cell, seed) trials to run again: one FAILed, none COMPLETE, none WAITING or RUNNING. */
export function cellsToRetry(trials: readonly TrialLike[], spec: GridSpec): Array<{ n1: number; n2: number; seed: number }> {
  const states = new Map<string, Set<string>>();
  for (const t of trials) {
    const c = cellOf(t);
    if (!c) continue;
    const key = cellKey(c.n1, c.n2, c.seed);
    if (!states.has(key)) states.set(key, new Set());
    states.get(key)!.add(t.state);
  }
  const retry: Array<{ n1: number; n2: number; seed: number }> = [];
  for (const n1 of spec.sizes) {
    for (const n2 of spec.sizes) {
      for (const seed of spec.seeds) {
        const s = states.get(cellKey(n1, n2, seed));
        if (s?.has('FAIL') && !s.has('COMPLETE') && !s.has('WAITING') && !s.has('RUNNING')) retry.push({ n1, n2, seed });
      }
    }
  }
  return retry;
}

/** Number of leading rows (N1 from the smallest) whose cells all have every seed. */
export function completeRowCount(cells: CellResult[][]): number {
  let k = 0;
  while (k < cells.length && cells[k].every((c) => c.complete)) k++;
  return k;
}

/**
 * The table file for `bench/cross-search/run.ts --table` (mean accuracy over the seeds, percent): the
 * whole grid when every cell is done, else the leading rows of N1 that are complete (a smaller but
 * valid table, named so), or null when fewer than 2 rows are. Cost: the default multiplications.
 */
export function tableFile(cells: CellResult[][], spec: GridSpec, meta: { name: string; description: string }): TableFile | null {
  const rows = completeRowCount(cells);
  if (rows < 2) return null;
  const full = rows === spec.sizes.length;
  const n1s = spec.sizes.slice(0, rows);
  return {
    name: full ? meta.name : `${meta.name}-n1-${n1s[0]}-${n1s[rows - 1]}`,
    description: full ? meta.description : `${meta.description}; PARTIAL: only the rows N1 = ${n1s.join(', ')} are complete so far`,
    metric: 'validation accuracy (%)',
    direction: 'maximize',
    axes: [
      { name: 'n1', values: [...n1s] },
      { name: 'n2', values: [...spec.sizes] },
    ],
    values: cells.slice(0, rows).map((row) => row.map((c) => c.mean!)),
  };
}

/** The data file: settings, progress, every cell with its seeds' values and curves, the mean table (null = not done). */
export function dataFile(
  cells: CellResult[][],
  spec: GridSpec,
  meta: Record<string, unknown>,
  progress: StudyProgress,
): Record<string, unknown> {
  return {
    ...meta,
    axes: { n1: spec.sizes, n2: spec.sizes, seeds: spec.seeds },
    progress,
    mean: cells.map((row) => row.map((c) => (c.complete ? c.mean : null))),
    cells: cells.flat().filter((c) => c.seeds.length > 0),
  };
}

const fmt = (x: number, d = 2) => x.toFixed(d);

/** The markdown tables: mean accuracy per cell (partial cells marked), and training seconds per seed. */
export function markdownTables(cells: CellResult[][], spec: GridSpec): string {
  const headers = ['N1 \\ N2', ...spec.sizes.map(String)];
  const acc = cells.map((row) => [
    String(row[0].n1),
    ...row.map((c) => (c.mean === null ? '·' : c.complete ? fmt(c.mean) : `${fmt(c.mean)} (${c.seeds.length}/${spec.seeds.length})`)),
  ]);
  const time = cells.map((row) => [
    String(row[0].n1),
    ...row.map((c) => {
      const secs = c.seeds.map((s) => s.cpuSeconds ?? s.trainSeconds).filter((s): s is number => s !== undefined);
      return secs.length ? fmt(secs.reduce((a, b) => a + b, 0) / secs.length, 0) : '·';
    }),
  ]);
  return (
    `Mean validation accuracy (%) over seeds ${spec.seeds.join(', ')} (rows N1, columns N2); "(k/${spec.seeds.length})": only k seeds done so far; "·": not run yet.\n\n${markdownTable(headers, acc)}\n\n` +
    `CPU seconds of training per seed (mean; wall seconds where CPU time was not recorded):\n\n${markdownTable(headers, time)}`
  );
}
