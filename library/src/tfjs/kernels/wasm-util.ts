/**
 * Helpers shared by the training kernels that Tansaku registers for TensorFlow.js's 'wasm' backend.
 *
 * The kernels are written against the wasm backend's public object shape (the `BackendWasm` class of
 * @tensorflow/tfjs-backend-wasm 4.x): tensors live in the WebAssembly heap at `dataIdMap.get(dataId)
 * .memoryOffset`, `makeOutput` allocates a tensor there, `disposeData` frees one. Only the structural type
 * below is relied on, so this file does not import the wasm package.
 *
 * A heap view (`f32`) is valid only until the next allocation: the heap may grow and detach the old
 * buffer, so kernels allocate every output first and take their views afterwards.
 */
import { getKernel, util, type DataType, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

/** What the kernels use of tfjs-backend-wasm's `BackendWasm`. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[]; dtype: DataType; refCount: number } | undefined };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: unknown): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Inputs as a kernel receives them (by name). */
export type KernelInputs = Record<string, TensorInfo | undefined>;

/**
 * The kernels of the wasm package that Tansaku's kernels call or replace, captured before any replacement,
 * so a replacement can still call the original (e.g. the XNNPACK matrix product behind `BatchMatMul`).
 */
const stockKernels = new Map<string, KernelConfig>();

/** Remembers the package's own kernel `name` for 'wasm' (once; later calls keep the first capture). */
export function captureStock(name: string): KernelConfig | undefined {
  const have = stockKernels.get(name);
  if (have) return have;
  const k = getKernel(name, 'wasm');
  if (k) stockKernels.set(name, k);
  return k;
}

/** The package's own kernel `name` for 'wasm' (captured before a replacement), or the registered one. */
export function stockKernel(name: string): KernelConfig {
  const k = stockKernels.get(name) ?? getKernel(name, 'wasm');
  if (!k) throw new Error(`tansaku/tfjs: the wasm backend has no '${name}' kernel`);
  return k;
}

/** Runs the wasm package's own kernel `name` directly (no tape, no profiling): returns a new TensorInfo. */
export function runStock(backend: WasmBackendLike, name: string, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo {
  const fn = stockKernel(name).kernelFunc as KernelFunc;
  const out = fn({ inputs: inputs as Record<string, TensorInfo>, backend: backend as never, attrs });
  if (Array.isArray(out)) throw new Error(`tansaku/tfjs: kernel '${name}' returned ${out.length} outputs, expected one`);
  return out;
}

/** Frees TensorInfos a kernel made for itself (each one reference). */
export function disposeAll(backend: WasmBackendLike, ...infos: (TensorInfo | null | undefined)[]): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/** A float32 view of a tensor's data in the wasm heap (valid until the next allocation). */
export function f32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tansaku/tfjs: tensor data is not on the wasm backend');
  return new Float32Array(backend.wasm.HEAPU8.buffer, d.memoryOffset, util.sizeFromShape(t.shape));
}

/** An int32 view of a tensor's data in the wasm heap (valid until the next allocation). */
export function i32(backend: WasmBackendLike, t: TensorInfo): Int32Array {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tansaku/tfjs: tensor data is not on the wasm backend');
  return new Int32Array(backend.wasm.HEAPU8.buffer, d.memoryOffset, util.sizeFromShape(t.shape));
}

/** The same data seen with another shape (no copy, no new reference: never dispose the view itself). */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** A new zero-filled float32 tensor on the wasm heap. */
export function zeros(backend: WasmBackendLike, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

/**
 * Writes the transpose of each [rows, cols] matrix of `src` (`batch` of them, row-major) into `dst` as
 * [cols, rows], in 32×32 tiles (about 2 ns per element in V8, against 2–18 ns for the wasm backend's
 * `Transpose`, whose speed depends on the shape).
 */
export function transposeInto(src: Float32Array, dst: Float32Array, batch: number, rows: number, cols: number): void {
  const T = 32;
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(c0 + T, cols);
      for (let r0 = 0; r0 < rows; r0 += T) {
        const r1 = Math.min(r0 + T, rows);
        for (let c = c0; c < c1; c++) {
          const d = base + c * rows;
          for (let r = r0; r < r1; r++) dst[d + r] = src[base + r * cols + c];
        }
      }
    }
  }
}

/** A new tensor holding `x` (seen as [batch, rows, cols]) transposed to [batch, cols, rows]. */
export function transposeLast2(backend: WasmBackendLike, x: TensorInfo, batch: number, rows: number, cols: number): TensorInfo {
  const out = backend.makeOutput([batch, cols, rows], 'float32');
  transposeInto(f32(backend, x), f32(backend, out), batch, rows, cols);
  return out;
}
