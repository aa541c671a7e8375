/**
 * The layer-size study's objective, a module for `tansaku optimize --objective` (run by run.ts in
 * worker processes on the journal): trains the MLP 784-N1-N2-10 of one grid cell with one seed for the
 * study's fixed number of epochs and returns the validation accuracy (a fraction) after the last epoch.
 *
 * Every epoch's validation accuracy is reported (`trial.report(value, epoch)`), so the journal holds
 * the real learning curves; user attributes keep the validation loss and the training loss and
 * accuracy per epoch, the wall seconds of each epoch and of the whole training (`train_seconds`), the process's CPU
 * seconds during training (`cpu_seconds`, the cost on a free core), and the backend.
 *
 * Deadline: run.ts passes `LAYER_SIZE_DEADLINE_MS` (epoch milliseconds) and `LAYER_SIZE_GRACE_MS`.
 * After the deadline the workers start no new trial; a trial still running then finishes if, at the
 * end of an epoch, its projected end (mean epoch time so far) lies within the grace period, and is
 * otherwise stopped there with an error (the trial FAILs; the next run.ts re-enqueues its cell).
 */
import type { Trial } from 'tansaku';
import { SIZES, TRAINING, forwardMacs } from './config.js';
import { cellData, trainCell } from './mlp.js';

/** Thrown at an epoch end past the run's deadline when the trial would not finish within the grace period. */
export class DeadlineError extends Error {
  readonly code = 'LAYER_SIZE_DEADLINE';
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

function envMs(name: string): number | null {
  const v = process.env[name];
  return v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v);
}

const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;

export async function objective(trial: Trial): Promise<number> {
  const n1 = trial.suggestOrdinal('n1', SIZES);
  const n2 = trial.suggestOrdinal('n2', SIZES);
  const seed = trial.suggestInt('seed', 0, 2);
  const deadline = envMs('LAYER_SIZE_DEADLINE_MS');
  const grace = envMs('LAYER_SIZE_GRACE_MS') ?? 0;
  const { backend } = await cellData();
  trial.setUserAttr('backend', `${backend.backend}${backend.simd ? '+simd' : ''}`);
  trial.setUserAttr('macs_per_sample', forwardMacs(n1, n2));
  const curves = await trainCell(n1, n2, seed, {
    signal: trial.signal,
    onEpochEnd: (epoch, logs, c) => {
      trial.report(logs.val_accuracy, epoch);
      if (deadline !== null && Date.now() > deadline) {
        const mean = c.epochSeconds.reduce((a, b) => a + b, 0) / c.epochSeconds.length;
        const end = Date.now() + mean * 1000 * (TRAINING.epochs - epoch - 1);
        if (epoch + 1 < TRAINING.epochs && end > deadline + grace) {
          trial.setUserAttr('epochs_done', epoch + 1);
          throw new DeadlineError(
            `stopped at the run's deadline after epoch ${epoch}: ${TRAINING.epochs - epoch - 1} more epochs of ~${mean.toFixed(0)} s would end ${((end - deadline) / 60000).toFixed(1)} min past it (grace ${(grace / 60000).toFixed(1)} min); the next run re-runs this cell`,
          );
        }
      }
    },
  });
  trial.setUserAttr(
    'val_loss',
    curves.valLoss.map((v) => round(v)),
  );
  trial.setUserAttr(
    'train_loss',
    curves.trainLoss.map((v) => round(v)),
  );
  trial.setUserAttr(
    'train_accuracy',
    curves.trainAccuracy.map((v) => round(v)),
  );
  trial.setUserAttr(
    'epoch_seconds',
    curves.epochSeconds.map((v) => round(v, 3)),
  );
  trial.setUserAttr('train_seconds', round(curves.seconds, 3));
  trial.setUserAttr('cpu_seconds', round(curves.cpuSeconds, 3));
  return curves.valAccuracy[curves.valAccuracy.length - 1];
}
