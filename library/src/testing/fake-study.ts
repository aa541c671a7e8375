/**
 * Test fixtures for pruners: a tiny in-memory StudyView over a fixed array of trials, and a helper that
 * builds FrozenTrial objects.
 */
import type { StudyView } from '../core/sampler.js';
import type { GetTrialsOptions, Storage } from '../core/storage.js';
import type { FrozenTrial, JsonValue, StudyDirection, TrialState } from '../core/trial-record.js';

/** Intermediate values as a list (index = step), a step -> value record, or a Map. */
export type Curve = readonly number[] | Readonly<Record<number, number>> | ReadonlyMap<number, number>;

export interface TrialSpec {
  number?: number;
  state?: TrialState;
  /** Single objective value (COMPLETE trials), or null. */
  value?: number | null;
  values?: readonly number[] | null;
  intermediate?: Curve;
}

function toMap(curve: Curve | undefined): Map<number, number> {
  if (curve === undefined) return new Map();
  if (curve instanceof Map) return new Map(curve);
  if (Array.isArray(curve)) return new Map(curve.map((v, i) => [i, v] as [number, number]));
  return new Map(Object.entries(curve).map(([k, v]) => [Number(k), v as number] as [number, number]));
}

/** A FrozenTrial with defaults: RUNNING, no params, no values. */
export function frozenTrial(spec: TrialSpec = {}, studyId = 1): FrozenTrial {
  const number = spec.number ?? 0;
  const state = spec.state ?? 'RUNNING';
  const finished = state === 'COMPLETE' || state === 'PRUNED' || state === 'FAIL';
  const values = spec.values !== undefined ? spec.values : spec.value !== undefined && spec.value !== null ? [spec.value] : null;
  return {
    trialId: 1000 + number,
    number,
    studyId,
    state,
    params: {},
    internalParams: {},
    distributions: {},
    values,
    intermediateValues: toMap(spec.intermediate),
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: 1_700_000_000_000 + number * 1000,
    datetimeComplete: finished ? 1_700_000_000_500 + number * 1000 : null,
    workerId: null,
  };
}

/** A completed trial with the given curve; its value is the curve's last value unless given. */
export function completedTrial(number: number, curve: Curve, value?: number): FrozenTrial {
  const map = toMap(curve);
  const last = [...map.entries()].sort((a, b) => a[0] - b[0]).at(-1)?.[1] ?? 0;
  return frozenTrial({ number, state: 'COMPLETE', value: value ?? last, intermediate: curve });
}

/** A running trial with the given curve. */
export function runningTrial(number: number, curve: Curve): FrozenTrial {
  return frozenTrial({ number, state: 'RUNNING', intermediate: curve });
}

export class FakeStudy implements StudyView {
  readonly studyId = 1;
  readonly studyName: string;
  readonly directions: readonly StudyDirection[];
  readonly seed = 42;
  readonly storage = {} as unknown as Storage;
  readonly trials: FrozenTrial[];
  private readonly attrs: Record<string, JsonValue> = {};
  /** Number of getTrials calls, to check that pruners read the study at most once per call. */
  getTrialsCalls = 0;

  constructor(direction: StudyDirection | readonly StudyDirection[], trials: readonly FrozenTrial[] = [], studyName = 'fake') {
    this.directions = typeof direction === 'string' ? [direction] : [...direction];
    this.trials = [...trials];
    this.studyName = studyName;
  }

  async getTrials(options?: GetTrialsOptions): Promise<readonly FrozenTrial[]> {
    this.getTrialsCalls++;
    const states = options?.states;
    return states ? this.trials.filter((t) => states.includes(t.state)) : [...this.trials];
  }

  async getSystemAttrs(): Promise<Readonly<Record<string, JsonValue>>> {
    return { ...this.attrs };
  }

  async setSystemAttr(key: string, value: JsonValue): Promise<void> {
    this.attrs[key] = value;
  }
}

/** A study of `direction` holding `trials`. */
export function makeStudy(direction: StudyDirection | readonly StudyDirection[], trials: readonly FrozenTrial[] = []): FakeStudy {
  return new FakeStudy(direction, trials);
}
