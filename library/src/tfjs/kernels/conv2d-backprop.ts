/**
 * Gradients of a 2-D convolution on the wasm backend, as matrix products run by XNNPACK.
 *
 * With x [B, H, W, Ci], a filter w [KH, KW, Ci, Co] and dy [B, OH, OW, Co] (channels last), let
 * cols[p, (kh, kw, ci)] = x[b, oh·sh − top + kh, ow·sw − left + kw, ci] (zero outside the image) for each
 * output pixel p = (b, oh, ow): the "im2col" matrix, P × K with K = KH·KW·Ci.
 *
 * - Filter gradient (`Conv2DBackpropFilter`, absent from tfjs-backend-wasm 4.22):
 *   dw = colsᵀ · dy, a K × Co matrix. `colsᵀ` (K × P) is written directly, so the product needs no
 *   transpose and runs as one XNNPACK fully-connected call.
 * - Input gradient (`Conv2DBackpropInput`; the package's kernel is a scalar loop): with stride 1 it is a
 *   convolution of dy with the filter flipped in space and its channel axes swapped, run by the package's
 *   XNNPACK `Conv2D` with explicit padding (KH − 1 − top, KH − 1 − bottom); otherwise
 *   dcols = dy · wᵀ (P × K), then col2im adds every row of dcols back onto the pixels it was read from.
 *
 * The spec is tfjs's cpu backend (tfjs-backend-cpu/src/kernels/Conv2DBackpropFilter.ts and
 * Conv2DBackpropInput.ts), re-derived here as im2col products; tested against it.
 * The batch is processed in chunks so the im2col matrix stays under `conv2dTuning.colsChunkElements` floats.
 * `NCHW` data is transposed to `NHWC` and back.
 */
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { wasmMatMul } from './matmul.js';
import { disposeAll, f32, runStock, view, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

/** Knobs of the convolution gradients (exported for tests). */
export const conv2dTuning = {
  /** Largest im2col chunk, in floats (4 Mi floats = 16 MiB): bounds the extra heap a gradient needs. */
  colsChunkElements: 4 * 1024 * 1024,
};

interface Geometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  top: number;
  left: number;
}

function geometry(info: backend_util.Conv2DInfo): Geometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** Batch entries per chunk so that one im2col matrix stays under the limit. */
function chunkSize(g: Geometry): number {
  const perImage = g.outH * g.outW * g.kH * g.kW * g.inC;
  return Math.max(1, Math.min(g.batch, Math.floor(conv2dTuning.colsChunkElements / Math.max(1, perImage))));
}

/**
 * Writes colsᵀ (K × P, row-major) for batch entries [b0, b0 + nb) of x into `out` (length K·P, P = nb·OH·OW).
 */
function im2colTransposed(x: Float32Array, g: Geometry, b0: number, nb: number, out: Float32Array): void {
  const { inH, inW, inC, outH, outW, kH, kW, sH, sW, dH, dW, top, left } = g;
  const P = nb * outH * outW;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const rowBase = (kh * kW + kw) * inC * P;
      for (let bi = 0; bi < nb; bi++) {
        const xBatch = (b0 + bi) * inH * inW * inC;
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * sH - top + kh * dH;
          const pRow = (bi * outH + oh) * outW;
          if (ih < 0 || ih >= inH) {
            for (let ci = 0; ci < inC; ci++) out.fill(0, rowBase + ci * P + pRow, rowBase + ci * P + pRow + outW);
            continue;
          }
          const xRow = xBatch + ih * inW * inC;
          for (let ow = 0; ow < outW; ow++) {
            const iw = ow * sW - left + kw * dW;
            const p = pRow + ow;
            if (iw < 0 || iw >= inW) {
              for (let ci = 0; ci < inC; ci++) out[rowBase + ci * P + p] = 0;
            } else {
              const xo = xRow + iw * inC;
              for (let ci = 0; ci < inC; ci++) out[rowBase + ci * P + p] = x[xo + ci];
            }
          }
        }
      }
    }
  }
}

/**
 * Adds the rows of dcols (P × K, row-major, P = nb·OH·OW) back onto dx for batch entries [b0, b0 + nb);
 * dx must be zero there beforehand.
 */
function col2imAdd(dcols: Float32Array, g: Geometry, b0: number, nb: number, dx: Float32Array): void {
  const { inH, inW, inC, outH, outW, kH, kW, sH, sW, dH, dW, top, left } = g;
  const K = kH * kW * inC;
  for (let bi = 0; bi < nb; bi++) {
    const xBatch = (b0 + bi) * inH * inW * inC;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const rowBase = ((bi * outH + oh) * outW + ow) * K;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * sH - top + kh * dH;
          if (ih < 0 || ih >= inH) continue;
          const xRow = xBatch + ih * inW * inC;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * sW - left + kw * dW;
            if (iw < 0 || iw >= inW) continue;
            const xo = xRow + iw * inC;
            const co = rowBase + (kh * kW + kw) * inC;
            for (let ci = 0; ci < inC; ci++) dx[xo + ci] += dcols[co + ci];
          }
        }
      }
    }
  }
}

/** A copy of batch entries [b0, b0 + nb) of a [B, ...] float32 tensor whose entries have `per` elements. */
function batchRange(backend: WasmBackendLike, t: TensorInfo, b0: number, nb: number, per: number, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).set(f32(backend, t).subarray(b0 * per, (b0 + nb) * per));
  return out;
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** `Conv2DBackpropFilter` for 'wasm': inputs x, dy; attrs strides, pad, dataFormat, dimRoundingMode, filterShape. */
function conv2DBackpropFilter(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as {
    strides: [number, number] | number;
    pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(x.shape as never, filterShape, strides, 1, pad, dimRoundingMode, false, format);
  const g = geometry(info);
  const nchw = format === 'channelsFirst';
  const xs = nchw ? runStock(backend, 'Transpose', { x }, { perm: TO_NHWC }) : x;
  const dys = nchw ? runStock(backend, 'Transpose', { x: dy }, { perm: TO_NHWC }) : dy;
  const K = g.kH * g.kW * g.inC;
  const total = new Float64Array(K * g.outC);
  const nbMax = chunkSize(g);
  const single = nbMax >= g.batch;
  let out: TensorInfo | null = null;
  try {
    for (let b0 = 0; b0 < g.batch; b0 += nbMax) {
      const nb = Math.min(nbMax, g.batch - b0);
      const P = nb * g.outH * g.outW;
      const colsT = backend.makeOutput([1, K, P], 'float32');
      const dyChunk = single ? view(dys, [1, P, g.outC]) : batchRange(backend, dys, b0, nb, g.outH * g.outW * g.outC, [1, P, g.outC]);
      im2colTransposed(f32(backend, xs), g, b0, nb, f32(backend, colsT));
      const dw = wasmMatMul(backend, colsT, dyChunk);
      if (single) {
        out = dw;
      } else {
        const v = f32(backend, dw);
        for (let i = 0; i < v.length; i++) total[i] += v[i];
        disposeAll(backend, dw, dyChunk);
      }
      disposeAll(backend, colsT);
    }
    if (out) return { dataId: out.dataId, shape: [...filterShape], dtype: 'float32' };
    const res = backend.makeOutput([...filterShape], 'float32');
    f32(backend, res).set(total);
    return res;
  } finally {
    if (nchw) disposeAll(backend, xs, dys);
  }
}

/**
 * dx for stride 1 as a convolution: dx[ih, iw, ci] = Σ dy[ih + top − kh, iw + left − kw, co] · w[kh, kw, ci, co]
 * is a correlation of dy with w'[kh', kw', co, ci] = w[KH−1−kh', KW−1−kw', ci, co], padded by KH−1−top above
 * and KH−1−bottom below (likewise for columns). Returns null when a padding would be negative.
 */
function inputGradByConv(
  backend: WasmBackendLike,
  dys: TensorInfo,
  filter: TensorInfo,
  g: Geometry,
  bottom: number,
  right: number,
): TensorInfo | null {
  const { kH, kW, inC, outC, top, left } = g;
  const pads = [kH - 1 - top, kH - 1 - bottom, kW - 1 - left, kW - 1 - right];
  if (pads.some((p) => p < 0)) return null;
  const w2 = backend.makeOutput([kH, kW, outC, inC], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, w2);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const so = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * inC * outC;
      const dOff = (kh * kW + kw) * outC * inC;
      for (let ci = 0; ci < inC; ci++) for (let co = 0; co < outC; co++) dst[dOff + co * inC + ci] = src[so + ci * outC + co];
    }
  }
  try {
    return runStock(backend, 'Conv2D', { x: dys, filter: w2 }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [pads[0], pads[1]],
        [pads[2], pads[3]],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap);
  } finally {
    disposeAll(backend, w2);
  }
}

/** `Conv2DBackpropInput` for 'wasm': inputs dy, filter; attrs strides, pad, dataFormat, dimRoundingMode, inputShape. */
function conv2DBackpropInput(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as {
    strides: [number, number] | number;
    pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as never, strides, 1, pad, dimRoundingMode, false, format);
  const g = geometry(info);
  const nchw = format === 'channelsFirst';
  const dys = nchw ? runStock(backend, 'Transpose', { x: dy }, { perm: TO_NHWC }) : dy;
  if (g.sH === 1 && g.sW === 1) {
    const byConv = inputGradByConv(backend, dys, filter, g, info.padInfo.bottom, info.padInfo.right);
    if (byConv) {
      if (nchw) disposeAll(backend, dys);
      if (!nchw) return byConv;
      const res = runStock(backend, 'Transpose', { x: byConv }, { perm: TO_NCHW });
      disposeAll(backend, byConv);
      return res;
    }
  }
  const K = g.kH * g.kW * g.inC;
  const nbMax = chunkSize(g);
  const dx = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
  f32(backend, dx).fill(0);
  try {
    for (let b0 = 0; b0 < g.batch; b0 += nbMax) {
      const nb = Math.min(nbMax, g.batch - b0);
      const P = nb * g.outH * g.outW;
      const dyChunk =
        nb === g.batch ? view(dys, [1, P, g.outC]) : batchRange(backend, dys, b0, nb, g.outH * g.outW * g.outC, [1, P, g.outC]);
      const dcols = wasmMatMul(backend, dyChunk, view(filter, [1, K, g.outC]), false, true);
      col2imAdd(f32(backend, dcols), g, b0, nb, f32(backend, dx));
      disposeAll(backend, dcols, nb === g.batch ? null : dyChunk);
    }
  } finally {
    if (nchw) disposeAll(backend, dys);
  }
  if (!nchw) return dx;
  const res = runStock(backend, 'Transpose', { x: dx }, { perm: TO_NCHW });
  disposeAll(backend, dx);
  return res;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as never,
};

/** Replaces the package's `Conv2DBackpropInput` (its set-up is kept: nothing else calls it then). */
export function conv2DBackpropInputConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: conv2DBackpropInput as never };
}
