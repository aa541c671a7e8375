/**
 * A training-ready WebAssembly backend for TensorFlow.js in Node, with no native binary.
 *
 * `@tensorflow/tfjs-node` downloads a native library at install time; `@tensorflow/tfjs-backend-wasm`
 * ships its .wasm files in the package and multiplies matrices with XNNPACK, but (4.22) lacks kernels
 * that training needs and falls to a slow scalar loop for transposed matrix products, which every
 * backward pass uses. {@link useTrainingWasmBackend} starts the wasm backend in Node and registers, with
 * tfjs's public kernel registry, the kernels below (for 'wasm' only: other backends are untouched):
 *
 * Missing kernels, added (found by training an MLP, a CNN with depthwise/separable convolutions and
 * pooling, and a small ResNet with batch norm on wasm, and by the gradient of `gather`):
 * - `Conv2DBackpropFilter` (im2col + XNNPACK matrix product), `DepthwiseConv2dNativeBackpropInput`,
 *   `DepthwiseConv2dNativeBackpropFilter`, `UnsortedSegmentSum` (TypeScript over the wasm heap).
 *
 * Slow paths, replaced (the package's kernel is kept and still called where it is fast), each measured
 * with bench/training/kernels.ts and profile.ts (CPU time per kernel):
 * - `BatchMatMul` and `_FusedMatMul` with transposed operands or batches: explicit transpose, then one
 *   XNNPACK product (the package's own loop ran these at well under 1 GFLOP/s; 5-13x faster on the MLP's
 *   backward products);
 * - `Conv2DBackpropInput`: stride 1 as the package's XNNPACK `Conv2D` of dy with the flipped filter,
 *   otherwise a product + col2im (the package's is a scalar loop; 6x faster on the CNN's second layer);
 * - `MaxPoolGrad`, `AvgPoolGrad`: one pass over the output windows (about 4x faster);
 * - `Identity`: shares the input's buffer instead of copying it (as the cpu backend does).
 *
 * `unregisterWasmTrainingKernels()` restores the package's own kernels (used by the benchmark's "before"
 * column and by tests).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import {
  engine,
  env,
  getBackend,
  getKernel,
  registerKernel,
  setBackend,
  tensor2d,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs';
import { captureStock } from './kernels/wasm-util.js';
import { batchMatMulConfig, fusedMatMulConfig } from './kernels/matmul.js';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './kernels/conv2d-backprop.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './kernels/depthwise-backprop.js';
import { unsortedSegmentSumConfig } from './kernels/unsorted-segment-sum.js';
import { avgPoolGradConfig, maxPoolGradConfig } from './kernels/pool-grad.js';
import { identityConfig } from './kernels/identity.js';

/** Kernels the wasm package lacks; registered only where the installed package still lacks them. */
const MISSING: Record<string, () => KernelConfig> = {
  Conv2DBackpropFilter: () => conv2DBackpropFilterConfig,
  DepthwiseConv2dNativeBackpropInput: () => depthwiseBackpropInputConfig,
  DepthwiseConv2dNativeBackpropFilter: () => depthwiseBackpropFilterConfig,
  UnsortedSegmentSum: () => unsortedSegmentSumConfig,
};

/** The package's kernels that Tansaku replaces with faster ones (each still calls the original). */
const REPLACED: Record<string, (stock: KernelConfig) => KernelConfig> = {
  BatchMatMul: batchMatMulConfig,
  _FusedMatMul: fusedMatMulConfig,
  Conv2DBackpropInput: conv2DBackpropInputConfig,
  MaxPoolGrad: maxPoolGradConfig,
  AvgPoolGrad: avgPoolGradConfig,
  Identity: identityConfig,
};

/** The kernel names {@link registerWasmTrainingKernels} may add or replace, for documentation and tests. */
export const WASM_TRAINING_KERNELS: { readonly added: readonly string[]; readonly replaced: readonly string[] } = {
  added: Object.keys(MISSING),
  replaced: Object.keys(REPLACED),
};

export interface RegisterWasmTrainingKernelsOptions {
  /** Add the kernels the package lacks. Default true. */
  missing?: boolean;
  /** Replace the package's slow kernels with faster ones. Default true. */
  fastPaths?: boolean;
}

export interface RegisteredWasmKernels {
  /** Kernels added for 'wasm' (the package had none). */
  added: string[];
  /** The package's kernels replaced by Tansaku's. */
  replaced: string[];
}

/** What this module registered (so a second call does nothing and unregistering restores exactly). */
const state: { added: Set<string>; replaced: Map<string, KernelConfig> } = { added: new Set(), replaced: new Map() };

/** Calls the set-up of newly registered kernels when the wasm backend is already running. */
function setupIfRunning(configs: KernelConfig[]): void {
  const backend = engine().registry.wasm;
  if (!backend) return;
  for (const c of configs) c.setupFunc?.(backend);
}

/**
 * Registers the training kernels for the 'wasm' backend with tfjs's kernel registry (idempotent). Needs
 * `@tensorflow/tfjs-backend-wasm` imported (its kernels registered); the backend itself may start before
 * or after. Returns what this call added or replaced.
 */
export function registerWasmTrainingKernels(options: RegisterWasmTrainingKernelsOptions = {}): RegisteredWasmKernels {
  const { missing = true, fastPaths = true } = options;
  if (!getKernel('BatchMatMul', 'wasm')) {
    throw new Error("tansaku/tfjs: the 'wasm' backend's kernels are not registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  const result: RegisteredWasmKernels = { added: [], replaced: [] };
  const fresh: KernelConfig[] = [];
  if (missing) {
    for (const [name, make] of Object.entries(MISSING)) {
      if (state.added.has(name) || getKernel(name, 'wasm')) continue;
      const config = make();
      registerKernel(config);
      state.added.add(name);
      result.added.push(name);
      fresh.push(config);
    }
  }
  if (fastPaths) {
    for (const [name, make] of Object.entries(REPLACED)) {
      if (state.replaced.has(name)) continue;
      const stock = captureStock(name);
      if (!stock) continue;
      // Capture every kernel the replacements call before any replacement happens.
      for (const dep of ['Transpose', 'BatchMatMul', '_FusedMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Identity']) captureStock(dep);
      const config = make(stock);
      unregisterKernel(name, 'wasm');
      registerKernel(config);
      state.replaced.set(name, stock);
      result.replaced.push(name);
      fresh.push(config);
    }
  }
  setupIfRunning(fresh);
  return result;
}

/** Removes what {@link registerWasmTrainingKernels} registered and puts the package's kernels back. */
export function unregisterWasmTrainingKernels(): void {
  for (const name of state.added) if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  state.added.clear();
  const restored: KernelConfig[] = [];
  for (const [name, stock] of state.replaced) {
    if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
    registerKernel(stock);
    restored.push(stock);
  }
  state.replaced.clear();
  setupIfRunning(restored);
}

/** The kernels currently registered by this module. */
export function registeredWasmTrainingKernels(): RegisteredWasmKernels {
  return { added: [...state.added], replaced: [...state.replaced.keys()] };
}

export interface UseTrainingWasmBackendOptions {
  /**
   * Where the .wasm files are: a directory path (ending in '/') or URL prefix. Default: the `dist/` folder
   * of the installed @tensorflow/tfjs-backend-wasm, found with Node's module resolution.
   */
  wasmPaths?: string;
  /** Use the SIMD build when the runtime supports it. Default true (about 2-3x faster matrix products). */
  simd?: boolean;
  /** Register the training kernels. Default true. */
  kernels?: boolean;
  /** Replace the package's slow kernels (transposed matrix products, ...). Default true. */
  fastPaths?: boolean;
  /**
   * What to do when the wasm backend cannot start: 'cpu' (default) switches to tfjs's cpu backend and
   * reports why in `fallbackReason`; 'throw' throws.
   */
  fallback?: 'cpu' | 'throw';
}

export interface TrainingBackendInfo {
  /** The backend now active. */
  backend: 'wasm' | 'cpu';
  /** Whether the SIMD build runs (false on cpu). */
  simd: boolean;
  /**
   * Threads used by the wasm backend: always 1 in Node. tfjs-backend-wasm 4.22 disables its threaded build
   * in Node (tensorflow/tfjs#3830); forced on, it fails to start its workers from a blob: URL.
   */
  threads: number;
  /** Kernels registered for 'wasm' by this module (all calls so far). */
  kernels: RegisteredWasmKernels;
  /** Why the wasm backend is not used, when `backend` is 'cpu'. */
  fallbackReason?: string;
}

/** Whether the running wasm backend uses the SIMD build (the flag tfjs evaluated when it started). */
function simdInUse(): boolean {
  try {
    return env().getBool('WASM_HAS_SIMD_SUPPORT');
  } catch {
    return false;
  }
}

/** The dist/ folder of the installed wasm package, with a trailing slash. */
function defaultWasmPaths(): string {
  const require = createRequire(import.meta.url);
  return `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;
}

/** Runs `f` while copying what tfjs warns (it logs a failed backend start instead of throwing) into `into`. */
async function withWarningsCaptured<T>(into: string[], f: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    into.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    warn(...args);
  };
  try {
    return await f();
  } finally {
    console.warn = warn;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Starts tfjs's wasm backend in Node with Tansaku's training kernels and makes it the active backend;
 * falls back to the cpu backend (with the reason) when wasm cannot start.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { useTrainingWasmBackend } from 'tansaku/tfjs';
 * const info = await useTrainingWasmBackend();
 * if (info.backend !== 'wasm') console.warn(info.fallbackReason);
 * ```
 */
export async function useTrainingWasmBackend(options: UseTrainingWasmBackendOptions = {}): Promise<TrainingBackendInfo> {
  const { simd = true, kernels = true, fastPaths = true, fallback = 'cpu' } = options;
  let reason: string;
  try {
    let wasmModule: typeof import('@tensorflow/tfjs-backend-wasm');
    try {
      wasmModule = await import('@tensorflow/tfjs-backend-wasm');
    } catch (e) {
      throw new Error(`@tensorflow/tfjs-backend-wasm could not be loaded (npm install @tensorflow/tfjs-backend-wasm@4.22): ${message(e)}`);
    }
    if (engine().registry.wasm == null) {
      // Not started yet: paths and build flags may still be chosen.
      let paths = options.wasmPaths;
      if (paths === undefined) {
        try {
          paths = defaultWasmPaths();
        } catch (e) {
          throw new Error(`cannot locate the .wasm files of @tensorflow/tfjs-backend-wasm: ${message(e)}`);
        }
      }
      // A missing file makes the emscripten loader abort with a message on stderr only: check first.
      if (isAbsolute(paths)) {
        const file = join(paths, simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
        if (!existsSync(file)) throw new Error(`cannot find ${file} (wasmPaths '${paths}')`);
      }
      wasmModule.setWasmPaths(paths);
      if (!simd) env().set('WASM_HAS_SIMD_SUPPORT', false);
      // The threaded build cannot start in Node (see TrainingBackendInfo.threads).
      env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    if (kernels) registerWasmTrainingKernels({ fastPaths });
    const logged: string[] = [];
    const ok = await withWarningsCaptured(logged, () => setBackend('wasm'));
    if (!ok || getBackend() !== 'wasm') {
      throw new Error(`the wasm backend failed to initialize${logged.length ? `: ${logged.join(' ').slice(0, 500)}` : ''}`);
    }
    // A smoke test: a wrong .wasm file or a broken heap shows here, not in the middle of training.
    const t = tensor2d([1, 2, 3, 4], [2, 2]);
    const p = t.matMul(t, true, false);
    const v = p.dataSync();
    t.dispose();
    p.dispose();
    if (v[0] !== 10 || v[3] !== 20) throw new Error(`the wasm backend computed a wrong product (${Array.from(v)})`);
    return {
      backend: 'wasm',
      simd: simdInUse(),
      threads: 1,
      kernels: registeredWasmTrainingKernels(),
    };
  } catch (e) {
    reason = message(e);
  }
  if (fallback === 'throw') throw new Error(`tansaku/tfjs: the wasm backend cannot start: ${reason}`);
  await setBackend('cpu');
  return { backend: 'cpu', simd: false, threads: 1, kernels: registeredWasmTrainingKernels(), fallbackReason: reason };
}
