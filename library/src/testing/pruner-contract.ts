/**
 * Contract suite every pruner passes (ARCHITECTURE.md: one interface, many implementations, one shared
 * contract). Usage: `runPrunerContract('MedianPruner', () => new MedianPruner({ nStartupTrials: 1 }))`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pruner } from '../core/pruner.js';
import type { FrozenTrial, StudyDirection } from '../core/trial-record.js';
import { FakeStudy, completedTrial, frozenTrial, runningTrial } from './fake-study.js';

const DIRECTIONS: readonly StudyDirection[] = ['minimize', 'maximize'];

/** A study with a spread of completed curves plus pruned, failed and running trials. */
function richStudy(direction: StudyDirection): FakeStudy {
  const trials: FrozenTrial[] = [
    completedTrial(0, [1.0, 0.8, 0.6, 0.5, 0.4]),
    completedTrial(1, [2.0, 1.5, 1.2, 1.0, 0.9]),
    completedTrial(2, [3.0, 2.5, 2.0, 1.8, 1.6]),
    completedTrial(3, [0.5, 0.4, 0.3, 0.2, 0.1]),
    completedTrial(4, [4.0, 3.0, 2.8, 2.7, 2.6]),
    completedTrial(5, [1.5, 1.4, 1.3, 1.2, 1.1]),
    frozenTrial({ number: 6, state: 'PRUNED', intermediate: [9, 9] }),
    frozenTrial({ number: 7, state: 'FAIL', intermediate: [NaN] }),
    runningTrial(8, [0.1, 0.1]),
  ];
  return new FakeStudy(direction, trials);
}

/** Running trials to ask about: good, bad, flat, short, gappy, non-finite. */
const CANDIDATE_CURVES: readonly (readonly number[] | Record<number, number>)[] = [
  [0.0],
  [10.0],
  [0.0, 0.0, 0.0, 0.0, 0.0],
  [10, 10, 10, 10, 10, 10, 10],
  [5, 4, 3, 2, 1, 0.5, 0.25],
  [1, 2, 3, 4, 5, 6, 7],
  { 0: 1, 3: 2, 4: 8 },
  [Infinity, -Infinity, 1],
];

async function ask(pruner: Pruner, study: FakeStudy, trial: FrozenTrial): Promise<unknown> {
  return await pruner.prune(study, trial);
}

export function runPrunerContract(name: string, make: () => Pruner): void {
  describe(`Pruner contract: ${name}`, () => {
    it('has a non-empty name', () => {
      const p = make();
      assert.equal(typeof p.name, 'string');
      assert.ok(p.name.length > 0);
    });

    for (const direction of DIRECTIONS) {
      describe(`${direction}`, () => {
        it('never prunes a trial with no intermediate values', async () => {
          for (const study of [richStudy(direction), new FakeStudy(direction, [])]) {
            assert.equal(await ask(make(), study, runningTrial(9, [])), false);
          }
        });

        it('returns a boolean for every kind of trial', async () => {
          const study = richStudy(direction);
          const pruner = make();
          for (const curve of CANDIDATE_CURVES) {
            const result = await ask(pruner, study, runningTrial(9, curve));
            assert.equal(typeof result, 'boolean', `curve ${JSON.stringify(curve)} gave ${String(result)}`);
          }
        });

        it('does not throw on a study with no completed trials', async () => {
          const empty = new FakeStudy(direction, []);
          const noneComplete = new FakeStudy(direction, [
            frozenTrial({ number: 0, state: 'PRUNED', intermediate: [1, 2] }),
            frozenTrial({ number: 1, state: 'FAIL', intermediate: [3] }),
            runningTrial(2, [0.5]),
          ]);
          for (const study of [empty, noneComplete]) {
            for (const curve of CANDIDATE_CURVES) {
              const result = await ask(make(), study, runningTrial(9, curve));
              assert.equal(typeof result, 'boolean');
            }
          }
        });

        it('is deterministic for the same inputs', async () => {
          const study = richStudy(direction);
          const a = make();
          const b = make();
          for (const curve of CANDIDATE_CURVES) {
            const trial = runningTrial(9, curve);
            const first = await ask(a, study, trial);
            assert.equal(await ask(a, study, trial), first, `same instance, curve ${JSON.stringify(curve)}`);
            assert.equal(await ask(b, study, trial), first, `fresh instance, curve ${JSON.stringify(curve)}`);
          }
        });

        it('handles NaN intermediate values without throwing', async () => {
          const study = richStudy(direction);
          study.trials.push(completedTrial(10, [NaN, NaN, 1.0, NaN, 0.5], 0.5));
          const pruner = make();
          for (const curve of [[NaN], [1, NaN], [NaN, 1], [NaN, NaN, NaN, NaN, NaN, NaN], [0, 0, 0, 0, NaN]]) {
            const result = await ask(pruner, study, runningTrial(9, curve));
            assert.equal(typeof result, 'boolean', `curve ${JSON.stringify(curve)}`);
          }
        });

        it('does not modify the trials it is shown', async () => {
          const study = richStudy(direction);
          const before = study.trials.map((t) => [t.state, [...t.intermediateValues]]);
          const trial = runningTrial(9, [5, 4, 3, 2, 1, 0.5]);
          const trialBefore = [...trial.intermediateValues];
          await ask(make(), study, trial);
          assert.deepEqual(
            study.trials.map((t) => [t.state, [...t.intermediateValues]]),
            before,
          );
          assert.deepEqual([...trial.intermediateValues], trialBefore);
        });
      });
    }
  });
}
