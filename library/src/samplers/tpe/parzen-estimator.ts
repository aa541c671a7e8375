/**
 * The Parzen estimator of the Tree-structured Parzen Estimator: a mixture with one kernel per observed
 * trial plus one prior kernel, over the parameters of a search space (Bergstra et al. 2011; Watanabe
 * 2023, "Tree-structured Parzen Estimator: Understanding Its Algorithm Components and Why They Matter
 * for Better Empirical Performance", arXiv 2304.11127). Written to the definitions of Optuna 3.1's
 * `samplers/_tpe/parzen_estimator.py` so that the densities are Optuna's:
 *
 * - Mixture weights: the observations' weights (the sampler's ramp), then `priorWeight` for the prior,
 *   normalised.
 * - Numerical parameters (float, int, and ordinal as an ordered axis of indices): a truncated Gaussian per
 *   observation on [low, high], in log space when log-scaled; int and stepped parameters widen the bounds
 *   by half a step and take the Gaussian's mass over [x − q/2, x + q/2] (a log-scaled int widens by 0.5 in
 *   log space and stays continuous, as in Optuna 3.1). The prior kernel sits at the centre with σ = high
 *   − low. Bandwidths: univariate, each observation's σ is the larger gap to its sorted neighbours (the
 *   bounds as sentinels; without `considerEndpoints`, the outermost use the inner gap); multivariate,
 *   Scott's rule σ = 0.2 · n^(−1/(d+4)) · (high − low). The magic clip bounds σ to [(high − low) /
 *   min(100, 1 + kernels), high − low].
 * - Categorical parameters: each kernel puts `priorWeight / kernels` on every choice and 1 more on its
 *   observed choice, normalised (the prior kernel is uniform).
 *
 * Ties among observations (likely on a discrete axis) are broken in observation order (a stable sort);
 * NumPy's default sort, which Optuna uses, is stable only below 17 values.
 */
import type { Distribution } from '../../core/distributions.js';
import type { Rng } from '../../core/rng.js';
import { LOG_SQRT_2PI, logGaussMass, truncnormPpf } from './truncnorm.js';

/** Options of the estimator (Optuna 3.1's defaults: priorWeight 1, magic clip on, endpoints off). */
export interface ParzenOptions {
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  /** Scott's-rule bandwidths shared by all kernels (the multivariate TPE), instead of the neighbours' gaps. */
  multivariate: boolean;
  /**
   * A continuous kernel's log-density includes −log σ, as a density must (default). Optuna 3.1's
   * truncated normal leaves it out, which favours wide kernels; `false` reproduces that.
   */
  scaleTerm?: boolean;
}

/** One parameter's kernels. */
export type ParzenKernels =
  | {
      readonly kind: 'numerical';
      /** Bounds of the kernels' support (log space when `log`, widened by q/2 when stepped). */
      readonly low: number;
      readonly high: number;
      /** The step of a discrete axis, or null. */
      readonly q: number | null;
      readonly log: boolean;
      readonly mus: Float64Array;
      readonly sigmas: Float64Array;
    }
  | {
      readonly kind: 'categorical';
      readonly choices: number;
      /** Row k: kernel k's probability of each choice. */
      readonly probabilities: readonly Float64Array[];
    };

const EPS = 1e-12;
const SIGMA0_MAGNITUDE = 0.2;
/** e^−40 ≈ 4e−18: even 10,000 such terms move a sum that holds a 1 by less than 5e−14 of it. */
const NEGLIGIBLE_LOG = 40;

/**
 * Indices of `values` in ascending order of value, ties in index order (a stable sort): the typed
 * array's native sort of the values, then each index placed at its value's first free sorted position.
 */
function stableOrder(values: Float64Array): Int32Array {
  const sorted = Float64Array.from(values).sort();
  const order = new Int32Array(values.length);
  const taken = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    while (taken[lo]) lo++;
    taken[lo] = 1;
    order[lo] = i;
  }
  return order;
}

/** The kernels' support for a numerical distribution (Optuna 3.1's `_calculate_parzen_bounds`). */
function bounds(d: Distribution): { low: number; high: number; q: number | null; log: boolean } {
  switch (d.type) {
    case 'float':
      if (d.log) return { low: Math.log(d.low), high: Math.log(d.high), q: null, log: true };
      if (d.step !== null) return { low: d.low - 0.5 * d.step, high: d.high + 0.5 * d.step, q: d.step, log: false };
      return { low: d.low, high: d.high, q: null, log: false };
    case 'int':
      if (d.log) return { low: Math.log(d.low - 0.5), high: Math.log(d.high + 0.5), q: null, log: true };
      return { low: d.low - 0.5 * d.step, high: d.high + 0.5 * d.step, q: d.step, log: false };
    case 'ordinal':
      // The values' indices, an ordered axis with step 1 (Optuna has no ordinal: it would be categorical).
      return { low: -0.5, high: d.values.length - 0.5, q: 1, log: false };
    case 'categorical':
      throw new Error('bounds of a categorical distribution');
  }
}

export class ParzenEstimator {
  /** Mixture weights: one per observation, then the prior's, summing to 1. */
  readonly weights: Float64Array;
  readonly kernels: Readonly<Record<string, ParzenKernels>>;
  private logWeightsMemo: Float64Array | null = null;
  /** log of each weight; computed on first use (one continuous parameter with the scale term never needs it). */
  private get logWeights(): Float64Array {
    if (this.logWeightsMemo === null) this.logWeightsMemo = this.weights.map(Math.log);
    return this.logWeightsMemo;
  }
  private readonly scaleTerm: boolean;

  /**
   * @param observations per parameter, the observed values (internal: numbers for float and int, indices
   *   for categorical and ordinal), one per observation, in the same order for every parameter
   * @param observationWeights the observations' weights before normalisation (non-negative, not all 0)
   * @example
   * const pe = new ParzenEstimator({ x: [0.1, 0.4] }, { x: floatDistribution('x', 0, 1) }, [1, 1], defaults);
   * pe.logPdf({ x: Float64Array.of(0.2) });
   */
  constructor(
    observations: Readonly<Record<string, ArrayLike<number>>>,
    space: Readonly<Record<string, Distribution>>,
    observationWeights: ArrayLike<number>,
    options: ParzenOptions,
  ) {
    const names = Object.keys(space);
    const n = observationWeights.length;
    for (const name of names) {
      if (observations[name]?.length !== n) throw new Error(`ParzenEstimator: ${n} observations expected for parameter "${name}"`);
    }
    const weights = new Float64Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      weights[i] = observationWeights[i];
      total += weights[i];
    }
    weights[n] = options.priorWeight;
    total += options.priorWeight;
    for (let i = 0; i <= n; i++) weights[i] /= total;
    this.weights = weights;
    this.scaleTerm = options.scaleTerm ?? true;

    const sigma0 = options.multivariate ? SIGMA0_MAGNITUDE * Math.max(n, 1) ** (-1 / (names.length + 4)) : null;
    const kernels: Record<string, ParzenKernels> = {};
    for (const name of names) {
      const d = space[name];
      const observed = observations[name];
      if (d.type === 'categorical') {
        const choices = d.choices.length;
        const base = options.priorWeight / (n + 1);
        const probabilities: Float64Array[] = [];
        for (let k = 0; k <= n; k++) {
          const row = new Float64Array(choices).fill(base);
          if (k < n) row[observed[k]] += 1;
          let sum = 0;
          for (const p of row) sum += p;
          for (let c = 0; c < choices; c++) row[c] /= sum;
          probabilities.push(row);
        }
        kernels[name] = { kind: 'categorical', choices, probabilities };
        continue;
      }
      const { low, high, q, log } = bounds(d);
      const mus = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) mus[i] = log ? Math.log(observed[i]) : observed[i];
      mus[n] = 0.5 * (low + high);
      const sigmas = new Float64Array(n + 1);
      if (sigma0 !== null) {
        sigmas.fill(sigma0 * (high - low));
      } else {
        // Each kernel's σ: the larger gap to its neighbours in sorted order, with the bounds as sentinels.
        const order = stableOrder(mus);
        const sorted = new Float64Array(order.length + 2);
        sorted[0] = low;
        for (let j = 0; j < order.length; j++) sorted[j + 1] = mus[order[j]];
        sorted[order.length + 1] = high;
        const last = order.length - 1;
        for (let j = 0; j <= last; j++) {
          let gap = Math.max(sorted[j + 1] - sorted[j], sorted[j + 2] - sorted[j + 1]);
          if (!options.considerEndpoints && sorted.length >= 4) {
            if (j === 0) gap = sorted[2] - sorted[1];
            else if (j === last) gap = sorted[sorted.length - 2] - sorted[sorted.length - 3];
          }
          sigmas[order[j]] = gap;
        }
      }
      const maxSigma = high - low;
      const minSigma = options.considerMagicClip ? (high - low) / Math.min(100, 1 + mus.length) : EPS;
      for (let i = 0; i <= n; i++) sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sigmas[i]));
      sigmas[n] = high - low;
      kernels[name] = { kind: 'numerical', low, high, q, log, mus, sigmas };
    }
    this.kernels = kernels;
  }

  /**
   * log density of the mixture at each sample (internal values as the observations; a discrete axis's
   * density is its probability mass), by log-sum-exp over the kernels.
   */
  logPdf(samples: Readonly<Record<string, ArrayLike<number>>>): Float64Array {
    const names = Object.keys(this.kernels);
    const size = names.length ? samples[names[0]].length : 0;
    const kernelsCount = this.weights.length;
    if (names.length === 1) {
      const only = this.kernels[names[0]];
      if (only.kind === 'numerical' && only.q === null) return this.logPdfContinuous(only, samples[names[0]]);
    }
    const total = new Float64Array(size * kernelsCount);
    for (let s = 0; s < size; s++) total.set(this.logWeights, s * kernelsCount);
    for (const name of names) {
      const k = this.kernels[name];
      const values = samples[name];
      if (k.kind === 'categorical') {
        for (let s = 0; s < size; s++) {
          const c = values[s];
          for (let j = 0; j < kernelsCount; j++) total[s * kernelsCount + j] += Math.log(k.probabilities[j][c]);
        }
        continue;
      }
      // Per kernel, what does not depend on the sample: 1/σ and its log normaliser.
      const { mus, sigmas, low, high, q, log } = k;
      const inverseSigma = new Float64Array(kernelsCount);
      const logNormaliser = new Float64Array(kernelsCount);
      for (let j = 0; j < kernelsCount; j++) {
        inverseSigma[j] = 1 / sigmas[j];
        logNormaliser[j] =
          logGaussMass((low - mus[j]) / sigmas[j], (high - mus[j]) / sigmas[j]) +
          (q === null ? LOG_SQRT_2PI + (this.scaleTerm ? Math.log(sigmas[j]) : 0) : 0);
      }
      for (let s = 0; s < size; s++) {
        const x = log ? Math.log(values[s]) : values[s];
        const row = s * kernelsCount;
        if (q === null) {
          // Every kernel has the support [low, high]: outside it the density is 0 for all of them.
          if (!(x >= low && x <= high)) {
            for (let j = 0; j < kernelsCount; j++) total[row + j] = -Infinity;
            continue;
          }
          for (let j = 0; j < kernelsCount; j++) {
            const z = (x - mus[j]) * inverseSigma[j];
            total[row + j] -= 0.5 * z * z + logNormaliser[j];
          }
        } else {
          const upper = Math.min(x + q / 2, high);
          const lower = Math.max(x - q / 2, low);
          for (let j = 0; j < kernelsCount; j++) {
            total[row + j] += logGaussMass((lower - mus[j]) * inverseSigma[j], (upper - mus[j]) * inverseSigma[j]) - logNormaliser[j];
          }
        }
      }
    }
    const out = new Float64Array(size);
    for (let s = 0; s < size; s++) {
      const row = s * kernelsCount;
      let max = -Infinity;
      for (let j = 0; j < kernelsCount; j++) if (total[row + j] > max) max = total[row + j];
      // Terms below e^−40 of the largest cannot change the sum (which holds its 1) in any digit kept: skip their exp.
      const floor = max - NEGLIGIBLE_LOG;
      let sum = 0;
      for (let j = 0; j < kernelsCount; j++) if (total[row + j] > floor) sum += Math.exp(total[row + j] - max);
      out[s] = Math.log(sum) + max;
    }
    return out;
  }

  /**
   * The log-density of a mixture over one continuous parameter (univariate TPE's usual case), the same
   * sums as the general path without its kernels-by-samples table, in one pass per sample.
   */
  private logPdfContinuous(k: Extract<ParzenKernels, { kind: 'numerical' }>, values: ArrayLike<number>): Float64Array {
    const { mus, sigmas, low, high, log } = k;
    const kernelsCount = mus.length;
    const inverseSigma = new Float64Array(kernelsCount);
    const constant = new Float64Array(kernelsCount);
    const logWeights = this.scaleTerm ? null : this.logWeights;
    for (let j = 0; j < kernelsCount; j++) {
      inverseSigma[j] = 1 / sigmas[j];
      // log(w/σ) in one log instead of two.
      const logWeight = logWeights === null ? Math.log(this.weights[j] / sigmas[j]) : logWeights[j];
      constant[j] = logWeight - logGaussMass((low - mus[j]) / sigmas[j], (high - mus[j]) / sigmas[j]) - LOG_SQRT_2PI;
    }
    const out = new Float64Array(values.length);
    for (let s = 0; s < values.length; s++) {
      const x = log ? Math.log(values[s]) : values[s];
      if (!(x >= low && x <= high)) {
        out[s] = -Infinity;
        continue;
      }
      // One pass of log-sum-exp, rescaling when a larger term comes; the prior (last, the widest kernel)
      // first, so that few terms rescale and the far ones are skipped from the start.
      const prior = kernelsCount - 1;
      const zPrior = (x - mus[prior]) * inverseSigma[prior];
      let max = constant[prior] - 0.5 * zPrior * zPrior;
      let sum = 1;
      for (let j = 0; j < prior; j++) {
        const z = (x - mus[j]) * inverseSigma[j];
        const term = constant[j] - 0.5 * z * z;
        if (term > max) {
          sum = sum * Math.exp(max - term) + 1;
          max = term;
        } else if (term > max - NEGLIGIBLE_LOG) sum += Math.exp(term - max);
      }
      out[s] = Math.log(sum) + max;
    }
    return out;
  }

  /**
   * `size` draws from the mixture (internal values, on the distributions' grids): a kernel by its weight,
   * then each parameter from that kernel.
   */
  sample(rng: Rng, size: number, space: Readonly<Record<string, Distribution>>): Record<string, Float64Array> {
    const cumulative = new Float64Array(this.weights.length);
    let acc = 0;
    this.weights.forEach((w, j) => {
      acc += w;
      cumulative[j] = acc;
    });
    const active = new Int32Array(size);
    for (let s = 0; s < size; s++) {
      const u = rng.random() * acc;
      let j = 0;
      while (j < cumulative.length - 1 && cumulative[j] <= u) j++;
      active[s] = j;
    }
    const out: Record<string, Float64Array> = {};
    for (const [name, k] of Object.entries(this.kernels)) {
      const values = new Float64Array(size);
      const d = space[name];
      for (let s = 0; s < size; s++) {
        const j = active[s];
        if (k.kind === 'categorical') {
          const u = rng.random();
          let c = 0;
          let cum = k.probabilities[j][0];
          while (c < k.choices - 1 && cum < u) cum += k.probabilities[j][++c];
          values[s] = c;
          continue;
        }
        const mu = k.mus[j];
        const sigma = k.sigmas[j];
        const z = truncnormPpf(rng.random(), (k.low - mu) / sigma, (k.high - mu) / sigma);
        values[s] = toGrid(d, k.log ? Math.exp(z * sigma + mu) : z * sigma + mu);
      }
      out[name] = values;
    }
    return out;
  }
}

/** A continuous draw rounded to the distribution's grid and clipped to its range (Optuna's `_transform_from_uniform`). */
function toGrid(d: Distribution, v: number): number {
  switch (d.type) {
    case 'float':
      if (d.log || d.step === null) return Math.min(d.high, Math.max(d.low, v));
      return Math.min(d.high, Math.max(d.low, Math.round((v - d.low) / d.step) * d.step + d.low));
    case 'int':
      if (d.log) return Math.min(d.high, Math.max(d.low, Math.round(v)));
      return Math.min(d.high, Math.max(d.low, Math.round((v - d.low) / d.step) * d.step + d.low));
    case 'ordinal':
      return Math.min(d.values.length - 1, Math.max(0, Math.round(v)));
    case 'categorical':
      return v;
  }
}
