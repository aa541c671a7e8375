import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage } from '../../src/index.js';
import { floatDistribution, intDistribution, OpCode } from '../../src/extend.js';
import { ReplayModel } from '../../src/storage/replay.js';
import { runStorageContract } from '../../src/testing.js';

runStorageContract('InMemoryStorage', {
  make: () => new InMemoryStorage(),
  // A second reader replays the first one's log into a fresh model.
  reopen: (s) => InMemoryStorage.fromLog((s as InMemoryStorage).readLog()),
});

describe('InMemoryStorage operation log', () => {
  it('records every change as an Optuna op code, and replaying the log rebuilds the same model', async () => {
    const s = new InMemoryStorage({ workerId: 'w' });
    const sid = await s.createStudy('log', ['minimize']);
    const r = await s.createTrial(sid);
    assert.ok(r.created);
    await s.setTrialParam(r.trialId, 'x', 1, intDistribution('x', 0, 3));
    await s.setTrialIntermediateValue(r.trialId, 0, 0.5);
    await s.setTrialUserAttr(r.trialId, 'u', 1);
    await s.setTrialSystemAttr(r.trialId, 's', 2);
    await s.setStudyUserAttr(sid, 'a', 1);
    await s.setStudySystemAttr(sid, 'b', 2);
    await s.setTrialStateValues(r.trialId, 'COMPLETE', [3]);
    // Invalid operations (a param on a finished trial) and no-ops (a finish that lost the race) are
    // decided under the write lock and never reach the log.
    await assert.rejects(s.setTrialParam(r.trialId, 'y', 1, intDistribution('y', 0, 3)));
    assert.equal(await s.setTrialStateValues(r.trialId, 'FAIL'), false);
    const ops = s.readLog();
    assert.deepEqual(
      ops.map((o) => o.op),
      [
        OpCode.CreateStudy,
        OpCode.CreateTrial,
        OpCode.SetTrialParam,
        OpCode.SetTrialIntermediateValue,
        OpCode.SetTrialUserAttr,
        OpCode.SetTrialSystemAttr,
        OpCode.SetStudyUserAttr,
        OpCode.SetStudySystemAttr,
        OpCode.SetTrialStateValues,
      ],
    );
    const replay = new ReplayModel();
    for (const op of ops) replay.apply(op);
    assert.deepEqual(replay.trial(r.trialId), await s.getTrial(r.trialId));
    assert.deepEqual(replay.study(sid).toRecord(), await s.getStudy(sid));
  });

  it('replays foreign operations leniently: a second finish is ignored by every reader', () => {
    const m = new ReplayModel();
    m.apply({ op: 0, workerId: 'a', studyName: 's', directions: ['minimize'] });
    m.apply({ op: 4, workerId: 'a', studyId: 0, template: {} });
    assert.deepEqual(m.apply({ op: 6, workerId: 'a', trialId: 0, state: 'COMPLETE', values: [1], datetime: 5 }), {
      kind: 'state',
      applied: true,
    });
    assert.deepEqual(m.apply({ op: 6, workerId: 'b', trialId: 0, state: 'FAIL', values: null, datetime: 6 }), {
      kind: 'state',
      applied: false,
    });
    assert.equal(m.trial(0).state, 'COMPLETE');
    assert.deepEqual(m.trial(0).values, [1]);
    // A trial created for a deleted study gets no id, as in Optuna's replay (the ids stay Optuna's).
    m.apply({ op: 1, workerId: 'a', studyId: 0 });
    m.apply({ op: 0, workerId: 'a', studyName: 't', directions: ['minimize'] });
    assert.deepEqual(m.apply({ op: 4, workerId: 'a', studyId: 0, template: {} }), { kind: 'none' });
    assert.deepEqual(m.apply({ op: 4, workerId: 'a', studyId: 7, template: {} }), { kind: 'none' });
    const r = m.apply({ op: 4, workerId: 'a', studyId: 1, template: {} });
    assert.deepEqual(r, { kind: 'trial', trialId: 1, number: 0 });
  });
});

describe('ReplayModel with many parameters per trial', () => {
  const dist = floatDistribution('p', 0, 1);
  const paramOps = (trialId: number, count: number) =>
    Array.from(
      { length: count },
      (_, i) => ({ op: OpCode.SetTrialParam, workerId: 'w', trialId, name: `p${i}`, internal: 0.5, distribution: dist }) as const,
    );
  const replay = (trials: number, perTrial: number): number => {
    const m = new ReplayModel();
    m.applyAll([{ op: OpCode.CreateStudy, workerId: 'w', studyName: 's', directions: ['minimize'] }]);
    const t0 = performance.now();
    for (let t = 0; t < trials; t++)
      m.applyAll([{ op: OpCode.CreateTrial, workerId: 'w', studyId: 0, template: {} }, ...paramOps(t, perTrial)]);
    const ms = performance.now() - t0;
    assert.equal(Object.keys(m.trial(trials - 1).params).length, perTrial);
    return ms;
  };

  it('replays a trial of k parameters in time linear in k (it was quadratic: 2 trials of 10,000 took 91 s)', () => {
    replay(5, 1000); // warm up
    // The same number of lines, as one wide trial and as ten narrow ones: linear replay costs both the
    // same; quadratic costs the wide one ten times more.
    const wide = Math.min(replay(1, 10_000), replay(1, 10_000));
    const narrow = Math.min(replay(10, 1000), replay(10, 1000));
    assert.ok(wide < 4 * narrow + 5, `1 × 10,000 parameters: ${wide.toFixed(1)} ms; 10 × 1,000: ${narrow.toFixed(1)} ms`);
  });

  it('never changes a snapshot a caller holds: changes after seal copy the trial', () => {
    const m = new ReplayModel();
    m.applyAll([
      { op: OpCode.CreateStudy, workerId: 'w', studyName: 's', directions: ['minimize'] },
      { op: OpCode.CreateTrial, workerId: 'w', studyId: 0, template: {} },
      ...paramOps(0, 3),
      { op: OpCode.SetTrialIntermediateValue, workerId: 'w', trialId: 0, step: 0, value: 1 },
      { op: OpCode.SetTrialUserAttr, workerId: 'w', trialId: 0, attrs: { a: 1 } },
    ]);
    const held = m.trial(0);
    const heldParams = { ...held.params };
    m.applyAll([
      { op: OpCode.SetTrialParam, workerId: 'w', trialId: 0, name: 'q', internal: 0.25, distribution: dist },
      { op: OpCode.SetTrialIntermediateValue, workerId: 'w', trialId: 0, step: 1, value: 2 },
      { op: OpCode.SetTrialUserAttr, workerId: 'w', trialId: 0, attrs: { b: 2 } },
      { op: OpCode.SetTrialSystemAttr, workerId: 'w', trialId: 0, attrs: { c: 3 } },
    ]);
    assert.deepEqual(held.params, heldParams);
    assert.deepEqual([...held.intermediateValues], [[0, 1]]);
    assert.deepEqual(held.userAttrs, { a: 1 });
    assert.deepEqual(held.systemAttrs, {});
    const now = m.trial(0);
    assert.notEqual(now, held);
    assert.deepEqual(Object.keys(now.params), ['p0', 'p1', 'p2', 'q']);
    assert.deepEqual(
      [...now.intermediateValues],
      [
        [0, 1],
        [1, 2],
      ],
    );
    assert.deepEqual([now.userAttrs, now.systemAttrs], [{ a: 1, b: 2 }, { c: 3 }]);
    assert.equal(m.studies[0]!.trials[0], now, 'the per-study index holds the same snapshot');
  });
});
