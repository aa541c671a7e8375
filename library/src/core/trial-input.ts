/**
 * The trials a user puts into a study rather than samples — `enqueueTrial` (WAITING, with fixed
 * parameters) and `addTrial` (finished, e.g. from an earlier experiment) — checked and turned into the
 * storage's trial templates, before anything is written.
 */
import { toInternal, validateDistribution, type ParamValue } from './distributions.js';
import { InvalidArgumentError, InvalidStateTransitionError, describeValue } from './errors.js';
import type { TrialTemplate } from './storage.js';
import type { TrialInput } from './study-types.js';
import { checkObjectiveValues } from './tell-rules.js';
import { checkJson } from './trial.js';
import { SystemAttr, type FrozenTrial, type JsonValue } from './trial-record.js';
import { setName } from './records.js';

/** The WAITING trial `enqueueTrial(params, options)` creates. Throws `InvalidArgumentError` on bad input. */
export function enqueuedTemplate(params: Record<string, ParamValue>, options: { userAttrs?: Record<string, JsonValue> }): TrialTemplate {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new InvalidArgumentError(`enqueueTrial: params must be an object of name -> value, got ${describeValue(params)}`);
  }
  checkJson('enqueued parameters', params);
  if (options.userAttrs) checkJson('enqueued user attributes', options.userAttrs);
  return {
    state: 'WAITING',
    userAttrs: options.userAttrs ?? {},
    systemAttrs: { [SystemAttr.fixedParams]: params as Record<string, JsonValue> },
  };
}

/** Whether a trial already runs (or ran, or waits to run) exactly these parameters (`skipIfExists`). */
export function isEnqueuedOrRun(trials: readonly FrozenTrial[], params: Record<string, ParamValue>): boolean {
  const key = JSON.stringify(sortKeys(params));
  for (const t of trials) {
    const fixed = t.systemAttrs[SystemAttr.fixedParams];
    if ((fixed && JSON.stringify(sortKeys(fixed as Record<string, unknown>)) === key) || JSON.stringify(sortKeys(t.params)) === key)
      return true;
  }
  return false;
}

/**
 * The trial `addTrial(input)` creates in a study of `objectives` objectives: values checked against the
 * distributions and the directions. Throws `InvalidArgumentError` or `InvalidStateTransitionError`.
 */
export function addedTemplate(input: TrialInput, objectives: number, now: number): TrialTemplate {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError(`addTrial: expected a trial object, got ${describeValue(input)}`);
  const state = input.state ?? 'COMPLETE';
  if (!['COMPLETE', 'PRUNED', 'FAIL', 'WAITING'].includes(state)) {
    throw new InvalidStateTransitionError(`addTrial: state must be COMPLETE, PRUNED, FAIL or WAITING, got ${describeValue(state)}`);
  }
  const params: NonNullable<TrialTemplate['params']> = {};
  for (const [name, value] of Object.entries(input.params ?? {})) {
    const d = input.distributions?.[name];
    if (!d) throw new InvalidArgumentError(`addTrial: parameter "${name}" has no distribution in distributions`);
    const dist = validateDistribution(name, d);
    setName(params, name, { distribution: dist, internal: toInternal(name, dist, value) });
  }
  let values: number[] | null = null;
  if (input.value !== undefined && input.values !== undefined) throw new InvalidArgumentError('addTrial: give value or values, not both');
  const raw = input.values ?? (input.value !== undefined ? [input.value] : undefined);
  if (state === 'COMPLETE') {
    values = checkObjectiveValues(raw, objectives, -1);
    if (values.some(Number.isNaN))
      throw new InvalidArgumentError(`addTrial: a COMPLETE trial cannot have a NaN value, got ${describeValue(raw)}`);
  } else if (raw !== undefined && state === 'PRUNED') {
    values = checkObjectiveValues(raw, objectives, -1);
  }
  if (input.userAttrs) checkJson('user attributes', input.userAttrs);
  if (input.systemAttrs) checkJson('system attributes', input.systemAttrs);
  return {
    state,
    params,
    values,
    intermediateValues: input.intermediateValues as TrialTemplate['intermediateValues'],
    userAttrs: { ...input.userAttrs },
    systemAttrs: { ...input.systemAttrs },
    datetimeStart: input.datetimeStart ?? (state === 'WAITING' ? null : now),
    datetimeComplete: input.datetimeComplete ?? (state === 'WAITING' ? null : now),
  };
}

function sortKeys(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}
