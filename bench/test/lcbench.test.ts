/**
 * The LCBench surrogate problems (bench/problems/lcbench.ts), hermetic: the space and task codes come from
 * test/fixtures/yahpo/lcbench/ (YAHPO's bounds, made-up codes), and a fake surrogate stands in for the ONNX
 * model, so neither ../shared nor onnxruntime-node is touched.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  BenchmarkDataError,
  LCBENCH_DEFAULT_TASKS,
  LCBENCH_FINAL_EPOCH,
  LCBENCH_NOISE_SD,
  LCBENCH_PARAMS,
  LCBENCH_TASKS,
  encodeLcbenchInputs,
  lcbenchOptima,
  lcbenchProblems,
  lcbenchTaskCode,
  loadLcbenchSpace,
  parseLcbenchSpace,
  searchLcbenchOptimum,
  type LcbenchConfig,
  type LcbenchSurrogate,
} from '../problems/index.js';
import { checkpointsFor, problemRng, runTansaku, type RunSpec } from '../compare/runner.js';
import { samplerByName } from '../compare/samplers.js';
import { InvalidArgumentError } from 'tansaku';
import { Rng } from 'tansaku/extend';
import { FixedParams, RandomParams } from './param-source.js';

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'tansaku-lcbench-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A fake surrogate: records every call; val_accuracy = 90 − distance of (log batch size, log lr, momentum, …)
 * from a fixed point in the unit cube, time = 10·epoch + task code; other outputs are markers.
 */
class FakeSurrogate implements LcbenchSurrogate {
  calls: Array<{ codes: number[]; inputs: number[] }> = [];
  async predict(taskCodes: Int32Array, inputs: Float32Array): Promise<Float32Array> {
    this.calls.push({ codes: [...taskCodes], inputs: [...inputs] });
    await new Promise((r) => setImmediate(r));
    const out = new Float32Array(taskCodes.length * 6);
    for (let i = 0; i < taskCodes.length; i++) {
      const x = inputs.subarray(i * 8, i * 8 + 8);
      out.set([10 * x[0] + taskCodes[i], fakeAccuracy(x), -1, -2, -3, -4], i * 6);
    }
    return out;
  }
}

/** 90 at batch 64, lr 0.01, momentum 0.9, weight decay 0.01, 3 layers, 256 units, dropout 0.2; lower elsewhere. */
function fakeAccuracy(x: ArrayLike<number>): number {
  const u = [
    (Math.log(x[1]) - Math.log(16)) / Math.log(32),
    (Math.log10(x[2]) + 4) / 3,
    (x[3] - 0.1) / 0.89,
    x[4] / 0.1,
    (x[5] - 1) / 4,
    (Math.log(x[6]) - Math.log(64)) / Math.log(16),
    x[7],
  ];
  const c = [(Math.log(64) - Math.log(16)) / Math.log(32), 2 / 3, 0.8 / 0.89, 0.1, 0.5, Math.log(4) / Math.log(16), 0.2];
  let s = 0;
  for (let j = 0; j < 7; j++) s += (u[j] - c[j]) ** 2;
  return Math.fround(90 - 20 * s);
}

const config: LcbenchConfig = {
  batch_size: 64,
  learning_rate: 0.01,
  momentum: 0.9,
  weight_decay: 0.01,
  num_layers: 3,
  max_units: 256,
  max_dropout: 0.2,
};

function spec(id: string, sampler: string, seed: number, budget: number): RunSpec {
  return { problem: id, group: 'lcbench', sampler, seed, budget };
}

describe('LCBench space and encoding', () => {
  it('reads the bounds and log flags of config_space.json and the task codes of encoding.json', () => {
    const space = loadLcbenchSpace(dataDir);
    assert.deepEqual(space.ranges.batch_size, { type: 'int', low: 16, high: 512, log: true });
    assert.deepEqual(space.ranges.learning_rate, { type: 'float', low: 0.00010000000000000009, high: 0.10000000000000002, log: true });
    assert.deepEqual(space.ranges.momentum, { type: 'float', low: 0.1, high: 0.99, log: false });
    assert.deepEqual(space.ranges.weight_decay, { type: 'float', low: 1e-5, high: 0.1, log: false });
    assert.deepEqual(space.ranges.num_layers, { type: 'int', low: 1, high: 5, log: false });
    assert.deepEqual(space.ranges.max_units, { type: 'int', low: 64, high: 1024, log: true });
    assert.deepEqual(space.ranges.max_dropout, { type: 'float', low: 0, high: 1, log: false });
    assert.deepEqual(space.epoch, { type: 'int', low: 1, high: 52, log: false });
    assert.equal(lcbenchTaskCode(space, '3945'), 100);
    assert.equal(lcbenchTaskCode(space, '189909'), 133);
    assert.throws(() => lcbenchTaskCode(space, '167083'), BenchmarkDataError);
  });

  it('encodes epoch then the 7 raw values, in the model order, row by row (float32)', () => {
    const other = { ...config, batch_size: 512, num_layers: 1 };
    const x = encodeLcbenchInputs([config, other]);
    assert.equal(x.length, 16);
    assert.deepEqual([...x.subarray(0, 8)], [51, 64, 0.01, 0.9, 0.01, 3, 256, 0.2].map(Math.fround));
    assert.deepEqual([...x.subarray(8)], [51, 512, 0.01, 0.9, 0.01, 1, 256, 0.2].map(Math.fround));
    assert.equal(encodeLcbenchInputs([config], 7)[0], 7);
    assert.throws(() => encodeLcbenchInputs([{ ...config, momentum: NaN }]), InvalidArgumentError);
  });

  it('names the missing file and TANSAKU_BENCH_DATA when the data is absent; rejects a malformed space', () => {
    assert.throws(
      () => lcbenchProblems({ dataDir: join(tmp, 'nowhere') }),
      (e: unknown) =>
        e instanceof BenchmarkDataError &&
        /config_space\.json/.test(e.message) &&
        /TANSAKU_BENCH_DATA/.test(e.message) &&
        e.code === 'TANSAKU_BENCHMARK_DATA',
    );
    const dir = join(tmp, 'no-encoding', 'yahpo', 'lcbench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config_space.json'), '{"hyperparameters": []}');
    assert.throws(
      () => lcbenchProblems({ dataDir: join(tmp, 'no-encoding') }),
      (e: unknown) => e instanceof BenchmarkDataError && /encoding\.json/.test(e.message),
    );
    writeFileSync(join(dir, 'encoding.json'), '{"OpenML_task_id": {"3945": 1}}');
    assert.throws(
      () => lcbenchProblems({ dataDir: join(tmp, 'no-encoding') }),
      (e: unknown) => e instanceof BenchmarkDataError && /batch_size/.test(e.message),
    );
    assert.throws(
      () => parseLcbenchSpace({ hyperparameters: [{ name: 'batch_size', type: 'categorical' }] }, {}),
      (e: unknown) => e instanceof BenchmarkDataError && /uniform_int/.test(e.message),
    );
    assert.throws(() => lcbenchProblems({ dataDir, tasks: ['42'] }), InvalidArgumentError);
  });

  it('default tasks: 8 of the 34, every 4th; the committed optima cover every task', () => {
    assert.equal(LCBENCH_TASKS.length, 34);
    assert.deepEqual(
      LCBENCH_DEFAULT_TASKS,
      LCBENCH_TASKS.filter((_, i) => i % 4 === 0 && i <= 28),
    );
    assert.deepEqual(LCBENCH_DEFAULT_TASKS, ['3945', '126026', '167149', '167181', '167200', '168331', '168910', '189866']);
    const optima = lcbenchOptima();
    for (const t of LCBENCH_TASKS) assert.ok(optima[t] > 40 && optima[t] <= 100, `${t}: ${optima[t]}`);
    const ps = lcbenchProblems({ dataDir, surrogate: new FakeSurrogate() });
    assert.deepEqual(
      ps.map((p) => p.id),
      LCBENCH_DEFAULT_TASKS.map((t) => `lcbench_${t}`),
    );
    for (const p of ps) {
      assert.equal(p.optimum, optima[p.task]);
      assert.deepEqual(p.directions, ['maximize']);
      assert.equal(p.dimension, 7);
      assert.equal(p.group, 'lcbench');
    }
  });
});

describe('LCBench problems', () => {
  it('asks the 7 parameters in order with the space ranges, and sends task code + raw values to the surrogate', async () => {
    const fake = new FakeSurrogate();
    const [p] = lcbenchProblems({ dataDir, tasks: ['167149'], surrogate: fake, optima: { '167149': 90 }, noiseSd: 0 });
    const src = new FixedParams(config);
    const y = await p.evaluate(src, new Rng(1));
    assert.deepEqual(src.order, [...LCBENCH_PARAMS]);
    assert.deepEqual(src.asked.get('batch_size'), { kind: 'int', low: 16, high: 512, log: true, step: 1 });
    assert.deepEqual(src.asked.get('learning_rate'), {
      kind: 'float',
      low: 0.00010000000000000009,
      high: 0.10000000000000002,
      log: true,
      step: null,
    });
    assert.deepEqual(src.asked.get('max_units'), { kind: 'int', low: 64, high: 1024, log: true, step: 1 });
    assert.deepEqual(src.asked.get('max_dropout'), { kind: 'float', low: 0, high: 1, log: false, step: null });
    assert.equal(fake.calls.length, 1);
    assert.deepEqual(fake.calls[0].codes, [108]);
    assert.deepEqual(fake.calls[0].inputs, [LCBENCH_FINAL_EPOCH, 64, 0.01, 0.9, 0.01, 3, 256, 0.2].map(Math.fround));
    assert.equal(y, Math.fround(90));
    assert.equal(p.lastMean(), y);
    assert.equal(p.lastCost(), 10 * 51 + 108, 'cost: the predicted time at epoch 51');
    assert.deepEqual(p.lastConfig(), config);
  });

  it('adds N(0, sd²) noise from the given Rng (reproducible); lastMean stays the noiseless value', async () => {
    const [p] = lcbenchProblems({ dataDir, tasks: ['3945'], surrogate: new FakeSurrogate(), optima: { '3945': 90 } });
    assert.equal(p.noiseSd, LCBENCH_NOISE_SD);
    const noise: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const y = await p.evaluate(new FixedParams(config), Rng.forKey(7, i));
      assert.equal(p.lastMean(), Math.fround(90));
      noise.push(y - p.lastMean());
    }
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / (noise.length - 1));
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(sd - 0.5) < 0.03, `sd ${sd}`);
    const again = await p.evaluate(new FixedParams(config), Rng.forKey(7, 0));
    assert.equal(again - p.lastMean(), noise[0], 'the same Rng gives the same noise');
    const expected = 0.5 * Rng.forKey(7, 0).normal();
    assert.ok(Math.abs(noise[0] - expected) < 1e-4, 'noise = sd · rng.normal()');
  });

  it('in the harness, the incumbent (best noisy value) is scored by its noiseless value', async () => {
    const fake = new FakeSurrogate();
    const [noisy] = lcbenchProblems({ dataDir, tasks: ['3945'], surrogate: fake, optima: { '3945': 90 }, noiseSd: 3 });
    const entry = samplerByName('tansaku-random')!;
    const r = await runTansaku(noisy, entry, spec(noisy.id, entry.name, 5, 40));
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.evaluations, 40);
    assert.equal(r.optimum, 90);
    assert.deepEqual(r.checkpoints, checkpointsFor(40));
    // Replay the run's evaluations: the recorded best is the noiseless value of the best noisy one.
    const noiseless = fake.calls.map((c) => fakeAccuracy(c.inputs));
    // The noise of trial i is sd times the first normal draw of that trial's problem Rng.
    const observed = noiseless.map((v, i) => v + 3 * problemRng(5, noisy.id, i).normal());
    let best = 0;
    for (let i = 1; i < 40; i++) if (observed[i] > observed[best]) best = i;
    assert.ok(Math.abs(r.best.at(-1)! - noiseless[best]) < 1e-9, `${r.best.at(-1)} vs ${noiseless[best]}`);
    assert.ok(r.best.every((b) => b! <= 90));
  });

  it('estimates the optimum: random search, then a local search that improves on it (fake surrogate)', async () => {
    const space = loadLcbenchSpace(dataDir);
    const fake = new FakeSurrogate();
    const r = await searchLcbenchOptimum(fake, space, 100, { randomSamples: 4000, batch: 1000, generations: 15, seed: 3 });
    assert.equal(r.evaluations, 4000 + 15 * 1000);
    assert.ok(r.best >= r.randomBest);
    assert.ok(r.best > 89.9, `best ${r.best}`);
    assert.equal(Math.fround(fakeAccuracy(encodeLcbenchInputs([r.config]))), r.best, 'the configuration reproduces the value');
    for (const n of ['batch_size', 'num_layers', 'max_units'] as const) assert.ok(Number.isInteger(r.config[n]), n);
    assert.ok(fake.calls.every((c) => c.codes.every((k) => k === 100)));
  });

  it('draws random configurations inside the ranges', async () => {
    const [p] = lcbenchProblems({ dataDir, tasks: ['3945'], surrogate: new FakeSurrogate(), optima: { '3945': 90 } });
    const rng = new Rng(11);
    for (let i = 0; i < 50; i++) {
      const y = await p.evaluate(new RandomParams(rng), rng);
      assert.ok(Number.isFinite(y) && y < 95);
    }
  });
});
