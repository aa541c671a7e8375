/**
 * How TPE divides a study's trials into the good ("below", modelled by l(x)) and the rest ("above",
 * g(x)), as Optuna's TPE does (`optuna/samplers/_tpe/sampler.py`, `_split_trials` and its helpers; the
 * multi-objective part after Ozaki, Tanigaki, Watanabe & Onishi, "Multiobjective Tree-Structured Parzen
 * Estimator", JAIR 2022):
 *
 * 1. COMPLETE trials, best first: by value for one objective; for several, by non-domination rank, the
 *    rank that does not fit whole tie-broken by greedy hypervolume subset selection (HSSP).
 * 2. Then PRUNED trials (one objective only), deepest first, then by their last intermediate value (NaN
 *    worst; a pruned trial without any intermediate value after all that have one).
 * 3. Then, when the study has constraints, infeasible trials by their total violation (a finished trial
 *    without constraint values counts as infinitely violating).
 * 4. RUNNING trials (constant liar) are always above: the worst, so workers spread out.
 *
 * The first `nBelow` of that order are below. Both sets are returned in trial-number order.
 */
import type { Distribution } from '../../core/distributions.js';
import { hypervolume } from '../../core/hypervolume.js';
import { constraintsOf } from '../../core/constraints.js';
import { relativeSampleOf } from '../../core/relative.js';
import type { FrozenTrial, StudyDirection } from '../../core/trial-record.js';

const EPS = 1e-12;

/** One trial as TPE sees it: internal parameter values and their distributions. */
export interface TpeObservation {
  readonly trial: FrozenTrial;
  /** Internal values; for a RUNNING trial also what its sampler chose at ask and it has not yet suggested. */
  readonly params: Readonly<Record<string, number>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
}

export interface TpeSplit {
  readonly below: readonly TpeObservation[];
  readonly above: readonly TpeObservation[];
  /** Several objectives: each below observation's weight (its hypervolume contribution); null for one. */
  readonly belowWeights: ReadonlyMap<TpeObservation, number> | null;
}

/**
 * The trials TPE learns from: COMPLETE and PRUNED ones (PRUNED only with one objective), and RUNNING ones
 * but `exclude` when `constantLiar` is on. Also the number of finished ones, which sets the split.
 */
export function collectObservations(
  trials: readonly FrozenTrial[],
  options: { constantLiar: boolean; multiObjective: boolean; exclude: number },
): { observations: TpeObservation[]; finished: number } {
  const observations: TpeObservation[] = [];
  let finished = 0;
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  for (const trial of sorted) {
    if (trial.state === 'COMPLETE' && trial.values !== null) {
      finished++;
      observations.push({ trial, params: trial.internalParams, distributions: trial.distributions });
    } else if (trial.state === 'PRUNED' && !options.multiObjective) {
      finished++;
      observations.push({ trial, params: trial.internalParams, distributions: trial.distributions });
    } else if (trial.state === 'RUNNING' && options.constantLiar && trial.number !== options.exclude) {
      const params: Record<string, number> = Object.create(null);
      const distributions: Record<string, Distribution> = Object.create(null);
      for (const [name, { distribution, internal }] of Object.entries(relativeSampleOf(trial))) {
        params[name] = internal;
        distributions[name] = distribution;
      }
      for (const [name, internal] of Object.entries(trial.internalParams)) {
        params[name] = internal;
        distributions[name] = trial.distributions[name];
      }
      observations.push({ trial, params, distributions });
    }
  }
  return { observations, finished };
}

/** Σ of the positive constraint values; infinite for a trial without any. */
function violation(trial: FrozenTrial): number {
  const c = constraintsOf(trial);
  if (c === null) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (const v of c) if (v > 0) sum += v;
  return sum;
}

/** The last (deepest) step's intermediate value as a sort key [−step, signed value]. */
function prunedKey(trial: FrozenTrial, sign: number): [number, number] {
  let step = -1;
  let value = 0;
  for (const [s, v] of trial.intermediateValues) {
    if (s > step) {
      step = s;
      value = v;
    }
  }
  if (step < 0) return [1, 0];
  return [-step, Number.isNaN(value) ? Number.POSITIVE_INFINITY : sign * value];
}

/** Takes up to `n` from the front of `ranked` into `below`, the rest into `above`; returns what is left of n. */
function take(ranked: readonly TpeObservation[], n: number, below: TpeObservation[], above: TpeObservation[]): number {
  const k = Math.min(n, ranked.length);
  for (let i = 0; i < ranked.length; i++) (i < k ? below : above).push(ranked[i]);
  return n - k;
}

/** The split of `observations` (from {@link collectObservations}) with `nBelow` trials below. */
export function splitObservations(
  observations: readonly TpeObservation[],
  directions: readonly StudyDirection[],
  nBelow: number,
  constraints: boolean,
): TpeSplit {
  const signs = directions.map((d) => (d === 'minimize' ? 1 : -1));
  const complete: TpeObservation[] = [];
  const pruned: TpeObservation[] = [];
  const infeasible: Array<{ o: TpeObservation; violation: number }> = [];
  const running: TpeObservation[] = [];
  for (const o of observations) {
    if (o.trial.state === 'RUNNING') running.push(o);
    else if (constraints && violation(o.trial) > 0) infeasible.push({ o, violation: violation(o.trial) });
    else if (o.trial.state === 'COMPLETE') complete.push(o);
    else pruned.push(o);
  }
  const below: TpeObservation[] = [];
  const above: TpeObservation[] = [];
  let left = nBelow;
  if (directions.length === 1) {
    const ranked = [...complete].sort(
      (a, b) => signs[0] * a.trial.values![0] - signs[0] * b.trial.values![0] || a.trial.number - b.trial.number,
    );
    left = take(ranked, left, below, above);
  } else {
    left = take(rankMultiObjective(complete, signs, left), left, below, above);
  }
  const keys = new Map(pruned.map((o) => [o, prunedKey(o.trial, signs[0])]));
  const rankedPruned = [...pruned].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka[0] - kb[0] || compareNumbers(ka[1], kb[1]) || a.trial.number - b.trial.number;
  });
  left = take(rankedPruned, left, below, above);
  infeasible.sort((a, b) => compareNumbers(a.violation, b.violation) || a.o.trial.number - b.o.trial.number);
  take(
    infeasible.map((x) => x.o),
    left,
    below,
    above,
  );
  above.push(...running);
  const byNumber = (a: TpeObservation, b: TpeObservation) => a.trial.number - b.trial.number;
  below.sort(byNumber);
  above.sort(byNumber);
  return { below, above, belowWeights: directions.length > 1 ? hypervolumeWeights(below, signs, constraints) : null };
}

/** Ascending, with +∞ = +∞ (a plain difference would be NaN). */
function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function signedValues(o: TpeObservation, signs: readonly number[]): number[] {
  return o.trial.values!.map((v, k) => signs[k] * v);
}

/** Whether a (minimised) weakly dominates b and is better somewhere. */
function dominatesMin(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) better = true;
  }
  return better;
}

/**
 * The complete trials of a multi-objective study best first: whole non-domination ranks while they fit
 * in `nBelow`, then the HSSP choice from the rank that does not fit, then the rest.
 */
function rankMultiObjective(complete: readonly TpeObservation[], signs: readonly number[], nBelow: number): TpeObservation[] {
  if (nBelow <= 0 || complete.length <= nBelow) return [...complete];
  const points = complete.map((o) => signedValues(o, signs));
  const n = points.length;
  // Fast non-dominated sort (Deb et al. 2002), stopped once the ranks found cover nBelow.
  const dominatedBy = Array.from({ length: n }, () => [] as number[]);
  const counts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesMin(points[i], points[j])) {
        dominatedBy[i].push(j);
        counts[j]++;
      } else if (dominatesMin(points[j], points[i])) {
        dominatedBy[j].push(i);
        counts[i]++;
      }
    }
  }
  const chosen: number[] = [];
  let front: number[] = [];
  for (let i = 0; i < n; i++) if (counts[i] === 0) front.push(i);
  while (front.length > 0 && chosen.length + front.length <= nBelow) {
    chosen.push(...front);
    const next: number[] = [];
    for (const i of front) for (const j of dominatedBy[i]) if (--counts[j] === 0) next.push(j);
    front = next.sort((a, b) => a - b);
  }
  const subsetSize = nBelow - chosen.length;
  if (subsetSize > 0) {
    chosen.push(
      ...solveHssp(
        front.map((i) => points[i]),
        front,
        subsetSize,
      ),
    );
  }
  const inBelow = new Set(chosen);
  return [...chosen.map((i) => complete[i]), ...complete.filter((_, i) => !inBelow.has(i))];
}

/** Optuna's reference point for a set of (minimised) points: 1.1 × the worst (0.9 × when negative), 0 → 1e-12. */
function referencePoint(points: readonly (readonly number[])[]): number[] {
  const worst = points[0].map((_, k) => Math.max(...points.map((p) => p[k])));
  return worst.map((w) => {
    const r = Math.max(1.1 * w, 0.9 * w);
    return r === 0 ? EPS : r;
  });
}

/**
 * Greedy hypervolume subset selection: `size` of `ids`, each step the point that adds the most
 * hypervolume, contributions updated incrementally (a (1 − 1/e)-approximation: Guerreiro, Fonseca &
 * Paquete, "Greedy Hypervolume Subset Selection in Low Dimensions", Evolutionary Computation 2016; the
 * update as Optuna 3.1's `_solve_hssp`). Non-finite values (a reference point that cannot be formed)
 * fall back to the first `size` ids.
 */
export function solveHssp(points: readonly (readonly number[])[], ids: readonly number[], size: number): number[] {
  const reference = referencePoint(points);
  if (!reference.every(Number.isFinite) || !points.every((p) => p.every((v) => v > Number.NEGATIVE_INFINITY))) return ids.slice(0, size);
  const contributions = points.map((p) => hypervolume([p], reference));
  const taken = new Array<boolean>(points.length).fill(false);
  const selected: (readonly number[])[] = [];
  const out: number[] = [];
  let selectedVolume = 0;
  while (out.length < size) {
    let best = -1;
    for (let i = 0; i < points.length; i++) if (!taken[i] && (best < 0 || contributions[i] > contributions[best])) best = i;
    taken[best] = true;
    const s = points[best];
    for (let j = 0; j < points.length; j++) {
      if (taken[j]) continue;
      const limit = s.map((v, k) => Math.max(v, points[j][k]));
      contributions[j] -= hypervolume([...selected, limit], reference) - selectedVolume;
    }
    selected.push(s);
    out.push(ids[best]);
    selectedVolume = hypervolume(selected, reference);
  }
  return out;
}

/**
 * The below set's kernel weights for several objectives: each feasible trial's exclusive hypervolume
 * contribution (+1e-12), divided by the largest; infeasible trials 1e-12 (Optuna 3.1 and 4.x).
 */
function hypervolumeWeights(below: readonly TpeObservation[], signs: readonly number[], constraints: boolean): Map<TpeObservation, number> {
  const weights = new Map<TpeObservation, number>();
  const feasible = below.filter((o) => o.trial.values !== null && (!constraints || violation(o.trial) === 0));
  for (const o of below) weights.set(o, EPS);
  if (feasible.length === 1) weights.set(feasible[0], 1);
  if (feasible.length < 2) return weights;
  const points = feasible.map((o) => signedValues(o, signs));
  const reference = referencePoint(points);
  if (!reference.every(Number.isFinite)) {
    for (const o of feasible) weights.set(o, 1);
    return weights;
  }
  const total = hypervolume(points, reference);
  const contributions = points.map(
    (_, i) =>
      total -
      hypervolume(
        points.filter((_, j) => j !== i),
        reference,
      ) +
      EPS,
  );
  const max = Math.max(...contributions);
  feasible.forEach((o, i) => {
    weights.set(o, Math.min(1, Math.max(0, contributions[i] / max)));
  });
  return weights;
}
