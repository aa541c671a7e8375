/**
 * `QmcSampler`: quasi-Monte-Carlo sampling with a scrambled Sobol' sequence (see `sobol.ts`). Like
 * random search it needs no model and no history, but its points fill the space evenly: any 2^m
 * consecutive, aligned trials split each parameter's range into 2^m equal strata with one trial in each,
 * which random search only achieves on average. That makes it a good first stage (and a good baseline)
 * for an expensive study.
 *
 * Parallel safety: the point a trial gets is point number `trial.number` of the sequence. Trial numbers
 * are unique and assigned atomically by the storage, so parallel and distributed workers never draw the
 * same point, never need to coordinate a counter, and a re-run with the same seed reproduces every
 * trial whatever order trials ran in. (Optuna's QMCSampler keeps a sample counter in a system
 * attribute instead; ours needs no read-modify-write.)
 *
 * The relative search space (the parameters sampled jointly) is `options.searchSpace`, or else the
 * distributions of the study's first COMPLETE trial, as in Optuna's QMCSampler. The inferred space is
 * stored in the study system attribute `tansaku:qmc:search_space`, so every worker and every restarted
 * process uses the same dimensions in the same order even after more trials complete.
 */
import { fromUnit, isSingleValue, validateSearchSpace, type Distribution, type SearchSpace } from '../../core/distributions.js';
import { checkOptions } from '../../core/options.js';
import { InvalidArgumentError, StorageError, describeValue } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { RelativeSample, Sampler, StudyView } from '../../core/sampler.js';
import type { FrozenTrial, JsonValue } from '../../core/trial-record.js';
import { SOBOL_MAX_DIMENSION, SOBOL_MAX_POINTS, SobolSequence } from './sobol.js';
import { setName } from '../../core/records.js';

/** Study system attribute holding the inferred relative search space (name -> distribution JSON). */
export const QMC_SEARCH_SPACE_ATTR = 'tansaku:qmc:search_space';

/** Options of {@link QmcSampler}. */
export interface QmcSamplerOptions {
  /**
   * Seed of the scramble and of the independent draws; defaults to the study's seed (shared by all
   * workers of the study). The scramble depends on the seed only, so all workers share one sequence.
   */
  seed?: number;
  /**
   * Randomise the Sobol' sequence with a linear matrix scramble and a digital shift (default true).
   * Unscrambled, trial 0 sits at the lower corner of every range and points align on dyadic grids.
   */
  scramble?: boolean;
  /**
   * The parameters to sample jointly from the sequence. By default it is inferred from the study's
   * first COMPLETE trial; until one exists every parameter is drawn uniformly at random.
   */
  searchSpace?: SearchSpace;
}

/**
 * Quasi-Monte-Carlo sampler on a scrambled Sobol' sequence, indexed by trial number.
 *
 * Parameters of the relative search space (sorted by name; parameters with a single possible value
 * take no dimension) are coordinates of Sobol' point `trial.number`, mapped to each distribution with
 * `fromUnit` (log-uniform for log scales, equal cells for ints, ordinals and categories). Other
 * parameters (conditional ones, or all of them before the space is known) are drawn uniformly at
 * random from `Rng.forKey(seed, trial.number, name)`.
 *
 * @example
 * ```ts
 * import { createStudy, floatDistribution, intDistribution, QmcSampler } from 'tansaku';
 *
 * const study = await createStudy({
 *   direction: 'minimize',
 *   sampler: new QmcSampler({
 *     seed: 42,
 *     searchSpace: {
 *       lr: floatDistribution('lr', 1e-5, 1e-1, { log: true }),
 *       layers: intDistribution('layers', 1, 4),
 *     },
 *   }),
 * });
 * await study.optimize((trial) => train(trial.suggestFloat('lr', 1e-5, 1e-1, { log: true }),
 *                                       trial.suggestInt('layers', 1, 4)), { nTrials: 64 });
 * ```
 */
export class QmcSampler implements Sampler {
  readonly name = 'QmcSampler';
  readonly seed: number | undefined;
  readonly scramble: boolean;
  /** The fixed relative search space from the options, validated; null when it is inferred. */
  readonly searchSpace: Readonly<SearchSpace> | null;

  private readonly sequences = new Map<string, SobolSequence>();
  /** Last parsed stored space, keyed by its JSON text, so each trial does not re-validate it. */
  private storedSpaceCache: { json: string; space: SearchSpace } | null = null;

  constructor(given: QmcSamplerOptions = {}) {
    const options = checkOptions('QmcSampler', given, ['seed', 'scramble', 'searchSpace']);
    if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isSafeInteger(options.seed))) {
      throw new InvalidArgumentError(`QmcSampler: seed must be an integer, got ${describeValue(options.seed)}`);
    }
    const scramble = options.scramble ?? true;
    if (typeof scramble !== 'boolean') {
      throw new InvalidArgumentError(`QmcSampler: scramble must be true or false, got ${describeValue(scramble)}`);
    }
    this.seed = options.seed;
    this.scramble = scramble;
    if (options.searchSpace !== undefined) {
      if (typeof options.searchSpace !== 'object' || options.searchSpace === null || Array.isArray(options.searchSpace)) {
        throw new InvalidArgumentError(
          `QmcSampler: searchSpace must be an object mapping parameter names to distributions, got ${describeValue(options.searchSpace)}`,
        );
      }
      const space = validateSearchSpace(options.searchSpace);
      checkDimensionCount(space, 'options.searchSpace');
      this.searchSpace = Object.freeze(space);
    } else {
      this.searchSpace = null;
    }
  }

  async sampleRelative(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> {
    const space = this.searchSpace ?? (await this.inferredSearchSpace(study));
    if (space === null) return {};
    const names = sampledNames(space);
    if (names.length === 0) return {};
    if (trial.number >= SOBOL_MAX_POINTS) {
      throw new InvalidArgumentError(
        `QmcSampler: trial number ${trial.number} is past the end of the Sobol' sequence; ` +
          `expected a trial number below 2^30 = ${SOBOL_MAX_POINTS}`,
      );
    }
    const point = this.sequence(this.seed ?? study.seed, names.length).point(trial.number);
    const sample: RelativeSample = {};
    names.forEach((name, dimension) => {
      const distribution = space[name];
      setName(sample, name, { distribution, internal: fromUnit(distribution, point[dimension]) });
    });
    return sample;
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    const rng = Rng.forKey(this.seed ?? study.seed, trial.number, name);
    return fromUnit(distribution, rng.random());
  }

  /**
   * The stored space if the study has one; otherwise the first COMPLETE trial's distributions, stored
   * for every later call and every other worker; null while no trial has completed.
   */
  private async inferredSearchSpace(study: StudyView): Promise<SearchSpace | null> {
    const stored = this.storedSearchSpace(await study.getSystemAttrs());
    if (stored !== null) return stored;

    const complete = await study.getTrials({ states: ['COMPLETE'] });
    let first: FrozenTrial | null = null;
    for (const t of complete) {
      if (t.state === 'COMPLETE' && (first === null || t.number < first.number)) first = t;
    }
    if (first === null) return null;

    const space: SearchSpace = {};
    for (const name of Object.keys(first.distributions).sort()) setName(space, name, first.distributions[name]);
    checkDimensionCount(space, `the distributions of trial ${first.number}`);
    await study.setSystemAttr(QMC_SEARCH_SPACE_ATTR, space as unknown as JsonValue);
    // Two workers can infer at the same moment from different "first" trials (trial 1 completing before
    // trial 0); the storage keeps the last write, and reading it back makes this worker agree with it.
    return this.storedSearchSpace(await study.getSystemAttrs()) ?? space;
  }

  private storedSearchSpace(attrs: Readonly<Record<string, JsonValue>>): SearchSpace | null {
    const value = attrs[QMC_SEARCH_SPACE_ATTR];
    if (value === undefined) return null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StorageError(
        `QmcSampler: study system attribute "${QMC_SEARCH_SPACE_ATTR}" must be an object mapping parameter names ` +
          `to distributions, got ${describeValue(value)}`,
      );
    }
    const json = JSON.stringify(value);
    if (this.storedSpaceCache?.json !== json) {
      this.storedSpaceCache = { json, space: validateSearchSpace(value as Record<string, unknown>) };
    }
    return this.storedSpaceCache.space;
  }

  private sequence(seed: number, dimension: number): SobolSequence {
    const key = `${seed}:${dimension}`;
    let sequence = this.sequences.get(key);
    if (sequence === undefined) {
      sequence = new SobolSequence(dimension, { scramble: this.scramble, seed });
      this.sequences.set(key, sequence);
    }
    return sequence;
  }
}

/** Names that take a Sobol' dimension, in dimension order: sorted, without single-value parameters. */
function sampledNames(space: SearchSpace): string[] {
  return Object.keys(space)
    .sort()
    .filter((name) => !isSingleValue(space[name]));
}

function checkDimensionCount(space: SearchSpace, source: string): void {
  const count = sampledNames(space).length;
  if (count > SOBOL_MAX_DIMENSION) {
    throw new InvalidArgumentError(
      `QmcSampler: ${source} has ${count} parameters with more than one value; the Sobol' sequence supports ` +
        `at most ${SOBOL_MAX_DIMENSION} dimensions`,
    );
  }
}

/**
 * Squared centered L2 discrepancy (Hickernell 1998, "A generalized discrepancy and quadrature error
 * bound", Math. Comp. 67, 299-322) of points in [0, 1]^d: lower means more evenly spread. Matches
 * `scipy.stats.qmc.discrepancy(points, method='CD')`, which also returns the squared value. O(n^2 d).
 *
 * @example
 * ```ts
 * centeredL2Discrepancy(new SobolSequence(2, { seed: 1 }).points(0, 256)); // about 1e-5
 * ```
 */
export function centeredL2Discrepancy(points: readonly (readonly number[])[]): number {
  if (!Array.isArray(points) || points.length === 0) {
    throw new InvalidArgumentError(`centeredL2Discrepancy: points must be a non-empty array of points, got ${describeValue(points)}`);
  }
  const n = points.length;
  const d = points[0].length;
  points.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== d || d === 0) {
      throw new InvalidArgumentError(
        `centeredL2Discrepancy: points[${i}] must have ${d} coordinates like points[0], got ${describeValue(p)}`,
      );
    }
    for (let k = 0; k < d; k++) {
      const x: unknown = p[k];
      if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
        throw new InvalidArgumentError(`centeredL2Discrepancy: points[${i}][${k}] must be in [0, 1], got ${describeValue(x)}`);
      }
    }
  });
  // Distances to the centre, used by both sums.
  const offCentre = points.map((p) => p.map((x: number) => Math.abs(x - 0.5)));
  let single = 0;
  for (let i = 0; i < n; i++) {
    let product = 1;
    for (let k = 0; k < d; k++) {
      const c = offCentre[i][k];
      product *= 1 + 0.5 * c - 0.5 * c * c;
    }
    single += product;
  }
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let product = 1;
      for (let k = 0; k < d; k++) {
        product *= 1 + 0.5 * offCentre[i][k] + 0.5 * offCentre[j][k] - 0.5 * Math.abs(points[i][k] - points[j][k]);
      }
      pairs += product;
    }
  }
  return (13 / 12) ** d - (2 / n) * single + pairs / (n * n);
}
