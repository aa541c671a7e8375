/**
 * The relative sample (what `sampleRelative` chose at ask) is stored with the trial as its
 * `tansaku:relative` attribute: with the trial's first write while the objective runs, or with the result
 * of an objective that returns at once, at no extra append.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage, NopPruner, createStudy, type Sampler } from '../../src/index.js';
import { SystemAttr, floatDistribution, relativeSampleOf, type RelativeSample } from '../../src/extend.js';

const X = floatDistribution('x', 0, 1);

/** Proposes x = 0.25 + trial number / 100 jointly, y never (left to sampleIndependent). */
class JointSampler implements Sampler {
  readonly name = 'JointSampler';
  sampleRelative(_study: unknown, trial: { number: number }): RelativeSample {
    return { x: { distribution: X, internal: 0.25 + trial.number / 100 } };
  }
  sampleIndependent(): number {
    return 0.5;
  }
}

/** An in-memory storage that counts its appends. */
function countingStorage(): { storage: InMemoryStorage; appends: () => number } {
  const storage = new InMemoryStorage();
  let appends = 0;
  const guard = storage as unknown as { transact(decide: () => unknown): Promise<unknown> };
  const transact = guard.transact.bind(storage);
  guard.transact = (decide) => {
    appends++;
    return transact(decide);
  };
  return { storage, appends: () => appends };
}

describe('relative samples in the storage', () => {
  it('reach the storage once the objective awaits, before it suggests anything, and are its values', async () => {
    const { storage } = countingStorage();
    const study = await createStudy({ storage, sampler: new JointSampler(), pruner: new NopPruner() });
    const trial = await study.ask();
    assert.deepEqual(relativeSampleOf(await storage.getTrial(trial.trialId)), {}, 'not yet: nothing has awaited');
    await new Promise((r) => setImmediate(r));
    const stored = await storage.getTrial(trial.trialId);
    assert.deepEqual(relativeSampleOf(stored), { x: { distribution: X, internal: 0.25 } });
    assert.deepEqual(stored.params, {}, 'an attribute, not a parameter: the objective has suggested nothing');
    assert.equal(trial.suggestFloat('x', 0, 1), 0.25);
    assert.equal(trial.suggestFloat('y', 0, 1), 0.5);
    await study.tell(trial, 1);
    assert.deepEqual((await storage.getTrial(trial.trialId)).params, { x: 0.25, y: 0.5 });
  });

  it('cost no extra append for an objective that returns at once', async () => {
    const run = async (sampler: Sampler) => {
      const { storage, appends } = countingStorage();
      const study = await createStudy({ storage, sampler, pruner: new NopPruner(), heartbeat: false });
      const before = appends();
      await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 60 });
      const trials = await study.trials;
      return { appends: appends() - before, trials };
    };
    const joint = await run(new JointSampler());
    const plain = await run({ name: 'Plain', sampleIndependent: () => 0.5 });
    assert.equal(joint.appends, plain.appends, 'the same appends with and without a relative sample');
    assert.ok(plain.appends <= 61, `${plain.appends} appends for 60 trials`);
    assert.ok(joint.trials.every((t) => t.systemAttrs[SystemAttr.relativeSample] !== undefined));
    assert.ok(plain.trials.every((t) => t.systemAttrs[SystemAttr.relativeSample] === undefined));
  });

  it('reads nothing from an attribute it did not write', () => {
    const t = (value: unknown) =>
      relativeSampleOf({ systemAttrs: { [SystemAttr.relativeSample]: value } } as unknown as Parameters<typeof relativeSampleOf>[0]);
    assert.deepEqual(t('text'), {});
    assert.deepEqual(t({ x: { distribution: { type: 'nope' }, internal: 1 } }), {});
    assert.deepEqual(t({ x: { internal: 'a' } }), {});
  });
});
