import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CrossSearchSampler,
  InMemoryStorage,
  InvalidArgumentError,
  JournalFileStorage,
  NopPruner,
  createStudy,
  logGrid,
  type Trial,
} from '../../src/index.js';
import { intDistribution, ordinalDistribution } from '../../src/extend.js';
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

runSamplerContract('CrossSearchSampler', { make: (seed) => new CrossSearchSampler({ seed }) });
runSamplerContract('CrossSearchSampler (partial, limit 2)', {
  make: (seed) => new CrossSearchSampler({ seed, limit: 2, onConverge: 'restart' }),
});

const LINE = [5, 4, 6, 3, 7, 8, 9];
const lineObjective = (t: Trial): number => LINE[t.suggestInt('x', 0, LINE.length - 1)];

describe('CrossSearchSampler', () => {
  it('full cross-search follows the hand-derived path on a 5x5 table (a first)', async () => {
    // Line a through (0,0): 8 7 6 9 -> (3,0)=6; line b through (3,0): 4 2 1 8 -> (3,3)=1;
    // line a through (3,3): 6 4 2 9, no improvement: both lines through (3,3) are searched, stop.
    const r = await runStudy(new CrossSearchSampler({ start: { a: 0, b: 0 } }), tableObjective(TABLE_5X5));
    assert.equal(r.stoppedBy, 'exhausted');
    assert.deepEqual(cells(r.trials), path('(0,0) (1,0) (2,0) (3,0) (4,0) (3,1) (3,2) (3,3) (3,4) (0,3) (1,3) (2,3) (4,3)'));
  });

  it('firstAxis changes the path: b first stops at (0,4), a local optimum of both lines', async () => {
    const r = await runStudy(new CrossSearchSampler({ start: { a: 0, b: 0 }, firstAxis: 'b' }), tableObjective(TABLE_5X5));
    assert.deepEqual(cells(r.trials), path('(0,0) (0,1) (0,2) (0,3) (0,4) (1,4) (2,4) (3,4) (4,4)'));
  });

  it('maximising the negated table gives the same path', async () => {
    const r = await runStudy(new CrossSearchSampler({ start: { a: 0, b: 0 } }), tableObjective(TABLE_5X5, -1), { direction: 'maximize' });
    assert.deepEqual(cells(r.trials), path('(0,0) (1,0) (2,0) (3,0) (4,0) (3,1) (3,2) (3,3) (3,4) (0,3) (1,3) (2,3) (4,3)'));
  });

  it('partial cross-search walks both ways and stops limit steps past a peak', async () => {
    // limit 1 on the 5x5 table: a walks up 8 7 6 9 (stops one past 6), b walks up 4 2 1 8; through (3,3)
    // a walks up to (4,3)=9 and down to (2,3)=2, neither better: stop.
    const r = await runStudy(new CrossSearchSampler({ start: { a: 0, b: 0 }, limit: 1 }), tableObjective(TABLE_5X5));
    assert.deepEqual(cells(r.trials), path('(0,0) (1,0) (2,0) (3,0) (4,0) (3,1) (3,2) (3,3) (3,4) (4,3) (2,3)'));
    // One axis, values 5 4 6 3 7 8 9 from x=0: limit 1 stops at the first peak (x=1, one step past: x=2);
    // limit 2 looks two steps past it, finds 3 at x=3, and stops two steps past that (x=4, x=5).
    const one = await runStudy(new CrossSearchSampler({ start: { x: 0 }, limit: 1 }), lineObjective);
    assert.deepEqual(cells(one.trials), path('(0) (1) (2)'));
    const two = await runStudy(new CrossSearchSampler({ start: { x: 0 }, limit: 2 }), lineObjective);
    assert.deepEqual(cells(two.trials), path('(0) (1) (2) (3) (4) (5)'));
    // Both directions from the middle: up 7 8 (stop), down 6 4 3 5 (stop two past 3).
    const mid = await runStudy(
      new CrossSearchSampler({ start: { x: 3 }, limit: 2 }),
      (t: Trial) => [5, 3, 4, 6, 7, 8, 9][t.suggestInt('x', 0, 6)],
    );
    assert.deepEqual(cells(mid.trials), path('(3) (4) (5) (2) (1) (0)'));
    assert.equal(Math.min(...mid.trials.map((t) => t.values![0])), 3);
  });

  it('full cross-search on a separable surface reaches the optimum from all 100 starts, in 19 or 28 cells', async () => {
    const sizes = logGrid(8, 4096, 2);
    // Accuracy-like, separable: best at n1 = 512, n2 = 64.
    const g = (n: number, best: number) => -((Math.log2(n) - Math.log2(best)) ** 2);
    const objective = (t: Trial) => g(t.suggestOrdinal('n1', sizes) as number, 512) + g(t.suggestOrdinal('n2', sizes) as number, 64);
    const searchSpace = { n1: ordinalDistribution('n1', sizes), n2: ordinalDistribution('n2', sizes) };
    for (const firstAxis of ['n1', 'n2']) {
      for (const n1 of sizes) {
        for (const n2 of sizes) {
          const r = await runStudy(new CrossSearchSampler({ searchSpace, start: { n1, n2 }, firstAxis }), objective, {
            direction: 'maximize',
          });
          const best = r.trials.reduce((a, b) => (a.values![0] >= b.values![0] ? a : b));
          assert.deepEqual(best.params, { n1: 512, n2: 64 }, `start (${n1}, ${n2}), ${firstAxis} first`);
          // Start + line + line + the check line through the optimum (none when the second line did not move).
          const moved = firstAxis === 'n1' ? n2 !== 64 : n1 !== 512;
          assert.equal(r.trials.length, moved ? 28 : 19, `start (${n1}, ${n2}), ${firstAxis} first`);
          assertNoDuplicates(r.trials);
        }
      }
    }
  });

  it('reuses points already in the study and never runs a point twice', async () => {
    const study = await createStudy({ sampler: new CrossSearchSampler({ start: { a: 0, b: 0 } }), pruner: new NopPruner() });
    const distributions = { a: intDistribution('a', 0, 4), b: intDistribution('b', 0, 4) };
    for (const a of [2, 4]) await study.addTrial({ params: { a, b: 0 }, distributions, value: TABLE_5X5[a][0] });
    await study.enqueueTrial({ a: 3, b: 3 });
    await study.optimize(tableObjective(TABLE_5X5));
    const trials = await study.trials;
    assertNoDuplicates(trials);
    assert.deepEqual(cells(trials), path('(2,0) (4,0) (3,3) (0,0) (1,0) (3,0) (3,1) (3,2) (3,4) (0,3) (1,3) (2,3) (4,3)'));
  });

  it('restarts from unvisited points with onConverge: restart until every cell is visited', async () => {
    const r = await runStudy(new CrossSearchSampler({ start: { a: 0, b: 0 }, onConverge: 'restart' }), tableObjective(TABLE_5X5));
    assert.equal(r.stoppedBy, 'exhausted');
    assert.equal(r.trials.length, 25);
    assertNoDuplicates(r.trials);
  });

  it('evaluates a line in parallel without duplicates (4 slots; 2 Study objects; 2 journal storages)', async () => {
    for (const limit of [undefined, 2]) {
      const make = () => new CrossSearchSampler({ start: { a: 1, b: 1 }, limit });
      const serial = await runStudy(make(), surface10Objective, { direction: 'maximize' });
      const file = tempJournal('parallel');
      const runs = [
        { studies: 1, concurrency: 4 },
        { studies: 2, concurrency: 2 },
        { studies: 2, concurrency: 2, storage: () => new JournalFileStorage(file) },
      ];
      for (const run of runs) {
        const trials = await runWorkers(make, surface10Objective, { ...run, direction: 'maximize' });
        assertNoDuplicates(trials);
        assert.deepEqual([...cells(trials)].sort(), [...cells(serial.trials)].sort(), `limit ${String(limit)}, ${JSON.stringify(run)}`);
      }
    }
  });

  it('runs a whole line at once with enough workers', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, sampler: new CrossSearchSampler({ start: { a: 0, b: 0 } }), pruner: new NopPruner() });
    let inFlight = 0;
    let maxInFlight = 0;
    await study.optimize(
      async (t) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const v = tableObjective(TABLE_5X5)(t);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return v;
      },
      { concurrency: 8 },
    );
    assert.equal(maxInFlight, 4); // a line of a 5x5 grid has 4 new points
    assert.equal((await study.trials).length, 13);
  });

  it('continues the same path on a journal file from a new storage object and sampler', async () => {
    await assertResumesOnJournal(() => new CrossSearchSampler({ start: { a: 4, b: 0 } }), tableObjective(TABLE_5X5), 6);
    await assertResumesOnJournal(
      () => new CrossSearchSampler({ start: { a: 0, b: 4 }, limit: 1, firstAxis: 'b' }),
      tableObjective(TABLE_5X5),
      3,
    );
  });

  it('treats a categorical axis as one line of every choice', async () => {
    const r = await runStudy(new CrossSearchSampler({ start: { c: 'b', x: 0 }, limit: 1, firstAxis: 'c' }), (t: Trial) => {
      const c = t.suggestCategorical('c', ['a', 'b', 'c', 'd']);
      return (c === 'd' ? 0 : 1) + LINE[t.suggestInt('x', 0, LINE.length - 1)];
    });
    assert.deepEqual(cells(r.trials).slice(0, 4), path('(b,0) (a,0) (c,0) (d,0)'));
  });

  it('rejects bad options with clear errors', async () => {
    assert.throws(
      () => new CrossSearchSampler({ limit: 0 }),
      (e: unknown) => e instanceof InvalidArgumentError && /limit must be an integer >= 1/.test(e.message),
    );
    assert.throws(
      () => new CrossSearchSampler({ limit: 1.5 }),
      (e: unknown) => e instanceof InvalidArgumentError && /got 1.5/.test(e.message),
    );
    assert.throws(
      () => new CrossSearchSampler({ onConverge: 'again' as 'stop' }),
      (e: unknown) => e instanceof InvalidArgumentError && /onConverge/.test(e.message),
    );
    assert.throws(
      () => new CrossSearchSampler({ searchSpace: { n1: ordinalDistribution('n1', [8, 16]) }, firstAxis: 'n3' }),
      (e: unknown) => e instanceof InvalidArgumentError && /firstAxis "n3" is not a parameter of the search space \(n1\)/.test(e.message),
    );
    // With an inferred space the check happens once the first trial has shown the parameters.
    const study = await createStudy({ sampler: new CrossSearchSampler({ firstAxis: 'z' }), pruner: new NopPruner() });
    await assert.rejects(
      study.optimize(tableObjective(TABLE_5X5), { nTrials: 3 }),
      (e: unknown) => e instanceof InvalidArgumentError && /firstAxis "z"/.test(e.message),
    );
  });
});
