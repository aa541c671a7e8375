/**
 * Normalised regret, the one number the harness compares samplers by (README: "Normalised regret").
 *
 * Single objective (every group but zdt/dtlz), with s = +1 to minimise and −1 to maximise:
 *     regret(t)      = max(0, s·(f_best(t) − f_opt))
 *     normalised(t)  = regret(t) / (s·(f_ref − f_opt))
 * where f_best(t) is the incumbent's score after t evaluations (the function value; for the tabular groups
 * the incumbent configuration's mean over the table's seeds), f_opt the problem's optimum and f_ref the
 * median score of 1,000 uniformly random configurations (fixed seed; cached in
 * `bench/results/compare/reference.json`). 1 means "as good as a typical random configuration", 0 the
 * optimum; it is scale-free, so problems of one group can be pooled.
 *
 * Several objectives (zdt, dtlz): hypervolume regret normalised by the optimal hypervolume,
 *     normalised(t) = max(0, HV* − HV(t)) / HV*
 * (HV* the problem's `optimalHypervolume`; where a problem has none, the largest hypervolume any run in
 * the cache reached). 1 means nothing dominates the reference point yet.
 *
 * Summaries and tests use log10 of the normalised regret, floored at 1e-12 (an exact optimum) and capped at
 * 1e6 (a run with no successful evaluation), so that a factor of 10 counts the same at every level.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchmarkProblem } from '../problems/problem.js';
import { REFERENCE_SAMPLES, REFERENCE_SEED, estimateReference, type RunRecord } from './runner.js';

export const REGRET_FLOOR = 1e-12;
export const REGRET_CAP = 1e6;

/** Normalised regret of one best-so-far value (see the module comment). */
export function normalisedRegret(
  best: number | null,
  record: Pick<RunRecord, 'directions' | 'optimum'>,
  fRef: number | null,
  observedOptimum?: number,
): number {
  if (best === null || !Number.isFinite(best)) return REGRET_CAP;
  if (record.directions.length > 1) {
    const hvStar = record.optimum ?? observedOptimum;
    if (hvStar === undefined || hvStar === null || !(hvStar > 0)) return REGRET_CAP;
    return Math.max(0, hvStar - best) / hvStar;
  }
  if (record.optimum === null) throw new Error('normalisedRegret: single-objective record without an optimum');
  const s = record.directions[0] === 'maximize' ? -1 : 1;
  const regret = Math.max(0, s * (best - record.optimum));
  const scale = fRef === null ? 1 : s * (fRef - record.optimum);
  return regret / (scale > 0 ? scale : 1);
}

/** log10 of a normalised regret, floored at {@link REGRET_FLOOR} and capped at {@link REGRET_CAP}. */
export function logRegret(normalised: number): number {
  return Math.log10(Math.min(REGRET_CAP, Math.max(REGRET_FLOOR, normalised)));
}

/** Cached f_ref per problem id. */
export interface ReferenceCache {
  [problemId: string]: { fRef: number | null; samples: number; seed: number; date: string };
}

export function loadReferences(path: string): ReferenceCache {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ReferenceCache;
  } catch {
    return {};
  }
}

/**
 * f_ref of every problem in `problems`, from the cache at `path` or estimated now (and then saved).
 * Returns problem id -> f_ref (null for multi-objective problems).
 */
export async function ensureReferences(
  path: string,
  problems: readonly BenchmarkProblem[],
  log: (s: string) => void = () => {},
): Promise<Record<string, number | null>> {
  const cache = loadReferences(path);
  let changed = false;
  const out: Record<string, number | null> = {};
  for (const p of problems) {
    const hit = cache[p.id];
    if (hit && hit.samples === REFERENCE_SAMPLES && hit.seed === REFERENCE_SEED) {
      out[p.id] = hit.fRef;
      continue;
    }
    const t0 = performance.now();
    const fRef = await estimateReference(p);
    cache[p.id] = { fRef, samples: REFERENCE_SAMPLES, seed: REFERENCE_SEED, date: new Date().toISOString() };
    out[p.id] = fRef;
    changed = true;
    const ms = performance.now() - t0;
    if (ms > 1000) log(`reference f_ref of ${p.id}: ${fRef} (${(ms / 1000).toFixed(1)} s)`);
  }
  if (changed) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, `${JSON.stringify(cache, null, 1)}\n`);
    renameSync(`${path}.tmp`, path);
  }
  return out;
}
