/**
 * Statistics for benchmarks: median and range of repeated measurements (timing benchmarks), and the tests
 * the side-by-side harness (`bench/compare`) uses to compare samplers: quantiles, ranks with ties, the
 * Wilcoxon signed-rank test (paired), Holm–Bonferroni correction, mean ranks, and two one-sided tests
 * (TOST) for equivalence. Written from the textbook definitions (references at each function); the unit
 * tests (`bench/test/compare-stats.test.ts`) compare against values computed by SciPy 1.10.
 */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** The measurements, in the order they were taken. */
  values: number[];
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, minimum and maximum of repeated measurements. */
export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values), values: [...values] };
}

// ---------------------------------------------------------------------------------------------------
// Quantiles and ranks

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of a non-empty list, by linear interpolation between order statistics
 * (Hyndman & Fan's type 7, the default of NumPy's `quantile` and R's `quantile`).
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** First quartile, median and third quartile (type-7 quantiles). */
export function quartiles(values: readonly number[]): { q1: number; median: number; q3: number } {
  return { q1: quantile(values, 0.25), median: quantile(values, 0.5), q3: quantile(values, 0.75) };
}

/** Ranks 1..n of `values` (smallest first), ties sharing the mean of their ranks (SciPy's `rankdata`). */
export function rankWithTies(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Mean rank of each of k competitors over blocks: `blocks[b][j]` is competitor j's score in block b
 * (e.g. final regret of sampler j on one problem and seed; lower is better, so rank 1 is best). Ranks
 * within a block share ties (mean rank). Returns k mean ranks, which sum to k(k+1)/2.
 */
export function meanRanks(blocks: ReadonlyArray<readonly number[]>): number[] {
  if (blocks.length === 0) throw new RangeError('meanRanks: no blocks');
  const k = blocks[0].length;
  const sum = new Array<number>(k).fill(0);
  for (const b of blocks) {
    if (b.length !== k) throw new RangeError(`meanRanks: every block needs ${k} scores, got ${b.length}`);
    rankWithTies(b).forEach((r, j) => {
      sum[j] += r;
    });
  }
  return sum.map((s) => s / blocks.length);
}

// ---------------------------------------------------------------------------------------------------
// Distributions

/**
 * Complementary error function, to ~1e-15 relative: for x < 2.5 the everywhere-positive series
 * erf(x) = 2/√π·e^(−x²)·Σ 2^n x^(2n+1)/(1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6), for larger x the
 * continued fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (A&S 7.1.14),
 * evaluated with the modified Lentz method.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // K = x + a1/(x + a2/(x + ...)), a_n = n/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Standard normal survival function 1 − Φ(z), accurate in the upper tail. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~1e-15 relative). */
export function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularised incomplete beta function I_x(a, b), by its continued fraction (A&S 26.5.8) evaluated with
 * the modified Lentz method, using the symmetry I_x(a,b) = 1 − I_(1−x)(b,a) where it converges faster.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let f = d;
  for (let m = 1; m < 1000; m++) {
    // Even step: d_2m = m(b−m)x / ((a+2m−1)(a+2m)).
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    f *= c * d;
    // Odd step: d_2m+1 = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (Math.exp(lnFront) * f) / a;
}

/** Cumulative distribution of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: df must be > 0, got ${df}`);
  if (!Number.isFinite(t)) return t > 0 ? 1 : t < 0 ? 0 : NaN;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The `p`-quantile of Student's t (bisection on {@link studentTCdf}; ~1e-12 absolute). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  let lo = -1;
  let hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------------------------------------------
// Wilcoxon signed-rank test

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface WilcoxonOptions {
  /**
   * `two-sided` (default): the differences x − y are not symmetric about 0; `greater`: they are shifted
   * above 0 (x tends to be larger); `less`: below 0.
   */
  alternative?: Alternative;
  /**
   * `auto` (default): the exact null distribution when n ≤ {@link WILCOXON_EXACT_MAX_N} and no two |d|
   * are tied, else the normal approximation; `exact` / `approx` force one (exact refuses ties).
   */
  method?: 'auto' | 'exact' | 'approx';
  /** Continuity correction of the normal approximation (default true). */
  correction?: boolean;
}

export interface WilcoxonResult {
  /** Number of non-zero differences (zero differences are dropped: Wilcoxon's original method). */
  n: number;
  /** W+: sum of the ranks of |d| over the positive differences. */
  rPlus: number;
  /** W−: sum of the ranks over the negative differences (rPlus + rMinus = n(n+1)/2). */
  rMinus: number;
  pValue: number;
  method: 'exact' | 'approx' | 'none';
  /** The normal approximation's z (with tie and continuity corrections), when it was used. */
  z?: number;
}

/** Largest n for which `method: 'auto'` uses the exact distribution. */
export const WILCOXON_EXACT_MAX_N = 25;

const exactCounts = new Map<number, Float64Array>();

/** Number of subsets of {1..n} with each sum 0..n(n+1)/2: the null distribution of W+ times 2^n. */
function wilcoxonCounts(n: number): Float64Array {
  let c = exactCounts.get(n);
  if (!c) {
    const max = (n * (n + 1)) / 2;
    c = new Float64Array(max + 1);
    c[0] = 1;
    for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s] += c[s - k];
    exactCounts.set(n, c);
  }
  return c;
}

/**
 * Wilcoxon signed-rank test on paired samples (x_i, y_i), or on differences `x` alone when `y` is omitted
 * (Wilcoxon 1945; Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*, 3rd ed., §3.1).
 * Zero differences are dropped; tied |d| share mean ranks. Exact p-values come from the null
 * distribution of W+ (all 2^n sign assignments equally likely; two-sided p = 2·min(P(W ≤ w), P(W ≥ w)),
 * capped at 1). The normal approximation uses mean n(n+1)/4 and variance
 * n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over groups of t tied |d|, with a continuity correction of ½ (towards the
 * mean for the two-sided statistic min(W+, W−); in the tail's direction for one-sided tests). These are SciPy's `wilcoxon(zero_method='wilcox',
 * correction=True)` definitions. With no non-zero difference, p = 1 (`method: 'none'`).
 */
export function wilcoxonSignedRank(x: readonly number[], y?: readonly number[], options: WilcoxonOptions = {}): WilcoxonResult {
  if (y && y.length !== x.length) throw new RangeError(`wilcoxonSignedRank: x has ${x.length} values, y has ${y.length}`);
  const alternative = options.alternative ?? 'two-sided';
  const diffs = (y ? x.map((v, i) => v - y[i]) : [...x]).filter((d) => d !== 0);
  for (const d of diffs) if (!Number.isFinite(d)) throw new RangeError(`wilcoxonSignedRank: non-finite difference ${d}`);
  const n = diffs.length;
  if (n === 0) return { n: 0, rPlus: 0, rMinus: 0, pValue: 1, method: 'none' };
  const ranks = rankWithTies(diffs.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  for (const [i, d] of diffs.entries()) {
    if (d > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  }
  const tieGroups = new Map<number, number>();
  for (const r of ranks) tieGroups.set(r, (tieGroups.get(r) ?? 0) + 1);
  const hasTies = [...tieGroups.values()].some((t) => t > 1);
  const method = options.method ?? 'auto';
  if (method === 'exact' && hasTies) throw new RangeError('wilcoxonSignedRank: the exact method needs untied |differences|; use approx');
  const exact = method === 'exact' || (method === 'auto' && n <= WILCOXON_EXACT_MAX_N && !hasTies);
  if (exact) {
    const counts = wilcoxonCounts(n);
    const total = 2 ** n;
    const w = Math.round(rPlus);
    let lower = 0; // P(W+ <= w)
    for (let s = 0; s <= w; s++) lower += counts[s];
    let upper = 0; // P(W+ >= w)
    for (let s = w; s < counts.length; s++) upper += counts[s];
    lower /= total;
    upper /= total;
    const pValue = alternative === 'less' ? lower : alternative === 'greater' ? upper : Math.min(1, 2 * Math.min(lower, upper));
    return { n, rPlus, rMinus, pValue, method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = (n * (n + 1) * (2 * n + 1)) / 24;
  for (const t of tieGroups.values()) variance -= (t * t * t - t) / 48;
  const sd = Math.sqrt(variance);
  const t = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  // Continuity correction: P(W ≥ t) ≈ 1 − Φ((t − ½ − mean)/sd), P(W ≤ t) ≈ Φ((t + ½ − mean)/sd); two-sided: ½ towards the mean.
  const cc = options.correction === false ? 0 : alternative === 'greater' ? 0.5 : alternative === 'less' ? -0.5 : 0.5 * Math.sign(t - mean);
  const z = sd > 0 ? (t - mean - cc) / sd : 0;
  const pValue =
    alternative === 'two-sided' ? Math.min(1, 2 * normalSf(Math.abs(z))) : alternative === 'greater' ? normalSf(z) : normalCdf(z);
  return { n, rPlus, rMinus, pValue, method: 'approx', z };
}

/**
 * Holm–Bonferroni step-down adjusted p-values (Holm 1979), in the input order: with p sorted ascending,
 * adj_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)). Rejecting where adj < α controls the family-wise
 * error rate at α.
 */
export function holmBonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/** Hodges–Lehmann estimate of the centre of the differences: the median of the Walsh averages (d_i + d_j)/2, i ≤ j. */
export function hodgesLehmann(diffs: readonly number[]): number {
  if (diffs.length === 0) throw new RangeError('hodgesLehmann of an empty list');
  const walsh: number[] = [];
  for (let i = 0; i < diffs.length; i++) for (let j = i; j < diffs.length; j++) walsh.push((diffs[i] + diffs[j]) / 2);
  return median(walsh);
}

// ---------------------------------------------------------------------------------------------------
// Equivalence: two one-sided tests

export interface TostResult {
  /** Number of paired differences used (for the Wilcoxon version: of each shifted test, after dropping zeros). */
  n: number;
  margin: number;
  alpha: number;
  /** p of H0: centre ≤ −margin (vs. > −margin). */
  pLower: number;
  /** p of H0: centre ≥ +margin (vs. < +margin). */
  pUpper: number;
  /** max(pLower, pUpper): the TOST p-value. */
  pValue: number;
  /** Both one-sided nulls rejected at `alpha`: the centre lies within ±margin. */
  equivalent: boolean;
  /** Estimate of the centre: the mean (t) or the Hodges–Lehmann estimate (Wilcoxon). */
  estimate: number;
  method: 't' | 'wilcoxon';
  /** t version: the (1 − 2α) confidence interval of the mean, which lies inside ±margin iff equivalent. */
  ci?: [number, number];
}

/**
 * Two one-sided tests for equivalence of paired samples (Schuirmann 1987), on the differences d_i:
 * H0: centre ≤ −margin or centre ≥ +margin, rejected (equivalence shown) at level α when both one-sided
 * tests reject. `method: 'wilcoxon'` (default) uses the signed-rank test on d + margin ('greater') and
 * d − margin ('less') and tests the pseudo-median, which suits heavy-tailed differences such as log
 * regrets; `method: 't'` uses paired t-tests on the mean.
 */
export function tost(diffs: readonly number[], margin: number, options: { alpha?: number; method?: 't' | 'wilcoxon' } = {}): TostResult {
  if (!(margin > 0)) throw new RangeError(`tost: margin must be > 0, got ${margin}`);
  if (diffs.length < 2) throw new RangeError(`tost: needs at least 2 differences, got ${diffs.length}`);
  const alpha = options.alpha ?? 0.05;
  const method = options.method ?? 'wilcoxon';
  if (method === 'wilcoxon') {
    const lower = wilcoxonSignedRank(
      diffs.map((d) => d + margin),
      undefined,
      { alternative: 'greater' },
    );
    const upper = wilcoxonSignedRank(
      diffs.map((d) => d - margin),
      undefined,
      { alternative: 'less' },
    );
    const pValue = Math.max(lower.pValue, upper.pValue);
    return {
      n: Math.min(lower.n, upper.n),
      margin,
      alpha,
      pLower: lower.pValue,
      pUpper: upper.pValue,
      pValue,
      equivalent: pValue < alpha,
      estimate: hodgesLehmann(diffs),
      method,
    };
  }
  const n = diffs.length;
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const variance = diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  const df = n - 1;
  let pLower: number;
  let pUpper: number;
  if (se === 0) {
    pLower = mean > -margin ? 0 : 1;
    pUpper = mean < margin ? 0 : 1;
  } else {
    pLower = 1 - studentTCdf((mean + margin) / se, df);
    pUpper = studentTCdf((mean - margin) / se, df);
  }
  const tq = se === 0 ? 0 : studentTQuantile(1 - alpha, df);
  const pValue = Math.max(pLower, pUpper);
  return {
    n,
    margin,
    alpha,
    pLower,
    pUpper,
    pValue,
    equivalent: pValue < alpha,
    estimate: mean,
    method,
    ci: [mean - tq * se, mean + tq * se],
  };
}
