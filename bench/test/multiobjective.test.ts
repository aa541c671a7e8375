/** Tests of ZDT1–3 and DTLZ1–2 (bench/problems/multiobjective.ts): definitions, fronts, hypervolumes. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  dtlz1,
  dtlz2,
  dtlzProblems,
  unitBallVolume,
  ZDT3_OPTIMAL_HYPERVOLUME,
  zdt1,
  zdt2,
  zdt3,
  zdt3OptimalHypervolume,
  zdtProblems,
  type MultiObjectiveBenchmarkProblem,
} from '../problems/multiobjective.js';
import { InvalidArgumentError } from 'tansaku';
import { hypervolume, Rng } from 'tansaku/extend';
import { RandomParams, xParams } from './param-source.js';

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (± ${tol})`);
}
function closeVec(a: readonly number[], b: readonly number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => {
    close(v, b[i], tol, `${what}[${i}]`);
  });
}

const all: MultiObjectiveBenchmarkProblem[] = [...zdtProblems(), ...dtlzProblems()];

describe('multi-objective problems', () => {
  it('groups, ids, dimensions, directions and reference points', () => {
    assert.deepEqual(
      zdtProblems().map((p) => p.id),
      ['zdt1_n30', 'zdt2_n30', 'zdt3_n30'],
    );
    assert.deepEqual(
      dtlzProblems().map((p) => p.id),
      ['dtlz1_m2_k5', 'dtlz2_m2_k10', 'dtlz1_m3_k5', 'dtlz2_m3_k10'],
    );
    assert.deepEqual(
      dtlzProblems().map((p) => p.dimension),
      [6, 11, 7, 12],
    ); // n = M + k − 1
    for (const p of all) {
      assert.equal(p.group, p.id.startsWith('zdt') ? 'zdt' : 'dtlz');
      assert.deepEqual(p.directions, new Array(p.objectives).fill('minimize'));
      assert.equal(p.referencePoint.length, p.objectives);
      assert.equal(p.optimum, undefined);
      assert.equal(p.lastCost(), 1);
    }
    // BoTorch's reference points (a tight one, (1.1, 1.1) for ZDT, is dominated by nothing at HPO budgets).
    assert.deepEqual(zdt1().referencePoint, [11, 11]);
    assert.deepEqual(zdt3().referencePoint, [11, 11]);
    assert.deepEqual(dtlz1().referencePoint, [400, 400, 400]);
    assert.deepEqual(dtlz2().referencePoint, [1.1, 1.1, 1.1]);
    assert.equal(zdt2({ variables: 10 }).dimension, 10);
    assert.equal(zdtProblems({ variables: 5 })[2].id, 'zdt3_n5');
  });

  it('evaluate asks x0..x{n-1} in [0, 1] and returns one value per objective', () => {
    const rng = new Rng(1);
    for (const p of all) {
      const src = new RandomParams(rng);
      const v = p.evaluate(src, rng) as number[];
      assert.equal(v.length, p.objectives);
      assert.deepEqual(src.order, p.parameterNames);
      for (const name of src.order) assert.deepEqual(src.asked.get(name), { kind: 'float', low: 0, high: 1, log: false, step: null });
    }
  });

  it('ZDT values derived by hand', () => {
    const half = new Array(30).fill(0.5); // f1 = 0.5, g = 1 + 9/29 · 14.5 = 5.5
    closeVec(zdt1().f(half), [0.5, 5.5 - Math.sqrt(2.75)], 1e-13, 'zdt1');
    closeVec(zdt2().f(half), [0.5, 5.5 - 0.25 / 5.5], 1e-13, 'zdt2');
    closeVec(zdt3().f(half), [0.5, 5.5 - Math.sqrt(2.75) - 0.5 * Math.sin(5 * Math.PI)], 1e-13, 'zdt3');
    const ones = new Array(30).fill(1); // g = 10, f1 = 1
    closeVec(zdt1().f(ones), [1, 10 - Math.sqrt(10)], 1e-13, 'zdt1 ones');
    closeVec(zdt1().evaluate(xParams(ones), new Rng(0)) as number[], [1, 10 - Math.sqrt(10)], 1e-13, 'zdt1 via evaluate');
  });

  it('DTLZ values derived by hand', () => {
    // DTLZ1, M = 3, all 0.5: g = 100 (5 + Σ(0 − cos 0)) = 0; f = ½ (x1 x2, x1 (1 − x2), 1 − x1)
    closeVec(dtlz1().f(new Array(7).fill(0.5)), [0.125, 0.125, 0.25], 1e-13, 'dtlz1 half');
    // all 0: each term 0.25 − cos(−10π) = −0.75, g = 100 (5 − 3.75) = 125; f = ½ · 126 · (0, 0, 1)
    closeVec(dtlz1().f(new Array(7).fill(0)), [0, 0, 63], 1e-9, 'dtlz1 zeros');
    // DTLZ2, M = 2: all 0.5 → g = 0, f = (cos π/4, sin π/4); all 0 → g = 10 · 0.25, f = (3.5, 0)
    closeVec(dtlz2({ objectives: 2 }).f(new Array(11).fill(0.5)), [Math.SQRT1_2, Math.SQRT1_2], 1e-15, 'dtlz2 half');
    closeVec(dtlz2({ objectives: 2 }).f(new Array(11).fill(0)), [3.5, 0], 1e-15, 'dtlz2 zeros');
    // M = 3 at x = (0, 1, ½…): f = (cos 0 cos π/2, cos 0 sin π/2, sin 0) = (0, 1, 0)
    closeVec(dtlz2().f([0, 1, ...new Array(10).fill(0.5)]), [0, 1, 0], 1e-15, 'dtlz2 corner');
  });

  it('Pareto-set points lie on the stated fronts', () => {
    for (const a of [0, 0.1, 0.37, 0.5, 0.9, 1]) {
      closeVec(zdt1().f(zdt1().paretoSetPoint([a])), [a, 1 - Math.sqrt(a)], 1e-15, 'zdt1 front');
      closeVec(zdt2().f(zdt2().paretoSetPoint([a])), [a, 1 - a * a], 1e-15, 'zdt2 front');
      closeVec(zdt3().f(zdt3().paretoSetPoint([a])), [a, 1 - Math.sqrt(a) - a * Math.sin(10 * Math.PI * a)], 1e-15, 'zdt3');
    }
    for (const p of dtlzProblems()) {
      for (const f of p.paretoFront(7)) {
        if (p.id.startsWith('dtlz1'))
          close(
            f.reduce((s, v) => s + v, 0),
            0.5,
            1e-12,
            `${p.id} Σf`,
          );
        else close(Math.hypot(...f), 1, 1e-12, `${p.id} |f|`);
      }
    }
  });

  it('ZDT3 front sample is non-dominated and lies in the five known pieces', () => {
    const front = zdt3().paretoFront(20001);
    const pieces = [
      [0, 0.0830015349],
      [0.182228728, 0.2577623634],
      [0.4093136748, 0.4538821041],
      [0.6183967944, 0.6525117038],
      [0.8233317983, 0.8518328654],
    ];
    for (const [f1] of front)
      assert.ok(
        pieces.some(([lo, hi]) => f1 >= lo - 1e-4 && f1 <= hi + 1e-4),
        `f1 = ${f1}`,
      );
    for (const [lo, hi] of pieces)
      assert.ok(
        front.some(([f1]) => f1 >= lo && f1 <= hi),
        `no point in [${lo}, ${hi}]`,
      );
    for (let i = 1; i < front.length; i++) assert.ok(front[i][0] > front[i - 1][0] && front[i][1] < front[i - 1][1]);
  });

  it('optimal hypervolumes: closed forms, and the hypervolume of a dense true front approaches them from below', () => {
    const tight = { referencePoint: [1.1, 1.1] };
    close(zdt1(tight).optimalHypervolume, 263 / 300, 1e-15, 'zdt1 HV* at (1.1, 1.1)');
    close(zdt2(tight).optimalHypervolume, 163 / 300, 1e-15, 'zdt2 HV* at (1.1, 1.1)');
    close(zdt1().optimalHypervolume, 362 / 3, 1e-12, 'zdt1 HV* at (11, 11)');
    close(zdt2().optimalHypervolume, 361 / 3, 1e-12, 'zdt2 HV* at (11, 11)');
    close(dtlz1({ objectives: 2, referencePoint: [1, 1] }).optimalHypervolume, 1 - 0.125, 1e-15, 'dtlz1 M=2 at 1');
    close(dtlz1({ referencePoint: [1, 1, 1] }).optimalHypervolume, 1 - 0.125 / 6, 1e-15, 'dtlz1 M=3 at 1');
    close(dtlz1({ objectives: 2 }).optimalHypervolume, 400 ** 2 - 0.125, 1e-15, 'dtlz1 M=2 at 400');
    close(dtlz1().optimalHypervolume, 400 ** 3 - 0.125 / 6, 1e-15, 'dtlz1 M=3 at 400');
    close(dtlz2({ objectives: 2 }).optimalHypervolume, 1.21 - Math.PI / 4, 1e-15, 'dtlz2 M=2');
    close(dtlz2().optimalHypervolume, 1.331 - Math.PI / 6, 1e-15, 'dtlz2 M=3');
    close(unitBallVolume(3), (4 / 3) * Math.PI, 1e-15, 'V3');
    close(unitBallVolume(4), Math.PI ** 2 / 2, 1e-15, 'V4');
    // dense fronts: 2 objectives 20001 points (staircase error ~1e-4), 3 objectives 41 × 41 (~3e-2)
    for (const p of all) {
      const per = p.objectives === 2 ? 20001 : 41;
      const hv = hypervolume(p.paretoFront(per), p.referencePoint);
      const tol = p.objectives === 2 ? 2e-4 : 4e-2;
      assert.ok(
        hv <= p.optimalHypervolume + 1e-12 && hv > p.optimalHypervolume - tol,
        `${p.id}: front HV ${hv} vs HV* ${p.optimalHypervolume}`,
      );
    }
  });

  it('ZDT3: the stated constant agrees with a recomputation, and with other reference points', () => {
    close(zdt3OptimalHypervolume([1.1, 1.1]), ZDT3_OPTIMAL_HYPERVOLUME, 1e-9, 'recomputed, 1e6 intervals (error ~2e-10)');
    // HV*(r) = ∫₀¹ (r2 − m(a)) da + (r1 − 1)(r2 − m1), m1 = min of the front curve ≈ −0.7733690123;
    // against r = (1.1, 1.1) it grows by (r2 − 1.1)·1 + (r1 − 1)(r2 − m1) − 0.1·(1.1 − m1).
    const m1 = zdt3()
      .paretoFront(200001)
      .reduce((m, f) => Math.min(m, f[1]), Infinity);
    close(m1, -0.7733690123, 1e-8, 'min f2 of the front (grid of 200001)');
    const r = [1.5, 2];
    const p = zdt3({ referencePoint: r, variables: 4 });
    const expected = ZDT3_OPTIMAL_HYPERVOLUME + (r[1] - 1.1) + (r[0] - 1) * (r[1] - m1) - 0.1 * (1.1 - m1);
    close(p.optimalHypervolume, expected, 3e-8, 'other reference point');
    const r11 = [11, 11];
    close(
      zdt3().optimalHypervolume,
      ZDT3_OPTIMAL_HYPERVOLUME + (r11[1] - 1.1) + (r11[0] - 1) * (r11[1] - m1) - 0.1 * (1.1 - m1),
      3e-8,
      'the default (11, 11)',
    );
  });

  it('random points never beat the optimal hypervolume, alone or added to the true front', () => {
    const rng = new Rng(99);
    for (const p of all) {
      const pts: number[][] = [];
      for (let k = 0; k < 300; k++) pts.push(p.evaluate(new RandomParams(rng), rng) as number[]);
      // near-optimal points too: Pareto-set points with a small perturbation of the distance variables
      for (let k = 0; k < 100; k++) {
        const x = p.paretoSetPoint(Array.from({ length: p.objectives - 1 }, () => rng.random()));
        const i = p.objectives - 1 + rng.integer(0, p.dimension - p.objectives);
        x[i] = Math.min(1, Math.max(0, x[i] + (rng.random() - 0.5) * 0.02));
        pts.push(p.f(x));
      }
      assert.ok(hypervolume(pts, p.referencePoint) <= p.optimalHypervolume, p.id);
      if (p.objectives === 2) {
        const both = [...p.paretoFront(2001), ...pts];
        assert.ok(hypervolume(both, p.referencePoint) <= p.optimalHypervolume + 1e-12, `${p.id} with front`);
      }
    }
  });

  it('rejects bad options with InvalidArgumentError', () => {
    assert.throws(() => zdt1({ variables: 1 }), InvalidArgumentError);
    assert.throws(() => zdt2({ referencePoint: [0.9, 1.1] }), /referencePoint/);
    assert.throws(() => dtlz1({ objectives: 1 }), InvalidArgumentError);
    assert.throws(() => dtlz2({ k: 0 }), InvalidArgumentError);
    assert.throws(() => dtlz2({ referencePoint: [1.1, 1.1] }), /3 finite numbers/);
    assert.throws(() => zdt1().f([0.5]), /length 30/);
    assert.throws(() => dtlz1().paretoSetPoint([0.5]), InvalidArgumentError);
  });
});
