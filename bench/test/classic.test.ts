/** Tests of the classic functions (bench/problems/classic.ts): optima, fixed points derived by hand, bounds. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  ackley,
  branin,
  classicProblems,
  HARTMANN3_PUBLISHED,
  HARTMANN6_PUBLISHED,
  hartmann3,
  hartmann6,
  levy,
  rosenbrock,
  STYBLINSKI_TANG_XOPT,
  styblinskiTang,
  type ContinuousBenchmarkProblem,
} from '../problems/classic.js';
import { InvalidArgumentError } from 'tansaku';
import { Rng } from 'tansaku/extend';
import { RandomParams, xParams } from './param-source.js';

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} ± ${tol}`);
}

const all: ContinuousBenchmarkProblem[] = [...classicProblems({ dimensions: [2, 5, 10] }), ackley(1), levy(1), styblinskiTang(1)];

describe('classic problems', () => {
  it('the group holds Branin, Hartmann3/6 and the four scalable functions per dimension', () => {
    const ids = classicProblems().map((p) => p.id);
    assert.deepEqual(ids, [
      'branin',
      'hartmann3',
      'hartmann6',
      'rosenbrock_d05',
      'ackley_d05',
      'levy_d05',
      'styblinski_tang_d05',
      'rosenbrock_d10',
      'ackley_d10',
      'levy_d10',
      'styblinski_tang_d10',
    ]);
    for (const p of classicProblems()) {
      assert.equal(p.group, 'classic');
      assert.deepEqual(p.directions, ['minimize']);
      assert.equal(p.lastCost(), 1);
    }
  });

  it('f(x*) = f* at every known minimiser', () => {
    for (const p of all) {
      for (const m of p.minimizers) {
        const tol = 1e-12 * Math.max(1, Math.abs(p.optimum)) + (p.id.startsWith('ackley') ? 1e-15 : 0);
        close(p.f(m), p.optimum, tol, `${p.id} at ${JSON.stringify(m)}`);
        close(p.evaluate(xParams(m), new Rng(1)) as number, p.optimum, tol, `${p.id} via evaluate`);
      }
    }
  });

  it('f >= f* at many random points of the domain, asked as x0..x{d-1} over the stated bounds', () => {
    const rng = new Rng(42);
    for (const p of all) {
      for (let k = 0; k < 500; k++) {
        const src = new RandomParams(rng);
        const v = p.evaluate(src, rng) as number;
        assert.ok(v >= p.optimum - 1e-12 * Math.max(1, Math.abs(p.optimum)), `${p.id}: ${v} < ${p.optimum}`);
        if (k === 0) {
          assert.deepEqual(src.order, p.parameterNames);
          src.order.forEach((name, i) => {
            assert.deepEqual(src.asked.get(name), { kind: 'float', low: p.lower[i], high: p.upper[i], log: false, step: null });
          });
        }
      }
    }
  });

  it('minimisers lie inside the domain', () => {
    for (const p of all) {
      for (const m of p.minimizers)
        m.forEach((v, i) => {
          assert.ok(v >= p.lower[i] && v <= p.upper[i], `${p.id} x${i}`);
        });
    }
  });

  it('Branin: f* = 5/(4π), three minimisers, domain [-5,10]x[0,15], value at the origin', () => {
    const p = branin();
    close(p.optimum, 0.3978873577297384, 1e-16, 'f*');
    close(p.optimum, 0.397887, 5e-7, 'published 0.397887');
    assert.deepEqual(
      [p.lower, p.upper],
      [
        [-5, 0],
        [10, 15],
      ],
    );
    const expected = [
      [-Math.PI, 12.275],
      [Math.PI, 2.275],
      [3 * Math.PI, 2.475],
    ];
    p.minimizers.forEach((m, i) => {
      close(m[0], expected[i][0], 1e-15, 'x1');
      close(m[1], expected[i][1], 1e-13, 'x2');
    });
    // origin: (0 - 0 + 0 - 6)^2 + 10 (1 - 1/(8π)) cos 0 + 10 = 56 - 1.25/π
    close(p.f([0, 0]), 56 - 1.25 / Math.PI, 1e-13, 'f(0,0)');
    // (π, 0): u = -2.275, cos π = -1: 2.275^2 + 5/(4π)
    close(p.f([Math.PI, 0]), 2.275 ** 2 + 5 / (4 * Math.PI), 1e-13, 'f(π,0)');
  });

  it('Hartmann3/6: published minimisers give the published values; refined optima are local minima', () => {
    for (const [p, pub, digits] of [
      [hartmann3(), HARTMANN3_PUBLISHED, 5e-6],
      [hartmann6(), HARTMANN6_PUBLISHED, 5e-6],
    ] as const) {
      close(p.f(pub.x), pub.f, digits, `${p.id} at the published x*`);
      close(p.optimum, pub.f, digits, `${p.id} optimum vs published`);
      assert.ok(p.f(pub.x) >= p.optimum, 'refined optimum is at least as low as the published one');
      const x = p.minimizers[0];
      for (let j = 0; j < x.length; j++) {
        for (const h of [1e-4, -1e-4, 1e-6, -1e-6]) {
          const y = [...x];
          y[j] += h;
          assert.ok(p.f(y) >= p.optimum, `${p.id}: moving x${j} by ${h} lowers f`);
        }
      }
      // the minimiser agrees with the published one to its precision
      x.forEach((v, j) => {
        close(v, pub.x[j], p.id === 'hartmann3' && j === 0 ? 3e-5 : 1e-5, `${p.id} x${j}`);
      });
    }
    close(hartmann6().optimum, -3.322368011415512, 1e-14, 'STK/DiceKriging value');
  });

  it('Hartmann: f is −Σα at none of the centres but close to −α_i near a far-off centre', () => {
    // At the 4th centre of Hartmann3, P4 = (0.0381, 0.5743, 0.8828), the 4th term is exp(0)·3.2 and the
    // others are small but positive: f < −3.2 and f > −3.2 − (1 + 1.2 + 3).
    const v = hartmann3().f([0.0381, 0.5743, 0.8828]);
    assert.ok(v < -3.2 && v > -3.2 - 5.2, String(v));
  });

  it('Rosenbrock: hand values', () => {
    assert.equal(rosenbrock(2).f([1, 2]), 100);
    assert.equal(rosenbrock(2).f([-1, 1]), 4);
    assert.equal(rosenbrock(5).f([0, 0, 0, 0, 0]), 4);
    assert.deepEqual([rosenbrock(3).lower[0], rosenbrock(3).upper[0]], [-5, 10]);
  });

  it('Ackley: hand values', () => {
    // at (1,…,1): -20 e^{-0.2} - e^{1} + 20 + e = 20 (1 - e^{-0.2})
    close(ackley(4).f([1, 1, 1, 1]), 20 * (1 - Math.exp(-0.2)), 1e-13, 'ackley(1..1)');
    // at (0.5, 0.5): -20 e^{-0.1} - e^{-1} + 20 + e
    close(ackley(2).f([0.5, 0.5]), -20 * Math.exp(-0.1) - Math.exp(-1) + 20 + Math.E, 1e-13, 'ackley(.5,.5)');
    assert.equal(ackley(3).upper[0], 32.768);
  });

  it('Levy: hand values', () => {
    // d=1, x=0: w=0.75: sin²(0.75π) + (−0.25)²(1 + sin²(1.5π)) = 0.5 + 0.125
    close(levy(1).f([0]), 0.625, 1e-15, 'levy(0)');
    // d=2, x=(1,0): 0 + 0 + (−0.25)²(1 + 1) = 0.125
    close(levy(2).f([1, 0]), 0.125, 1e-15, 'levy(1,0)');
    // d=2, x=(5,1): w=(2,1): sin²(2π) + 1·(1 + 10 sin²(2π + 1)) + 0 = 1 + 10 sin²(1)
    close(levy(2).f([5, 1]), 1 + 10 * Math.sin(1) ** 2, 1e-13, 'levy(5,1)');
  });

  it('Styblinski-Tang: exact optimum, hand values, the published constants', () => {
    close(4 * STYBLINSKI_TANG_XOPT ** 3 - 32 * STYBLINSKI_TANG_XOPT + 5, 0, 1e-12, 'stationary');
    close(STYBLINSKI_TANG_XOPT, -2.903534, 5e-7, 'published x*');
    const p = styblinskiTang(3);
    close(p.optimum, -39.16616570377142 * 3, 1e-11, 'f*');
    // the library's −39.16599·d is the value rounded badly: it is above the true minimum by 1.7e-4·d
    assert.ok(p.optimum < -39.16599 * 3);
    assert.equal(p.f([0, 0, 0]), 0);
    assert.equal(p.f([1, 2, 0]), -5 - 19); // ½(1−16+5) + ½(16−64+10)
  });

  it('rejects bad dimensions and bad points with InvalidArgumentError', () => {
    assert.throws(() => rosenbrock(1), InvalidArgumentError);
    assert.throws(() => ackley(0), InvalidArgumentError);
    assert.throws(() => levy(2.5), InvalidArgumentError);
    assert.throws(() => branin().f([1, 2, 3]), /length 2/);
  });
});
