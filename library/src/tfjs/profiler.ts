/**
 * A model profiler for TensorFlow.js layers models (`tf.Sequential` and functional `tf.LayersModel`):
 * parameters (trainable and non-trainable) and multiply-accumulate operations (MACs) per layer and in
 * total, for one example's forward pass. The structured-pruning and proxy work uses these counts to
 * state what a network costs.
 *
 * How MACs are counted (per example; multiply by the batch size for a batch):
 * - Layers with weight tensors multiply every input they see by each weight once:
 *   `Dense`: (positions) · in · units, where positions is the product of the output dimensions between
 *   the batch and the last one (1 for a flat input);
 *   `Conv1D`/`Conv2D`/`Conv3D`: output positions · kernel volume · in channels · filters
 *   (e.g. 3x3, 32→64 on 28x28 with `same` padding: 28·28·3·3·32·64);
 *   `DepthwiseConv2D`: output positions · kh · kw · in channels · depth multiplier;
 *   `SeparableConv2D`: the depthwise count plus output positions · in channels · multiplier · filters;
 *   `Conv2DTranspose`: input positions · kernel volume · in · out channels;
 *   `SimpleRNN`/`GRU`/`LSTM` (and `Bidirectional`): timesteps · the size of every 2-D weight matrix
 *   (kernel and recurrent kernel, all gates); `TimeDistributed(layer)`: the inner layer's rule per step.
 * - `BatchNormalization` and `LayerNormalization`: one MAC per output element (at inference the
 *   normalisation folds into one scale and one shift).
 * - Average pooling: one MAC per element read in each window (`AveragePooling*`: output elements ·
 *   pool volume; `GlobalAveragePooling*`: input elements); `Multiply`: (inputs − 1) · output elements.
 * - Bias additions, activations, max pooling, `Add`, `Concatenate`, `Flatten`, `Dropout`, reshapes,
 *   padding and embeddings count 0 MACs.
 * - A layer of another class that holds weights counts 0 MACs and is flagged (`counted: false`).
 * - A layer called several times (shared weights) counts every call; a nested model counts its own layers.
 *
 * FLOPs = 2 · MACs (one multiplication and one addition per MAC). Papers often call MACs "FLOPs"
 * (ResNet-50's "4.1 GFLOPs" are MACs): compare like with like.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { profileModel, formatProfile } from 'tansaku/tfjs';
 * const model = tf.sequential({ layers: [
 *   tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
 *   tf.layers.flatten(), tf.layers.dense({ units: 10 }),
 * ] });
 * const profile = profileModel(model);
 * profile.macs;  // 28·28·3·3·1·32 + 28·28·32·10
 * console.log(formatProfile(profile));
 * ```
 */
import type * as TF from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../core/errors.js';

type Layer = TF.layers.Layer;
type Shape = Array<number | null>;

/** One row of a profile: one layer (a nested model's layers get rows named `outer/inner`). */
export interface LayerProfile {
  /** The layer's name, prefixed by the enclosing models' names for nested models. */
  name: string;
  /** The layer's class, e.g. `Conv2D`. */
  className: string;
  /** Output shape without the batch dimension (of the first call when the layer is called several times). */
  outputShape: number[] | number[][];
  /** How many times the model calls the layer (shared layers: more than 1). */
  calls: number;
  /** Weights the optimizer trains. */
  trainableParams: number;
  /** Weights it does not train (batch-norm moving statistics, frozen layers). */
  nonTrainableParams: number;
  /** trainableParams + nonTrainableParams. */
  params: number;
  /** Multiply-accumulates per example over all calls (see the module documentation for the rules). */
  macs: number;
  /** 2 · macs. */
  flops: number;
  /** False when the layer holds weights but its class has no MAC rule (counted as 0). */
  counted: boolean;
}

/** The profile of a model: rows per layer and totals. */
export interface ModelProfile {
  /** The model's name. */
  name: string;
  layers: LayerProfile[];
  trainableParams: number;
  nonTrainableParams: number;
  /** Total parameters, as `model.countParams()` counts them. */
  params: number;
  /** Multiply-accumulates of one example's forward pass. */
  macs: number;
  /** 2 · macs. */
  flops: number;
}

export interface ProfileOptions {
  /** Include rows for layers with no parameters and no MACs (Flatten, Dropout, Activation, ...). Default true. */
  includeZeroRows?: boolean;
}

interface NodeLike {
  inputShapes: unknown;
  outputShapes: unknown;
  inputTensors: Array<{ sourceLayer: Layer; nodeIndex: number }>;
}

const WEIGHT_RULE_LAYERS = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'DepthwiseConv2D', 'SeparableConv2D', 'SeparableConv1D']);
const TRANSPOSED = new Set(['Conv2DTranspose', 'Conv3DTranspose']);
const RECURRENT = new Set(['SimpleRNN', 'GRU', 'LSTM', 'Bidirectional']);
const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);
const AVERAGE_POOLING = new Set(['AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D']);
const GLOBAL_AVERAGE_POOLING = new Set(['GlobalAveragePooling1D', 'GlobalAveragePooling2D']);
/** Classes with weights whose count is known to be 0 MACs. */
const ZERO_WITH_WEIGHTS = new Set(['Embedding', 'PReLU']);
const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional', 'LayersModel']);

function isModel(layer: Layer): layer is TF.LayersModel {
  return MODEL_CLASSES.has(layer.getClassName()) && Array.isArray((layer as unknown as TF.LayersModel).layers);
}

function prod(values: ReadonlyArray<number>): number {
  return values.reduce((a, b) => a * b, 1);
}

function isShapeList(s: unknown): s is Shape[] {
  return Array.isArray(s) && s.length > 0 && Array.isArray(s[0]);
}

function shapesOf(s: unknown): Shape[] {
  return isShapeList(s) ? s : [s as Shape];
}

/** The shape without its batch dimension, every dimension known (throws naming the layer otherwise). */
function known(shape: Shape, layer: Layer, what: string): number[] {
  const rest = shape.slice(1);
  if (rest.some((d) => d === null || d === undefined || d < 0)) {
    throw new InvalidArgumentError(
      `profileModel: layer "${layer.name}" (${layer.getClassName()}) has an unknown dimension in its ${what} shape [${shape.map((d) => d ?? 'null').join(', ')}]; ` +
        'MACs need fixed sizes: build the model with a complete inputShape',
    );
  }
  return rest as number[];
}

function weightSize(weights: ReadonlyArray<{ shape: Shape }>): number {
  return weights.reduce((sum, w) => sum + prod(w.shape as number[]), 0);
}

/** Sizes of the weight tensors of rank >= 2 (kernels; biases and norm vectors are rank 1). */
function kernelSize(layer: Layer): number {
  return weightSize(layer.weights.filter((w) => w.shape.length >= 2));
}

function channelsFirst(layer: Layer): boolean {
  const config = layer.getConfig() as { dataFormat?: string };
  return config.dataFormat === 'channelsFirst';
}

function spatial(shape: number[], layer: Layer): number[] {
  return channelsFirst(layer) ? shape.slice(1) : shape.slice(0, -1);
}

/** MACs of one call of `layer`, or null when its class has no rule. `rule` is the class deciding the formula. */
function callMacs(layer: Layer, rule: string, inputShapes: Shape[], outputShapes: Shape[]): number | null {
  const out = () => known(outputShapes[0], layer, 'output');
  const inp = () => known(inputShapes[0], layer, 'input');
  if (rule === 'Dense') return prod(out().slice(0, -1)) * kernelSize(layer);
  if (WEIGHT_RULE_LAYERS.has(rule)) return prod(spatial(out(), layer)) * kernelSize(layer);
  if (TRANSPOSED.has(rule)) return prod(spatial(inp(), layer)) * kernelSize(layer);
  if (RECURRENT.has(rule)) return inp()[0] * kernelSize(layer);
  if (NORMALIZATION.has(rule)) return prod(out());
  if (AVERAGE_POOLING.has(rule)) {
    const poolSize = (layer.getConfig() as { poolSize?: number | number[] }).poolSize ?? 2;
    return prod(out()) * prod(Array.isArray(poolSize) ? poolSize : [poolSize]);
  }
  if (GLOBAL_AVERAGE_POOLING.has(rule)) return prod(inp());
  if (rule === 'Multiply') return (inputShapes.length - 1) * prod(out());
  if (layer.weights.length === 0 || ZERO_WITH_WEIGHTS.has(rule)) return 0;
  return null;
}

/** The nodes of `model`'s own graph, per layer: found by walking back from its outputs. */
function graphNodes(model: TF.LayersModel): Map<Layer, NodeLike[]> {
  const byLayer = new Map<Layer, NodeLike[]>();
  const seen = new Set<NodeLike>();
  const stack: Array<{ sourceLayer: Layer; nodeIndex: number }> = [
    ...(model.outputs as unknown as Array<{ sourceLayer: Layer; nodeIndex: number }>),
  ];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex] as unknown as NodeLike | undefined;
    if (!node || seen.has(node)) continue;
    seen.add(node);
    const list = byLayer.get(t.sourceLayer) ?? [];
    list.push(node);
    byLayer.set(t.sourceLayer, list);
    for (const input of node.inputTensors) stack.push(input);
  }
  for (const [layer, list] of byLayer) list.sort((a, b) => layer.inboundNodes.indexOf(a as never) - layer.inboundNodes.indexOf(b as never));
  return byLayer;
}

function profileLayers(model: TF.LayersModel, prefix: string, rows: LayerProfile[], calls: number): void {
  const nodes = graphNodes(model);
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const layerNodes = nodes.get(layer) ?? [];
    const n = Math.max(1, layerNodes.length) * calls;
    const name = prefix + layer.name;
    if (isModel(layer)) {
      profileLayers(layer, `${name}/`, rows, n);
      continue;
    }
    const trainableParams = weightSize(layer.trainableWeights);
    const nonTrainableParams = weightSize(layer.nonTrainableWeights);
    const rule = className === 'TimeDistributed' ? (layer as unknown as { layer: Layer }).layer.getClassName() : className;
    let macs = 0;
    let counted = true;
    for (const node of layerNodes) {
      const m = callMacs(layer, rule, shapesOf(node.inputShapes), shapesOf(node.outputShapes));
      if (m === null) counted = false;
      else macs += m;
    }
    const first = layerNodes[0];
    const outs = first ? shapesOf(first.outputShapes).map((s) => s.slice(1).map((d) => d ?? -1)) : [];
    rows.push({
      name,
      className,
      outputShape: outs.length === 1 ? outs[0] : outs,
      calls: n,
      trainableParams,
      nonTrainableParams,
      params: trainableParams + nonTrainableParams,
      macs: macs * calls,
      flops: 2 * macs * calls,
      counted,
    });
  }
}

/**
 * Counts the parameters and the multiply-accumulates (MACs; FLOPs = 2 · MACs) of every layer of a
 * `tf.Sequential` or functional `tf.LayersModel`, for one example. The model must be built with known
 * input sizes (a spatial dimension of `null` cannot be counted and throws, naming the layer).
 *
 * @example
 * ```ts
 * const p = profileModel(model);
 * console.log(`${p.params} parameters, ${(p.macs / 1e6).toFixed(1)} M MACs per example`);
 * ```
 */
export function profileModel(model: TF.LayersModel, options: ProfileOptions = {}): ModelProfile {
  if (
    !model ||
    typeof (model as { getClassName?: unknown }).getClassName !== 'function' ||
    !Array.isArray((model as { layers?: unknown }).layers)
  ) {
    throw new InvalidArgumentError('profileModel: model must be a tf.LayersModel or tf.Sequential');
  }
  let rows: LayerProfile[] = [];
  profileLayers(model, '', rows, 1);
  // Shared weights are counted once in the totals (a layer listed twice through nested models).
  const totals = { trainableParams: 0, nonTrainableParams: 0 };
  const seenWeights = new Set<number>();
  const visit = (m: TF.LayersModel) => {
    for (const w of m.trainableWeights)
      if (!seenWeights.has(w.id)) {
        seenWeights.add(w.id);
        totals.trainableParams += prod(w.shape as number[]);
      }
    for (const w of m.nonTrainableWeights)
      if (!seenWeights.has(w.id)) {
        seenWeights.add(w.id);
        totals.nonTrainableParams += prod(w.shape as number[]);
      }
  };
  visit(model);
  const macs = rows.reduce((s, r) => s + r.macs, 0);
  if (options.includeZeroRows === false) rows = rows.filter((r) => r.params > 0 || r.macs > 0);
  return {
    name: model.name,
    layers: rows,
    trainableParams: totals.trainableParams,
    nonTrainableParams: totals.nonTrainableParams,
    params: totals.trainableParams + totals.nonTrainableParams,
    macs,
    flops: 2 * macs,
  };
}

/** `1234567` → `1,234,567`. */
function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `14450688` → `14.45 M`. */
export function formatCount(n: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${(n / v).toFixed(2)} ${u}`;
  return String(Math.round(n));
}

/**
 * The profile as a text table: one row per layer (name, class, output shape, trainable and
 * non-trainable parameters, MACs, share of the total MACs), then totals and the FLOPs convention.
 *
 * @example console.log(formatProfile(profileModel(model)));
 */
export function formatProfile(profile: ModelProfile): string {
  const header = ['Layer (type)', 'Output shape', 'Params', 'Non-train.', 'MACs', '% MACs'];
  const body = profile.layers.map((r) => {
    const shape = Array.isArray(r.outputShape[0])
      ? (r.outputShape as number[][]).map((s) => `[${s.join(',')}]`).join(' ')
      : `[${(r.outputShape as number[]).join(',')}]`;
    return [
      `${r.name} (${r.className})${r.calls > 1 ? ` x${r.calls}` : ''}`,
      shape,
      grouped(r.trainableParams),
      grouped(r.nonTrainableParams),
      r.counted ? grouped(r.macs) : `${grouped(r.macs)}?`,
      profile.macs > 0 ? `${((100 * r.macs) / profile.macs).toFixed(1)}%` : '-',
    ];
  });
  const rows = [header, ...body];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c >= 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const out = [`Model: ${profile.name}`, rule, line(header), rule, ...body.map(line), rule];
  out.push(
    `Total params: ${grouped(profile.params)} (trainable ${grouped(profile.trainableParams)}, non-trainable ${grouped(profile.nonTrainableParams)})`,
  );
  out.push(`MACs per example: ${grouped(profile.macs)} (${formatCount(profile.macs)}); FLOPs = 2 x MACs = ${formatCount(profile.flops)}`);
  if (profile.layers.some((r) => !r.counted)) out.push('?: layer class without a MAC rule, counted as 0');
  return out.join('\n');
}
