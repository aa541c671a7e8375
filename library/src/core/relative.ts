/**
 * A trial's relative sample in the storage (system attribute `tansaku:relative`): what its sampler chose
 * jointly at ask, before the objective suggested anything. Written by `study.ask`; read by samplers that
 * must know where running trials are, e.g. a constant liar that imputes their values.
 *
 * @example
 * ```ts
 * for (const t of await study.getTrials({ states: ['RUNNING'] })) {
 *   const point = { ...relativeSampleOf(t), ...currentParams(t) }; // chosen at ask, then what was suggested
 * }
 * ```
 */
import { validateDistribution } from './distributions.js';
import type { RelativeSample } from './sampler.js';
import { SystemAttr, type FrozenTrial, type JsonValue } from './trial-record.js';
import { setName } from './records.js';

/** The JSON form stored with the trial. */
export function relativeSampleToJson(sample: RelativeSample): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const [name, { distribution, internal }] of Object.entries(sample)) {
    setName(out, name, { distribution: distribution as unknown as JsonValue, internal });
  }
  return out;
}

/**
 * The relative sample stored with a trial (empty when its sampler sampled none, or the attribute is not
 * one Tansaku wrote): name -> distribution and internal value.
 */
export function relativeSampleOf(trial: FrozenTrial): RelativeSample {
  const stored = trial.systemAttrs[SystemAttr.relativeSample];
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return {};
  const out: RelativeSample = {};
  for (const [name, entry] of Object.entries(stored)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const { distribution, internal } = entry as { distribution?: unknown; internal?: unknown };
    if (typeof internal !== 'number') continue;
    try {
      setName(out, name, { distribution: validateDistribution(name, distribution), internal });
    } catch {
      // written by something else under the same key: not a relative sample
    }
  }
  return out;
}
