/**
 * Gradients of a depthwise 2-D convolution on the wasm backend (absent from tfjs-backend-wasm 4.22),
 * written in TypeScript over the wasm heap.
 *
 * With x [B, H, W, C], a filter w [KH, KW, C, M] (M = channel multiplier) and dy [B, OH, OW, C·M]:
 *   y[b, oh, ow, c·M + m] = Σ_{kh, kw} x[b, oh·sh − top + kh·dh, ow·sw − left + kw·dw, c] · w[kh, kw, c, m]
 * so, for every (b, oh, ow, kh, kw) whose input pixel lies inside the image,
 *   dx[b, ih, iw, c]  += Σ_m dy[b, oh, ow, c·M + m] · w[kh, kw, c, m]
 *   dw[kh, kw, c, m] += x[b, ih, iw, c] · dy[b, oh, ow, c·M + m]
 * The loops run in that order, so the innermost loop walks C·M contiguous values. Sums are kept in
 * float64 and rounded once, like the cpu backend's kernels (tfjs-backend-cpu/src/kernels/
 * DepthwiseConv2dNativeBackpropInput.ts and ...BackpropFilter.ts, the spec these are tested against).
 * Dilations are supported (the gradient ops of tfjs 4.22 only ask for dilation 1).
 */
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { f32, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Calls `body(xo, yo, wo)` with the offsets of x, dy and w for every tap inside the image. */
function forEachTap(info: backend_util.Conv2DInfo, mult: number, body: (xo: number, yo: number, wo: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const outC = inChannels * mult;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const yo = ((b * outHeight + oh) * outWidth + ow) * outC;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - top + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - left + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            body(((b * inHeight + ih) * inWidth + iw) * inChannels, yo, (kh * filterWidth + kw) * outC);
          }
        }
      }
    }
  }
}

/** `DepthwiseConv2dNativeBackpropInput`: inputs dy, filter; attrs strides, dilations, pad, dimRoundingMode, inputShape. */
function depthwiseBackpropInput(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as never, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const C = info.inChannels;
  const M = info.outChannels / C;
  const acc = new Float64Array(info.batchSize * info.inHeight * info.inWidth * C);
  const out = backend.makeOutput([...a.inputShape], 'float32');
  const dyv = f32(backend, dy);
  const wv = f32(backend, filter);
  if (M === 1) {
    forEachTap(info, M, (xo, yo, wo) => {
      for (let c = 0; c < C; c++) acc[xo + c] += dyv[yo + c] * wv[wo + c];
    });
  } else {
    forEachTap(info, M, (xo, yo, wo) => {
      for (let c = 0; c < C; c++) {
        let s = 0;
        const base = c * M;
        for (let m = 0; m < M; m++) s += dyv[yo + base + m] * wv[wo + base + m];
        acc[xo + c] += s;
      }
    });
  }
  f32(backend, out).set(acc);
  return out;
}

/** `DepthwiseConv2dNativeBackpropFilter`: inputs x, dy; attrs strides, dilations, pad, dimRoundingMode, filterShape. */
function depthwiseBackpropFilter(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const info = backend_util.computeConv2DInfo(x.shape as never, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const C = info.inChannels;
  const M = info.outChannels / C;
  const acc = new Float64Array(info.filterHeight * info.filterWidth * C * M);
  const out = backend.makeOutput([...a.filterShape], 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  if (M === 1) {
    forEachTap(info, M, (xo, yo, wo) => {
      for (let c = 0; c < C; c++) acc[wo + c] += xv[xo + c] * dyv[yo + c];
    });
  } else {
    forEachTap(info, M, (xo, yo, wo) => {
      for (let c = 0; c < C; c++) {
        const xval = xv[xo + c];
        const base = c * M;
        for (let m = 0; m < M; m++) acc[wo + base + m] += xval * dyv[yo + base + m];
      }
    });
  }
  f32(backend, out).set(acc);
  return out;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as never,
};

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as never,
};
