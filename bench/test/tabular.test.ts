/**
 * Tests of the tabular benchmarks (bench/problems/tabular.ts) on the tiny fixture test/fixtures/tabular/
 * (never the shared data): key decoding, seed draws, best mean, lazy loading and error messages.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  BenchmarkDataError,
  benchDataDir,
  HPOBENCH_TASKS,
  hpobenchProblems,
  NASBENCH201_TASKS,
  nasbench201Problems,
} from '../problems/tabular.js';
import { InvalidArgumentError } from 'tansaku';
import { Rng } from 'tansaku/extend';
import { FixedParams, RandomParams } from './param-source.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = resolve(here, 'fixtures');
const repoRoot = resolve(here, '..', '..');

const ALPHA = [1e-8, 7.742637e-8, 5.994842e-7, 4.641589e-6, 3.5938137e-5, 2.7825593e-4, 2.1544348e-3, 1.6681006e-2, 1.2915497e-1, 1];
const BATCH = [4, 6, 10, 16, 25, 40, 64, 101, 161, 256];
const DEPTH = [1, 2, 3];
const LR = [1e-5, 3.5938137e-5, 1.2915497e-4, 4.641589e-4, 1.6681006e-3, 5.9948424e-3, 2.1544347e-2, 7.742637e-2, 2.7825594e-1, 1];
const WIDTH = [16, 25, 40, 64, 101, 161, 256, 406, 645, 1024];
const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

/** The HPOBench configuration whose key is `key` (one index digit per parameter). */
function hpoConfig(key: string): Record<string, number> {
  const i = [...key].map(Number);
  return { alpha: ALPHA[i[0]], batch_size: BATCH[i[1]], depth: DEPTH[i[2]], learning_rate_init: LR[i[3]], width: WIDTH[i[4]] };
}
function nasConfig(key: string): Record<string, string> {
  return Object.fromEntries([...key].map((d, j) => [`Op${j}`, OPS[Number(d)]]));
}

describe('tabular benchmarks', () => {
  it('lists 8 HPOBench and 3 NAS-Bench-201 tasks with stable ids, maximised', () => {
    assert.deepEqual([...HPOBENCH_TASKS].sort(), [
      'australian',
      'blood_transfusion',
      'car',
      'credit_g',
      'kc1',
      'phoneme',
      'segment',
      'vehicle',
    ]);
    assert.deepEqual(NASBENCH201_TASKS, ['cifar10', 'cifar100', 'imagenet']);
    const h = hpobenchProblems({ dataDir });
    assert.equal(h.length, 8);
    assert.deepEqual(
      h.map((p) => p.group),
      new Array(8).fill('hpobench'),
    );
    assert.ok(h.some((p) => p.id === 'hpobench_mlp_kc1'));
    const n = nasbench201Problems({ dataDir });
    assert.deepEqual(
      n.map((p) => p.id),
      ['nasbench201_cifar10', 'nasbench201_cifar100', 'nasbench201_imagenet'],
    );
    for (const p of [...h, ...n]) {
      assert.deepEqual(p.directions, ['maximize']);
      assert.equal(p.lastCost(), 1);
    }
    assert.equal(h[0].dimension, 5);
    assert.equal(n[0].dimension, 6);
  });

  it('HPOBench asks each parameter with suggestOrdinal over its values, in the space order', () => {
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    const src = new FixedParams(hpoConfig('31219'));
    p.evaluate(src, new Rng(1));
    assert.deepEqual(src.order, ['alpha', 'batch_size', 'depth', 'learning_rate_init', 'width']);
    assert.deepEqual(src.asked.get('alpha'), { kind: 'ordinal', values: ALPHA });
    assert.deepEqual(src.asked.get('depth'), { kind: 'ordinal', values: DEPTH });
    assert.deepEqual(src.asked.get('width'), { kind: 'ordinal', values: WIDTH });
  });

  it('NAS-Bench-201 asks Op0..Op5 with suggestCategorical over the five operations', () => {
    const [p] = nasbench201Problems({ dataDir, tasks: ['cifar10'] });
    const src = new FixedParams(nasConfig('333132'));
    p.evaluate(src, new Rng(1));
    assert.deepEqual(src.order, ['Op0', 'Op1', 'Op2', 'Op3', 'Op4', 'Op5']);
    for (const name of src.order) assert.deepEqual(src.asked.get(name), { kind: 'categorical', choices: OPS });
  });

  it("decodes keys as value indices in order and returns one of that key's seed values", () => {
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    const seeds: Record<string, number[]> = {
      '00000': [0.5, 0.6, 0.7, 0.8, 0.9],
      '31219': [0.9, 0.8, 0.85, 0.95, 0.9],
      '92099': [0.1, 0.1, 0.1, 0.1, 0.1],
      '12245': [0.8, 0.8, 0.8, 0.8, 0.95],
    };
    for (const [key, vs] of Object.entries(seeds)) {
      const v = p.evaluate(new FixedParams(hpoConfig(key)), new Rng(7)) as number;
      assert.ok(vs.includes(v), `${key}: ${v} not in ${JSON.stringify(vs)}`);
      assert.ok(Math.abs(p.lastMean() - vs.reduce((a, b) => a + b, 0) / vs.length) < 1e-15);
      assert.equal(p.keyOf(hpoConfig(key)), key);
      assert.deepEqual(p.seedValuesOf(hpoConfig(key)), vs);
    }
    // "92099": alpha = 1 (index 9), batch_size = 10 (index 2), depth = 1, learning_rate_init = 1, width = 1024
    assert.equal(p.keyOf({ alpha: 1, batch_size: 10, depth: 1, learning_rate_init: 1, width: 1024 }), '92099');
    const [n] = nasbench201Problems({ dataDir, tasks: ['cifar10'] });
    const cfg = {
      Op0: 'avg_pool_3x3',
      Op1: 'nor_conv_1x1',
      Op2: 'skip_connect',
      Op3: 'nor_conv_1x1',
      Op4: 'skip_connect',
      Op5: 'skip_connect',
    };
    assert.equal(n.keyOf(cfg), '421211');
    assert.ok([80, 84].includes(n.evaluate(new FixedParams(cfg), new Rng(3)) as number));
    assert.equal(n.lastMean(), 82);
  });

  it('draws every seed, about uniformly, and reproducibly for a given Rng seed', () => {
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    const cfg = hpoConfig('00000');
    const counts = new Map<number, number>();
    const rng = new Rng(11);
    const N = 5000;
    for (let k = 0; k < N; k++) {
      const v = p.evaluate(new FixedParams(cfg), rng) as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), [0.5, 0.6, 0.7, 0.8, 0.9]);
    for (const c of counts.values()) assert.ok(Math.abs(c / N - 0.2) < 0.03, `frequency ${c / N}`);
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 20 }, () => p.evaluate(new FixedParams(cfg), r) as number);
    };
    assert.deepEqual(draw(5), draw(5));
    assert.notDeepEqual(draw(5), draw(6));
  });

  it('optimum is the best mean over seeds, not the best single value', () => {
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    // means: 00000 0.7, 31219 0.88, 92099 0.1, 12245 0.83 (whose best seed, 0.95, ties 31219's best)
    assert.ok(Math.abs(p.optimum - 0.88) < 1e-15);
    assert.equal(p.optimumKey, '31219');
    assert.equal(p.meanOf(hpoConfig('12245')), (0.8 * 4 + 0.95) / 5);
    const [n] = nasbench201Problems({ dataDir, tasks: ['cifar10'] });
    assert.equal(n.optimum, 92);
    assert.equal(n.optimumKey, '333132');
  });

  it('random configurations outside the tiny table fail with the key named; inside, values stay below the best seed', () => {
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    assert.throws(
      () => p.evaluate(new FixedParams(hpoConfig('11111')), new Rng(1)),
      (e: unknown) => e instanceof BenchmarkDataError && /11111/.test(e.message) && /kc1\.json/.test(e.message),
    );
    // RandomParams picks from the same lists the problem asks: the key is always 5 digits in range
    const rng = new Rng(3);
    for (let k = 0; k < 50; k++) {
      try {
        p.evaluate(new RandomParams(rng), rng);
      } catch (e) {
        assert.ok(e instanceof BenchmarkDataError && /configuration key \d{5} /.test(e.message), String(e));
      }
    }
  });

  it('loads a task lazily: problems for missing task files are created, and fail on first use naming TANSAKU_BENCH_DATA', () => {
    const problems = hpobenchProblems({ dataDir }); // only kc1.json exists in the fixture
    const car = problems.find((p) => p.task === 'car')!;
    assert.throws(
      () => car.evaluate(new FixedParams(hpoConfig('00000')), new Rng(1)),
      (e: unknown) =>
        e instanceof BenchmarkDataError &&
        e.code === 'TANSAKU_BENCHMARK_DATA' &&
        e.message.includes('TANSAKU_BENCH_DATA') &&
        e.message.includes(resolve(dataDir, 'tabular', 'hpobench', 'car.json')),
    );
    assert.throws(() => car.optimum, BenchmarkDataError);
  });

  it('a missing data folder fails at creation with the expected path and the variable named', () => {
    const missing = resolve(here, 'no-such-folder');
    assert.throws(
      () => nasbench201Problems({ dataDir: missing }),
      (e: unknown) =>
        e instanceof BenchmarkDataError &&
        e.message.includes('TANSAKU_BENCH_DATA') &&
        e.message.includes(resolve(missing, 'tabular', 'nasbench201', 'space.json')),
    );
  });

  it('finds the data through TANSAKU_BENCH_DATA, else ../shared/bench next to the repository', () => {
    const saved = process.env.TANSAKU_BENCH_DATA;
    try {
      process.env.TANSAKU_BENCH_DATA = dataDir;
      assert.equal(benchDataDir(), dataDir);
      const [p] = hpobenchProblems({ tasks: ['kc1'] });
      assert.ok(Math.abs(p.optimum - 0.88) < 1e-15);
      delete process.env.TANSAKU_BENCH_DATA;
      assert.equal(benchDataDir(), resolve(repoRoot, '..', 'shared', 'bench'));
      assert.equal(benchDataDir('/x/y'), '/x/y');
    } finally {
      if (saved === undefined) delete process.env.TANSAKU_BENCH_DATA;
      else process.env.TANSAKU_BENCH_DATA = saved;
    }
  });

  it('rejects a table whose keys do not decode in the space (index beyond a list, wrong length)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tansaku-tabular-'));
    try {
      const folder = join(dir, 'tabular', 'hpobench');
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(dataDir, 'tabular', 'hpobench', 'space.json'), join(folder, 'space.json'));
      writeFileSync(join(folder, 'kc1.json'), JSON.stringify({ '12345': [0.5] })); // depth has 3 values
      writeFileSync(join(folder, 'car.json'), JSON.stringify({ '0000': [0.5] }));
      writeFileSync(join(folder, 'vehicle.json'), JSON.stringify({ '00000': [] }));
      const ps = hpobenchProblems({ dataDir: dir, tasks: ['kc1', 'car', 'vehicle'] });
      assert.throws(
        () => ps[0].optimum,
        (e: unknown) => e instanceof BenchmarkDataError && /"12345"/.test(e.message),
      );
      assert.throws(
        () => ps[1].optimum,
        (e: unknown) => e instanceof BenchmarkDataError && /"0000"/.test(e.message),
      );
      assert.throws(
        () => ps[2].optimum,
        (e: unknown) => e instanceof BenchmarkDataError && /non-empty/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown tasks and values outside the space', () => {
    assert.throws(() => hpobenchProblems({ dataDir, tasks: ['mnist'] }), InvalidArgumentError);
    const [p] = hpobenchProblems({ dataDir, tasks: ['kc1'] });
    assert.throws(() => p.keyOf({ ...hpoConfig('00000'), width: 17 }), /width.*17/);
    // a float that went through text keeps its key (relative 1e-9)
    assert.equal(p.keyOf({ ...hpoConfig('00000'), alpha: 7.742637e-8 * (1 + 1e-12) }), '10000');
  });
});
