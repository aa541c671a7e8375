import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createStudy } from '../../src/index.js';
import { InvalidArgumentError, TrialPruned } from '../../src/core/errors.js';
import { MedianPruner } from '../../src/pruners/index.js';
import type { LabeledData } from '../../src/tfjs/datasets.js';
import { tansakuPruningCallback, train, withSeededRandom, type Logs, type PrunableTrial } from '../../src/tfjs/train.js';

before(async () => {
  await tf.setBackend('cpu');
});

const N = 96;
const FEATURES = 6;
const CLASSES = 3;

/** A learnable toy problem: the class is the argmax of three fixed linear projections. */
function makeData(n: number, seed: number): { xs: tf.Tensor2D; labels: number[] } {
  const xs = tf.randomNormal([n, FEATURES], 0, 1, 'float32', seed) as tf.Tensor2D;
  const v = xs.arraySync();
  const labels = v.map((r) => {
    const s = [r[0] + r[1], r[2] - r[3], r[4] + 0.5 * r[5]];
    return s.indexOf(Math.max(...s));
  });
  return { xs, labels };
}

const trainSet = makeData(N, 1);
const valSet = makeData(40, 2);
const ys = tf.tensor1d(trainSet.labels);
const valYs = tf.tensor1d(valSet.labels);
const ysHot = tf.oneHot(tf.tensor1d(trainSet.labels, 'int32'), CLASSES).toFloat();
const valYsHot = tf.oneHot(tf.tensor1d(valSet.labels, 'int32'), CLASSES).toFloat();

function mlp(options: { dropout?: boolean; batchNorm?: boolean; l2?: boolean; seed?: number } = {}): tf.Sequential {
  const seed = options.seed ?? 7;
  return withSeededRandom(seed, () =>
    tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [FEATURES],
          units: 12,
          activation: 'relu',
          kernelRegularizer: options.l2 ? tf.regularizers.l2({ l2: 0.01 }) : undefined,
        }),
        ...(options.batchNorm ? [tf.layers.batchNormalization()] : []),
        ...(options.dropout ? [tf.layers.dropout({ rate: 0.3 })] : []),
        tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    }),
  );
}

function weights(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((w, i) => {
    w.forEach((v, j) => {
      d = Math.max(d, Math.abs(v - b[i][j]));
    });
  });
  return d;
}

function close(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${v} vs ${expected[i]}`);
  });
}

describe('train matches model.fit', () => {
  const cases = [
    {
      what: 'sgd, sparse labels, L2 regularizer',
      optimizer: () => tf.train.sgd(0.2),
      loss: 'sparseCategoricalCrossentropy' as const,
      y: ys,
      vy: valYs,
      l2: true,
      batchNorm: false,
    },
    {
      what: 'adam, one-hot labels, batch norm',
      optimizer: () => tf.train.adam(0.01),
      loss: 'categoricalCrossentropy' as const,
      y: ysHot,
      vy: valYsHot,
      l2: false,
      batchNorm: true,
    },
  ];
  for (const c of cases) {
    it(`${c.what}: same history and weights`, async () => {
      const start = tf.memory().numTensors;
      const a = mlp({ l2: c.l2, batchNorm: c.batchNorm });
      const optA = c.optimizer();
      a.compile({ optimizer: optA, loss: c.loss, metrics: ['accuracy'] });
      const fit = await a.fit(trainSet.xs, c.y, {
        epochs: 3,
        batchSize: 20,
        shuffle: false,
        validationData: [valSet.xs, c.vy],
        verbose: 0,
      });

      const b = mlp({ l2: c.l2, batchNorm: c.batchNorm });
      const optB = c.optimizer();
      const ours = await train(
        b,
        { xs: trainSet.xs, ys: c.y },
        {
          epochs: 3,
          batchSize: 20,
          shuffle: false,
          optimizer: optB,
          loss: c.loss,
          metrics: ['acc'],
          validationData: [valSet.xs, c.vy],
          validationBatchSize: 20,
        },
      );
      for (const k of ['loss', 'acc', 'val_loss', 'val_acc']) close(ours.history[k], fit.history[k] as number[], 1e-5, k);
      assert.ok(maxDiff(weights(a), weights(b)) < 1e-5);
      assert.equal(ours.epochs, 3);
      assert.equal(ours.stoppedEarly, false);
      a.dispose();
      b.dispose();
      optA.dispose();
      optB.dispose();
      assert.equal(tf.memory().numTensors, start);
    });
  }

  it('uses the compiled loss and optimizer when none is given', async () => {
    const a = mlp();
    a.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const fit = await a.fit(trainSet.xs, ys, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
    const b = mlp();
    b.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const ours = await train(b, [trainSet.xs, ys], { epochs: 2, batchSize: 32, shuffle: false });
    close(ours.history.loss, fit.history.loss as number[], 1e-5, 'loss');
    assert.equal(ours.history.acc.length, 2);
    assert.ok(maxDiff(weights(a), weights(b)) < 1e-5);
    a.dispose();
    b.dispose();
  });
});

describe('train', () => {
  it('is deterministic with a seed (shuffle and dropout), and the seed matters', async () => {
    const run = async (seed: number) => {
      const model = mlp({ dropout: true, seed: 3 });
      const r = await train(
        model,
        { xs: trainSet.xs, ys },
        { epochs: 2, batchSize: 16, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', seed },
      );
      const w = weights(model);
      model.dispose();
      return { loss: r.history.loss, w };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.w, c.w);
  });

  it('learns, accepts LabeledData (one-hot for categorical loss), logs metrics under the names given', async () => {
    const x = trainSet.xs.dataSync() as Float32Array;
    const data: LabeledData = {
      x,
      featureShape: [FEATURES],
      y: Int32Array.from(trainSet.labels),
      count: N,
      numClasses: CLASSES,
      classNames: ['a', 'b', 'c'],
    };
    const model = mlp({ seed: 5 });
    const optimizer = tf.train.adam(0.03);
    const start = tf.memory().numTensors;
    const r = await train(model, data, {
      epochs: 15,
      batchSize: 16,
      optimizer,
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy', 'mse'],
      validationData: data,
      seed: 1,
    });
    assert.deepEqual(Object.keys(r.history).sort(), ['accuracy', 'loss', 'mse', 'val_accuracy', 'val_loss', 'val_mse']);
    assert.ok(r.history.loss[14] < r.history.loss[0]);
    assert.ok(r.history.val_accuracy[14] > 0.8, `val_accuracy ${r.history.val_accuracy[14]}`);
    assert.ok(r.samplesPerSecond > 0);
    // The optimizer given is the caller's: train leaves it (and its moment estimates, m and v per weight).
    assert.equal(tf.memory().numTensors, start + 2 * model.trainableWeights.length);
    optimizer.dispose();
    // The tensors made from the LabeledData were freed.
    assert.equal(tf.memory().numTensors, start - 2);
    model.dispose();
  });

  it('calls hooks in order; ctx.stop() ends after the epoch; onEpochEnd shorthand', async () => {
    const model = mlp();
    const events: string[] = [];
    let batches = 0;
    const r = await train(
      model,
      { xs: trainSet.xs, ys },
      {
        epochs: 5,
        batchSize: 50,
        optimizer: 'sgd',
        loss: 'sparseCategoricalCrossentropy',
        callbacks: [
          {
            onTrainBegin: (info) => void events.push(`begin ${info.samples} ${info.batchesPerEpoch} ${info.logKeys.join(',')}`),
            onEpochBegin: (e) => void events.push(`epoch ${e}`),
            onBatchEnd: () => void batches++,
            onEpochEnd: (e, _logs, ctx) => {
              events.push(`end ${e}`);
              if (e === 1) ctx?.stop();
            },
            onTrainEnd: (res) => void events.push(`done ${res.epochs}`),
          },
        ],
        onEpochEnd: (e, logs) => void events.push(`short ${e} ${typeof logs.loss}`),
      },
    );
    assert.deepEqual(events, ['begin 96 2 loss', 'epoch 0', 'end 0', 'short 0 number', 'epoch 1', 'end 1', 'short 1 number', 'done 2']);
    assert.equal(batches, 4);
    assert.equal(r.epochs, 2);
    assert.equal(r.stoppedEarly, true);
    model.dispose();
  });

  it('rejects bad options with clear errors and stops on an aborted signal', async () => {
    const model = mlp();
    const start = tf.memory().numTensors;
    await assert.rejects(train(model, { xs: trainSet.xs, ys }, { epochs: 1 }), /no loss: pass options.loss/);
    await assert.rejects(train(model, { xs: trainSet.xs, ys }, { epochs: 0, loss: 'mse' }), /epochs must be an integer >= 1, got 0/);
    await assert.rejects(
      train(model, { xs: trainSet.xs, ys }, { epochs: 1, loss: 'hinge' as 'mse' }),
      (e: unknown) => e instanceof InvalidArgumentError && /unknown loss "hinge"/.test(e.message),
    );
    await assert.rejects(train(model, { xs: trainSet.xs, ys: valYs }, { epochs: 1, loss: 'mse' }), /96 inputs but 40 targets/);
    await assert.rejects(
      train(model, { xs: trainSet.xs, ys }, { epochs: 1, loss: 'mse', optimizer: 'lbfgs' as 'sgd' }),
      /optimizer must be/,
    );
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await assert.rejects(
      train(model, { xs: trainSet.xs, ys }, { epochs: 1, loss: 'sparseCategoricalCrossentropy', signal: controller.signal }),
      /stop now/,
    );
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
  });
});

describe('tansakuPruningCallback', () => {
  function fakeTrial(pruneAt: number): PrunableTrial & { reports: Array<[number, number]> } {
    const reports: Array<[number, number]> = [];
    return {
      number: 4,
      reports,
      report: (value, step) => void reports.push([step, value]),
      shouldPrune: async () => reports.length > pruneAt,
    };
  }

  it('reports each epoch and throws TrialPruned from train, without leaking tensors', async () => {
    const model = mlp();
    const start = tf.memory().numTensors;
    const trial = fakeTrial(1);
    const aborted: unknown[] = [];
    await assert.rejects(
      train(
        model,
        { xs: trainSet.xs, ys },
        {
          epochs: 6,
          batchSize: 32,
          optimizer: 'adam',
          loss: 'sparseCategoricalCrossentropy',
          metrics: ['accuracy'],
          validationData: { xs: valSet.xs, ys: valYs },
          callbacks: [tansakuPruningCallback(trial, { metric: 'val_accuracy' }), { onTrainAbort: (e) => void aborted.push(e) }],
        },
      ),
      (e: unknown) => e instanceof TrialPruned && /trial 4 pruned at epoch 1 \(val_accuracy=/.test(e.message),
    );
    assert.deepEqual(
      trial.reports.map(([s]) => s),
      [0, 1],
    );
    assert.ok(aborted[0] instanceof TrialPruned);
    assert.equal(tf.memory().numTensors, start);
    model.dispose();
  });

  it('works with model.fit (which logs val_acc for val_accuracy)', async () => {
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const trial = fakeTrial(2);
    await assert.rejects(
      model.fit(trainSet.xs, ys, {
        epochs: 5,
        batchSize: 32,
        validationData: [valSet.xs, valYs],
        verbose: 0,
        callbacks: [tansakuPruningCallback(trial, { metric: 'val_accuracy', stepOffset: 10 })],
      }),
      TrialPruned,
    );
    assert.deepEqual(
      trial.reports.map(([s]) => s),
      [10, 11, 12],
    );
    model.dispose();
  });

  it('names the available logs when the metric is missing', async () => {
    const cb = tansakuPruningCallback(fakeTrial(9), { metric: 'val_auc' });
    const logs: Logs = { loss: 1, val_loss: 2 };
    await assert.rejects(cb.onEpochEnd(0, logs), /no "val_auc" \(they have "loss", "val_loss"\)/);
    assert.throws(() => tansakuPruningCallback({} as PrunableTrial, { metric: 'x' }), /must be a Tansaku Trial/);
  });

  it('keeps tf.memory().numTensors stable over 20 trials of a study with a pruner', async () => {
    const study = await createStudy({ direction: 'maximize', seed: 3, pruner: new MedianPruner({ nStartupTrials: 2, nWarmupSteps: 0 }) });
    const xs = trainSet.xs.slice([0, 0], [48, FEATURES]);
    const y = ys.slice([0], [48]);
    const counts: number[] = [];
    await study.optimize(
      async (trial) => {
        const units = trial.suggestInt('units', 2, 16);
        const lr = trial.suggestFloat('lr', 1e-3, 0.3, { log: true });
        const useFit = trial.number % 2 === 1;
        const model = withSeededRandom(trial.number, () =>
          tf.sequential({
            layers: [
              tf.layers.dense({ inputShape: [FEATURES], units, activation: 'relu' }),
              tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
            ],
          }),
        );
        const optimizer = tf.train.adam(lr);
        try {
          const callback = tansakuPruningCallback(trial, { metric: 'val_accuracy' });
          if (useFit) {
            model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
            const h = await model.fit(xs, y, {
              epochs: 4,
              batchSize: 24,
              validationData: [valSet.xs, valYs],
              verbose: 0,
              callbacks: [callback],
            });
            return (h.history.val_acc as number[]).at(-1)!;
          }
          const r = await train(
            model,
            { xs, ys: y },
            {
              epochs: 4,
              batchSize: 24,
              optimizer,
              loss: 'sparseCategoricalCrossentropy',
              metrics: ['accuracy'],
              validationData: { xs: valSet.xs, ys: valYs },
              seed: trial.number,
              callbacks: [callback],
            },
          );
          return r.history.val_accuracy.at(-1)!;
        } finally {
          // An optimizer passed to compile() belongs to the caller: model.dispose() leaves it.
          optimizer.dispose();
          model.dispose();
          counts.push(tf.memory().numTensors);
        }
      },
      { nTrials: 20 },
    );
    const trials = await study.getTrials();
    assert.equal(trials.length, 20);
    assert.ok(
      trials.some((t) => t.state === 'PRUNED'),
      'some trials were pruned',
    );
    assert.ok(trials.some((t) => t.state === 'COMPLETE'));
    assert.deepEqual(new Set(counts.slice(1)), new Set([counts[0]]), `tensors after each trial: ${counts.join(' ')}`);
  });
});
