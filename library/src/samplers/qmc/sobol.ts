/**
 * Sobol' low-discrepancy sequence with random access by index, optionally randomised by a linear matrix
 * scramble plus a digital shift.
 *
 * Construction: Bratley & Fox's Algorithm 659 (ACM TOMS 14, 88-100, 1988) with the direction numbers of
 * Joe & Kuo, "Constructing Sobol sequences with better two-dimensional projections", SIAM J. Sci.
 * Comput. 30, 2635-2654 (2008) (see `sobol-direction-numbers.ts`). Points are in Gray-code order
 * (Antonov & Saleev 1979), the order SciPy uses, so with `scramble: false` point `i` equals row `i` of
 * `scipy.stats.qmc.Sobol(d, scramble=False).random(n)` bit for bit (30-bit integers scaled by 2^-30;
 * checked against SciPy 1.10 in test/samplers/sobol.test.ts).
 *
 * Random access: point `i` is the XOR of the direction numbers selected by the bits of the Gray code
 * `i ^ (i >> 1)`, so any point costs at most 30 XORs per coordinate and callers never have to draw the
 * points before it. The QMC sampler relies on this: its index is the trial number, and trials of a
 * parallel study finish in any order.
 *
 * Scrambling: Matoušek's linear matrix scramble (J. Matoušek, "On the L2-discrepancy for anchored
 * boxes", J. Complexity 14, 527-556, 1998), a random lower-triangular binary matrix with unit diagonal
 * applied to the digits of each direction number, followed by a random digital shift (XOR), as in
 * SciPy's `Sobol(scramble=True)`. Both preserve the (t, m, s)-net structure, so every prefix of 2^m
 * points keeps its stratification, while the randomisation makes the points uniformly distributed
 * individually and removes the unscrambled sequence's artefacts (the first point at the origin, the
 * alignment of coordinates on dyadic grids). See also A. B. Owen, "Scrambling Sobol' and
 * Niederreiter-Xing points", J. Complexity 14, 466-489 (1998). The random bits come from our seeded
 * `Rng`, not NumPy's, so scrambled points differ from SciPy's for the same seed; the scrambling
 * arithmetic itself is checked against SciPy's `_cscramble` given the same matrices.
 */
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { SOBOL_MAX_DIMENSION, sobolDimensionData } from './sobol-direction-numbers.js';

export { SOBOL_MAX_DIMENSION };

/** Bits per coordinate, SciPy's default: coordinates are multiples of 2^-30. */
export const SOBOL_BITS = 30;
/** Number of distinct points of the sequence; valid indices are 0 .. SOBOL_MAX_POINTS - 1. */
export const SOBOL_MAX_POINTS = 2 ** SOBOL_BITS;

const ALL_DIGITS_MASK = SOBOL_MAX_POINTS - 1;
const SCALE = 1 / SOBOL_MAX_POINTS;
const SCRAMBLE_KEY = 'tansaku:sobol-scramble';

/** Unscrambled direction numbers by 0-based dimension index, computed on first use. */
const directionNumberCache: Uint32Array[] = [];

/**
 * The 30 direction numbers v_1..v_30 of one coordinate (0-based `dimensionIndex`), as 30-bit integers:
 * `v[k]` is m_{k+1} * 2^(29-k). Coordinate 0 is the van der Corput sequence (all m_k = 1).
 */
export function sobolDirectionNumbers(dimensionIndex: number): Uint32Array {
  requireDimensionIndex(dimensionIndex);
  const cached = directionNumberCache[dimensionIndex];
  if (cached !== undefined) return cached;

  const m = new Uint32Array(SOBOL_BITS);
  if (dimensionIndex === 0) {
    m.fill(1);
  } else {
    const { polynomial, initialDirectionNumbers } = sobolDimensionData()[dimensionIndex - 1];
    const degree = initialDirectionNumbers.length;
    for (let k = 0; k < degree && k < SOBOL_BITS; k++) m[k] = initialDirectionNumbers[k];
    // Bratley & Fox (1988), section 2: with the polynomial x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1,
    // m_k = 2 a_1 m_(k-1) ^ 4 a_2 m_(k-2) ^ ... ^ 2^(s-1) a_(s-1) m_(k-s+1) ^ 2^s m_(k-s) ^ m_(k-s).
    // a_i is bit (s - i) of `polynomial`; bit 0 is the constant term, which gives the 2^s m_(k-s) term.
    for (let k = degree; k < SOBOL_BITS; k++) {
      let next = m[k - degree];
      for (let i = 1; i <= degree; i++) {
        if ((polynomial >>> (degree - i)) & 1) next ^= m[k - i] << i;
      }
      m[k] = next;
    }
  }
  // Align m_k (an odd number below 2^k) so that its leading digit is the k-th binary digit of a 30-bit
  // fraction.
  for (let k = 0; k < SOBOL_BITS; k++) m[k] = m[k] << (SOBOL_BITS - 1 - k);
  directionNumberCache[dimensionIndex] = m;
  return m;
}

/** Parity (sum mod 2) of the bits of a 32-bit integer. */
function parity(bits: number): number {
  let x = bits ^ (bits >>> 16);
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/**
 * Applies a linear matrix scramble to one coordinate's direction numbers and returns the scrambled
 * copy. `matrixRows[p]` (p = 0..29) is row p of the binary scrambling matrix, written as a bitmask over
 * the 30-bit integer: output digit p+1 after the binary point (integer bit 29-p) is the parity of
 * `matrixRows[p] & v`. The matrix must be lower triangular with a unit diagonal (row p uses only bits
 * 29..29-p and always bit 29-p) for the result to be an invertible digit transform that keeps the net
 * structure; this is the layout of SciPy's `ltm` after `cdot_pow2` of each row.
 */
export function linearMatrixScramble(directionNumbers: Uint32Array, matrixRows: Uint32Array): Uint32Array {
  if (matrixRows.length !== SOBOL_BITS || directionNumbers.length !== SOBOL_BITS) {
    throw new InvalidArgumentError(
      `linearMatrixScramble: expected ${SOBOL_BITS} direction numbers and ${SOBOL_BITS} matrix rows, ` +
        `got ${directionNumbers.length} and ${matrixRows.length}`,
    );
  }
  const scrambled = new Uint32Array(SOBOL_BITS);
  for (let k = 0; k < SOBOL_BITS; k++) {
    const v = directionNumbers[k];
    let out = 0;
    for (let p = 0; p < SOBOL_BITS; p++) {
      if (parity(matrixRows[p] & v)) out |= 1 << (SOBOL_BITS - 1 - p);
    }
    scrambled[k] = out;
  }
  return scrambled;
}

/** The random parts of one scrambled coordinate. */
export interface SobolScramble {
  /** Lower-triangular, unit-diagonal scrambling matrix, in the layout of {@link linearMatrixScramble}. */
  readonly matrixRows: Uint32Array;
  /** 30-bit digital shift XORed into every point. */
  readonly shift: number;
}

/**
 * Draws the scramble of coordinate `dimensionIndex` from `seed`. Each coordinate has its own stream
 * keyed by (seed, dimension), so a coordinate's scramble does not depend on how many coordinates the
 * sequence has: a search space that grows keeps the points of its existing parameters.
 */
export function sobolScramble(seed: number, dimensionIndex: number): SobolScramble {
  requireSeed(seed);
  requireDimensionIndex(dimensionIndex);
  const rng = Rng.forKey(seed, SCRAMBLE_KEY, dimensionIndex);
  const shift = (rng.nextUint32() & ALL_DIGITS_MASK) >>> 0;
  const matrixRows = new Uint32Array(SOBOL_BITS);
  for (let p = 0; p < SOBOL_BITS; p++) {
    const diagonal = 1 << (SOBOL_BITS - 1 - p);
    const moreSignificantDigits = ALL_DIGITS_MASK & ~((diagonal << 1) - 1);
    matrixRows[p] = (rng.nextUint32() & moreSignificantDigits) | diagonal;
  }
  return { matrixRows, shift };
}

/** Options of {@link SobolSequence}. */
export interface SobolSequenceOptions {
  /** Randomise with a linear matrix scramble and digital shift (default true). */
  scramble?: boolean;
  /** Seed of the scramble (default: a random seed from the OS); ignored without scrambling. */
  seed?: number;
}

/**
 * A (scrambled) Sobol' sequence in `dimension` coordinates with random access by index.
 *
 * @example
 * ```ts
 * const sobol = new SobolSequence(3, { seed: 42 });
 * const p = sobol.point(7);            // [x0, x1, x2], each in [0, 1)
 * const first = sobol.points(0, 256);  // 2^8 points: stratified in every coordinate
 * new SobolSequence(2, { scramble: false }).point(1); // [0.5, 0.5], as scipy.stats.qmc.Sobol
 * ```
 */
export class SobolSequence {
  readonly dimension: number;
  readonly scrambled: boolean;
  /** The scramble's seed, or null when unscrambled. */
  readonly seed: number | null;
  private readonly directionNumbers: Uint32Array[];
  private readonly shifts: Uint32Array;

  constructor(dimension: number, options: SobolSequenceOptions = {}) {
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
      throw new InvalidArgumentError(
        `SobolSequence: dimension must be an integer from 1 to ${SOBOL_MAX_DIMENSION} (the dimensions covered by ` +
          `the Joe-Kuo direction numbers shipped with Tansaku), got ${describeValue(dimension)}`,
      );
    }
    const scramble = options.scramble ?? true;
    if (typeof scramble !== 'boolean') {
      throw new InvalidArgumentError(`SobolSequence: scramble must be true or false, got ${describeValue(scramble)}`);
    }
    this.dimension = dimension;
    this.scrambled = scramble;
    this.directionNumbers = [];
    this.shifts = new Uint32Array(dimension);
    if (scramble) {
      const seed = options.seed ?? Rng.randomSeed();
      requireSeed(seed);
      this.seed = seed;
      for (let d = 0; d < dimension; d++) {
        const { matrixRows, shift } = sobolScramble(seed, d);
        this.directionNumbers.push(linearMatrixScramble(sobolDirectionNumbers(d), matrixRows));
        this.shifts[d] = shift;
      }
    } else {
      this.seed = null;
      for (let d = 0; d < dimension; d++) this.directionNumbers.push(sobolDirectionNumbers(d));
    }
  }

  /** Point number `index` (0 .. 2^30 - 1), one coordinate in [0, 1) per dimension. */
  point(index: number): number[] {
    const selected = this.selectedDirectionBits(index);
    const out = new Array<number>(this.dimension);
    for (let d = 0; d < this.dimension; d++) out[d] = this.combine(d, selected);
    return out;
  }

  /** Coordinate `dimensionIndex` (0-based) of point number `index`. */
  coordinate(index: number, dimensionIndex: number): number {
    if (!Number.isInteger(dimensionIndex) || dimensionIndex < 0 || dimensionIndex >= this.dimension) {
      throw new InvalidArgumentError(
        `SobolSequence.coordinate: dimensionIndex must be an integer from 0 to ${this.dimension - 1}, ` +
          `got ${describeValue(dimensionIndex)}`,
      );
    }
    return this.combine(dimensionIndex, this.selectedDirectionBits(index));
  }

  /** `count` consecutive points starting at index `start`. */
  points(start: number, count: number): number[][] {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`SobolSequence.points: count must be an integer >= 0, got ${describeValue(count)}`);
    }
    if (count > 0) requireIndex(start + count - 1, 'start + count - 1');
    const out: number[][] = [];
    for (let i = 0; i < count; i++) out.push(this.point(start + i));
    return out;
  }

  /** Positions of the set bits of the Gray code of `index`: the direction numbers XORed into the point. */
  private selectedDirectionBits(index: number): number[] {
    requireIndex(index, 'index');
    const selected: number[] = [];
    let gray = (index ^ (index >>> 1)) >>> 0;
    for (let k = 0; gray !== 0; k++, gray >>>= 1) {
      if (gray & 1) selected.push(k);
    }
    return selected;
  }

  private combine(dimensionIndex: number, selected: readonly number[]): number {
    const v = this.directionNumbers[dimensionIndex];
    let x = this.shifts[dimensionIndex];
    for (const k of selected) x ^= v[k];
    return (x >>> 0) * SCALE;
  }
}

function requireIndex(index: number, what: string): void {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= SOBOL_MAX_POINTS) {
    throw new InvalidArgumentError(
      `SobolSequence: ${what} must be an integer from 0 to 2^${SOBOL_BITS} - 1 = ${SOBOL_MAX_POINTS - 1}, ` + `got ${describeValue(index)}`,
    );
  }
}

function requireDimensionIndex(dimensionIndex: number): void {
  if (!Number.isInteger(dimensionIndex) || dimensionIndex < 0 || dimensionIndex >= SOBOL_MAX_DIMENSION) {
    throw new InvalidArgumentError(
      `Sobol: dimensionIndex must be an integer from 0 to ${SOBOL_MAX_DIMENSION - 1}, got ${describeValue(dimensionIndex)}`,
    );
  }
}

function requireSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidArgumentError(`Sobol: seed must be a safe integer, got ${describeValue(seed)}`);
  }
}
