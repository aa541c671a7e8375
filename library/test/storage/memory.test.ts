import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage } from '../../src/index.js';
import { intDistribution, OpCode } from '../../src/extend.js';
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
