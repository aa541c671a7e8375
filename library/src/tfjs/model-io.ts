/**
 * Saving and loading TensorFlow.js layers models on the file system in Node, without tfjs-node.
 *
 * The directory holds TF.js's layers format, the one `model.save('file://…')` of tfjs-node and
 * `tensorflowjs_converter --output_format tfjs_layers_model` write: `model.json` (the Keras topology,
 * `format: "layers-model"`, and a `weightsManifest` naming the shard files and each weight's name,
 * shape and dtype) beside `group1-shard1of1.bin` (the weights, little-endian, in manifest order).
 * Saving writes everything into a temporary directory next to the target and renames it into place,
 * so `dir` never holds a half-written model; an existing model in `dir` is replaced (moved aside to a
 * hidden sibling first, deleted once the new one is in place: a crash in that instant leaves the old
 * model in the hidden `.<name>.saving-…` sibling). Custom layers load when their classes are
 * registered with `tf.serialization.registerClass` before `loadModel`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { loadModel, saveModel } from 'tansaku/tfjs';
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
 * await saveModel(model, 'models/tiny');          // models/tiny/model.json + group1-shard1of1.bin
 * const again = await loadModel('models/tiny');   // a tf.LayersModel with the same weights
 * ```
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, TansakuError, describeValue } from '../core/errors.js';

/** A model directory that cannot be read as a TF.js layers model (missing files, another format, torn weights). */
export class ModelFormatError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_MODEL_FORMAT', message);
  }
}

const MODEL_JSON = 'model.json';
const SHARD = 'group1-shard1of1.bin';

let saveCounter = 0;

/** Buffers (TF.js's weight data, shard files) as one, in order. */
function concatenated(parts: ReadonlyArray<ArrayBuffer | Uint8Array>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p instanceof Uint8Array ? p : new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * Saves `model` to the directory `dir` in TF.js's layers format (model.json + one weight shard),
 * atomically: the files are written to a temporary directory beside `dir`, then renamed into place.
 * Refuses anything but a `tf.LayersModel` (a graph model cannot be saved in this format).
 * @example await saveModel(model, 'out/pruned')
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.trim() === '')
    throw new InvalidArgumentError(`saveModel: dir must be a directory path, got ${describeValue(dir)}`);
  if (model === null || typeof model !== 'object' || typeof (model as { save?: unknown }).save !== 'function' || !('layers' in model)) {
    throw new InvalidArgumentError(`saveModel: model must be a tf.LayersModel (tf.sequential or tf.model), got ${describeValue(model)}`);
  }
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new InvalidArgumentError(`saveModel: ${target} exists and is not a directory`);
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const temporary = join(parent, `.${basename(target)}.saving-${process.pid}-${++saveCounter}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary);
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        if (artifacts.modelTopology instanceof ArrayBuffer) {
          throw new InvalidArgumentError('saveModel: the model gave a binary topology (a graph model); only layers models are saved');
        }
        // One buffer or a list of them, depending on the TF.js version.
        const data = artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined;
        const weights = concatenated(data === undefined ? [] : Array.isArray(data) ? data : [data]);
        const json = {
          format: 'layers-model',
          generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
          weightsManifest: [{ paths: [`./${SHARD}`], weights: artifacts.weightSpecs ?? [] }],
          ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        };
        await writeFile(join(temporary, SHARD), weights);
        await writeFile(join(temporary, MODEL_JSON), `${JSON.stringify(json)}\n`);
        return {
          modelArtifactsInfo: {
            dateSaved: new Date(),
            modelTopologyType: 'JSON',
            modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
            weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
            weightDataBytes: weights.byteLength,
          },
        };
      }),
    );
    // Replace an older model: move it aside first, so that `target` is never half-written.
    const old = existsSync(target) ? `${temporary}.old` : null;
    if (old) await rename(target, old);
    await rename(temporary, target);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(temporary, { recursive: true, force: true });
    throw e;
  }
}

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/**
 * Loads a TF.js layers model from `dir` (its model.json and the weight shards it names), as written by
 * {@link saveModel}, tfjs-node's `model.save('file://…')` or `tensorflowjs_converter`. A graph model
 * (`format: "graph-model"`) is refused by name: it has no layers to train or prune.
 * @example const model = await loadModel('out/pruned'); model.predict(x)
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  if (typeof dir !== 'string' || dir.trim() === '')
    throw new InvalidArgumentError(`loadModel: dir must be a directory path, got ${describeValue(dir)}`);
  const root = resolve(dir);
  const path = root.endsWith('.json') ? root : join(root, MODEL_JSON);
  const base = dirname(path);
  if (!existsSync(path))
    throw new ModelFormatError(
      `loadModel: no ${basename(path)} in ${base} (expected a TF.js layers model: model.json and its weight shards)`,
    );
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFormatError(`loadModel: ${path} is not JSON: ${(e as Error).message}`);
  }
  if (json.format === 'graph-model') {
    throw new ModelFormatError(
      `loadModel: ${path} is a TF.js graph model (format "graph-model"); only layers models ("layers-model") can be loaded, trained and pruned`,
    );
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ModelFormatError(`loadModel: ${path} has format ${describeValue(json.format)}; expected "layers-model"`);
  }
  if (json.modelTopology === null || typeof json.modelTopology !== 'object') {
    throw new ModelFormatError(`loadModel: ${path} has no modelTopology (expected a TF.js layers model)`);
  }
  const manifest = (json.weightsManifest ?? []) as ManifestGroup[];
  if (!Array.isArray(manifest)) throw new ModelFormatError(`loadModel: ${path}: weightsManifest must be a list of shard groups`);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new ModelFormatError(`loadModel: ${path}: each weightsManifest entry needs "paths" and "weights" lists`);
    }
    for (const w of group.weights) {
      if ((w as { quantization?: unknown }).quantization !== undefined) {
        throw new ModelFormatError(
          `loadModel: ${path}: weight ${describeValue(w.name)} is quantized by the converter; only unquantized weights are read`,
        );
      }
    }
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) {
      const file = resolve(base, shard);
      if (!existsSync(file)) throw new ModelFormatError(`loadModel: ${path} names the weight shard ${shard}, which is missing`);
      buffers.push(await readFile(file));
    }
  }
  const bytes = concatenated(buffers);
  const expected = weightSpecs.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1) * bytesPerElement(w.dtype, path), 0);
  if (expected !== bytes.byteLength) {
    throw new ModelFormatError(`loadModel: ${path}: the weight shards hold ${bytes.byteLength} bytes, the manifest describes ${expected}`);
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as object,
      weightSpecs,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      ...(json.trainingConfig ? { trainingConfig: json.trainingConfig as tf.io.TrainingConfig } : {}),
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, unknown> } : {}),
    }),
  );
}

function bytesPerElement(dtype: string, path: string): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    default:
      // Quantized or compressed weights (converter options) are not read here.
      throw new ModelFormatError(`loadModel: ${path}: weights of dtype ${describeValue(dtype)} are not supported (float32, int32, bool)`);
  }
}
