/**
 * Tests of the BBOB port (bench/problems/bbob.ts). Hermetic: the COCO reference values come from the committed
 * fixture test/fixtures/bbob-reference-subset.json (made by scripts/make-bbob-fixture.mjs), never from the
 * shared benchmark data.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  BBOB_DIMENSIONS,
  BBOB_FUNCTION_NAMES,
  bbob2009ComputeFopt,
  bbob2009ComputeRotation,
  bbob2009ComputeXopt,
  bbob2009Gauss,
  bbob2009Unif,
  bbobProblem,
  bbobRseed,
} from '../problems/bbob.js';

interface FixtureProblem {
  id: string;
  function: number;
  instance: number;
  dimension: number;
  fopt: number;
  xopt: number[];
  points: { x: number[]; f: number }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/bbob-reference-subset.json', import.meta.url), 'utf8')) as {
  _source: string;
  problems: FixtureProblem[];
};

/** A small deterministic generator for test points (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const relErr = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('bbob: problem objects', () => {
  it('has the documented shape and COCO ids', () => {
    const p = bbobProblem(7, 3, 5);
    assert.equal(p.id, 'bbob_f007_i03_d05');
    assert.equal(p.fn, 7);
    assert.equal(p.instance, 3);
    assert.equal(p.dimension, 5);
    assert.equal(p.lower, -5);
    assert.equal(p.upper, 5);
    assert.equal(p.evaluationCost, 1);
    assert.ok(p.xopt instanceof Float64Array);
    assert.equal(p.xopt.length, 5);
    assert.match(p.name, /Step Ellipsoidal/);
    assert.equal(bbobProblem(24, 101, 40).id, 'bbob_f024_i101_d40');
    assert.equal(BBOB_FUNCTION_NAMES.length, 24);
    assert.deepEqual([...BBOB_DIMENSIONS], [2, 3, 5, 10, 20, 40]);
  });

  it('accepts arrays and typed arrays, does not modify x, and is deterministic', () => {
    for (let fn = 1; fn <= 24; fn++) {
      const p = bbobProblem(fn, 2, 5);
      const q = bbobProblem(fn, 2, 5);
      const x = [1.5, -2, 0.25, 3.75, -4.5];
      const copy = x.slice();
      const a = p.evaluate(x);
      assert.deepEqual(x, copy);
      assert.equal(p.evaluate(Float64Array.from(x)), a);
      assert.equal(p.evaluate(x), a, `f${fn}: second call differs`);
      assert.equal(q.evaluate(x), a, `f${fn}: a second problem object differs`);
      assert.ok(Number.isFinite(a));
    }
  });

  it('returns NaN when a coordinate is NaN, as COCO does', () => {
    for (let fn = 1; fn <= 24; fn++) assert.ok(Number.isNaN(bbobProblem(fn, 1, 3).evaluate([0, NaN, 1])));
  });

  it('exposes a copy of xopt: changing it does not change the function', () => {
    for (const fn of [5, 6, 24]) {
      const p = bbobProblem(fn, 1, 3);
      const x = [1, 2, -3];
      const before = p.evaluate(x);
      p.xopt.fill(0);
      assert.equal(p.evaluate(x), before);
      assert.notDeepEqual([...bbobProblem(fn, 1, 3).xopt], [0, 0, 0]);
    }
  });

  it('throws clear errors for invalid arguments', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => bbobProblem(0, 1, 2), /fn must be an integer from 1 to 24, got 0/],
      [() => bbobProblem(25, 1, 2), /fn .* got 25/],
      [() => bbobProblem(1.5, 1, 2), /fn .* got 1\.5/],
      [() => bbobProblem(Number.NaN, 1, 2), /fn .* got NaN/],
      [() => bbobProblem(1, 0, 2), /instance must be an integer from 1 to .*got 0/],
      [() => bbobProblem(1, -3, 2), /instance .* got -3/],
      [() => bbobProblem(1, 2.5, 2), /instance .* got 2\.5/],
      [() => bbobProblem(1, 1, 0), /dimension must be an integer from 2 to 44.* got 0/],
      [() => bbobProblem(1, 1, 1), /dimension .* got 1$/],
      [() => bbobProblem(1, 1, 45), /dimension .* got 45/],
      [() => bbobProblem(1, 1, 3).evaluate([1, 2]), /x must have length 3 .*got length 2/],
      [() => bbobProblem(1, 1, 3).evaluate([1, 2, 3, 4]), /x must have length 3 .*got length 4/],
      [() => bbobProblem(1, 1, 3).evaluate(undefined as unknown as number[]), /x must be an array of 3 numbers/],
    ];
    for (const [fn, re] of cases) {
      assert.throws(fn, (e: unknown) => e instanceof Error && re.test(e.message), String(re));
    }
  });
});

describe('bbob: the BBOB 2009 legacy generators', () => {
  it('maps instances to seeds as suite_bbob.c does (f4 uses f3, f18 uses f17)', () => {
    assert.equal(bbobRseed(1, 1), 10001);
    assert.equal(bbobRseed(3, 5), 50003);
    assert.equal(bbobRseed(4, 5), 50003);
    assert.equal(bbobRseed(17, 2), 20017);
    assert.equal(bbobRseed(18, 2), 20017);
    assert.equal(bbobRseed(24, 71), 710024);
    assert.equal(bbob2009ComputeFopt(4, 3), bbob2009ComputeFopt(3, 3));
    assert.equal(bbob2009ComputeFopt(18, 3), bbob2009ComputeFopt(17, 3));
  });

  it('draws uniform numbers in (0, 1), reproducibly', () => {
    const u = bbob2009Unif(1000, 12345);
    assert.deepEqual(u, bbob2009Unif(1000, 12345));
    for (const v of u) assert.ok(v > 0 && v < 1);
    const mean = u.reduce((s, v) => s + v, 0) / u.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05);
    assert.notDeepEqual(u, bbob2009Unif(1000, 12346));
    const g = bbob2009Gauss(2000, 7);
    const gm = g.reduce((s, v) => s + v, 0) / g.length;
    const gv = g.reduce((s, v) => s + (v - gm) ** 2, 0) / g.length;
    assert.ok(Math.abs(gm) < 0.1 && Math.abs(gv - 1) < 0.1);
  });

  it('puts xopt on the 8e-4 grid in [-4, 4] and fopt in [-1000, 1000] rounded to 0.01', () => {
    for (let inst = 1; inst <= 20; inst++) {
      for (const v of bbob2009ComputeXopt(bbobRseed(1, inst), 40)) {
        assert.ok(v >= -4 && v < 4);
        assert.ok(Math.abs((v + 4) / 8e-4 - Math.round((v + 4) / 8e-4)) < 1e-6 || v === -1e-5);
      }
      for (let fn = 1; fn <= 24; fn++) {
        const f = bbob2009ComputeFopt(fn, inst);
        assert.ok(f >= -1000 && f <= 1000);
        assert.ok(Math.abs(f * 100 - Math.round(f * 100)) < 1e-6);
      }
    }
  });

  it('makes orthogonal rotation matrices (R R^T = I and R^T R = I to 1e-12)', () => {
    for (const d of [2, 3, 5, 10, 20, 40]) {
      for (let inst = 1; inst <= 5; inst++) {
        for (const seed of [bbobRseed(15, inst), bbobRseed(15, inst) + 1000000]) {
          const r = bbob2009ComputeRotation(seed, d);
          let worst = 0;
          for (let i = 0; i < d; i++) {
            for (let j = 0; j < d; j++) {
              let rrt = 0;
              let rtr = 0;
              for (let k = 0; k < d; k++) {
                rrt += r[i * d + k] * r[j * d + k];
                rtr += r[k * d + i] * r[k * d + j];
              }
              const id = i === j ? 1 : 0;
              worst = Math.max(worst, Math.abs(rrt - id), Math.abs(rtr - id));
            }
          }
          assert.ok(worst < 1e-12, `d=${d} seed=${seed}: |R R^T - I| = ${worst}`);
        }
      }
    }
  });

  it('makes different rotation matrices for different instances (and the two rotations of one instance)', () => {
    for (const d of [2, 5, 20, 40]) {
      const mats = [1, 2, 3, 4, 5].map((inst) => bbob2009ComputeRotation(bbobRseed(10, inst), d));
      mats.push(bbob2009ComputeRotation(bbobRseed(10, 1) + 1000000, d));
      for (let a = 0; a < mats.length; a++) {
        for (let b = a + 1; b < mats.length; b++) {
          let diff = 0;
          for (let k = 0; k < d * d; k++) diff = Math.max(diff, Math.abs(mats[a][k] - mats[b][k]));
          assert.ok(diff > 1e-3, `d=${d}: matrices ${a} and ${b} are (nearly) equal`);
        }
      }
    }
  });
});

describe('bbob: optimum', () => {
  it('f(xopt) = fopt (1e-9 relative) for every function, instances 1-5, d = 2, 5, 10, 20, 40', () => {
    for (let fn = 1; fn <= 24; fn++) {
      for (let inst = 1; inst <= 5; inst++) {
        for (const d of [2, 5, 10, 20, 40]) {
          const p = bbobProblem(fn, inst, d);
          const f = p.evaluate(p.xopt);
          assert.ok(Math.abs(f - p.fopt) <= 1e-9 * Math.max(1, Math.abs(p.fopt)), `${p.id}: f(xopt) = ${f}, fopt = ${p.fopt}`);
          for (const v of p.xopt) assert.ok(v >= -5 && v <= 5, `${p.id}: xopt outside [-5, 5]`);
        }
      }
    }
  });

  it('fopt is not beaten at random points of [-5, 5]^d, nor next to xopt', () => {
    const next = rng(42);
    for (let fn = 1; fn <= 24; fn++) {
      for (const d of [2, 5, 10]) {
        const p = bbobProblem(fn, 1 + (fn % 5), d);
        const x = new Float64Array(d);
        for (let k = 0; k < 200; k++) {
          for (let i = 0; i < d; i++) x[i] = 10 * next() - 5;
          const f = p.evaluate(x);
          assert.ok(f >= p.fopt - 1e-9 * Math.max(1, Math.abs(p.fopt)), `${p.id}: f(${x}) = ${f} < fopt`);
        }
        for (let k = 0; k < 50; k++) {
          for (let i = 0; i < d; i++) x[i] = Math.max(-5, Math.min(5, p.xopt[i] + 1e-3 * (2 * next() - 1)));
          const f = p.evaluate(x);
          assert.ok(f >= p.fopt - 1e-9 * Math.max(1, Math.abs(p.fopt)), `${p.id}: f near xopt = ${f} < fopt`);
        }
      }
    }
  });

  it('instances differ in xopt and fopt', () => {
    for (let fn = 1; fn <= 24; fn++) {
      const a = bbobProblem(fn, 1, 10);
      const b = bbobProblem(fn, 2, 10);
      assert.notEqual(a.fopt, b.fopt, `f${fn}`);
      if (fn !== 5 && fn !== 20 && fn !== 24) {
        // f5, f20 and f24 draw only the signs of xopt, which may repeat
        assert.notDeepEqual([...a.xopt], [...b.xopt], `f${fn}`);
      }
      assert.notEqual(a.evaluate(new Float64Array(10).fill(1)), b.evaluate(new Float64Array(10).fill(1)));
    }
  });

  it('f5 linear slope: the optimum is a corner of the box, and the slope is flat beyond it', () => {
    for (let inst = 1; inst <= 5; inst++) {
      const p = bbobProblem(5, inst, 5);
      for (const v of p.xopt) assert.ok(v === 5 || v === -5);
      assert.equal(p.evaluate(p.xopt), p.fopt);
      const beyond = Array.from(p.xopt, (v) => v * 1.4);
      assert.equal(p.evaluate(beyond), p.fopt);
      for (let i = 0; i < 5; i++) {
        const inward = Array.from(p.xopt);
        inward[i] *= 0.9;
        assert.ok(p.evaluate(inward) > p.fopt);
      }
      const legacy = bbob2009ComputeXopt(bbobRseed(5, inst), 5);
      for (let i = 0; i < 5; i++) assert.equal(Math.sign(p.xopt[i]), Math.sign(legacy[i]));
    }
  });

  it('f7 step ellipsoid: f(xopt) = fopt exactly, with a plateau of rounding around it', () => {
    for (let inst = 1; inst <= 5; inst++) {
      const p = bbobProblem(7, inst, 10);
      assert.equal(p.evaluate(p.xopt), p.fopt);
      const x = Array.from(p.xopt, (v) => v + 1e-4);
      const f = p.evaluate(x);
      // only the 1e-5 |z_1| tie-breaker term is left near xopt
      assert.ok(f > p.fopt && f - p.fopt < 1e-7, `${p.id}: ${f - p.fopt}`);
    }
  });

  it('f8, f9, f19: the optimum is where COCO puts it (0.75 xopt, R^T 1 / 2 factor)', () => {
    for (let inst = 1; inst <= 5; inst++) {
      const p8 = bbobProblem(8, inst, 10);
      const legacy = bbob2009ComputeXopt(bbobRseed(8, inst), 10);
      for (let i = 0; i < 10; i++) assert.equal(p8.xopt[i], 0.75 * legacy[i]);
      assert.equal(p8.evaluate(p8.xopt), p8.fopt);
      for (const fn of [9, 19]) {
        const p = bbobProblem(fn, inst, 10);
        const r = bbob2009ComputeRotation(bbobRseed(fn, inst), 10);
        for (let j = 0; j < 10; j++) {
          let s = 0;
          for (let i = 0; i < 10; i++) s += r[i * 10 + j];
          assert.ok(Math.abs(p.xopt[j] - s / 2) < 1e-15);
        }
      }
    }
  });

  it('f20 Schwefel: xopt = +-4.2096874633/2 with random signs, f(xopt) = fopt', () => {
    for (let inst = 1; inst <= 5; inst++) {
      const p = bbobProblem(20, inst, 10);
      for (const v of p.xopt) assert.ok(Math.abs(Math.abs(v) - 4.2096874633 / 2) < 1e-12);
      assert.ok(Math.abs(p.evaluate(p.xopt) - p.fopt) < 1e-12);
      assert.ok(Math.abs(p.fopt - bbob2009ComputeFopt(20, inst)) < 1e-13);
    }
  });

  it('f21, f22 Gallagher: xopt is the highest peak, f(xopt) = fopt up to rounding', () => {
    for (const fn of [21, 22]) {
      for (let inst = 1; inst <= 5; inst++) {
        const p = bbobProblem(fn, inst, 10);
        const f = p.evaluate(p.xopt);
        assert.ok(f >= p.fopt && f - p.fopt < 1e-12, `${p.id}: ${f - p.fopt}`);
        assert.equal(p.fopt, bbob2009ComputeFopt(fn, inst));
      }
    }
  });

  it('f24 Lunacek: xopt = +-mu0/2 = +-1.25 with signs from a Gaussian, f(xopt) = fopt exactly', () => {
    for (let inst = 1; inst <= 5; inst++) {
      const p = bbobProblem(24, inst, 10);
      const g = bbob2009Gauss(10, bbobRseed(24, inst));
      for (let i = 0; i < 10; i++) assert.equal(p.xopt[i], g[i] < 0 ? -1.25 : 1.25);
      assert.equal(p.evaluate(p.xopt), p.fopt);
    }
  });

  it('f4 Bueche-Rastrigin: xopt of f3 with |.| on the odd (1-based) coordinates, penalty outside the box', () => {
    const p3 = bbobProblem(3, 2, 5);
    const p4 = bbobProblem(4, 2, 5);
    for (let i = 0; i < 5; i++) assert.equal(p4.xopt[i], i % 2 === 0 ? Math.abs(p3.xopt[i]) : p3.xopt[i]);
    assert.equal(p4.fopt, p3.fopt);
    const inside = Array.from(p4.xopt);
    inside[1] = 5;
    const outside = Array.from(p4.xopt);
    outside[1] = 6;
    assert.ok(p4.evaluate(outside) > p4.evaluate(inside));
  });
});

describe('bbob: COCO reference values (committed subset)', () => {
  it('has the expected subset and attribution', () => {
    assert.match(fixture._source, /COCO/);
    assert.match(fixture._source, /BSD/);
    assert.equal(fixture.problems.length, 24 * 2 * 3);
  });

  it('matches fopt, xopt and every f value (1e-10 relative)', () => {
    let worst = 0;
    let worstId = '';
    for (const ref of fixture.problems) {
      const p = bbobProblem(ref.function, ref.instance, ref.dimension);
      assert.equal(p.id, ref.id);
      assert.ok(relErr(p.fopt, ref.fopt) <= 1e-15, `${ref.id}: fopt ${p.fopt} vs ${ref.fopt}`);
      for (let i = 0; i < ref.dimension; i++) {
        assert.ok(Math.abs(p.xopt[i] - ref.xopt[i]) <= 1e-12, `${ref.id}: xopt[${i}] ${p.xopt[i]} vs ${ref.xopt[i]}`);
      }
      assert.equal(ref.points.length, 6);
      assert.deepEqual(ref.points[0].x, new Array(ref.dimension).fill(0));
      for (const pt of ref.points) {
        const e = relErr(p.evaluate(pt.x), pt.f);
        assert.ok(e <= 1e-10, `${ref.id}: f(${pt.x}) = ${p.evaluate(pt.x)}, COCO ${pt.f} (relative error ${e})`);
        if (e > worst) {
          worst = e;
          worstId = ref.id;
        }
      }
    }
    assert.ok(worst <= 1e-10, `worst ${worst} at ${worstId}`);
  });
});
