// Tune an MLP on Fashion-MNIST with TensorFlow.js (wasm backend) and the MedianPruner, and measure what
// the pruner saves: the same study (same sampler seed, so the same configurations in the same order,
// and the same training seed per trial) runs once with MedianPruner and once without, in two worker
// processes on one journal file. Trial 0 of both is the default configuration (Adam 1e-3, one hidden
// layer of 128 units, batch 128, no dropout); the report compares the test accuracy of the best trial
// (chosen by validation accuracy) with the default's, and the epochs each study trained.
//
// In library/ of a checkout (`tansaku-dev`: the library's sources; in a project that installed tansaku,
// plain `npx tsx examples/fashion-mnist.ts`):
//   npx tsx --conditions=tansaku-dev examples/fashion-mnist.ts                                     # 14 minutes on 2 shared cores
//   npx tsx --conditions=tansaku-dev examples/fashion-mnist.ts --trials 8 --epochs 3 --train 2000  # a quick look
//
// Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist). To keep the run short, every
// trial trains on the first --train (8,000) training images for --epochs (8) epochs, the last
// --decay-epochs (2) of them at a tenth of the learning rate (a step schedule: tfjs optimizers have none,
// so a fresh Adam takes over), and reports its accuracy on 2,000 more training images after each epoch
// (the pruner and the choice of the best trial see only those). The 10,000 test images are scored once
// per finished trial.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { JournalFileStorage, MedianPruner, NopPruner, RandomSampler, createStudy, loadStudy, type FrozenTrial, type Trial } from 'tansaku';
import {
  loadFashionMnist,
  splitTrainValidation,
  tansakuPruningCallback,
  toTensors,
  train,
  useTrainingWasmBackend,
  withSeededRandom,
} from 'tansaku/tfjs';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    trials: { type: 'string', default: '30' },
    epochs: { type: 'string', default: '8' },
    'decay-epochs': { type: 'string', default: '2' },
    train: { type: 'string', default: '8000' },
    journal: { type: 'string', default: '.tansaku/fashion-mnist.journal' },
  },
});
const TRIALS = Number(args.trials);
const EPOCHS = Number(args.epochs);
const DECAY_EPOCHS = Math.min(Number(args['decay-epochs']), EPOCHS - 1);
const JOURNAL = args.journal!;
const DEFAULT = { lr: 1e-3, width: 128, depth: 1, dropout: 0, batch: 128 };
const SEED = 7;

/** The search space; trial 0 is the default configuration (enqueued). */
function suggest(trial: Trial) {
  return {
    lr: trial.suggestFloat('lr', 1e-4, 3e-2, { log: true }),
    width: trial.suggestOrdinal('width', [64, 128, 256, 512]),
    depth: trial.suggestInt('depth', 1, 3),
    dropout: trial.suggestFloat('dropout', 0, 0.5, { step: 0.1 }),
    batch: trial.suggestOrdinal('batch', [32, 64, 128, 256]),
  };
}

async function worker(part: 'pruned' | 'unpruned'): Promise<void> {
  await useTrainingWasmBackend();
  const all = await loadFashionMnist({ limit: Number(args.train) + 2000 });
  const split = splitTrainValidation(all, { validation: 2000, seed: 0 });
  const flat = { featureShape: [784] };
  const [trainData, valData, testData] = [split.train, split.validation, await loadFashionMnist({ split: 'test' })].map((d) =>
    toTensors(d, flat),
  );

  const objective = async (trial: Trial): Promise<number> => {
    const p = suggest(trial);
    const model = withSeededRandom(trial.number, () => {
      const m = tf.sequential();
      for (let i = 0; i < p.depth; i++) {
        m.add(tf.layers.dense({ units: p.width, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : {}) }));
        if (p.dropout > 0) m.add(tf.layers.dropout({ rate: p.dropout }));
      }
      m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
      return m;
    });
    try {
      // Two phases: EPOCHS - DECAY_EPOCHS epochs at lr, then DECAY_EPOCHS at lr / 10. The pruning callback
      // reports every epoch (steps 0..EPOCHS-1, hence stepOffset) and stops a hopeless trial.
      let step = 0;
      let valAccuracy = NaN;
      for (const [lr, epochs] of [
        [p.lr, EPOCHS - DECAY_EPOCHS],
        [p.lr / 10, DECAY_EPOCHS],
      ]) {
        if (epochs === 0) continue;
        const optimizer = tf.train.adam(lr);
        try {
          const { history } = await train(model, trainData, {
            epochs,
            batchSize: p.batch,
            optimizer,
            loss: 'sparseCategoricalCrossentropy',
            metrics: ['accuracy'],
            validationData: valData,
            seed: trial.number + 10_000 * step,
            signal: trial.signal,
            callbacks: [tansakuPruningCallback(trial, { metric: 'val_accuracy', stepOffset: step })],
          });
          valAccuracy = history.val_accuracy.at(-1)!;
          step += epochs;
        } finally {
          optimizer.dispose();
        }
      }
      const test = tf.tidy(
        () =>
          tf.metrics
            .sparseCategoricalAccuracy(testData.ys, model.predict(testData.xs, { batchSize: 1000 }) as tf.Tensor)
            .mean()
            .dataSync()[0],
      );
      trial.setUserAttr('test_accuracy', test);
      return valAccuracy;
    } finally {
      model.dispose();
    }
  };
  const storage = new JournalFileStorage(JOURNAL);
  const run = async (name: string, pruner: MedianPruner | NopPruner) => {
    const study = await loadStudy({ studyName: name, storage, sampler: new RandomSampler({ seed: SEED }), pruner });
    await study.optimize(objective, {
      callbacks: [(_, t) => void console.log(`${name} #${t.number} ${t.state} after ${t.intermediateValues.size} epoch(s)`)],
    });
  };
  // The pruned study runs alone (its pruning decisions depend on the order trials finish); the unpruned
  // one's trials are independent, so the pruned worker joins it when done.
  if (part === 'pruned') await run('pruned', new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 0 }));
  await run('unpruned', new NopPruner());
  await storage.close();
}

async function main(): Promise<void> {
  mkdirSync('.tansaku', { recursive: true });
  rmSync(JOURNAL, { force: true }); // a fresh pair of studies each run
  const storage = new JournalFileStorage(JOURNAL);
  for (const name of ['pruned', 'unpruned']) {
    const study = await createStudy({ studyName: name, storage, direction: 'maximize', maxTrials: TRIALS });
    await study.enqueueTrial(DEFAULT);
  }
  const started = Date.now();
  await Promise.all(
    ['pruned', 'unpruned'].map(
      (part) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, process.argv[1], part, ...process.argv.slice(2)], {
            stdio: 'inherit',
          });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${part} exited with ${code}`))));
        }),
    ),
  );
  const minutes = (Date.now() - started) / 60000;

  const summary = async (name: string) => {
    const trials = await (await loadStudy({ studyName: name, storage })).trials;
    const epochs = trials.reduce((s, t) => s + t.intermediateValues.size, 0);
    const done = trials.filter((t) => t.state === 'COMPLETE');
    const best = done.reduce((b, t) => (t.values![0] > b.values![0] ? t : b));
    const test = (t: FrozenTrial) => 100 * (t.userAttrs.test_accuracy as number);
    return { trials, epochs, best, test, pruned: trials.filter((t) => t.state === 'PRUNED').length, default: trials[0] };
  };
  const p = await summary('pruned');
  const u = await summary('unpruned');
  const pct = (x: number) => `${x.toFixed(2)}%`;
  console.log(
    `\n${TRIALS} trials x ${EPOCHS} epochs (the last ${DECAY_EPOCHS} at lr / 10), ${args.train} training images, in ${minutes.toFixed(1)} min`,
  );
  console.log(`default (Adam 1e-3, 128 units, batch 128): test accuracy ${pct(p.test(p.default))}`);
  for (const [name, s] of [
    ['with MedianPruner', p],
    ['without pruning', u],
  ] as const) {
    console.log(
      `${name}: best trial #${s.best.number} (validation ${pct(100 * s.best.values![0])}) test accuracy ${pct(s.test(s.best))} ` +
        `(${(s.test(s.best) - s.test(s.default)).toFixed(2)} points over the default), ${s.epochs} epochs trained, ${s.pruned} trials pruned`,
      s.best.params,
    );
  }
  console.log(`the pruner saved ${(100 * (1 - p.epochs / u.epochs)).toFixed(1)}% of the epochs (${p.epochs} instead of ${u.epochs})`);
  await storage.close();
}

if (positionals[0] === 'pruned' || positionals[0] === 'unpruned') await worker(positionals[0]);
else await main();
