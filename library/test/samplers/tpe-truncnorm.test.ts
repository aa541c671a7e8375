// The TPE's special functions against Python's math module (the C library's erf) and Optuna 3.1 (test/fixtures/truncnorm-reference.json,
// made by scripts/make-truncnorm-reference.py with Debian's python3-scipy and python3-optuna).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { erf, erfc, logGaussMass, logNdtr, ndtr, truncnormLogPdf, truncnormPpf } from '../../src/samplers/tpe/truncnorm.js';
import { parsePythonJson } from '../../src/storage/journal-format.js';

interface Reference {
  special: { x: number; erf: number; erfc: number; ndtr: number }[];
  logNdtr: { x: number; value: number }[];
  mass: { a: number; b: number; logMass: number; ppf: { q: number; ppf: number }[]; logpdf: { x: number; logpdf: number }[] }[];
  kernels: { x: number; a: number; b: number; loc: number; scale: number; logpdf: number }[];
}
const REF = parsePythonJson(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'truncnorm-reference.json'), 'utf8')) as Reference;

/**
 * |got − want| within `tol` of |want| (`floor`: of max(|want|, floor), for logarithms near 0), with
 * infinities and NaN equal to themselves.
 */
function close(got: number, want: number, tol: number, what: string, floor = Number.MIN_VALUE): void {
  if (!Number.isFinite(want)) {
    assert.ok(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${what}: ${got} vs ${want}`);
    return;
  }
  const error = Math.abs(got - want) / Math.max(Math.abs(want), floor);
  assert.ok(error <= tol, `${what}: ${got} vs ${want} (error ${error})`);
}

describe('TPE special functions', () => {
  it("erf, erfc and the normal CDF match the C library's and Optuna's to a few ulp, far into the tails", () => {
    assert.ok(REF.special.length >= 50);
    for (const r of REF.special) {
      close(erf(r.x), r.erf, 1e-15, `erf(${r.x})`);
      close(erfc(r.x), r.erfc, 1e-15, `erfc(${r.x})`);
      close(ndtr(r.x), r.ndtr, 1e-14, `ndtr(${r.x})`);
    }
    assert.equal(erf(Infinity), 1);
    assert.equal(erfc(-Infinity), 2);
    assert.ok(Number.isNaN(erf(Number.NaN)));
  });

  it("log Φ matches Optuna 3.1's from −100 to 30", () => {
    for (const r of REF.logNdtr) close(logNdtr(r.x), r.value, 1e-13, `logNdtr(${r.x})`, 1);
  });

  it("the truncated normal's log-mass, log-density and quantile match Optuna 3.1's", () => {
    assert.ok(REF.mass.length >= 20);
    for (const m of REF.mass) {
      close(logGaussMass(m.a, m.b), m.logMass, 1e-12, `logGaussMass(${m.a}, ${m.b})`, 1);
      for (const p of m.logpdf) close(truncnormLogPdf(p.x, m.a, m.b), p.logpdf, 1e-12, `logpdf(${p.x}; ${m.a}, ${m.b})`, 1);
      // Bisection to 100 halvings of [−100, 100] stops at ~1e-28 absolute: the quantiles agree to 1e-12.
      for (const p of m.ppf) {
        const got = truncnormPpf(p.q, m.a, m.b);
        assert.ok(Math.abs(got - p.ppf) <= 1e-12 * Math.max(1, Math.abs(p.ppf)), `ppf(${p.q}; ${m.a}, ${m.b}): ${got} vs ${p.ppf}`);
        assert.ok(got >= m.a && got <= m.b, 'inside the interval');
      }
    }
    for (const k of REF.kernels) close(truncnormLogPdf(k.x, k.a, k.b, k.loc, k.scale), k.logpdf, 1e-12, `kernel logpdf at ${k.x}`, 1);
    assert.equal(truncnormLogPdf(2, -1, 1), -Infinity, 'outside the interval');
    assert.ok(Number.isNaN(truncnormLogPdf(0, 1, 1)));
    assert.equal(truncnormPpf(0, -1, 2), -1);
    assert.equal(truncnormPpf(1, -1, 2), 2);
  });
});
