/**
 * Pooling gradients for the wasm backend, replacing the package's `MaxPoolGrad` and `AvgPoolGrad`
 * (scalar loops over every input pixel and every window that may cover it), in TypeScript over the wasm
 * heap. Each output window is visited once and its gradient scattered to the input, with the channel
 * loop innermost (channels are contiguous in NHWC), so the work is O(output · window · channels).
 *
 * Semantics are the cpu backend's (tfjs-backend-cpu/src/kernels/MaxPoolGrad.ts, AvgPoolGrad.ts and
 * utils/pool_utils.ts `maxPoolPositions`), which the tests compare against:
 * - max: the whole dy of a window goes to the first strictly largest input inside the image (row-major
 *   window order), NaNs never win;
 * - average: every input inside the image gets dy / (filterHeight · filterWidth), the padded positions
 *   counting in the divisor, as in tfjs's gradient.
 */
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { f32, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(xShape: number[], a: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
}

/** `MaxPoolGrad`: inputs dy, input (x), output (unused); attrs filterSize, strides, pad, dimRoundingMode. */
function maxPoolGrad(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput([...input.shape], 'float32');
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  out.fill(0);
  const rowStride = inWidth * C;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = Math.max(0, oh * strideHeight - top);
      const r1 = Math.min(inHeight, oh * strideHeight - top + fh);
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = Math.max(0, ow * strideWidth - left);
        const c1 = Math.min(inWidth, ow * strideWidth - left + fw);
        const go = ((b * outHeight + oh) * outWidth + ow) * C;
        for (let ch = 0; ch < C; ch++) {
          let best = -Infinity;
          let pos = -1;
          for (let r = r0; r < r1; r++) {
            const rowBase = xb + r * rowStride + ch;
            for (let c = c0; c < c1; c++) {
              const o = rowBase + c * C;
              const v = x[o];
              if (v > best) {
                best = v;
                pos = o;
              }
            }
          }
          if (pos >= 0) out[pos] += g[go + ch];
        }
      }
    }
  }
  return dx;
}

/** `AvgPoolGrad`: inputs dy, input (x); attrs filterSize, strides, pad. */
function avgPoolGrad(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const mult = 1 / (info.filterHeight * info.filterWidth);
  const dx = backend.makeOutput([...input.shape], 'float32');
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  out.fill(0);
  const scaled = new Float32Array(C);
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * C;
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = Math.max(0, oh * strideHeight - top);
      const r1 = Math.min(inHeight, oh * strideHeight - top + fh);
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = Math.max(0, ow * strideWidth - left);
        const c1 = Math.min(inWidth, ow * strideWidth - left + fw);
        const go = ((b * outHeight + oh) * outWidth + ow) * C;
        for (let ch = 0; ch < C; ch++) scaled[ch] = g[go + ch] * mult;
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) {
            const o = xb + (r * inWidth + c) * C;
            for (let ch = 0; ch < C; ch++) out[o + ch] += scaled[ch];
          }
        }
      }
    }
  }
  return dx;
}

/** Replaces the package's `MaxPoolGrad`. */
export function maxPoolGradConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'MaxPoolGrad', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: maxPoolGrad as never };
}

/** Replaces the package's `AvgPoolGrad`. */
export function avgPoolGradConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'AvgPoolGrad', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: avgPoolGrad as never };
}
