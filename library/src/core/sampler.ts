/**
 * The Sampler interface: what every search algorithm implements.
 *
 * A trial goes through the sampler in three phases:
 * 1. `planTrial` (optional, async, before the trial exists): the sampler may fix the whole trial (a grid
 *    cell, a simplex vertex) and claim it with a unique key so no other worker runs it; it may also
 *    *defer* when it has nothing sensible to propose until running trials finish (a Nelder-Mead step
 *    waiting for its vertices, a CMA-ES generation), or say the search is exhausted.
 * 2. `sampleRelative` (optional, async, after the trial is created): joint sampling of several
 *    parameters from the study's history.
 * 3. `sampleIndependent` (sync, during the objective): a value for a parameter the earlier phases did
 *    not cover, e.g. a conditional parameter.
 * `afterTrial` (optional) runs when the trial finishes.
 *
 * State rule (ARCHITECTURE.md): anything a sampler needs to continue the search lives in the storage, in
 * trials and system attributes, so another worker or a restarted process continues the same search.
 * Randomness is derived from `study.seed` and the trial number (see `Rng.forKey`).
 */
import type { Distribution } from './distributions.js';
import type { FrozenTrial, JsonValue, StudyDirection, TrialState } from './trial-record.js';
import type { GetTrialsOptions, Storage } from './storage.js';

/** What samplers and pruners see of a study. */
export interface StudyView {
  readonly studyId: number;
  readonly studyName: string;
  readonly directions: readonly StudyDirection[];
  /** The study's seed, shared by every worker of the study. */
  readonly seed: number;
  readonly storage: Storage;
  getTrials(options?: GetTrialsOptions): Promise<readonly FrozenTrial[]>;
  getSystemAttrs(): Promise<Readonly<Record<string, JsonValue>>>;
  setSystemAttr(key: string, value: JsonValue): Promise<void>;
}

/** Outcome of {@link Sampler.planTrial}. */
export type TrialPlan =
  /** Nothing to fix: create an ordinary trial. */
  | { kind: 'free' }
  /**
   * Run exactly these objective-facing parameter values. With `claimKey`, the trial is only created if no
   * other trial of the study holds the same key; otherwise `planTrial` is called again.
   */
  | { kind: 'fixed'; params: Record<string, unknown>; claimKey?: string; systemAttrs?: Record<string, JsonValue> }
  /**
   * Nothing to propose until a running trial finishes. `ask` waits for the study to change and plans
   * again; with `fallback: true` it creates an ordinary trial now instead (sampled by
   * `sampleRelative`/`sampleIndependent`, which must then handle it, e.g. randomly).
   */
  | { kind: 'defer'; fallback?: boolean }
  /** The search is over (every grid cell is taken): `ask` throws `StudyExhaustedError`, `optimize` stops. */
  | { kind: 'exhausted' };

/** Values for parameters sampled jointly: name -> distribution and internal value. */
export type RelativeSample = Record<string, { distribution: Distribution; internal: number }>;

/**
 * A search algorithm (see the module documentation for its three phases). Only `name` and
 * `sampleIndependent` are required; `runSamplerContract` from `tansaku/testing` checks an implementation.
 *
 * @example
 * ```ts
 * import { Rng, fromUnit, type Distribution, type FrozenTrial, type Sampler, type StudyView } from 'tansaku/extend';
 *
 * class UniformSampler implements Sampler {
 *   readonly name = 'UniformSampler';
 *   sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
 *     // one stream per (study seed, trial number, parameter): reproducible however trials are spread over workers
 *     return fromUnit(distribution, Rng.forKey(study.seed, trial.number, name).random());
 *   }
 * }
 * const study = await createStudy({ sampler: new UniformSampler() });
 * ```
 */
export interface Sampler {
  /** Short name used in logs and stored settings, e.g. "RandomSampler". */
  readonly name: string;
  planTrial?(study: StudyView): Promise<TrialPlan> | TrialPlan;
  sampleRelative?(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> | RelativeSample;
  /** Returns the internal value (see `distributions.ts`) for `name`. Must be synchronous. */
  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number;
  afterTrial?(study: StudyView, trial: FrozenTrial, state: TrialState, values: readonly number[] | null): Promise<void> | void;
}
