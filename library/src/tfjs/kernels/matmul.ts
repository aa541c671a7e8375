/**
 * Fast matrix products for the wasm backend: replacements for its `BatchMatMul` and `_FusedMatMul`.
 *
 * The package's kernel (tfjs-backend-wasm 4.22, src/cc/batch_mat_mul_impl.cc) runs XNNPACK's
 * fully-connected operator only when neither operand is transposed and both batch sizes are 1; every
 * other case falls to a scalar blocked loop that runs at well under 1 GFLOP/s. A backward pass needs
 * exactly those cases (dX = dY·Wᵀ, dW = Xᵀ·dY). These kernels make every case the fast one:
 *
 * - a transposed operand is transposed explicitly first (a tiled transpose in TypeScript, a memory pass
 *   that costs O(rows·cols), against O(rows·cols·n) for the product);
 * - when `b` has batch size 1 (a dense layer on a batch, im2col convolutions), `a`'s batch is folded into
 *   its rows, so the product is one XNNPACK call;
 * - other batched products (both operands batched) run one XNNPACK call per batch entry.
 *
 * The package's loop also reads a bias of n entries wrongly (it indexes it by row·n + column, clipped), and
 * its XNNPACK path misreads a one-element bias; both are correct here (tested against the cpu backend).
 *
 * Tiny products keep the package's loop, which has less fixed cost. The results equal the package's up to
 * float rounding (summation order), tested against the cpu backend.
 *
 * XNNPACK packs its second operand on each call with a new tensor (a few ns per element; weights change
 * every step, so its cache never hits in training). Computing Cᵀ = Bᵀ·Aᵀ instead, to pack the smaller
 * operand, was measured on the MLP's products and was never faster once the extra transposes are paid.
 */
import { backend_util, util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { disposeAll, f32, runStock, transposeLast2, view, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

/** Knobs of the matrix-product paths (exported for benchmarks). */
export const matMulTuning = {
  /** Below this many multiply-adds the package's own loop is used (XNNPACK's per-call set-up dominates). */
  smallProduct: 4096,
};

interface MatMulShapes {
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  outShape: number[];
}

function shapes(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulShapes {
  const ar = a.shape.length;
  const br = b.shape.length;
  const k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transposeB ? b.shape[br - 1] : b.shape[br - 2];
  const m = transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const n = transposeB ? b.shape[br - 2] : b.shape[br - 1];
  util.assert(
    k === kb,
    () =>
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return {
    batchA: util.sizeFromShape(a.shape.slice(0, -2)),
    batchB: util.sizeFromShape(b.shape.slice(0, -2)),
    m,
    k,
    n,
    outShape: [...outer, m, n],
  };
}

/** A copy of batch entry `i` of a [batch, r, c] tensor, as [1, r, c]. */
function sliceBatch(backend: WasmBackendLike, x: TensorInfo, i: number, r: number, c: number): TensorInfo {
  const out = backend.makeOutput([1, r, c], 'float32');
  const size = r * c;
  f32(backend, out).set(f32(backend, x).subarray(i * size, (i + 1) * size));
  return out;
}

/**
 * The product with `a` as [batchA, m, k] and `b` as [batchB, k, n] (both already untransposed), computed by
 * `kernel` ('BatchMatMul' or '_FusedMatMul') with `extra` inputs and attrs passed through.
 */
function productUntransposed(
  backend: WasmBackendLike,
  kernel: string,
  a: TensorInfo,
  b: TensorInfo,
  s: MatMulShapes,
  extra: KernelInputs,
  attrs: NamedAttrMap,
): TensorInfo {
  const { batchA, batchB, m, k, n } = s;
  const plain = { ...attrs, transposeA: false, transposeB: false };
  if (batchB === 1) {
    const out = runStock(backend, kernel, { a: view(a, [1, batchA * m, k]), b: view(b, [1, k, n]), ...extra }, plain);
    return { dataId: out.dataId, shape: s.outShape, dtype: out.dtype };
  }
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([batch, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? view(a, [1, m, k]) : sliceBatch(backend, a, i, m, k);
    const bi = sliceBatch(backend, b, i, k, n);
    const oi = runStock(backend, kernel, { a: ai, b: bi, ...extra }, plain);
    f32(backend, out).set(f32(backend, oi), i * m * n);
    disposeAll(backend, oi, bi, batchA === 1 ? null : ai);
  }
  return { dataId: out.dataId, shape: s.outShape, dtype: out.dtype };
}

function fastMatMul(
  backend: WasmBackendLike,
  kernel: 'BatchMatMul' | '_FusedMatMul',
  a: TensorInfo,
  b: TensorInfo,
  extra: KernelInputs,
  attrs: NamedAttrMap,
): TensorInfo | null {
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const s = shapes(a, b, transposeA, transposeB);
  const { batchA, batchB, m, k, n } = s;
  const batch = Math.max(batchA, batchB);
  const bias = extra.bias;
  if (m === 0 || n === 0 || k === 0) return null;
  // Small products keep the package's loop, except with a bias, which that loop reads wrongly.
  if (batch * m * k * n < matMulTuning.smallProduct && !bias) return null;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  // XNNPACK's bias must have exactly n entries (a one-entry bias was expanded by the caller).
  if (bias && util.sizeFromShape(bias.shape) !== n) return null;
  if (!transposeA && !transposeB && batchA === 1 && batchB === 1) return null; // already XNNPACK's path
  const a2 = transposeA ? transposeLast2(backend, a, batchA, k, m) : view(a, [batchA, m, k]);
  const b2 = transposeB ? transposeLast2(backend, b, batchB, n, k) : view(b, [batchB, k, n]);
  try {
    return productUntransposed(backend, kernel, a2, b2, s, extra, attrs);
  } finally {
    disposeAll(backend, transposeA ? a2 : null, transposeB ? b2 : null);
  }
}

function batchMatMul(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const attrs = args.attrs ?? {};
  return fastMatMul(backend, 'BatchMatMul', a, b, {}, attrs) ?? runStock(backend, 'BatchMatMul', args.inputs, attrs);
}

function fusedMatMul(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  // A one-element bias is broadcast over the n columns. The package's XNNPACK path would read n entries
  // from it (wrong values, tfjs-backend-wasm 4.22), so it is expanded to n entries first.
  const n = attrs.transposeB === true ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
  let fullBias = bias;
  if (bias && n > 1 && util.sizeFromShape(bias.shape) === 1) {
    fullBias = backend.makeOutput([n], 'float32');
    f32(backend, fullBias).fill(f32(backend, bias)[0]);
  }
  const extra: KernelInputs = {};
  if (fullBias) extra.bias = fullBias;
  if (preluActivationWeights) extra.preluActivationWeights = preluActivationWeights;
  try {
    return (
      fastMatMul(backend, '_FusedMatMul', a!, b!, extra, attrs) ?? runStock(backend, '_FusedMatMul', { ...args.inputs, ...extra }, attrs)
    );
  } finally {
    if (fullBias !== bias) disposeAll(backend, fullBias);
  }
}

/** Replaces 'BatchMatMul' for 'wasm' (the stock kernel's set-up still runs: it is called from here). */
export function batchMatMulConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'BatchMatMul', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: batchMatMul as never };
}

/** Replaces '_FusedMatMul' for 'wasm'. */
export function fusedMatMulConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: '_FusedMatMul', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: fusedMatMul as never };
}

/** `a`·`b` (optionally transposed) on the wasm backend by the fastest path: a new [batch, m, n] tensor. */
export function wasmMatMul(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, transposeA = false, transposeB = false): TensorInfo {
  const attrs = { transposeA, transposeB };
  return fastMatMul(backend, 'BatchMatMul', a, b, {}, attrs) ?? runStock(backend, 'BatchMatMul', { a, b }, attrs);
}
