/**
 * Samplers and pruners by name, as the CLI's `--sampler`, `--pruner`, `--sampler-options` and
 * `--pruner-options` give them. Options are the library's constructor options (camelCase; snake_case
 * is accepted too), as JSON (`'{"nStartupTrials": 5}'`) or `key=value` pairs (`n_startup_trials=5,n_warmup_steps=2`).
 */
import {
  CoordinateSearchSampler,
  CrossSearchSampler,
  GridSampler,
  HillClimbingSampler,
  MedianPruner,
  NelderMeadSampler,
  NopPruner,
  PercentilePruner,
  QmcSampler,
  RandomSampler,
  ThresholdPruner,
  TpeSampler,
  type TpeSamplerOptions,
  type ParamValue,
  type SearchSpace,
  InvalidArgumentError,
  type Pruner,
  type Sampler,
  type JsonValue,
} from '../index.js';
import { cardinality, describeValue, closest } from '../extend.js';
import { setName } from '../core/records.js';
import { duplicateJsonKey } from './json-keys.js';

export type ComponentOptions = Record<string, JsonValue>;

/** Sampler names and what they are. */
export const SAMPLERS = {
  tpe: 'Tree-structured Parzen Estimator (default; multivariate, constant liar); options nStartupTrials, nEiCandidates, multivariate, group, constantLiar, considerEndpoints, considerMagicClip, priorWeight, gamma (a fraction), preset (optuna-3.1)',
  random: 'independent uniform / log-uniform draws',
  grid: 'every combination once; needs discrete parameters (int, ordinal, categorical, float with step)',
  qmc: 'scrambled Sobol quasi-random points',
  'nelder-mead':
    'Nelder-Mead simplex (Ozaki et al. 2017); options parallel (speculative, exact serial path), initialSimplex (regular|random|lhs), boundary (barrier|clip), coefficients, start',
  'coordinate-search': 'coordinate search (poll ±step per axis, halve on failure); options start, initialStep, minStep, onConverge',
  'hill-climbing': 'hill climbing on parameter levels; options start, onConverge (stop|restart), floatLevels',
  'cross-search': 'cross-search along one axis at a time (Imai 2024); options start, firstAxis, limit (partial), onConverge, floatLevels',
} as const;

/** Pruner names and what they are. */
export const PRUNERS = {
  median: 'median stopping rule (default for one objective); options nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials',
  percentile: 'keep trials within a percentile; options percentile (required), nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials',
  threshold: 'prune when a value leaves [lower, upper]; options lower, upper, nWarmupSteps, intervalSteps',
  none: 'never prune (alias: nop; default for several objectives)',
} as const;

export type SamplerName = keyof typeof SAMPLERS;
export type PrunerName = keyof typeof PRUNERS;

const GRID_LIMIT = 1_000_000;

function unknownName(kind: string, name: string, valid: readonly string[]): never {
  const hint = closest(name, valid);
  throw new InvalidArgumentError(
    `unknown ${kind} ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ''}; valid ${kind}s: ${valid.join(', ')}`,
  );
}

/** Canonical sampler name, or a clear error listing the valid ones. */
export function checkSamplerName(name: string): SamplerName {
  const n = name.toLowerCase();
  if (Object.hasOwn(SAMPLERS, n)) return n as SamplerName; // own names only: not `constructor`
  return unknownName('sampler', name, Object.keys(SAMPLERS));
}

/** Canonical pruner name (`nop` is `none`), or a clear error listing the valid ones. */
export function checkPrunerName(name: string): PrunerName {
  const n = name.toLowerCase();
  if (n === 'nop') return 'none';
  if (Object.hasOwn(PRUNERS, n)) return n as PrunerName;
  return unknownName('pruner', name, [...Object.keys(PRUNERS), 'nop']);
}

function camel(key: string): string {
  return key.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Parses `--*-options`: a JSON object, or `key=value` pairs separated by commas. */
export function parseComponentOptions(text: string | undefined, flag: string): ComponentOptions {
  if (text === undefined || text.trim() === '') return {};
  let raw: unknown;
  if (text.trim().startsWith('{')) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(`${flag}: not valid JSON: ${(error as Error).message}`);
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate) throw new InvalidArgumentError(`${flag}: option ${JSON.stringify(duplicate.key)} is given twice; give each option once`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new InvalidArgumentError(`${flag}: expected a JSON object, got ${describeValue(raw)}`);
  } else {
    const obj: Record<string, JsonValue> = {};
    for (const pair of text.split(',')) {
      const at = pair.indexOf('=');
      if (at <= 0)
        throw new InvalidArgumentError(
          `${flag}: expected key=value pairs separated by commas (or a JSON object), got ${JSON.stringify(pair)}`,
        );
      const value = pair.slice(at + 1).trim();
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(value) as JsonValue;
      } catch {
        parsed = value;
      }
      const key = pair.slice(0, at).trim();
      if (Object.hasOwn(obj, key))
        throw new InvalidArgumentError(`${flag}: option ${JSON.stringify(key)} is given twice; give each option once`);
      setName(obj, key, parsed);
    }
    raw = obj;
  }
  return Object.fromEntries(Object.entries(raw as Record<string, JsonValue>).map(([k, v]) => [camel(k), v]));
}

/** The values a grid sampler enumerates for one parameter, or why it cannot. */
function gridValues(name: string, d: SearchSpace[string]): ParamValue[] {
  switch (d.type) {
    case 'ordinal':
      return [...d.values];
    case 'categorical':
      return [...d.choices];
    case 'int': {
      if (d.log)
        throw new InvalidArgumentError(
          `the grid sampler cannot enumerate parameter "${name}": a log-scaled int; use type "ordinal" with the values to try`,
        );
      const n = cardinality(d);
      if (n > GRID_LIMIT)
        throw new InvalidArgumentError(
          `the grid sampler cannot enumerate parameter "${name}": ${n} values; give it a step or use type "ordinal"`,
        );
      return Array.from({ length: n }, (_, i) => d.low + i * d.step);
    }
    case 'float': {
      if (d.step === null) {
        throw new InvalidArgumentError(
          `the grid sampler needs discrete parameters, but "${name}" is a continuous float; give it a "step", or use type "ordinal" with the values to try`,
        );
      }
      const n = cardinality(d);
      if (n > GRID_LIMIT) throw new InvalidArgumentError(`the grid sampler cannot enumerate parameter "${name}": ${n} values`);
      return Array.from({ length: n }, (_, i) => (i === n - 1 ? d.high : d.low + i * d.step!));
    }
  }
}

/** The `searchSpace` option of the path-following samplers, from `--space` when given. */
function spaceOption(space: SearchSpace | null): { searchSpace?: SearchSpace } {
  return space && Object.keys(space).length ? { searchSpace: space } : {};
}

/** Builds a sampler from its name and options; `space` is needed by grid (and used by qmc). */
/**
 * The options each sampler takes from the command line (its constructor's options, less those that are
 * objects the command line cannot build): a misspelt key is an error, not a silently different run.
 */
const SAMPLER_OPTION_KEYS: Record<SamplerName, readonly string[]> = {
  tpe: [
    'seed',
    'nStartupTrials',
    'nEiCandidates',
    'multivariate',
    'group',
    'constantLiar',
    'considerEndpoints',
    'considerMagicClip',
    'priorWeight',
    'gamma',
    'preset',
  ],
  random: ['seed'],
  qmc: ['seed', 'scramble'],
  grid: ['seed', 'shuffle'],
  'nelder-mead': [
    'seed',
    'coefficients',
    'initialSimplex',
    'regularSimplex',
    'start',
    'boundary',
    'parallel',
    'restart',
    'categorical',
    'staleRetries',
  ],
  'coordinate-search': ['seed', 'start', 'initialStep', 'minStep', 'onConverge'],
  'hill-climbing': ['seed', 'start', 'onConverge', 'floatLevels'],
  'cross-search': ['seed', 'start', 'firstAxis', 'limit', 'onConverge', 'floatLevels'],
};

/** Old option names the samplers still accept (with a warning naming the new one) until 1.0. */
const RENAMED_SAMPLER_OPTIONS: Partial<Record<SamplerName, readonly string[]>> = {
  'coordinate-search': ['initialPoint'],
  'hill-climbing': ['onPeak'],
};

function checkSamplerOptionKeys(name: SamplerName, options: ComponentOptions): void {
  const allowed = SAMPLER_OPTION_KEYS[name];
  for (const key of Object.keys(options)) {
    if (allowed.includes(key) || RENAMED_SAMPLER_OPTIONS[name]?.includes(key)) continue;
    const hint = closest(key, allowed);
    throw new InvalidArgumentError(
      `the ${name} sampler has no option ${JSON.stringify(key)}${hint ? ` (did you mean "${hint}"?)` : ''}; its options: ${allowed.join(', ')}`,
    );
  }
}

export function makeSampler(name: string, options: ComponentOptions, space: SearchSpace | null): Sampler {
  const canonical = checkSamplerName(name);
  checkSamplerOptionKeys(canonical, options);
  switch (canonical) {
    case 'tpe':
      return new TpeSampler(options as TpeSamplerOptions);
    case 'random':
      return new RandomSampler(options as { seed?: number });
    case 'qmc':
      return new QmcSampler({ ...(space && Object.keys(space).length ? { searchSpace: space } : {}), ...(options as object) });
    case 'grid': {
      if (!space || Object.keys(space).length === 0) throw new InvalidArgumentError('the grid sampler needs a search space: give --space');
      const grid: Record<string, ParamValue[]> = {};
      let size = 1;
      for (const [n, d] of Object.entries(space)) {
        setName(grid, n, gridValues(n, d));
        size *= grid[n].length;
        if (size > GRID_LIMIT * 100) throw new InvalidArgumentError(`the grid has more than ${GRID_LIMIT * 100} cells; shrink the space`);
      }
      return new GridSampler(grid, options as { seed?: number; shuffle?: boolean });
    }
    case 'nelder-mead':
      return new NelderMeadSampler({ ...spaceOption(space), ...(options as object) });
    case 'coordinate-search':
      return new CoordinateSearchSampler({ ...spaceOption(space), ...(options as object) });
    case 'hill-climbing':
      return new HillClimbingSampler({ ...spaceOption(space), ...(options as object) });
    case 'cross-search':
      return new CrossSearchSampler({ ...spaceOption(space), ...(options as object) });
  }
}

/** Builds a pruner from its name and options. */
export function makePruner(name: string, options: ComponentOptions): Pruner {
  switch (checkPrunerName(name)) {
    case 'none':
      if (Object.keys(options).length) throw new InvalidArgumentError(`the "none" pruner takes no options, got ${describeValue(options)}`);
      return new NopPruner();
    case 'median':
      return new MedianPruner(options);
    case 'percentile':
      if (options.percentile === undefined)
        throw new InvalidArgumentError('the percentile pruner needs a percentile: --pruner-options percentile=25');
      return new PercentilePruner(options as unknown as ConstructorParameters<typeof PercentilePruner>[0]);
    case 'threshold':
      if (options.lower === undefined && options.upper === undefined) {
        throw new InvalidArgumentError('the threshold pruner needs lower and/or upper: --pruner-options upper=10');
      }
      return new ThresholdPruner(options as ConstructorParameters<typeof ThresholdPruner>[0]);
  }
}
