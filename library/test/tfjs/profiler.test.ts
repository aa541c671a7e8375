import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { formatCount, formatProfile, profileModel, type ModelProfile } from '../../src/tfjs/profiler.js';

before(async () => {
  await tf.setBackend('cpu');
});

function row(p: ModelProfile, className: string, nth = 0) {
  const rows = p.layers.filter((r) => r.className === className);
  assert.ok(rows[nth], `no ${className} row #${nth} in ${p.layers.map((r) => r.className).join(', ')}`);
  return rows[nth];
}

describe('profileModel', () => {
  it('counts a 3x3 convolution 32->64 on 28x28 with same padding as 28*28*3*3*32*64 MACs', () => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 32], filters: 64, kernelSize: 3, padding: 'same' })] });
    const p = profileModel(model);
    const conv = row(p, 'Conv2D');
    assert.equal(conv.macs, 28 * 28 * 3 * 3 * 32 * 64);
    assert.equal(conv.flops, 2 * conv.macs);
    assert.equal(conv.params, 3 * 3 * 32 * 64 + 64);
    assert.deepEqual(conv.outputShape, [28, 28, 64]);
    assert.equal(p.macs, 14_450_688);
    assert.equal(p.flops, 2 * p.macs);
    model.dispose();
  });

  it('counts an MLP as 784*N1 + N1*N2 + N2*10 multiplications', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 64, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    const p = profileModel(model);
    assert.equal(p.macs, 784 * 128 + 128 * 64 + 64 * 10);
    assert.equal(p.params, model.countParams());
    assert.equal(p.trainableParams, p.params);
    assert.equal(row(p, 'Flatten').macs, 0);
    assert.equal(row(p, 'Dropout').params, 0);
    assert.equal(profileModel(model, { includeZeroRows: false }).layers.length, 3);
    model.dispose();
  });

  it('follows the rule of each layer class', () => {
    const cases: Array<[string, () => tf.Sequential, number, number]> = [
      [
        'strided valid conv',
        () => tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, strides: 2 })] }),
        4 * 4 * 3 * 3 * 2 * 4,
        3 * 3 * 2 * 4 + 4,
      ],
      [
        'depthwise',
        () =>
          tf.sequential({
            layers: [tf.layers.depthwiseConv2d({ inputShape: [6, 6, 4], kernelSize: 3, depthMultiplier: 2, padding: 'same' })],
          }),
        6 * 6 * 3 * 3 * 4 * 2,
        3 * 3 * 4 * 2 + 8,
      ],
      [
        'separable',
        () => tf.sequential({ layers: [tf.layers.separableConv2d({ inputShape: [6, 6, 4], kernelSize: 3, filters: 5 })] }),
        4 * 4 * (3 * 3 * 4 + 4 * 5),
        3 * 3 * 4 + 4 * 5 + 5,
      ],
      [
        'transposed conv',
        () => tf.sequential({ layers: [tf.layers.conv2dTranspose({ inputShape: [4, 4, 2], filters: 3, kernelSize: 2, strides: 2 })] }),
        4 * 4 * 2 * 2 * 2 * 3,
        2 * 2 * 2 * 3 + 3,
      ],
      [
        'conv1d',
        () => tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [10, 3], filters: 2, kernelSize: 3 })] }),
        8 * 3 * 3 * 2,
        3 * 3 * 2 + 2,
      ],
      ['dense on sequences', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [5, 8], units: 4 })] }), 5 * 8 * 4, 8 * 4 + 4],
      [
        'time distributed dense',
        () => tf.sequential({ layers: [tf.layers.timeDistributed({ inputShape: [5, 8], layer: tf.layers.dense({ units: 4 }) })] }),
        5 * 8 * 4,
        8 * 4 + 4,
      ],
      [
        'lstm',
        () => tf.sequential({ layers: [tf.layers.lstm({ inputShape: [5, 3], units: 4 })] }),
        5 * (3 * 16 + 4 * 16),
        3 * 16 + 4 * 16 + 16,
      ],
      ['batch norm', () => tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [3, 3, 5] })] }), 3 * 3 * 5, 4 * 5],
      [
        'average pooling',
        () => tf.sequential({ layers: [tf.layers.averagePooling2d({ inputShape: [4, 4, 3], poolSize: 2 })] }),
        2 * 2 * 3 * 4,
        0,
      ],
      [
        'global average pooling',
        () => tf.sequential({ layers: [tf.layers.globalAveragePooling2d({ inputShape: [4, 4, 3] })] }),
        4 * 4 * 3,
        0,
      ],
      ['max pooling', () => tf.sequential({ layers: [tf.layers.maxPooling2d({ inputShape: [4, 4, 3], poolSize: 2 })] }), 0, 0],
      ['activation', () => tf.sequential({ layers: [tf.layers.activation({ inputShape: [7], activation: 'relu' })] }), 0, 0],
      ['embedding', () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4 })] }), 0, 30],
    ];
    for (const [what, build, macs, params] of cases) {
      const model = build();
      const p = profileModel(model);
      assert.equal(p.macs, macs, what);
      assert.equal(p.params, params, what);
      assert.equal(p.params, model.countParams(), what);
      assert.ok(
        p.layers.every((r) => r.counted),
        what,
      );
      model.dispose();
    }
  });

  it('profiles a small ResNet: residual add, batch norm, concatenation, pooling', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const c1 = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    const b1 = tf.layers.batchNormalization().apply(c1) as tf.SymbolicTensor;
    const r1 = tf.layers.reLU().apply(b1) as tf.SymbolicTensor;
    const c2 = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(r1) as tf.SymbolicTensor;
    const b2 = tf.layers.batchNormalization().apply(c2) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([b2, r1]) as tf.SymbolicTensor;
    const r2 = tf.layers.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
    const side = tf.layers.conv2d({ filters: 8, kernelSize: 1 }).apply(r2) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([r2, side]) as tf.SymbolicTensor;
    const pool = tf.layers.averagePooling2d({ poolSize: 2 }).apply(cat) as tf.SymbolicTensor;
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(pool) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(dw) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(gap) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const p = profileModel(model);

    // conv1 27,648 + bn 1,024 + conv2 147,456 + bn 1,024 + 1x1 conv 8,192 + avg pool 1,536
    // + depthwise 3,456 + global average 384 + dense 240
    assert.equal(
      p.macs,
      8 * 8 * 9 * 3 * 16 +
        8 * 8 * 16 +
        8 * 8 * 9 * 16 * 16 +
        8 * 8 * 16 +
        8 * 8 * 16 * 8 +
        4 * 4 * 24 * 4 +
        4 * 4 * 9 * 24 +
        4 * 4 * 24 +
        24 * 10,
    );
    assert.equal(p.macs, 190_960);
    assert.equal(p.params, 3506);
    assert.equal(p.params, model.countParams());
    assert.equal(p.trainableParams, 3442);
    assert.equal(p.nonTrainableParams, 64);
    const bn = row(p, 'BatchNormalization');
    assert.deepEqual([bn.trainableParams, bn.nonTrainableParams, bn.macs], [32, 32, 1024]);
    assert.equal(row(p, 'Add').macs, 0);
    assert.deepEqual(row(p, 'Concatenate').outputShape, [8, 8, 24]);
    assert.equal(
      p.layers.some((r) => r.className === 'InputLayer'),
      false,
    );
    assert.equal(
      p.layers.reduce((s, r) => s + r.params, 0),
      p.params,
    );

    const text = formatProfile(p);
    assert.match(text, /Total params: 3,506 \(trainable 3,442, non-trainable 64\)/);
    assert.match(text, /MACs per example: 190,960 \(190\.96 k\); FLOPs = 2 x MACs = 381\.92 k/);
    assert.match(text, /\(Add\)/);
    model.dispose();
  });

  it('counts every call of a shared layer and the layers of a nested model', () => {
    const input = tf.input({ shape: [4] });
    const shared = tf.layers.dense({ units: 4 });
    const y1 = shared.apply(input) as tf.SymbolicTensor;
    const y2 = shared.apply(y1) as tf.SymbolicTensor;
    const inner = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
    const y3 = inner.apply(tf.layers.add().apply([y1, y2]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(y3) as tf.SymbolicTensor });
    const p = profileModel(model);
    const sharedRow = p.layers.find((r) => r.name === shared.name)!;
    assert.equal(sharedRow.calls, 2);
    assert.equal(sharedRow.macs, 2 * 16);
    assert.equal(sharedRow.params, 20);
    const nested = p.layers.find((r) => r.name.startsWith(`${inner.name}/`))!;
    assert.equal(nested.macs, 12);
    assert.equal(p.macs, 32 + 12 + 6);
    assert.equal(p.params, model.countParams());
    assert.match(formatProfile(p), / x2 /);
    model.dispose();
  });

  it('flags a layer class without a MAC rule, and rejects unknown sizes naming the layer', () => {
    class Scale extends tf.layers.Layer {
      static className = 'Scale';
      override build(inputShape: tf.Shape | tf.Shape[]): void {
        this.addWeight('scale', [(inputShape as tf.Shape)[1] as number], 'float32', tf.initializers.ones());
        this.built = true;
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return Array.isArray(inputs) ? inputs[0] : inputs;
      }
    }
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5 }), new Scale({})] });
    const p = profileModel(model);
    assert.equal(row(p, 'Scale').counted, false);
    assert.equal(row(p, 'Scale').params, 5);
    assert.match(formatProfile(p), /without a MAC rule/);
    model.dispose();

    const open = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 2, kernelSize: 3, name: 'open_conv' })],
    });
    assert.throws(() => profileModel(open), /layer "open_conv" \(Conv2D\) has an unknown dimension/);
    open.dispose();
    assert.throws(() => profileModel({} as tf.LayersModel), /must be a tf.LayersModel/);
  });

  it('formats counts with units', () => {
    assert.equal(formatCount(14_450_688), '14.45 M');
    assert.equal(formatCount(4.1e9), '4.10 G');
    assert.equal(formatCount(999), '999');
  });
});
