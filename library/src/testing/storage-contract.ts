/**
 * Contract every Storage implementation must pass. Later backends (journal file, PostgreSQL) call
 * `runStorageContract` with their own factory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DistributionClashError,
  DuplicateStudyError,
  InvalidStateTransitionError,
  StudyNotFoundError,
  TrialFinishedError,
  TrialNotFoundError,
  logGrid,
  type Storage,
} from '../index.js';
import { floatDistribution, intDistribution, categoricalDistribution, ordinalDistribution, SystemAttr } from '../extend.js';

export interface StorageFactory {
  /** A fresh, empty storage. */
  make(): Promise<Storage> | Storage;
  /** A second handle on the same data (another process would open one), when the backend has it. */
  reopen?(storage: Storage): Promise<Storage> | Storage;
}

export function runStorageContract(name: string, factory: StorageFactory): void {
  describe(`Storage contract: ${name}`, () => {
    it('creates, finds, lists and deletes studies; names are unique', async () => {
      const s = await factory.make();
      const a = await s.createStudy('a', ['minimize']);
      const b = await s.createStudy('b', ['maximize', 'minimize']);
      assert.notEqual(a, b);
      assert.equal(await s.getStudyIdFromName('b'), b);
      await assert.rejects(s.createStudy('a', ['minimize']), DuplicateStudyError);
      assert.deepEqual(
        (await s.getAllStudies()).map((x) => x.studyName),
        ['a', 'b'],
      );
      assert.deepEqual((await s.getStudy(b)).directions, ['maximize', 'minimize']);
      await s.deleteStudy(a);
      await assert.rejects(s.getStudyIdFromName('a'), StudyNotFoundError);
      await assert.rejects(s.getStudy(a), StudyNotFoundError);
      assert.deepEqual(
        (await s.getAllStudies()).map((x) => x.studyName),
        ['b'],
      );
      // The name is free again after deletion.
      const a2 = await s.createStudy('a', ['minimize']);
      assert.notEqual(a2, a);
      await s.close();
    });

    it('round-trips every trial field', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('rt', ['minimize', 'maximize']);
      await s.setStudyUserAttr(sid, 'owner', 'kai');
      await s.setStudySystemAttr(sid, 'sampler', { name: 'x', k: [1, 2] });
      const created = await s.createTrial(sid, { workerId: 'w1' });
      assert.ok(created.created);
      const id = created.trialId;
      const dists = {
        f: floatDistribution('f', 1e-5, 1, { log: true }),
        g: floatDistribution('g', 0, 1, { step: 0.25 }),
        i: intDistribution('i', 2, 10, { step: 2 }),
        c: categoricalDistribution('c', ['relu', null, true, 3]),
        o: ordinalDistribution('o', logGrid(8, 64, 2)),
      };
      await s.setTrialParam(id, 'f', 0.001, dists.f);
      await s.setTrialParam(id, 'g', 0.75, dists.g);
      await s.setTrialParam(id, 'i', 6, dists.i);
      await s.setTrialParam(id, 'c', 1, dists.c);
      await s.setTrialParam(id, 'o', 3, dists.o);
      await s.setTrialIntermediateValue(id, 0, 0.5);
      await s.setTrialIntermediateValue(id, 3, -Infinity);
      await s.setTrialUserAttr(id, 'note', { a: [1, 'x', null] });
      await s.setTrialSystemAttr(id, 'sys', 7);
      assert.equal(await s.setTrialStateValues(id, 'COMPLETE', [1.5, Infinity]), true);
      const reader = factory.reopen ? await factory.reopen(s) : s;
      const t = await reader.getTrial(id);
      assert.equal(t.number, 0);
      assert.equal(t.state, 'COMPLETE');
      assert.deepEqual(t.params, { f: 0.001, g: 0.75, i: 6, c: null, o: 64 });
      assert.deepEqual(t.internalParams, { f: 0.001, g: 0.75, i: 6, c: 1, o: 3 });
      assert.deepEqual(t.distributions, dists);
      assert.deepEqual(t.values, [1.5, Infinity]);
      assert.deepEqual(
        [...t.intermediateValues],
        [
          [0, 0.5],
          [3, -Infinity],
        ],
      );
      assert.deepEqual(t.userAttrs, { note: { a: [1, 'x', null] } });
      assert.equal(t.systemAttrs.sys, 7);
      assert.equal(t.workerId, 'w1');
      assert.equal(typeof t.datetimeStart, 'number');
      assert.ok(t.datetimeComplete! >= t.datetimeStart!);
      const study = await reader.getStudy(sid);
      assert.deepEqual(study.userAttrs, { owner: 'kai' });
      assert.deepEqual(study.systemAttrs.sampler, { name: 'x', k: [1, 2] });
      assert.equal(study.nTrials, 1);
      assert.deepEqual(await reader.getTrialByNumber(sid, 0), t);
      await s.close();
    });

    it('numbers trials 0..n-1 without gap or duplicate under concurrent creation', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('n', ['minimize']);
      const other = await s.createStudy('other', ['minimize']);
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => s.createTrial(i % 3 === 0 ? other : sid)));
      const numbers = (sid_: number) =>
        results
          .map((r, i) => ({ r, study: i % 3 === 0 ? other : sid }))
          .filter((x) => x.study === sid_)
          .map((x) => (x.r.created ? x.r.number : -1))
          .sort((a, b) => a - b);
      assert.deepEqual(
        numbers(sid),
        Array.from({ length: 40 }, (_, i) => i),
      );
      assert.deepEqual(
        numbers(other),
        Array.from({ length: 20 }, (_, i) => i),
      );
      const ids = new Set(results.map((r) => (r.created ? r.trialId : -1)));
      assert.equal(ids.size, 60);
      await s.close();
    });

    it('enforces maxTrials and claim keys atomically', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('b', ['minimize']);
      const results = await Promise.all(Array.from({ length: 20 }, () => s.createTrial(sid, { maxTrials: 7 })));
      assert.equal(results.filter((r) => r.created).length, 7);
      assert.ok(results.filter((r) => !r.created).every((r) => !r.created && r.reason === 'budget'));
      const claims = await Promise.all(Array.from({ length: 5 }, () => s.createTrial(sid, { claimKey: 'cell:1' })));
      assert.equal(claims.filter((r) => r.created).length, 1);
      assert.ok(claims.filter((r) => !r.created).every((r) => !r.created && r.reason === 'claimed'));
      const t = await s.getTrial((claims.find((r) => r.created) as { trialId: number }).trialId);
      assert.equal(t.systemAttrs['tansaku:claim'], 'cell:1');
      assert.equal(await s.countTrials(sid), 8);
      await s.close();
    });

    it('hands each WAITING trial to exactly one claimant, oldest first', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('w', ['minimize']);
      for (let i = 0; i < 5; i++) {
        await s.createTrial(sid, { template: { state: 'WAITING', systemAttrs: { fixed_params: { x: i } } } });
      }
      assert.equal(await s.countTrials(sid, ['WAITING']), 5);
      const claimed = await Promise.all(Array.from({ length: 8 }, (_, i) => s.claimWaitingTrial(sid, `w${i}`)));
      const got = claimed.filter((t) => t !== null);
      assert.equal(got.length, 5);
      assert.deepEqual(got.map((t) => t!.number).sort(), [0, 1, 2, 3, 4]);
      assert.equal(new Set(got.map((t) => t!.trialId)).size, 5);
      for (const t of got) {
        assert.equal(t!.state, 'RUNNING');
        assert.equal(typeof t!.datetimeStart, 'number');
      }
      assert.deepEqual(
        got.map((t) => t!.number),
        [0, 1, 2, 3, 4],
        'oldest first',
      );
      assert.equal(await s.countTrials(sid, ['RUNNING']), 5);
      await s.close();
    });

    it('enforces the trial lifecycle; the first finish wins', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('l', ['minimize']);
      const r = await s.createTrial(sid);
      assert.ok(r.created);
      await assert.rejects(s.setTrialStateValues(r.trialId, 'WAITING'), InvalidStateTransitionError);
      assert.equal(await s.setTrialStateValues(r.trialId, 'RUNNING'), false, 'RUNNING -> RUNNING is a lost claim');
      assert.equal(await s.setTrialStateValues(r.trialId, 'FAIL'), true);
      assert.equal(await s.setTrialStateValues(r.trialId, 'COMPLETE', [1]), false, 'second finish loses');
      assert.equal((await s.getTrial(r.trialId)).state, 'FAIL');
      assert.equal((await s.getTrial(r.trialId)).values, null);
      await assert.rejects(s.setTrialStateValues(r.trialId, 'RUNNING'), InvalidStateTransitionError);
      await assert.rejects(s.setTrialParam(r.trialId, 'x', 1, intDistribution('x', 0, 2)), TrialFinishedError);
      await assert.rejects(s.setTrialIntermediateValue(r.trialId, 1, 1), TrialFinishedError);
      await assert.rejects(s.getTrial(9999), TrialNotFoundError);
      await assert.rejects(s.getTrialByNumber(sid, 5), TrialNotFoundError);
      await s.close();
    });

    it('applies a batch of updates and a finish atomically', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('batch', ['minimize']);
      const r = await s.createTrial(sid);
      assert.ok(r.created);
      const x = intDistribution('x', 0, 9);
      assert.equal(
        await s.updateTrial(r.trialId, [
          { kind: 'param', name: 'x', internal: 4, distribution: x },
          { kind: 'intermediate', step: 0, value: 0.5 },
          { kind: 'userAttr', key: 'u', value: 'v' },
          { kind: 'systemAttr', key: 's', value: [1] },
        ]),
        true,
      );
      assert.equal(
        await s.updateTrial(r.trialId, [{ kind: 'intermediate', step: 1, value: 0.25 }], { state: 'COMPLETE', values: [0.25] }),
        true,
      );
      const t = await s.getTrial(r.trialId);
      assert.deepEqual(
        [t.state, t.params, [...t.intermediateValues], t.userAttrs, t.systemAttrs.s, t.values],
        [
          'COMPLETE',
          { x: 4 },
          [
            [0, 0.5],
            [1, 0.25],
          ],
          { u: 'v' },
          [1],
          [0.25],
        ],
      );
      // A finish that lost the race writes nothing, not even its attributes.
      assert.equal(await s.updateTrial(r.trialId, [{ kind: 'systemAttr', key: 'late', value: 1 }], { state: 'FAIL', values: null }), false);
      assert.equal((await s.getTrial(r.trialId)).systemAttrs.late, undefined);
      // Parameters sent to a finished trial are an error, and nothing of the batch lands.
      await assert.rejects(
        s.updateTrial(r.trialId, [
          { kind: 'userAttr', key: 'first', value: 1 },
          { kind: 'param', name: 'y', internal: 1, distribution: x },
        ]),
        TrialFinishedError,
      );
      assert.equal((await s.getTrial(r.trialId)).userAttrs.first, undefined);
      await s.close();
    });

    it('finishes a trial and starts the next in one write: a WAITING trial first, then new ones within the budget', async () => {
      const s = await factory.make();
      if (!s.finishAndStart) return;
      const sid = await s.createStudy('chain', ['minimize']);
      const first = await s.createTrial(sid);
      assert.ok(first.created);
      await s.createTrial(sid, { template: { state: 'WAITING', systemAttrs: { fixed_params: { x: 1 } } } });
      const x = intDistribution('x', 0, 9);
      const r1 = await s.finishAndStart(
        first.trialId,
        [{ kind: 'param', name: 'x', internal: 3, distribution: x }],
        { state: 'COMPLETE', values: [3] },
        { studyId: sid, workerId: 'w', maxTrials: 3 },
      );
      assert.equal(r1.finished, true);
      assert.equal(r1.next.kind, 'claimed');
      const claimed = (r1.next as { trial: { trialId: number; number: number; state: string } }).trial;
      assert.deepEqual([claimed.number, claimed.state], [1, 'RUNNING']);
      const t0 = await s.getTrial(first.trialId);
      assert.deepEqual([t0.state, t0.params, t0.values], ['COMPLETE', { x: 3 }, [3]]);
      const r2 = await s.finishAndStart(
        claimed.trialId,
        [],
        { state: 'FAIL', values: null },
        { studyId: sid, workerId: 'w', maxTrials: 3 },
      );
      assert.equal(r2.next.kind, 'created');
      const created = r2.next as { trialId: number; number: number };
      assert.equal(created.number, 2);
      assert.equal((await s.getTrial(created.trialId)).state, 'RUNNING');
      const r3 = await s.finishAndStart(
        created.trialId,
        [],
        { state: 'COMPLETE', values: [1] },
        { studyId: sid, workerId: 'w', maxTrials: 3 },
      );
      assert.deepEqual([r3.finished, r3.next.kind], [true, 'budget']);
      // A finish that lost the race still starts the next trial; an invalid batch writes nothing at all.
      const r4 = await s.finishAndStart(created.trialId, [], { state: 'FAIL', values: null }, { studyId: sid, workerId: 'w' });
      assert.deepEqual([r4.finished, r4.next.kind], [false, 'created']);
      const running = (r4.next as { trialId: number }).trialId;
      const before = await s.countTrials(sid);
      await assert.rejects(
        s.finishAndStart(
          running,
          [{ kind: 'param', name: 'x', internal: 0.5, distribution: floatDistribution('x', 0, 1) }],
          { state: 'COMPLETE', values: [1] },
          { studyId: sid, workerId: 'w' },
        ),
        DistributionClashError,
      );
      assert.equal(await s.countTrials(sid), before);
      assert.equal((await s.getTrial(running)).state, 'RUNNING');
      await s.close();
    });

    it('returns snapshots that never change, and reads incrementally by number', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('snap', ['minimize']);
      const r = await s.createTrial(sid);
      assert.ok(r.created);
      const before = (await s.getAllTrials(sid))[0];
      await s.setTrialParam(r.trialId, 'x', 1, intDistribution('x', 0, 2));
      await s.setTrialIntermediateValue(r.trialId, 0, 3);
      await s.setTrialStateValues(r.trialId, 'COMPLETE', [2]);
      assert.equal(before.state, 'RUNNING');
      assert.deepEqual(before.params, {});
      assert.equal(before.intermediateValues.size, 0);
      for (let i = 0; i < 4; i++) await s.createTrial(sid);
      assert.deepEqual(
        (await s.getAllTrials(sid, { fromNumber: 3 })).map((t) => t.number),
        [3, 4],
      );
      assert.deepEqual(
        (await s.getAllTrials(sid, { states: ['COMPLETE'] })).map((t) => t.number),
        [0],
      );
      assert.deepEqual(
        (await s.getAllTrials(sid, { states: ['RUNNING'] })).map((t) => t.number),
        [1, 2, 3, 4],
      );
      assert.equal(await s.countTrials(sid, ['RUNNING', 'COMPLETE']), 5);
      await s.close();
    });

    it('creates WAITING and finished trials from templates', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('tpl', ['minimize']);
      const r = await s.createTrial(sid, {
        template: {
          state: 'COMPLETE',
          params: { x: { distribution: floatDistribution('x', 0, 1), internal: 0.25 } },
          values: [3],
          intermediateValues: { 1: 0.5, 2: 0.25 },
          userAttrs: { u: 1 },
          datetimeStart: 1000,
          datetimeComplete: 2000,
        },
      });
      assert.ok(r.created);
      const t = await s.getTrial(r.trialId);
      assert.equal(t.state, 'COMPLETE');
      assert.deepEqual(t.params, { x: 0.25 });
      assert.deepEqual(
        [...t.intermediateValues],
        [
          [1, 0.5],
          [2, 0.25],
        ],
      );
      assert.equal(t.datetimeStart, 1000);
      assert.equal(t.datetimeComplete, 2000);
      await s.close();
    });

    it('counts the start of a trial marked beats_from_start as its first beat', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('hb-start', ['minimize']);
      const marked = await s.createTrial(sid, { template: { state: 'RUNNING', systemAttrs: { [SystemAttr.beatsFromStart]: true } } });
      const unmarked = await s.createTrial(sid);
      const started = await s.finishAndStart!(
        unmarked.created ? unmarked.trialId : -1,
        [],
        { state: 'COMPLETE', values: [1] },
        {
          studyId: sid,
          workerId: 'w',
          systemAttrs: { [SystemAttr.beatsFromStart]: true },
        },
      );
      assert.ok(marked.created && started.next.kind === 'created');
      const chained = started.next.kind === 'created' ? started.next.trialId : -1;
      assert.equal(
        (await s.getTrial(chained)).systemAttrs[SystemAttr.beatsFromStart],
        true,
        "finishAndStart writes the next trial's system attributes",
      );
      // Young against a long grace (a loaded machine may take more than 60 ms to get here), stale against a short one.
      assert.deepEqual(await s.getStaleTrialIds(sid, 10_000), [], 'young trials are not stale');
      await new Promise((r) => setTimeout(r, 90));
      assert.deepEqual(
        (await s.getStaleTrialIds(sid, 60)).sort(),
        [marked.trialId, chained].sort(),
        'never beaten, started more than the grace period ago',
      );
      await s.recordHeartbeat(marked.trialId);
      assert.deepEqual(await s.getStaleTrialIds(sid, 60), [chained], 'a beat replaces the start');
      await s.close();
    });

    it("marks a claimed WAITING trial with the claimant's system attributes, so a claimant that dies before beating is found stale", async () => {
      const s = await factory.make();
      const sid = await s.createStudy('hb-claim', ['minimize']);
      const marks = { [SystemAttr.beatsFromStart]: true };
      for (let i = 0; i < 3; i++) await s.createTrial(sid, { template: { state: 'WAITING', systemAttrs: { fixed_params: { x: i } } } });
      const byClaim = await s.claimWaitingTrial(sid, 'w1', marks);
      const plain = await s.claimWaitingTrial(sid, 'w2');
      const first = await s.createTrial(sid);
      assert.ok(byClaim && plain && first.created);
      const chained = await s.finishAndStart!(
        first.trialId,
        [],
        { state: 'COMPLETE', values: [0] },
        { studyId: sid, workerId: 'w3', systemAttrs: marks },
      );
      assert.equal(chained.next.kind, 'claimed');
      const viaChain = chained.next.kind === 'claimed' ? chained.next.trial : null;
      assert.deepEqual([byClaim.state, byClaim.systemAttrs[SystemAttr.beatsFromStart]], ['RUNNING', true]);
      assert.equal(plain.systemAttrs[SystemAttr.beatsFromStart], undefined, 'no attributes asked, none written');
      assert.deepEqual(
        [viaChain?.state, viaChain?.systemAttrs[SystemAttr.beatsFromStart]],
        ['RUNNING', true],
        'finishAndStart marks a trial it claims too',
      );
      assert.deepEqual((byClaim.systemAttrs.fixed_params as { x: number }).x, 0, 'the attributes are added, not replaced');
      await new Promise((r) => setTimeout(r, 90));
      assert.deepEqual(
        (await s.getStaleTrialIds(sid, 60)).sort(),
        [byClaim.trialId, viaChain!.trialId].sort(),
        'the marked claims count their start as a beat; the unmarked one is never stale',
      );
      await s.close();
    });

    it('finishes a trial and creates another in one write (finishAndCreate); nothing when the finish loses', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('retry', ['minimize']);
      const a = await s.createTrial(sid);
      assert.ok(a.created);
      const retry = { template: { state: 'WAITING' as const, systemAttrs: { [SystemAttr.failedTrial]: 0 } } };
      const done = await s.finishAndCreate(
        a.trialId,
        [{ kind: 'systemAttr', key: SystemAttr.failReason, value: 'stale' }],
        { state: 'FAIL', values: null },
        sid,
        retry,
      );
      assert.equal(done, true);
      const trials = await s.getAllTrials(sid);
      assert.deepEqual(
        trials.map((t) => t.state),
        ['FAIL', 'WAITING'],
      );
      assert.equal(trials[0].systemAttrs[SystemAttr.failReason], 'stale');
      assert.equal(trials[1].systemAttrs[SystemAttr.failedTrial], 0);
      assert.equal(
        await s.finishAndCreate(a.trialId, [], { state: 'FAIL', values: null }, sid, retry),
        false,
        'already finished: the first finish wins',
      );
      assert.equal(await s.countTrials(sid), 2, 'and no second trial is created');
      await s.close();
    });

    it('reports RUNNING trials whose heartbeat is older than the grace period', async () => {
      const s = await factory.make();
      const sid = await s.createStudy('hb', ['minimize']);
      const a = await s.createTrial(sid);
      const b = await s.createTrial(sid);
      const c = await s.createTrial(sid); // never beats: ask/tell trials without heartbeat are never stale
      assert.ok(a.created && b.created && c.created);
      await s.recordHeartbeat(a.trialId);
      await s.recordHeartbeat(b.trialId);
      await new Promise((r) => setTimeout(r, 80));
      await s.recordHeartbeat(b.trialId);
      assert.deepEqual(await s.getStaleTrialIds(sid, 50), [a.trialId]);
      await s.setTrialStateValues(a.trialId, 'FAIL');
      assert.deepEqual(await s.getStaleTrialIds(sid, 50), []);
      await s.close();
    });

    it('wakes waitForChange when a trial finishes', async (context) => {
      const s = await factory.make();
      const sid = await s.createStudy('wait', ['minimize']);
      const r = await s.createTrial(sid);
      assert.ok(r.created);
      // A mocked clock: a storage that polls (the journal) advances only as the test ticks, so the 60 s
      // timeout can be told from a wake-up on the change without reading the wall clock.
      context.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
      try {
        let woke = false;
        const waiting = s.waitForChange(sid, 60_000).then(() => {
          woke = true;
        });
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(woke, false, 'nothing changed yet');
        await s.setTrialStateValues(r.trialId, 'COMPLETE', [1]);
        let waitedMs = 0;
        while (!woke && waitedMs < 1000) {
          context.mock.timers.tick(10);
          waitedMs += 10;
          for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        }
        assert.equal(woke, true, 'woke on the change within 1 s of the mocked clock, not on the 60 s timeout');
        await waiting;
      } finally {
        context.mock.timers.reset();
      }
      await s.close();
    });
  });
}
