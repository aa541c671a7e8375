/**
 * The special functions the Tree-structured Parzen Estimator needs, in double precision: the error
 * function and its complement, the normal CDF and its logarithm, the log-probability mass of a standard
 * Gaussian on an interval, and the truncated normal's log-density and quantile function. JavaScript's
 * Math has no erf, and the TPE's kernels are truncated Gaussians whose densities are compared on a log
 * scale, so these must be accurate far into the tails.
 *
 * Sources: `erf`/`erfc` follow fdlibm's s_erf.c (Sun Microsystems 1993, as in FreeBSD's msun), the
 * rational approximations on [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 28); `logNdtr`,
 * `logGaussMass`, `truncnormLogPdf` and `truncnormPpf` follow the definitions of Optuna 3.1's
 * `samplers/_tpe/_truncnorm.py` (itself after SciPy's `scipy.stats.truncnorm`): the asymptotic series of
 * log Φ below −20, the mass computed in the left tail by symmetry, and the quantile found by bisection
 * of log Φ, so that Tansaku's TPE reproduces Optuna's numbers.
 */

// biome-ignore-all lint/correctness/noPrecisionLoss: fdlibm's coefficients as published (20 digits); each rounds to the double fdlibm uses
// fdlibm s_erf.c coefficients (the polynomial and rational approximations of its five intervals).
const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const EFX8 = 1.02703333676410069053;
const PP = [
  1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5,
];
const QQ = [
  3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.9602282787753681232e-6,
];
const PA = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1,
  3.54783043256182359371e-2, -2.166375594868790843e-3,
];
const QA = [
  1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2,
  1.1984499846799107417e-2,
];
const RA = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2,
  -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const SA = [
  1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2,
  1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2,
];
const RB = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2,
  -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const SB = [
  3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3,
  4.74528541206955367215e2, -2.24409524465858183362e1,
];

/** c[0] + s·c[1] + s²·c[2] + … (Horner). */
function poly(c: readonly number[], s: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = c[i] + s * r;
  return r;
}

/** 1 + s·c[0] + s²·c[1] + … */
function poly1(c: readonly number[], s: number): number {
  return 1 + s * poly(c, s);
}

// fdlibm compares the high word of |x| with these; for x >= 0 that is the same as comparing x with the
// double whose high word it is and whose low word is 0 (the low word only adds to the value).
const HW_0_84375 = 0.84375; // 0x3feb0000
const HW_2_POW_M28 = 3.725290298461914e-9; // 0x3e300000
const HW_TINY = 2.848094538889218e-306; // 0x00800000
const HW_1_25 = 1.25; // 0x3ff40000
const HW_6 = 6; // 0x40180000
const HW_2_POW_M56 = 1.3877787807814457e-17; // 0x3c700000
const HW_28 = 28; // 0x403c0000
const HW_1_OVER_0_35 = 2.8571434020996094; // 0x4006db6e

const word = new Float64Array(1);
const wordHalves = new Uint32Array(word.buffer);
/** The index of the low 32 bits of a double in `wordHalves` (0 on little-endian machines). */
const LOW = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f ? 0 : 1;
/** `x` with the low 32 bits of its mantissa cleared, as fdlibm's SET_LOW_WORD(z, 0). */
function clearLowWord(x: number): number {
  word[0] = x;
  wordHalves[LOW] = 0;
  return word[0];
}

/** exp(−x² − 0.5625 + R/S) for x ≥ 1.25, split so that x² is exact (fdlibm's tail term). */
function tail(x: number): number {
  const s = 1 / (x * x);
  const big = x >= HW_1_OVER_0_35;
  const R = big ? poly(RB, s) : poly(RA, s);
  const S = big ? poly1(SB, s) : poly1(SA, s);
  const z = clearLowWord(x);
  return Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + R / S);
}

/**
 * The error function.
 * @example erf(0.5) // 0.5204998778130465
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const a = Math.abs(x);
  if (a < HW_0_84375) {
    if (a < HW_2_POW_M28) return a < HW_TINY ? 0.125 * (8 * x + EFX8 * x) : x + EFX * x;
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (a < HW_1_25) {
    const s = a - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? ERX + pq : -ERX - pq;
  }
  if (a >= HW_6) return x >= 0 ? 1 : -1;
  const r = tail(a);
  return x >= 0 ? 1 - r / a : r / a - 1;
}

/**
 * The complementary error function 1 − erf(x), accurate where 1 − erf(x) would lose every digit.
 * @example erfc(10) // 2.088487583762545e-45
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  const a = Math.abs(x);
  if (a < HW_0_84375) {
    if (a < HW_2_POW_M56) return 1 - x;
    const z = x * x;
    const y = poly(PP, z) / poly1(QQ, z);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (a < HW_1_25) {
    const s = a - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (a < HW_28) {
    if (x < 0 && a >= HW_6) return 2; // x < -6: 2 - tiny
    const r = tail(a);
    return x > 0 ? r / a : 2 - r / a;
  }
  return x > 0 ? 0 : 2;
}

const FAR_TAIL = 10;

/** log √(2π). */
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** The standard normal CDF Φ(a), each tail from erfc so that it keeps its digits. */
export function ndtr(a: number): number {
  const x = a / Math.SQRT2; // divided, not multiplied by √½: the same double as Optuna's a / 2**0.5
  if (x < -Math.SQRT1_2) return 0.5 * erfc(-x);
  if (x < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/**
 * log Φ(a) as Optuna 3.1 computes it: −Φ(−a) above 6 (log(1 − ε) = −ε), log Φ(a) down to −20, and the
 * asymptotic series of the Mills ratio below (summed until its terms no longer change the sum). Between
 * 1 and 6, log Φ(a) keeps only the digits of 1 − Φ(−a) (SciPy's log_ndtr keeps more); kept so that the
 * TPE reproduces Optuna's densities.
 * @example logNdtr(-40) // -804.6084420137538
 */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let last = 0;
  let sum = 1;
  let numerator = 1;
  let denominator = 1;
  const step = 1 / (a * a);
  let sign = 1;
  for (let i = 1; Math.abs(last - sum) > Number.EPSILON; i++) {
    last = sum;
    sign = -sign;
    denominator *= step;
    numerator *= 2 * i - 1;
    sum += sign * numerator * denominator;
  }
  return logLhs + Math.log(sum);
}

/** log(p − q) from log p and log q (p ≥ q). */
function logDiff(logP: number, logQ: number): number {
  return logP + Math.log1p(-Math.exp(logQ - logP));
}

/** log(p + q) from log p and log q. */
function logSum(logP: number, logQ: number): number {
  const m = Math.max(logP, logQ);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(logP - m) + Math.exp(logQ - m));
}

/**
 * log of the standard Gaussian's probability mass on [a, b]: in the left tail from log Φ (a right-tail
 * interval by symmetry), across 0 as log1p of the two tails' complement, so no case cancels.
 * @example logGaussMass(-1, 1) // log(0.6826894921370859)
 */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  // A tail beyond 10σ (Φ(−10) ≈ 7.6e−24) moves the result by less than 1e−23: skip its erfc.
  return Math.log1p(-(a < -FAR_TAIL ? 0 : ndtr(a)) - (b > FAR_TAIL ? 0 : ndtr(-b)));
}

/**
 * Log-density at x of a normal(loc, scale) truncated to [loc + a·scale, loc + b·scale] (a, b in standard
 * units, as SciPy's truncnorm): −∞ outside, NaN when a = b.
 */
export function truncnormLogPdf(x: number, a: number, b: number, loc = 0, scale = 1): number {
  if (a === b) return Number.NaN;
  const z = (x - loc) / scale;
  if (z < a || z > b) return -Infinity;
  return -0.5 * z * z - LOG_SQRT_2PI - logGaussMass(a, b);
}

/**
 * The x with log Φ(x) = y, as Optuna 3.1's 100 halvings of [−100, 100] find it, in about a quarter of
 * the evaluations: halvings until the bracket is 1e-3 wide, Newton steps on log Φ (slope φ/Φ) from its
 * left end (log Φ is concave and increasing, so they rise to the root without overshooting it), then,
 * above 1, halvings of a bracket 1e-9 wide around that estimate down to 1e-15. There log Φ is a
 * staircase of doubles (it keeps only the digits of 1 − Φ(−x)): Newton stops anywhere on a step, the
 * halvings find its left edge, the point Optuna's search converges to.
 */
function ndtriExp(y: number): number {
  let lo = -100;
  let hi = 100;
  // The same halvings, but a midpoint outside a small interval proven to hold the root (log Φ is
  // non-decreasing) is decided without evaluating log Φ there: the bracket, and so the result, is
  // the one of evaluating every midpoint, in a few evaluations instead of 18.
  let sureBelow = Number.NEGATIVE_INFINITY;
  let sureAbove = Number.POSITIVE_INFINITY;
  const guess = approximateNdtriExp(y);
  if (Number.isFinite(guess)) {
    const margin = 1e-6 * Math.max(1, Math.abs(guess));
    if (guess - margin > lo && guess + margin < hi && logNdtr(guess - margin) < y && logNdtr(guess + margin) >= y) {
      sureBelow = guess - margin;
      sureAbove = guess + margin;
    }
  }
  while (hi - lo > 1e-3) {
    const mid = (lo + hi) / 2;
    if (mid <= sureBelow || (mid < sureAbove && logNdtr(mid) < y)) lo = mid;
    else hi = mid;
  }
  let x = lo;
  for (let i = 0; i < 30; i++) {
    const logPhi = logNdtr(x);
    const f = logPhi - y;
    if (f >= 0) break;
    const slope = Math.exp(-0.5 * x * x - LOG_SQRT_2PI - logPhi);
    const next = Math.min(hi, x - f / slope);
    if (!(next > x)) break;
    x = next;
  }
  // Below 1, log Φ keeps its digits and Newton's root is Optuna's to the last bits.
  if (x < 1) return x;
  const width = 1e-9 * Math.max(1, Math.abs(x));
  if (x - width > lo && logNdtr(x - width) < y) lo = x - width;
  if (x + width < hi && logNdtr(x + width) >= y) hi = x + width;
  const tolerance = 1e-15 * Math.max(1, Math.abs(x));
  while (hi - lo > tolerance) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (logNdtr(mid) < y) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// Acklam's rational approximation of the normal quantile (P. J. Acklam, "An algorithm for computing
// the inverse normal cumulative distribution function", 2003; relative error < 1.15e-9), only a guess
// that ndtriExp checks before it relies on it.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/** Acklam's tail approximation at q = √(−2 log p). */
function acklamTail(q: number): number {
  return (
    (((((ACKLAM_C[0] * q + ACKLAM_C[1]) * q + ACKLAM_C[2]) * q + ACKLAM_C[3]) * q + ACKLAM_C[4]) * q + ACKLAM_C[5]) /
    ((((ACKLAM_D[0] * q + ACKLAM_D[1]) * q + ACKLAM_D[2]) * q + ACKLAM_D[3]) * q + 1)
  );
}

/** Roughly the x with log Φ(x) = y, from log p so that the lower tail needs no exp (NaN or ±∞ when it cannot tell). */
function approximateNdtriExp(y: number): number {
  if (y < Math.log(ACKLAM_LOW)) return acklamTail(Math.sqrt(-2 * y));
  const complement = -Math.expm1(y); // 1 − p, with its digits when p is near 1
  if (complement < ACKLAM_LOW) return -acklamTail(Math.sqrt(-2 * Math.log(complement)));
  const q = Math.exp(y) - 0.5;
  const r = q * q;
  return (
    ((((((ACKLAM_A[0] * r + ACKLAM_A[1]) * r + ACKLAM_A[2]) * r + ACKLAM_A[3]) * r + ACKLAM_A[4]) * r + ACKLAM_A[5]) * q) /
    (((((ACKLAM_B[0] * r + ACKLAM_B[1]) * r + ACKLAM_B[2]) * r + ACKLAM_B[3]) * r + ACKLAM_B[4]) * r + 1)
  );
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of a standard normal truncated to [a, b], in standard units: a at q = 0,
 * b at q = 1, found in the tail that keeps the digits (left of 0 from a, else from b by symmetry).
 */
export function truncnormPpf(q: number, a: number, b: number): number {
  if (a === b) return Number.NaN;
  if (q === 0) return a;
  if (q === 1) return b;
  if (a < 0) return ndtriExp(logSum(logNdtr(a), Math.log(q) + logGaussMass(a, b)));
  return -ndtriExp(logSum(logNdtr(-b), Math.log1p(-q) + logGaussMass(a, b)));
}
