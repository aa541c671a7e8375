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
