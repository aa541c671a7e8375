/** Tests of the conditional problems (bench/problems/conditional.ts): branches, optima, define-by-run spaces. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { conditionalFunctions, conditionalModels, conditionalProblems } from '../problems/conditional.js';
import { Rng } from 'tansaku/extend';
import type { ParameterSource } from '../problems/problem.js';
import { exhaustiveMinimum, FixedParams, RandomParams } from './param-source.js';

const rng0 = new Rng(0);

describe('conditional problems', () => {
  it('the group holds conditional_models and conditional_functions', () => {
    const ps = conditionalProblems();
    assert.deepEqual(
      ps.map((p) => p.id),
      ['conditional_models', 'conditional_functions'],
    );
    assert.deepEqual(
      ps.map((p) => p.dimension),
      [6, 7],
    );
    for (const p of ps) {
      assert.equal(p.group, 'conditional');
      assert.deepEqual(p.directions, ['minimize']);
      assert.equal(p.lastCost(), 1);
      assert.equal(p.optimum, Math.min(...Object.values(p.branchOptima)));
    }
  });

  it('each branch optimum is attained at its stated configuration; the global one at optimalConfig', () => {
    for (const p of conditionalProblems()) {
      for (const [branch, cfg] of Object.entries(p.branchOptimalConfigs)) {
        const v = p.evaluate(new FixedParams(cfg), rng0) as number;
        assert.ok(Math.abs(v - p.branchOptima[branch]) < 1e-12, `${p.id} ${branch}: ${v}`);
      }
      const v = p.evaluate(new FixedParams(p.optimalConfig), rng0) as number;
      assert.ok(Math.abs(v - p.optimum) < 1e-12, `${p.id}: ${v}`);
    }
  });

  it('asks only the active branch, with the stated kinds, ranges and log flags', () => {
    const p = conditionalModels();
    const asked = (cfg: Record<string, number | string>): string[] => {
      const src = new FixedParams(cfg);
      p.evaluate(src, rng0);
      return src.order;
    };
    assert.deepEqual(asked(p.branchOptimalConfigs.linear), ['model', 'linear_alpha', 'linear_l1_ratio']);
    assert.deepEqual(asked(p.branchOptimalConfigs.tree), ['model', 'tree_depth', 'tree_min_samples', 'tree_criterion']);
    assert.deepEqual(asked(p.branchOptimalConfigs['net/sgd']), [
      'model',
      'net_layers',
      'net_width',
      'net_optimizer',
      'sgd_lr',
      'sgd_momentum',
    ]);
    const src = new FixedParams(p.optimalConfig);
    p.evaluate(src, rng0);
    assert.deepEqual(src.order, ['model', 'net_layers', 'net_width', 'net_optimizer', 'adam_lr', 'adam_beta1']);
    assert.deepEqual(src.asked.get('adam_lr'), { kind: 'float', low: 1e-5, high: 0.1, log: true, step: null });
    assert.deepEqual(src.asked.get('net_width'), { kind: 'ordinal', values: [16, 32, 64, 128, 256, 512] });
    const t = new FixedParams(p.branchOptimalConfigs.tree);
    p.evaluate(t, rng0);
    assert.deepEqual(t.asked.get('tree_min_samples'), { kind: 'int', low: 1, high: 64, log: true, step: 1 });

    const f = conditionalFunctions();
    const s2 = new FixedParams(f.branchOptimalConfigs.branin);
    f.evaluate(s2, rng0);
    assert.deepEqual(s2.order, ['function', 'branin_x0', 'branin_x1']);
    assert.deepEqual(s2.asked.get('branin_x1'), { kind: 'float', low: 0, high: 15, log: false, step: null });
  });

  it('brute force over every branch (floats on a grid holding the optima) finds the stated optimum', () => {
    const p = conditionalModels();
    const floats = [1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 0.85, 0.9, 0.95, 1];
    const { min, argmin, configs } = exhaustiveMinimum((src) => p.evaluate(src, rng0) as number, floats);
    assert.ok(Math.abs(min - 0.1) < 1e-15, String(min));
    assert.deepEqual(argmin, p.optimalConfig);
    assert.ok(configs > 5000, String(configs));
    // per branch: force the switch, enumerate the rest
    const branchMin = (fixed: Record<string, string>): number =>
      exhaustiveMinimum((src) => p.evaluate(withFixed(src, fixed), rng0) as number, floats).min;
    assert.ok(Math.abs(branchMin({ model: 'linear' }) - 0.3) < 1e-15);
    assert.ok(Math.abs(branchMin({ model: 'tree' }) - 0.2) < 1e-15);
    assert.ok(Math.abs(branchMin({ model: 'net', net_optimizer: 'sgd' }) - 0.15) < 1e-15);
  });

  it('f >= the branch optimum at many random configurations, and the optima are strict local minima', () => {
    const rng = new Rng(12);
    for (const p of conditionalProblems()) {
      for (let k = 0; k < 3000; k++) {
        const v = p.evaluate(new RandomParams(rng), rng) as number;
        assert.ok(v >= p.optimum - 1e-12, `${p.id}: ${v}`);
      }
      // moving any float of the optimal configuration by a little raises f
      for (const [branch, cfg] of Object.entries(p.branchOptimalConfigs)) {
        for (const [name, value] of Object.entries(cfg)) {
          if (typeof value !== 'number' || Number.isInteger(value)) continue;
          for (const factor of [1.01, 0.99]) {
            const v = p.evaluate(new FixedParams({ ...cfg, [name]: value * factor }), rng0) as number;
            assert.ok(v > p.branchOptima[branch], `${p.id} ${branch} ${name}×${factor}: ${v}`);
          }
        }
      }
    }
  });

  it("random configurations of each branch stay above that branch's optimum", () => {
    const p = conditionalModels();
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let k = 0; k < 3000; k++) {
      const src = new RandomParams(rng);
      const v = p.evaluate(src, rng) as number;
      const names = src.order;
      const branch = names.includes('sgd_lr')
        ? 'net/sgd'
        : names.includes('adam_lr')
          ? 'net/adam'
          : names.includes('tree_depth')
            ? 'tree'
            : 'linear';
      seen.add(branch);
      assert.ok(v >= p.branchOptima[branch] - 1e-12, `${branch}: ${v}`);
    }
    assert.equal(seen.size, 4);
  });
});

/** A source that answers the given categorical parameters itself and delegates the rest. */
function withFixed(src: ParameterSource, fixed: Record<string, string>): ParameterSource {
  return {
    suggestFloat: src.suggestFloat.bind(src),
    suggestInt: src.suggestInt.bind(src),
    suggestOrdinal: src.suggestOrdinal.bind(src),
    suggestCategorical<T extends string | number | boolean | null>(name: string, choices: readonly T[]): T {
      if (name in fixed) return fixed[name] as T;
      return src.suggestCategorical(name, choices);
    },
  };
}
