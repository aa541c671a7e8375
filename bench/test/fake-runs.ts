/** Fake harness run records for report tests: curves that decay geometrically to a chosen final regret. */
import { RECORD_VERSION, checkpointsFor, runKey, type RunRecord } from '../compare/runner.js';

const CHECKPOINTS = checkpointsFor(100);

/**
 * A 100-evaluation single-objective run whose best-so-far curve decays geometrically to `final` (optimum
 * 0; with f_ref 1 the best value is the normalised regret), its sampler taking `msPerTrial` per trial.
 */
export function fakeRun(group: string, problem: string, sampler: string, seed: number, final: number, msPerTrial: number): RunRecord {
  return {
    v: RECORD_VERSION,
    key: runKey({ problem, sampler, seed, budget: 100 }),
    problem,
    group,
    sampler,
    seed,
    budget: 100,
    framework: sampler.startsWith('optuna') ? 'optuna' : 'tansaku',
    directions: ['minimize'],
    checkpoints: CHECKPOINTS,
    best: CHECKPOINTS.map((n) => final ** (Math.log10(n) / 2)),
    samplerSeconds: CHECKPOINTS.map((n) => (n * msPerTrial) / 1000),
    evalSeconds: 0,
    wallSeconds: 1,
    evaluations: 100,
    failed: 0,
    optimum: 0,
    date: '2024-01-01T00:00:00Z',
    env: { node: 'v20' },
  };
}
