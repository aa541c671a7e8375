/**
 * The training-ready wasm backend as a whole: registering its kernels leaves other backends untouched;
 * a CNN (conv, pool, depthwise, dense) and a small ResNet (residual adds, batch norm) train on wasm
 * with gradients matching the cpu backend's at every step; a wasm backend that cannot start falls back
 * to cpu with a reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  useTrainingWasmBackend,
  WASM_TRAINING_KERNELS,
} from '../../src/tfjs/index.js';
import { maxScaledDiff, randomArrays, runOn, wasmReady } from './wasm-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

before(async () => {
  await wasmReady();
});

/** A computation that uses every kernel Tansaku registers (on whatever backend is active). */
function everyKernel(): Record<string, tf.Tensor | tf.Tensor[]> {
  const r = randomArrays(99);
  const x = tf.tensor4d(r.normal(2 * 7 * 7 * 3), [2, 7, 7, 3]);
  const f = tf.tensor4d(r.normal(3 * 3 * 3 * 4), [3, 3, 3, 4]);
  const d = tf.tensor4d(r.normal(3 * 3 * 3 * 2), [3, 3, 3, 2]);
  const a = tf.tensor2d(r.normal(20 * 30), [20, 30]);
  const b = tf.tensor2d(r.normal(40 * 30), [40, 30]);
  const e = tf.tensor2d(r.normal(9 * 4), [9, 4]);
  const g = tf.grads(
    (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor, u: tf.Tensor, v: tf.Tensor, w: tf.Tensor) =>
      tf.addN([
        tf.sum(tf.square(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'))),
        tf.sum(tf.square(tf.depthwiseConv2d(p as tf.Tensor4D, s as tf.Tensor4D, 1, 'valid'))),
        tf.sum(tf.square(tf.matMul(u, v, false, true))),
        tf.sum(tf.square(tf.fused.matMul({ a: u, b: v, transposeB: true, activation: 'relu' }))),
        tf.sum(tf.square(tf.gather(w, tf.tensor1d([1, 4, 4, 8], 'int32')))),
      ]) as tf.Scalar,
  )([x, f, d, a, b, e]);
  return { g, t: tf.matMul(a, b, false, true) };
}

describe('registration leaves other backends untouched', () => {
  it('cpu kernels are the same objects and cpu results are bit-identical before and after', async () => {
    unregisterWasmTrainingKernels();
    try {
      for (const name of WASM_TRAINING_KERNELS.added)
        assert.equal(tf.getKernel(name, 'wasm'), undefined, `${name} is gone after unregistering`);
      const cpuBefore = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
      const resBefore = await runOn('cpu', everyKernel);
      const r = registerWasmTrainingKernels();
      assert.deepEqual([...r.added].sort(), [...WASM_TRAINING_KERNELS.added].sort());
      const cpuAfter = tf.getKernelsForBackend('cpu');
      assert.equal(cpuAfter.length, cpuBefore.size);
      for (const k of cpuAfter) assert.equal(k, cpuBefore.get(k.kernelName), `cpu kernel ${k.kernelName} is the same config object`);
      const resAfter = await runOn('cpu', everyKernel);
      for (const [k, list] of Object.entries(resBefore)) {
        list.forEach((v, i) => {
          assert.deepEqual(resAfter[k][i].values, v.values, `${k}[${i}] bit-identical`);
        });
      }
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('registering twice changes nothing; starting the backend again keeps it', async () => {
    const r = registerWasmTrainingKernels();
    assert.deepEqual(r, { added: [], replaced: [] });
    const again = await useTrainingWasmBackend();
    assert.equal(again.backend, 'wasm');
    assert.deepEqual([...again.kernels.added].sort(), [...WASM_TRAINING_KERNELS.added].sort());
    assert.deepEqual([...again.kernels.replaced].sort(), [...WASM_TRAINING_KERNELS.replaced].sort());
  });
});

/** Weights of a model as plain arrays, to start the other backend from the same point. */
function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

type Builder = () => tf.LayersModel;

function cnn(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10 }));
  return m;
}

function resnet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1): tf.SymbolicTensor =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const add = (a: tf.SymbolicTensor, b: tf.SymbolicTensor): tf.SymbolicTensor => tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
  let h = relu(bn(conv(input, 8, 3)));
  // identity block
  h = relu(add(h, bn(conv(relu(bn(conv(h, 8, 3))), 8, 3))));
  // down-sampling block with a projection shortcut
  const main = bn(conv(relu(bn(conv(h, 12, 3, 2))), 12, 3));
  h = relu(add(main, bn(conv(h, 12, 1, 2))));
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * Trains `steps` SGD steps of `build` on `backend` from `init` weights and returns every step's loss and
 * gradients (in trainable-weight order) and the final weights.
 */
async function trainOn(
  backend: 'cpu' | 'wasm',
  build: Builder,
  init: Float32Array[] | null,
  xs: { x: Float32Array; xShape: number[]; labels: Int32Array },
  steps: number,
): Promise<{ losses: number[]; grads: Float32Array[][]; init: Float32Array[]; final: Float32Array[] }> {
  await tf.setBackend(backend);
  const model = build();
  if (init) model.setWeights(init.map((v, i) => tf.tensor(v, model.getWeights()[i].shape)));
  const start = weightsOf(model);
  const opt = tf.train.sgd(0.05);
  const x = tf.tensor(xs.x, xs.xShape);
  const y = tf.oneHot(tf.tensor1d(xs.labels, 'int32'), 10);
  const losses: number[] = [];
  const grads: Float32Array[][] = [];
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  for (let s = 0; s < steps; s++) {
    const { value, grads: g } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      vars,
    );
    losses.push(value.dataSync()[0]);
    grads.push(vars.map((v) => g[v.name].dataSync() as Float32Array));
    opt.applyGradients(g);
    tf.dispose([value, ...Object.values(g)]);
  }
  const final = weightsOf(model);
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  return { losses, grads, init: start, final };
}

async function trainsLikeCpu(build: Builder, xShape: number[], seed: number): Promise<void> {
  const r = randomArrays(seed);
  const data = { x: r.normal(xShape.reduce((a, b) => a * b)), xShape, labels: r.int(xShape[0], 0, 10) };
  const steps = 3;
  const ref = await trainOn('cpu', build, null, data, steps);
  const got = await trainOn('wasm', build, ref.init, data, steps);
  for (let s = 0; s < steps; s++) {
    assert.ok(
      Math.abs(got.losses[s] - ref.losses[s]) <= 1e-4 * Math.max(1, Math.abs(ref.losses[s])),
      `loss at step ${s}: ${got.losses[s]} vs ${ref.losses[s]}`,
    );
    ref.grads[s].forEach((g, i) => {
      const d = maxScaledDiff(got.grads[s][i], g);
      assert.ok(d <= 1e-4, `step ${s}, gradient ${i} (${g.length} values): max scaled difference ${d.toExponential(3)}`);
    });
  }
  assert.ok(ref.losses[steps - 1] < ref.losses[0], 'the loss goes down on cpu');
  assert.ok(got.losses[steps - 1] < got.losses[0], 'the loss goes down on wasm');
  ref.final.forEach((w, i) => {
    assert.ok(maxScaledDiff(got.final[i], w) <= 1e-4, `final weight ${i}`);
  });
}

describe('training on wasm matches cpu', () => {
  it('a CNN (conv, max/avg pool, depthwise conv, dense): losses, gradients each step, final weights', async () => {
    await trainsLikeCpu(cnn, [4, 12, 12, 3], 11);
  });

  it('a small ResNet (residual adds, batch norm, strided and 1x1 convs)', async () => {
    await trainsLikeCpu(resnet, [4, 8, 8, 3], 12);
  });
});

describe('fallback', () => {
  it('falls back to cpu with a reason when the .wasm files are missing, without crashing', () => {
    const script = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { useTrainingWasmBackend } from './src/tfjs/index.js';",
      "tf.env().set('PROD', true);",
      "const info = await useTrainingWasmBackend({ wasmPaths: '/nonexistent-tansaku/' });",
      'const v = tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync()[0];',
      'console.log(JSON.stringify({ ...info, active: tf.getBackend(), v }));',
    ].join('\n');
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(res.status, 0, res.stderr);
    const info = JSON.parse(res.stdout.trim().split('\n').pop()!);
    assert.equal(info.backend, 'cpu');
    assert.equal(info.active, 'cpu');
    assert.equal(info.v, 2);
    assert.match(info.fallbackReason, /nonexistent-tansaku/);
  });

  it("fallback: 'throw' throws instead", () => {
    const script = [
      "import { useTrainingWasmBackend } from './src/tfjs/index.js';",
      "try { await useTrainingWasmBackend({ wasmPaths: '/nonexistent-tansaku/', fallback: 'throw' }); console.log('no throw'); }",
      'catch (e) { console.log(String(e.message)); }',
    ].join('\n');
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /wasm backend cannot start: cannot find/);
  });
});
