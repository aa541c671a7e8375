/**
 * `Identity` for the wasm backend without a copy. The package's kernel copies the whole tensor; the
 * engine calls it for every `clone`, `keep` of a saved gradient input and variable read in training.
 * Tensor data on the wasm backend is never written after a kernel made it (a variable's `assign` swaps
 * its data for a new buffer), so, like the cpu backend's Identity and the wasm backend's own `Reshape`,
 * the output shares the input's buffer by reference count. Strings keep the package's kernel.
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { runStock, type KernelInputs, type WasmBackendLike } from './wasm-util.js';

function identity(args: { inputs: KernelInputs; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runStock(backend, 'Identity', args.inputs, args.attrs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Replaces the package's `Identity`. */
export function identityConfig(stock: KernelConfig): KernelConfig {
  return { kernelName: 'Identity', backendName: 'wasm', setupFunc: stock.setupFunc, kernelFunc: identity as never };
}
