/** Helpers for the wasm training-kernel tests: run the same computation on 'cpu' and 'wasm' and compare. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useTrainingWasmBackend, type TrainingBackendInfo } from '../../src/tfjs/index.js';

let started: Promise<TrainingBackendInfo> | null = null;

/** Starts the training wasm backend once per process; fails the test when wasm does not start. */
export async function wasmReady(): Promise<TrainingBackendInfo> {
  started ??= (async () => {
    tf.env().set('PROD', true); // quiets tfjs's "looks like you are running in Node" banner and warnings
    const info = await useTrainingWasmBackend();
    assert.equal(info.backend, 'wasm', `the wasm backend did not start: ${info.fallbackReason}`);
    return info;
  })();
  return started;
}

/** A seeded generator of normal(0, 1) float32 arrays (mulberry32 + Box-Muller). */
export function randomArrays(seed: number): { normal(n: number): Float32Array; int(n: number, lo: number, hi: number): Int32Array } {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    normal(n) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
      return out;
    },
    int(n, lo, hi) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + Math.floor(u() * (hi - lo));
      return out;
    },
  };
}

export type Outputs = Record<string, tf.Tensor | tf.Tensor[]>;

/** Runs `fn` under backend `name` and reads every output (tensors are disposed). */
export async function runOn(
  name: 'cpu' | 'wasm',
  fn: () => Outputs,
): Promise<Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }[]>> {
  await tf.setBackend(name);
  const backend = tf.backend();
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backend.numDataIds();
  const out: Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }[]> = {};
  const res = tf.tidy(() => fn());
  for (const [k, v] of Object.entries(res)) {
    const list = Array.isArray(v) ? v : [v];
    out[k] = list.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
    tf.dispose(list);
  }
  // Nothing may stay behind: no tensor, and no data on the backend (a kernel that forgets an intermediate).
  assert.equal(tf.memory().numTensors, tensorsBefore, `${name}: tensors leaked`);
  assert.equal(backend.numDataIds(), idsBefore, `${name}: backend data leaked`);
  return out;
}

/** max |a − b| / max(1, |b|) over all elements (b the reference). */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

/**
 * Runs `fn` on cpu (the reference) and on wasm and asserts every output matches:
 * same shape, max |wasm − cpu| ≤ tol·max(1, |cpu|) element-wise.
 */
export async function assertMatchesCpu(label: string, fn: () => Outputs, tol = 1e-4): Promise<number> {
  await wasmReady();
  const ref = await runOn('cpu', fn);
  const got = await runOn('wasm', fn);
  let worst = 0;
  for (const [k, refs] of Object.entries(ref)) {
    const gots = got[k];
    assert.equal(gots.length, refs.length, `${label}/${k}: output count`);
    refs.forEach((r, i) => {
      assert.deepEqual(gots[i].shape, r.shape, `${label}/${k}[${i}]: shape`);
      const d = maxScaledDiff(gots[i].values, r.values);
      worst = Math.max(worst, d);
      assert.ok(d <= tol, `${label}/${k}[${i}]: max scaled difference ${d.toExponential(3)} > ${tol} (shape ${r.shape})`);
    });
  }
  return worst;
}
