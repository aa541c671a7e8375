import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, deriveSeed } from '../../src/extend.js';

describe('Rng', () => {
  it('is deterministic per key and differs between keys', () => {
    const a = Rng.forKey(1, 7, 'lr');
    const b = Rng.forKey(1, 7, 'lr');
    const xs = Array.from({ length: 5 }, () => a.random());
    assert.deepEqual(
      Array.from({ length: 5 }, () => b.random()),
      xs,
    );
    assert.notEqual(Rng.forKey(1, 8, 'lr').random(), xs[0]);
    assert.notEqual(Rng.forKey(2, 7, 'lr').random(), xs[0]);
    assert.notEqual(Rng.forKey(1, 7, 'lr2').random(), xs[0]);
    assert.notEqual(deriveSeed(2 ** 32), deriveSeed(0), 'high bits of a key matter');
  });

  it('is uniform: chi-square over 20 bins and first draws across consecutive trial keys', () => {
    for (const draw of [
      (() => {
        const r = new Rng(123);
        return () => r.random();
      })(),
      (() => {
        let n = 0;
        return () => Rng.forKey(5, n++, 'x').random();
      })(),
    ]) {
      const bins = new Array(20).fill(0);
      const n = 20000;
      for (let i = 0; i < n; i++) {
        const u = draw();
        assert.ok(u >= 0 && u < 1);
        bins[Math.floor(u * 20)]++;
      }
      const expected = n / 20;
      const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
      assert.ok(chi2 < 43.8, `chi2 = ${chi2}`);
    }
  });

  it('draws normal deviates with mean 0 and variance 1', () => {
    const r = new Rng(9);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    assert.ok(Math.abs(s / n) < 0.03, `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.05, `variance ${s2 / n}`);
  });

  it('shuffles into every permutation', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) seen.add(new Rng(seed).shuffle([1, 2, 3]).join());
    assert.equal(seen.size, 6);
  });
});
