/** Tests of the problem registry (bench/problems/index.ts) and the BBOB adapter (bench/problems/bbob-problem.ts). */
import { strict as assert } from 'node:assert';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { bbobBenchmark, bbobInstanceOf, bbobProblem, problemGroups, problemsInGroup } from '../problems/index.js';
import { InvalidArgumentError } from 'tansaku';
import { Rng } from 'tansaku/extend';
import { RandomParams, xParams } from './param-source.js';

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('BBOB adapter', () => {
  it('asks x0..x{d-1} over [-5, 5] and returns the BBOB value; optimum = fopt; group bbob-d<d>', () => {
    for (const [fn, inst, d] of [
      [1, 1, 2],
      [8, 3, 5],
      [15, 2, 10],
      [24, 5, 20],
    ] as const) {
      const p = bbobBenchmark(fn, inst, d);
      const raw = bbobProblem(fn, inst, d);
      assert.equal(p.id, raw.id);
      assert.equal(p.group, `bbob-d${d}`);
      assert.equal(p.dimension, d);
      assert.equal(p.optimum, raw.fopt);
      assert.deepEqual(p.directions, ['minimize']);
      const atOpt = p.evaluate(xParams(raw.xopt), new Rng(1)) as number;
      assert.ok(Math.abs(atOpt - raw.fopt) < 1e-9 * Math.max(1, Math.abs(raw.fopt)), `${p.id}: ${atOpt} vs ${raw.fopt}`);
      const rng = new Rng(fn);
      const src = new RandomParams(rng);
      const v = p.evaluate(src, rng) as number;
      assert.deepEqual(
        src.order,
        Array.from({ length: d }, (_, i) => `x${i}`),
      );
      for (const name of src.order) assert.deepEqual(src.asked.get(name), { kind: 'float', low: -5, high: 5, log: false, step: null });
      assert.equal(v, raw.evaluate(src.order.map((n) => src.values[n] as number)));
      assert.ok(v >= raw.fopt - 1e-9);
      assert.equal(p.lastCost(), 1);
    }
  });

  it('reads the instance back from a problem id, null for other problems', () => {
    assert.equal(bbobInstanceOf(bbobBenchmark(15, 3, 10).id), 3);
    assert.equal(bbobInstanceOf(bbobBenchmark(1, 12, 2).id), 12);
    assert.equal(bbobInstanceOf('branin'), null);
    assert.equal(bbobInstanceOf('hpobench_mlp_phoneme'), null);
  });

  it('validates its arguments like bbobProblem', () => {
    assert.throws(() => bbobBenchmark(25, 1, 5), InvalidArgumentError);
    assert.throws(() => bbobBenchmark(1, 0, 5), InvalidArgumentError);
    assert.throws(() => bbobBenchmark(1, 1, 1), InvalidArgumentError);
  });
});

describe('problem registry', () => {
  it("lists the suite's groups in a stable order", () => {
    assert.deepEqual(
      problemGroups().map((g) => g.name),
      [
        'bbob-d2',
        'bbob-d5',
        'bbob-d10',
        'bbob-d20',
        'bbob-d40',
        'classic',
        'mixed',
        'conditional',
        'hpobench',
        'nasbench201',
        'lcbench',
        'zdt',
        'dtlz',
      ],
    );
    for (const g of problemGroups()) {
      assert.equal(g.objectives, g.name === 'zdt' || g.name === 'dtlz' ? 'multi' : 'single');
      assert.equal(g.needsData, g.name === 'hpobench' || g.name === 'nasbench201' || g.name === 'lcbench');
      assert.ok(g.description.length > 10);
    }
  });

  it('every group yields problems of that group, with unique ids and a consistent shape', () => {
    const ids = new Set<string>();
    for (const g of problemGroups()) {
      const options = g.name.startsWith('bbob') ? { functions: [1, 2], instances: [1] } : { dataDir };
      const ps = problemsInGroup(g.name, options);
      assert.ok(ps.length > 0, g.name);
      for (const p of ps) {
        assert.equal(p.group, g.name, p.id);
        assert.ok(!ids.has(p.id), `duplicate id ${p.id}`);
        ids.add(p.id);
        assert.ok(Number.isInteger(p.dimension) && p.dimension > 0);
        if (g.objectives === 'multi') {
          assert.ok(p.directions.length >= 2 && p.referencePoint && p.optimalHypervolume! > 0, p.id);
        } else {
          assert.equal(p.directions.length, 1);
          if (!g.needsData) assert.equal(typeof p.optimum, 'number', p.id);
        }
      }
    }
  });

  it('default sizes: BBOB 24 functions × 5 instances, classic 11, mixed 3, conditional 2, zdt 3, dtlz 4, 8 + 3 tables, 8 lcbench tasks', () => {
    assert.equal(problemsInGroup('bbob-d2').length, 120);
    assert.equal(problemsInGroup('classic').length, 11);
    assert.equal(problemsInGroup('mixed').length, 3);
    assert.equal(problemsInGroup('conditional').length, 2);
    assert.equal(problemsInGroup('zdt').length, 3);
    assert.equal(problemsInGroup('dtlz').length, 4);
    assert.equal(problemsInGroup('hpobench', { dataDir }).length, 8);
    assert.equal(problemsInGroup('nasbench201', { dataDir }).length, 3);
    assert.equal(problemsInGroup('lcbench', { dataDir }).length, 8);
  });

  it('passes options through: BBOB selection and other dimensions, classic dimensions, zdt size, dtlz objectives', () => {
    assert.deepEqual(
      problemsInGroup('bbob-d3', { functions: [7], instances: [2, 4] }).map((p) => p.id),
      ['bbob_f007_i02_d03', 'bbob_f007_i04_d03'],
    );
    assert.deepEqual(
      problemsInGroup('classic', { dimensions: [3] })
        .map((p) => p.id)
        .slice(3),
      ['rosenbrock_d03', 'ackley_d03', 'levy_d03', 'styblinski_tang_d03'],
    );
    assert.equal(problemsInGroup('zdt', { zdtVariables: 8 })[0].dimension, 8);
    assert.deepEqual(
      problemsInGroup('dtlz', { dtlzObjectives: [4] }).map((p) => p.directions.length),
      [4, 4],
    );
    assert.deepEqual(
      problemsInGroup('hpobench', { dataDir, tasks: ['kc1'] }).map((p) => p.id),
      ['hpobench_mlp_kc1'],
    );
    const [lc] = problemsInGroup('lcbench', { dataDir, tasks: ['167149'], lcbenchNoiseSd: 0 }) as unknown as Array<{
      id: string;
      noiseSd: number;
    }>;
    assert.deepEqual([lc.id, lc.noiseSd], ['lcbench_167149', 0]);
  });

  it('an unknown group is an InvalidArgumentError listing the known groups', () => {
    assert.throws(
      () => problemsInGroup('cec2017'),
      (e: unknown) => e instanceof InvalidArgumentError && /classic/.test(e.message) && /cec2017/.test(e.message),
    );
  });
});
