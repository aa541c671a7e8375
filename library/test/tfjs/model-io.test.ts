import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ModelFormatError, loadModel, saveModel } from '../../src/tfjs/model-io.js';

const work = mkdtempSync(join(tmpdir(), 'tansaku-model-io-'));

before(async () => {
  await tf.setBackend('cpu');
});
after(() => {
  tf.disposeVariables();
});

/** Every layer's weights perturbed from their initial values, so that a round trip that drops or reorders them shows. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  let i = 0;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    layer.setWeights(weights.map((w) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed + i++)));
  }
}

async function roundTrip(model: tf.LayersModel, input: tf.Tensor, name: string): Promise<tf.LayersModel> {
  randomizeWeights(model, 7);
  const dir = join(work, name);
  await saveModel(model, dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['./group1-shard1of1.bin']);
  const loaded = await loadModel(dir);
  assert.deepEqual(
    loaded.layers.map((l) => l.getClassName()),
    model.layers.map((l) => l.getClassName()),
  );
  const before = model.getWeights();
  const afterLoad = loaded.getWeights();
  assert.equal(afterLoad.length, before.length);
  for (let k = 0; k < before.length; k++) assert.deepEqual(afterLoad[k].dataSync(), before[k].dataSync(), `weight ${k} of ${name}`);
  const expected = (model.predict(input) as tf.Tensor).dataSync();
  const got = (loaded.predict(input) as tf.Tensor).dataSync();
  assert.deepEqual(got, expected, `${name}: the loaded model computes what the saved one did`);
  return loaded;
}

describe('saveModel and loadModel', () => {
  it('round-trip a CNN of every supported layer kind: weights and outputs equal', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    await roundTrip(model, tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 3), 'cnn');
  });

  it('round-trip a functional model with a residual Add, a Concatenate and global pooling', async () => {
    const input = tf.input({ shape: [8, 8, 4] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization().apply(a) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([bn, input]) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(sum) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([sum, b]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(cat) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    await roundTrip(model, tf.randomNormal([3, 8, 8, 4], 0, 1, 'float32', 5), 'functional');
  });

  it('replaces an existing model in one rename and leaves no temporary directory', async () => {
    const dir = join(work, 'replace');
    const first = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    await saveModel(first, dir);
    const second = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 })] });
    await saveModel(second, dir);
    const loaded = await loadModel(dir);
    assert.deepEqual(loaded.outputs[0].shape, [null, 4]);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.startsWith('.replace')),
      [],
    );
  });

  it('keeps the old model when a save fails midway', async () => {
    const dir = join(work, 'kept');
    await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] }), dir);
    const failing = {
      layers: [],
      save: async () => {
        throw new Error('disk gone');
      },
    } as unknown as tf.LayersModel;
    await assert.rejects(saveModel(failing, dir), /disk gone/);
    assert.deepEqual((await loadModel(dir)).outputs[0].shape, [null, 2]);
    assert.deepEqual(
      readdirSync(work).filter((f) => f.startsWith('.kept')),
      [],
    );
  });

  it('loads a registered custom layer', async () => {
    class Scale extends tf.layers.Layer {
      static className = 'TansakuTestScale';
      private readonly factor: number;
      constructor(config: { factor: number }) {
        super({});
        this.factor = config.factor;
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.factor);
      }
      override getConfig(): tf.serialization.ConfigDict {
        return { ...super.getConfig(), factor: this.factor };
      }
    }
    tf.serialization.registerClass(Scale);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 }), new Scale({ factor: 3 })] });
    const loaded = await roundTrip(model, tf.tensor2d([[1, 2]]), 'custom');
    assert.equal(loaded.layers[1].getClassName(), 'TansakuTestScale');
  });

  it("reads tfjs-node's layout (weights.bin) and the converter's split shards", async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 7 }), tf.layers.dense({ units: 2 })] });
    randomizeWeights(model, 11);
    const dir = join(work, 'layouts');
    await saveModel(model, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
    const x = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
    const expected = (model.predict(x) as tf.Tensor).dataSync();

    // tfjs-node's file:// handler: one shard named weights.bin, a path without "./".
    const node = join(work, 'layout-node');
    mkdirSync(node);
    writeFileSync(join(node, 'weights.bin'), bytes);
    writeFileSync(
      join(node, 'model.json'),
      JSON.stringify({ ...json, weightsManifest: [{ paths: ['weights.bin'], weights: json.weightsManifest[0].weights }] }),
    );
    assert.deepEqual(((await loadModel(node)).predict(x) as tf.Tensor).dataSync(), expected);

    // tensorflowjs_converter: shards of a fixed size, the weights split across file boundaries.
    const converter = join(work, 'layout-converter');
    mkdirSync(converter);
    const cut = 37; // not a multiple of 4: a float is split between the two files
    writeFileSync(join(converter, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
    writeFileSync(join(converter, 'group1-shard2of2.bin'), bytes.subarray(cut));
    writeFileSync(
      join(converter, 'model.json'),
      JSON.stringify({
        ...json,
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: json.weightsManifest[0].weights }],
      }),
    );
    assert.deepEqual(((await loadModel(join(converter, 'model.json'))).predict(x) as tf.Tensor).dataSync(), expected);
  });

  it('refuses a graph model, a missing or torn shard and bad arguments, by name', async () => {
    const graph = join(work, 'graph');
    await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), graph);
    const json = JSON.parse(readFileSync(join(graph, 'model.json'), 'utf8'));
    writeFileSync(join(graph, 'model.json'), JSON.stringify({ ...json, format: 'graph-model' }));
    await assert.rejects(
      loadModel(graph),
      (e: unknown) => e instanceof ModelFormatError && e.code === 'TANSAKU_MODEL_FORMAT' && /graph model/.test(e.message),
    );

    const torn = join(work, 'torn');
    await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] }), torn);
    truncateSync(join(torn, 'group1-shard1of1.bin'), 10);
    await assert.rejects(loadModel(torn), /the weight shards hold 10 bytes, the manifest describes 36/);

    const missing = join(work, 'missing');
    await saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] }), missing);
    writeFileSync(
      join(missing, 'model.json'),
      readFileSync(join(missing, 'model.json'), 'utf8').replace('group1-shard1of1', 'group1-shard9of9'),
    );
    await assert.rejects(loadModel(missing), /names the weight shard \.\/group1-shard9of9\.bin, which is missing/);

    await assert.rejects(loadModel(join(work, 'nowhere')), /no model\.json in .*nowhere/);
    await assert.rejects(saveModel({} as tf.LayersModel, join(work, 'x')), /model must be a tf\.LayersModel/);
    await assert.rejects(
      saveModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), ''),
      /dir must be a directory path/,
    );
    assert.equal(existsSync(join(work, 'x')), false, 'nothing written for a bad model');
  });
});
