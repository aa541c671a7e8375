/**
 * How long the runs still to make will take (`run.ts --estimate`), from the wall times of the runs
 * already in the cache, so a configuration of the full suite can be sized to the machine before it is
 * started and split into chunks.
 *
 * A pending run's cost is the median wall time of cached runs of the same group, sampler and budget;
 * failing that, of the same sampler and group at another budget, or at another BBOB dimension, scaled by
 * the sampler's growth: Optuna's TPE variants rebuild their Parzen estimators from every past trial for
 * every parameter, so a run costs ~ d·n² (measured: d10/500 38 s, d5/250 5 s on the 2-core VM); every other
 * sampler is taken as ~ d·n (its per-trial cost does not grow with the study).
 */
import { median } from '../lib/stats.js';
import { bbobGroupDimension as bbobDimension } from '../problems/index.js';
import type { RunRecord, RunSpec } from './runner.js';

/** Seconds of one run, or null when nothing comparable is in the cache. */
export type RunCostModel = (job: RunSpec) => number | null;

/** How a sampler's run time grows with the budget n (exponent of n). */
function budgetExponent(sampler: string): number {
  return /^optuna-tpe/.test(sampler) ? 2 : 1;
}

/**
 * A cost model from cached runs (runs that failed to start, with `error`, are left out).
 * @example
 * const cost = costModel([...readCache(path).records.values()]);
 * cost({ problem: 'bbob_f001_i01_d40', group: 'bbob-d40', sampler: 'optuna-tpe', seed: 1, budget: 500 }); // seconds, or null
 */
export function costModel(records: Iterable<RunRecord>): RunCostModel {
  const byExact = new Map<string, number[]>();
  const bySampler = new Map<string, Array<{ group: string; budget: number; seconds: number }>>();
  for (const r of records) {
    if (r.error !== undefined || !(r.wallSeconds >= 0)) continue;
    const exact = `${r.group}|${r.sampler}|${r.budget}`;
    (byExact.get(exact) ?? byExact.set(exact, []).get(exact)!).push(r.wallSeconds);
    (bySampler.get(r.sampler) ?? bySampler.set(r.sampler, []).get(r.sampler)!).push({
      group: r.group,
      budget: r.budget,
      seconds: r.wallSeconds,
    });
  }
  return (job) => {
    const exact = byExact.get(`${job.group}|${job.sampler}|${job.budget}`);
    if (exact) return median(exact);
    const others = bySampler.get(job.sampler) ?? [];
    const p = budgetExponent(job.sampler);
    const sameGroup = others.filter((o) => o.group === job.group);
    if (sameGroup.length) return median(sameGroup.map((o) => o.seconds * (job.budget / o.budget) ** p));
    const d = bbobDimension(job.group);
    const bbob = d === null ? [] : others.filter((o) => bbobDimension(o.group) !== null);
    if (bbob.length) return median(bbob.map((o) => o.seconds * (d! / bbobDimension(o.group)!) * (job.budget / o.budget) ** p));
    return null;
  };
}

export interface Estimate {
  /** Per group and sampler: runs to make, their estimated seconds (null: no comparable run cached). */
  rows: Array<{ group: string; sampler: string; runs: number; seconds: number | null }>;
  /** Estimated seconds of all the runs that could be estimated, and how many could not. */
  totalSeconds: number;
  unknownRuns: number;
}

/** Sums the cost of the pending runs by group and sampler. */
export function estimate(pending: readonly RunSpec[], cost: RunCostModel): Estimate {
  const rows = new Map<string, { group: string; sampler: string; runs: number; seconds: number | null }>();
  let totalSeconds = 0;
  let unknownRuns = 0;
  for (const job of pending) {
    const key = `${job.group}|${job.sampler}`;
    const row = rows.get(key) ?? rows.set(key, { group: job.group, sampler: job.sampler, runs: 0, seconds: 0 }).get(key)!;
    row.runs++;
    const s = cost(job);
    if (s === null) {
      row.seconds = null;
      unknownRuns++;
    } else {
      if (row.seconds !== null) row.seconds += s;
      totalSeconds += s;
    }
  }
  return { rows: [...rows.values()], totalSeconds, unknownRuns };
}

/** The estimate as lines of text: one per group and sampler, then the total in CPU hours. */
export function formatEstimate(e: Estimate, workers: number): string[] {
  const hours = (s: number): string => (s / 3600).toFixed(s < 360 ? 2 : 1);
  const lines = e.rows.map(
    (r) =>
      `  ${r.group.padEnd(12)} ${r.sampler.padEnd(22)} ${String(r.runs).padStart(5)} runs  ${r.seconds === null ? 'unknown (no comparable run cached)' : `~${hours(r.seconds)} h`}`,
  );
  lines.push(
    `estimated: ~${hours(e.totalSeconds)} CPU hours of runs (~${hours(e.totalSeconds / Math.max(1, workers))} h of wall time with ${Math.max(1, workers)} worker(s) on free cores)` +
      (e.unknownRuns ? `, plus ${e.unknownRuns} run(s) with no comparable run in the cache` : ''),
  );
  return lines;
}
