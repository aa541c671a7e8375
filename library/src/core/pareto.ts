import { InvalidArgumentError, NoCompletedTrialsError } from './errors.js';
import type { FrozenTrial, StudyDirection } from './trial-record.js';

/** True when `a` is at least as good as `b` in every objective and better in one. */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly StudyDirection[]): boolean {
  let better = false;
  for (let i = 0; i < directions.length; i++) {
    const sa = directions[i] === 'minimize' ? a[i] : -a[i];
    const sb = directions[i] === 'minimize' ? b[i] : -b[i];
    if (sa > sb) return false;
    if (sa < sb) better = true;
  }
  return better;
}

/**
 * The non-dominated trials among `trials` (those with values), ordered by number. Trials with equal
 * values are all kept, as Optuna does. O(n·f) per trial against the current front.
 */
export function paretoFront(trials: readonly FrozenTrial[], directions: readonly StudyDirection[]): FrozenTrial[] {
  let front: FrozenTrial[] = [];
  for (const t of trials) {
    if (!t.values || t.values.length !== directions.length) continue;
    if (front.some((f) => dominates(f.values!, t.values!, directions))) continue;
    front = front.filter((f) => !dominates(t.values!, f.values!, directions));
    front.push(t);
  }
  return front.sort((a, b) => a.number - b.number);
}

/**
 * The best COMPLETE trial of a single-objective study (the lowest-numbered on a tie). Throws
 * `InvalidArgumentError` for several objectives (use {@link paretoFront}), `NoCompletedTrialsError` when
 * no trial has a value.
 */
export function bestTrialOf(trials: readonly FrozenTrial[], directions: readonly StudyDirection[], studyName: string): FrozenTrial {
  if (directions.length !== 1) {
    throw new InvalidArgumentError(
      `study ${JSON.stringify(studyName)} has ${directions.length} objectives: use bestTrials (the Pareto front)`,
    );
  }
  const sign = directions[0] === 'minimize' ? 1 : -1;
  let best: FrozenTrial | null = null;
  for (const t of trials) {
    if (t.state !== 'COMPLETE' || !t.values) continue;
    if (best === null || sign * t.values[0] < sign * best.values![0]) best = t;
  }
  if (!best) throw new NoCompletedTrialsError(`study ${JSON.stringify(studyName)} has no COMPLETE trial yet`);
  return best;
}
