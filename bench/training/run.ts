/**
 * bench/training: training samples/s of the 784-128-4096-10 MLP and a small CNN with TensorFlow.js on
 * the wasm backend before and after Tansaku's kernels, on tfjs's cpu backend, and with PyTorch 1.13 on
 * one CPU thread (Debian's python3-torch), same models, same batch size, same run.
 *
 *   npm run bench:training                      # about 5 minutes on 2 cores
 *   npm run bench:training -- --quick           # one short round (about 1.5 minutes), for a smoke test
 *   options: --rounds 3 --reps 3 --min-seconds 2 --warmup-seconds 2 --mlp-batch 128 --cnn-batch 64
 *            --models mlp,cnn --variants wasm,wasm-before,cpu,pytorch
 *
 * Every measurement runs in a fresh child process (`node bench/scripts/bench.mjs training/run.ts --worker
 * <json>`, or `/usr/bin/python3 bench/training/torch_train.py <json>`), which warms up, then runs `reps`
 * repetitions, each as many steps as fit in `min-seconds` (at least one), and prints one `RESULT {json}`
 * line with each repetition's steps, wall seconds and CPU seconds of the process. The parent runs every
 * variant once per round (the order reversed every other round), so load on a shared machine hits all
 * alike. Writes bench/results/training.md and .json. See bench/training/README.md.
 */
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runResultChild } from '../lib/child.js';
import { parseArgs } from 'node:util';
import { describeCode, loadavg, machineInfo, sh } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { summarize, type Summary } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { MODELS, type ModelName } from './models.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
/** The Python with PyTorch 1.13 (Debian's python3-torch); `TRAINING_PYTHON` overrides it. */
const PYTHON = process.env.TRAINING_PYTHON ?? '/usr/bin/python3';
const TORCH_SCRIPT = resolve(HERE, 'torch_train.py');

type Variant = 'wasm' | 'wasm-before' | 'cpu' | 'pytorch';
const VARIANT_LABEL: Record<Variant, string> = {
  'wasm-before': 'tfjs wasm, before (package kernels)',
  wasm: 'tfjs wasm + Tansaku kernels',
  cpu: 'tfjs cpu backend',
  pytorch: 'PyTorch, 1 thread',
};

interface WorkerConfig {
  variant: Exclude<Variant, 'pytorch'>;
  model: ModelName;
  batch: number;
  warmupSeconds: number;
  minSeconds: number;
  reps: number;
}

interface Rep {
  steps: number;
  /** Wall seconds. */
  wall: number;
  /** CPU seconds of the process (user + system). */
  cpu: number;
}

interface WorkerResult {
  variant: Variant;
  model: ModelName;
  batch: number;
  reps: Rep[];
  version?: string;
  threads?: number;
  backend?: string;
  simd?: boolean;
  kernels?: { added: string[]; replaced: string[] };
  fallbackReason?: string;
  tensorsBefore?: number;
  tensorsAfter?: number;
}

// ------------------------------------------------------------------------------------------ worker

async function worker(cfg: WorkerConfig): Promise<WorkerResult> {
  const tf = await import('@tensorflow/tfjs');
  const { registerWasmTrainingKernels, useTrainingWasmBackend } = await import('tansaku/tfjs');
  const { makeStep } = await import('./models.js');
  tf.env().set('PROD', true);
  const out: Partial<WorkerResult> = { variant: cfg.variant, model: cfg.model, batch: cfg.batch };
  if (cfg.variant === 'cpu') {
    await tf.setBackend('cpu');
    out.backend = 'cpu';
  } else {
    // "before": the package's own kernels, plus Tansaku's only for kernels the package lacks (the CNN's
    // Conv2DBackpropFilter), without which it cannot train at all.
    const info = await useTrainingWasmBackend({ kernels: false });
    if (info.backend !== 'wasm') throw new Error(`the wasm backend did not start: ${info.fallbackReason}`);
    registerWasmTrainingKernels({ fastPaths: cfg.variant === 'wasm' });
    out.backend = 'wasm';
    out.simd = info.simd;
    out.threads = info.threads;
  }
  const spec = MODELS[cfg.model];
  const model = spec.build();
  const step = makeStep(model, tf.train.sgd(0.01));
  const nb = 4;
  const xs = Array.from({ length: nb }, () => tf.randomNormal([cfg.batch, ...spec.sample]));
  const ys = Array.from({ length: nb }, () => tf.oneHot(tf.randomUniform([cfg.batch], 0, 10, 'int32') as never, 10).toFloat());
  let i = 0;
  const runFor = (seconds: number, minSteps: number): Rep => {
    let steps = 0;
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    while (steps < minSteps || performance.now() - w0 < seconds * 1000) {
      step(xs[i % nb], ys[i % nb]);
      i++;
      steps++;
    }
    // wasm and cpu run synchronously; reading one weight makes sure everything has finished.
    model.getWeights()[0].dataSync();
    const c = process.cpuUsage(c0);
    return { steps, wall: (performance.now() - w0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
  runFor(cfg.warmupSeconds, cfg.variant === 'cpu' ? 1 : 2);
  out.tensorsBefore = tf.memory().numTensors;
  out.reps = [];
  for (let r = 0; r < cfg.reps; r++) out.reps.push(runFor(cfg.minSeconds, 1));
  out.tensorsAfter = tf.memory().numTensors;
  out.kernels = (await import('tansaku/tfjs')).registeredWasmTrainingKernels();
  return out as WorkerResult;
}

// ------------------------------------------------------------------------------------------ driver

function runChild(command: string, args: readonly string[]): Promise<WorkerResult> {
  return runResultChild<WorkerResult>(command, args, ROOT);
}

function runVariant(
  variant: Variant,
  model: ModelName,
  batch: number,
  t: { warmupSeconds: number; minSeconds: number; reps: number },
): Promise<WorkerResult> {
  if (variant === 'pytorch') {
    return runChild(PYTHON, [TORCH_SCRIPT, JSON.stringify({ model, batch, ...t })]);
  }
  const cfg: WorkerConfig = { variant, model, batch, ...t };
  return runChild(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', JSON.stringify(cfg)]);
}

const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const fmtSummary = (s: Summary | null, digits = 0): string =>
  s === null ? 'n/a' : s.n === 1 ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      reps: { type: 'string' },
      'min-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'mlp-batch': { type: 'string', default: '128' },
      'cnn-batch': { type: 'string', default: '64' },
      models: { type: 'string', default: 'mlp,cnn' },
      variants: { type: 'string', default: 'wasm-before,wasm,cpu,pytorch' },
      worker: { type: 'string' },
    },
  });
  if (opts.worker) {
    const res = await worker(JSON.parse(opts.worker) as WorkerConfig);
    console.log(`RESULT ${JSON.stringify(res)}`);
    return;
  }
  const rounds = Number(opts.rounds ?? (opts.quick ? 1 : 3));
  const t = {
    reps: Number(opts.reps ?? (opts.quick ? 1 : 3)),
    minSeconds: Number(opts['min-seconds'] ?? (opts.quick ? 1 : 2)),
    warmupSeconds: Number(opts['warmup-seconds'] ?? (opts.quick ? 1 : 2)),
  };
  for (const [name, v] of Object.entries({ rounds, ...t })) {
    if (!(v > 0) || ((name === 'rounds' || name === 'reps') && !Number.isInteger(v)))
      throw new Error(`--${name} must be positive, got ${v}`);
  }
  const models = opts.models!.split(',') as ModelName[];
  for (const m of models) if (!(m in MODELS)) throw new Error(`--models: unknown model '${m}' (mlp, cnn)`);
  const variants = opts.variants!.split(',') as Variant[];
  for (const v of variants)
    if (!(v in VARIANT_LABEL)) throw new Error(`--variants: unknown variant '${v}' (${Object.keys(VARIANT_LABEL).join(', ')})`);
  const batches: Record<ModelName, number> = { mlp: Number(opts['mlp-batch']), cnn: Number(opts['cnn-batch']) };

  const started = Date.now();
  const machine = machineInfo(ROOT, ['library/src/tfjs', 'bench/training']);
  const torchVersion = sh(PYTHON, ['-c', 'import torch; print(torch.__version__)']);
  const haveTorch = torchVersion !== null;
  if (!haveTorch && variants.includes('pytorch')) {
    console.error(
      `\n*** PyTorch is not importable by ${PYTHON}. Install the reference with: apt-get install -y python3-torch\n*** Reporting TensorFlow.js figures only.\n`,
    );
  }
  const active = variants.filter((v) => v !== 'pytorch' || haveTorch);
  const log = (msg: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

  const runs: WorkerResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const model of models) {
      const order = round % 2 === 0 ? active : [...active].reverse();
      for (const variant of order) {
        // The cpu backend takes seconds (MLP) to a minute (CNN) per step: one short measurement, first round only.
        if (variant === 'cpu' && round > 0) continue;
        const res = await runVariant(
          variant,
          model,
          batches[model],
          variant === 'cpu' ? { warmupSeconds: 0, minSeconds: t.minSeconds, reps: 1 } : t,
        );
        runs.push(res);
        const rate = res.reps.map((r) => (r.steps * res.batch) / r.wall);
        log(`round ${round + 1}/${rounds} ${model} ${variant.padEnd(12)} ${rate.map((v) => fmt(v)).join(', ')} samples/s`);
      }
    }
  }
  machine.loadavgEnd = loadavg();

  // ---- summary
  interface Row {
    model: ModelName;
    batch: number;
    variant: Variant;
    wall: Summary;
    cpu: Summary;
    gflops: number;
  }
  const rows: Row[] = [];
  for (const model of models) {
    for (const variant of active) {
      const mine = runs.filter((r) => r.model === model && r.variant === variant);
      if (mine.length === 0) continue;
      const reps = mine.flatMap((r) => r.reps.map((rep) => ({ ...rep, batch: r.batch })));
      const wall = summarize(reps.map((r) => (r.steps * r.batch) / r.wall));
      const cpu = summarize(reps.map((r) => (r.steps * r.batch) / r.cpu));
      rows.push({ model, batch: batches[model], variant, wall, cpu, gflops: (wall.median * 2 * MODELS[model].trainMacs) / 1e9 });
    }
  }
  const ref = (model: ModelName): Row | undefined => rows.find((r) => r.model === model && r.variant === 'pytorch');
  const ratio = (a: number, b: number | undefined): string => (b === undefined || !(b > 0) ? 'n/a' : `${(a / b).toFixed(2)}x`);
  const table = markdownTable(
    [
      'model (batch)',
      'backend',
      'samples/s, wall: median (min–max)',
      'samples per CPU-second',
      'GFLOP/s (wall)',
      'vs PyTorch (wall)',
      'vs PyTorch (CPU time)',
    ],
    rows.map((r) => [
      `${MODELS[r.model].label} (${r.batch})`,
      r.variant === 'pytorch' ? `PyTorch ${torchVersion}, 1 thread` : VARIANT_LABEL[r.variant],
      fmtSummary(r.wall),
      fmt(r.cpu.median),
      fmt(r.gflops, 1),
      ratio(r.wall.median, ref(r.model)?.wall.median),
      ratio(r.cpu.median, ref(r.model)?.cpu.median),
    ]),
  );
  const speedups = models.map((m) => {
    const before = rows.find((r) => r.model === m && r.variant === 'wasm-before');
    const after = rows.find((r) => r.model === m && r.variant === 'wasm');
    return {
      model: m,
      wasmAfterOverBefore: before && after ? after.wall.median / before.wall.median : null,
      wasmAfterOverBeforeCpu: before && after ? after.cpu.median / before.cpu.median : null,
    };
  });
  const mlpAfter = rows.find((r) => r.model === 'mlp' && r.variant === 'wasm');
  const mlpTorch = ref('mlp');
  const target = mlpAfter && mlpTorch ? mlpAfter.wall.median / mlpTorch.wall.median : null;
  const targetCpu = mlpAfter && mlpTorch ? mlpAfter.cpu.median / mlpTorch.cpu.median : null;
  const leaks = runs.filter((r) => r.tensorsBefore !== undefined && r.tensorsAfter !== r.tensorsBefore);
  // Every row is meant to run on one thread; CPU time well above wall time means a library ran threads of
  // its own (as OpenBLAS's pool did under PyTorch before torch_train.py pinned it).
  const multiCore = models.flatMap((model) =>
    active.flatMap((variant) => {
      const reps = runs.filter((r) => r.model === model && r.variant === variant).flatMap((r) => r.reps);
      const cpu = reps.reduce((sum, rep) => sum + rep.cpu, 0);
      const wall = reps.reduce((sum, rep) => sum + rep.wall, 0);
      return wall > 0 && cpu / wall > 1.15 ? [`${MODELS[model].label}/${variant} (CPU ${(cpu / wall).toFixed(2)}x wall)`] : [];
    }),
  );
  const notes = [
    `Each row: ${rounds} round(s) × ${t.reps} repetition(s) of at least ${t.minSeconds} s each, in a fresh process per round, after ${t.warmupSeconds} s of warm-up (the tfjs cpu backend: one repetition after one warm-up step, first round only: its CNN step takes about a minute); samples/s = steps × batch / seconds. "CPU-second": the process's user + system CPU time (steadier than wall time when other work shares the cores; every variant here runs on one thread).`,
    'Step: a bare `optimizer.minimize` of the mean softmax cross-entropy of `model.apply(x)` with plain SGD (lr 0.01) in TensorFlow.js (no `model.fit`); `zero_grad`, forward, `backward`, `step` with SGD in PyTorch. Same layer sizes, random inputs, four batches used in turn.',
    `GFLOP/s counts the model's multiply-adds × 2 per training sample: forward, weight gradients, and input gradients of every layer but the first (MLP ${(MODELS.mlp.trainMacs / 1e6).toFixed(2)} M, CNN ${(MODELS.cnn.trainMacs / 1e6).toFixed(2)} M multiply-adds per sample).`,
    '"before": tfjs-backend-wasm 4.22 with its own kernels; the CNN cannot train with them alone (no Conv2DBackpropFilter), so that row adds Tansaku\'s kernels only for what the package lacks. "after": `useTrainingWasmBackend()` (all of Tansaku\'s kernels; see library/src/tfjs/wasm-training.ts).',
    ...speedups
      .filter((s) => s.wasmAfterOverBefore !== null)
      .map(
        (s) =>
          `${MODELS[s.model].label}: wasm after / before = ${s.wasmAfterOverBefore!.toFixed(2)}x by wall time, ${s.wasmAfterOverBeforeCpu!.toFixed(2)}x by CPU time.`,
      ),
    target === null
      ? 'Target (MLP on wasm ≥ 0.5x PyTorch): not measured in this run.'
      : `Target (MLP on wasm ≥ 0.5x PyTorch's samples/s): ${target.toFixed(2)}x by wall time${targetCpu === null ? '' : `, ${targetCpu.toFixed(2)}x by CPU time`} — ${Math.max(target, targetCpu ?? 0) >= 0.5 ? 'met' : 'NOT met'}.`,
    'A repetition whose wall time far exceeds its CPU time waited for a core (other work on the machine): the min–max range shows such outliers; the medians and the CPU-time columns are the figures to read.',
    'The wasm backend multiplies matrices with XNNPACK compiled to 128-bit WebAssembly SIMD (single-threaded in Node: tfjs 4.22 disables its threaded build there); PyTorch uses native AVX2/FMA kernels. Run bench/training/profile.ts for a per-kernel breakdown.',
    multiCore.length
      ? `WARNING: more than one core busy in ${multiCore.join(', ')}: those rows are not one-thread figures.`
      : 'One thread: in every row the CPU time was at most 1.15x the wall time.',
    leaks.length
      ? `WARNING: tensor count changed during ${leaks.length} run(s): ${leaks.map((r) => `${r.model}/${r.variant} ${r.tensorsBefore}→${r.tensorsAfter}`).join(', ')}`
      : 'No tensor leak: tf.memory().numTensors was the same before and after the timed repetitions in every TensorFlow.js run.',
  ];
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node ${machine.node}; @tensorflow/tfjs ${tfjsVersion()}; PyTorch ${torchVersion ?? 'not installed'} (${PYTHON}); load average ${machine.loadavgStart.join(' ')} at start, ${(machine.loadavgEnd as number[]).join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  writeResults(ROOT, {
    name: 'training',
    title:
      "bench/training: training samples/s, TensorFlow.js on wasm (before/after Tansaku's kernels) and cpu, beside PyTorch on one thread",
    writtenBy: '`npm run bench:training` (bench/training/run.ts)',
    readme: 'bench/training/README.md',
    machineLine,
    table,
    notes,
    json: {
      machine: { ...machine, torch: torchVersion, cores: os.availableParallelism() },
      config: { rounds, ...t, batches, models, variants: active },
      rows,
      speedups,
      target,
      targetCpu,
      runs,
    },
  });
}

function tfjsVersion(): string {
  return sh(process.execPath, ['-p', "require('@tensorflow/tfjs/package.json').version"], ROOT) ?? 'unknown';
}

await main();
