/** Tests of the exact hypervolume (src/core/hypervolume.ts). */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { hypervolume } from '../../src/core/hypervolume.js';
import { Rng } from '../../src/core/rng.js';

/** Reference by inclusion–exclusion over all non-empty subsets (exact; n <= 12). */
function inclusionExclusion(points: number[][], ref: number[]): number {
  const pts = points.filter((p) => p.every((v, k) => v < ref[k]));
  const n = pts.length;
  let total = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const corner = ref.map(() => -Infinity);
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        bits++;
        for (let k = 0; k < ref.length; k++) corner[k] = Math.max(corner[k], pts[i][k]);
      }
    }
    let vol = 1;
    for (let k = 0; k < ref.length; k++) vol *= ref[k] - corner[k];
    total += bits % 2 === 1 ? vol : -vol;
  }
  return total;
}

function randomPoints(rng: Rng, n: number, d: number, kind: 'cube' | 'front'): number[][] {
  return Array.from({ length: n }, () => {
    if (kind === 'cube') return Array.from({ length: d }, () => rng.random());
    const v = Array.from({ length: d }, () => Math.abs(rng.normal()));
    const s = Math.hypot(...v);
    return v.map((x) => x / s);
  });
}

function close(a: number, b: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

describe('hypervolume', () => {
  it('hand-computed cases in 1, 2 and 3 objectives', () => {
    assert.equal(hypervolume([[2], [0.5], [3]], [4]), 3.5);
    assert.equal(
      hypervolume(
        [
          [1, 2],
          [2, 1],
        ],
        [3, 3],
      ),
      3,
    ); // 2·1 + 1·1
    assert.equal(hypervolume([[1, 1]], [3, 4]), 6);
    // staircase of 3: (4−1)(4−3) + (4−2)(3−2) + (4−3)(2−1) = 3 + 2 + 1
    assert.equal(
      hypervolume(
        [
          [3, 1],
          [1, 3],
          [2, 2],
        ],
        [4, 4],
      ),
      6,
    );
    // 18 − (2 + 2 + 2) + 1 by inclusion–exclusion
    assert.equal(
      hypervolume(
        [
          [1, 2, 3],
          [2, 3, 1],
          [3, 1, 2],
        ],
        [4, 4, 4],
      ),
      13,
    );
    // a cube minus a corner: two boxes [0,2]^3 ∪ ... : box (0,0,1) → 2·2·1 = 4, box (1,1,0) → 1·1·2 = 2, overlap (1,1,1) → 1
    assert.equal(
      hypervolume(
        [
          [0, 0, 1],
          [1, 1, 0],
        ],
        [2, 2, 2],
      ),
      5,
    );
    // 4-D unit box
    assert.equal(hypervolume([[0, 0, 0, 0]], [1, 2, 3, 4]), 24);
  });

  it('ignores dominated, duplicate and outside points; empty sets have volume 0', () => {
    assert.equal(hypervolume([], [1, 1]), 0);
    assert.equal(
      hypervolume(
        [
          [1, 2],
          [2, 1],
          [2, 2],
          [1, 2],
          [5, 0],
          [0, 3],
          [3, 3],
        ],
        [3, 3],
      ),
      3,
    );
    assert.equal(
      hypervolume(
        [
          [1, 2, 3],
          [2, 3, 1],
          [3, 1, 2],
          [3, 3, 3],
          [1, 2, 3],
          [2, 2, 3.5],
        ],
        [4, 4, 4],
      ),
      13,
    );
    assert.equal(hypervolume([[Infinity, 0]], [1, 1]), 0);
    assert.equal(hypervolume([[1, 0]], [1, 1]), 0); // on the boundary: no volume
  });

  it('equals inclusion–exclusion on random small sets, d = 2..6 (dominated points included)', () => {
    const rng = new Rng(2024);
    for (let d = 2; d <= 6; d++) {
      for (let trial = 0; trial < 40; trial++) {
        const n = 1 + rng.integer(0, 9);
        const pts = randomPoints(rng, n, d, trial % 2 === 0 ? 'cube' : 'front');
        const ref = Array.from({ length: d }, () => 0.8 + 0.4 * rng.random());
        close(hypervolume(pts, ref), inclusionExclusion(pts, ref), 1e-12, `d=${d} n=${n}`);
      }
    }
  });

  it('handles ties in every coordinate (grid points) like inclusion–exclusion', () => {
    const rng = new Rng(9);
    for (let d = 3; d <= 5; d++) {
      for (let trial = 0; trial < 30; trial++) {
        const pts = Array.from({ length: 10 }, () => Array.from({ length: d }, () => rng.integer(0, 3)));
        const ref = new Array(d).fill(4);
        close(hypervolume(pts, ref), inclusionExclusion(pts, ref), 1e-12, `grid d=${d}`);
      }
    }
  });

  it('lies within Monte Carlo bounds on larger fronts (3 and 4 objectives)', () => {
    const rng = new Rng(77);
    for (const [d, n] of [
      [3, 150],
      [4, 60],
    ] as const) {
      const pts = randomPoints(rng, n, d, 'front');
      const ref = new Array(d).fill(1);
      const hv = hypervolume(pts, ref);
      const N = 40000;
      let hits = 0;
      for (let s = 0; s < N; s++) {
        const z = Array.from({ length: d }, () => rng.random());
        if (pts.some((p) => p.every((v, k) => v <= z[k]))) hits++;
      }
      const p = hits / N;
      const se = Math.sqrt((p * (1 - p)) / N);
      assert.ok(Math.abs(hv - p) < 5 * se, `d=${d}: exact ${hv}, Monte Carlo ${p} ± ${se}`);
    }
  });

  it('is invariant to point order and objective permutation, and scales with each axis', () => {
    const rng = new Rng(5);
    const pts = randomPoints(rng, 40, 4, 'front');
    const ref = [1.1, 1.2, 1.3, 1.4];
    const hv = hypervolume(pts, ref);
    close(hypervolume([...pts].reverse(), ref), hv, 1e-12, 'reversed');
    const perm = [2, 0, 3, 1];
    close(
      hypervolume(
        pts.map((p) => perm.map((k) => p[k])),
        perm.map((k) => ref[k]),
      ),
      hv,
      1e-12,
      'permuted',
    );
    close(
      hypervolume(
        pts.map((p) => [p[0] * 3, p[1], p[2], p[3]]),
        [ref[0] * 3, ref[1], ref[2], ref[3]],
      ),
      3 * hv,
      1e-12,
      'scaled',
    );
    close(
      hypervolume(
        pts.map((p) => p.map((v) => v + 5)),
        ref.map((v) => v + 5),
      ),
      hv,
      1e-12,
      'shifted',
    );
  });

  it('approaches the exact volume of a continuous front: 3-D sphere, 1.1³ − π/6', () => {
    // A dense grid on the sphere's positive orthant; the staircase lies inside the true dominated region.
    const pts: number[][] = [];
    const m = 40;
    for (let i = 0; i <= m; i++) {
      for (let j = 0; j <= m; j++) {
        const th = (Math.PI / 2) * (i / m);
        const ph = (Math.PI / 2) * (j / m);
        pts.push([Math.cos(th) * Math.cos(ph), Math.cos(th) * Math.sin(ph), Math.sin(th)]);
      }
    }
    const hv = hypervolume(pts, [1.1, 1.1, 1.1]);
    const exact = 1.1 ** 3 - Math.PI / 6;
    assert.ok(hv < exact && hv > exact - 0.03, `${hv} vs ${exact}`);
  });

  // Large inputs (a quadratic 2-D or an exponential 3-D algorithm would not finish before the timeout, which
  // is a hang guard, not a speed claim): 2-D against a sweep written here, 3-D against its own subsets.
  it('handles 2-D with 100,000 points and 3-D with 1,000 points', { timeout: 60_000 }, () => {
    const rng = new Rng(1);
    const p2 = randomPoints(rng, 100_000, 2, 'front');
    const sorted = [...p2].sort((a, b) => a[0] - b[0]);
    let sweep = 0;
    let lowestY = 1;
    for (let i = 0; i < sorted.length; i++) {
      const [x, y] = sorted[i];
      if (y < lowestY) lowestY = y;
      const nextX = i + 1 < sorted.length ? sorted[i + 1][0] : 1;
      sweep += (nextX - x) * (1 - lowestY);
    }
    close(hypervolume(p2, [1, 1]), sweep, 1e-9, '2-D, 100,000 points');
    const p3 = randomPoints(rng, 1000, 3, 'front');
    const all = hypervolume(p3, [1, 1, 1]);
    const half = hypervolume(p3.slice(0, 500), [1, 1, 1]);
    assert.ok(half <= all && all <= 1, `3-D: half ${half}, all ${all}`);
    const exact = 1 - Math.PI / 6; // the volume of the unit cube outside the sphere's octant
    assert.ok(all < exact && all > exact - 0.05, `3-D, 1,000 points on the sphere: ${all} vs at most ${exact}`);
  });

  it('rejects bad input with InvalidArgumentError naming what was wrong', () => {
    assert.throws(() => hypervolume([[1, 2]], []), InvalidArgumentError);
    assert.throws(() => hypervolume([[1, 2]], [1, Number.NaN]), /reference\[1\]/);
    assert.throws(() => hypervolume([[1, 2, 3]], [4, 4]), /points\[0\] must have 2 objectives/);
    assert.throws(() => hypervolume([[1, Number.NaN]], [4, 4]), /points\[0\]\[1\]/);
    assert.throws(() => hypervolume([[-Infinity, 1]], [4, 4]), InvalidArgumentError);
  });
});
