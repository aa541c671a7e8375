/**
 * Every kernel that tansaku/tfjs registers or replaces for the 'wasm' backend, against tfjs's cpu
 * backend: forward values and gradients, max |wasm − cpu| ≤ 1e-4·max(1, |cpu|), on random shapes with
 * strides, same/valid/explicit padding, batch > 1 and channels > 1.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { WASM_TRAINING_KERNELS, registeredWasmTrainingKernels } from '../../src/tfjs/index.js';
import { conv2dTuning } from '../../src/tfjs/kernels/conv2d-backprop.js';
import { assertMatchesCpu, maxScaledDiff, randomArrays, wasmReady, type Outputs } from './wasm-helpers.js';

const rnd = randomArrays(20240611);

/** A fixed random weighting so a gradient of sum(w·f(x)) exercises every output element differently. */
function weighted(y: tf.Tensor, w: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(y, w));
}

before(async () => {
  await wasmReady();
});

describe('registration', () => {
  it('registers exactly the listed kernels for wasm', () => {
    const r = registeredWasmTrainingKernels();
    assert.deepEqual([...r.added].sort(), [...WASM_TRAINING_KERNELS.added].sort());
    assert.deepEqual([...r.replaced].sort(), [...WASM_TRAINING_KERNELS.replaced].sort());
    for (const name of [...r.added, ...r.replaced]) assert.ok(tf.getKernel(name, 'wasm'), name);
  });
});

describe('BatchMatMul and _FusedMatMul (wasm fast paths)', () => {
  // `grad: false`: tfjs 4.22's matMul gradient does not reduce broadcast batch dimensions (on any backend).
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; grad?: false }[] = [
    { a: [37, 53], b: [53, 29], ta: false, tb: false },
    { a: [53, 37], b: [53, 29], ta: true, tb: false },
    { a: [37, 53], b: [29, 53], ta: false, tb: true },
    { a: [53, 37], b: [29, 53], ta: true, tb: true },
    { a: [3, 17, 33], b: [3, 33, 21], ta: false, tb: false },
    { a: [3, 33, 17], b: [3, 21, 33], ta: true, tb: true },
    { a: [4, 19, 31], b: [31, 23], ta: false, tb: false, grad: false },
    { a: [4, 31, 19], b: [23, 31], ta: true, tb: true, grad: false },
    { a: [26, 31], b: [2, 31, 23], ta: false, tb: false, grad: false },
    { a: [2, 2, 9, 40], b: [2, 2, 40, 12], ta: false, tb: false },
    { a: [2, 3, 40, 9], b: [1, 1, 12, 40], ta: true, tb: true, grad: false },
    { a: [2, 2], b: [2, 3], ta: false, tb: false },
    { a: [4, 3], b: [5, 4], ta: true, tb: true }, // tiny: the package's own loop
  ];
  for (const c of cases) {
    it(`matMul ${JSON.stringify(c.a)}${c.ta ? 'ᵀ' : ''} · ${JSON.stringify(c.b)}${c.tb ? 'ᵀ' : ''}: value${c.grad === false ? '' : ' and gradients'}`, async () => {
      const A = rnd.normal(c.a.reduce((x, y) => x * y));
      const B = rnd.normal(c.b.reduce((x, y) => x * y));
      await assertMatchesCpu('matMul', (): Outputs => {
        const a = tf.tensor(A, c.a);
        const b = tf.tensor(B, c.b);
        const y = tf.matMul(a, b, c.ta, c.tb);
        if (c.grad === false) return { y };
        const w = tf.tensor(randomArrays(7).normal(y.size), y.shape);
        const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => weighted(tf.matMul(p, q, c.ta, c.tb), w))([a, b]);
        return { y, ga, gb };
      });
    });
  }

  // bias: 'n' (one per column, as dense layers use), 'one' (a single value broadcast), or none.
  // tfjs-backend-wasm 4.22 itself gets a per-column bias wrong with transposes and a one-value bias wrong
  // without them; these cases pin both.
  const fused: { a: number[]; b: number[]; ta: boolean; tb: boolean; act: tf.fused.Activation; bias: boolean | 'one' }[] = [
    { a: [40, 30], b: [30, 50], ta: false, tb: false, act: 'relu', bias: true },
    { a: [30, 40], b: [30, 50], ta: true, tb: false, act: 'linear', bias: true },
    { a: [40, 30], b: [50, 30], ta: false, tb: true, act: 'relu6', bias: true },
    { a: [3, 20, 30], b: [30, 25], ta: false, tb: false, act: 'elu', bias: true },
    { a: [3, 30, 20], b: [3, 25, 30], ta: true, tb: true, act: 'sigmoid', bias: false },
    { a: [2, 20, 30], b: [2, 30, 25], ta: false, tb: false, act: 'leakyrelu', bias: true },
    { a: [30, 40], b: [30, 50], ta: true, tb: false, act: 'relu', bias: true },
    { a: [40, 30], b: [50, 30], ta: false, tb: true, act: 'linear', bias: false },
    { a: [40, 30], b: [30, 50], ta: false, tb: false, act: 'linear', bias: 'one' },
    { a: [30, 40], b: [50, 30], ta: true, tb: true, act: 'relu', bias: 'one' },
    { a: [3, 3], b: [3, 2], ta: true, tb: false, act: 'linear', bias: true },
  ];
  for (const c of fused) {
    it(`fused.matMul ${JSON.stringify(c.a)}${c.ta ? 'ᵀ' : ''} · ${JSON.stringify(c.b)}${c.tb ? 'ᵀ' : ''} ${c.act}${c.bias === 'one' ? ' +bias[1]' : c.bias ? ' +bias[n]' : ''}`, async () => {
      const A = rnd.normal(c.a.reduce((x, y) => x * y));
      const B = rnd.normal(c.b.reduce((x, y) => x * y));
      const n = c.tb ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
      const Bias = rnd.normal(c.bias === 'one' ? 1 : n);
      await assertMatchesCpu('fused.matMul', (): Outputs => {
        const a = tf.tensor(A, c.a);
        const b = tf.tensor(B, c.b);
        const bias = c.bias ? tf.tensor1d(Bias) : undefined;
        const f = (p: tf.Tensor, q: tf.Tensor, r?: tf.Tensor): tf.Tensor =>
          tf.fused.matMul({ a: p, b: q, transposeA: c.ta, transposeB: c.tb, bias: r, activation: c.act, leakyreluAlpha: 0.1 });
        const y = f(a, b, bias);
        if (c.act !== 'linear' && c.act !== 'relu') return { y }; // tfjs only differentiates fused linear/relu
        const w = tf.tensor(randomArrays(7).normal(y.size), y.shape);
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => weighted(f(p, q, r), w))([a, b, bias ?? tf.zeros([n])]);
        return { y, g };
      });
    });
  }
});

/** The naive definition of a 2-D convolution's filter gradient (NHWC), to check dilations the cpu kernels lack. */
function depthwiseGradsReference(
  x: Float32Array,
  xs: number[],
  dy: Float32Array,
  w: Float32Array,
  ws: number[],
  oh: number,
  ow: number,
  s: [number, number],
  d: [number, number],
  top: number,
  left: number,
): { dx: Float64Array; dw: Float64Array } {
  const [B, H, W, C] = xs;
  const [KH, KW, , M] = ws;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let kh = 0; kh < KH; kh++)
          for (let kw = 0; kw < KW; kw++) {
            const ih = i * s[0] - top + kh * d[0];
            const iw = j * s[1] - left + kw * d[1];
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++)
              for (let m = 0; m < M; m++) {
                const g = dy[((b * oh + i) * ow + j) * C * M + c * M + m];
                const wi = ((kh * KW + kw) * C + c) * M + m;
                const xi = ((b * H + ih) * W + iw) * C + c;
                dx[xi] += g * w[wi];
                dw[wi] += g * x[xi];
              }
          }
  return { dx, dw };
}

describe('Conv2DBackpropFilter / Conv2DBackpropInput', () => {
  type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  const cases: { x: number[]; f: number[]; s: [number, number]; pad: Pad }[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: [1, 1], pad: 'same' },
    { x: [3, 10, 8, 2], f: [3, 2, 2, 5], s: [2, 2], pad: 'same' },
    { x: [2, 11, 9, 4], f: [3, 3, 4, 3], s: [2, 1], pad: 'valid' },
    { x: [1, 7, 7, 5], f: [1, 1, 5, 6], s: [1, 1], pad: 'valid' },
    { x: [2, 8, 9, 3], f: [4, 3, 3, 2], s: [3, 2], pad: 'same' },
    {
      x: [2, 7, 6, 2],
      f: [3, 3, 2, 3],
      s: [1, 2],
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
    { x: [2, 8, 7, 3], f: [3, 3, 3, 2], s: [1, 1], pad: 'valid' },
    // padding above the filter size: the stride-1 input gradient cannot be a convolution (negative pad)
    {
      x: [2, 6, 6, 2],
      f: [3, 2, 2, 3],
      s: [1, 1],
      pad: [
        [0, 0],
        [3, 0],
        [1, 2],
        [0, 0],
      ],
    },
  ];
  for (const c of cases) {
    it(`conv2d x${JSON.stringify(c.x)} f${JSON.stringify(c.f)} strides ${c.s} pad ${JSON.stringify(c.pad)}: value and gradients`, async () => {
      const X = rnd.normal(c.x.reduce((a, b) => a * b));
      const F = rnd.normal(c.f.reduce((a, b) => a * b));
      await assertMatchesCpu('conv2d', () => {
        const x = tf.tensor4d(X, c.x as never);
        const f = tf.tensor4d(F, c.f as never);
        const y = tf.conv2d(x, f, c.s, c.pad);
        const w = tf.tensor(randomArrays(7).normal(y.size), y.shape);
        const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) => weighted(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, c.s, c.pad), w))([
          x,
          f,
        ]);
        return { y, gx, gf };
      });
    });
  }

  it('conv2dTranspose (Conv2DBackpropInput as a forward op), stride 2, and its gradients', async () => {
    const X = rnd.normal(2 * 5 * 4 * 6);
    const F = rnd.normal(3 * 3 * 3 * 6);
    await assertMatchesCpu('conv2dTranspose', () => {
      const x = tf.tensor4d(X, [2, 5, 4, 6]);
      const f = tf.tensor4d(F, [3, 3, 3, 6]);
      const y = tf.conv2dTranspose(x, f, [2, 10, 8, 3], 2, 'same');
      const w = tf.tensor(randomArrays(7).normal(y.size), y.shape);
      const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        weighted(tf.conv2dTranspose(p as tf.Tensor4D, q as tf.Tensor4D, [2, 10, 8, 3], 2, 'same'), w),
      )([x, f]);
      return { y, gx, gf };
    });
  });

  it('NCHW data through the kernels directly', async () => {
    const X = rnd.normal(2 * 3 * 8 * 7);
    const DY = rnd.normal(2 * 4 * 4 * 4);
    const F = rnd.normal(3 * 3 * 3 * 4);
    await assertMatchesCpu('NCHW', () => {
      const x = tf.tensor4d(X, [2, 3, 8, 7]);
      const dy = tf.tensor4d(DY, [2, 4, 4, 4]);
      const f = tf.tensor4d(F, [3, 3, 3, 4]);
      const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined };
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] } as never) as tf.Tensor;
      const dx = tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: [2, 3, 8, 7] } as never) as tf.Tensor;
      return { dw, dx };
    });
  });

  it('batches split into im2col chunks give the same gradients', async () => {
    const saved = conv2dTuning.colsChunkElements;
    conv2dTuning.colsChunkElements = 2000; // 5 images of 7x6 output x 27 columns = 5670: one image per chunk
    try {
      const X = rnd.normal(5 * 13 * 11 * 3);
      const F = rnd.normal(3 * 3 * 3 * 4);
      await assertMatchesCpu('chunked', () => {
        const x = tf.tensor4d(X, [5, 13, 11, 3]);
        const f = tf.tensor4d(F, [3, 3, 3, 4]);
        const w = tf.tensor(randomArrays(7).normal(5 * 7 * 6 * 4), [5, 7, 6, 4]);
        const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) => weighted(tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same'), w))([
          x,
          f,
        ]);
        return { gx, gf };
      });
    } finally {
      conv2dTuning.colsChunkElements = saved;
    }
  });
});

describe('DepthwiseConv2dNativeBackpropInput / ...BackpropFilter', () => {
  const cases: { x: number[]; f: number[]; s: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: [1, 1], pad: 'same' },
    { x: [3, 8, 10, 2], f: [3, 3, 2, 2], s: [2, 2], pad: 'same' },
    { x: [2, 9, 7, 4], f: [2, 3, 4, 3], s: [2, 1], pad: 'valid' },
    { x: [1, 6, 6, 5], f: [1, 1, 5, 2], s: [1, 1], pad: 'valid' },
  ];
  for (const c of cases) {
    it(`depthwiseConv2d x${JSON.stringify(c.x)} f${JSON.stringify(c.f)} strides ${c.s} ${c.pad}: value and gradients`, async () => {
      const X = rnd.normal(c.x.reduce((a, b) => a * b));
      const F = rnd.normal(c.f.reduce((a, b) => a * b));
      await assertMatchesCpu('depthwise', () => {
        const x = tf.tensor4d(X, c.x as never);
        const f = tf.tensor4d(F, c.f as never);
        const y = tf.depthwiseConv2d(x, f, c.s, c.pad);
        const w = tf.tensor(randomArrays(7).normal(y.size), y.shape);
        const [gx, gf] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          weighted(tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, c.s, c.pad), w),
        )([x, f]);
        return { y, gx, gf };
      });
    });
  }

  it('separableConv2d gradients', async () => {
    const X = rnd.normal(2 * 8 * 8 * 3);
    const D = rnd.normal(3 * 3 * 3 * 2);
    const P = rnd.normal(1 * 1 * 6 * 4);
    await assertMatchesCpu('separable', () => {
      const x = tf.tensor4d(X, [2, 8, 8, 3]);
      const d = tf.tensor4d(D, [3, 3, 3, 2]);
      const p = tf.tensor4d(P, [1, 1, 6, 4]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.square(tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 1, 'same'))),
      )([x, d, p]);
      return { g };
    });
  });

  it('dilated kernels match the definition (the cpu kernels of tfjs 4.22 ignore dilation)', async () => {
    await wasmReady();
    await tf.setBackend('wasm');
    const xs = [2, 9, 8, 3];
    const ws = [3, 2, 3, 2];
    const X = rnd.normal(xs.reduce((a, b) => a * b));
    const W = rnd.normal(ws.reduce((a, b) => a * b));
    const s: [number, number] = [1, 2];
    const d: [number, number] = [2, 2];
    // valid padding: out = ceil((in − (k − 1)·d) / s)
    const oh = Math.ceil((9 - 2 * 2) / 1);
    const ow = Math.ceil((8 - 1 * 2) / 2);
    const DY = rnd.normal(2 * oh * ow * 6);
    const ref = depthwiseGradsReference(X, xs, DY, W, ws, oh, ow, s, d, 0, 0);
    const got = tf.tidy(() => {
      const x = tf.tensor4d(X, xs as never);
      const dy = tf.tensor4d(DY, [2, oh, ow, 6]);
      const w = tf.tensor4d(W, ws as never);
      const attrs = { strides: s, dilations: d, pad: 'valid' };
      const dx = tf
        .engine()
        .runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs } as never) as tf.Tensor;
      const dw = tf
        .engine()
        .runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: ws } as never) as tf.Tensor;
      return [dx.dataSync(), dw.dataSync()];
    });
    assert.ok(maxScaledDiff(got[0], ref.dx) <= 1e-4, 'dx');
    assert.ok(maxScaledDiff(got[1], ref.dw) <= 1e-4, 'dw');
  });
});

describe('MaxPoolGrad / AvgPoolGrad', () => {
  const cases: { x: number[]; k: [number, number]; s: [number, number]; pad: 'same' | 'valid' }[] = [
    { x: [2, 8, 8, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
    { x: [3, 9, 7, 4], k: [3, 3], s: [2, 2], pad: 'same' },
    { x: [2, 10, 9, 2], k: [3, 2], s: [1, 2], pad: 'valid' },
    { x: [1, 7, 7, 5], k: [2, 3], s: [3, 1], pad: 'same' },
  ];
  for (const c of cases) {
    it(`pools x${JSON.stringify(c.x)} window ${c.k} strides ${c.s} ${c.pad}, with ties: values and gradients`, async () => {
      // ReLU of normals: about half the inputs are 0, so windows often hold ties (the first maximum wins).
      const X = rnd.normal(c.x.reduce((a, b) => a * b)).map((v) => Math.max(0, v));
      await assertMatchesCpu('pool', () => {
        const x = tf.tensor4d(X, c.x as never);
        const ym = tf.maxPool(x, c.k, c.s, c.pad);
        const ya = tf.avgPool(x, c.k, c.s, c.pad);
        const wm = tf.tensor(randomArrays(7).normal(ym.size), ym.shape);
        const wa = tf.tensor(randomArrays(8).normal(ya.size), ya.shape);
        const gm = tf.grad((p: tf.Tensor) => weighted(tf.maxPool(p as tf.Tensor4D, c.k, c.s, c.pad), wm))(x);
        const ga = tf.grad((p: tf.Tensor) => weighted(tf.avgPool(p as tf.Tensor4D, c.k, c.s, c.pad), wa))(x);
        return { ym, ya, gm, ga };
      });
    });
  }
});

describe('Identity (shared buffer)', () => {
  it('a clone keeps its values after the original is disposed; a variable keeps its own values after assign', async () => {
    await wasmReady();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    const v = tf.variable(b);
    const n = tf.tensor1d([7, 8, 9]);
    v.assign(n);
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(v.dataSync()), [7, 8, 9]);
    tf.dispose([b, v, n]);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('UnsortedSegmentSum', () => {
  it('segment ids in and out of range, float32 and int32, rank 1 to 3', async () => {
    const X = rnd.normal(12 * 5);
    const ids1 = rnd.int(12, -1, 6);
    const ids2 = rnd.int(12, 0, 4);
    const XI = rnd.int(12 * 5, -50, 50);
    await assertMatchesCpu('unsortedSegmentSum', () => ({
      a: tf.unsortedSegmentSum(tf.tensor2d(X, [12, 5]), tf.tensor1d(ids1, 'int32'), 5),
      b: tf.unsortedSegmentSum(tf.tensor3d(X, [12, 1, 5]), tf.tensor1d(ids1, 'int32'), 7),
      c: tf.unsortedSegmentSum(tf.tensor1d(X.subarray(0, 12)), tf.tensor1d(ids2, 'int32'), 4),
      d: tf.unsortedSegmentSum(tf.tensor2d(XI, [12, 5], 'int32'), tf.tensor1d(ids2, 'int32'), 4),
    }));
  });

  it('2-D segment ids match the definition (the cpu kernel of tfjs 4.22 cannot broadcast them)', async () => {
    await wasmReady();
    await tf.setBackend('wasm');
    const X = rnd.normal(3 * 4 * 5);
    const ids = rnd.int(12, -1, 4);
    const ref = new Float64Array(3 * 5);
    for (let i = 0; i < 12; i++) if (ids[i] >= 0 && ids[i] < 3) for (let j = 0; j < 5; j++) ref[ids[i] * 5 + j] += X[i * 5 + j];
    const got = tf.tidy(() =>
      tf.unsortedSegmentSum(tf.tensor3d(X, [3, 4, 5]), tf.tensor2d(ids, [3, 4], 'int32') as unknown as tf.Tensor1D, 3).dataSync(),
    );
    assert.ok(maxScaledDiff(got, ref) <= 1e-6);
  });

  it('gradient of gather (embedding lookups), axis 0 and 1', async () => {
    const E = rnd.normal(10 * 6);
    const idx = rnd.int(15, 0, 10);
    const idx2 = rnd.int(7, 0, 6);
    await assertMatchesCpu('gather grad', () => {
      const e = tf.tensor2d(E, [10, 6]);
      const g0 = tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.gather(p, tf.tensor1d(idx, 'int32'), 0))))(e);
      const g1 = tf.grad((p: tf.Tensor) => tf.sum(tf.square(tf.gather(p, tf.tensor1d(idx2, 'int32'), 1))))(e);
      return { g0, g1 };
    });
  });
});
