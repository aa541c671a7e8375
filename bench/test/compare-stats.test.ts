/**
 * bench/lib/stats.ts against reference values. Every literal marked "SciPy" was computed with SciPy 1.10.1
 * (Debian's python3-scipy, run with /usr/bin/python3), e.g.
 *   scipy.stats.wilcoxon(x, y, alternative=..., method='exact')
 *   scipy.stats.wilcoxon(d, alternative=..., method='approx', correction=True)
 *   scipy.stats.t.cdf / t.ppf / norm.cdf / norm.sf, scipy.special.betainc / erfc, numpy.quantile;
 * Holm's adjusted p-values were computed by hand (SciPy 1.10 has no Holm; statsmodels is not installed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  erfc,
  hodgesLehmann,
  holmBonferroni,
  incompleteBeta,
  meanRanks,
  median,
  normalCdf,
  normalSf,
  quantile,
  quartiles,
  rankWithTies,
  studentTCdf,
  studentTQuantile,
  summarize,
  tost,
  wilcoxonSignedRank,
} from '../lib/stats.js';

function close(actual: number, expected: number, rel = 1e-10, abs = 1e-300): void {
  const tol = Math.max(abs, rel * Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual} (diff ${actual - expected}, tol ${tol})`);
}

// Paired samples, n = 12, no ties (SciPy).
const X1 = [1.048, 0.869, -0.243, -0.778, 0.255, 1.603, 1.734, 1.308, 0.747, 2.0, 1.633, 0.18];
const Y1 = [-1.062, -0.365, -0.42, 0.688, -1.899, -0.191, 1.671, -0.92, -0.758, -0.084, -1.418, -0.13];
// Integer differences with ties and one zero, n = 30 (29 non-zero) (SciPy).
const D2 = [3, 1, 3, 2, 3, -3, -2, -3, 5, 6, 2, 3, 4, -3, 1, -2, 2, -4, -1, 5, 6, 0, 4, -2, -4, 3, -2, 5, -3, 6];
// n = 40, no ties (SciPy).
const D3 = [
  0.4086, 2.1748, 0.0785, 0.8796, -0.1167, 0.1017, 0.948, -0.629, 0.0576, -0.3103, -0.5587, 0.4758, 1.5398, 0.5214, -0.0818, -1.1511, 1.119,
  0.5105, -0.3313, 1.1614, 1.8742, -1.3317, 0.8903, 1.1459, 0.8805, 1.9018, 0.9254, -0.6035, 4.1001, 0.4462, 1.7821, 2.2661, 1.1814,
  -1.4981, -1.404, -0.3776, 0.3341, -1.0888, -0.6372, -0.1451,
];
// n = 25, no ties: the largest exact case (SciPy).
const D4 = [
  -0.6751, -0.0114, -0.1274, -0.2388, -0.8177, -1.0324, -2.1109, 1.0675, -0.0045, 0.1695, -1.9174, 0.5512, -0.288, 0.7683, -0.8862, 0.7984,
  1.2394, -0.3696, -0.5045, -0.6003, -0.0644, 2.54, -0.2475, 0.4506, -1.6825,
];
// Differences for the TOST examples, n = 20 (SciPy).
const D5 = [
  -0.4455, 0.0521, 0.0003, 0.2638, -0.4467, 0.1032, -0.3307, 0.3716, 0.1721, -0.1754, 0.1659, 0.1982, 0.0436, 0.3288, 0.2149, 0.0042,
  -0.067, 0.167, -0.102, -0.5046,
];

describe('quantiles and ranks', () => {
  it('median and summarize keep their behaviour', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.deepEqual(summarize([2, 1, 3]), { n: 3, median: 2, min: 1, max: 3, values: [2, 1, 3] });
    assert.throws(() => median([]), RangeError);
  });

  it('quantile is numpy.quantile (linear, type 7)', () => {
    const v = [2.3, -1.1, 0.4, 7.7, 3.3, 3.3, 0.0, 5.1, -2.0, 1.9];
    const expected = [-2.0, -1.19, 0.1, 2.0999999999999996, 3.3, 5.3599999999999985, 7.7]; // numpy
    [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1].forEach((q, i) => {
      close(quantile(v, q), expected[i], 1e-12);
    });
    assert.deepEqual(quartiles([1, 2, 3, 4, 5]), { q1: 2, median: 3, q3: 4 });
    assert.equal(quantile([7], 0.3), 7);
    assert.throws(() => quantile([1], 1.5), RangeError);
  });

  it('rankWithTies is scipy.stats.rankdata', () => {
    assert.deepEqual(rankWithTies([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]), [4.5, 1.5, 6.0, 1.5, 8.0, 11.0, 3.0, 10.0, 8.0, 4.5, 8.0]);
  });

  it('meanRanks ranks within blocks (lower is better) and averages', () => {
    const r = meanRanks([
      [0.1, 0.5, 0.3],
      [0.2, 0.2, 0.9],
      [0.0, 1.0, 2.0],
    ]);
    // block ranks: [1,3,2], [1.5,1.5,3], [1,2,3]
    assert.deepEqual(r, [3.5 / 3, 6.5 / 3, 8 / 3]);
    close(
      r.reduce((a, b) => a + b, 0),
      6,
      1e-14,
    );
    assert.throws(() => meanRanks([[1, 2], [1]]), RangeError);
  });
});

describe('distributions', () => {
  it('erfc, normalCdf and normalSf match SciPy', () => {
    const erfcRef: Array<[number, number]> = [
      [0.1, 0.8875370839817152],
      [1.0, 0.15729920705028516],
      [2.4, 0.0006885138966450789],
      [2.6, 0.000236034416529349],
      [5.0, 1.5374597944280347e-12],
      [10.0, 2.0884875837625446e-45],
    ];
    for (const [x, e] of erfcRef) close(erfc(x), e, 1e-13);
    const normRef: Array<[number, number, number]> = [
      [-8, 6.22096057427174e-16, 0.9999999999999993],
      [-3.2, 0.0006871379379158471, 0.9993128620620841],
      [-1, 0.15865525393145707, 0.8413447460685429],
      [0, 0.5, 0.5],
      [0.5, 0.6914624612740131, 0.3085375387259869],
      [1.96, 0.9750021048517795, 0.024997895148220435],
      [2.5, 0.9937903346742238, 0.006209665325776132],
      [4, 0.9999683287581669, 3.167124183311986e-5],
      [7.5, 0.9999999999999681, 3.1908916729108844e-14],
    ];
    for (const [z, cdf, sf] of normRef) {
      close(normalCdf(z), cdf, 1e-12);
      close(normalSf(z), sf, 1e-12);
    }
  });

  it('incompleteBeta matches scipy.special.betainc', () => {
    close(incompleteBeta(0.3, 2, 3), 0.3483, 1e-12);
    close(incompleteBeta(0.9, 0.5, 10), 0.9999999999815197, 1e-12);
    close(incompleteBeta(0.01, 5, 0.5), 2.4712578086395448e-11, 1e-10);
    close(incompleteBeta(0.5, 20, 20), 0.4999999999999996, 1e-12);
  });

  it('studentTCdf and studentTQuantile match scipy.stats.t', () => {
    const ref: Array<[number, number, number]> = [
      [-2.5, 3, 0.04385332350403277],
      [0.7, 5, 0.7424255258425918],
      [1.812, 10, 0.9499623689670764],
      [2.0, 19, 0.9699989818069508],
      [-0.3, 1, 0.4072264209222577],
      [4.2, 100, 0.9999709863225802],
      [1.5, 2.5, 0.876081773456852],
    ];
    for (const [t, df, e] of ref) close(studentTCdf(t, df), e, 1e-11);
    close(studentTQuantile(0.95, 19), 1.729132811521367, 1e-10);
    // SciPy's t.ppf(0.95, 4) = 2.13184678133629 is itself off by 5e-9: SciPy's t.cdf(2.131846786326649, 4) = 0.95 exactly.
    close(studentTQuantile(0.95, 4), 2.131846786326649, 1e-10);
    close(studentTCdf(studentTQuantile(0.95, 4), 4), 0.95, 1e-13);
    close(studentTQuantile(0.975, 30), 2.0422724563012373, 1e-10);
  });
});

describe('wilcoxonSignedRank', () => {
  it('exact distribution, n = 12, paired (SciPy method="exact")', () => {
    const two = wilcoxonSignedRank(X1, Y1);
    assert.equal(two.method, 'exact');
    assert.equal(two.n, 12);
    assert.equal(two.rPlus, 73);
    assert.equal(Math.min(two.rPlus, two.rMinus), 5); // SciPy's two-sided statistic
    close(two.pValue, 0.0048828125, 1e-14);
    close(wilcoxonSignedRank(X1, Y1, { alternative: 'greater' }).pValue, 0.00244140625, 1e-14);
    close(wilcoxonSignedRank(X1, Y1, { alternative: 'less' }).pValue, 0.998291015625, 1e-14);
  });

  it('exact distribution at n = 25 (SciPy method="exact")', () => {
    const r = wilcoxonSignedRank(D4);
    assert.equal(r.method, 'exact');
    assert.equal(r.rPlus, 124);
    close(r.pValue, 0.312333345413208, 1e-12);
    close(wilcoxonSignedRank(D4, undefined, { alternative: 'greater' }).pValue, 0.8501938283443451, 1e-12);
    close(wilcoxonSignedRank(D4, undefined, { alternative: 'less' }).pValue, 0.156166672706604, 1e-12);
  });

  it('normal approximation with ties, a zero and continuity correction (SciPy method="approx", correction=True)', () => {
    const r = wilcoxonSignedRank(D2);
    assert.equal(r.method, 'approx'); // ties force the approximation even for n <= 25
    assert.equal(r.n, 29);
    assert.equal(Math.min(r.rPlus, r.rMinus), 133);
    close(r.pValue, 0.06770720346126374, 1e-10);
    const g = wilcoxonSignedRank(D2, undefined, { alternative: 'greater' });
    assert.equal(g.rPlus, 302);
    close(g.pValue, 0.03385360173063187, 1e-10);
    close(wilcoxonSignedRank(D2, undefined, { alternative: 'less' }).pValue, 0.9677494259981578, 1e-10);
  });

  it('normal approximation for n > 25 without ties (SciPy method="approx")', () => {
    const r = wilcoxonSignedRank(D3);
    assert.equal(r.method, 'approx');
    assert.equal(Math.min(r.rPlus, r.rMinus), 258);
    close(r.pValue, 0.04171456590997268, 1e-10);
    close(wilcoxonSignedRank(D3, undefined, { alternative: 'greater' }).pValue, 0.02085728295498634, 1e-10);
    close(wilcoxonSignedRank(D3, undefined, { alternative: 'less' }).pValue, 0.9798079187379454, 1e-10);
    close(wilcoxonSignedRank(D3, undefined, { correction: false }).pValue, 0.0410447974289548, 1e-10);
  });

  it('all-zero differences give p = 1; bad input is refused', () => {
    assert.deepEqual(wilcoxonSignedRank([1, 2], [1, 2]), { n: 0, rPlus: 0, rMinus: 0, pValue: 1, method: 'none' });
    assert.throws(() => wilcoxonSignedRank([1, 2], [1]), RangeError);
    assert.throws(() => wilcoxonSignedRank([1, NaN]), RangeError);
    assert.throws(() => wilcoxonSignedRank([1, 1, 2], undefined, { method: 'exact' }), /untied/);
  });
});

describe('holmBonferroni', () => {
  it('step-down adjusted p-values in input order (by hand)', () => {
    // sorted: 0.005·6 = 0.03, 0.01·5 = 0.05, 0.02·4 = 0.08, 0.03·3 = 0.09, 0.04·2 = 0.08 -> 0.09 (monotone), 0.5·1
    const adj = holmBonferroni([0.01, 0.04, 0.03, 0.005, 0.5, 0.02]);
    [0.05, 0.09, 0.09, 0.03, 0.5, 0.08].forEach((e, i) => {
      close(adj[i], e, 1e-12);
    });
    assert.deepEqual(holmBonferroni([0.9, 0.8]), [1, 1]);
    assert.deepEqual(holmBonferroni([]), []);
  });
});

describe('tost', () => {
  it('paired t version matches SciPy t-tests on d ± margin', () => {
    const r = tost(D5, 0.1, { method: 't' });
    close(r.pLower, 0.05126444971402243, 1e-9);
    close(r.pUpper, 0.05349842339041783, 1e-9);
    close(r.estimate, 0.0006899999999999962, 1e-9);
    close(r.ci![0], -0.10080414544657043, 1e-9);
    close(r.ci![1], 0.10218414544657042, 1e-9);
    assert.equal(r.equivalent, false); // the 90% CI pokes out of ±0.1
    assert.equal(tost(D5, 0.11, { method: 't' }).equivalent, true);
  });

  it('Wilcoxon version matches SciPy wilcoxon(d + m, "greater") and wilcoxon(d − m, "less")', () => {
    const r = tost(D5, 0.1);
    assert.equal(r.method, 'wilcoxon');
    close(r.pLower, 0.05699348449707031, 1e-12);
    close(r.pUpper, 0.13054943084716797, 1e-12);
    close(r.pValue, 0.13054943084716797, 1e-12);
    close(r.estimate, 0.025050000000000003, 1e-12); // Hodges–Lehmann (numpy median of Walsh averages)
    assert.equal(r.equivalent, false);
  });

  it('identical samples are equivalent; a shift beyond the margin is not', () => {
    const zeros = new Array(20).fill(0);
    assert.equal(tost(zeros, 0.1).equivalent, true);
    assert.equal(tost(zeros, 0.1, { method: 't' }).equivalent, true);
    const shifted = D5.map((d) => d / 10 + 0.5);
    assert.equal(tost(shifted, 0.1).equivalent, false);
    assert.equal(tost(shifted, 0.1, { method: 't' }).equivalent, false);
    const tight = D5.map((d) => d / 10);
    assert.equal(tost(tight, 0.1).equivalent, true);
    assert.throws(() => tost([1], 0.1), RangeError);
    assert.throws(() => tost([1, 2], 0), RangeError);
    close(hodgesLehmann([1, 2, 3]), 2, 1e-15);
  });
});
