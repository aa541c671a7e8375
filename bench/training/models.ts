/**
 * The models bench/training measures, built with tfjs layers; bench/training/torch_train.py builds the
 * same ones in PyTorch. Multiply-accumulates (MACs) per training sample are counted for the GFLOP/s
 * column (FLOPs = 2·MACs): forward, weight gradients, and input gradients of every layer but the first
 * (no framework computes the gradient of the data).
 */
import * as tf from '@tensorflow/tfjs';

export type ModelName = 'mlp' | 'cnn';

export interface ModelSpec {
  name: ModelName;
  /** What the table shows. */
  label: string;
  /** Shape of one input sample. */
  sample: number[];
  build(): tf.LayersModel;
  /** Multiply-accumulates per training sample (forward + backward). */
  trainMacs: number;
}

/** 784-128-4096-10, ReLU: the MLP of the cross-search study's largest cells. */
function buildMlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 4096, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

/** conv3x3x32 same + ReLU, maxpool 2, conv3x3x64 same + ReLU, maxpool 2, dense 128 ReLU, dense 10 (28x28x1 in). */
function buildCnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

const mlpLayers = [784 * 128, 128 * 4096, 4096 * 10];
const cnnConv1 = 28 * 28 * 32 * 9 * 1;
const cnnConv2 = 14 * 14 * 64 * 9 * 32;
const cnnDense = [7 * 7 * 64 * 128, 128 * 10];

export const MODELS: Record<ModelName, ModelSpec> = {
  mlp: {
    name: 'mlp',
    label: 'MLP 784-128-4096-10',
    sample: [784],
    build: buildMlp,
    // forward + weight gradient for every layer, input gradient for layers 2 and 3
    trainMacs: 2 * mlpLayers.reduce((a, b) => a + b, 0) + mlpLayers[1] + mlpLayers[2],
  },
  cnn: {
    name: 'cnn',
    label: 'CNN conv32-pool-conv64-pool-128-10 (28x28x1)',
    sample: [28, 28, 1],
    build: buildCnn,
    trainMacs: 2 * cnnConv1 + 3 * cnnConv2 + 3 * cnnDense[0] + 3 * cnnDense[1],
  },
};

/**
 * A bare training step: `optimizer.minimize` of the softmax cross-entropy (mean over the batch) of the
 * model's logits, no `model.fit` machinery. Returns nothing (no read-back: wasm and cpu run synchronously).
 */
export function makeStep(model: tf.LayersModel, optimizer: tf.Optimizer): (x: tf.Tensor, y: tf.Tensor) => void {
  return (x, y) => {
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, false);
  };
}
