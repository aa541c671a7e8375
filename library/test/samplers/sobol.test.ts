/**
 * Sobol' sequence: unscrambled points equal SciPy's, the scrambling arithmetic equals SciPy's, and
 * scrambled points keep the stratification that makes the sequence worth using.
 *
 * SciPy's values come from test/fixtures/reference/scipy-qmc.json, made by scripts/make-sobol-reference.py
 * with SciPy 1.10.1 (Debian python3-scipy), `scipy.stats.qmc.Sobol` with the default 30 bits; the tests
 * never call Python. Every assert.ok carries a message: without one, a
 * failing assert.ok makes Node parse the test source to describe the expression, which under tsx can take
 * minutes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  SOBOL_BITS,
  SOBOL_MAX_DIMENSION,
  SOBOL_MAX_POINTS,
  SobolSequence,
  linearMatrixScramble,
  sobolDirectionNumbers,
  sobolScramble,
} from '../../src/samplers/qmc/sobol.js';

/** SciPy's values, recorded by scripts/make-sobol-reference.py (see test/fixtures/reference/scipy-qmc.json). */
const SCIPY = JSON.parse(readFileSync(new URL('../fixtures/reference/scipy-qmc.json', import.meta.url), 'utf8')) as {
  /** `Sobol(d, scramble=False).random(64) * 64`: point i is row i, coordinates k/64. */
  first64: Record<string, number[][]>;
  /** `Sobol(d, scramble=False)`, `fast_forward(i)`, then `random(1)`: point i. */
  largeIndexPoints: Record<string, Record<string, number[]>>;
  /** Coordinates 1100..1110 (the last ones) of point 12345 of `Sobol(1111, scramble=False)`. */
  d1111Point12345Tail: number[];
  lms: {
    /** Rows of SciPy's `ltm` (np.tril of rng.integers(0, 2, (3, 30, 30)), default_rng(20240601)), unit diagonal, as bitmasks. */
    matrixRows: number[][];
    /** `_sv` of `Sobol(3, scramble=False)` after SciPy's `_cscramble(3, 30, ltm, sv)` with the matrices above. */
    scrambledDirectionNumbers: number[][];
  };
};
const FIRST_64 = (d: number): number[][] => SCIPY.first64[String(d)].map((row) => row.map((k) => k / 64));
const LARGE_INDEX_POINTS = (d: number): Record<string, number[]> => SCIPY.largeIndexPoints[String(d)];
const D1111_POINT_12345_TAIL = SCIPY.d1111Point12345Tail;
const LMS_MATRIX_ROWS = SCIPY.lms.matrixRows;
const LMS_SCRAMBLED_DIRECTION_NUMBERS = SCIPY.lms.scrambledDirectionNumbers;

/** Index of the interval [k/2^m, (k+1)/2^m) holding x. */
function stratum(x: number, m: number): number {
  return Math.floor(x * 2 ** m);
}

describe('SobolSequence, unscrambled', () => {
  for (const d of [1, 2, 5, 40]) {
    it(`equals scipy.stats.qmc.Sobol(${d}, scramble=False) on the first 64 points`, () => {
      const expected = FIRST_64(d);
      assert.equal(expected.length, 64);
      assert.equal(expected[0].length, d);
      const sobol = new SobolSequence(d, { scramble: false });
      assert.deepEqual(sobol.points(0, 64), expected);
    });

    it(`equals SciPy at large indices in d=${d}`, () => {
      const sobol = new SobolSequence(d, { scramble: false });
      for (const [index, expected] of Object.entries(LARGE_INDEX_POINTS(d))) {
        assert.deepEqual(sobol.point(Number(index)), expected, `point ${index}`);
      }
    });
  }

  it('equals SciPy in the last supported dimensions (checks the whole direction-number table)', () => {
    const sobol = new SobolSequence(SOBOL_MAX_DIMENSION, { scramble: false });
    assert.equal(SOBOL_MAX_DIMENSION, 1111);
    assert.deepEqual(sobol.point(12345).slice(1100), D1111_POINT_12345_TAIL);
  });

  it('gives the same point whatever order points are asked for (random access)', () => {
    const sobol = new SobolSequence(7, { scramble: false });
    const forward = sobol.points(0, 300);
    for (const i of [299, 17, 0, 256, 1, 128]) assert.deepEqual(sobol.point(i), forward[i]);
    for (let d = 0; d < 7; d++) assert.equal(sobol.coordinate(123, d), forward[123][d]);
  });

  it('has coordinate sets that do not depend on the dimension count', () => {
    const small = new SobolSequence(3, { scramble: false });
    const large = new SobolSequence(40, { scramble: false });
    for (const i of [0, 5, 99, 4097]) assert.deepEqual(large.point(i).slice(0, 3), small.point(i));
  });

  it('builds direction numbers with m_k odd and below 2^k (k = 1..30)', () => {
    for (const d of [0, 1, 2, 100, SOBOL_MAX_DIMENSION - 1]) {
      const v = sobolDirectionNumbers(d);
      assert.equal(v.length, SOBOL_BITS);
      v.forEach((vk, k) => {
        const m = vk / 2 ** (SOBOL_BITS - 1 - k);
        assert.ok(Number.isInteger(m) && m % 2 === 1 && m < 2 ** (k + 1), `dimension ${d}, m_${k + 1} = ${m}`);
      });
    }
  });
});

describe('SobolSequence, scrambled', () => {
  it('applies the linear matrix scramble exactly as SciPy _cscramble does, given the same matrices', () => {
    for (let d = 0; d < 3; d++) {
      const scrambled = linearMatrixScramble(sobolDirectionNumbers(d), Uint32Array.from(LMS_MATRIX_ROWS[d]));
      assert.deepEqual([...scrambled], LMS_SCRAMBLED_DIRECTION_NUMBERS[d], `dimension ${d}`);
    }
  });

  it('draws lower-triangular, unit-diagonal matrices and 30-bit shifts', () => {
    for (const d of [0, 3, 39]) {
      const { matrixRows, shift } = sobolScramble(12345, d);
      assert.ok(Number.isInteger(shift) && shift >= 0 && shift < SOBOL_MAX_POINTS, `shift ${shift} is a 30-bit integer`);
      matrixRows.forEach((row, p) => {
        const diagonal = 2 ** (SOBOL_BITS - 1 - p);
        assert.ok(row & diagonal, `row ${p} has its diagonal bit`);
        assert.equal(row % diagonal, 0, `row ${p} uses no digit below the diagonal`);
        assert.ok(row < SOBOL_MAX_POINTS, `row ${p} fits in 30 bits`);
      });
    }
  });

  it('draws each coordinate its own scramble, the same for the same (seed, dimension)', () => {
    const shifts = new Set<number>();
    for (let d = 0; d < 8; d++) {
      const scramble = sobolScramble(31, d);
      assert.deepEqual(sobolScramble(31, d), scramble);
      shifts.add(scramble.shift);
      if (d > 0) assert.notDeepEqual([...scramble.matrixRows], [...sobolScramble(31, d - 1).matrixRows], `dimension ${d}`);
    }
    assert.equal(shifts.size, 8);
    assert.notDeepEqual(sobolScramble(32, 0), sobolScramble(31, 0));
  });

  it('keeps every 1-D projection of the first 2^m points stratified (one point per [k/2^m, (k+1)/2^m))', () => {
    for (const seed of [0, 1, 42, 2024, 987654321]) {
      const sobol = new SobolSequence(12, { seed });
      const points = sobol.points(0, 1024);
      for (let m = 0; m <= 10; m++) {
        const n = 2 ** m;
        for (let d = 0; d < 12; d++) {
          const strata = new Set(points.slice(0, n).map((p) => stratum(p[d], m)));
          assert.equal(strata.size, n, `seed ${seed}, dimension ${d}, first ${n} points`);
        }
      }
    }
  });

  it('keeps the 2-D net property of the first two coordinates (one point per elementary box)', () => {
    // Coordinates 1 and 2 of Sobol' form a (0, m, 2)-net: for a + b = m, every box
    // [i/2^a, (i+1)/2^a) x [j/2^b, (j+1)/2^b) holds exactly one of the first 2^m points.
    const m = 8;
    const points = new SobolSequence(2, { seed: 7 }).points(0, 2 ** m);
    for (let a = 0; a <= m; a++) {
      const boxes = new Set(points.map((p) => `${stratum(p[0], a)},${stratum(p[1], m - a)}`));
      assert.equal(boxes.size, 2 ** m, `boxes of 2^-${a} x 2^-${m - a}`);
    }
  });

  it('stays stratified in every aligned block of 2^m points, not only the first', () => {
    const points = new SobolSequence(4, { seed: 3 }).points(512, 256);
    for (let d = 0; d < 4; d++) assert.equal(new Set(points.map((p) => stratum(p[d], 8))).size, 256);
  });

  it('gives points in [0, 1) and the same points for the same seed', () => {
    const a = new SobolSequence(6, { seed: 99 }).points(0, 200);
    const b = new SobolSequence(6, { seed: 99 }).points(0, 200);
    assert.deepEqual(a, b);
    for (const p of a) for (const x of p) assert.ok(x >= 0 && x < 1, `coordinate ${x} is in [0, 1)`);
    assert.deepEqual(new SobolSequence(6, { seed: 99 }).point(1 << 29), new SobolSequence(6, { seed: 99 }).point(1 << 29));
  });

  it('gives different points for different seeds, and moves the first point off the origin', () => {
    const a = new SobolSequence(4, { seed: 1 });
    const b = new SobolSequence(4, { seed: 2 });
    for (const i of [0, 1, 2, 100]) assert.notDeepEqual(a.point(i), b.point(i));
    assert.ok(
      a.point(0).every((x) => x > 0),
      `point 0 = ${a.point(0)} is off the origin`,
    );
  });

  it('scrambles each coordinate independently of the dimension count', () => {
    const small = new SobolSequence(2, { seed: 5 });
    const large = new SobolSequence(30, { seed: 5 });
    for (const i of [0, 1, 77, 1000]) assert.deepEqual(large.point(i).slice(0, 2), small.point(i));
  });

  it('records its seed, and draws one from the OS when none is given', () => {
    assert.equal(new SobolSequence(2, { seed: 17 }).seed, 17);
    assert.equal(new SobolSequence(2, { scramble: false }).seed, null);
    const random = new SobolSequence(2);
    assert.ok(random.scrambled && Number.isInteger(random.seed), `seed ${random.seed} drawn for a scrambled sequence`);
  });
});

describe('SobolSequence, bad input', () => {
  it('rejects dimensions outside 1..1111 with a message naming the value and the range', () => {
    for (const d of [0, -1, 1.5, SOBOL_MAX_DIMENSION + 1, Number.NaN]) {
      assert.throws(
        () => new SobolSequence(d, { scramble: false }),
        (e: unknown) => {
          assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
          assert.match(e.message, /dimension must be an integer from 1 to 1111/);
          assert.match(e.message, new RegExp(`got ${String(d).replace('.', '\\.')}`));
          return true;
        },
      );
    }
    assert.doesNotThrow(() => new SobolSequence(SOBOL_MAX_DIMENSION, { scramble: false }));
  });

  it('rejects indices outside 0..2^30-1', () => {
    const sobol = new SobolSequence(2, { seed: 1 });
    for (const i of [-1, 0.5, SOBOL_MAX_POINTS, Number.POSITIVE_INFINITY]) {
      assert.throws(() => sobol.point(i), InvalidArgumentError);
    }
    assert.doesNotThrow(() => sobol.point(SOBOL_MAX_POINTS - 1));
    assert.throws(() => sobol.points(SOBOL_MAX_POINTS - 1, 2), /start \+ count - 1/);
    assert.throws(() => sobol.coordinate(0, 2), /dimensionIndex must be an integer from 0 to 1, got 2/);
  });

  it('rejects a non-integer seed and a non-boolean scramble', () => {
    assert.throws(() => new SobolSequence(2, { seed: 1.5 }), /seed must be a safe integer, got 1\.5/);
    assert.throws(() => new SobolSequence(2, { scramble: 'yes' as unknown as boolean }), /scramble must be true or false, got "yes"/);
  });
});
