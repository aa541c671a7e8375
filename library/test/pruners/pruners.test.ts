/**
 * Tests of the built-in pruners, with hand-derived expectations. Those marked "Optuna 3.1" describe
 * Optuna 3.1's semantics; optuna-reference.test.ts checks every pruner against Optuna's own decisions on
 * 400 recorded cases (scripts/make-pruner-reference.py). The tests never call Python.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, TansakuError } from '../../src/core/errors.js';
import type { Pruner } from '../../src/core/pruner.js';
import type { StudyView } from '../../src/core/sampler.js';
import type { FrozenTrial, StudyDirection } from '../../src/core/trial-record.js';
import {
  MedianPruner,
  NopPruner,
  PatientPruner,
  PercentilePruner,
  ThresholdPruner,
  type MedianPrunerOptions,
  type PercentilePrunerOptions,
} from '../../src/pruners/index.js';
import { runPrunerContract, FakeStudy, completedTrial, frozenTrial, runningTrial, type Curve } from '../../src/testing.js';

// ---------------------------------------------------------------------------------------------------
// Contract for every pruner.

runPrunerContract('NopPruner', () => new NopPruner());
runPrunerContract('MedianPruner (defaults)', () => new MedianPruner());
runPrunerContract('MedianPruner (eager)', () => new MedianPruner({ nStartupTrials: 0 }));
runPrunerContract(
  'PercentilePruner 25',
  () => new PercentilePruner({ percentile: 25, nStartupTrials: 1, intervalSteps: 2, nWarmupSteps: 1 }),
);
runPrunerContract('PercentilePruner 0', () => new PercentilePruner({ percentile: 0, nStartupTrials: 0 }));
runPrunerContract('PercentilePruner 100', () => new PercentilePruner({ percentile: 100, nStartupTrials: 0, nMinTrials: 3 }));
runPrunerContract('ThresholdPruner', () => new ThresholdPruner({ lower: 0, upper: 3 }));
runPrunerContract('ThresholdPruner (upper, warm-up)', () => new ThresholdPruner({ upper: 1, nWarmupSteps: 2, intervalSteps: 2 }));
runPrunerContract('PatientPruner (null)', () => new PatientPruner(null, { patience: 1 }));
runPrunerContract('PatientPruner (Median)', () => new PatientPruner(new MedianPruner({ nStartupTrials: 1 }), { patience: 0 }));

// ---------------------------------------------------------------------------------------------------
// Helpers.

const mirror = (curve: readonly number[]): number[] => curve.map((v) => -v);

/** The running trial after each report of `curve`: values of steps 0..k for k = 0..n-1. */
function prefixes(curve: readonly number[], number = 99): FrozenTrial[] {
  return curve.map((_, k) => runningTrial(number, curve.slice(0, k + 1)));
}

async function decide(pruner: Pruner, study: StudyView, curve: Curve): Promise<boolean> {
  return await pruner.prune(study, runningTrial(99, curve));
}

function studyOf(direction: StudyDirection, curves: readonly Curve[]): FakeStudy {
  return new FakeStudy(
    direction,
    curves.map((c, i) => completedTrial(i, c)),
  );
}

/** Asserts that `fn` throws an InvalidArgumentError whose message contains each of `parts`. */
function assertInvalid(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
    assert.ok(e instanceof TansakuError);
    assert.equal(e.code, 'TANSAKU_INVALID_ARGUMENT');
    for (const part of parts) assert.ok(e.message.includes(part), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(part)}`);
    return true;
  });
}

// Five completed minimisation curves over steps 0..4; per-step medians are [2.0, 1.5, 1.2, 1.0, 0.9].
const CURVES: readonly (readonly number[])[] = [
  [1.0, 0.8, 0.6, 0.5, 0.4],
  [2.0, 1.5, 1.2, 1.0, 0.9],
  [3.0, 2.5, 2.0, 1.8, 1.6],
  [0.5, 0.4, 0.3, 0.2, 0.1],
  [4.0, 3.0, 2.8, 2.7, 2.6],
];
const WORSE = [3.5, 2.8, 2.5, 2.2, 2.0];
const BEST = [0.3, 0.2, 0.1, 0.05, 0.01];

// ---------------------------------------------------------------------------------------------------

describe('NopPruner', () => {
  it('is named and never prunes, even hopeless or NaN curves', async () => {
    const p = new NopPruner();
    assert.equal(p.name, 'NopPruner');
    const study = studyOf('minimize', CURVES);
    assert.equal(await decide(p, study, WORSE), false);
    assert.equal(await decide(p, study, [NaN]), false);
    assert.equal(await decide(p, study, [Infinity]), false);
  });
});

describe('MedianPruner', () => {
  it('is named MedianPruner, is a PercentilePruner at 50 with Optuna defaults', () => {
    const p = new MedianPruner();
    assert.equal(p.name, 'MedianPruner');
    assert.ok(p instanceof PercentilePruner);
    assert.deepEqual([p.percentile, p.nStartupTrials, p.nWarmupSteps, p.intervalSteps, p.nMinTrials], [50, 5, 0, 1, 1]);
  });

  for (const direction of ['minimize', 'maximize'] as const) {
    const sign = (c: readonly number[]) => (direction === 'minimize' ? [...c] : mirror(c));
    it(`acceptance (${direction}): prunes a curve worse than the median at every step, keeps the best curve`, async () => {
      const study = studyOf(direction, CURVES.map(sign));
      const pruner = new MedianPruner();
      for (const trial of prefixes(sign(WORSE))) {
        assert.equal(await pruner.prune(study, trial), true, `worse curve at step ${trial.intermediateValues.size - 1}`);
      }
      for (const trial of prefixes(sign(BEST))) {
        assert.equal(await pruner.prune(study, trial), false, `best curve at step ${trial.intermediateValues.size - 1}`);
      }
      // A curve equal to the median at every step is kept (strict comparison).
      for (const trial of prefixes(sign(CURVES[1]))) {
        assert.equal(await pruner.prune(study, trial), false, `median curve at step ${trial.intermediateValues.size - 1}`);
      }
    });
  }

  it('judges the best value so far, not the latest one (Optuna 3.1)', async () => {
    const study = studyOf('minimize', CURVES);
    // Latest value 9 is far worse than the median 1.5 at step 1, but the best so far (0.1) is better.
    assert.equal(await decide(new MedianPruner(), study, [0.1, 9]), false);
    const max = studyOf('maximize', CURVES.map(mirror));
    assert.equal(await decide(new MedianPruner(), max, [-0.1, -9]), false);
  });

  it('the same curve gets opposite decisions under minimize and maximize', async () => {
    const curves = [[1], [2], [3], [4], [5]];
    const p = new MedianPruner();
    assert.equal(await decide(p, studyOf('minimize', curves), [4]), true);
    assert.equal(await decide(p, studyOf('maximize', curves), [4]), false);
    assert.equal(await decide(p, studyOf('minimize', curves), [2]), false);
    assert.equal(await decide(p, studyOf('maximize', curves), [2]), true);
  });

  it('nStartupTrials: no pruning until that many trials are COMPLETE', async () => {
    const four = studyOf('minimize', CURVES.slice(0, 4));
    const five = studyOf('minimize', CURVES);
    assert.equal(await decide(new MedianPruner(), four, WORSE), false);
    assert.equal(await decide(new MedianPruner(), five, WORSE), true);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 4 }), four, WORSE), true);
    // PRUNED, FAIL and RUNNING trials do not count as startup trials, nor do their values.
    const mixed = new FakeStudy('minimize', [
      ...CURVES.slice(0, 4).map((c, i) => completedTrial(i, c)),
      frozenTrial({ number: 4, state: 'PRUNED', intermediate: [9, 9, 9] }),
      frozenTrial({ number: 5, state: 'FAIL', intermediate: [9, 9, 9] }),
      runningTrial(6, [9, 9, 9]),
    ]);
    assert.equal(await decide(new MedianPruner(), mixed, WORSE), false);
  });

  it('never prunes with zero completed trials, even with nStartupTrials 0 (Optuna 3.1)', async () => {
    const study = new FakeStudy('minimize', [frozenTrial({ number: 0, state: 'PRUNED', intermediate: [0, 0] })]);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), study, [100, 100]), false);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), study, [NaN]), false);
  });

  it('nWarmupSteps: no pruning before the trial reaches that step', async () => {
    const study = studyOf('minimize', CURVES);
    const pruner = new MedianPruner({ nWarmupSteps: 3 });
    const decisions = [];
    for (const trial of prefixes(WORSE)) decisions.push(await pruner.prune(study, trial));
    assert.deepEqual(decisions, [false, false, false, true, true]);
  });

  it('intervalSteps: checks only at the first reported step of each interval, offset by warm-up (Optuna 3.1)', async () => {
    // Completed curves are flat at 0..4 and the trial is always far worse, so only the schedule decides.
    const long = Array.from({ length: 5 }, (_, i) => Array.from({ length: 10 }, () => i));
    const study = studyOf('minimize', long);
    const bad = Array.from({ length: 10 }, () => 100);
    const decisions = async (options: MedianPrunerOptions) => {
      const out: boolean[] = [];
      for (const trial of prefixes(bad)) out.push(await new MedianPruner(options).prune(study, trial));
      return out;
    };
    assert.deepEqual(await decisions({ intervalSteps: 3 }), [true, false, false, true, false, false, true, false, false, true]);
    assert.deepEqual(await decisions({ intervalSteps: 3, nWarmupSteps: 2 }), [
      false,
      false,
      true,
      false,
      false,
      true,
      false,
      false,
      true,
      false,
    ]);
    // Gaps: a check step with no report is postponed to the next reported step.
    const p = new MedianPruner({ intervalSteps: 3 });
    assert.equal(await decide(p, study, { 0: 100, 1: 100, 4: 100 }), true);
    assert.equal(await decide(p, study, { 0: 100, 3: 100, 4: 100 }), false);
    assert.equal(await decide(p, study, { 0: 100, 7: 100 }), true);
    // Steps reported out of order are handled (the set of steps is what counts).
    assert.equal(
      await decide(
        p,
        study,
        new Map([
          [4, 100],
          [0, 100],
          [1, 100],
        ]),
      ),
      true,
    );
  });

  it('nMinTrials: needs that many completed trials that reported the current step', async () => {
    // Five completed trials, only two of which reached step 3.
    const curves = [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3], [4, 4], [5]];
    const study = studyOf('minimize', curves);
    const trial = [9, 9, 9, 9];
    assert.equal(await decide(new MedianPruner(), study, trial), true);
    assert.equal(await decide(new MedianPruner({ nMinTrials: 2 }), study, trial), true);
    assert.equal(await decide(new MedianPruner({ nMinTrials: 3 }), study, trial), false);
    // No completed trial reported step 5: never pruned.
    assert.equal(await decide(new MedianPruner(), study, [9, 9, 9, 9, 9, 9]), false);
  });

  it('NaN: an all-NaN trial is pruned; NaN values of completed trials are ignored but counted (Optuna 3.1)', async () => {
    const study = studyOf('minimize', CURVES);
    assert.equal(await decide(new MedianPruner(), study, [NaN]), true);
    assert.equal(await decide(new MedianPruner(), study, [NaN, NaN]), true);
    // Best so far ignores NaN: best is 0.1, better than the median.
    assert.equal(await decide(new MedianPruner(), study, [0.1, NaN]), false);
    // An all-NaN trial is pruned even when no completed trial reported its step.
    assert.equal(await decide(new MedianPruner(), study, { 7: NaN }), true);

    const withNaN = studyOf('minimize', [[NaN], [NaN], [1], [3], [5]]);
    assert.equal(await decide(new MedianPruner({ nMinTrials: 5 }), withNaN, [3.5]), true); // median of [1,3,5] = 3
    assert.equal(await decide(new MedianPruner({ nMinTrials: 5 }), withNaN, [2.5]), false);
    const allNaN = studyOf('minimize', [[NaN], [NaN], [NaN], [NaN], [NaN]]);
    assert.equal(await decide(new MedianPruner(), allNaN, [100]), false);
  });

  it('infinities follow NumPy: the median of [1, 2, Infinity] is NaN, so no pruning (Optuna 3.1)', async () => {
    const study = studyOf('minimize', [[1], [2], [Infinity]]);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), study, [5]), false);
    const four = studyOf('minimize', [[1], [2], [3], [Infinity]]);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), four, [5]), true); // median 2.5
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), four, [Infinity]), true);
    assert.equal(await decide(new MedianPruner({ nStartupTrials: 0 }), four, [-Infinity]), false);
  });

  it('reads the study at most once per call, and not at all between check steps', async () => {
    const study = studyOf('minimize', CURVES);
    const p = new MedianPruner({ intervalSteps: 2 });
    await p.prune(study, runningTrial(99, WORSE.slice(0, 3)));
    assert.equal(study.getTrialsCalls, 1);
    await p.prune(study, runningTrial(99, WORSE.slice(0, 2)));
    await p.prune(study, runningTrial(99, []));
    assert.equal(study.getTrialsCalls, 1);
  });

  it('refuses multi-objective studies with a clear error', async () => {
    const study = new FakeStudy(
      ['minimize', 'maximize'],
      CURVES.map((c, i) => frozenTrial({ number: i, state: 'COMPLETE', values: [1, 2], intermediate: c })),
    );
    await assert.rejects(
      async () => new MedianPruner().prune(study, runningTrial(99, WORSE)),
      (e: unknown) => e instanceof InvalidArgumentError && /MedianPruner/.test(e.message) && /single-objective/.test(e.message),
    );
  });

  it('validates its options', () => {
    assertInvalid(() => new MedianPruner({ nStartupTrials: -1 }), 'MedianPruner', 'nStartupTrials', '-1', '>= 0');
    assertInvalid(() => new MedianPruner({ nStartupTrials: 1.5 }), 'nStartupTrials', '1.5', 'integer');
    assertInvalid(() => new MedianPruner({ nWarmupSteps: -2 }), 'nWarmupSteps', '-2');
    assertInvalid(() => new MedianPruner({ intervalSteps: 0 }), 'intervalSteps', '0', '>= 1');
    assertInvalid(() => new MedianPruner({ nMinTrials: 0 }), 'nMinTrials', '0', '>= 1');
    assertInvalid(() => new MedianPruner({ percentile: 30 } as unknown as MedianPrunerOptions), 'MedianPruner', 'percentile');
    assertInvalid(() => new MedianPruner({ nStartupTrial: 3 } as unknown as MedianPrunerOptions), 'nStartupTrial');
  });
});

describe('PercentilePruner', () => {
  const five = [[1], [2], [3], [4], [5]];
  const make = (percentile: number, extra: Partial<PercentilePrunerOptions> = {}) =>
    new PercentilePruner({ percentile, nStartupTrials: 0, ...extra });

  it('is named PercentilePruner with Optuna defaults', () => {
    const p = new PercentilePruner({ percentile: 25 });
    assert.equal(p.name, 'PercentilePruner');
    assert.deepEqual([p.nStartupTrials, p.nWarmupSteps, p.intervalSteps, p.nMinTrials], [5, 0, 1, 1]);
  });

  it('percentile 0 keeps only trials as good as the best completed one (Optuna 3.1)', async () => {
    const min = studyOf('minimize', five);
    assert.equal(await decide(make(0), min, [1]), false);
    assert.equal(await decide(make(0), min, [1.01]), true);
    const max = studyOf('maximize', five);
    assert.equal(await decide(make(0), max, [5]), false);
    assert.equal(await decide(make(0), max, [4.99]), true);
  });

  it('percentile 100 prunes only trials worse than every completed one (Optuna 3.1)', async () => {
    const min = studyOf('minimize', five);
    assert.equal(await decide(make(100), min, [5]), false);
    assert.equal(await decide(make(100), min, [5.01]), true);
    const max = studyOf('maximize', five);
    assert.equal(await decide(make(100), max, [1]), false);
    assert.equal(await decide(make(100), max, [0.99]), true);
  });

  it('interpolates linearly between order statistics, as numpy.nanpercentile (Optuna 3.1)', async () => {
    const four = studyOf('minimize', [[4], [1], [3], [2]]); // 30th percentile = 1.9
    assert.equal(await decide(make(30), four, [1.95]), true);
    assert.equal(await decide(make(30), four, [1.85]), false);
    const fourMax = studyOf('maximize', [[4], [1], [3], [2]]); // maximize: 70th percentile = 3.1
    assert.equal(await decide(make(30), fourMax, [3.05]), true);
    assert.equal(await decide(make(30), fourMax, [3.15]), false);
    const min = studyOf('minimize', five); // 25th percentile = 2
    assert.equal(await decide(make(25), min, [2]), false);
    assert.equal(await decide(make(25), min, [2.5]), true);
  });

  it('compares at the latest step even when the best value came earlier', async () => {
    // Completed trials are good at step 0 and bad at step 2; the trial's best (step 0) vs step-2 percentile.
    const study = studyOf('minimize', [
      [0, 5, 10],
      [0, 6, 11],
      [0, 7, 12],
    ]);
    assert.equal(await decide(make(50), study, [9, 9, 9]), false); // 9 <= 11
    assert.equal(await decide(make(50), study, [12, 12, 12]), true); // 12 > 11
    assert.equal(await decide(make(50), study, [1, 50, 50]), false); // best 1
  });

  it('percentile 25 prunes more than the median, which prunes more than percentile 75', async () => {
    const study = studyOf('minimize', five);
    const results = await Promise.all([25, 50, 75].map((p) => decide(make(p), study, [3.5])));
    assert.deepEqual(results, [true, true, false]);
  });

  it('validates its options', () => {
    assertInvalid(() => new PercentilePruner({ percentile: -1 }), 'PercentilePruner', 'percentile', '-1', '0 and 100');
    assertInvalid(() => new PercentilePruner({ percentile: 100.5 }), 'percentile', '100.5');
    assertInvalid(() => new PercentilePruner({ percentile: NaN }), 'percentile', 'NaN');
    assertInvalid(() => new PercentilePruner({ percentile: '50' } as unknown as PercentilePrunerOptions), 'percentile', '"50"');
    assertInvalid(() => new PercentilePruner({} as PercentilePrunerOptions), 'percentile', 'undefined');
    assertInvalid(() => new PercentilePruner({ percentile: 50, nStartupTrials: -1 }), 'PercentilePruner', 'nStartupTrials', '-1');
    assertInvalid(() => new PercentilePruner({ percentile: 50, nWarmupSteps: 0.5 }), 'nWarmupSteps', '0.5');
    assertInvalid(() => new PercentilePruner({ percentile: 50, intervalSteps: 0 }), 'intervalSteps', '0');
    assertInvalid(() => new PercentilePruner({ percentile: 50, nMinTrials: 0 }), 'nMinTrials', '0');
    assertInvalid(() => new PercentilePruner(null as unknown as PercentilePrunerOptions), 'PercentilePruner', 'options', 'null');
    // Edges are accepted.
    assert.equal(new PercentilePruner({ percentile: 0 }).percentile, 0);
    assert.equal(new PercentilePruner({ percentile: 100, nStartupTrials: 0, nWarmupSteps: 0 }).percentile, 100);
  });
});

describe('ThresholdPruner', () => {
  const study = new FakeStudy('minimize', []);

  it('is named ThresholdPruner and prunes outside [lower, upper] or on NaN', async () => {
    const p = new ThresholdPruner({ lower: 0, upper: 1 });
    assert.equal(p.name, 'ThresholdPruner');
    assert.equal(await decide(p, study, [0.5]), false);
    assert.equal(await decide(p, study, [0]), false);
    assert.equal(await decide(p, study, [1]), false);
    assert.equal(await decide(p, study, [-0.01]), true);
    assert.equal(await decide(p, study, [1.01]), true);
    assert.equal(await decide(p, study, [NaN]), true);
    assert.equal(await decide(p, study, [Infinity]), true);
  });

  it('looks only at the latest value, ignores the direction and other trials', async () => {
    const p = new ThresholdPruner({ upper: 1 });
    assert.equal(await decide(p, study, [5, 0.5]), false);
    assert.equal(await decide(p, study, [0.5, 5]), true);
    assert.equal(await decide(p, study, [NaN, 0.5]), false);
    assert.equal(await decide(p, new FakeStudy('maximize', []), [0.5, 5]), true);
    assert.equal(await decide(p, new FakeStudy(['minimize', 'maximize'], []), [0.5, 5]), true);
  });

  it('a missing bound is infinite', async () => {
    const lower = new ThresholdPruner({ lower: 0 });
    assert.equal(await decide(lower, study, [1e300]), false);
    assert.equal(await decide(lower, study, [Infinity]), false);
    assert.equal(await decide(lower, study, [-1]), true);
    const upper = new ThresholdPruner({ upper: 0, lower: null });
    assert.equal(await decide(upper, study, [-Infinity]), false);
    assert.equal(await decide(upper, study, [1]), true);
    assert.deepEqual([upper.lower, upper.upper], [-Infinity, 0]);
  });

  it('honours warm-up and interval steps (Optuna 3.1)', async () => {
    const p = new ThresholdPruner({ upper: 1, nWarmupSteps: 2, intervalSteps: 2 });
    const out: boolean[] = [];
    for (const trial of prefixes([5, 5, 5, 5, 5, 5, 5])) out.push(await p.prune(study, trial));
    assert.deepEqual(out, [false, false, true, false, true, false, true]);
    assert.equal(await decide(p, study, { 0: 5, 1: 5, 3: 5 }), true); // step 2 missing: checked at 3
  });

  it('validates its options', () => {
    assertInvalid(() => new ThresholdPruner({}), 'ThresholdPruner', 'lower', 'upper');
    assertInvalid(() => new ThresholdPruner({ lower: null, upper: null }), 'lower', 'upper');
    assertInvalid(() => new ThresholdPruner({ lower: 2, upper: 1 }), 'lower', 'upper', '2', '1');
    assertInvalid(() => new ThresholdPruner({ lower: NaN }), 'lower', 'NaN');
    assertInvalid(() => new ThresholdPruner({ upper: '3' as unknown as number }), 'upper', '"3"');
    assertInvalid(() => new ThresholdPruner({ upper: 1, nWarmupSteps: -1 }), 'nWarmupSteps', '-1');
    assertInvalid(() => new ThresholdPruner({ upper: 1, intervalSteps: 0 }), 'intervalSteps', '0');
    assertInvalid(() => new ThresholdPruner({ upper: 1, interval: 2 } as never), 'interval');
    assert.doesNotThrow(() => new ThresholdPruner({ lower: 1, upper: 1 }));
  });
});

describe('PatientPruner', () => {
  const min = new FakeStudy('minimize', []);
  const max = new FakeStudy('maximize', []);

  /** A pruner that records its calls and answers `answer`. */
  class SpyPruner implements Pruner {
    readonly name = 'SpyPruner';
    calls = 0;
    constructor(private readonly answer: boolean | Promise<boolean>) {}
    prune(): boolean | Promise<boolean> {
      this.calls++;
      return this.answer;
    }
  }

  it('is named PatientPruner', () => {
    assert.equal(new PatientPruner(null, { patience: 1 }).name, 'PatientPruner');
  });

  it('prunes once the best of the last patience+1 steps is worse than the best before them (Optuna 3.1)', async () => {
    const p = new PatientPruner(null, { patience: 2 });
    assert.equal(await decide(p, min, [5, 3, 4, 4, 4]), true); // 3 < 4
    assert.equal(await decide(p, min, [5, 4, 3, 3.5, 3.2]), false); // improved to 3
    assert.equal(await decide(p, min, [5, 3, 3, 3, 3]), false); // a flat curve is not worse (strict)
    assert.equal(await decide(p, min, [3, 5, 4, 4]), true); // exactly patience+2 steps
    assert.equal(await decide(p, min, [5, 3, 4, 4]), false); // the window holds the best value 3
    assert.equal(await decide(p, min, [3, 4, 4]), false); // patience+1 steps: too few to judge
  });

  it('is direction-aware', async () => {
    const p = new PatientPruner(null, { patience: 2 });
    assert.equal(await decide(p, max, mirror([5, 3, 4, 4, 4])), true);
    assert.equal(await decide(p, max, mirror([5, 4, 3, 3.5, 3.2])), false);
    assert.equal(await decide(p, max, [1, 2, 3, 4, 5]), false); // improving under maximize
    assert.equal(await decide(p, min, [1, 2, 3, 4, 5]), true); // worsening under minimize
  });

  it('minDelta: the recent best must be worse than the earlier best by more than minDelta (Optuna 3.1)', async () => {
    const curve = [5, 3, 3.5, 3.5, 3.5]; // recent best 3.5 is worse than 3 by 0.5
    const at = (minDelta: number, study: FakeStudy, c: readonly number[]) =>
      decide(new PatientPruner(null, { patience: 2, minDelta }), study, c);
    assert.equal(await at(0, min, curve), true);
    assert.equal(await at(0.25, min, curve), true);
    assert.equal(await at(0.5, min, curve), false);
    assert.equal(await at(0.75, min, curve), false);
    assert.equal(await at(0.25, max, mirror(curve)), true);
    assert.equal(await at(0.5, max, mirror(curve)), false);
  });

  it('patience 0 compares the latest value with the best before it', async () => {
    const p = new PatientPruner(null, { patience: 0 });
    assert.equal(await decide(p, min, [1]), false);
    assert.equal(await decide(p, min, [1, 2]), true);
    assert.equal(await decide(p, min, [2, 1]), false);
  });

  it('sorts steps numerically and ignores NaN (Optuna 3.1)', async () => {
    const p = new PatientPruner(null, { patience: 1 });
    // By numeric step the last value is step 10's 7, worse than the best 3 before it; by insertion order
    // or by string order the last value would be 3 and the trial would be kept.
    const outOfOrder = new Map([
      [10, 7],
      [0, 5],
      [1, 6],
      [2, 3],
    ]);
    assert.equal(await decide(new PatientPruner(null, { patience: 0 }), min, outOfOrder), true);
    assert.equal(await decide(p, min, [5, 3, NaN, 4]), true);
    assert.equal(await decide(p, min, [NaN, NaN, 4, 4]), false); // nothing before to compare with
    assert.equal(await decide(p, min, [5, 3, NaN, NaN]), false); // nothing after
  });

  it('defers to the wrapped pruner only when the trial has stalled', async () => {
    const no = new SpyPruner(false);
    const yes = new SpyPruner(true);
    const later = new SpyPruner(Promise.resolve(true));
    const stalled = [5, 3, 4, 4, 4];
    const improving = [5, 4, 3, 2, 1];
    assert.equal(await decide(new PatientPruner(no, { patience: 2 }), min, stalled), false);
    assert.equal(await decide(new PatientPruner(yes, { patience: 2 }), min, stalled), true);
    assert.equal(await decide(new PatientPruner(later, { patience: 2 }), min, stalled), true);
    assert.deepEqual([no.calls, yes.calls, later.calls], [1, 1, 1]);
    assert.equal(await decide(new PatientPruner(yes, { patience: 2 }), min, improving), false);
    assert.equal(yes.calls, 1);
  });

  it('wrapping MedianPruner: the median rule applies only after patience runs out', async () => {
    const study = studyOf('minimize', CURVES);
    const patient = new PatientPruner(new MedianPruner(), { patience: 1 });
    // Worse than the median throughout but still improving: kept.
    assert.equal(await decide(patient, study, WORSE), false);
    // Worse than the median and stalled: pruned.
    assert.equal(await decide(patient, study, [3.5, 2.8, 2.5, 2.6, 2.6]), true);
    // Stalled but better than the median: kept.
    assert.equal(await decide(patient, study, [0.3, 0.2, 0.1, 0.15, 0.15]), false);
  });

  it('refuses multi-objective studies', () => {
    assert.throws(
      () => new PatientPruner(null, { patience: 0 }).prune(new FakeStudy(['minimize', 'minimize'], []), runningTrial(1, [1, 2])),
      (e: unknown) => e instanceof InvalidArgumentError && /PatientPruner/.test(e.message),
    );
  });

  it('validates its arguments', () => {
    assertInvalid(() => new PatientPruner(null, { patience: -1 }), 'PatientPruner', 'patience', '-1');
    assertInvalid(() => new PatientPruner(null, { patience: 1.5 }), 'patience', '1.5', 'integer');
    assertInvalid(() => new PatientPruner(null, {} as never), 'patience', 'undefined');
    assertInvalid(() => new PatientPruner(null, undefined as never), 'patience');
    assertInvalid(() => new PatientPruner(null, { patience: 1, minDelta: -0.1 }), 'minDelta', '-0.1');
    assertInvalid(() => new PatientPruner(null, { patience: 1, minDelta: NaN }), 'minDelta', 'NaN');
    assertInvalid(() => new PatientPruner({} as Pruner, { patience: 1 }), 'wrappedPruner');
    assertInvalid(() => new PatientPruner(undefined as never, { patience: 1 }), 'wrappedPruner', 'undefined');
    assert.equal(new PatientPruner(new NopPruner(), { patience: 3, minDelta: 0.25 }).minDelta, 0.25);
  });
});
