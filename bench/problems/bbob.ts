/**
 * The BBOB noiseless test suite, functions f1–f24, as defined by the COCO platform (suite "bbob").
 *
 * This is a TypeScript port of COCO's definitions, written from these specifications:
 * - numbbo/coco-experiment, `src/suite_bbob_legacy_code.c` (the BBOB 2009 random number generators:
 *   `bbob2009_unif`, `bbob2009_gauss`, `bbob2009_compute_rotation`, `bbob2009_compute_xopt`,
 *   `bbob2009_compute_fopt`), `src/suite_bbob.c` (which seed each function uses), the `src/f_*.c`
 *   function files and the `src/transform_vars_*.c` / `src/transform_obj_*.c` transformations they chain;
 * - N. Hansen, S. Finck, R. Ros, A. Auger, "Real-Parameter Black-Box Optimization Benchmarking 2009:
 *   Noiseless Functions Definitions", INRIA Research Report RR-6829, 2009.
 *
 * Where the COCO code and the report differ (COCO keeps a few quirks of the 2009 legacy code, e.g. the
 * `abs()` on every other coordinate of f4's optimum, the extra seed offset of f12's optimum, the order of
 * rotations in f15/f16/f17), this port follows the COCO code, so that every value agrees with COCO.
 * The results were checked against values computed with COCO for f1–f24, instances 1–5 and
 * d = 2, 3, 5, 10, 20, 40 (see `bench/scripts/check-bbob-reference.ts` and `bench/problems/README.md`).
 *
 * The per-instance data (rotation matrices, scalings) is computed with correctly rounded log/cos/pow (see
 * below); the differences that remain against COCO come from last-bit differences between V8's and the C
 * library's transcendental functions: at most ~1e-11 relative over the reference set (2e-10 relative for a
 * few f19 values near 0, where f is a difference of terms of size ~10).
 *
 * This port is a derived work of COCO's function definitions, which carry this notice:
 *
 *   Copyright (c) 2013-2024 by the NumBBO/CoCO team. See AUTHORS file and remarks below for exceptions and
 *   more details. Apart from the below mentioned exceptions, this code is distributed under the 3-clause
 *   BSD License.
 *
 *   Redistribution and use in source and binary forms of the software as well as documentation, with or
 *   without modification, are permitted provided that the following conditions are met:
 *   1. Redistributions of source code must retain the above copyright notice, this list of conditions and
 *      the following disclaimer.
 *   2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions
 *      and the following disclaimer in the documentation and/or other materials provided with the
 *      distribution.
 *   3. The names of the contributors may not be used to endorse or promote products derived from this
 *      software without specific prior written permission.
 *
 *   THIS SOFTWARE AND DOCUMENTATION IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY
 *   EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY
 *   AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR
 *   CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
 *   DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA,
 *   OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 *   CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE
 *   USE OF THIS SOFTWARE AND DOCUMENTATION, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 *
 * (The exceptions the notice mentions concern other COCO files, none of which this port draws on.)
 *
 * Every problem object precomputes its optimum, offset, rotation matrices and other per-instance data once;
 * `evaluate` reuses preallocated buffers and does not allocate. Problem objects are therefore not
 * re-entrant (fine in single-threaded JavaScript; create one problem object per worker thread).
 */
import { InvalidArgumentError } from 'tansaku';

/** One BBOB problem: a function (1–24), an instance (which fixes the optimum, rotations, ...) and a dimension. */
export interface BbobProblem {
  /** COCO's id, e.g. `bbob_f001_i01_d02`. */
  readonly id: string;
  /** Human-readable name, e.g. `BBOB f1 Sphere, instance 1, 2-D`. */
  readonly name: string;
  /** Function number, 1–24. */
  readonly fn: number;
  /** Instance number, >= 1. */
  readonly instance: number;
  /** Number of variables. */
  readonly dimension: number;
  /** Lower bound of the region of interest in every coordinate. */
  readonly lower: -5;
  /** Upper bound of the region of interest in every coordinate. */
  readonly upper: 5;
  /**
   * Optimal value, as COCO reports it (`coco_problem_get_best_value`): the instance's objective offset
   * (`bbob2009_compute_fopt`, in [-1000, 1000] rounded to 0.01); for f20 plus the ~1e-15 value of the raw
   * Schwefel function at its optimum.
   */
  readonly fopt: number;
  /**
   * COCO's `best_parameter`: where f = fopt (up to floating point rounding of the transformations, a few
   * 1e-15 at most). For f5 it lies on the boundary of [-5, 5]^d, for f8/f9/f19/f20/f21/f22/f24 it is the
   * point COCO reports, which is not the raw `xopt` of the legacy code.
   */
  readonly xopt: Float64Array;
  /** Evaluation cost in units of one function call (every BBOB function costs 1). */
  readonly evaluationCost: 1;
  /** f(x). `x.length` must equal `dimension`. Returns NaN if any coordinate is NaN (as COCO does). */
  evaluate(x: ArrayLike<number>): number;
}

/** Names of the 24 functions; `BBOB_FUNCTION_NAMES[fn - 1]` is the name of function `fn`. */
export const BBOB_FUNCTION_NAMES: readonly string[] = Object.freeze([
  'Sphere',
  'Separable Ellipsoidal',
  'Rastrigin',
  'Bueche-Rastrigin',
  'Linear Slope',
  'Attractive Sector',
  'Step Ellipsoidal',
  'Rosenbrock (original)',
  'Rosenbrock (rotated)',
  'Ellipsoidal (rotated)',
  'Discus',
  'Bent Cigar',
  'Sharp Ridge',
  'Different Powers',
  'Rastrigin (rotated)',
  'Weierstrass',
  'Schaffers F7',
  'Schaffers F7 (moderately ill-conditioned)',
  'Composite Griewank-Rosenbrock F8F2',
  'Schwefel x*sin(x)',
  'Gallagher 101 peaks',
  'Gallagher 21 peaks',
  'Katsuura',
  'Lunacek bi-Rastrigin',
]);

/** The dimensions of COCO's `bbob` suite. */
export const BBOB_DIMENSIONS: readonly number[] = Object.freeze([2, 3, 5, 10, 20, 40]);

/** The number of functions in the suite. */
export const BBOB_FUNCTION_COUNT = 24;

/**
 * Largest supported dimension. The BBOB 2009 legacy code that generates the rotation matrices works on
 * fixed buffers (`DIM * DIM < 2000`, see `bbob2009_compute_rotation`), so COCO itself cannot build the
 * rotated functions beyond d = 44; larger dimensions would not be COCO's functions.
 */
export const BBOB_MAX_DIMENSION = 44;

/** Largest supported instance number (keeps every seed well inside the legacy generator's exact range). */
export const BBOB_MAX_INSTANCE = 1_000_000;

// ---------------------------------------------------------------------------------------------------------
// Correctly rounded log, cos and pow for the per-instance data.
//
// COCO computes its Gaussian numbers (hence every rotation matrix) and its scaling constants with the C
// library's log, cos and pow, which (glibc) are correctly rounded for practically all arguments. V8's Math.log,
// Math.cos and Math.pow are off by one ulp for a few percent of arguments; those one-ulp differences in a
// rotation matrix are amplified by some functions (f19 takes cos of values up to 1e5) to 1e-9 relative.
// So the per-instance data is computed with the functions below: a double-double (~106-bit) evaluation,
// rounded once to the nearest double. They are used only while building a problem, never in evaluate().
// ---------------------------------------------------------------------------------------------------------

/** Result registers of the double-double helpers (avoids allocating a pair per operation). */
let ddH = 0;
let ddL = 0;

const DD_SPLIT = 134217729; // 2^27 + 1 (Veltkamp splitting)

/** (ddH, ddL) = exact a * b. */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = DD_SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = DD_SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  ddH = p;
  ddL = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ddH, ddL) = (ah, al) + (bh, bl), accurate double-double addition. */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  let s = ah + bh;
  let v = s - ah;
  let e = ah - (s - v) + (bh - v);
  const t = al + bl;
  v = t - al;
  const f = al - (t - v) + (bl - v);
  e += t;
  let u = s + e;
  e = e - (u - s);
  s = u;
  e += f;
  u = s + e;
  ddL = e - (u - s);
  ddH = u;
}

/** (ddH, ddL) = (ah, al) * (bh, bl). */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = ddH;
  const e = ddL + (ah * bl + al * bh);
  const s = p + e;
  ddL = e - (s - p);
  ddH = s;
}

/** (ddH, ddL) = (ah, al) / (bh, bl). */
function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -ddH, -ddL);
  const q2 = ddH / bh;
  const rh = ddH;
  const rl = ddL;
  ddMul(q2, 0, bh, bl);
  ddAdd(rh, rl, -ddH, -ddL);
  const q3 = ddH / bh;
  ddAdd(q1, 0, q2, 0);
  ddAdd(ddH, ddL, q3, 0);
}

/** 1/n! as double-doubles, n = 0..32. */
const INV_FACT_H = new Float64Array(33);
const INV_FACT_L = new Float64Array(33);
INV_FACT_H[0] = 1;
for (let n = 1; n <= 32; n++) {
  ddDiv(INV_FACT_H[n - 1], INV_FACT_L[n - 1], n, 0);
  INV_FACT_H[n] = ddH;
  INV_FACT_L[n] = ddL;
}

// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const LN2_H = 6.93147180559945286227e-1;
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const LN2_L = 2.31904681384629955842e-17;

/** (ddH, ddL) = exp(xh + xl), relative error ~1e-30, for |x| < 700. */
function ddExp(xh: number, xl: number): void {
  const k = Math.round(xh / LN2_H);
  twoProd(k, LN2_H);
  ddAdd(xh, xl, -ddH, -ddL);
  ddAdd(ddH, ddL, -k * LN2_L, 0);
  // r = x - k ln2, |r| <= 0.35; expm1(r / 1024) by Taylor series, then 10 doublings expm1(2y) = expm1(y)(expm1(y) + 2)
  const rh = ddH / 1024;
  const rl = ddL / 1024;
  let sh = INV_FACT_H[12];
  let sl = INV_FACT_L[12];
  for (let n = 11; n >= 1; n--) {
    ddMul(sh, sl, rh, rl);
    ddAdd(ddH, ddL, INV_FACT_H[n], INV_FACT_L[n]);
    sh = ddH;
    sl = ddL;
  }
  ddMul(sh, sl, rh, rl);
  sh = ddH;
  sl = ddL;
  for (let i = 0; i < 10; i++) {
    ddAdd(sh, sl, 2, 0);
    ddMul(sh, sl, ddH, ddL);
    sh = ddH;
    sl = ddL;
  }
  ddAdd(sh, sl, 1, 0);
  const scale = 2 ** k; // exact
  ddH *= scale;
  ddL *= scale;
}

/** (ddH, ddL) = log(x) for a positive finite double x (Newton step from Math.log). */
function ddLog(x: number): void {
  const y0 = Math.log(x);
  ddExp(y0, 0);
  const eh = ddH;
  const el = ddL;
  ddAdd(x, 0, -eh, -el);
  ddDiv(ddH, ddL, eh, el);
  ddAdd(y0, 0, ddH, ddL);
}

/** log(x), correctly rounded (up to double-double accuracy). */
function logCR(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  if (x === 1) return 0;
  ddLog(x);
  return ddH;
}

/** pow(x, y) for x > 0, correctly rounded (up to double-double accuracy). */
function powCR(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y)) return x ** y;
  ddLog(x);
  ddMul(ddH, ddL, y, 0);
  if (Math.abs(ddH) > 700) return x ** y;
  ddExp(ddH, ddL);
  return ddH;
}

// pi/2 in four pieces (fdlibm's PIO2_1, PIO2_2, PIO2_3 of 33 bits each, and the tail PIO2_3T)
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const PIO2_1 = 1.57079632673412561417;
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const PIO2_2 = 6.0771005063039659766e-11;
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const PIO2_3 = 2.0222662487111664558e-21;
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published; each rounds to the intended double
const PIO2_3T = 8.47842766036889956997e-32;

/** cos(a), correctly rounded (up to double-double accuracy), for 0 <= a <= 8 (Box–Muller's 2 pi u). */
function cosCR(a: number): number {
  if (!(a >= 0 && a <= 8)) return Math.cos(a);
  const k = Math.round(a / (PIO2_1 + PIO2_2));
  // r = a - k pi/2; k <= 5 and the pieces have 33 bits, so k * PIO2_i is exact
  ddAdd(a, 0, -k * PIO2_1, 0);
  ddAdd(ddH, ddL, -k * PIO2_2, 0);
  ddAdd(ddH, ddL, -k * PIO2_3, 0);
  ddAdd(ddH, ddL, -k * PIO2_3T, 0);
  const rh = ddH;
  const rl = ddL;
  ddMul(rh, rl, rh, rl);
  const r2h = ddH;
  const r2l = ddL;
  // cos r = sum (-1)^n r^2n / (2n)!, sin r = r sum (-1)^n r^2n / (2n+1)!, |r| <= pi/4, 15 terms each
  let ch = INV_FACT_H[30];
  let cl = INV_FACT_L[30];
  let sh = -INV_FACT_H[31];
  let sl = -INV_FACT_L[31];
  for (let n = 14; n >= 0; n--) {
    const sign = n % 2 === 0 ? 1 : -1;
    ddMul(ch, cl, r2h, r2l);
    ddAdd(ddH, ddL, sign * INV_FACT_H[2 * n], sign * INV_FACT_L[2 * n]);
    ch = ddH;
    cl = ddL;
    ddMul(sh, sl, r2h, r2l);
    ddAdd(ddH, ddL, sign * INV_FACT_H[2 * n + 1], sign * INV_FACT_L[2 * n + 1]);
    sh = ddH;
    sl = ddL;
  }
  ddMul(sh, sl, rh, rl);
  sh = ddH;
  switch (((k % 4) + 4) % 4) {
    case 0:
      return ch;
    case 1:
      return -sh;
    case 2:
      return -ch;
    default:
      return sh;
  }
}

// ---------------------------------------------------------------------------------------------------------
// BBOB 2009 legacy random numbers (suite_bbob_legacy_code.c). Ported from the specification; all integer
// arithmetic stays below 2^53 for the seeds used here, so doubles reproduce C's 64-bit `long` exactly.
// ---------------------------------------------------------------------------------------------------------

/**
 * `bbob2009_unif`: N uniform numbers in (0, 1) from a Park–Miller generator (Schrage's method) with a
 * 32-entry shuffle table, seeded by `inseed`.
 */
export function bbob2009Unif(n: number, inseed: number): Float64Array {
  const r = new Float64Array(n);
  let seed = inseed < 0 ? -inseed : inseed;
  if (seed < 1) seed = 1;
  let aktseed = seed;
  const rgrand = new Float64Array(32);
  let tmp: number;
  for (let i = 39; i >= 0; i--) {
    tmp = Math.floor(aktseed / 127773);
    aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp;
    if (aktseed < 0) aktseed += 2147483647;
    if (i < 32) rgrand[i] = aktseed;
  }
  let aktrand = rgrand[0];
  for (let i = 0; i < n; i++) {
    tmp = Math.floor(aktseed / 127773);
    aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp;
    if (aktseed < 0) aktseed += 2147483647;
    tmp = Math.floor(aktrand / 67108865);
    aktrand = rgrand[tmp];
    rgrand[tmp] = aktseed;
    r[i] = aktrand / 2.147483647e9;
    if (r[i] === 0) r[i] = 1e-99;
  }
  return r;
}

/** `bbob2009_gauss`: N standard normal numbers by Box–Muller from 2N numbers of `bbob2009Unif`. */
export function bbob2009Gauss(n: number, seed: number): Float64Array {
  const u = bbob2009Unif(2 * n, seed);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = Math.sqrt(-2 * logCR(u[i])) * cosCR(2 * Math.PI * u[n + i]);
    if (g[i] === 0) g[i] = 1e-99;
  }
  return g;
}

/**
 * `bbob2009_compute_rotation`: a `dim` x `dim` orthogonal matrix (Gram–Schmidt on the columns of a
 * Gaussian matrix), returned row-major: entry (row i, column j) is at `i * dim + j`.
 */
export function bbob2009ComputeRotation(seed: number, dim: number): Float64Array {
  const g = bbob2009Gauss(dim * dim, seed);
  const b = new Float64Array(dim * dim);
  // bbob2009_reshape: B[i][j] = g[j * dim + i]
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) b[i * dim + j] = g[j * dim + i];
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < i; j++) {
      let prod = 0;
      for (let k = 0; k < dim; k++) prod += b[k * dim + i] * b[k * dim + j];
      for (let k = 0; k < dim; k++) b[k * dim + i] -= prod * b[k * dim + j];
    }
    let prod = 0;
    for (let k = 0; k < dim; k++) prod += b[k * dim + i] * b[k * dim + i];
    for (let k = 0; k < dim; k++) b[k * dim + i] /= Math.sqrt(prod);
  }
  return b;
}

/** `bbob2009_compute_xopt`: the raw optimum location, on a 8e-4 grid in [-4, 4). */
export function bbob2009ComputeXopt(seed: number, dim: number): Float64Array {
  const xopt = bbob2009Unif(dim, seed);
  for (let i = 0; i < dim; i++) {
    xopt[i] = (8 * Math.floor(1e4 * xopt[i])) / 1e4 - 4;
    if (xopt[i] === 0) xopt[i] = -1e-5;
  }
  return xopt;
}

/** `bbob2009_compute_fopt`: the instance's objective offset, in [-1000, 1000], rounded to 0.01. */
export function bbob2009ComputeFopt(fn: number, instance: number): number {
  // f4 shares the seed of f3 and f18 the seed of f17 (suite_bbob_legacy_code.c)
  const rseed = fn === 4 ? 3 : fn === 18 ? 17 : fn;
  const rrseed = rseed + 10000 * instance;
  const gval = bbob2009Gauss(1, rrseed)[0];
  const gval2 = bbob2009Gauss(1, rrseed + 1)[0];
  return Math.min(1000, Math.max(-1000, Math.floor((100 * 100 * gval) / gval2 + 0.5) / 100));
}

/**
 * The seed COCO's `coco_get_bbob_problem` passes to the function: `fn + 10000 * instance`, except f4, which
 * uses the seed of f3, and f18, which uses the seed of f17 (suite_bbob.c).
 */
export function bbobRseed(fn: number, instance: number): number {
  const base = fn === 4 ? 3 : fn === 18 ? 17 : fn;
  return base + 10000 * instance;
}

// ---------------------------------------------------------------------------------------------------------
// Transformations (transform_vars_*.c, transform_obj_*.c), as in-place / buffer-to-buffer helpers.
// ---------------------------------------------------------------------------------------------------------

/** T_osz of one coordinate (transform_vars_oscillate.c, `tosz_uv`, alpha = 0.1). */
function tosz(xi: number): number {
  if (xi > 0) {
    const t = Math.log(xi) / 0.1;
    const base = Math.exp(t + 0.49 * (Math.sin(t) + Math.sin(0.79 * t)));
    return base ** 0.1;
  } else if (xi < 0) {
    const t = Math.log(-xi) / 0.1;
    const base = Math.exp(t + 0.49 * (Math.sin(0.55 * t) + Math.sin(0.31 * t)));
    return -(base ** 0.1);
  }
  return 0;
}

/** T_osz applied to an objective value (transform_obj_oscillate.c). */
function toszObj(y: number): number {
  if (y !== 0) {
    const logY = Math.log(Math.abs(y)) / 0.1;
    if (y > 0) return Math.exp(logY + 0.49 * (Math.sin(logY) + Math.sin(0.79 * logY))) ** 0.1;
    return -(Math.exp(logY + 0.49 * (Math.sin(0.55 * logY) + Math.sin(0.31 * logY))) ** 0.1);
  }
  return y;
}

/** In-place T_osz of every coordinate. */
function oscillate(v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) v[i] = tosz(v[i]);
}

/** In-place T_asy^beta (transform_vars_asymmetric.c). */
function asymmetric(v: Float64Array, n: number, beta: number): void {
  for (let i = 0; i < n; i++) {
    const xi = v[i];
    if (xi > 0) {
      const exponent = 1.0 + ((beta * i) / (n - 1.0)) * Math.sqrt(xi);
      v[i] = xi ** exponent;
    }
  }
}

/** out = M x + b, M row-major n x n (transform_vars_affine.c). `out` must not alias `x`. */
function affine(out: Float64Array, m: Float64Array, b: Float64Array | null, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let s = b === null ? 0.0 : b[i];
    const row = i * n;
    for (let j = 0; j < n; j++) s += x[j] * m[row + j];
    out[i] = s;
  }
}

/** Penalty sum of squared excursions outside [-5, 5] (transform_obj_penalize.c, before the factor). */
function boundaryPenalty(x: ArrayLike<number>, n: number): number {
  let penalty = 0.0;
  for (let i = 0; i < n; i++) {
    const c1 = x[i] - 5.0;
    const c2 = -5.0 - x[i];
    if (c1 > 0.0) penalty += c1 * c1;
    else if (c2 > 0.0) penalty += c2 * c2;
  }
  return penalty;
}

/** The diagonal conditioning factors `base^(i / (n - 1))`, computed as COCO does (`pow(base, exponent)`). */
function powers(base: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = powCR(base, (1.0 * i) / (n - 1.0));
  return out;
}

/** M = R1 · diag(base^(k/(n-1))) · R2, accumulated in COCO's order `rot1[i][k] * pow(...) * rot2[k][j]`. */
function rotLambdaRot(r1: Float64Array, base: number, r2: Float64Array, n: number): Float64Array {
  const lambda = powers(base, n);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0.0;
      for (let k = 0; k < n; k++) s += r1[i * n + k] * lambda[k] * r2[k * n + j];
      m[i * n + j] = s;
    }
  }
  return m;
}

/** C's `floor(x + 0.5)` rounding (coco_double_round, bbob2009_round). */
function cRound(x: number): number {
  return Math.floor(x + 0.5);
}

// ---------------------------------------------------------------------------------------------------------
// Problem construction
// ---------------------------------------------------------------------------------------------------------

interface Built {
  xopt: Float64Array;
  /** COCO's best value when it is not exactly the instance's offset (only f20). */
  fopt?: number;
  /** f(x) for a validated x of length n, without the NaN check. */
  evaluate: (x: ArrayLike<number>) => number;
}

type Builder = (n: number, instance: number, rseed: number, fopt: number) => Built;

/** z = x - xopt into `out`. */
function shift(out: Float64Array, x: ArrayLike<number>, xopt: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] - xopt[i];
}

/** f1 Sphere (f_sphere.c): z = x - xopt, f = sum z^2 + fopt. */
const f1: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  return {
    xopt,
    evaluate(x) {
      let s = 0.0;
      for (let i = 0; i < n; i++) {
        const z = x[i] - xopt[i];
        s += z * z;
      }
      return s + fopt;
    },
  };
};

/** Separable ellipsoid core (f_ellipsoid.c): z0^2 + sum_{i>=1} cond^(i/(n-1)) z_i^2. */
function ellipsoidRaw(z: Float64Array, n: number, c: Float64Array): number {
  let r = z[0] * z[0];
  for (let i = 1; i < n; i++) r += c[i] * z[i] * z[i];
  return r;
}

/** f2 Separable Ellipsoidal (f_ellipsoid.c): z = T_osz(x - xopt). */
const f2: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const c = powers(1.0e6, n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(z, x, xopt, n);
      oscillate(z, n);
      return ellipsoidRaw(z, n, c) + fopt;
    },
  };
};

/** Rastrigin core (f_rastrigin.c): 10 (n - sum cos(2 pi z)) + sum z^2. */
function rastriginRaw(z: Float64Array, n: number): number {
  let sum1 = 0.0;
  let sum2 = 0.0;
  for (let i = 0; i < n; i++) {
    sum1 += Math.cos(2 * Math.PI * z[i]);
    sum2 += z[i] * z[i];
  }
  if (sum2 === Infinity) return sum2;
  return 10.0 * (n - sum1) + sum2;
}

/** f3 Rastrigin (f_rastrigin.c): z = Lambda^10 T_asy^0.2(T_osz(x - xopt)). */
const f3: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const cond = new Float64Array(n);
  for (let i = 0; i < n; i++) cond[i] = powCR(10.0, (0.5 * i) / (n - 1.0));
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(z, x, xopt, n);
      oscillate(z, n);
      asymmetric(z, n, 0.2);
      for (let i = 0; i < n; i++) z[i] = cond[i] * z[i];
      return rastriginRaw(z, n) + fopt;
    },
  };
};

/**
 * f4 Bueche-Rastrigin (f_bueche_rastrigin.c, transform_vars_brs.c): seed of f3, xopt with |.| on the
 * even (0-based) coordinates as in the legacy code, z = s T_osz(x - xopt), penalty 100 f_pen.
 */
const f4: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  for (let i = 0; i < n; i += 2) xopt[i] = Math.abs(xopt[i]);
  const s = powers(Math.sqrt(10.0), n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(z, x, xopt, n);
      oscillate(z, n);
      for (let i = 0; i < n; i++) {
        let factor = s[i];
        if (z[i] > 0.0 && i % 2 === 0) factor *= 10.0;
        z[i] = factor * z[i];
      }
      let tmp = 0.0;
      let tmp2 = 0.0;
      for (let i = 0; i < n; i++) {
        tmp += Math.cos(2 * Math.PI * z[i]);
        tmp2 += z[i] * z[i];
      }
      const raw = 10.0 * (n - tmp) + tmp2 + 0;
      return raw + fopt + 100.0 * boundaryPenalty(x, n);
    },
  };
};

/**
 * f5 Linear Slope (f_linear_slope.c): the optimum is the corner of [-5, 5]^d in the orthant of the legacy
 * xopt; outside the box (x_i * xopt_i >= 25) the function is constant in that coordinate.
 */
const f5: Builder = (n, _instance, rseed, fopt) => {
  const raw = bbob2009ComputeXopt(rseed, n);
  const xopt = new Float64Array(n);
  for (let i = 0; i < n; i++) xopt[i] = raw[i] < 0.0 ? -5.0 : 5.0;
  const si = new Float64Array(n);
  const absSi = new Float64Array(n);
  const base = Math.sqrt(100.0);
  for (let i = 0; i < n; i++) {
    const p = powCR(base, i / (n - 1));
    si[i] = xopt[i] > 0.0 ? p : -p;
    absSi[i] = Math.abs(si[i]);
  }
  return {
    xopt,
    evaluate(x) {
      let r = 0.0;
      for (let i = 0; i < n; i++) {
        if (x[i] * xopt[i] < 25.0) r += 5.0 * absSi[i] - si[i] * x[i];
        else r += 5.0 * absSi[i] - si[i] * xopt[i];
      }
      return r + fopt;
    },
  };
};

/**
 * f6 Attractive Sector (f_attractive_sector.c): z = Q Lambda^10 R (x - xopt) with
 * M = rot1(rseed + 1e6) Lambda rot2(rseed); f = T_osz(sum s_i z_i^2)^0.9 + fopt, s_i = 100^2 where z_i has
 * the sign of xopt_i.
 */
const f6: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const m = rotLambdaRot(bbob2009ComputeRotation(rseed + 1000000, n), Math.sqrt(10.0), bbob2009ComputeRotation(rseed, n), n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, m, null, y, n);
      let r = 0.0;
      for (let i = 0; i < n; i++) {
        if (xopt[i] * z[i] > 0.0) r += 100.0 * 100.0 * z[i] * z[i];
        else r += z[i] * z[i];
      }
      return toszObj(r) ** 0.9 + fopt;
    },
  };
};

/** f7 Step Ellipsoidal (f_step_ellipsoid.c, with penalty scale 1). */
const f7: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const rot1 = bbob2009ComputeRotation(rseed + 1000000, n);
  const rot2 = bbob2009ComputeRotation(rseed, n);
  // c1 * rot2[i][j], c1 = sqrt((100 / 10)^(i/(n-1))): the product C computes first in `c1 * rot2[i][j] * d`
  const c1rot2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const c1 = Math.sqrt(powCR(100 / 10, i / (n - 1)));
    for (let j = 0; j < n; j++) c1rot2[i * n + j] = c1 * rot2[i * n + j];
  }
  const cond = powers(100, n);
  const d = new Float64Array(n);
  const z = new Float64Array(n);
  const zz = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      let penalty = 0.0;
      for (let i = 0; i < n; i++) {
        const t = Math.abs(x[i]) - 5.0;
        if (t > 0.0) penalty += t * t;
      }
      penalty = penalty * 1.0;
      shift(d, x, xopt, n);
      affine(z, c1rot2, null, d, n);
      const x1 = z[0];
      for (let i = 0; i < n; i++) {
        if (Math.abs(z[i]) > 0.5) z[i] = cRound(z[i]);
        else z[i] = cRound(10.0 * z[i]) / 10.0;
      }
      affine(zz, rot1, null, z, n);
      let r = 0.0;
      for (let i = 0; i < n; i++) r += cond[i] * zz[i] * zz[i];
      const a = Math.abs(x1) * 1.0e-4;
      return 0.1 * Math.max(a, r) + penalty + fopt;
    },
  };
};

/** Rosenbrock core (f_rosenbrock.c). */
function rosenbrockRaw(z: Float64Array, n: number): number {
  let s1 = 0.0;
  let s2 = 0.0;
  for (let i = 0; i < n - 1; i++) {
    let t = z[i] * z[i] - z[i + 1];
    s1 += t * t;
    t = z[i] - 1.0;
    s2 += t * t;
  }
  return 100.0 * s1 + s2;
}

/** f8 Rosenbrock original (f_rosenbrock.c): xopt = 0.75 xopt_legacy, z = max(1, sqrt(d)/8)(x - xopt) + 1. */
const f8: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  for (let i = 0; i < n; i++) xopt[i] *= 0.75;
  const factor = Math.max(1.0, Math.sqrt(n) / 8.0);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      for (let i = 0; i < n; i++) z[i] = factor * (x[i] - xopt[i]) - -1.0;
      return rosenbrockRaw(z, n) + fopt;
    },
  };
};

/** f9 Rosenbrock rotated (f_rosenbrock.c): z = max(1, sqrt(d)/8) R x + 1/2, xopt = R^T 1 / (2 factor). */
const f9: Builder = (n, _instance, rseed, fopt) => {
  const rot = bbob2009ComputeRotation(rseed, n);
  const factor = Math.max(1.0, Math.sqrt(n) / 8.0);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) m[i] = factor * rot[i];
  const b = new Float64Array(n).fill(0.5);
  const xopt = new Float64Array(n);
  for (let col = 0; col < n; col++) {
    let t = 0;
    for (let row = 0; row < n; row++) t += rot[row * n + col];
    xopt[col] = t / (2.0 * factor);
  }
  const xs = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      for (let i = 0; i < n; i++) xs[i] = x[i];
      affine(z, m, b, xs, n);
      return rosenbrockRaw(z, n) + fopt;
    },
  };
};

/** Builder for f10/f11/f14: z = T(R (x - xopt)) with R = rot(rseed + 1e6), then a core function. */
function rotatedBuilder(useOsz: boolean, core: (z: Float64Array, n: number) => number): Builder {
  return (n, _instance, rseed, fopt) => {
    const xopt = bbob2009ComputeXopt(rseed, n);
    const rot = bbob2009ComputeRotation(rseed + 1000000, n);
    const y = new Float64Array(n);
    const z = new Float64Array(n);
    return {
      xopt,
      evaluate(x) {
        shift(y, x, xopt, n);
        affine(z, rot, null, y, n);
        if (useOsz) oscillate(z, n);
        return core(z, n) + fopt;
      },
    };
  };
}

/** f10 Ellipsoidal rotated (f_ellipsoid.c): z = T_osz(R (x - xopt)). */
const f10: Builder = (n, instance, rseed, fopt) => {
  const c = powers(1.0e6, n);
  return rotatedBuilder(true, (z) => ellipsoidRaw(z, n, c))(n, instance, rseed, fopt);
};

/** f11 Discus (f_discus.c): z = T_osz(R (x - xopt)), f = 1e6 z0^2 + sum_{i>=1} z_i^2. */
const f11: Builder = rotatedBuilder(true, (z, n) => {
  let r = 1.0e6 * z[0] * z[0];
  for (let i = 1; i < n; i++) r += z[i] * z[i];
  return r;
});

/**
 * f12 Bent Cigar (f_bent_cigar.c): xopt from seed rseed + 1e6 (as in COCO), z = R T_asy^0.5(R (x - xopt)),
 * f = z0^2 + 1e6 sum_{i>=1} z_i^2.
 */
const f12: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed + 1000000, n);
  const rot = bbob2009ComputeRotation(rseed + 1000000, n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, rot, null, y, n);
      asymmetric(z, n, 0.5);
      affine(y, rot, null, z, n);
      let r = y[0] * y[0];
      for (let i = 1; i < n; i++) r += 1.0e6 * y[i] * y[i];
      return r + fopt;
    },
  };
};

/** f13 Sharp Ridge (f_sharp_ridge.c): z = Q Lambda^10 R (x - xopt), f = z0^2 + 100 sqrt(sum_{i>=1} z_i^2). */
const f13: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const m = rotLambdaRot(bbob2009ComputeRotation(rseed + 1000000, n), Math.sqrt(10), bbob2009ComputeRotation(rseed, n), n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, m, null, y, n);
      let r = 0.0;
      for (let i = 1; i < n; i++) r += z[i] * z[i];
      r = 100.0 * Math.sqrt(r / 1.0);
      r += (z[0] * z[0]) / 1.0;
      return r + fopt;
    },
  };
};

/** f14 Different Powers (f_different_powers.c): z = R (x - xopt), f = sqrt(sum |z_i|^(2 + 4 i/(n-1))). */
const f14: Builder = (n, instance, rseed, fopt) => {
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = 2.0 + (4.0 * i) / (n - 1.0);
  return rotatedBuilder(false, (z) => {
    let s = 0.0;
    for (let i = 0; i < n; i++) s += Math.abs(z[i]) ** e[i];
    return Math.sqrt(s);
  })(n, instance, rseed, fopt);
};

/** f15 Rastrigin rotated (f_rastrigin.c): z = M T_asy^0.2(T_osz(R1 (x - xopt))), M = R1 Lambda^10 R2. */
const f15: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const rot1 = bbob2009ComputeRotation(rseed + 1000000, n);
  const m = rotLambdaRot(rot1, Math.sqrt(10), bbob2009ComputeRotation(rseed, n), n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, rot1, null, y, n);
      oscillate(z, n);
      asymmetric(z, n, 0.2);
      affine(y, m, null, z, n);
      return rastriginRaw(y, n) + fopt;
    },
  };
};

/**
 * f16 Weierstrass (f_weierstrass.c): z = M T_osz(R1 (x - xopt)), M = R1 Lambda^(1/100) R2,
 * f = 10 (1/n sum_i sum_k 1/2^k cos(2 pi 3^k (z_i + 1/2)) - f0)^3 + 10/n f_pen + fopt.
 */
const f16: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const rot1 = bbob2009ComputeRotation(rseed + 1000000, n);
  const m = rotLambdaRot(rot1, 1.0 / Math.sqrt(100.0), bbob2009ComputeRotation(rseed, n), n);
  const K = 12;
  const ak = new Float64Array(K);
  const bk = new Float64Array(K);
  let f0 = 0.0;
  for (let k = 0; k < K; k++) {
    ak[k] = powCR(0.5, k);
    bk[k] = powCR(3.0, k);
    f0 += ak[k] * Math.cos(2 * Math.PI * bk[k] * 0.5);
  }
  const penaltyFactor = 10.0 / n;
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, rot1, null, y, n);
      oscillate(z, n);
      affine(y, m, null, z, n);
      let r = 0.0;
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) r += Math.cos(2 * Math.PI * (y[i] + 0.5) * bk[k]) * ak[k];
      }
      r = 10.0 * (r / n - f0) ** 3.0;
      return r + fopt + penaltyFactor * boundaryPenalty(x, n);
    },
  };
};

/**
 * f17/f18 Schaffers F7 (f_schaffers.c): z = Lambda^cond R2 T_asy^0.5(R1 (x - xopt)), penalty 10 f_pen;
 * condition 10 for f17, 1000 for f18 (which uses the seed of f17).
 */
function schaffersBuilder(conditioning: number): Builder {
  return (n, _instance, rseed, fopt) => {
    const xopt = bbob2009ComputeXopt(rseed, n);
    const rot1 = bbob2009ComputeRotation(rseed + 1000000, n);
    const rot2 = bbob2009ComputeRotation(rseed, n);
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const p = powCR(Math.sqrt(conditioning), (1.0 * i) / (n - 1.0));
      for (let j = 0; j < n; j++) m[i * n + j] = rot2[i * n + j] * p;
    }
    const y = new Float64Array(n);
    const z = new Float64Array(n);
    return {
      xopt,
      evaluate(x) {
        shift(y, x, xopt, n);
        affine(z, rot1, null, y, n);
        asymmetric(z, n, 0.5);
        affine(y, m, null, z, n);
        let r = 0.0;
        for (let i = 0; i < n - 1; i++) {
          const t = y[i] * y[i] + y[i + 1] * y[i + 1];
          if (t === Infinity && Number.isNaN(Math.sin(50.0 * t ** 0.1))) return t;
          const s = Math.sin(50.0 * t ** 0.1);
          r += t ** 0.25 * (1.0 + s * s);
        }
        const q = r / (n - 1.0);
        return q * q + fopt + 10.0 * boundaryPenalty(x, n);
      },
    };
  };
}

/**
 * f19 Composite Griewank-Rosenbrock F8F2 (f_griewank_rosenbrock.c): z = max(1, sqrt(d)/8) R x + 1/2,
 * f = 10 + 10/(n-1) sum (s_i/4000 - cos(s_i)), s_i = 100 (z_i^2 - z_{i+1})^2 + (1 - z_i)^2.
 */
const f19: Builder = (n, _instance, rseed, fopt) => {
  const rot = bbob2009ComputeRotation(rseed, n);
  const scales = Math.max(1.0, Math.sqrt(n) / 8.0);
  for (let i = 0; i < n * n; i++) rot[i] *= scales;
  const xopt = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += rot[i * n + j];
    xopt[j] = t / (2.0 * scales);
  }
  const xs = new Float64Array(n);
  const z = new Float64Array(n);
  const facftrue = 10.0;
  return {
    xopt,
    evaluate(x) {
      for (let i = 0; i < n; i++) xs[i] = x[i];
      affine(z, rot, null, xs, n);
      for (let i = 0; i < n; i++) z[i] = z[i] - -0.5;
      let r = 0.0;
      for (let i = 0; i < n - 1; i++) {
        const c1 = z[i] * z[i] - z[i + 1];
        const c2 = 1.0 - z[i];
        const t = 100.0 * c1 * c1 + c2 * c2;
        r += t / 4000 - Math.cos(t);
      }
      return facftrue + (facftrue * r) / (n - 1) + fopt;
    },
  };
};

/**
 * f20 Schwefel x sin(x) (f_schwefel.c): the chain x_hat (random signs), scale 2, z_hat, shift by 2|xopt|,
 * Lambda^10, shift back, scale 100, then 0.01 (f_pen(z, 500) + 418.98... - 1/n sum z_i sin(sqrt|z_i|)).
 * xopt = +-4.2096874637/2 (sign from the seed); COCO's best_parameter is the propagated value of
 * 420.96874633, which differs from it by about 2e-10.
 */
const f20: Builder = (n, _instance, rseed, fopt) => {
  const u = bbob2009Unif(n, rseed);
  const legacyXopt = new Float64Array(n);
  for (let i = 0; i < n; i++) legacyXopt[i] = (u[i] < 0.5 ? -1 : 1) * 0.5 * 4.2096874637;
  const twoAbs = new Float64Array(n); // tmp2 = 2 |xopt|
  const minusTwoAbs = new Float64Array(n); // tmp1 = -2 |xopt|
  for (let i = 0; i < n; i++) {
    minusTwoAbs[i] = -2 * Math.abs(legacyXopt[i]);
    twoAbs[i] = 2 * Math.abs(legacyXopt[i]);
  }
  const flip = new Uint8Array(n);
  for (let i = 0; i < n; i++) flip[i] = u[i] < 0.5 ? 1 : 0;
  const cond = new Float64Array(n);
  for (let i = 0; i < n; i++) cond[i] = powCR(10.0, (0.5 * i) / (n - 1.0));
  // best_parameter as COCO propagates it through the transformations (the conditioning leaves it alone)
  const xopt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let bp = 420.96874633 / 100;
    bp += minusTwoAbs[i];
    bp += twoAbs[i];
    bp /= 2;
    xopt[i] = flip[i] ? -bp : bp;
  }
  const a = new Float64Array(n);
  const z = new Float64Array(n);
  const raw = (v: Float64Array): number => {
    let penalty = 0.0;
    for (let i = 0; i < n; i++) {
      const t = Math.abs(v[i]) - 500.0;
      if (t > 0.0) penalty += t * t;
    }
    let sum = 0.0;
    for (let i = 0; i < n; i++) sum += v[i] * Math.sin(Math.sqrt(Math.abs(v[i])));
    return 0.01 * (penalty + 418.9828872724339 - sum / n);
  };
  // COCO's best value: the raw function at its best_parameter 420.96874633 (about 1e-15), plus fopt
  const best = raw(new Float64Array(n).fill(420.96874633)) + fopt;
  return {
    xopt,
    fopt: best,
    evaluate(x) {
      for (let i = 0; i < n; i++) a[i] = 2 * (flip[i] ? -x[i] : x[i]);
      z[0] = a[0];
      for (let i = 1; i < n; i++) z[i] = a[i] + 0.25 * (a[i - 1] - 2.0 * Math.abs(legacyXopt[i - 1]));
      for (let i = 0; i < n; i++) {
        const t = cond[i] * (z[i] - twoAbs[i]);
        z[i] = 100 * (t - minusTwoAbs[i]);
      }
      return raw(z) + fopt;
    },
  };
};

/** Indices 0..k-1 sorted by ascending `values` (qsort with f_gallagher_compare_doubles; values are distinct). */
function argsort(values: Float64Array, k: number): number[] {
  const idx = Array.from({ length: k }, (_, i) => i);
  idx.sort((p, q) => {
    const t = values[p] - values[q];
    return t > 0 ? 1 : t < 0 ? -1 : 0;
  });
  return idx;
}

/** f21/f22 Gallagher's Gaussian peaks (f_gallagher.c): 101 or 21 peaks, penalty scale 1. */
function gallagherBuilder(peaks: 101 | 21): Builder {
  return (n, _instance, rseed, fopt) => {
    const maxcondition = 1000.0;
    let maxcondition1 = 1000.0;
    let b: number;
    let c: number;
    if (peaks === 101) {
      maxcondition1 = Math.sqrt(maxcondition1);
      b = 10.0;
      c = 5.0;
    } else {
      b = 9.8;
      c = 4.9;
    }
    const fitvalues = [1.1, 9.1];
    const rotation = bbob2009ComputeRotation(rseed, n);
    // random permutation of the peaks' condition numbers
    const perm = argsort(bbob2009Unif(peaks - 1, rseed), peaks - 1);
    const arrCondition = new Float64Array(peaks);
    const peakValues = new Float64Array(peaks);
    arrCondition[0] = maxcondition1;
    peakValues[0] = 10;
    for (let i = 1; i < peaks; i++) {
      arrCondition[i] = powCR(maxcondition, perm[i - 1] / (peaks - 2));
      peakValues[i] = ((i - 1) / (peaks - 2)) * (fitvalues[1] - fitvalues[0]) + fitvalues[0];
    }
    // arrScales[i * n + j]: the scale of coordinate j in peak i
    const arrScales = new Float64Array(peaks * n);
    for (let i = 0; i < peaks; i++) {
      const p = argsort(bbob2009Unif(n, rseed + 1000 * i), n);
      for (let j = 0; j < n; j++) arrScales[i * n + j] = powCR(arrCondition[i], p[j] / (n - 1) - 0.5);
    }
    const rnd = bbob2009Unif(n * peaks, rseed);
    const scaleFactor = 0.8;
    const xopt = new Float64Array(n);
    // xLocal[j * n + i]: coordinate i of peak j (COCO stores x_local[i][j])
    const xLocal = new Float64Array(peaks * n);
    for (let i = 0; i < n; i++) {
      xopt[i] = scaleFactor * (b * rnd[i] - c);
      for (let j = 0; j < peaks; j++) {
        let s = 0.0;
        for (let k = 0; k < n; k++) s += rotation[i * n + k] * (b * rnd[j * n + k] - c);
        if (j === 0) s *= scaleFactor;
        xLocal[j * n + i] = s;
      }
    }
    const fac = -0.5 / n;
    const a = 0.1;
    const xs = new Float64Array(n);
    const tmx = new Float64Array(n);
    return {
      xopt,
      evaluate(x) {
        let fPen = 0.0;
        for (let i = 0; i < n; i++) {
          const t = Math.abs(x[i]) - 5.0;
          if (t > 0.0) fPen += t * t;
        }
        fPen = fPen * 1.0;
        for (let i = 0; i < n; i++) xs[i] = x[i];
        affine(tmx, rotation, null, xs, n);
        let f = 0.0;
        for (let i = 0; i < peaks; i++) {
          let t2 = 0.0;
          const off = i * n;
          for (let j = 0; j < n; j++) {
            const t = tmx[j] - xLocal[off + j];
            t2 += arrScales[off + j] * t * t;
          }
          t2 = peakValues[i] * Math.exp(fac * t2);
          f = Math.max(f, t2);
        }
        f = 10.0 - f;
        let fTrue: number;
        if (f > 0) {
          fTrue = Math.log(f) / a;
          fTrue = Math.exp(fTrue + 0.49 * (Math.sin(fTrue) + Math.sin(0.79 * fTrue))) ** a;
        } else if (f < 0) {
          fTrue = Math.log(-f) / a;
          fTrue = -(Math.exp(fTrue + 0.49 * (Math.sin(0.55 * fTrue) + Math.sin(0.31 * fTrue))) ** a);
        } else {
          fTrue = f;
        }
        fTrue *= fTrue;
        fTrue += fPen;
        return fTrue + fopt;
      },
    };
  };
}

/**
 * f23 Katsuura (f_katsuura.c): z = Q Lambda^100 R (x - xopt),
 * f = 10/n^2 prod (1 + i sum_{j=1}^{32} |2^j z_i - round(2^j z_i)| / 2^j)^(10/n^1.2) - 10/n^2 + f_pen + fopt.
 */
const f23: Builder = (n, _instance, rseed, fopt) => {
  const xopt = bbob2009ComputeXopt(rseed, n);
  const m = rotLambdaRot(bbob2009ComputeRotation(rseed + 1000000, n), Math.sqrt(100), bbob2009ComputeRotation(rseed, n), n);
  const pow2 = new Float64Array(33);
  for (let j = 1; j < 33; j++) pow2[j] = powCR(2, j);
  const exponent = 10 / powCR(n, 1.2);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      shift(y, x, xopt, n);
      affine(z, m, null, y, n);
      let r = 1.0;
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 1; j < 33; j++) {
          const t2 = pow2[j];
          t += Math.abs(t2 * z[i] - cRound(t2 * z[i])) / t2;
        }
        t = 1.0 + (i + 1) * t;
        r *= t ** exponent;
      }
      r = (10 / n / n) * (-1 + r);
      return r + fopt + 1.0 * boundaryPenalty(x, n);
    },
  };
};

/** f24 Lunacek bi-Rastrigin (f_lunacek_bi_rastrigin.c): optimum at +-mu0/2 = +-1.25 (signs from a Gaussian). */
const f24: Builder = (n, _instance, rseed, fopt) => {
  const condition = 100;
  const mu0 = 2.5;
  const d = 1;
  const s = 1 - 0.5 / (Math.sqrt(n + 20) - 4.1);
  const mu1 = -Math.sqrt((mu0 * mu0 - d) / s);
  const rot1 = bbob2009ComputeRotation(rseed + 1000000, n);
  const rot2 = bbob2009ComputeRotation(rseed, n);
  const c1rot2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const c1 = powCR(Math.sqrt(condition), i / (n - 1));
    for (let j = 0; j < n; j++) c1rot2[i * n + j] = c1 * rot2[i * n + j];
  }
  const g = bbob2009Gauss(n, rseed);
  const xopt = new Float64Array(n);
  for (let i = 0; i < n; i++) xopt[i] = g[i] < 0 ? -(0.5 * mu0) : 0.5 * mu0;
  const xHat = new Float64Array(n);
  const dv = new Float64Array(n);
  const t = new Float64Array(n);
  const z = new Float64Array(n);
  return {
    xopt,
    evaluate(x) {
      let penalty = 0.0;
      for (let i = 0; i < n; i++) {
        const e = Math.abs(x[i]) - 5.0;
        if (e > 0.0) penalty += e * e;
      }
      for (let i = 0; i < n; i++) {
        xHat[i] = 2 * x[i];
        if (xopt[i] < 0) xHat[i] *= -1;
        dv[i] = xHat[i] - mu0;
      }
      affine(t, c1rot2, null, dv, n);
      affine(z, rot1, null, t, n);
      let sum1 = 0;
      let sum2 = 0;
      let sum3 = 0;
      for (let i = 0; i < n; i++) {
        sum1 += (xHat[i] - mu0) * (xHat[i] - mu0);
        sum2 += (xHat[i] - mu1) * (xHat[i] - mu1);
        sum3 += Math.cos(2 * Math.PI * z[i]);
      }
      const other = d * n + s * sum2;
      return Math.min(sum1, other) + 10 * (n - sum3) + 1e4 * penalty + fopt;
    },
  };
};

const BUILDERS: readonly Builder[] = [
  f1,
  f2,
  f3,
  f4,
  f5,
  f6,
  f7,
  f8,
  f9,
  f10,
  f11,
  f12,
  f13,
  f14,
  f15,
  f16,
  schaffersBuilder(10),
  schaffersBuilder(1000),
  f19,
  f20,
  gallagherBuilder(101),
  gallagherBuilder(21),
  f23,
  f24,
];

function pad(v: number, width: number): string {
  return String(v).padStart(width, '0');
}

/**
 * Creates BBOB function `fn` (1–24), instance `instance` (>= 1), in `dimension` variables (2–44), exactly
 * as COCO's `bbob` suite defines it (`coco_get_bbob_problem`).
 *
 * @example
 * ```ts
 * const p = bbobProblem(3, 1, 10);          // Rastrigin, instance 1, 10-D
 * p.evaluate(p.xopt) === p.fopt;             // true (up to ~1e-15 for a few functions)
 * ```
 */
export function bbobProblem(fn: number, instance: number, dimension: number): BbobProblem {
  if (!Number.isInteger(fn) || fn < 1 || fn > BBOB_FUNCTION_COUNT) {
    throw new InvalidArgumentError(`bbobProblem(): fn must be an integer from 1 to 24, got ${String(fn)}`);
  }
  if (!Number.isInteger(instance) || instance < 1 || instance > BBOB_MAX_INSTANCE) {
    throw new InvalidArgumentError(`bbobProblem(): instance must be an integer from 1 to ${BBOB_MAX_INSTANCE}, got ${String(instance)}`);
  }
  if (!Number.isInteger(dimension) || dimension < 2 || dimension > BBOB_MAX_DIMENSION) {
    throw new InvalidArgumentError(
      `bbobProblem(): dimension must be an integer from 2 to ${BBOB_MAX_DIMENSION} (COCO's BBOB functions ` +
        `are defined for d >= 2 and its legacy rotation code stops at 44; the suite uses 2, 3, 5, 10, 20, 40), ` +
        `got ${String(dimension)}`,
    );
  }
  const n = dimension;
  const rseed = bbobRseed(fn, instance);
  const offset = bbob2009ComputeFopt(fn, instance);
  const built = BUILDERS[fn - 1](n, instance, rseed, offset);
  const fopt = built.fopt ?? offset;
  const inner = built.evaluate;
  const id = `bbob_f${pad(fn, 3)}_i${pad(instance, 2)}_d${pad(dimension, 2)}`;
  return Object.freeze({
    id,
    name: `BBOB f${fn} ${BBOB_FUNCTION_NAMES[fn - 1]}, instance ${instance}, ${dimension}-D`,
    fn,
    instance,
    dimension,
    lower: -5 as const,
    upper: 5 as const,
    fopt,
    // a copy: several functions read their own xopt while evaluating, so callers must not be able to change it
    xopt: Float64Array.from(built.xopt),
    evaluationCost: 1 as const,
    evaluate(x: ArrayLike<number>): number {
      if (x == null || typeof x.length !== 'number') {
        throw new InvalidArgumentError(`${id}.evaluate(): x must be an array of ${n} numbers, got ${String(x)}`);
      }
      if (x.length !== n) {
        throw new InvalidArgumentError(`${id}.evaluate(): x must have length ${n} (the problem's dimension), got length ${x.length}`);
      }
      for (let i = 0; i < n; i++) if (Number.isNaN(x[i])) return NaN;
      return inner(x);
    },
  });
}
