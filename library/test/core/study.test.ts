import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DistributionClashError,
  DuplicateStudyError,
  GridSampler,
  InMemoryStorage,
  InvalidArgumentError,
  InvalidStateTransitionError,
  MedianPruner,
  NoCompletedTrialsError,
  NopPruner,
  RandomSampler,
  StudyExhaustedError,
  StudyNotFoundError,
  TrialFinishedError,
  TrialPruned,
  createStudy,
  deleteStudy,
  listStudies,
  loadStudy,
  logGrid,
  trialsToCSV,
  trialsToJSON,
  type Sampler,
} from '../../src/index.js';
import type { StudyView, TrialPlan } from '../../src/extend.js';

import { SystemAttr } from '../../src/core/trial-record.js';

const quiet = { pruner: new NopPruner() };

describe('study lifecycle', () => {
  it('creates, loads, lists and deletes studies', async () => {
    const storage = new InMemoryStorage();
    const a = await createStudy({ studyName: 'a', storage, direction: 'maximize', seed: 4 });
    assert.equal(a.direction, 'maximize');
    await assert.rejects(createStudy({ studyName: 'a', storage }), DuplicateStudyError);
    const again = await createStudy({ studyName: 'a', storage, direction: 'maximize', loadIfExists: true });
    assert.equal(again.studyId, a.studyId);
    assert.equal(again.seed, 4);
    await assert.rejects(
      createStudy({ studyName: 'a', storage, direction: 'minimize', loadIfExists: true }),
      (e: unknown) => e instanceof InvalidArgumentError && /directions \[maximize\]/.test(e.message),
    );
    await createStudy({ studyName: 'b', storage, directions: ['minimize', 'maximize'] });
    assert.deepEqual(
      (await listStudies({ storage })).map((s) => [s.studyName, s.directions.length]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    await deleteStudy({ studyName: 'a', storage });
    await assert.rejects(loadStudy({ studyName: 'a', storage }), StudyNotFoundError);
    assert.equal((await listStudies({ storage })).length, 1);
  });

  it('rejects bad options with errors naming them', async () => {
    await assert.rejects(createStudy({ direction: 'min' as never }), /"min"/);
    await assert.rejects(createStudy({ direction: 'minimize', directions: ['minimize'] }), /either direction or directions/);
    await assert.rejects(createStudy({ directions: [] }), /non-empty array/);
    await assert.rejects(createStudy({ seed: 1.5 }), /seed must be an integer, got 1.5/);
    await assert.rejects(createStudy({ heartbeat: { intervalMs: 100, graceMs: 50 } }), /graceMs \(50\) must be greater/);
    await assert.rejects(createStudy({ maxTrials: -1 }), /maxTrials must be an integer >= 0, got -1/);
    const study = await createStudy(quiet);
    await assert.rejects(
      study.optimize(() => 0, { concurrency: 0 }),
      /concurrency must be an integer >= 1, got 0/,
    );
    await assert.rejects(
      study.optimize(() => 0, { timeout: -1 }),
      /timeout must be a number of seconds > 0/,
    );
    await assert.rejects(study.optimize('f' as never), /objective must be a function/);
    await assert.rejects(loadStudy({ studyName: 'x', storage: undefined as never }), /needs a storage/);
  });
});

describe('define-by-run suggestions', () => {
  it('returns the same value for the same name and rejects a different distribution', async () => {
    const study = await createStudy(quiet);
    const trial = await study.ask();
    const x = trial.suggestFloat('x', 0, 1);
    assert.equal(trial.suggestFloat('x', 0, 1), x);
    assert.throws(
      () => trial.suggestFloat('x', 0, 2),
      (e: unknown) => e instanceof DistributionClashError && /"x"/.test(e.message) && /float\[0, 2\]/.test(e.message),
    );
    assert.throws(() => trial.suggestInt('x', 0, 1), DistributionClashError);
    const w = trial.suggestOrdinal('w', logGrid(8, 4096, 2));
    assert.ok(logGrid(8, 4096, 2).includes(w));
    assert.throws(() => trial.suggestFloat('', 0, 1), /parameter name must be a non-empty string/);
    await study.tell(trial, 1);
    assert.throws(() => trial.suggestFloat('y', 0, 1), TrialFinishedError);
    const stored = await study.storage.getTrial(trial.trialId);
    assert.deepEqual(Object.keys(stored.params).sort(), ['w', 'x']);
  });

  it("keeps a parameter's kind across trials, as Optuna does, and says so at suggest time", async () => {
    const study = await createStudy(quiet);
    const t0 = await study.ask();
    t0.suggestInt('x', 0, 5);
    t0.suggestCategorical('c', ['a', 'b']);
    await study.tell(t0, 1);
    const t1 = await study.ask();
    t1.suggestInt('x', 0, 50); // a different range of the same kind is fine
    await study.tell(t1, 1);
    const t2 = await study.ask();
    assert.throws(
      () => t2.suggestFloat('x', 0, 5),
      (e: unknown) => e instanceof DistributionClashError && /"x" is float\[0, 5\] here but int\[0, 5\]/.test(e.message),
    );
    assert.throws(() => t2.suggestCategorical('c', ['a', 'b', 'z']), /kind and its values/);
    await study.tell(t2, 'FAIL');
    // In optimize the objective fails at once; with catch the run goes on.
    const r = await study.optimize((t) => t.suggestFloat('c', 0, 1), { nTrials: 2, catch: [DistributionClashError] });
    assert.equal(r.failed, 2);
    await assert.rejects(
      study.optimize((t) => t.suggestFloat('c', 0, 1), { nTrials: 1 }),
      DistributionClashError,
    );
    assert.ok((await study.trials).every((t) => t.state !== 'RUNNING'));
  });

  it('still refuses a clash that appears between ask and tell (another worker was first), failing the trial', async () => {
    const storage = new InMemoryStorage();
    const a = await createStudy({ studyName: 'race', storage, ...quiet });
    const b = await loadStudy({ studyName: 'race', storage, ...quiet });
    const ta = await a.ask();
    const tb = await b.ask();
    ta.suggestInt('x', 0, 5);
    tb.suggestFloat('x', 0, 5);
    await a.tell(ta, 1);
    await assert.rejects(b.tell(tb, 1), DistributionClashError);
    assert.equal((await storage.getTrial(tb.trialId)).state, 'FAIL');
  });

  it('single-value distributions need no sampler', async () => {
    const study = await createStudy({ sampler: new GridSampler({ a: [1] }), ...quiet });
    const trial = await study.ask();
    assert.equal(trial.suggestFloat('fixed', 2, 2), 2);
    assert.equal(trial.suggestCategorical('only', ['z']), 'z');
  });
});

describe('ask and tell', () => {
  it('tells values, states, NaN and infinities correctly', async () => {
    const study = await createStudy(quiet);
    const t0 = await study.ask();
    assert.equal((await study.tell(t0, 1.5)).state, 'COMPLETE');
    await assert.rejects(study.tell(t0, 2), (e: unknown) => e instanceof TrialFinishedError && /already COMPLETE/.test(e.message));
    assert.equal((await study.tell(t0, 2, { skipIfFinished: true })).values![0], 1.5);

    const t1 = await study.ask();
    const nan = await study.tell(t1, NaN);
    assert.equal(nan.state, 'FAIL');
    assert.match(String(nan.systemAttrs.fail_reason), /NaN/);

    const t2 = await study.ask();
    assert.deepEqual((await study.tell(t2.number, -Infinity)).values, [-Infinity]);
    assert.equal(await study.bestValue, -Infinity);

    const t3 = await study.ask();
    await assert.rejects(study.tell(t3, [1, 2]), /1 objective\(s\) but 2 value\(s\)/);
    await assert.rejects(study.tell(t3, 'RUNNING' as never), InvalidStateTransitionError);
    await assert.rejects(study.tell(t3, 'x' as never), InvalidStateTransitionError);
    await assert.rejects(study.tell(t3, '1' as never), InvalidStateTransitionError);
    t3.report(0.7, 0);
    t3.report(0.4, 1);
    t3.report(0.9, 1); // ignored: step 1 already reported
    const pruned = await study.tell(t3, 'PRUNED');
    assert.equal(pruned.state, 'PRUNED');
    assert.deepEqual(pruned.values, [0.4], 'a pruned trial keeps its last reported value');
    assert.deepEqual(
      [...pruned.intermediateValues],
      [
        [0, 0.7],
        [1, 0.4],
      ],
    );
    await assert.rejects(study.tell(99, 1), /no trial number 99/);
    assert.throws(() => t3.report(1, 2), TrialFinishedError);
  });

  it('rejects invalid reports', async () => {
    const study = await createStudy(quiet);
    const t = await study.ask();
    assert.throws(() => t.report(1, -1), /step must be an integer >= 0, got -1/);
    assert.throws(() => t.report(1, 1.5), /step must be an integer >= 0, got 1.5/);
    assert.throws(() => t.report('1' as never, 0), /value must be a number, got "1"/);
    assert.throws(() => t.setUserAttr('k', NaN as never), /numbers must be finite/);
    assert.throws(() => t.setUserAttr('k', new Date() as never), /expected a JSON value/);
  });

  it('ask with fixed distributions suggests them at once', async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }), ...quiet });
    const t = await study.ask({ fixedDistributions: { lr: { type: 'float', low: 1e-4, high: 1, log: true, step: null } } });
    assert.ok(t.params.lr !== undefined);
  });

  it('handles several objectives and the Pareto front', async () => {
    const study = await createStudy({ directions: ['minimize', 'maximize'], ...quiet });
    for (const v of [
      [1, 1],
      [2, 3],
      [0, 0],
      [2, 2],
      [1, 1],
    ]) {
      const t = await study.ask();
      await study.tell(t, v);
    }
    const front = await study.bestTrials;
    assert.deepEqual(
      front.map((t) => t.number),
      [0, 1, 2, 4],
    );
    await assert.rejects(study.bestTrial, /use bestTrials/);
    await assert.rejects(study.tell(await study.ask(), 1), /2 objective\(s\) but 1 value\(s\)/);
  });

  it('has no best trial before one completes', async () => {
    const study = await createStudy(quiet);
    await assert.rejects(study.bestTrial, NoCompletedTrialsError);
  });
});

describe('enqueue and add', () => {
  it('runs enqueued trials first with their fixed values, and samples the rest', async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 2 }), ...quiet });
    await study.enqueueTrial({ x: 0.25 });
    assert.equal(await study.enqueueTrial({ x: 0.25 }, { skipIfExists: true }), null);
    await study.enqueueTrial({ x: 0.5, kind: 'b' }, { userAttrs: { source: 'manual' } });
    await study.optimize((t) => t.suggestFloat('x', 0, 1) + (t.suggestCategorical('kind', ['a', 'b']) === 'a' ? 0 : 1), { nTrials: 3 });
    const trials = await study.trials;
    assert.equal(trials[0].params.x, 0.25);
    assert.equal(trials[1].params.x, 0.5);
    assert.equal(trials[1].params.kind, 'b');
    assert.equal(trials[1].userAttrs.source, 'manual');
    assert.ok(trials[0].params.kind === 'a' || trials[0].params.kind === 'b');
  });

  it('reports an enqueued value outside the distribution', async () => {
    const study = await createStudy(quiet);
    await study.enqueueTrial({ lr: 0.5 });
    const trial = await study.ask();
    assert.throws(
      () => trial.suggestFloat('lr', 1e-5, 1e-1, { log: true }),
      /parameter "lr": value 0.5 is not in float\[0.00001, 0.1\] log/,
    );
  });

  it('adds trials copied from another study as FrozenTrial objects', async () => {
    const source = await createStudy({ sampler: new RandomSampler({ seed: 8 }), ...quiet });
    await source.optimize(
      (t) => {
        t.report(1, 0);
        return t.suggestFloat('x', 0, 1) + t.suggestOrdinal('w', [8, 16]);
      },
      { nTrials: 3 },
    );
    const copy = await createStudy(quiet);
    for (const t of await source.trials) await copy.addTrial(t);
    const copied = await copy.trials;
    assert.deepEqual(
      copied.map((t) => [t.params, t.values, [...t.intermediateValues], t.state]),
      (await source.trials).map((t) => [t.params, t.values, [...t.intermediateValues], t.state]),
    );
  });

  it('adds finished trials with validation', async () => {
    const study = await createStudy(quiet);
    const dist = { x: { type: 'int' as const, low: 0, high: 10, log: false, step: 1 } };
    const t = await study.addTrial({ params: { x: 3 }, distributions: dist, value: 9, intermediateValues: { 0: 20, 1: 9 } });
    assert.equal(t.state, 'COMPLETE');
    assert.equal(await study.bestValue, 9);
    await assert.rejects(study.addTrial({ params: { x: 30 }, distributions: dist, value: 1 }), /value 30 is not in int\[0, 10\]/);
    await assert.rejects(study.addTrial({ params: { x: 3 }, distributions: {}, value: 1 }), /"x" has no distribution/);
    await assert.rejects(study.addTrial({ params: {}, distributions: {}, state: 'COMPLETE' }), /must return a number/);
    await assert.rejects(study.addTrial({ params: {}, distributions: {}, state: 'RUNNING' as never }), InvalidStateTransitionError);
  });
});

describe('optimize', () => {
  it('records failures, rethrows uncaught errors after the trial is failed, and continues past caught ones', async () => {
    class Flaky extends Error {}
    const study = await createStudy(quiet);
    let n = 0;
    const r = await study.optimize(
      () => {
        n++;
        if (n % 2 === 0) throw new Flaky('flaky');
        return n;
      },
      { nTrials: 6, catch: [Flaky] },
    );
    assert.deepEqual([r.complete, r.failed], [3, 3]);
    const failed = (await study.trials).filter((t) => t.state === 'FAIL');
    assert.match(String(failed[0].systemAttrs.fail_reason), /Flaky: flaky/);

    await assert.rejects(
      study.optimize(
        () => {
          throw new RangeError('boom');
        },
        { nTrials: 5 },
      ),
      /boom/,
    );
    const last = (await study.trials).at(-1)!;
    assert.equal(last.state, 'FAIL');
    assert.equal((await study.trials).length, 7, 'stops at the first uncaught error');
  });

  it('fails a trial whose objective returns something that is not a number, and goes on', async () => {
    const study = await createStudy(quiet);
    const r = await study.optimize((t) => (t.number === 0 ? ('0.5' as never) : 1), { nTrials: 2 });
    assert.deepEqual([r.complete, r.failed], [1, 1]);
    assert.match(String((await study.trials)[0].systemAttrs.fail_reason), /must return a number, got "0.5"/);
  });

  it('prunes with TrialPruned, calls callbacks, stops on study.stop() and on timeout', async (context) => {
    const study = await createStudy(quiet);
    const seen: number[] = [];
    const r = await study.optimize(
      (t) => {
        if (t.number === 1) throw new TrialPruned();
        return t.number;
      },
      {
        nTrials: 100,
        callbacks: [
          (s, t) => {
            seen.push(t.number);
            if (t.number === 4) s.stop();
          },
        ],
      },
    );
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(r.pruned, 1);
    assert.equal(r.stoppedBy, 'stop');
    // The timeout on a mocked clock: each trial takes 50 ms of it, so trials start at 0, 50, 100 and 150 ms
    // and the one due at 200 ms does not.
    context.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const timed = await study.optimize(
      () => {
        context.mock.timers.tick(50);
        return 1;
      },
      { timeout: 0.2 },
    );
    context.mock.timers.reset();
    assert.equal(timed.stoppedBy, 'timeout');
    assert.equal(timed.complete, 4);
  });

  it('shares a study budget (maxTrials) among concurrent workers', async () => {
    const storage = new InMemoryStorage();
    await createStudy({ studyName: 'budget', storage, maxTrials: 17 });
    const workers = await Promise.all([0, 1, 2].map(() => loadStudy({ studyName: 'budget', storage, ...quiet })));
    const results = await Promise.all(
      workers.map((w) =>
        w.optimize(
          async () => {
            await new Promise((r) => setTimeout(r, 1));
            return 0;
          },
          { concurrency: 3 },
        ),
      ),
    );
    assert.equal((await workers[0].trials).length, 17);
    assert.ok(results.every((r) => r.stoppedBy === 'exhausted'));
    await assert.rejects(workers[0].ask(), StudyExhaustedError);
  });

  it('interrupts on an abort signal: running trials fail as interrupted and optimize rejects', async () => {
    const study = await createStudy(quiet);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      study.optimize(
        async (trial) => {
          await new Promise((r) => setTimeout(r, 10_000).unref());
          return trial.number;
        },
        { concurrency: 3, signal: controller.signal },
      ),
      (e: unknown) => (e as { code?: string }).code === 'TANSAKU_INTERRUPTED',
    );
    const trials = await study.trials;
    assert.equal(trials.length, 3);
    for (const t of trials) {
      assert.equal(t.state, 'FAIL');
      assert.match(String(t.systemAttrs.fail_reason), /interrupted/);
    }
  });

  it('prunes with the Median pruner through trial.shouldPrune', async () => {
    const study = await createStudy({ pruner: new MedianPruner({ nStartupTrials: 3 }), sampler: new RandomSampler({ seed: 1 }) });
    // Three complete curves, then a curve worse than the median at every step, then the best curve.
    const curves = [
      [5, 4, 3],
      [6, 5, 4],
      [7, 6, 5],
      [9, 9, 9],
      [1, 0.5, 0.1],
    ];
    await study.optimize(
      async (trial) => {
        const curve = curves[trial.number];
        for (let step = 0; step < curve.length; step++) {
          trial.report(curve[step], step);
          if (await trial.shouldPrune()) throw new TrialPruned();
        }
        return curve.at(-1)!;
      },
      { nTrials: 5 },
    );
    const trials = await study.trials;
    assert.deepEqual(
      trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE', 'PRUNED', 'COMPLETE'],
    );
    assert.equal(trials[3].intermediateValues.size, 1, 'pruned at the first step');
    assert.equal(await study.bestValue, 0.1);
  });
});

/** A sampler that proposes trial k+1 only after trial k finished (like a serial simplex step). */
class StepwiseSampler implements Sampler {
  readonly name = 'StepwiseSampler';
  constructor(private readonly fallback = false) {}
  async planTrial(study: StudyView): Promise<TrialPlan> {
    const running = await study.getTrials({ states: ['RUNNING'] });
    if (running.length > 0) return { kind: 'defer', fallback: this.fallback };
    const done = await study.getTrials({ states: ['COMPLETE'] });
    // The claim key makes the plan atomic: two slots planning at once cannot both start step k.
    return { kind: 'fixed', params: { x: done.length }, claimKey: `step:${done.length}` };
  }
  sampleIndependent(): number {
    return 0.5;
  }
}

describe('sampler deferral', () => {
  it('ask waits for running trials instead of proposing junk', async () => {
    const study = await createStudy({ sampler: new StepwiseSampler(), ...quiet });
    let inFlight = 0;
    let maxInFlight = 0;
    await study.optimize(
      async (t) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const x = t.suggestInt('x', 0, 100);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return x;
      },
      { nTrials: 6, concurrency: 3 },
    );
    assert.equal(maxInFlight, 1, 'deferred slots waited');
    assert.deepEqual(
      (await study.trials).map((t) => t.params.x),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('uses the declared fallback instead of waiting', async () => {
    const study = await createStudy({ sampler: new StepwiseSampler(true), ...quiet });
    const a = await study.ask();
    const b = await study.ask();
    assert.equal(a.suggestInt('x', 0, 100), 0);
    assert.equal(b.suggestFloat('x', 0, 1), 0.5, 'fallback trial sampled by sampleIndependent');
  });

  it('reports a deadlock when the sampler defers with nothing running', async () => {
    const sampler: Sampler = { name: 'Stuck', planTrial: () => ({ kind: 'defer' }), sampleIndependent: () => 0 };
    const study = await createStudy({ sampler, ...quiet });
    await assert.rejects(study.ask(), (e: unknown) => (e as { code?: string }).code === 'TANSAKU_SAMPLER_DEADLOCK');
  });
});

describe('heartbeats and stale trials', () => {
  it('fails a trial whose worker stopped beating within the grace period, and re-enqueues it with maxRetry', async (context) => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 20, graceMs: 150, maxRetry: 1 };
    const dying = await createStudy({ studyName: 'hb', storage, heartbeat, sampler: new RandomSampler({ seed: 1 }), ...quiet });
    // Beats and the stale rule read the clock; a mocked one makes the grace period exact.
    context.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const doomed = await dying.ask();
    const x = doomed.suggestFloat('x', 0, 1);
    await doomed.flush(); // the parameter reaches the storage before the worker dies
    // The worker "dies": its heartbeat timer stops, the trial stays RUNNING in the storage.
    (dying as unknown as { releaseTrial(id: number): void }).releaseTrial(doomed.trialId);

    const survivor = await loadStudy({ studyName: 'hb', storage, heartbeat, ...quiet });
    assert.deepEqual(await survivor.failStaleTrials(), [], 'not stale before the grace period');
    context.mock.timers.tick(heartbeat.graceMs);
    assert.deepEqual(await survivor.failStaleTrials(), [], 'not stale at exactly the grace period');
    context.mock.timers.tick(1);
    assert.deepEqual(await survivor.failStaleTrials(), [doomed.number], 'stale 1 ms past the grace period');
    context.mock.timers.reset();
    const dead = await storage.getTrial(doomed.trialId);
    assert.equal(dead.state, 'FAIL');
    assert.match(String(dead.systemAttrs.fail_reason), /no heartbeat/);

    // The retry runs next, with the same parameters, and records its history.
    const retry = await survivor.ask();
    assert.equal(retry.suggestFloat('x', 0, 1), x);
    await survivor.tell(retry, 1);
    const r = await storage.getTrial(retry.trialId);
    assert.equal(r.systemAttrs.failed_trial, doomed.number);
    assert.deepEqual(r.systemAttrs.retry_history, [doomed.number]);
    // The dead worker's late result is refused; the storage keeps the first finish.
    await assert.rejects(dying.tell(doomed, 0.1), /already FAIL/);
  });

  it('keeps live trials alive: a long trial with heartbeats is never failed', async () => {
    const storage = new InMemoryStorage();
    // The trial outlives the grace period 2.5 times over, so only its beats keep it alive; the grace
    // is 8 beats long, so that a loaded machine's late timers do not look like a dead worker.
    const heartbeat = { intervalMs: 50, graceMs: 400 };
    const worker = await createStudy({ studyName: 'live', storage, heartbeat, ...quiet });
    const watcher = await loadStudy({ studyName: 'live', storage, heartbeat, ...quiet });
    const run = worker.optimize(
      async () => {
        await new Promise((r) => setTimeout(r, 1000));
        return 1;
      },
      { nTrials: 1 },
    );
    for (let i = 0; i < 18; i++) {
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await watcher.failStaleTrials(), []);
    }
    await run;
    assert.equal((await worker.trials)[0].state, 'COMPLETE');
  });

  it('a WAITING trial claimed by a worker that dies before its first beat is still failed as stale', async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 30, graceMs: 60, maxRetry: 0 };
    const a = await createStudy({ studyName: 'claim-die', storage, heartbeat, ...quiet });
    await a.enqueueTrial({ x: 0.5 });
    const beats: number[] = [];
    const record = storage.recordHeartbeat.bind(storage);
    storage.recordHeartbeat = (id: number) => {
      beats.push(id);
      return record(id);
    };
    const claimed = await a.ask();
    assert.deepEqual(beats, [], 'the claim writes no heartbeat: its start counts as the first beat');
    assert.equal((await storage.getTrial(claimed.trialId)).systemAttrs[SystemAttr.beatsFromStart], true);
    // The worker dies right after the claim.
    (a as unknown as { releaseTrial(id: number): void }).releaseTrial(claimed.trialId);
    await new Promise((r) => setTimeout(r, 100));
    const b = await loadStudy({ studyName: 'claim-die', storage, heartbeat, ...quiet });
    assert.deepEqual(await b.failStaleTrials(), [claimed.number]);
  });

  it("writes a stale trial's failure and its retry in one write", async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 20, graceMs: 40, maxRetry: 1 };
    const a = await createStudy({ studyName: 'one-write', storage, heartbeat, ...quiet });
    const t = await a.ask();
    (a as unknown as { releaseTrial(id: number): void }).releaseTrial(t.trialId);
    await new Promise((r) => setTimeout(r, 80));
    const b = await loadStudy({ studyName: 'one-write', storage, heartbeat, ...quiet });
    // A sweeper that crashes after its first write must not leave the trial failed without its retry.
    const writes: string[] = [];
    const guard = storage as unknown as { transact(decide: () => unknown): Promise<unknown> };
    const transact = guard.transact.bind(storage);
    guard.transact = (decide) => {
      writes.push('write');
      return writes.length > 1 ? Promise.reject(new Error('crashed')) : transact(decide);
    };
    assert.deepEqual(await b.failStaleTrials(), [t.number]);
    assert.equal(writes.length, 1);
    assert.deepEqual(
      (await storage.getAllTrials(b.studyId)).map((x) => x.state),
      ['FAIL', 'WAITING'],
    );
  });

  it('does not retry beyond maxRetry', async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 10, graceMs: 40, maxRetry: 0 };
    const a = await createStudy({ studyName: 'nr', storage, heartbeat, ...quiet });
    const t = await a.ask();
    (a as unknown as { releaseTrial(id: number): void }).releaseTrial(t.trialId);
    await new Promise((r) => setTimeout(r, 80));
    const b = await loadStudy({ studyName: 'nr', storage, heartbeat, ...quiet });
    assert.deepEqual(await b.failStaleTrials(), [0]);
    assert.equal(await storage.countTrials(b.studyId, ['WAITING']), 0);
  });
});

describe('exports', () => {
  it('writes trials as JSON and CSV', async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 3 }), ...quiet });
    await study.optimize(
      (t) => {
        t.setUserAttr('note', 'a,"quoted"\nline');
        t.report(2, 0);
        return t.suggestFloat('x', 0, 1) + (t.suggestCategorical('act', ['relu', 'tanh']) === 'relu' ? 0 : 1);
      },
      { nTrials: 3 },
    );
    await study.tell(await study.ask(), Infinity);
    const json = JSON.parse(trialsToJSON(await study.trials));
    assert.equal(json.length, 4);
    assert.deepEqual(Object.keys(json[0].params).sort(), ['act', 'x']);
    assert.deepEqual(json[0].intermediateValues, { 0: 2 });
    assert.deepEqual(json[3].values, ['Infinity']);
    assert.match(json[0].datetimeStart, /^\d{4}-\d\d-\d\dT/);
    const csv = trialsToCSV(await study.trials);
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines[0], 'number,value,datetime_start,datetime_complete,duration_ms,params_act,params_x,user_attrs_note,state,worker_id');
    assert.ok(csv.includes('"a,""quoted""\nline"'), 'RFC 4180 quoting');
    assert.ok(csv.includes(',Infinity,'));
  });
});

describe('createStudy and loadStudy arguments', () => {
  it('refuses a storage that does not implement Storage, naming what it lacks', async () => {
    await assert.rejects(
      createStudy({ storage: {} as never }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /storage does not implement Storage: it lacks createStudy, deleteStudy/.test(e.message),
    );
    await assert.rejects(createStudy({ storage: 'study.journal' as never }), /storage must be a Storage .*got "study.journal"/);
    await assert.rejects(loadStudy({ storage: { close() {} } as never, studyName: 's' }), /loadStudy: storage does not implement Storage/);
  });

  it('refuses a study name that is empty or only white space', async () => {
    for (const name of ['', '   ', '\t\n']) {
      await assert.rejects(createStudy({ studyName: name }), /studyName must be a string that is not empty or only white space/);
      await assert.rejects(loadStudy({ storage: new InMemoryStorage(), studyName: name }), /studyName must be a string/);
    }
    assert.equal((await createStudy({ studyName: ' padded ' })).studyName, ' padded ');
  });
});

describe('optimize once the study budget is used', () => {
  it("waits for a dead worker's trial to go stale and runs its retry, but not for a live worker's trial", async () => {
    const storage = new InMemoryStorage();
    const heartbeat = { intervalMs: 50, graceMs: 400, maxRetry: 1 };
    const a = await createStudy({ storage, studyName: 'd', heartbeat, maxTrials: 3, sampler: new RandomSampler({ seed: 1 }) });
    const live = await a.ask(); // trial 0: its Study object beats for it
    // Trial 1: a worker elsewhere that died right after starting it (it never beats).
    await storage.createTrial(a.studyId, {
      template: { state: 'RUNNING', systemAttrs: { 'tansaku:beats_from_start': true }, datetimeStart: Date.now() },
      workerId: 'elsewhere:1:dead',
    });
    const b = await loadStudy({ storage, studyName: 'd' });
    const started = Date.now();
    const result = await b.optimize((t) => t.suggestFloat('x', 0, 1));
    const waited = Date.now() - started;
    const trials = await b.trials;
    assert.deepEqual(
      trials.map((t) => [t.number, t.state, t.systemAttrs.failed_trial ?? null]),
      [
        [0, 'RUNNING', null],
        [1, 'FAIL', null],
        [2, 'COMPLETE', null],
        [3, 'COMPLETE', 1],
      ],
      'the dead trial failed as stale and retried; the live one left to its worker',
    );
    assert.match(String(trials[1].systemAttrs.fail_reason), /^stale/);
    assert.equal(result.complete, 2, 'its own trial and the retry');
    assert.ok(waited >= heartbeat.graceMs && waited < 5000, `waited ${waited} ms`);
    await a.tell(live, 1);
  });

  it('returns at once when no other trial is running', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, heartbeat: { intervalMs: 1000, graceMs: 60_000 }, maxTrials: 2 });
    const started = Date.now();
    await study.optimize((t) => t.suggestFloat('x', 0, 1));
    assert.ok(Date.now() - started < 1000, 'no wait');
    assert.equal((await study.trials).length, 2);
  });
});
