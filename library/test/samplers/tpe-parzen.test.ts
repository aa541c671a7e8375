// The Parzen estimator against Optuna 3.1's (test/fixtures/parzen-reference.json, made by
// scripts/make-parzen-reference.py with Debian's python3-optuna): mixture weights, kernel means and
// sigmas, categorical kernels, and the log-density at 100 points, univariate and multivariate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Rng, validateSearchSpace, type Distribution } from '../../src/extend.js';
import { ParzenEstimator, type ParzenOptions } from '../../src/samplers/tpe/parzen-estimator.js';
import { parsePythonJson } from '../../src/storage/journal-format.js';

interface Fixture {
  space: Record<string, unknown>;
  multivariate: boolean;
  observations: Record<string, number[]>;
  observationWeights: number[];
  weights: number[];
  kernels: Record<string, { mus?: number[]; sigmas?: number[]; probabilities?: number[][] }>;
  points: Record<string, number[]>;
  logPdf: number[];
}
const FIXTURES = parsePythonJson(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'parzen-reference.json'), 'utf8')) as Fixture[];
const OPTUNA_3_1: Omit<ParzenOptions, 'multivariate'> = {
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  scaleTerm: false,
};

function near(got: ArrayLike<number>, want: readonly number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    assert.ok(error <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** Categorical values as Optuna passes them (indices); the space's choices as Tansaku holds them. */
function spaceOf(f: Fixture): Record<string, Distribution> {
  return validateSearchSpace(f.space);
}

describe('ParzenEstimator', () => {
  it('equals Optuna 3.1 to 1e-9 on 24 fixtures: weights, means, sigmas, categorical kernels, log-density at 100 points', () => {
    assert.ok(FIXTURES.length >= 20);
    const kinds = new Set<string>();
    for (const [i, f] of FIXTURES.entries()) {
      const space = spaceOf(f);
      for (const d of Object.values(space))
        kinds.add(
          d.type === 'float' || d.type === 'int'
            ? `${d.type}${d.log ? '-log' : ''}${d.step !== null && d.type === 'float' ? '-step' : ''}`
            : d.type,
        );
      const pe = new ParzenEstimator(f.observations, space, f.observationWeights, { ...OPTUNA_3_1, multivariate: f.multivariate });
      const what = `fixture ${i} (${Object.keys(space).join(', ')}, ${f.multivariate ? 'multivariate' : 'univariate'}, ${f.observationWeights.length} observations)`;
      near(pe.weights, f.weights, 1e-12, `${what} weights`);
      for (const [name, k] of Object.entries(f.kernels)) {
        const mine = pe.kernels[name];
        if (k.probabilities) {
          assert.equal(mine.kind, 'categorical');
          if (mine.kind === 'categorical')
            for (const [j, row] of k.probabilities.entries()) near(mine.probabilities[j], row, 1e-12, `${what} ${name} kernel ${j}`);
        } else {
          assert.equal(mine.kind, 'numerical');
          if (mine.kind === 'numerical') {
            near(mine.mus, k.mus!, 1e-12, `${what} ${name} mus`);
            near(mine.sigmas, k.sigmas!, 1e-12, `${what} ${name} sigmas`);
          }
        }
      }
      near(pe.logPdf(f.points), f.logPdf, 1e-9, `${what} logPdf`);
    }
    assert.deepEqual([...kinds].sort(), ['categorical', 'float', 'float-log', 'float-step', 'int', 'int-log'], 'every kind is covered');
  });

  it('samples on the distributions grids, inside their ranges, from its own kernels', () => {
    const f = FIXTURES.find((x) => Object.keys(x.space).length === 3 && !x.multivariate)!;
    const space = spaceOf(f);
    const pe = new ParzenEstimator(f.observations, space, f.observationWeights, { ...OPTUNA_3_1, multivariate: false });
    const draws = pe.sample(new Rng(3), 500, space);
    for (const [name, d] of Object.entries(space)) {
      for (const v of draws[name]) {
        if (d.type === 'categorical') assert.ok(Number.isInteger(v) && v >= 0 && v < d.choices.length);
        else if (d.type === 'float' || d.type === 'int') {
          assert.ok(v >= d.low && v <= d.high, `${name}: ${v}`);
          if (d.type === 'int') assert.ok(Number.isInteger(v));
          if (d.type === 'float' && d.step !== null)
            assert.ok(Math.abs(((v - d.low) / d.step) % 1) < 1e-9 || Math.abs(((v - d.low) / d.step) % 1) > 1 - 1e-9);
        }
      }
    }
    // Draws concentrate where the density is high: their mean log-density beats that of points drawn uniformly.
    const mean = (a: Float64Array) => a.reduce((sum, v) => sum + v, 0) / a.length;
    const uniform = new Rng(4);
    const flat: Record<string, Float64Array> = {};
    for (const [name, d] of Object.entries(space)) {
      flat[name] = Float64Array.from({ length: 500 }, () => {
        if (d.type === 'categorical') return Math.floor(uniform.random() * d.choices.length);
        if (d.type !== 'float' && d.type !== 'int') throw new Error('not in the fixture');
        const u = d.log
          ? Math.exp(Math.log(d.low) + uniform.random() * (Math.log(d.high) - Math.log(d.low)))
          : d.low + uniform.random() * (d.high - d.low);
        const step = d.type === 'int' ? (d.log ? 1 : d.step) : d.step;
        return step === null ? u : Math.min(d.high, Math.round((u - d.low) / step) * step + d.low);
      });
    }
    assert.ok(mean(pe.logPdf(draws)) > mean(pe.logPdf(flat)), 'draws follow the density');
  });

  it('is a density: a continuous mixture integrates to 1 with the scale term, and not without it (Optuna 3.1)', () => {
    const space = validateSearchSpace({ x: { type: 'float', low: -2, high: 3, log: false, step: null } });
    const observations = { x: [0.1, 0.15, 0.2, 2.5] };
    const integral = (scaleTerm: boolean): number => {
      const pe = new ParzenEstimator(observations, space, [1, 1, 1, 1], { ...OPTUNA_3_1, multivariate: false, scaleTerm });
      const n = 20_000;
      const xs = Float64Array.from({ length: n }, (_, i) => -2 + ((i + 0.5) * 5) / n);
      return pe.logPdf({ x: xs }).reduce((sum, lp) => sum + Math.exp(lp) * (5 / n), 0);
    };
    assert.ok(Math.abs(integral(true) - 1) < 1e-6, `integral ${integral(true)}`);
    assert.ok(Math.abs(integral(false) - 1) > 0.1, `Optuna 3.1's integral ${integral(false)}`);
  });
});
