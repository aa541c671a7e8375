/**
 * Tansaku's pruners against Optuna 3.1's own decisions: 400 seeded cases (median, percentile, threshold
 * and patient pruners; warm-up and interval steps, steps with gaps, NaN and infinite reports, ties, no
 * completed trials) recorded by `scripts/make-pruner-reference.py` with Debian's python3-optuna in
 * `test/fixtures/reference/optuna-pruners.json`. The test reads the fixture; it never runs Python.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Pruner } from '../../src/core/pruner.js';
import type { StudyDirection } from '../../src/core/trial-record.js';
import { MedianPruner, PatientPruner, PercentilePruner, ThresholdPruner } from '../../src/pruners/index.js';
import { FakeStudy, completedTrial, runningTrial } from '../../src/testing.js';

type Encoded = number | 'nan' | 'inf' | '-inf';
type Curve = Array<[number, Encoded]>;
interface WindowOptions {
  n_startup_trials: number;
  n_warmup_steps: number;
  interval_steps: number;
  n_min_trials: number;
  percentile?: number;
}
interface ReferenceCase {
  id: number;
  pruner: 'median' | 'percentile' | 'threshold' | 'patient';
  options: Record<string, unknown>;
  direction: StudyDirection;
  completed: Array<{ value: number; curve: Curve }>;
  running: Curve;
  optuna: boolean;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/reference/optuna-pruners.json', import.meta.url), 'utf8')) as {
  cases: ReferenceCase[];
};

function decode(v: Encoded): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v;
}

const toMap = (curve: Curve): Map<number, number> => new Map(curve.map(([step, v]) => [step, decode(v)]));

function windowOptions(o: WindowOptions) {
  return {
    nStartupTrials: o.n_startup_trials,
    nWarmupSteps: o.n_warmup_steps,
    intervalSteps: o.interval_steps,
    nMinTrials: o.n_min_trials,
  };
}

/** The Tansaku pruner for a case's Optuna constructor arguments. */
function prunerOf(c: ReferenceCase): Pruner {
  const o = c.options;
  switch (c.pruner) {
    case 'median':
      return new MedianPruner(windowOptions(o as unknown as WindowOptions));
    case 'percentile':
      return new PercentilePruner({ ...windowOptions(o as unknown as WindowOptions), percentile: o.percentile as number });
    case 'threshold':
      return new ThresholdPruner({
        ...(o.lower === undefined ? {} : { lower: o.lower as number }),
        ...(o.upper === undefined ? {} : { upper: o.upper as number }),
        nWarmupSteps: o.n_warmup_steps as number,
        intervalSteps: o.interval_steps as number,
      });
    case 'patient': {
      const wrapped = o.wrapped === null ? null : new MedianPruner(windowOptions(o.wrapped as WindowOptions));
      return new PatientPruner(wrapped, { patience: o.patience as number, minDelta: o.min_delta as number });
    }
  }
}

describe('pruners agree with Optuna 3.1 (recorded decisions)', () => {
  it('the fixture holds cases of every pruner, pruned and kept', () => {
    const kinds = new Set(fixture.cases.map((c) => c.pruner));
    assert.deepEqual([...kinds].sort(), ['median', 'patient', 'percentile', 'threshold']);
    for (const kind of kinds) {
      const of = fixture.cases.filter((c) => c.pruner === kind);
      assert.ok(of.some((c) => c.optuna) && of.some((c) => !c.optuna), `${kind}: both decisions occur`);
    }
  });

  for (const kind of ['median', 'percentile', 'threshold', 'patient'] as const) {
    it(`${kind}: the same decision as Optuna on every recorded case`, async () => {
      const disagreements: string[] = [];
      for (const c of fixture.cases.filter((x) => x.pruner === kind)) {
        const study = new FakeStudy(
          c.direction,
          c.completed.map((d, i) => completedTrial(i, toMap(d.curve), d.value)),
        );
        const ours = await prunerOf(c).prune(study, runningTrial(c.completed.length, toMap(c.running)));
        if (ours !== c.optuna) disagreements.push(`case ${c.id}: Optuna ${c.optuna}, Tansaku ${ours} (${JSON.stringify(c)})`);
      }
      assert.deepEqual(disagreements, []);
    });
  }
});
