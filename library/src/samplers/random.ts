/**
 * `RandomSampler`: independent uniform sampling (log-uniform for log-scaled parameters, equal
 * probability for each discrete value). Each draw comes from `Rng.forKey(seed, trial.number, name)`,
 * so a trial's parameters depend only on the seed, its number and the parameter's name: parallel and
 * distributed runs are reproducible, and conditional parameters do not shift each other's values.
 */
import { fromUnit, type Distribution } from '../core/distributions.js';
import { checkOptions } from '../core/options.js';
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Sampler, StudyView } from '../core/sampler.js';
import type { FrozenTrial } from '../core/trial-record.js';

export interface RandomSamplerOptions {
  /** Seed; defaults to the study's seed (shared by all workers of the study). */
  seed?: number;
}

/**
 * @example
 * ```ts
 * const study = await createStudy({ sampler: new RandomSampler({ seed: 42 }) });
 * ```
 */
export class RandomSampler implements Sampler {
  readonly name = 'RandomSampler';
  readonly seed: number | undefined;

  constructor(given: RandomSamplerOptions = {}) {
    const options = checkOptions('RandomSampler', given, ['seed']);
    if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isSafeInteger(options.seed))) {
      throw new InvalidArgumentError(`RandomSampler: seed must be an integer, got ${describeValue(options.seed)}`);
    }
    this.seed = options.seed;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const rng = Rng.forKey(this.seed ?? study.seed, trial.number, name);
    return fromUnit(distribution, rng.random());
  }
}
