/** Tests of the mixed-integer problems (bench/problems/mixed.ts): optima on the grid, proved by brute force. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { STYBLINSKI_TANG_FOPT_PER_DIM, STYBLINSKI_TANG_XOPT } from '../problems/classic.js';
import { mixedLevy, mixedProblems, mixedRosenbrock, mixedStyblinskiTang } from '../problems/mixed.js';
import { InvalidArgumentError } from 'tansaku';
import { Rng } from 'tansaku/extend';
import { exhaustiveMinimum, FixedParams, RandomParams } from './param-source.js';

const rng0 = new Rng(0);

describe('mixed problems', () => {
  it('the group has three problems of 7 parameters: categorical first, then integers, grid, floats', () => {
    const ps = mixedProblems();
    assert.deepEqual(
      ps.map((p) => p.id),
      ['mixed_levy_i2o2f2', 'mixed_rosenbrock_i2o2f2', 'mixed_styblinski_tang_i2o2f2'],
    );
    for (const p of ps) {
      assert.equal(p.group, 'mixed');
      assert.equal(p.dimension, 7);
      assert.deepEqual(p.directions, ['minimize']);
      const src = new FixedParams(p.optimalConfig);
      p.evaluate(src, rng0);
      assert.deepEqual(src.order, [p.categorical.name, 'x0', 'x1', 'x2', 'x3', 'x4', 'x5']);
      assert.deepEqual(src.asked.get(p.categorical.name), { kind: 'categorical', choices: p.categorical.choices });
      assert.deepEqual(src.asked.get('x0'), { kind: 'int', low: p.lower, high: p.upper, log: false, step: 1 });
      assert.deepEqual(src.asked.get('x2'), { kind: 'ordinal', values: p.grid });
      assert.deepEqual(src.asked.get('x4'), { kind: 'float', low: p.lower, high: p.upper, log: false, step: null });
    }
  });

  it('f(optimal configuration) = f*, with the optimum on the integers and the grid', () => {
    for (const p of mixedProblems()) {
      const v = p.evaluate(new FixedParams(p.optimalConfig), rng0) as number;
      assert.ok(Math.abs(v - p.optimum) <= 1e-12 * Math.max(1, Math.abs(p.optimum)), `${p.id}: ${v} vs ${p.optimum}`);
      for (const [name, value] of Object.entries(p.optimalConfig)) {
        const i = Number(name.slice(1));
        if (name.startsWith('x') && p.kinds[i] === 'int') assert.ok(Number.isInteger(value), `${p.id} ${name}`);
        if (name.startsWith('x') && p.kinds[i] === 'ordinal') assert.ok(p.grid.includes(value as number), `${p.id} ${name}`);
      }
    }
    assert.equal(mixedStyblinskiTang().optimum, -39 * 2 + STYBLINSKI_TANG_FOPT_PER_DIM * 4);
  });

  it('brute force over every configuration of all-discrete variants finds exactly the stated optimum', () => {
    const cases = [
      mixedLevy({ integers: 2, ordinals: 1, floats: 0 }), // 3 · 21² · 12 configurations
      mixedRosenbrock({ integers: 1, ordinals: 2, floats: 0 }), // 3 · 16 · 10²
      mixedStyblinskiTang({ integers: 2, ordinals: 2, floats: 0 }), // 2 · 11² · 11²
    ];
    for (const p of cases) {
      const { min, argmin, configs } = exhaustiveMinimum((src) => p.evaluate(src, rng0) as number);
      assert.ok(Math.abs(min - p.optimum) <= 1e-12 * Math.max(1, Math.abs(p.optimum)), `${p.id}: brute force ${min} vs ${p.optimum}`);
      assert.deepEqual(argmin, p.optimalConfig, p.id);
      assert.ok(configs > 1000);
    }
    // With floats restricted to a grid that contains the continuous minimiser, brute force agrees too.
    const st = mixedStyblinskiTang({ integers: 1, ordinals: 1, floats: 1 });
    const floats = [-5, -4, -3, STYBLINSKI_TANG_XOPT, -2.5, 0, 2.9, 3, 5];
    const r = exhaustiveMinimum((src) => st.evaluate(src, rng0) as number, floats);
    assert.ok(Math.abs(r.min - st.optimum) < 1e-12 * 120, `${r.min} vs ${st.optimum}`);
    assert.deepEqual(r.argmin, st.optimalConfig);
  });

  it('each categorical choice has its own (worse) optimum: the traps are where the header says', () => {
    const levy = mixedLevy();
    const cfg = (offset: string, x: number): Record<string, number | string> => ({ offset, x0: x, x1: x, x2: x, x3: x, x4: x, x5: x });
    assert.equal(levy.evaluate(new FixedParams(cfg('b', 3)), rng0), 0.25);
    assert.equal(levy.evaluate(new FixedParams(cfg('c', -2)), rng0), 0.5);
    const rosen = mixedRosenbrock();
    assert.equal(rosen.evaluate(new FixedParams(cfg('b', 2)), rng0), 1);
    assert.equal(rosen.evaluate(new FixedParams(cfg('c', -1)), rng0), 2);
    // Styblinski-Tang, sign = minus: integers at 3 and grid at 3 give −39 each, floats at −x* give the minimum
    const st = mixedStyblinskiTang();
    const minus = st.evaluate(
      new FixedParams({ sign: 'minus', x0: 3, x1: 3, x2: 3, x3: 3, x4: -STYBLINSKI_TANG_XOPT, x5: -STYBLINSKI_TANG_XOPT }),
      rng0,
    ) as number;
    assert.ok(Math.abs(minus - (-39 * 4 + 2 * STYBLINSKI_TANG_FOPT_PER_DIM)) < 1e-12 * 160);
    // worse than plus by 0.16616570377142 per grid coordinate
    assert.ok(Math.abs(minus - st.optimum - 2 * (-39 - STYBLINSKI_TANG_FOPT_PER_DIM)) < 1e-10);
    assert.ok(minus - st.optimum > 0.33);
  });

  it('f >= f* at many random configurations', () => {
    const rng = new Rng(7);
    for (const p of mixedProblems()) {
      for (let k = 0; k < 3000; k++) {
        const v = p.evaluate(new RandomParams(rng), rng) as number;
        assert.ok(v >= p.optimum - 1e-12 * Math.max(1, Math.abs(p.optimum)), `${p.id}: ${v}`);
      }
    }
  });

  it('rejects bad layouts', () => {
    assert.throws(() => mixedLevy({ integers: -1 }), InvalidArgumentError);
    assert.throws(() => mixedRosenbrock({ integers: 1, ordinals: 0, floats: 0 }), /at least 2/);
    assert.throws(() => mixedStyblinskiTang({ floats: 1.5 }), InvalidArgumentError);
  });
});
