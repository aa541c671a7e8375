// Tune a small "training" objective with pruning: the quickest tour of Tansaku's library API.
// Run: npm run example. The study lives in a journal file (Optuna's format): run it again and it
// continues the same study; open it with `optuna-dashboard .tansaku/quickstart.journal` if you have it.
import { mkdirSync } from 'node:fs';
import { JournalFileStorage, MedianPruner, RandomSampler, TrialPruned, createStudy, logGrid, trialsToCSV } from 'tansaku';

/** A stand-in for training: validation loss over epochs for a learning rate, width and optimizer. */
function validationLoss(lr: number, width: number, optimizer: string, epoch: number): number {
  const lrPenalty = Math.log10(lr / 3e-3) ** 2;
  const widthPenalty = Math.log2(width / 256) ** 2 / 20;
  const optimizerPenalty = optimizer === 'adam' ? 0 : 0.15;
  return 0.1 + lrPenalty + widthPenalty + optimizerPenalty + 2 / (epoch + 1);
}

mkdirSync('.tansaku', { recursive: true });
const study = await createStudy({
  studyName: 'quickstart',
  storage: new JournalFileStorage('.tansaku/quickstart.journal'),
  loadIfExists: true,
  direction: 'minimize',
  sampler: new RandomSampler({ seed: 1 }),
  pruner: new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 2 }),
});

const result = await study.optimize(
  async (trial) => {
    const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
    const width = trial.suggestOrdinal('width', logGrid(16, 1024, 2));
    const optimizer = trial.suggestCategorical('optimizer', ['adam', 'sgd']);
    if (optimizer === 'sgd') trial.suggestFloat('momentum', 0, 0.99);
    let loss = Infinity;
    for (let epoch = 0; epoch < 20; epoch++) {
      loss = validationLoss(lr, width, optimizer, epoch);
      trial.report(loss, epoch);
      if (await trial.shouldPrune()) throw new TrialPruned();
    }
    return loss;
  },
  { nTrials: 100, concurrency: 4 },
);

const best = await study.bestTrial;
console.log(
  `this run: ${result.complete} complete, ${result.pruned} pruned, ${result.failed} failed; the study has ${(await study.trials).length} trials`,
);
console.log(`best trial #${best.number}: loss ${best.values![0].toFixed(4)}`, best.params);
console.log(trialsToCSV((await study.trials).slice(0, 3)).trimEnd());
