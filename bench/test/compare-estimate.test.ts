/** bench/compare/estimate.ts: sizing a configuration from the cached runs' wall times. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costModel, estimate, formatEstimate } from '../compare/estimate.js';
import type { RunRecord, RunSpec } from '../compare/runner.js';

const rec = (group: string, sampler: string, budget: number, wallSeconds: number, error?: string): RunRecord =>
  ({ group, sampler, budget, wallSeconds, problem: `${group}-p`, seed: 1, ...(error ? { error } : {}) }) as unknown as RunRecord;
const job = (group: string, sampler: string, budget: number): RunSpec => ({ group, sampler, budget, problem: `${group}-p`, seed: 2 });

describe('costModel', () => {
  const cost = costModel([
    rec('bbob-d10', 'optuna-tpe', 500, 30),
    rec('bbob-d10', 'optuna-tpe', 500, 40),
    rec('bbob-d10', 'optuna-tpe', 500, 50),
    rec('bbob-d10', 'optuna-random', 1000, 5),
    rec('hpobench', 'optuna-tpe', 100, 3),
    rec('bbob-d10', 'optuna-cmaes', 500, 999, 'refused the space'),
  ]);
  it('uses the median of the same group, sampler and budget', () => {
    assert.equal(cost(job('bbob-d10', 'optuna-tpe', 500)), 40);
  });
  it('scales TPE by the square of the budget and other samplers linearly, within a group', () => {
    assert.equal(cost(job('bbob-d10', 'optuna-tpe', 250)), 10);
    assert.equal(cost(job('bbob-d10', 'optuna-random', 500)), 2.5);
    assert.equal(cost(job('hpobench', 'optuna-tpe', 200)), 12);
  });
  it('scales linearly with the BBOB dimension across BBOB groups', () => {
    assert.equal(cost(job('bbob-d20', 'optuna-tpe', 500)), 80);
    assert.equal(cost(job('bbob-d40', 'optuna-tpe', 250)), 40);
  });
  it('knows nothing of samplers or groups it has no comparable run of, nor of failed runs', () => {
    assert.equal(cost(job('classic', 'optuna-random', 100)), null);
    assert.equal(cost(job('bbob-d10', 'optuna-cmaes', 500)), null);
    assert.equal(cost(job('bbob-d10', 'optuna-qmc', 500)), null);
  });
});

describe('estimate', () => {
  it('sums by group and sampler, and counts the runs it cannot estimate', () => {
    const cost = costModel([rec('bbob-d10', 'optuna-tpe', 500, 36)]);
    const e = estimate(
      [
        job('bbob-d10', 'optuna-tpe', 500),
        job('bbob-d10', 'optuna-tpe', 500),
        job('bbob-d20', 'optuna-tpe', 500),
        job('classic', 'tansaku-random', 50),
      ],
      cost,
    );
    assert.deepEqual(e.rows, [
      { group: 'bbob-d10', sampler: 'optuna-tpe', runs: 2, seconds: 72 },
      { group: 'bbob-d20', sampler: 'optuna-tpe', runs: 1, seconds: 72 },
      { group: 'classic', sampler: 'tansaku-random', runs: 1, seconds: null },
    ]);
    assert.equal(e.totalSeconds, 144);
    assert.equal(e.unknownRuns, 1);
    const text = formatEstimate(e, 2).join('\n');
    assert.match(text, /classic +tansaku-random +1 runs {2}unknown/);
    assert.match(
      text,
      /estimated: ~0\.04 CPU hours of runs \(~0\.02 h of wall time with 2 worker\(s\) on free cores\), plus 1 run\(s\) with no comparable run/,
    );
  });
});
