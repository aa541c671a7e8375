/**
 * Exact hypervolume (the Lebesgue measure of the region dominated by a point set and bounded by a reference
 * point), for minimisation. It scores a multi-objective study's Pareto front: the larger, the better.
 *
 * - 1 objective: `reference − min`.
 * - 2 objectives: a sweep over the points sorted by the first objective, O(n log n).
 * - 3 or more: the WFG algorithm (L. While, L. Bradstreet, L. Barone, "A Fast Way of Calculating Exact
 *   Hypervolumes", IEEE Trans. Evolutionary Computation 16(1), 2012): HV(S) = Σ_i exclusive HV of p_i with
 *   respect to the points after it, where the exclusive HV of p w.r.t. T is the volume of p's box minus the
 *   HV of the "limit set" {max(p, q) : q ∈ T} (dominated points removed). With the points sorted by the last
 *   objective, worst first, every limit-set point shares p's last coordinate, so each term is a slab of that
 *   height times a (d−1)-objective hypervolume, and the recursion ends in the 2-objective sweep.
 *   (Written from the paper's description.)
 *
 * Points that do not strictly dominate the reference point in every objective add nothing and are ignored
 * (as are points at +Infinity). For maximised objectives, negate them and the reference point first.
 *
 * @example
 * ```ts
 * hypervolume([[1, 2], [2, 1]], [3, 3]);                    // 3  = 2·1 + 1·1
 * hypervolume([[1, 2, 3], [2, 3, 1], [3, 1, 2]], [4, 4, 4]); // 13 (inclusion–exclusion: 18 − 6 + 1)
 * hypervolume([], [1, 1]);                                   // 0
 * ```
 */
import { InvalidArgumentError } from './errors.js';

/**
 * Hypervolume dominated by `points` (minimisation) and bounded by `reference`.
 * Every point must have `reference.length` objectives. Throws `InvalidArgumentError` for a non-finite
 * reference, a point of another length, a NaN, or a −Infinity coordinate (whose volume would be infinite).
 */
export function hypervolume(points: ReadonlyArray<ArrayLike<number>>, reference: ArrayLike<number>): number {
  const d = reference.length;
  if (d < 1) throw new InvalidArgumentError('hypervolume(): the reference point must have at least one objective');
  const ref = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const r = reference[k];
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      throw new InvalidArgumentError(`hypervolume(): reference[${k}] must be a finite number, got ${String(r)}`);
    }
    ref[k] = r;
  }
  const kept: Float64Array[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p === null || typeof p !== 'object' || p.length !== d) {
      throw new InvalidArgumentError(
        `hypervolume(): points[${i}] must have ${d} objectives like the reference point, got ` +
          `${p === null || typeof p !== 'object' ? String(p) : `length ${p.length}`}`,
      );
    }
    let inside = true;
    const q = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      const v = p[k];
      if (typeof v !== 'number' || Number.isNaN(v) || v === -Infinity) {
        throw new InvalidArgumentError(`hypervolume(): points[${i}][${k}] must be a number other than NaN and -Infinity, got ${String(v)}`);
      }
      if (!(v < ref[k])) inside = false;
      q[k] = v;
    }
    if (inside) kept.push(q);
  }
  if (kept.length === 0) return 0;
  if (d === 1) {
    let m = Infinity;
    for (const p of kept) if (p[0] < m) m = p[0];
    return ref[0] - m;
  }
  if (d === 2) return sweep2d(kept, ref);
  return wfg(nondominated(kept, d), ref, d);
}

/** 2-objective hypervolume of any point set (dominated points allowed), O(n log n). */
function sweep2d(points: Float64Array[], ref: ArrayLike<number>): number {
  const sorted = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let volume = 0;
  let bestY = ref[1];
  for (const p of sorted) {
    if (p[1] < bestY) {
      volume += (ref[0] - p[0]) * (bestY - p[1]);
      bestY = p[1];
    }
  }
  return volume;
}

/** Volume of the box between `p` and the reference, in the first `k` objectives. */
function boxVolume(p: ArrayLike<number>, ref: ArrayLike<number>, k: number): number {
  let v = 1;
  for (let t = 0; t < k; t++) v *= ref[t] - p[t];
  return v;
}

/** Removes points weakly dominated by another (in the first `k` objectives), keeping one of equal points. */
function nondominated(points: Float64Array[], k: number): Float64Array[] {
  // Sorting by the sum of objectives puts every dominating point before the points it dominates.
  const sorted = points.slice().sort((a, b) => sum(a, k) - sum(b, k));
  const out: Float64Array[] = [];
  for (const p of sorted) {
    let dominated = false;
    for (const q of out) {
      let all = true;
      for (let t = 0; t < k; t++) {
        if (q[t] > p[t]) {
          all = false;
          break;
        }
      }
      if (all) {
        dominated = true;
        break;
      }
    }
    if (!dominated) out.push(p);
  }
  return out;
}

function sum(p: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let t = 0; t < k; t++) s += p[t];
  return s;
}

/**
 * WFG on the first `k` objectives (k >= 2) of mutually non-dominated points that all strictly dominate
 * `ref` there.
 */
function wfg(points: Float64Array[], ref: ArrayLike<number>, k: number): number {
  const n = points.length;
  if (n === 0) return 0;
  if (n === 1) return boxVolume(points[0], ref, k);
  if (k === 2) return sweep2d(points, ref);
  const last = k - 1;
  // Worst last objective first: each later point is no worse in the last objective.
  const sorted = points.slice().sort((a, b) => b[last] - a[last]);
  let volume = 0;
  for (let i = 0; i < n; i++) {
    const p = sorted[i];
    const limit: Float64Array[] = [];
    for (let j = i + 1; j < n; j++) {
      const q = sorted[j];
      const m = new Float64Array(last);
      for (let t = 0; t < last; t++) m[t] = Math.max(q[t], p[t]);
      limit.push(m);
    }
    const reduced = last === 2 ? limit : nondominated(limit, last);
    const exclusive = boxVolume(p, ref, last) - wfg(reduced, ref, last);
    volume += (ref[last] - p[last]) * exclusive;
  }
  return volume;
}
