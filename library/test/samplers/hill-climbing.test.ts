import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HillClimbingSampler,
  InMemoryStorage,
  InvalidArgumentError,
  JournalFileStorage,
  NopPruner,
  StudyExhaustedError,
  TrialPruned,
  createStudy,
  loadStudy,
  type Trial,
} from '../../src/index.js';
import { intDistribution } from '../../src/extend.js';
import { latticeAxis } from '../../src/samplers/path-search/engine.js';
import { runSamplerContract } from '../../src/testing.js';
import {
  TABLE_5X5,
  assertNoDuplicates,
  assertResumesOnJournal,
  cells,
  path,
  runStudy,
  runWorkers,
  surface10Objective,
  tableObjective,
  tempJournal,
} from './path-search-helpers.js';

runSamplerContract('HillClimbingSampler', { make: (seed) => new HillClimbingSampler({ seed }) });

// Hand-derived: from (0,0), each step evaluates the new neighbours (a-1, a+1, b-1, b+1) and moves to the
// best strictly better one, the first on a tie: (1,0)=8 beats (0,1)=8 by order; then (1,1)=6, (2,1)=5,
// (2,2)=3, (3,2)=2, (3,3)=1, a peak (neighbours 2, 9, 2, 8).
const HILL_PATH = path('(0,0) (1,0) (0,1) (2,0) (1,1) (2,1) (1,2) (3,1) (2,2) (3,2) (2,3) (4,2) (3,3) (4,3) (3,4)');

describe('HillClimbingSampler', () => {
  it('follows the hand-derived path on a 5x5 table and stops at the peak (onConverge: stop)', async () => {
    const r = await runStudy(new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }), tableObjective(TABLE_5X5));
    assert.equal(r.stoppedBy, 'exhausted');
    assert.deepEqual(cells(r.trials), HILL_PATH);
  });

  it('takes the same path when maximising the negated table', async () => {
    const r = await runStudy(new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }), tableObjective(TABLE_5X5, -1), {
      direction: 'maximize',
    });
    assert.deepEqual(cells(r.trials), HILL_PATH);
  });

  it('restarts from unvisited points at each peak until the whole grid is visited, each cell once', async () => {
    const r = await runStudy(new HillClimbingSampler({ start: { a: 0, b: 0 } }), tableObjective(TABLE_5X5));
    assert.equal(r.stoppedBy, 'exhausted');
    assert.equal(r.trials.length, 25);
    assert.deepEqual(cells(r.trials).slice(0, HILL_PATH.length), HILL_PATH);
    assertNoDuplicates(r.trials);
  });

  it('treats failed and pruned trials as the worst value', async () => {
    // (1,0) fails and (1,1) is pruned: from (0,0) the climb goes to (0,1)=8, then (0,2)=7, then (1,2)=5...
    const r = await runStudy(new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }), (t: Trial) => {
      const v = tableObjective(TABLE_5X5)(t);
      if (t.params.a === 1 && t.params.b === 0) throw new Error('diverged');
      if (t.params.a === 1 && t.params.b === 1) throw new TrialPruned();
      return v;
    });
    assert.deepEqual(cells(r.trials).slice(0, 6), path('(0,0) (1,0) (0,1) (1,1) (0,2) (1,2)'));
    assert.equal(r.trials[1].state, 'FAIL');
    assert.equal(r.trials[3].state, 'PRUNED');
    assertNoDuplicates(r.trials);
    const best = r.trials.filter((t) => t.state === 'COMPLETE').reduce((a, b) => (a.values![0] <= b.values![0] ? a : b));
    assert.deepEqual(best.params, { a: 3, b: 3 });
  });

  it('evaluates the neighbours of a step in parallel without duplicates (4 slots; 2 Study objects)', async () => {
    const make = () => new HillClimbingSampler({ start: { a: 0, b: 9 }, onConverge: 'stop' });
    const serial = await runStudy(make(), surface10Objective, { direction: 'maximize' });
    for (const [studies, concurrency] of [
      [1, 4],
      [2, 2],
    ] as const) {
      const trials = await runWorkers(make, surface10Objective, { studies, concurrency, direction: 'maximize' });
      assertNoDuplicates(trials);
      assert.deepEqual([...cells(trials)].sort(), [...cells(serial.trials)].sort(), `${studies} studies x ${concurrency} slots`);
    }
  });

  it('restarting workers on one storage cover a 10x10 grid exactly once', async () => {
    const trials = await runWorkers(() => new HillClimbingSampler(), surface10Objective, {
      studies: 2,
      concurrency: 3,
      direction: 'maximize',
    });
    assert.equal(trials.length, 100);
    assertNoDuplicates(trials);
  });

  it('continues the same path on a journal file from a new storage object and sampler', async () => {
    await assertResumesOnJournal(() => new HillClimbingSampler({ start: { a: 0, b: 0 } }), tableObjective(TABLE_5X5), 9);
  });

  it('never re-runs a point already evaluated by an added trial', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({
      storage,
      sampler: new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }),
      pruner: new NopPruner(),
    });
    const distributions = { a: intDistribution('a', 0, 4), b: intDistribution('b', 0, 4) };
    await study.addTrial({ params: { a: 2, b: 1 }, distributions, value: TABLE_5X5[2][1] });
    await study.optimize(tableObjective(TABLE_5X5));
    const trials = await study.trials;
    assert.deepEqual(cells(trials), ['(2,1)', ...HILL_PATH.filter((c) => c !== '(2,1)')]);
  });

  it('replays its path when a value it used changes (a failed point later completes)', async () => {
    const study = await createStudy({
      sampler: new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }),
      pruner: new NopPruner(),
    });
    const t0 = await study.ask();
    t0.suggestInt('a', 0, 4);
    t0.suggestInt('b', 0, 4);
    await study.tell(t0, 'FAIL');
    // (0,0) failed (+Infinity): its neighbours come next.
    const t1 = await study.ask();
    assert.deepEqual([t1.suggestInt('a', 0, 4), t1.suggestInt('b', 0, 4)], [1, 0]);
    await study.tell(t1, 8);
    // A result for (0,0) arrives (a re-run elsewhere): -100 beats every neighbour, so the climb stops there.
    await study.addTrial({
      params: { a: 0, b: 0 },
      distributions: { a: intDistribution('a', 0, 4), b: intDistribution('b', 0, 4) },
      value: -100,
    });
    const t3 = await study.ask();
    assert.deepEqual([t3.suggestInt('a', 0, 4), t3.suggestInt('b', 0, 4)], [0, 1]);
    await study.tell(t3, 8);
    await assert.rejects(study.ask(), StudyExhaustedError);
  });

  it("refuses a worker whose options differ from the study's", async () => {
    const storage = new InMemoryStorage();
    const first = await createStudy({
      studyName: 'x',
      storage,
      sampler: new HillClimbingSampler({ onConverge: 'stop' }),
      pruner: new NopPruner(),
    });
    await first.optimize(tableObjective(TABLE_5X5), { nTrials: 2 });
    const other = await loadStudy({
      studyName: 'x',
      storage,
      sampler: new HillClimbingSampler({ onConverge: 'restart' }),
      pruner: new NopPruner(),
    });
    await assert.rejects(
      other.ask(),
      (e: unknown) => e instanceof InvalidArgumentError && /onConverge/.test(e.message) && /same options/.test(e.message),
    );
  });

  it('rejects bad options and multi-objective studies with clear errors', async () => {
    assert.throws(
      () => new HillClimbingSampler({ onConverge: 'never' as 'stop' }),
      (e: unknown) => e instanceof InvalidArgumentError && /onConverge must be "stop" or "restart", got "never"/.test(e.message),
    );
    assert.throws(
      () => new HillClimbingSampler({ floatLevels: 1 }),
      (e: unknown) => e instanceof InvalidArgumentError && /floatLevels must be an integer >= 2, got 1/.test(e.message),
    );
    assert.throws(
      () => new HillClimbingSampler({ seed: 0.5 }),
      (e: unknown) => e instanceof InvalidArgumentError && /seed must be an integer/.test(e.message),
    );
    assert.throws(
      () => new HillClimbingSampler({ searchSpace: { a: intDistribution('a', 0, 4) }, start: { b: 1 } }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /start names parameter "b", which is not in the search space \(a\)/.test(e.message),
    );
    assert.throws(
      () => new HillClimbingSampler({ searchSpace: { a: intDistribution('a', 0, 4) }, start: { a: 7 } }),
      (e: unknown) => e instanceof InvalidArgumentError && /start\.a = 7 is not a value/.test(e.message),
    );
    const study = await createStudy({ directions: ['minimize', 'maximize'], sampler: new HillClimbingSampler(), pruner: new NopPruner() });
    await assert.rejects(
      study.ask(),
      (e: unknown) => e instanceof InvalidArgumentError && /one objective/.test(e.message) && /2 directions/.test(e.message),
    );
  });

  it('cuts a continuous float into floatLevels levels (log-spaced when log-scaled)', async () => {
    const r = await runStudy(new HillClimbingSampler({ floatLevels: 5, start: { lr: 1e-3 }, onConverge: 'stop' }), (t: Trial) => {
      const lr = t.suggestFloat('lr', 1e-5, 1e-1, { log: true });
      return (Math.log10(lr) + 2) ** 2;
    });
    const lrs = r.trials.map((t) => t.params.lr as number);
    for (const lr of lrs)
      assert.ok(
        [1e-5, 1e-4, 1e-3, 1e-2, 1e-1].some((l) => Math.abs(lr / l - 1) < 1e-9),
        `lr ${lr} is a level`,
      );
    assert.ok(Math.abs(lrs[0] / 1e-3 - 1) < 1e-9 && Math.abs(lrs[2] / 1e-2 - 1) < 1e-9);
  });

  it('cuts a log-scaled int with more values than floatLevels into log-spaced integer levels', async () => {
    const r = await runStudy(new HillClimbingSampler({ floatLevels: 5, start: { units: 100 }, onConverge: 'stop' }), (t: Trial) => {
      const units = t.suggestInt('units', 64, 1024, { log: true });
      return (Math.log2(units) - 9) ** 2;
    });
    // 100 snaps to 128 (nearest in log space); the climb goes 128 → 256 → 512, a peak (1024 is worse).
    assert.deepEqual(
      r.trials.map((t) => t.params.units),
      [128, 64, 256, 512, 1024],
    );
  });

  it('keeps one level per integer for a linear int and for a log-scaled int with few values', () => {
    const linear = latticeAxis('n', intDistribution('n', 1, 30), 11);
    assert.equal(linear.count, 30);
    assert.deepEqual([linear.value(0), linear.value(1), linear.value(29)], [1, 2, 30]);
    const fewLog = latticeAxis('n', intDistribution('n', 1, 8, { log: true }), 11);
    assert.deepEqual(
      Array.from({ length: fewLog.count }, (_, k) => fewLog.value(k)),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    // 11 log-spaced levels over 1..20 round to 1, 1, 2, 2, 3, 4, 6, 8, 11, 15, 20: duplicates merged.
    const log = latticeAxis('n', intDistribution('n', 1, 20, { log: true }), 11);
    assert.deepEqual(
      Array.from({ length: log.count }, (_, k) => log.value(k)),
      [1, 2, 3, 4, 6, 8, 11, 15, 20],
    );
    assert.deepEqual([log.indexOf(1), log.indexOf(5), log.indexOf(7), log.indexOf(13), log.indexOf(20)], [0, 4, 5, 7, 8]);
    // Infinity (coordinate search's restarts): every integer.
    assert.equal(latticeAxis('n', intDistribution('n', 64, 1024, { log: true }), Infinity).count, 961);
  });

  it('journal: two storage objects on one file (two processes) never duplicate a cell', async () => {
    const file = tempJournal('two');
    const trials = await runWorkers(() => new HillClimbingSampler(), surface10Objective, {
      studies: 2,
      concurrency: 2,
      storage: () => new JournalFileStorage(file),
      direction: 'maximize',
    });
    assert.equal(trials.length, 100);
    assertNoDuplicates(trials);
  });
});
