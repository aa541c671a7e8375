/** Regression tests for failure paths: interruption of synchronous loops, errors outside objectives,
 * dead workers during deferral, half-made trials, and settings that must agree across workers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GridSampler,
  InMemoryStorage,
  InvalidArgumentError,
  InvalidStateTransitionError,
  NopPruner,
  createStudy,
  loadStudy,
  type Sampler,
} from '../../src/index.js';
import type { StudyView, TrialPlan } from '../../src/extend.js';

const quiet = { pruner: new NopPruner() };

describe('optimize under failure', () => {
  it('an abort signal stops a synchronous objective on synchronous storage', async () => {
    const study = await createStudy({ ...quiet, heartbeat: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // The study's own timeout (10 s) would end the loop with a result; only the abort makes it reject.
    await assert.rejects(
      study.optimize((t) => t.suggestFloat('x', 0, 1), { signal: controller.signal, timeout: 10 }),
      (e: unknown) => (e as { code?: string }).code === 'TANSAKU_INTERRUPTED',
    );
  });

  it('a failing callback stops every slot: no trial starts after optimize rejects', async () => {
    const study = await createStudy(quiet);
    let started = 0;
    await assert.rejects(
      study.optimize(
        async () => {
          started++;
          await new Promise((r) => setTimeout(r, 5));
          return 1;
        },
        {
          concurrency: 3,
          callbacks: [
            () => {
              throw new Error('callback broke');
            },
          ],
        },
      ),
      /callback broke/,
    );
    const atRejection = started;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(started, atRejection);
    assert.ok((await study.trials).every((t) => t.state !== 'RUNNING'));
  });

  it('ask validates fixed distributions before creating a trial', async () => {
    const study = await createStudy(quiet);
    await assert.rejects(
      study.ask({ fixedDistributions: { x: { type: 'float', low: 1, high: 0, log: false, step: null } } }),
      /low must be <= high/,
    );
    assert.equal((await study.trials).length, 0);
  });

  it('a failing sampleRelative fails the trial it was preparing', async () => {
    const sampler: Sampler = {
      name: 'Broken',
      sampleRelative: () => {
        throw new Error('no model');
      },
      sampleIndependent: () => 0,
    };
    const study = await createStudy({ sampler, ...quiet });
    await assert.rejects(study.ask(), /no model/);
    const [t] = await study.trials;
    assert.equal(t.state, 'FAIL');
    assert.match(String(t.systemAttrs.fail_reason), /no model/);
  });
});

describe('tell rules', () => {
  it('a rejected tell keeps the trial alive and beating; it can be told again', async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 10, graceMs: 60 };
    const study = await createStudy({ studyName: 'rt', storage, heartbeat, ...quiet });
    const watcher = await loadStudy({ studyName: 'rt', storage, ...quiet });
    const t = await study.ask();
    await assert.rejects(study.tell(t, [1, 2]), /1 objective\(s\) but 2/);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(await watcher.failStaleTrials(), []);
    assert.equal((await study.tell(t, 1)).state, 'COMPLETE');
  });

  it('refuses a trial of another study and a WAITING trial', async () => {
    const storage = new InMemoryStorage();
    const a = await createStudy({ studyName: 'a', storage, ...quiet });
    const b = await createStudy({ studyName: 'b', storage, directions: ['minimize', 'maximize'], ...quiet });
    const ta = await a.ask();
    await assert.rejects(
      b.tell(ta, [1, 2]),
      (e: unknown) => e instanceof InvalidArgumentError && /belongs to another study/.test(e.message),
    );
    await a.enqueueTrial({ x: 1 });
    await assert.rejects(a.tell(1, 5), InvalidStateTransitionError);
  });

  it('a trial told through another Study object stops beating in the one that asked', async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 5, graceMs: 1000 };
    const asker = await createStudy({ studyName: 'x', storage, heartbeat, ...quiet });
    const teller = await loadStudy({ studyName: 'x', storage, ...quiet });
    const t = await asker.ask();
    await teller.tell(t.number, 3);
    await new Promise((r) => setTimeout(r, 40));
    const active = (asker as unknown as { activeTrials: Map<number, unknown> }).activeTrials;
    assert.equal(active.size, 0);
  });
});

describe('heartbeats shared by a study', () => {
  it("joining workers adopt the study's heartbeat settings, and conflicting ones are refused", async () => {
    const storage = new InMemoryStorage();
    await createStudy({ studyName: 'h', storage, heartbeat: { intervalMs: 50, graceMs: 400, maxRetry: 2 }, ...quiet });
    const joined = await loadStudy({ studyName: 'h', storage, ...quiet });
    assert.deepEqual((joined as unknown as { heartbeat: unknown }).heartbeat, { intervalMs: 50, graceMs: 400, maxRetry: 2 });
    await assert.rejects(
      loadStudy({ studyName: 'h', storage, heartbeat: { graceMs: 100, intervalMs: 10 }, ...quiet }),
      /differ from study "h"/,
    );
    await assert.rejects(loadStudy({ studyName: 'h', storage, heartbeat: false, ...quiet }), /disabled/);
    const sameWithOwnRetry = await loadStudy({
      studyName: 'h',
      storage,
      heartbeat: { intervalMs: 50, graceMs: 400, maxRetry: 0 },
      ...quiet,
    });
    assert.equal((sameWithOwnRetry as unknown as { heartbeat: { maxRetry: number } }).heartbeat.maxRetry, 0);
  });

  it('a deferring ask sweeps the dead worker it is waiting for', { timeout: 30_000 }, async () => {
    class Stepwise implements Sampler {
      readonly name = 'Stepwise';
      async planTrial(study: StudyView): Promise<TrialPlan> {
        if ((await study.getTrials({ states: ['RUNNING'] })).length > 0) return { kind: 'defer' };
        const done = (await study.getTrials()).length;
        return { kind: 'fixed', params: { x: done }, claimKey: `s:${done}` };
      }
      sampleIndependent(): number {
        return 0;
      }
    }
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 10, graceMs: 80 };
    const dead = await createStudy({ studyName: 'd', storage, heartbeat, sampler: new Stepwise(), ...quiet });
    const orphan = await dead.ask();
    (dead as unknown as { releaseTrial(id: number): void }).releaseTrial(orphan.trialId);
    const live = await loadStudy({ studyName: 'd', storage, sampler: new Stepwise(), ...quiet });
    const next = await live.ask(); // waits until the orphan is failed as stale (hangs if it never is)
    assert.equal((await storage.getTrial(orphan.trialId)).state, 'FAIL');
    assert.equal(next.number, 1);
  });
});

describe('stale sweep in the optimise loop', () => {
  it("a worker that chains trials (one write per trial) still fails a dead worker's trial", async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 10, graceMs: 80 };
    const dead = await createStudy({ studyName: 'sweep', storage, heartbeat, ...quiet });
    const orphan = await dead.ask();
    (dead as unknown as { releaseTrial(id: number): void }).releaseTrial(orphan.trialId);
    const live = await loadStudy({ studyName: 'sweep', storage, ...quiet });
    await live.optimize(
      async (t) => {
        await new Promise((r) => setTimeout(r, 2));
        return t.suggestFloat('x', 0, 1);
      },
      { timeout: 0.4 },
    );
    const t = await storage.getTrial(orphan.trialId);
    assert.equal(t.state, 'FAIL');
    assert.ok(t.datetimeComplete! - t.datetimeStart! < 400, `failed ${t.datetimeComplete! - t.datetimeStart!} ms after it started`);
  });
});

describe('GridSampler reuse', () => {
  it('one sampler instance serves studies in different storages with the same study id', async () => {
    const sampler = new GridSampler({ x: [1, 2, 3] });
    for (let i = 0; i < 2; i++) {
      const study = await createStudy({ sampler, ...quiet });
      const r = await study.optimize((t) => t.suggestInt('x', 1, 3));
      assert.equal(r.complete, 3, `study ${i}`);
    }
  });
});
