/**
 * The search spaces a multivariate TPE samples jointly, from the finished (COMPLETE and PRUNED) trials:
 *
 * - the intersection: the parameters every such trial has, with the same distribution (Optuna's
 *   `IntersectionSearchSpace(include_pruned=True)`);
 * - the group decomposition (`group: true`): the finest partition of the parameters seen into groups that
 *   always occur together, so that a conditional space (an optimiser's own parameters under each choice of
 *   optimiser) is sampled as several joint spaces (Optuna's `_GroupDecomposedSearchSpace`).
 *
 * Parameters with a single value are left out: there is nothing to sample. Names are in sorted order.
 *
 * @example
 * intersectionSearchSpace(trials); // { lr: {...}, layers: {...} } when every finished trial has both
 */
import { distributionsEqual, isSingleValue, type Distribution } from '../../core/distributions.js';
import type { FrozenTrial } from '../../core/trial-record.js';

function finished(trial: FrozenTrial): boolean {
  return trial.state === 'COMPLETE' || trial.state === 'PRUNED';
}

function sortedSampled(space: Map<string, Distribution>): Record<string, Distribution> {
  const out: Record<string, Distribution> = Object.create(null);
  for (const name of [...space.keys()].sort()) {
    const d = space.get(name)!;
    if (!isSingleValue(d)) out[name] = d;
  }
  return out;
}

/** The parameters every finished trial has, with one distribution (empty when no trial is finished). */
export function intersectionSearchSpace(trials: readonly FrozenTrial[]): Record<string, Distribution> {
  let space: Map<string, Distribution> | null = null;
  for (const trial of trials) {
    if (!finished(trial)) continue;
    if (space === null) {
      space = new Map(Object.entries(trial.distributions));
      continue;
    }
    for (const [name, d] of space) {
      const other = Object.hasOwn(trial.distributions, name) ? trial.distributions[name] : undefined;
      if (other === undefined || !distributionsEqual(d, other)) space.delete(name);
    }
    if (space.size === 0) break;
  }
  return sortedSampled(space ?? new Map());
}

/**
 * The groups of parameters that always occur together in finished trials: each trial's parameters split
 * every group they cut, and the parameters new to the trial form a group of their own. Each group keeps
 * the distribution it first saw.
 */
export function groupDecomposedSearchSpace(trials: readonly FrozenTrial[]): Array<Record<string, Distribution>> {
  let groups: Array<Map<string, Distribution>> = [];
  for (const trial of trials) {
    if (!finished(trial)) continue;
    const remaining = new Set(Object.keys(trial.distributions));
    const next: Array<Map<string, Distribution>> = [];
    for (const group of groups) {
      const inside = new Map<string, Distribution>();
      const outside = new Map<string, Distribution>();
      for (const [name, d] of group) (remaining.has(name) ? inside : outside).set(name, d);
      for (const name of group.keys()) remaining.delete(name);
      if (inside.size) next.push(inside);
      if (outside.size) next.push(outside);
    }
    const fresh = new Map<string, Distribution>();
    for (const name of remaining) fresh.set(name, trial.distributions[name]);
    if (fresh.size) next.push(fresh);
    groups = next;
  }
  return groups.map(sortedSampled).filter((g) => Object.keys(g).length > 0);
}
