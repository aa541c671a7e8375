/**
 * `TpeSampler`: the Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, "Algorithms for
 * Hyper-Parameter Optimization", NeurIPS 2011), as Optuna implements it and as Watanabe describes its
 * components ("Tree-structured Parzen Estimator: Understanding Its Algorithm Components and Why They
 * Matter for Better Empirical Performance", arXiv 2304.11127), with the multi-objective split of MOTPE
 * (Ozaki et al., JAIR 2022). Written from Optuna's `samplers/_tpe/` read as a specification.
 *
 * Each trial, after `nStartupTrials` finished trials (random until then):
 * 1. the finished trials — and, with `constantLiar`, the running ones as the worst — are split into the
 *    best `gamma(n)` ("below") and the rest ("above"); see `split.ts`;
 * 2. a Parzen estimator l(x) is fitted to the below trials and g(x) to the above ones, with the weights
 *    ramp favouring recent trials and a prior kernel (`parzen-estimator.ts`);
 * 3. `nEiCandidates` points are drawn from l(x) and the one with the largest l(x)/g(x) — the maximiser of
 *    expected improvement under TPE's model — is the trial's.
 *
 * Univariate (`multivariate: false`) does this one parameter at a time during the objective;
 * multivariate fits joint kernels over the parameters every finished trial has, at ask, and the others
 * (conditional ones) go univariate; with `group`, each group of parameters that always occur together is
 * sampled jointly. Ordinal parameters are an ordered axis (Optuna would treat them as categorical).
 *
 * Defaults follow Optuna 5 where it improved on 3.1 — `preset: 'optuna-3.1'` restores 3.1's choices:
 * - `multivariate` is on for one objective (3.1: off);
 * - `constantLiar` is on (3.1: off), for one and several objectives (3.1 had it for one only);
 * - with several objectives the below set is ⌈0.1·n⌉ trials, without 3.1's cap of 25 (as Optuna 5);
 * - a continuous kernel's log-density has its −log σ term (3.1 leaves it out, favouring wide kernels);
 * these hold in both presets:
 * - constraints put infeasible trials after the pruned ones, by violation (as Optuna 4; in 3.1 they are
 *   ordered by violation among all trials);
 * - randomness comes from (seed, trial number), not one stream per sampler object, so workers and
 *   restarted processes draw what one process would (Optuna's draws depend on which process ran what);
 * - an observation outside a parameter's current range (the range was narrowed) is left out.
 *
 * State rule: nothing but the trials. Finished trials are read once and kept (they never change), so
 * the per-trial cost is that of the model, not of reading the study.
 */
import { contains, fromUnit, type Distribution } from '../../core/distributions.js';
import { InvalidArgumentError, describeValue } from '../../core/errors.js';
import { checkOptions } from '../../core/options.js';
import { Rng } from '../../core/rng.js';
import type { RelativeSample, Sampler, StudyView } from '../../core/sampler.js';
import { constraintsOf } from '../../core/constraints.js';
import { isFinished, type FrozenTrial, type TrialState } from '../../core/trial-record.js';
import { PerStudy } from '../per-study.js';
import { ParzenEstimator, type ParzenOptions } from './parzen-estimator.js';
import { groupDecomposedSearchSpace, intersectionSearchSpace } from './search-space.js';
import { collectObservations, splitObservations, type TpeObservation, type TpeSplit } from './split.js';

export interface TpeSamplerOptions {
  /** Finished (COMPLETE or PRUNED) trials sampled at random before the model is used. Default 10. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per sample; the best l/g ratio wins. Default 24. */
  nEiCandidates?: number;
  /** Joint kernels over the parameters every finished trial has. Default: on for one objective, off for several. */
  multivariate?: boolean;
  /** Sample each group of parameters that always occur together jointly (conditional spaces). Needs multivariate. Default false. */
  group?: boolean;
  /** Running trials, also other workers', count as the worst, so parallel workers do not pile up. Default true. */
  constantLiar?: boolean;
  /** Bandwidths of the outermost kernels use the distance to the range's ends too. Default false. */
  considerEndpoints?: boolean;
  /** Bounds each bandwidth below by range / min(100, 1 + kernels). Default true. */
  considerMagicClip?: boolean;
  /** Weight of the prior kernel (uniform over the range) against each observation's. Default 1. */
  priorWeight?: number;
  /**
   * Size of the below set for n finished trials: a function, or a fraction f for min(⌈f·n⌉, 25).
   * Default min(⌈0.1·n⌉, 25); for several objectives ⌈0.1·n⌉ (Optuna 5; the 3.1 preset keeps the cap).
   */
  gamma?: number | ((n: number) => number);
  /** The kernels' weights for n observations, oldest first. Default: Optuna's ramp (flat for the newest 25). */
  weights?: (n: number) => ArrayLike<number>;
  /** Seed; defaults to the study's seed (shared by all workers of the study). */
  seed?: number;
  /** `'optuna-3.1'`: Optuna 3.1's defaults (univariate, no constant liar, its kernel density); options given still win. */
  preset?: 'optuna-3.1';
}

const OPTION_NAMES = [
  'nStartupTrials',
  'nEiCandidates',
  'multivariate',
  'group',
  'constantLiar',
  'considerEndpoints',
  'considerMagicClip',
  'priorWeight',
  'gamma',
  'weights',
  'seed',
  'preset',
] as const;

/** Optuna's `default_gamma`: min(⌈0.1·n⌉, 25). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Optuna's `default_weights`: ones below 25 observations; else a linear ramp from 1/n for the oldest, then 25 ones. */
export function defaultWeights(n: number): Float64Array {
  const out = new Float64Array(n).fill(1);
  if (n < 25) return out;
  const ramp = n - 25;
  for (let i = 0; i < ramp; i++) out[i] = ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1);
  return out;
}

/** What a trial's sampling sees: the split made at ask, or null before the model is used. */
interface TrialModel {
  readonly split: TpeSplit | null;
}

/** A study's finished trials read so far, and where to read on from. */
interface History {
  /** The view's reader: a view made for one trial (a pruner's narrowed view) has its own and is read whole. */
  reader: StudyView['getTrials'];
  finished: FrozenTrial[];
  /** The lowest trial number not known to be finished. */
  frontier: number;
}

const SNAPSHOT_LIMIT = 1024;

/**
 * @example
 * ```ts
 * const study = await createStudy({ sampler: new TpeSampler({ seed: 1 }) });          // Tansaku's defaults
 * const like31 = new TpeSampler({ preset: 'optuna-3.1', multivariate: true });        // Optuna 3.1's TPE, multivariate
 * ```
 */
export class TpeSampler implements Sampler {
  readonly name = 'TpeSampler';
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  /** null: on for one objective, off for several. */
  readonly multivariate: boolean | null;
  readonly group: boolean;
  readonly constantLiar: boolean;
  readonly seed: number | undefined;
  readonly preset: 'optuna-3.1' | undefined;
  private readonly gamma: (n: number) => number;
  /** False: Optuna 5's default, ⌈0.1·n⌉ without the cap of 25 for several objectives. */
  private readonly gammaGiven: boolean;
  private readonly weights: (n: number) => ArrayLike<number>;
  private readonly parzen: Omit<ParzenOptions, 'multivariate'>;
  private readonly histories = new PerStudy<History>();
  private readonly models = new PerStudy<Map<number, TrialModel>>();

  constructor(given: TpeSamplerOptions = {}) {
    const o = checkOptions('TpeSampler', given, OPTION_NAMES);
    const fail = (name: string, expected: string, value: unknown): never => {
      throw new InvalidArgumentError(`TpeSampler: ${name} must be ${expected}, got ${describeValue(value)}`);
    };
    if (o.preset !== undefined && o.preset !== 'optuna-3.1') fail('preset', '"optuna-3.1"', o.preset);
    const legacy = o.preset === 'optuna-3.1';
    const integer = (name: keyof TpeSamplerOptions, value: unknown, min: number, fallback: number): number => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(name, `an integer >= ${min}`, value);
      return value as number;
    };
    const flag = (name: keyof TpeSamplerOptions, value: unknown, fallback: boolean): boolean => {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(name, 'true or false', value);
      return value as boolean;
    };
    this.nStartupTrials = integer('nStartupTrials', o.nStartupTrials, 0, 10);
    this.nEiCandidates = integer('nEiCandidates', o.nEiCandidates, 1, 24);
    if (o.multivariate !== undefined) flag('multivariate', o.multivariate, false);
    this.group = flag('group', o.group, false);
    if (this.group && o.multivariate === false) {
      throw new InvalidArgumentError('TpeSampler: group needs multivariate (give multivariate: true, or leave it out)');
    }
    this.multivariate = this.group ? true : (o.multivariate ?? (legacy ? false : null));
    this.constantLiar = flag('constantLiar', o.constantLiar, !legacy);
    const priorWeight = o.priorWeight ?? 1;
    if (typeof priorWeight !== 'number' || !Number.isFinite(priorWeight) || priorWeight <= 0) {
      fail('priorWeight', 'a finite number > 0', priorWeight);
    }
    this.parzen = {
      priorWeight,
      considerEndpoints: flag('considerEndpoints', o.considerEndpoints, false),
      considerMagicClip: flag('considerMagicClip', o.considerMagicClip, true),
      scaleTerm: !legacy,
    };
    this.gamma = gammaOption(o.gamma);
    this.gammaGiven = o.gamma !== undefined || legacy;
    if (o.weights !== undefined && typeof o.weights !== 'function') fail('weights', 'a function of n', o.weights);
    this.weights = o.weights ? checkedWeights(o.weights) : lastOf(defaultWeights);
    if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed))) fail('seed', 'an integer', o.seed);
    this.seed = o.seed;
    this.preset = o.preset;
  }

  /**
   * How many of `finished` trials go below (fit l(x)) in a study of `objectives` objectives.
   * @example new TpeSampler().belowSize(300, 1) // 25; belowSize(300, 2) // 30
   */
  belowSize(finished: number, objectives: number): number {
    return objectives > 1 && !this.gammaGiven ? Math.ceil(0.1 * finished) : this.gamma(finished);
  }

  /** Whether the sampler models parameters jointly in `study` (the default depends on its objectives). */
  isMultivariate(study: StudyView): boolean {
    return this.multivariate ?? study.directions.length === 1;
  }

  async sampleRelative(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> {
    const trials = await this.readTrials(study);
    const multiObjective = study.directions.length > 1;
    const { observations, finished } = collectObservations(trials, {
      constantLiar: this.constantLiar,
      multiObjective,
      exclude: trial.number,
    });
    let split: TpeSplit | null = null;
    if (finished >= this.nStartupTrials && finished > 0) {
      const constraints = observations.some((o) => o.trial.state !== 'RUNNING' && constraintsOf(o.trial) !== null);
      split = splitObservations(observations, study.directions, this.belowSize(finished, study.directions.length), constraints);
    }
    this.remember(study, trial, { split });
    if (split === null || !this.isMultivariate(study)) return {};
    const finishedTrials = observations.filter((o) => o.trial.state !== 'RUNNING').map((o) => o.trial);
    const spaces = this.group ? groupDecomposedSearchSpace(finishedTrials) : [intersectionSearchSpace(finishedTrials)];
    const out: RelativeSample = {};
    for (const space of spaces) {
      const names = Object.keys(space);
      if (names.length === 0) continue;
      const rng = Rng.forKey(this.seed ?? study.seed, trial.number, `tpe:${names.join('\u0000')}`);
      const chosen = this.sampleSpace(study, split, space, rng);
      for (const name of names)
        Object.defineProperty(out, name, {
          value: { distribution: space[name], internal: chosen[name] },
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return out;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const split = this.models.get(study)?.get(trial.trialId)?.split ?? null;
    if (split === null) return fromUnit(distribution, Rng.forKey(this.seed ?? study.seed, trial.number, name).random());
    const rng = Rng.forKey(this.seed ?? study.seed, trial.number, 'tpe', name);
    return this.sampleSpace(study, split, { [name]: distribution }, rng)[name];
  }

  afterTrial(study: StudyView, trial: FrozenTrial, _state: TrialState): void {
    this.models.get(study)?.delete(trial.trialId);
  }

  /** The best of `nEiCandidates` draws from l(x) by log l(x) − log g(x), as internal values. */
  private sampleSpace(study: StudyView, split: TpeSplit, space: Readonly<Record<string, Distribution>>, rng: Rng): Record<string, number> {
    const names = Object.keys(space);
    const distributions = names.map((n) => space[n]);
    const fits = (o: TpeObservation): boolean => {
      for (let p = 0; p < names.length; p++) {
        const n = names[p];
        const d = o.distributions[n];
        // A study's trials share one distribution object per parameter: the common case costs a comparison.
        if (d === distributions[p]) continue;
        if (d === undefined || !Object.hasOwn(o.params, n) || d.type !== distributions[p].type || !contains(distributions[p], o.params[n]))
          return false;
      }
      return true;
    };
    const below = split.below.filter(fits);
    const above = split.above.filter(fits);
    const values = (list: readonly TpeObservation[]): Record<string, Float64Array> => {
      const out: Record<string, Float64Array> = Object.create(null);
      for (const n of names) {
        const column = new Float64Array(list.length);
        for (let i = 0; i < list.length; i++) column[i] = list[i].params[n];
        out[n] = column;
      }
      return out;
    };
    const options: ParzenOptions = { ...this.parzen, multivariate: this.isMultivariate(study) };
    const belowWeights = split.belowWeights;
    const lower = new ParzenEstimator(
      values(below),
      space,
      belowWeights ? below.map((o) => belowWeights.get(o) ?? 1e-12) : this.weights(below.length),
      options,
    );
    const upper = new ParzenEstimator(values(above), space, this.weights(above.length), options);
    const candidates = lower.sample(rng, this.nEiCandidates, space);
    const logL = lower.logPdf(candidates);
    const logG = upper.logPdf(candidates);
    let best = 0;
    for (let i = 1; i < logL.length; i++) if (logL[i] - logG[i] > logL[best] - logG[best]) best = i;
    const out: Record<string, number> = Object.create(null);
    for (const n of names) out[n] = candidates[n][best];
    return out;
  }

  /** Finished trials (kept from earlier reads) and the unfinished ones, read from the first unfinished number on. */
  private async readTrials(study: StudyView): Promise<FrozenTrial[]> {
    let history = this.histories.get(study);
    if (history?.reader !== study.getTrials) history = this.histories.set(study, { reader: study.getTrials, finished: [], frontier: 0 });
    const fresh = await study.getTrials({ fromNumber: history.frontier });
    const unfinished: FrozenTrial[] = [];
    for (const t of [...fresh].sort((a, b) => a.number - b.number)) {
      if (t.number < history.frontier) continue;
      if (isFinished(t.state) && unfinished.length === 0 && t.number === history.frontier) {
        history.finished.push(t);
        history.frontier++;
      } else unfinished.push(t);
    }
    return [...history.finished, ...unfinished];
  }

  private remember(study: StudyView, trial: FrozenTrial, model: TrialModel): void {
    const models = this.models.get(study) ?? this.models.set(study, new Map());
    models.set(trial.trialId, model);
    // A trial that never reached afterTrial (its process was killed) must not keep its model for ever.
    if (models.size > SNAPSHOT_LIMIT) models.delete(models.keys().next().value as number);
  }
}

/** `f` remembering its last answer: univariate TPE asks for the same n's weights once per parameter. */
function lastOf(f: (n: number) => Float64Array): (n: number) => Float64Array {
  let lastN = -1;
  let last: Float64Array = new Float64Array(0);
  return (n) => {
    if (n !== lastN) {
      last = f(n);
      lastN = n;
    }
    return last;
  };
}

function gammaOption(gamma: unknown): (n: number) => number {
  if (gamma === undefined) return defaultGamma;
  if (typeof gamma === 'function') return checkedGamma(gamma as (n: number) => number);
  if (typeof gamma === 'number' && gamma > 0 && gamma <= 1) return (n) => Math.min(Math.ceil(gamma * n), 25);
  throw new InvalidArgumentError(`TpeSampler: gamma must be a function of n or a fraction in (0, 1], got ${describeValue(gamma)}`);
}

function checkedGamma(gamma: (n: number) => number): (n: number) => number {
  return (n) => {
    const k = gamma(n);
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
      throw new InvalidArgumentError(`TpeSampler: gamma(${n}) must return an integer >= 0, got ${describeValue(k)}`);
    }
    return Math.min(k, n);
  };
}

function checkedWeights(weights: (n: number) => ArrayLike<number>): (n: number) => ArrayLike<number> {
  return (n) => {
    const w = weights(n);
    if (!w || w.length !== n) throw new InvalidArgumentError(`TpeSampler: weights(${n}) must return ${n} weights, got ${describeValue(w)}`);
    for (let i = 0; i < n; i++) {
      if (typeof w[i] !== 'number' || !Number.isFinite(w[i]) || w[i] < 0) {
        throw new InvalidArgumentError(`TpeSampler: weights(${n})[${i}] must be a finite number >= 0, got ${describeValue(w[i])}`);
      }
    }
    return w;
  };
}
