/**
 * A pruner can narrow the study a sampler sees for a trial (`Pruner.samplerView`), as Hyperband's
 * brackets do: both sampling phases of the trial see only the trials the view keeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage, NopPruner, createStudy, type FrozenTrial, type Pruner, type Sampler } from '../../src/index.js';
import { filteredStudyView, type RelativeSample, type StudyView } from '../../src/extend.js';

/** Brackets by parity of the trial number. */
class ParityPruner implements Pruner {
  readonly name = 'ParityPruner';
  prune(): boolean {
    return false;
  }
  samplerView(study: StudyView, trial: FrozenTrial): StudyView {
    return filteredStudyView(study, (t) => t.number % 2 === trial.number % 2);
  }
}

/** Records the finished trials sampleRelative was shown, and the view sampleIndependent was given. */
class RecordingSampler implements Sampler {
  readonly name = 'RecordingSampler';
  readonly seen = new Map<string, number[]>();
  async sampleRelative(study: StudyView, trial: FrozenTrial): Promise<RelativeSample> {
    this.seen.set(
      `relative ${trial.number}`,
      (await study.getTrials({ states: ['COMPLETE'] })).map((t) => t.number),
    );
    return {};
  }
  sampleIndependent(study: StudyView, trial: FrozenTrial): number {
    views.set(trial.number, study); // synchronous: the test reads this view's trials afterwards
    return 0.5;
  }
}
const views = new Map<number, StudyView>();

describe('the study a sampler sees', () => {
  it("is the pruner's view of the trial in both sampling phases", async () => {
    const sampler = new RecordingSampler();
    const study = await createStudy({ storage: new InMemoryStorage(), sampler, pruner: new ParityPruner() });
    await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 8 });
    for (let n = 0; n < 8; n++) {
      const expected = Array.from({ length: n }, (_, k) => k).filter((k) => k % 2 === n % 2);
      assert.deepEqual(sampler.seen.get(`relative ${n}`), expected, `trial ${n}: its bracket's finished trials`);
      const view = views.get(n);
      assert.ok(view, `sampleIndependent ran for trial ${n}`);
      const shown = (await view.getTrials()).map((t) => t.number);
      assert.ok(
        shown.every((k) => k % 2 === n % 2),
        `trial ${n}'s independent view shows ${shown}`,
      );
    }
  });

  it('is the whole study without a pruner view, and a filtered view keeps getTrials options', async () => {
    const sampler = new RecordingSampler();
    const study = await createStudy({ storage: new InMemoryStorage(), sampler, pruner: new NopPruner() });
    await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 4 });
    assert.deepEqual(sampler.seen.get('relative 3'), [0, 1, 2]);
    const odd = filteredStudyView(study, (t) => t.number % 2 === 1);
    assert.deepEqual(
      (await odd.getTrials({ states: ['COMPLETE'], fromNumber: 2 })).map((t) => t.number),
      [3],
    );
    assert.equal(odd.seed, study.seed);
    assert.deepEqual(odd.directions, study.directions);
  });
});
