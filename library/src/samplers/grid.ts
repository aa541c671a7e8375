/**
 * `GridSampler`: every combination of the given values, each run exactly once, in a seeded random
 * order. Unlike Optuna's GridSampler, which can run a cell twice when workers race, each cell is
 * claimed atomically in the storage (a claim key per cell), so parallel workers and processes never
 * duplicate a cell; when every cell is claimed the study is exhausted and `optimize` stops.
 *
 * A cell whose worker died is failed by the heartbeat sweep and, with `heartbeat.maxRetry`, re-run
 * with the same parameters: no cell stays RUNNING forever.
 */
import type { Distribution, ParamValue } from '../core/distributions.js';
import { checkOptions } from '../core/options.js';
import { InvalidArgumentError, describeValue } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Sampler, StudyView, TrialPlan } from '../core/sampler.js';
import { SystemAttr, type FrozenTrial, type JsonValue } from '../core/trial-record.js';
import { PerStudy } from './per-study.js';
import { setName } from '../core/records.js';

export interface GridSamplerOptions {
  /** Seed of the visiting order; defaults to the study's seed. */
  seed?: number;
  /** Visit cells in a seeded random order (default, as Optuna) or in lexicographic order. */
  shuffle?: boolean;
}

const KEY_PREFIX = 'grid:';

interface GridProgress {
  claimed: Set<number>;
  readUpTo: number;
  order: number[] | null;
  cursor: number;
}

/**
 * @example
 * ```ts
 * const sampler = new GridSampler({ n1: logGrid(8, 4096, 2), n2: logGrid(8, 4096, 2) });
 * const study = await createStudy({ sampler });
 * await study.optimize(objective); // stops after the 100 cells
 * ```
 */
export class GridSampler implements Sampler {
  readonly name = 'GridSampler';
  /** Parameter names, sorted (the cell index is a mixed-radix number over them). */
  readonly paramNames: readonly string[];
  readonly size: number;
  private readonly grid: Readonly<Record<string, readonly ParamValue[]>>;
  private readonly seed: number | undefined;
  private readonly shuffle: boolean;
  /** Per storage and study: claimed cells and how far the trials have been read. */
  private readonly progress = new PerStudy<GridProgress>();

  constructor(grid: Record<string, readonly ParamValue[]>, given: GridSamplerOptions = {}) {
    const options = checkOptions('GridSampler', given, ['seed', 'shuffle']);
    if (typeof grid !== 'object' || grid === null || Array.isArray(grid)) {
      throw new InvalidArgumentError(`GridSampler: grid must be an object of name -> array of values, got ${describeValue(grid)}`);
    }
    const names = Object.keys(grid).sort();
    if (names.length === 0) throw new InvalidArgumentError('GridSampler: grid must have at least one parameter');
    let size = 1;
    for (const name of names) {
      const values = grid[name];
      if (!Array.isArray(values) || values.length === 0) {
        throw new InvalidArgumentError(`GridSampler: grid["${name}"] must be a non-empty array of values, got ${describeValue(values)}`);
      }
      for (const v of values) {
        if (!(v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
          throw new InvalidArgumentError(
            `GridSampler: grid["${name}"] holds ${describeValue(v)}; expected finite numbers, strings, booleans or null`,
          );
        }
      }
      if (new Set(values).size !== values.length) {
        throw new InvalidArgumentError(`GridSampler: grid["${name}"] has duplicate values: ${describeValue(values)}`);
      }
      size *= values.length;
    }
    if (!Number.isSafeInteger(size)) throw new InvalidArgumentError(`GridSampler: the grid has too many cells (${size})`);
    this.grid = Object.fromEntries(names.map((n) => [n, [...grid[n]]]));
    this.paramNames = names;
    this.size = size;
    this.seed = options.seed;
    this.shuffle = options.shuffle ?? true;
  }

  /** The parameter values of cell `index` (0 <= index < size). */
  cell(index: number): Record<string, ParamValue> {
    const params: Record<string, ParamValue> = {};
    let rest = index;
    for (let i = this.paramNames.length - 1; i >= 0; i--) {
      const name = this.paramNames[i];
      const values = this.grid[name];
      setName(params, name, values[rest % values.length]);
      rest = Math.floor(rest / values.length);
    }
    return params;
  }

  async planTrial(study: StudyView): Promise<TrialPlan> {
    const p = this.progress.get(study) ?? this.progress.set(study, { claimed: new Set(), readUpTo: 0, order: null, cursor: 0 });
    // Claim keys are written when a trial is created and never change: reading only new trials suffices.
    const from = p.readUpTo;
    const fresh = await study.getTrials({ fromNumber: from });
    for (const t of fresh) {
      const key = t.systemAttrs[SystemAttr.claimKey];
      if (typeof key === 'string' && key.startsWith(KEY_PREFIX)) p.claimed.add(Number(key.slice(KEY_PREFIX.length)));
    }
    // Concurrent plans in one process may read overlapping ranges; adding to the set is idempotent.
    p.readUpTo = Math.max(p.readUpTo, from + fresh.length);
    if (p.claimed.size >= this.size) return { kind: 'exhausted' };
    if (!p.order) {
      const order = Array.from({ length: this.size }, (_, i) => i);
      p.order = this.shuffle ? Rng.forKey(this.seed ?? study.seed, 'grid-order').shuffle(order) : order;
    }
    while (p.cursor < p.order.length && p.claimed.has(p.order[p.cursor])) p.cursor++;
    if (p.cursor >= p.order.length) return { kind: 'exhausted' };
    const index = p.order[p.cursor];
    return {
      kind: 'fixed',
      params: this.cell(index) as Record<string, JsonValue>,
      claimKey: `${KEY_PREFIX}${index}`,
    };
  }

  sampleIndependent(_study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): number {
    throw new InvalidArgumentError(
      `GridSampler: parameter "${name}" (trial ${trial.number}, ${distribution.type}) is not in the grid; the grid has ${this.paramNames.map((n) => `"${n}"`).join(', ')}`,
    );
  }
}
