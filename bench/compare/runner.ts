/**
 * One run of the side-by-side harness: a problem, a sampler, a seed and a budget of evaluations, made with
 * a Tansaku sampler in-process or with an Optuna sampler through the bridge, recorded the same way.
 *
 * What a run records ({@link RunRecord}):
 * - the best-so-far curve at log-spaced checkpoints (1–10, then ten per decade, and the budget): for a
 *   single objective, the score of the incumbent (the trial with the best *observed* value; its score is the
 *   observed value, or for tabular problems the configuration's mean over the table's seeds, `lastMean()`);
 *   for several objectives, the hypervolume of the non-dominated points so far (objectives turned to
 *   minimisation, w.r.t. the problem's reference point);
 * - the sampler's own time, cumulative at the same checkpoints: for Tansaku, the wall time of
 *   `study.ask()` + `study.tell()` + the `suggest*` calls (total trial time minus the problem's own
 *   evaluation time); for Optuna, the time python spends inside `study.ask()`, `trial.suggest_*` and
 *   `study.tell()`, measured in python (so neither the bridge's pipe nor the TS evaluation counts).
 *
 * Both frameworks see the same problem noise: the problem's `Rng` for trial i of seed s is
 * `Rng.forKey(s, 'problem', problem.id, i)`.
 */
import {
  InMemoryStorage,
  NopPruner,
  StudyExhaustedError,
  createStudy,
  type Sampler,
  type Study,
  type Trial,
  type CategoricalChoice,
  type Distribution,
  type OrdinalValue,
} from 'tansaku';
import {
  Rng,
  categoricalDistribution,
  floatDistribution,
  fromUnit,
  intDistribution,
  ordinalDistribution,
  toExternal,
  hypervolume,
} from 'tansaku/extend';
import type { BenchmarkProblem, ParameterSource } from '../problems/problem.js';
import { median } from '../lib/stats.js';
import { OptunaBridgeError, type OptunaBridge } from './optuna-bridge.js';
import type { Framework, SamplerEntry } from './samplers.js';

/** Version of the record format; records of another version are ignored (and re-run). */
export const RECORD_VERSION = 1;

/** One job: which run to make. */
export interface RunSpec {
  problem: string;
  group: string;
  sampler: string;
  seed: number;
  budget: number;
}

/** One finished run, as stored in the cache (one JSON line). */
export interface RunRecord extends RunSpec {
  v: number;
  key: string;
  framework: Framework;
  directions: Array<'minimize' | 'maximize'>;
  /** Evaluation counts at which `best` and `samplerSeconds` are recorded (log-spaced, ending at the budget). */
  checkpoints: number[];
  /**
   * Single objective: the incumbent's score after n evaluations (problem's units and direction; null before
   * the first successful evaluation). Several objectives: the hypervolume so far.
   */
  best: Array<number | null>;
  /** The sampler's own time in seconds, cumulative, at each checkpoint. */
  samplerSeconds: number[];
  /** Total time of the problem's evaluations (seconds). */
  evalSeconds: number;
  /** Wall time of the whole run (seconds), bridge traffic included. */
  wallSeconds: number;
  /** Evaluations made (less than the budget only if the sampler had nothing left to propose). */
  evaluations: number;
  /** Trials failed (the problem threw or returned a non-finite value). */
  failed: number;
  /** The problem's optimum (single objective) or optimal hypervolume, copied for self-contained records. */
  optimum: number | null;
  /** Several objectives: the reference point `best`'s hypervolumes were computed against (the problem's, as it declares it). */
  referencePoint?: number[];
  /**
   * Several objectives: every evaluation that no earlier one dominated when it was made, as
   * `[evaluation number (1-based), ...objective values turned to minimisation]`. The non-dominated set of
   * the first n evaluations is the non-dominated subset of these entries with number ≤ n, so the curve can be
   * scored against another reference point without making the run again ({@link rescoreRecord}).
   * A multi-objective record without it is of an old format (cache.ts skips it).
   */
  front?: number[][];
  /**
   * Set on a record read off a longer run (never stored): that run's key. See `RunLookup` in cache.ts.
   */
  prefixOf?: string;
  /** Set when the run could not be made (e.g. a sampler that refuses the problem's space): the reason. */
  error?: string;
  date: string;
  /** Versions: node, and for Optuna runs optuna and python. */
  env: Record<string, string>;
}

/** The cache key of a run. */
export function runKey(spec: Pick<RunSpec, 'problem' | 'sampler' | 'seed' | 'budget'>): string {
  return `${spec.problem}|${spec.sampler}|${spec.seed}|${spec.budget}`;
}

/** Log-spaced checkpoints: 1…10, then round(10^(k/10)) (ten per decade), and the budget itself. */
export function checkpointsFor(budget: number): number[] {
  const out: number[] = [];
  for (let n = 1; n <= Math.min(10, budget); n++) out.push(n);
  for (let k = 11; ; k++) {
    const n = Math.round(10 ** (k / 10));
    if (n >= budget) break;
    if (n > out[out.length - 1]) out.push(n);
  }
  if (out[out.length - 1] !== budget) out.push(budget);
  return out;
}

/** The problem's `Rng` for one evaluation, the same for every sampler and framework. */
export function problemRng(seed: number, problemId: string, trialIndex: number): Rng {
  return Rng.forKey(seed, 'problem', problemId, trialIndex);
}

/** The score of the evaluation just made: `lastMean()` for tabular problems, else the observed value. */
function scoreOf(problem: BenchmarkProblem, observed: number): number {
  const lastMean = (problem as { lastMean?: () => number }).lastMean;
  return typeof lastMean === 'function' ? lastMean.call(problem) : observed;
}

/** Turns a problem's objective vector (or reference point) into minimisation. */
function toMinimisation(values: readonly number[], directions: readonly string[]): number[] {
  return values.map((v, i) => (directions[i] === 'maximize' ? -v : v));
}

/** Tracks the best-so-far (or hypervolume) and the sampler's time, and samples them at checkpoints. */
class CurveTracker {
  readonly checkpoints: number[];
  readonly best: Array<number | null> = [];
  readonly samplerSeconds: number[] = [];
  private next = 0;
  private n = 0;
  private bestObserved: number | null = null;
  private bestScore: number | null = null;
  private front: number[][] = [];
  /** Several objectives: the points non-dominated on arrival, with their evaluation number (RunRecord.front). */
  readonly archive: number[][] = [];
  private readonly multi: boolean;
  private readonly sign: number;
  private readonly reference: number[] | null;

  constructor(
    private readonly problem: BenchmarkProblem,
    budget: number,
  ) {
    this.checkpoints = checkpointsFor(budget);
    this.multi = problem.directions.length > 1;
    this.sign = problem.directions[0] === 'maximize' ? -1 : 1;
    if (this.multi) {
      if (!problem.referencePoint) throw new Error(`problem ${problem.id} has several objectives but no referencePoint`);
      this.reference = toMinimisation(problem.referencePoint, problem.directions);
    } else this.reference = null;
  }

  /** Records evaluation n+1: `values` null for a failed trial. */
  add(values: readonly number[] | null, score: number | null, samplerSecondsSoFar: number): void {
    this.n++;
    if (values) {
      if (!this.multi) {
        const v = values[0];
        if (this.bestObserved === null || this.sign * v < this.sign * this.bestObserved) {
          this.bestObserved = v;
          this.bestScore = score;
        }
      } else {
        const p = toMinimisation(values, this.problem.directions);
        const front = withPoint(this.front, p);
        if (front) {
          this.front = front;
          this.archive.push([this.n, ...p]);
        }
      }
    }
    while (this.next < this.checkpoints.length && this.checkpoints[this.next] === this.n) {
      this.best.push(this.multi ? hypervolume(this.front, this.reference!) : this.bestScore);
      this.samplerSeconds.push(samplerSecondsSoFar);
      this.next++;
    }
  }

  /**
   * The record of a run that ended after `totals.evaluations` evaluations: the checkpoints it did not reach
   * (a sampler that ran out of points) take its final state; several objectives add the front.
   */
  record(
    base: BaseRecord,
    totals: { samplerSeconds: number; evalMs: number; wall0: number; evaluations: number; failed: number },
  ): RunRecord {
    while (this.next < this.checkpoints.length) {
      this.best.push(this.multi ? hypervolume(this.front, this.reference!) : this.bestScore);
      this.samplerSeconds.push(totals.samplerSeconds);
      this.next++;
    }
    return {
      ...base,
      ...(this.multi ? { front: this.archive } : {}),
      checkpoints: this.checkpoints,
      best: this.best,
      samplerSeconds: this.samplerSeconds,
      evalSeconds: totals.evalMs / 1000,
      wallSeconds: (performance.now() - totals.wall0) / 1000,
      evaluations: totals.evaluations,
      failed: totals.failed,
    };
  }
}

function dominatesOrEqual(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] > b[i]) return false;
  return true;
}

/** The non-dominated set `front` with `p` added (the points `p` dominates dropped), or null when a point of `front` dominates or equals `p`. */
function withPoint(front: number[][], p: number[]): number[][] | null {
  if (front.some((q) => dominatesOrEqual(q, p))) return null;
  const out = front.filter((q) => !dominatesOrEqual(p, q));
  out.push(p);
  return out;
}

/**
 * The hypervolume curve of a multi-objective record's `front` against `referencePoint` (in the problem's
 * directions), one value per checkpoint: what the run would have recorded with that reference point.
 */
export function hypervolumeCurve(
  record: Pick<RunRecord, 'front' | 'checkpoints' | 'directions'>,
  referencePoint: readonly number[],
): number[] {
  if (!record.front) throw new Error('hypervolumeCurve: the record has no front (a multi-objective record of an old format)');
  const reference = toMinimisation(referencePoint, record.directions);
  const points = [...record.front].sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let i = 0;
  let current: number[][] = [];
  for (const n of record.checkpoints) {
    for (; i < points.length && points[i][0] <= n; i++) current = withPoint(current, points[i].slice(1)) ?? current;
    out.push(hypervolume(current, reference));
  }
  return out;
}

/**
 * The record scored against the problem's current reference point and optimal hypervolume (a copy), when
 * the record was made with another one; otherwise the record itself. Single-objective and failed records
 * are returned as they are.
 * @example rescoreRecord(record, zdt1()) // best re-computed against (11, 11) for a run made with (1.1, 1.1)
 */
export function rescoreRecord(record: RunRecord, problem: Pick<BenchmarkProblem, 'referencePoint' | 'optimalHypervolume'>): RunRecord {
  if (record.directions.length < 2 || record.error !== undefined || !problem.referencePoint) return record;
  const ref = [...problem.referencePoint];
  const same = record.referencePoint?.length === ref.length && record.referencePoint.every((v, i) => v === ref[i]);
  if (same && record.optimum === (problem.optimalHypervolume ?? null)) return record;
  return { ...record, best: hypervolumeCurve(record, ref), referencePoint: ref, optimum: problem.optimalHypervolume ?? null };
}

/** A problem's result as a list of finite values, or null (failed). */
function asValues(problem: BenchmarkProblem, result: unknown): number[] | null {
  const list = typeof result === 'number' ? [result] : Array.isArray(result) ? (result as number[]) : null;
  if (!list || list.length !== problem.directions.length || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  return [...list];
}

/** Wraps a ParameterSource to time its suggest calls and to tell the sampler's errors from the problem's. */
class TimedParams implements ParameterSource {
  ms = 0;
  error: unknown = undefined;
  constructor(private readonly inner: ParameterSource) {}
  private timed<T>(f: () => T): T {
    const t = performance.now();
    try {
      return f();
    } catch (e) {
      this.error ??= e;
      throw e;
    } finally {
      this.ms += performance.now() - t;
    }
  }
  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number | null }): number {
    return this.timed(() => this.inner.suggestFloat(name, low, high, options));
  }
  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number {
    return this.timed(() => this.inner.suggestInt(name, low, high, options));
  }
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.timed(() => this.inner.suggestCategorical(name, choices));
  }
  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T {
    return this.timed(() => this.inner.suggestOrdinal(name, values));
  }
}

/** What every record of a run has, whatever its outcome. */
type BaseRecord = Omit<RunRecord, 'checkpoints' | 'best' | 'samplerSeconds' | 'evalSeconds' | 'wallSeconds' | 'evaluations' | 'failed'>;

function baseRecord(spec: RunSpec, framework: Framework, problem: BenchmarkProblem, env: Record<string, string>): BaseRecord {
  return {
    v: RECORD_VERSION,
    key: runKey(spec),
    ...spec,
    framework,
    directions: [...problem.directions],
    optimum: problem.directions.length > 1 ? (problem.optimalHypervolume ?? null) : (problem.optimum ?? null),
    ...(problem.directions.length > 1 && problem.referencePoint ? { referencePoint: [...problem.referencePoint] } : {}),
    date: new Date().toISOString(),
    env: { node: process.version, ...env },
  };
}

function errorRecord(
  spec: RunSpec,
  framework: Framework,
  problem: BenchmarkProblem,
  env: Record<string, string>,
  error: unknown,
): RunRecord {
  return {
    ...baseRecord(spec, framework, problem, env),
    checkpoints: [],
    best: [],
    samplerSeconds: [],
    evalSeconds: 0,
    wallSeconds: 0,
    evaluations: 0,
    failed: 0,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

/**
 * Runs `problem` with a Tansaku sampler (`entry.create`) for `spec.budget` evaluations, ask/tell style on
 * an in-memory study seeded `spec.seed`. A sampler that throws (e.g. refuses a categorical parameter) ends
 * the run with an error record; a problem that throws or returns a non-finite value fails that trial.
 */
export async function runTansaku(problem: BenchmarkProblem, entry: SamplerEntry, spec: RunSpec): Promise<RunRecord> {
  if (!entry.create) throw new Error(`${entry.name} is not a Tansaku sampler`);
  const wall0 = performance.now();
  let sampler: Sampler;
  let study: Study;
  try {
    sampler = entry.create(spec.seed, problem);
    study = await createStudy({
      directions: [...problem.directions],
      sampler,
      pruner: new NopPruner(),
      storage: new InMemoryStorage(),
      seed: spec.seed,
      heartbeat: false,
    });
  } catch (e) {
    return errorRecord(spec, 'tansaku', problem, {}, e);
  }
  const tracker = new CurveTracker(problem, spec.budget);
  let samplerMs = 0;
  let evalMs = 0;
  let failed = 0;
  let n = 0;
  try {
    for (; n < spec.budget; n++) {
      const t0 = performance.now();
      let trial: Trial;
      try {
        trial = await study.ask();
      } catch (e) {
        if (e instanceof StudyExhaustedError) break;
        throw e;
      }
      const params = new TimedParams(trial);
      // A suggest that threw means the sampler failed, not the problem.
      const outcome = evaluateOnce(problem, params, spec, n, () => params.error);
      const { values, score, ms: evaluation } = outcome instanceof Promise ? await outcome : outcome;
      if (values) await study.tell(trial, values.length === 1 ? values[0] : values);
      else {
        failed++;
        await study.tell(trial, 'FAIL');
      }
      const t1 = performance.now();
      evalMs += evaluation;
      samplerMs += t1 - t0 - evaluation;
      tracker.add(values, score, samplerMs / 1000);
    }
  } catch (e) {
    return errorRecord(spec, 'tansaku', problem, {}, e);
  }
  return tracker.record(baseRecord(spec, 'tansaku', problem, {}), {
    samplerSeconds: samplerMs / 1000,
    evalMs,
    wall0,
    evaluations: n,
    failed,
  });
}

/** What one evaluation gave: its values (null when the problem failed), their score, the problem's own ms. */
interface EvalOutcome {
  values: number[] | null;
  score: number | null;
  ms: number;
}

/** Is `x` a promise (or another thenable)? */
function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

/**
 * Evaluates `problem` once for run `spec`, evaluation number `n`: its values (null when the problem itself
 * failed), their score (single objective) and the problem's own time in ms (suggest time excluded; for a
 * problem whose `evaluate` returns a promise, until it settles). The result is synchronous for a synchronous
 * problem, so those pay no extra await; a promise for an asynchronous one.
 * `samplerError` returns the error to rethrow when the failure was the sampler's or the bridge's, not the problem's.
 */
function evaluateOnce(
  problem: BenchmarkProblem,
  params: TimedParams,
  spec: RunSpec,
  n: number,
  samplerError: (e: unknown) => unknown,
): EvalOutcome | Promise<EvalOutcome> {
  const rng = problemRng(spec.seed, problem.id, n);
  const e0 = performance.now();
  const done = (result: unknown): EvalOutcome => {
    const values = asValues(problem, result);
    const score = values && problem.directions.length === 1 ? scoreOf(problem, values[0]) : null;
    return { values, score, ms: performance.now() - e0 - params.ms };
  };
  const failed = (e: unknown): EvalOutcome => {
    const own = samplerError(e);
    if (own !== undefined) throw own;
    return { values: null, score: null, ms: performance.now() - e0 - params.ms };
  };
  try {
    const result = problem.evaluate(params, rng);
    if (isThenable(result)) return Promise.resolve(result).then(done).catch(failed);
    return done(result);
  } catch (e) {
    return failed(e);
  }
}

/**
 * Runs `problem` with an Optuna sampler through `bridge` (a fresh Optuna study per run). A sampler that
 * cannot run on the problem (CMA-ES on two objectives) or that Optuna refuses gives an error record; a
 * bridge that died, or a sampler whose package is missing here (CMA-ES without `cmaes`, QMC without
 * `scipy`), throws (the caller reopens the bridge, or skips the sampler).
 */
export async function runOptuna(bridge: OptunaBridge, problem: BenchmarkProblem, entry: SamplerEntry, spec: RunSpec): Promise<RunRecord> {
  if (!entry.optuna) throw new Error(`${entry.name} is not an Optuna sampler`);
  const env = { optuna: bridge.info.optuna, python: bridge.info.python };
  const wall0 = performance.now();
  const tracker = new CurveTracker(problem, spec.budget);
  let samplerSeconds = 0;
  let evalMs = 0;
  let failed = 0;
  let n = 0;
  try {
    bridge.create(entry.optuna, spec.seed, problem.directions);
    for (; n < spec.budget; n++) {
      bridge.ask();
      const params = new TimedParams(bridge.params);
      const outcome = evaluateOnce(problem, params, spec, n, (e) => params.error ?? (e instanceof OptunaBridgeError ? e : undefined));
      const { values, score, ms } = outcome instanceof Promise ? await outcome : outcome;
      evalMs += ms;
      if (!values) failed++;
      samplerSeconds += bridge.tell(values === null ? null : values);
      tracker.add(values, score, samplerSeconds);
    }
  } catch (e) {
    // A broken bridge or a missing package is this machine's problem, not the run's: no record is made.
    if (
      e instanceof OptunaBridgeError &&
      (e.code === 'CLOSED' ||
        e.code === 'TIMEOUT' ||
        e.code === 'PYTHON_MISSING' ||
        e.code === 'OPTUNA_MISSING' ||
        e.code === 'MODULE_MISSING')
    )
      throw e;
    return errorRecord(spec, 'optuna', problem, env, e);
  }
  return tracker.record(baseRecord(spec, 'optuna', problem, env), { samplerSeconds, evalMs, wall0, evaluations: n, failed });
}

/**
 * A ParameterSource that draws every parameter uniformly at random from its distribution, exactly as a
 * random sampler does (`fromUnit` of a uniform number: log-uniform for log ranges, equal probability for
 * each int, step, ordinal or categorical value).
 */
export class UniformParams implements ParameterSource {
  private readonly seen = new Map<string, unknown>();
  constructor(private readonly rng: Rng) {}
  private draw(name: string, d: Distribution): unknown {
    if (this.seen.has(name)) return this.seen.get(name);
    const v = toExternal(d, fromUnit(d, this.rng.random()));
    this.seen.set(name, v);
    return v;
  }
  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number | null }): number {
    return this.draw(name, floatDistribution(name, low, high, options ?? {})) as number;
  }
  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number {
    return this.draw(name, intDistribution(name, low, high, options ?? {})) as number;
  }
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.draw(name, categoricalDistribution(name, choices)) as T;
  }
  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T {
    return this.draw(name, ordinalDistribution(name, values)) as T;
  }
}

/** Samples and seed of the reference value f_ref (see the README's "Normalised regret"). */
export const REFERENCE_SAMPLES = 1000;
export const REFERENCE_SEED = 20240601;

/**
 * f_ref of a single-objective problem: the median score of {@link REFERENCE_SAMPLES} uniformly random
 * configurations (seed {@link REFERENCE_SEED}). Multi-objective problems have none (null). Awaits problems
 * whose `evaluate` returns a promise.
 */
export async function estimateReference(problem: BenchmarkProblem, samples = REFERENCE_SAMPLES): Promise<number | null> {
  if (problem.directions.length > 1) return null;
  const scores: number[] = [];
  for (let i = 0; i < samples; i++) {
    const rng = Rng.forKey(REFERENCE_SEED, 'reference', problem.id, i);
    const params = new UniformParams(rng);
    let values: number[] | null = null;
    try {
      const result = problem.evaluate(params, Rng.forKey(REFERENCE_SEED, 'noise', problem.id, i));
      values = asValues(problem, isThenable(result) ? await result : result);
    } catch {
      values = null;
    }
    if (values) scores.push(scoreOf(problem, values[0]));
  }
  if (scores.length === 0) throw new Error(`problem ${problem.id}: no random configuration evaluated successfully`);
  return median(scores);
}
