/**
 * A fast training loop for TensorFlow.js layers models, and a pruning callback that connects training
 * to a Tansaku trial.
 *
 * `train(model, data, options)` computes what `model.fit` computes (the same forward pass in training
 * mode, the same per-batch mean loss plus regularisation, the same optimizer step, the same
 * epoch-averaged logs and validation) but without `fit`'s per-batch overheads: no per-batch callback
 * machinery or log tensors, one `tf.tidy` and one bare `optimizer.minimize` per batch, and the epoch's
 * loss and metrics summed on the backend and read back with a single `dataSync` per epoch.
 *
 * `tansakuPruningCallback(trial, { metric })` reports a metric to the trial after every epoch and throws
 * `TrialPruned` when the study's pruner says stop; it works with `train` and with `model.fit`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { createStudy } from 'tansaku';
 * import { train, tansakuPruningCallback } from 'tansaku/tfjs';
 *
 * const study = await createStudy({ direction: 'maximize' });
 * await study.optimize(async (trial) => {
 *   const lr = trial.suggestFloat('lr', 1e-4, 1e-1, { log: true });
 *   const model = buildModel(trial.suggestInt('units', 16, 256, { log: true }));
 *   try {
 *     const { history } = await train(model, { xs, ys }, {
 *       epochs: 10, batchSize: 64, optimizer: tf.train.adam(lr),
 *       loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'],
 *       validationData: { xs: valXs, ys: valYs }, seed: trial.number,
 *       callbacks: [tansakuPruningCallback(trial, { metric: 'val_accuracy' })],
 *     });
 *     return history.val_accuracy.at(-1)!;
 *   } finally {
 *     model.dispose();
 *   }
 * }, { nTrials: 30 });
 * ```
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, TansakuError, TrialPruned, describeValue } from '../core/errors.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { toTensors, type LabeledData } from './datasets.js';

/** Inputs and targets as tensors: `xs` `[n, ...inputShape]`, `ys` `[n, ...]` (class indices or one-hot rows). */
export interface TensorData {
  xs: tf.Tensor;
  ys: tf.Tensor;
}

/**
 * Training or validation data: tensors (`{ xs, ys }` or `[xs, ys]`, which the caller owns), or a
 * `LabeledData` from the dataset loaders (made into tensors shaped for the model's input, with one-hot
 * labels for `categoricalCrossentropy` and class indices otherwise, and disposed after training).
 */
export type TrainData = TensorData | readonly [tf.Tensor, tf.Tensor] | LabeledData;

/** A loss or metric: per-example values `[n]` (or a scalar), averaged over the batch. */
export type LossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Loss names `train` understands (the same functions as `model.compile` uses for these names). */
export type LossName =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'meanAbsolutePercentageError'
  | 'mse'
  | 'mae'
  | 'mape';

/** Metric names: `accuracy` (or `acc`) picks binary, categorical or sparse accuracy from the loss, as `model.fit` does. */
export type MetricName =
  | 'accuracy'
  | 'acc'
  | 'crossentropy'
  | 'ce'
  | 'mse'
  | 'mae'
  | 'mape'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'meanAbsolutePercentageError';

/** Optimizer names, created with `model.compile`'s defaults (adam: lr 0.001; sgd: 0.01; ...). */
export type OptimizerName = 'sgd' | 'adam' | 'adamax' | 'adagrad' | 'adadelta' | 'rmsprop';

/** Per-epoch values: `loss`, each metric by the name given, and `val_` + each of those with validation data. */
export type Logs = Record<string, number>;

/** What `onTrainBegin` learns about the run. */
export interface TrainBeginInfo {
  epochs: number;
  batchSize: number;
  /** Training examples. */
  samples: number;
  batchesPerEpoch: number;
  /** The keys the epoch logs will have, e.g. `['loss', 'accuracy', 'val_loss', 'val_accuracy']`. */
  logKeys: string[];
}

/**
 * Hooks into `train`. Every hook may be async except `onBatchEnd`, which is called synchronously (and
 * gets no loss value: reading one back every batch is the overhead this loop avoids). A hook that
 * throws stops training and `train` rejects with its error (after freeing its tensors): this is how
 * the pruning callback ends a pruned trial. `ctx.stop()` ends training after the current epoch instead.
 */
export interface TrainCallback {
  onTrainBegin?(info: TrainBeginInfo): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(batch: number, info: { epoch: number; size: number }): void;
  onEpochEnd?(epoch: number, logs: Logs, ctx?: TrainControl): void | Promise<void>;
  onTrainEnd?(result: TrainResult): void | Promise<void>;
  /** Called instead of `onTrainEnd` when training ends with an error (a callback threw, the signal aborted). */
  onTrainAbort?(error: unknown): void;
}

/** Lets a callback end training early without an error. */
export interface TrainControl {
  stop(): void;
}

export interface TrainOptions {
  /** Number of passes over the training data. */
  epochs: number;
  /** Examples per gradient step. Default 32 (as `model.fit`). */
  batchSize?: number;
  /**
   * An optimizer (owned by the caller, not disposed) or a name (created, then disposed at the end).
   * Default: the compiled model's optimizer, else `'adam'`.
   */
  optimizer?: tf.Optimizer | OptimizerName;
  /** The loss: a name or a function. Default: the compiled model's loss (`model.compile`). */
  loss?: LossName | LossOrMetricFn;
  /**
   * Metrics to log each epoch, by name or as `{ name, fn }`, logged under the name given (`accuracy`
   * stays `accuracy`; `model.fit` would log `acc`). Default: the names given to `model.compile`, if any.
   */
  metrics?: ReadonlyArray<MetricName | { name: string; fn: LossOrMetricFn }>;
  /** Data evaluated after every epoch (in inference mode); adds `val_loss` and `val_<metric>` to the logs. */
  validationData?: TrainData;
  /** Batch size of the validation pass (no gradients, so it can be larger). Default max(batchSize, 256). */
  validationBatchSize?: number;
  /** Shuffle the training examples before each epoch. Default true. */
  shuffle?: boolean;
  /**
   * Makes training reproducible: seeds each epoch's shuffle and the random numbers TensorFlow.js draws
   * during training (dropout masks). Initial weights come from the model's initializers: build the model
   * inside `withSeededRandom(seed, () => ...)` or give its initializers seeds.
   */
  seed?: number;
  /** Hooks called during training, in order. */
  callbacks?: TrainCallback | readonly TrainCallback[];
  /** Shorthand for a callback with only `onEpochEnd`; called after the others. */
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** Stops training (rejecting with the signal's reason) when aborted, e.g. `trial.signal`. */
  signal?: AbortSignal;
  /**
   * Milliseconds of computation after which the loop lets the event loop run (timers, heartbeats,
   * progress redraws, I/O), between batches. Default 50.
   */
  yieldEveryMs?: number;
}

/** What `train` returns. */
export interface TrainResult {
  /** One array per log key, one value per completed epoch (as `model.fit`'s `history.history`). */
  history: Record<string, number[]>;
  /** Completed epochs. */
  epochs: number;
  /** True when a callback called `ctx.stop()` before the last epoch. */
  stoppedEarly: boolean;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** Training examples processed per second (validation excluded from the count, not from the time). */
  samplesPerSecond: number;
}

const LOSS_ALIASES: Record<string, string> = { mse: 'meanSquaredError', mae: 'meanAbsoluteError', mape: 'meanAbsolutePercentageError' };

/** The sparse categorical cross-entropy of `model.compile` (tfjs-layers), from public ops: labels are class indices. */
function sparseCategoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const eps = tf.backend().epsilon();
    const numClasses = yPred.shape[yPred.shape.length - 1];
    const flat = tf.reshape(yTrue, [-1]);
    const labels = flat.dtype === 'int32' ? flat : tf.cast(tf.floor(flat), 'int32');
    const clipped = tf.clipByValue(yPred, eps, 1 - eps);
    const oneHot = tf.reshape(tf.oneHot(labels, numClasses), clipped.shape);
    return tf.metrics.categoricalCrossentropy(oneHot, clipped);
  });
}

function lossFunction(name: string): LossOrMetricFn | null {
  switch (LOSS_ALIASES[name] ?? name) {
    case 'categoricalCrossentropy':
      return tf.metrics.categoricalCrossentropy;
    case 'sparseCategoricalCrossentropy':
      return sparseCategoricalCrossentropy;
    case 'binaryCrossentropy':
      return tf.metrics.binaryCrossentropy;
    case 'meanSquaredError':
      return tf.metrics.meanSquaredError;
    case 'meanAbsoluteError':
      return tf.metrics.meanAbsoluteError;
    case 'meanAbsolutePercentageError':
      return tf.metrics.meanAbsolutePercentageError;
    default:
      return null;
  }
}

interface ResolvedLoss {
  fn: LossOrMetricFn;
  /** The loss's name when known (for choosing the accuracy variant). */
  name: string | null;
}

function resolveLoss(model: tf.LayersModel, loss: TrainOptions['loss']): ResolvedLoss {
  if (typeof loss === 'function') return { fn: loss, name: null };
  if (typeof loss === 'string') {
    const fn = lossFunction(loss);
    if (!fn) {
      throw new InvalidArgumentError(
        `train: unknown loss ${describeValue(loss)}; use one of categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError (mse), meanAbsoluteError (mae), meanAbsolutePercentageError (mape), or pass a function (yTrue, yPred) => tensor`,
      );
    }
    return { fn, name: LOSS_ALIASES[loss] ?? loss };
  }
  if (loss !== undefined) throw new InvalidArgumentError(`train: loss must be a name or a function, got ${describeValue(loss)}`);
  // The compiled model's loss (`model.loss` is public; a Sequential keeps the resolved functions on
  // its inner model): by name when train knows it, else the function compile resolved.
  const compiledLoss: unknown = (model as { loss?: unknown }).loss;
  if (typeof compiledLoss === 'string') {
    const fn = lossFunction(compiledLoss);
    if (fn) return { fn, name: LOSS_ALIASES[compiledLoss] ?? compiledLoss };
  } else if (typeof compiledLoss === 'function') {
    return { fn: compiledLoss as LossOrMetricFn, name: null };
  }
  const holder = model as unknown as { lossFunctions?: LossOrMetricFn[]; model?: { lossFunctions?: LossOrMetricFn[] } };
  const resolved = holder.lossFunctions ?? holder.model?.lossFunctions;
  if (Array.isArray(resolved) && resolved.length === 1 && typeof resolved[0] === 'function') {
    return { fn: resolved[0], name: typeof compiledLoss === 'string' ? compiledLoss : null };
  }
  if (compiledLoss !== undefined && compiledLoss !== null) {
    throw new InvalidArgumentError(
      `train: cannot use the compiled loss ${describeValue(compiledLoss)}; pass options.loss (a name or a function)`,
    );
  }
  throw new InvalidArgumentError('train: no loss: pass options.loss (e.g. "sparseCategoricalCrossentropy") or compile the model first');
}

function resolveMetric(metric: unknown, loss: ResolvedLoss, outputUnits: number): { name: string; fn: LossOrMetricFn } {
  if (
    metric &&
    typeof metric === 'object' &&
    typeof (metric as { fn?: unknown }).fn === 'function' &&
    typeof (metric as { name?: unknown }).name === 'string'
  ) {
    return metric as { name: string; fn: LossOrMetricFn };
  }
  if (typeof metric !== 'string')
    throw new InvalidArgumentError(`train: a metric must be a name or { name, fn }, got ${describeValue(metric)}`);
  if (metric === 'accuracy' || metric === 'acc') {
    const fn =
      outputUnits === 1 || loss.name === 'binaryCrossentropy'
        ? tf.metrics.binaryAccuracy
        : loss.name === 'sparseCategoricalCrossentropy'
          ? tf.metrics.sparseCategoricalAccuracy
          : tf.metrics.categoricalAccuracy;
    return { name: metric, fn };
  }
  if (metric === 'crossentropy' || metric === 'ce') {
    const fn =
      outputUnits === 1 || loss.name === 'binaryCrossentropy'
        ? tf.metrics.binaryCrossentropy
        : loss.name === 'sparseCategoricalCrossentropy'
          ? sparseCategoricalCrossentropy
          : tf.metrics.categoricalCrossentropy;
    return { name: metric, fn };
  }
  const fn = lossFunction(metric);
  if (!fn) {
    throw new InvalidArgumentError(
      `train: unknown metric ${describeValue(metric)}; use accuracy, crossentropy, mse, mae, mape, or { name, fn }`,
    );
  }
  return { name: metric, fn };
}

function resolveOptimizer(model: tf.LayersModel, optimizer: TrainOptions['optimizer']): { optimizer: tf.Optimizer; owned: boolean } {
  // (tf.Optimizer's instanceof reads properties of its operand: test for null first.)
  if (optimizer != null && typeof optimizer === 'object' && optimizer instanceof tf.Optimizer) return { optimizer, owned: false };
  if (optimizer === undefined) {
    const compiled: unknown = model.optimizer;
    if (compiled != null && typeof compiled === 'object' && compiled instanceof tf.Optimizer) return { optimizer: compiled, owned: false };
  }
  const name = optimizer ?? 'adam';
  const eps = tf.backend().epsilon();
  const make: Record<string, () => tf.Optimizer> = {
    sgd: () => tf.train.sgd(0.01),
    adam: () => tf.train.adam(0.001, 0.9, 0.999, eps),
    adamax: () => tf.train.adamax(0.002, 0.9, 0.999, eps, 0),
    adagrad: () => tf.train.adagrad(0.01),
    adadelta: () => tf.train.adadelta(1, 0.95, eps),
    rmsprop: () => tf.train.rmsprop(0.001, 0.9, 0, eps),
  };
  const create = typeof name === 'string' ? make[name.toLowerCase()] : undefined;
  if (!create)
    throw new InvalidArgumentError(
      `train: optimizer must be a tf.Optimizer or one of ${Object.keys(make).join(', ')}, got ${describeValue(name)}`,
    );
  return { optimizer: create(), owned: true };
}

/** The metrics given to `model.compile` when they are names (`model.metrics`), else none. */
function compiledMetrics(model: tf.LayersModel): string[] {
  const m: unknown = (model as { metrics?: unknown }).metrics;
  if (typeof m === 'string') return [m];
  return Array.isArray(m) && m.every((x) => typeof x === 'string') ? (m as string[]) : [];
}

function isLabeledData(d: unknown): d is LabeledData {
  return !!d && typeof d === 'object' && (d as LabeledData).x instanceof Float32Array && (d as LabeledData).y instanceof Int32Array;
}

/** Tensors for `data`; `created` lists those `train` made and must dispose. */
function toTensorData(what: string, data: TrainData, model: tf.LayersModel, oneHot: boolean, created: tf.Tensor[]): TensorData {
  if (isLabeledData(data)) {
    const inputShape = model.inputs[0].shape.slice(1);
    const featureShape = inputShape.every((d) => typeof d === 'number' && d > 0) ? (inputShape as number[]) : undefined;
    const t = toTensors(data, { featureShape, oneHot });
    created.push(t.xs, t.ys);
    return t;
  }
  const pair = Array.isArray(data) ? { xs: data[0], ys: data[1] } : (data as TensorData);
  if (!(pair.xs instanceof tf.Tensor) || !(pair.ys instanceof tf.Tensor)) {
    throw new InvalidArgumentError(`train: ${what} must be { xs, ys } tensors, [xs, ys], or a LabeledData from the dataset loaders`);
  }
  if (pair.xs.shape[0] !== pair.ys.shape[0]) {
    throw new InvalidArgumentError(`train: ${what} has ${pair.xs.shape[0]} inputs but ${pair.ys.shape[0]} targets`);
  }
  if (pair.xs.shape[0] === 0) throw new InvalidArgumentError(`train: ${what} is empty`);
  return pair;
}

function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new InvalidArgumentError(`train: ${name} must be an integer >= 1, got ${describeValue(v)}`);
  return v;
}

/**
 * Runs `fn` with `Math.random` replaced by a generator seeded with `seed`, then restores it. TensorFlow.js
 * draws the seeds of unseeded random ops (weight initializers, dropout) from `Math.random`, so building a
 * model inside makes its initial weights reproducible. `fn` must be synchronous.
 *
 * @example const model = withSeededRandom(trial.number, () => buildModel(units));
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const rng = Rng.forKey(seed, 'tansaku/tfjs/random');
  return withRandom(() => rng.random(), fn);
}

function withRandom<T>(random: (() => number) | null, fn: () => T): T {
  if (!random) return fn();
  const saved = Math.random;
  Math.random = random;
  try {
    return fn();
  } finally {
    Math.random = saved;
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error
      ? signal.reason
      : new TansakuError('TANSAKU_ABORTED', `training was aborted${signal.reason === undefined ? '' : `: ${String(signal.reason)}`}`);
  }
}

/**
 * Trains a single-input, single-output layers model for `epochs` passes over `data`, as `model.fit`
 * does, but faster (see the module documentation). Returns the per-epoch history. Throws what a
 * callback throws (e.g. `TrialPruned`), after freeing every tensor it made; the model keeps the weights
 * it had reached.
 *
 * @example
 * ```ts
 * const { history } = await train(model, { xs, ys }, {
 *   epochs: 5, batchSize: 128, optimizer: 'adam', loss: 'categoricalCrossentropy',
 *   metrics: ['accuracy'], validationData: { xs: valXs, ys: valYs }, seed: 1,
 *   onEpochEnd: (epoch, logs) => console.log(epoch, logs.val_accuracy),
 * });
 * ```
 */
export async function train(model: tf.LayersModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  if (!(model instanceof tf.LayersModel))
    throw new InvalidArgumentError('train: model must be a tf.LayersModel (tf.sequential() or tf.model())');
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new InvalidArgumentError(
      `train: the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; train supports one of each (use model.fit otherwise)`,
    );
  }
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('train: options must be an object with at least { epochs }');
  const epochs = checkPositiveInt('epochs', options.epochs);
  const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 32);
  const valBatchSize = checkPositiveInt('validationBatchSize', options.validationBatchSize ?? Math.max(batchSize, 256));
  const yieldEveryMs = options.yieldEveryMs ?? 50;
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new InvalidArgumentError(`train: seed must be an integer, got ${describeValue(options.seed)}`);
  const callbacks: TrainCallback[] = [
    ...(options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks as TrainCallback]),
    ...(options.onEpochEnd ? [{ onEpochEnd: options.onEpochEnd }] : []),
  ];

  const loss = resolveLoss(model, options.loss);
  const outputShape = model.outputs[0].shape;
  const outputUnits = (outputShape[outputShape.length - 1] as number | null) ?? 0;
  const metrics = (options.metrics ?? compiledMetrics(model)).map((m) => resolveMetric(m, loss, outputUnits));
  const names = ['loss', ...metrics.map((m) => m.name)];
  if (new Set(names).size !== names.length)
    throw new InvalidArgumentError(`train: metric names must be distinct and not "loss", got ${names.slice(1).join(', ')}`);
  const oneHot = loss.name === 'categoricalCrossentropy';

  const created: tf.Tensor[] = [];
  const owned: { optimizer: tf.Optimizer | null } = { optimizer: null };
  let trainAcc: tf.Tensor | null = null;
  let valAcc: tf.Tensor | null = null;
  let epochIndices: tf.Tensor | null = null;
  const startedAt = performance.now();
  const history: Record<string, number[]> = {};
  let epochsDone = 0;
  let stoppedEarly = false;
  try {
    const trainData = toTensorData('data', data, model, oneHot, created);
    const valData =
      options.validationData === undefined ? null : toTensorData('validationData', options.validationData, model, oneHot, created);
    const { optimizer, owned: isOwned } = resolveOptimizer(model, options.optimizer);
    if (isOwned) owned.optimizer = optimizer;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (variables.length === 0) throw new InvalidArgumentError('train: the model has no trainable weights');

    const n = trainData.xs.shape[0];
    const batches = Math.ceil(n / batchSize);
    const logKeys = valData ? [...names, ...names.map((k) => `val_${k}`)] : names;
    for (const k of logKeys) history[k] = [];
    const info: TrainBeginInfo = { epochs, batchSize, samples: n, batchesPerEpoch: batches, logKeys };
    for (const cb of callbacks) await cb.onTrainBegin?.(info);

    const seed = options.seed;
    const shuffle = options.shuffle ?? true;
    const control: TrainControl = {
      stop: () => {
        stoppedEarly = true;
      },
    };
    let lastYield = performance.now();

    for (let epoch = 0; epoch < epochs; epoch++) {
      throwIfAborted(options.signal);
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const random =
        seed === undefined
          ? null
          : (() => {
              const rng = Rng.forKey(seed, epoch, 'tansaku/tfjs/train');
              return () => rng.random();
            })();
      if (shuffle) {
        const rng = new Rng(seed === undefined ? Rng.randomSeed() : deriveSeed(seed, epoch, 'tansaku/tfjs/shuffle'));
        const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
        epochIndices = tf.tensor1d(order, 'int32');
      }
      trainAcc = tf.zeros([names.length]);
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, n - start);
        const next: tf.Tensor = withRandom(random, () =>
          tf.tidy(() => {
            let xb: tf.Tensor;
            let yb: tf.Tensor;
            if (epochIndices) {
              const idx = tf.slice(epochIndices, [start], [size]);
              xb = tf.gather(trainData.xs, idx);
              yb = tf.gather(trainData.ys, idx);
            } else {
              xb = tf.slice(trainData.xs, [start], [size]);
              yb = tf.slice(trainData.ys, [start], [size]);
            }
            let metricValues: tf.Tensor[] = [];
            const cost = optimizer.minimize(
              () => {
                const pred = model.apply(xb, { training: true }) as tf.Tensor;
                let total = tf.mean(loss.fn(yb, pred)) as tf.Scalar;
                metricValues = metrics.map((m) => tf.keep(tf.mean(m.fn(yb, pred))));
                for (const r of model.calculateLosses()) total = tf.add(total, r);
                return total;
              },
              true,
              variables,
            ) as tf.Scalar;
            const batchSums = tf.mul(tf.stack([cost, ...metricValues]), size);
            tf.dispose(metricValues);
            return tf.add(trainAcc!, batchSums);
          }),
        );
        trainAcc.dispose();
        trainAcc = next;
        for (const cb of callbacks) cb.onBatchEnd?.(b, { epoch, size });
        if (performance.now() - lastYield >= yieldEveryMs) {
          await yieldToEventLoop();
          lastYield = performance.now();
          throwIfAborted(options.signal);
        }
      }
      if (epochIndices) {
        epochIndices.dispose();
        epochIndices = null;
      }

      if (valData) {
        const nv = valData.xs.shape[0];
        valAcc = tf.zeros([names.length]);
        for (let start = 0; start < nv; start += valBatchSize) {
          const size = Math.min(valBatchSize, nv - start);
          const next: tf.Tensor = tf.tidy(() => {
            const xb = tf.slice(valData.xs, [start], [size]);
            const yb = tf.slice(valData.ys, [start], [size]);
            const pred = model.apply(xb, { training: false }) as tf.Tensor;
            const values = [tf.mean(loss.fn(yb, pred)), ...metrics.map((m) => tf.mean(m.fn(yb, pred)))];
            return tf.add(valAcc!, tf.mul(tf.stack(values), size));
          });
          valAcc.dispose();
          valAcc = next;
        }
      }

      // The epoch's single read-back: training sums, then validation sums.
      const all = valAcc ? tf.concat([trainAcc, valAcc]) : trainAcc;
      const sums = all.dataSync();
      tf.dispose(valAcc ? [all, trainAcc, valAcc] : [all]);
      trainAcc = null;
      valAcc = null;
      const logs: Logs = {};
      names.forEach((k, i) => {
        logs[k] = sums[i] / n;
      });
      if (valData)
        names.forEach((k, i) => {
          logs[`val_${k}`] = sums[names.length + i] / valData.xs.shape[0];
        });
      for (const k of logKeys) history[k].push(logs[k]);
      epochsDone = epoch + 1;
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, { ...logs }, control);
      if (stoppedEarly) {
        stoppedEarly = epochsDone < epochs;
        break;
      }
      lastYield = performance.now();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const result: TrainResult = {
      history,
      epochs: epochsDone,
      stoppedEarly,
      seconds,
      samplesPerSecond: seconds > 0 ? (epochsDone * n) / seconds : 0,
    };
    for (const cb of callbacks) await cb.onTrainEnd?.(result);
    return result;
  } catch (error) {
    for (const cb of callbacks) {
      try {
        cb.onTrainAbort?.(error);
      } catch {
        // the first error is the one to report
      }
    }
    throw error;
  } finally {
    tf.dispose([trainAcc, valAcc, epochIndices].filter((t): t is tf.Tensor => t !== null));
    tf.dispose(created);
    owned.optimizer?.dispose();
  }
}

// ------------------------------------------------------------------------------------ pruning

/** What the pruning callback needs from a trial (a Tansaku `Trial` has it). */
export interface PrunableTrial {
  readonly number?: number;
  report(value: number, step: number): void;
  shouldPrune(): Promise<boolean>;
}

export interface PruningCallbackOptions {
  /**
   * The epoch log to report, e.g. `'val_accuracy'` or `'val_loss'` (its direction is the study's).
   * `accuracy`/`acc` spellings are interchangeable, as `model.fit` logs `acc` and `train` logs the
   * name given.
   */
  metric: string;
  /** Added to the epoch number to make the reported step (for training resumed at a later epoch). Default 0. */
  stepOffset?: number;
}

/** A callback for both `train`'s `callbacks` and `model.fit`'s `callbacks` (tfjs's `CustomCallbackArgs`). */
export interface TansakuPruningCallback {
  onEpochEnd(epoch: number, logs?: Logs): Promise<void>;
}

function findMetric(logs: Logs, metric: string): number | undefined {
  if (typeof logs[metric] === 'number') return logs[metric];
  const alt =
    metric.replace(/(^|_)accuracy$/, '$1acc') !== metric
      ? metric.replace(/(^|_)accuracy$/, '$1acc')
      : metric.replace(/(^|_)acc$/, '$1accuracy');
  return typeof logs[alt] === 'number' ? logs[alt] : undefined;
}

/**
 * A callback that reports `metric` to `trial` after every epoch (step = epoch) and, when the study's
 * pruner says so, throws `TrialPruned`, which stops training and marks the trial PRUNED when it leaves
 * the objective. Works with `train` (`callbacks: [...]`) and with `model.fit` (`callbacks: [...]`).
 *
 * @example
 * ```ts
 * await model.fit(xs, ys, {
 *   epochs: 20, validationData: [valXs, valYs],
 *   callbacks: [tansakuPruningCallback(trial, { metric: 'val_acc' })],
 * });
 * ```
 */
export function tansakuPruningCallback(trial: PrunableTrial, options: PruningCallbackOptions): TansakuPruningCallback {
  if (!trial || typeof trial.report !== 'function' || typeof trial.shouldPrune !== 'function') {
    throw new InvalidArgumentError('tansakuPruningCallback: trial must be a Tansaku Trial (with report and shouldPrune)');
  }
  const metric = options?.metric;
  if (typeof metric !== 'string' || metric === '')
    throw new InvalidArgumentError(
      `tansakuPruningCallback: metric must be a log name such as "val_accuracy", got ${describeValue(metric)}`,
    );
  const offset = options.stepOffset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new InvalidArgumentError(`tansakuPruningCallback: stepOffset must be an integer >= 0, got ${describeValue(offset)}`);
  return {
    async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
      const value = findMetric(logs, metric);
      if (value === undefined) {
        throw new InvalidArgumentError(
          `tansakuPruningCallback: the epoch logs have no "${metric}" (they have ${
            Object.keys(logs)
              .map((k) => JSON.stringify(k))
              .join(', ') || 'nothing'
          }); validation metrics need validationData and the metric in \`metrics\``,
        );
      }
      const step = epoch + offset;
      trial.report(value, step);
      if (await trial.shouldPrune()) {
        const who = trial.number === undefined ? 'trial' : `trial ${trial.number}`;
        throw new TrialPruned(`${who} pruned at epoch ${step} (${metric}=${value})`);
      }
    },
  };
}
