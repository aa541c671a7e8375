// A module objective for `tansaku optimize --objective`: tunes a tiny logistic-regression "training"
// (plain TypeScript, CPU-bound), reporting validation loss per epoch so hopeless trials are pruned.
// Run it in 2 worker processes on a journal file:
//   npx tansaku optimize --objective examples/objective-module.ts --storage tansaku.journal \
//     --study logreg --n-trials 40 --n-jobs 2 --pruner-options n_startup_trials=5,n_warmup_steps=3
import { TrialPruned, type Trial } from 'tansaku';
import { Rng } from 'tansaku/extend';

/** A fixed synthetic data set: two Gaussian blobs in 8 dimensions. */
function makeData(n: number, seed: number): { x: Float64Array[]; y: number[] } {
  const rng = new Rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.random())) * Math.cos(2 * Math.PI * rng.random());
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    x.push(Float64Array.from({ length: 8 }, (_, d) => gauss() + (label ? 0.6 : -0.6) * (d < 4 ? 1 : 0)));
    y.push(label);
  }
  return { x, y };
}
const train = makeData(2000, 1);
const valid = makeData(500, 2);

function loss(w: Float64Array, b: number, data: { x: Float64Array[]; y: number[] }): number {
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    let z = b;
    for (let d = 0; d < w.length; d++) z += w[d] * data.x[i][d];
    const p = 1 / (1 + Math.exp(-z));
    total -= data.y[i] ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12);
  }
  return total / data.x.length;
}

export async function objective(trial: Trial): Promise<number> {
  const lr = trial.suggestFloat('lr', 1e-4, 1, { log: true });
  const l2 = trial.suggestFloat('l2', 1e-6, 1e-1, { log: true });
  const batch = trial.suggestOrdinal('batch', [8, 16, 32, 64, 128]);
  const w = new Float64Array(8);
  let b = 0;
  let valLoss = Infinity;
  for (let epoch = 0; epoch < 15; epoch++) {
    for (let start = 0; start < train.x.length; start += batch) {
      const grad = new Float64Array(8);
      let gradB = 0;
      const end = Math.min(start + batch, train.x.length);
      for (let i = start; i < end; i++) {
        let z = b;
        for (let d = 0; d < 8; d++) z += w[d] * train.x[i][d];
        const err = 1 / (1 + Math.exp(-z)) - train.y[i];
        for (let d = 0; d < 8; d++) grad[d] += err * train.x[i][d];
        gradB += err;
      }
      for (let d = 0; d < 8; d++) w[d] -= lr * (grad[d] / (end - start) + l2 * w[d]);
      b -= (lr * gradB) / (end - start);
    }
    valLoss = loss(w, b, valid);
    trial.report(valLoss, epoch);
    if (await trial.shouldPrune()) throw new TrialPruned();
  }
  return valLoss;
}
