/**
 * Estimates what the whole layer-size grid costs before running it: times training batches (and a
 * validation pass) of a few cells in this process, fits seconds per batch = a + b · MACs per batch
 * (weighted for relative error), and projects the grid: 100 cells × 3 seeds × epochs × (batches per
 * epoch × seconds per batch + validation). The 4096-wide cells dominate.
 *
 *   node bench/scripts/bench.mjs layer-size/estimate.ts                 # about 2-4 minutes on a loaded 2-core machine
 *   node bench/scripts/bench.mjs layer-size/estimate.ts --cells 8x8,4096x4096 --min-seconds 5 --jobs 2
 *
 * Prints a table and the projection (one process; `--jobs J` divides by J for J worker processes on J
 * free cores). Nothing is written.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { markdownTable } from '../lib/table.js';
import { SEEDS, SIZES, TRAINING, forwardMacs, trainMacs } from './config.js';
import { buildMlp, cellData } from './mlp.js';

const DEFAULT_CELLS = '8x8,64x64,256x256,1024x1024,8x4096,4096x8,2048x2048,4096x4096';

interface Timing {
  n1: number;
  n2: number;
  batches: number;
  /** Wall seconds per training batch. */
  secondsPerBatch: number;
  /** CPU seconds (user + system) of this process per training batch: what a free core would take. */
  cpuPerBatch: number;
  validationSeconds: number;
  validationCpu: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function timeCell(n1: number, n2: number, minSeconds: number): Promise<Timing> {
  const data = await cellData();
  const model = buildMlp(n1, n2, 0);
  const optimizer = tf.train.adam(TRAINING.learningRate);
  const bs = TRAINING.batchSize;
  const n = data.train.xs.shape[0];
  const step = (b: number): void => {
    tf.tidy(() => {
      const start = (b * bs) % (n - bs);
      const xb = tf.slice(data.train.xs, [start], [bs]);
      const yb = tf.slice(data.train.ys, [start], [bs]);
      optimizer.minimize(() => tf.mean(sparseCe(yb, model.apply(xb, { training: true }) as tf.Tensor)) as tf.Scalar, false);
    });
  };
  try {
    step(0); // warm-up (kernel setup, first allocation)
    let batches = 0;
    const t0 = performance.now();
    const c0 = cpuSeconds();
    while (batches < 2 || cpuSeconds() - c0 < minSeconds) step(++batches);
    const secondsPerBatch = (performance.now() - t0) / 1000 / batches;
    const cpuPerBatch = (cpuSeconds() - c0) / batches;
    const v0 = performance.now();
    const vc0 = cpuSeconds();
    for (let s = 0; s < data.validation.xs.shape[0]; s += 256) {
      tf.tidy(() =>
        (model.apply(tf.slice(data.validation.xs, [s], [Math.min(256, data.validation.xs.shape[0] - s)])) as tf.Tensor).dataSync(),
      );
    }
    const validationSeconds = (performance.now() - v0) / 1000;
    return { n1, n2, batches, secondsPerBatch, cpuPerBatch, validationSeconds, validationCpu: cpuSeconds() - vc0 };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** Sparse softmax cross-entropy of probabilities, as `train` computes it. */
function sparseCe(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const oneHot = tf.oneHot(tf.cast(y, 'int32'), 10);
  return tf.metrics.categoricalCrossentropy(oneHot, tf.clipByValue(p, 1e-7, 1 - 1e-7));
}

/** Weighted least squares of y = a + b·x, weights 1/y² (relative error). */
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  let sw = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  xs.forEach((x, i) => {
    const w = 1 / ys[i] ** 2;
    sw += w;
    sx += w * x;
    sy += w * ys[i];
    sxx += w * x * x;
    sxy += w * x * ys[i];
  });
  const b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  return { a: Math.max(0, (sy - b * sx) / sw), b };
}

const fmtH = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${(s / 60).toFixed(1)} min`);

interface Model {
  perBatch: { a: number; b: number };
  perVal: { a: number; b: number };
}

function fitModel(timings: Timing[], clock: 'cpu' | 'wall'): Model {
  return {
    perBatch: fit(
      timings.map((t) => trainMacs(t.n1, t.n2) * TRAINING.batchSize),
      timings.map((t) => (clock === 'cpu' ? t.cpuPerBatch : t.secondsPerBatch)),
    ),
    perVal: fit(
      timings.map((t) => forwardMacs(t.n1, t.n2) * TRAINING.validationCount),
      timings.map((t) => (clock === 'cpu' ? t.validationCpu : t.validationSeconds)),
    ),
  };
}

const BATCHES_PER_EPOCH = Math.ceil(TRAINING.trainCount / TRAINING.batchSize);

/** Projected seconds of one (N1, N2, seed) trial: epochs × (batches × per batch + validation). */
function cellSeconds(m: Model, n1: number, n2: number): number {
  const batch = m.perBatch.a + m.perBatch.b * trainMacs(n1, n2) * TRAINING.batchSize;
  const val = m.perVal.a + m.perVal.b * forwardMacs(n1, n2) * TRAINING.validationCount;
  return TRAINING.epochs * (BATCHES_PER_EPOCH * batch + val);
}

function gridSeconds(m: Model, rows?: readonly number[]): number {
  let total = 0;
  for (const n1 of rows ?? SIZES) for (const n2 of SIZES) total += cellSeconds(m, n1, n2) * SEEDS.length;
  return total;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      cells: { type: 'string', default: DEFAULT_CELLS },
      'min-seconds': { type: 'string', default: '3' },
      jobs: { type: 'string', default: '2' },
    },
  });
  const cells = args.cells!.split(',').map((c) => c.split('x').map(Number) as [number, number]);
  const minSeconds = Number(args['min-seconds']);
  const jobs = Number(args.jobs);
  const data = await cellData();
  const load0 = os.loadavg();
  console.error(
    `backend ${data.backend.backend}${data.backend.simd ? ' (SIMD)' : ''}; load average ${load0.map((v) => v.toFixed(2)).join(' ')} on ${os.cpus().length} cores`,
  );
  const timings: Timing[] = [];
  for (const [n1, n2] of cells) {
    const t = await timeCell(n1, n2, minSeconds);
    timings.push(t);
    console.error(
      `  ${n1}x${n2}: ${(t.cpuPerBatch * 1000).toFixed(1)} CPU ms/batch, ${(t.secondsPerBatch * 1000).toFixed(1)} wall ms/batch (${t.batches} batches); validation ${t.validationCpu.toFixed(2)} CPU s`,
    );
  }
  const cpu = fitModel(timings, 'cpu');
  const wall = fitModel(timings, 'wall');
  console.log(
    markdownTable(
      ['cell', 'CPU ms / batch', 'wall ms / batch', 'GFLOP/s per CPU second', 'validation CPU s', 'one seed (10 epochs), CPU'],
      timings.map((t) => [
        `${t.n1}x${t.n2}`,
        (t.cpuPerBatch * 1000).toFixed(1),
        (t.secondsPerBatch * 1000).toFixed(1),
        ((2 * trainMacs(t.n1, t.n2) * TRAINING.batchSize) / t.cpuPerBatch / 1e9).toFixed(2),
        t.validationCpu.toFixed(2),
        fmtH(cellSeconds(cpu, t.n1, t.n2)),
      ]),
    ),
  );
  console.log(
    `\nfit (CPU): seconds per batch = ${(cpu.perBatch.a * 1000).toFixed(2)} ms + MACs / ${(1 / cpu.perBatch.b / 1e9).toFixed(2)} G MAC/s`,
  );
  console.log(`\nprojection per row of N1 (all N2, ${SEEDS.length} seeds), CPU time:\n`);
  const rows = SIZES.map((n1) => {
    const row = gridSeconds(cpu, [n1]);
    return [String(n1), fmtH(row), `${((100 * row) / gridSeconds(cpu)).toFixed(1)}%`, fmtH(cellSeconds(cpu, n1, 4096))];
  });
  console.log(markdownTable(['N1', 'row, CPU', 'share of the grid', 'N2 = 4096 cell, one seed'], rows));
  const totalCpu = gridSeconds(cpu);
  const totalWall = gridSeconds(wall);
  const load1 = os.loadavg();
  console.log(
    `\nwhole grid (100 cells x ${SEEDS.length} seeds x ${TRAINING.epochs} epochs): ${fmtH(totalCpu)} of CPU time, i.e. ${fmtH(totalCpu / jobs)} with ${jobs} worker processes on ${jobs} free cores; ` +
      `at this run's load (${load0[0].toFixed(1)} -> ${load1[0].toFixed(1)}) one process would take ${fmtH(totalWall)} of wall time`,
  );
}

await main();
