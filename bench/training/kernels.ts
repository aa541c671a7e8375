/**
 * Kernel timings on the wasm backend: the package's own kernel ("stock") against Tansaku's, on the shapes
 * of bench/training's models, interleaved (stock, tansaku, stock, ...) so machine load hits both alike.
 * `node bench/scripts/bench.mjs training/kernels.ts [filter]`. Prints the median ms per call of each, in CPU time
 * of this process (process.cpuUsage: steadier than wall time on a shared machine; the kernels are
 * single-threaded).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, useTrainingWasmBackend, WASM_TRAINING_KERNELS } from 'tansaku/tfjs';

tf.env().set('PROD', true);
const info = await useTrainingWasmBackend();
if (info.backend !== 'wasm') throw new Error(info.fallbackReason);

interface Case {
  label: string;
  kernel: string;
  inputs: () => Record<string, tf.Tensor>;
  attrs: Record<string, unknown>;
}

const r = (shape: number[]): tf.Tensor => tf.randomNormal(shape);
const relu = (shape: number[]): tf.Tensor => tf.relu(tf.randomNormal(shape));
const cases: Case[] = [
  {
    label: 'MLP dW2 = H1ᵀ·dZ2',
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([128, 128]), b: r([128, 4096]) }),
    attrs: { transposeA: true, transposeB: false },
  },
  {
    label: 'MLP dH1 = dZ2·W2ᵀ',
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([128, 4096]), b: r([128, 4096]) }),
    attrs: { transposeA: false, transposeB: true },
  },
  {
    label: 'MLP dW3 = H2ᵀ·dY',
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([1, 128, 4096]), b: r([1, 128, 10]) }),
    attrs: { transposeA: true, transposeB: false },
  },
  {
    label: 'MLP dH2 = dY·W3ᵀ',
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([1, 128, 10]), b: r([1, 4096, 10]) }),
    attrs: { transposeA: false, transposeB: true },
  },
  {
    label: 'MLP fwd2 H1·W2',
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([128, 128]), b: r([128, 4096]) }),
    attrs: { transposeA: false, transposeB: false },
  },
  {
    label: 'CNN conv2 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: () => ({ x: relu([64, 14, 14, 32]), dy: r([64, 14, 14, 64]) }),
    attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] },
  },
  {
    label: 'CNN conv1 dW',
    kernel: 'Conv2DBackpropFilter',
    inputs: () => ({ x: r([64, 28, 28, 1]), dy: r([64, 28, 28, 32]) }),
    attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 32] },
  },
  {
    label: 'CNN conv2 dX',
    kernel: 'Conv2DBackpropInput',
    inputs: () => ({ dy: r([64, 14, 14, 64]), filter: r([3, 3, 32, 64]) }),
    attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: [64, 14, 14, 32] },
  },
  {
    label: 'CNN pool1 grad',
    kernel: 'MaxPoolGrad',
    inputs: () => ({ dy: r([64, 14, 14, 32]), input: relu([64, 28, 28, 32]), output: r([64, 14, 14, 32]) }),
    attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  },
  {
    label: 'CNN pool2 grad',
    kernel: 'MaxPoolGrad',
    inputs: () => ({ dy: r([64, 7, 7, 64]), input: relu([64, 14, 14, 64]), output: r([64, 7, 7, 64]) }),
    attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  },
  {
    label: 'avg pool 3x3/2 same grad',
    kernel: 'AvgPoolGrad',
    inputs: () => ({ dy: r([64, 14, 14, 32]), input: r([64, 28, 28, 32]) }),
    attrs: { filterSize: [3, 3], strides: [2, 2], pad: 'same' },
  },
  { label: 'clone of activations', kernel: 'Identity', inputs: () => ({ x: r([128, 4096]) }), attrs: {} },
];

const filter = process.argv[2];
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const c of cases.filter((x) => !filter || x.label.includes(filter) || x.kernel.includes(filter))) {
  const times: Record<'stock' | 'tansaku', number[]> = { stock: [], tansaku: [] };
  for (let round = 0; round < 6; round++) {
    for (const which of round % 2 === 0 ? (['stock', 'tansaku'] as const) : (['tansaku', 'stock'] as const)) {
      if (which === 'stock') unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ fastPaths: which === 'tansaku' });
      const inputs = c.inputs();
      let ms = Infinity;
      try {
        tf.engine().runKernel(c.kernel, inputs, c.attrs as never);
        // Fresh copies each call, as in training (XNNPACK caches its packed operand by tensor id).
        const reps = 3;
        let us = 0;
        for (let i = 0; i < reps; i++) {
          // (not clone(): Tansaku's Identity shares the buffer, so XNNPACK would find the operand cached)
          const fresh = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.dataSync(), v.shape, v.dtype)]));
          const t0 = process.cpuUsage();
          (tf.engine().runKernel(c.kernel, fresh, c.attrs as never) as tf.Tensor).dispose();
          const d = process.cpuUsage(t0);
          us += d.user + d.system;
          tf.dispose(Object.values(fresh));
        }
        ms = us / 1000 / reps;
      } catch {
        /* missing on stock */
      }
      tf.dispose(Object.values(inputs));
      times[which].push(ms);
    }
  }
  const t = median(times.tansaku);
  if (WASM_TRAINING_KERNELS.added.includes(c.kernel)) {
    console.log(`${c.label.padEnd(26)} ${c.kernel.padEnd(22)} package has none   tansaku ${t.toFixed(2).padStart(8)} ms`);
    continue;
  }
  const s = median(times.stock);
  console.log(
    `${c.label.padEnd(26)} ${c.kernel.padEnd(22)} stock ${s.toFixed(2).padStart(8)} ms   tansaku ${t.toFixed(2).padStart(8)} ms   ${(s / t).toFixed(1)}x`,
  );
}
