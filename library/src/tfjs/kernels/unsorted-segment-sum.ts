/**
 * `UnsortedSegmentSum` for the wasm backend (absent from tfjs-backend-wasm 4.22; the gradient of
 * `gather`, hence of embedding layers, needs it), in TypeScript over the wasm heap.
 *
 * x has shape [...S, ...R] where S is segmentIds' shape; out[s, ...R] = Σ over positions i with
 * segmentIds[i] = s of x[i, ...R], for s in [0, numSegments). Ids outside that range are skipped, as in
 * the cpu backend (tfjs-backend-cpu/src/kernels/UnsortedSegmentSum.ts, the spec it is tested against).
 * float32 sums are kept in float64 and rounded once; int32 sums wrap like the cpu backend's int32 output.
 */
import { util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { f32, i32, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

function unsortedSegmentSum(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm: unsupported dtype ${x.dtype}`);
  const idsShape = segmentIds.shape;
  util.assert(
    idsShape.every((d, i) => d === x.shape[i]),
    () => `UnsortedSegmentSum: segmentIds shape ${idsShape} must be a prefix of x's shape ${x.shape}`,
  );
  const rest = x.shape.slice(idsShape.length);
  const inner = util.sizeFromShape(rest);
  const n = util.sizeFromShape(idsShape);
  const outShape = [numSegments, ...rest];
  const out = backend.makeOutput(outShape, x.dtype);
  const acc = new Float64Array(numSegments * inner);
  const ids = segmentIds.dtype === 'int32' ? i32(backend, segmentIds) : f32(backend, segmentIds);
  const xv = x.dtype === 'int32' ? i32(backend, x) : f32(backend, x);
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j] += xv[src + j];
  }
  if (x.dtype === 'int32') i32(backend, out).set(acc);
  else f32(backend, out).set(acc);
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as never,
};
