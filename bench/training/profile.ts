/**
 * Profiles training steps of a bench/training model: CPU time per kernel (each registered kernel of the
 * backend is wrapped with process.cpuUsage, steadier than tf.profile's wall time on a shared machine),
 * and the rest of the step (tape, layers, optimizer bookkeeping in JS).
 * `node bench/scripts/bench.mjs training/profile.ts [mlp|cnn] [wasm|stock|cpu] [batch] [steps] [sgd|adam]`
 * (stock: the wasm package's kernels, plus Tansaku's only where the package has none).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, useTrainingWasmBackend } from 'tansaku/tfjs';
import { MODELS, makeStep, type ModelName } from './models.js';

const model = (process.argv[2] ?? 'mlp') as ModelName;
const mode = process.argv[3] ?? 'wasm';
const batch = Number(process.argv[4] ?? (model === 'mlp' ? 128 : 64));
const steps = Number(process.argv[5] ?? (mode === 'cpu' ? 2 : 10));
const optimizerName = process.argv[6] ?? 'sgd';
tf.env().set('PROD', true);
if (mode === 'cpu') await tf.setBackend('cpu');
else {
  const info = await useTrainingWasmBackend({ kernels: false });
  if (info.backend !== 'wasm') throw new Error(info.fallbackReason);
  registerWasmTrainingKernels({ fastPaths: mode !== 'stock' });
}
const backendName = tf.getBackend();
const spec = MODELS[model];
const m = spec.build();
const step = makeStep(m, optimizerName === 'adam' ? tf.train.adam(0.001) : tf.train.sgd(0.01));
const x = tf.randomNormal([batch, ...spec.sample]);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat();
// Warm-up: let V8 optimize the kernels written in TypeScript before measuring.
for (let i = 0; i < (mode === 'cpu' ? 1 : 15); i++) step(x, y);

// Wrap every kernel of the backend to add up its CPU time by name and input shapes.
const totals = new Map<string, { us: number; n: number }>();
let enabled = false;
for (const k of tf.getKernelsForBackend(backendName)) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, backendName);
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: { inputs: Record<string, tf.TensorInfo | null>; backend: unknown; attrs?: unknown }) => {
      if (!enabled) return inner(args as never);
      const t0 = process.cpuUsage();
      const out = inner(args as never);
      const d = process.cpuUsage(t0);
      const key = `${k.kernelName} ${JSON.stringify(Object.values(args.inputs).map((t) => t?.shape ?? null))}`;
      const e = totals.get(key) ?? { us: 0, n: 0 };
      e.us += d.user + d.system;
      e.n++;
      totals.set(key, e);
      return out;
    }) as tf.KernelFunc,
  });
}
enabled = true;
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < steps; i++) step(x, y);
const ms = (performance.now() - t0) / steps;
const cu = process.cpuUsage(c0);
const cpuMs = (cu.user + cu.system) / 1000 / steps;
const kernelMs = [...totals.values()].reduce((a, e) => a + e.us, 0) / 1000 / steps;
console.log(
  `${spec.label} on ${mode}, batch ${batch}, ${optimizerName}: ${cpuMs.toFixed(1)} ms CPU per step (${ms.toFixed(1)} ms wall), ` +
    `${((batch / cpuMs) * 1000).toFixed(0)} samples per CPU-second, ${((spec.trainMacs * 2 * batch) / cpuMs / 1e6).toFixed(1)} GFLOP per CPU-second`,
);
console.log(`kernels ${kernelMs.toFixed(1)} ms, the rest (JS: tape, layers, optimizer) ${(cpuMs - kernelMs).toFixed(1)} ms per step`);
for (const [k, v] of [...totals].sort((a, b) => b[1].us - a[1].us).slice(0, 30)) {
  console.log(`${(v.us / 1000 / steps).toFixed(2).padStart(8)} ms ${String(v.n / steps).padStart(3)}x  ${k}`);
}
