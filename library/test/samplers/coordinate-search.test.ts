import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoordinateSearchSampler, InvalidArgumentError, NopPruner, createStudy, type Trial } from '../../src/index.js';
import { floatDistribution } from '../../src/extend.js';
import { runSamplerContract } from '../../src/testing.js';
import {
  assertNoDuplicates,
  assertResumesOnJournal,
  cells,
  path,
  runStudy,
  runWorkers,
  surface10Objective,
} from './path-search-helpers.js';

// The search is deterministic until its first restart, which 25 trials of the contract never reach.
runSamplerContract('CoordinateSearchSampler', { make: (seed) => new CoordinateSearchSampler({ seed }), seeded: false });

const bowl = (t: Trial): number => (t.suggestInt('x', 0, 8) - 7) ** 2 + (t.suggestInt('y', 0, 8) - 1) ** 2;

describe('CoordinateSearchSampler', () => {
  it('follows the hand-derived path on a 9x9 integer grid', async () => {
    // Unit cells of width 1/9; x = 4 is the centre 0.5. alpha = 0.25: (4,4)=18 -> x+ (6,4)=10 moves;
    // at (6,4): x+ (8,4)=10 not better, x- (4,4) known, y+ (6,6)=26, y- (6,2)=2 moves; at (6,2) every poll
    // fails ((8,2)=2, (4,2)=10, (6,4) known, (6,0)=2): alpha = 0.125; x+ (7,2)=1 moves; at (7,2): (8,2),
    // (6,2) known, y+ (7,3)=4, y- (7,1)=0 moves; at (7,1) alpha 0.125 then 0.0625 fail, 0.03125 < minStep.
    const r = await runStudy(new CoordinateSearchSampler({ minStep: 0.05, onConverge: 'stop' }), bowl);
    assert.equal(r.stoppedBy, 'exhausted');
    assert.deepEqual(cells(r.trials), path('(4,4) (6,4) (8,4) (6,6) (6,2) (8,2) (4,2) (6,0) (7,2) (7,3) (7,1) (8,1) (6,1) (7,0)'));
  });

  it('polls log-scaled parameters in log space and skips poll points outside the box', async () => {
    // lr starts at the middle of its log range (1e-3), w at the given 0.9.
    const r = await runStudy(
      new CoordinateSearchSampler({ start: { w: 0.9 }, onConverge: 'stop' }),
      (t: Trial) => {
        const lr = t.suggestFloat('lr', 1e-5, 1e-1, { log: true });
        const w = t.suggestFloat('w', 0, 1);
        return (Math.log10(lr) + 4) ** 2 + (w - 0.6) ** 2;
      },
      { nTrials: 5 },
    );
    const ps = r.trials.map((t) => [t.params.lr as number, t.params.w as number]);
    const close = (a: number, b: number) => Math.abs(a / b - 1) < 1e-9;
    // alpha = 0.25 of the log range (one decade): lr 1e-3 -> 1e-2 (worse) -> 1e-4 (better: moves). Then
    // lr + alpha is the start again (known, not re-run), lr - alpha = 1e-5 (worse), w + alpha = 1.15 is
    // outside [0, 1] (skipped), w - alpha = 0.65 (better).
    const expected = [
      [1e-3, 0.9],
      [1e-2, 0.9],
      [1e-4, 0.9],
      [1e-5, 0.9],
      [1e-4, 0.65],
    ];
    assert.equal(ps.length, expected.length);
    expected.forEach(([lr, w], i) => {
      assert.ok(close(ps[i][0], lr) && Math.abs(ps[i][1] - w) < 1e-12, `trial ${i}: ${JSON.stringify(ps)}`);
    });
    assert.equal(ps[0][1], 0.9); // the given start value exactly
  });

  it('never evaluates a point twice when it comes back to it from a given start (exact offsets)', async () => {
    const r = await runStudy(
      new CoordinateSearchSampler({ start: { x: 0.123456789, y: 3e-3 }, minStep: 1e-4, onConverge: 'stop' }),
      (t: Trial) => {
        const x = t.suggestFloat('x', -1, 1);
        const y = t.suggestFloat('y', 1e-4, 1, { log: true });
        return Math.abs(x - 0.4) + Math.abs(Math.log10(y) + 1);
      },
    );
    // Points equal up to rounding would be the same point run twice (toUnit/fromUnit round trips drift).
    const rounded = r.trials.map((t) => `${(t.params.x as number).toPrecision(10)},${(t.params.y as number).toPrecision(10)}`);
    assert.equal(new Set(rounded).size, rounded.length, `a point ran twice in ${r.trials.length} trials`);
    assert.ok(r.trials.length > 30);
    assert.equal(r.trials[0].params.x, 0.123456789);
    assert.equal(r.trials[0].params.y, 3e-3);
  });

  it('converges on a smooth continuous function', async () => {
    const r = await runStudy(new CoordinateSearchSampler({ minStep: 1e-6, onConverge: 'stop' }), (t: Trial) => {
      const x = t.suggestFloat('x', -1, 1);
      const y = t.suggestFloat('y', -1, 1);
      const z = t.suggestFloat('z', 1e-3, 1e3, { log: true });
      return (x - 0.3) ** 2 + 2 * (y + 0.2) ** 2 + Math.log10(z / 5) ** 2;
    });
    assert.equal(r.stoppedBy, 'exhausted');
    const best = Math.min(...r.trials.map((t) => t.values![0]));
    assert.ok(best < 1e-9, `best ${best} after ${r.trials.length} trials`);
    assert.ok(r.trials.length < 400, `${r.trials.length} trials`);
  });

  it('polls every other choice of a categorical parameter', async () => {
    const r = await runStudy(new CoordinateSearchSampler({ start: { c: 'a', x: 0.5 }, onConverge: 'stop', minStep: 0.1 }), (t: Trial) => {
      const c = t.suggestCategorical('c', ['a', 'b', 'c']);
      return (c === 'c' ? 0 : 1) + (t.suggestFloat('x', 0, 1) - 0.5) ** 2;
    });
    assert.deepEqual(cells(r.trials).slice(0, 3), path('(a,0.5) (b,0.5) (c,0.5)'));
    const best = r.trials.reduce((a, b) => (a.values![0] <= b.values![0] ? a : b));
    assert.deepEqual(best.params, { c: 'c', x: 0.5 });
  });

  it('restarts after convergence until a discrete space is exhausted, each point once', async () => {
    const r = await runStudy(new CoordinateSearchSampler(), (t: Trial) => t.suggestInt('x', 0, 3) * 10 + t.suggestInt('y', 0, 2));
    assert.equal(r.stoppedBy, 'exhausted');
    assert.equal(r.trials.length, 12);
    assertNoDuplicates(r.trials);
  });

  it('keeps the serial path with parallel workers polling ahead (4 slots; 2 Study objects), no duplicates', async () => {
    const make = () => new CoordinateSearchSampler({ minStep: 0.02, onConverge: 'stop' });
    const serial = await runStudy(make(), surface10Objective, { direction: 'maximize' });
    for (const [studies, concurrency] of [
      [1, 4],
      [2, 2],
    ] as const) {
      const trials = await runWorkers(make, surface10Objective, { studies, concurrency, direction: 'maximize' });
      assertNoDuplicates(trials);
      const got = new Set(cells(trials));
      // Every point of the serial path is evaluated; the extra ones are polls evaluated ahead of time.
      for (const c of cells(serial.trials)) assert.ok(got.has(c), `${c} of the serial path is missing (${studies} x ${concurrency})`);
      assert.equal(Math.max(...trials.map((t) => t.values![0])), Math.max(...serial.trials.map((t) => t.values![0])));
    }
  });

  it('continues the same path on a journal file from a new storage object and sampler', async () => {
    await assertResumesOnJournal(() => new CoordinateSearchSampler({ minStep: 0.02 }), surface10Objective, 7);
  });

  it('rejects bad options with clear errors', async () => {
    assert.throws(
      () => new CoordinateSearchSampler({ initialStep: 0 }),
      (e: unknown) => e instanceof InvalidArgumentError && /initialStep must be a number in \(0, 1\]/.test(e.message),
    );
    assert.throws(
      () => new CoordinateSearchSampler({ initialStep: 0.2, minStep: 0.5 }),
      (e: unknown) =>
        e instanceof InvalidArgumentError && /minStep must be a number > 0 and <= initialStep \(0.2\), got 0.5/.test(e.message),
    );
    assert.throws(
      () => new CoordinateSearchSampler({ onConverge: 'no' as 'stop' }),
      (e: unknown) => e instanceof InvalidArgumentError && /onConverge must be "stop" or "restart"/.test(e.message),
    );
    assert.throws(
      () => new CoordinateSearchSampler({ searchSpace: { x: floatDistribution('x', 0, 1) }, start: { x: 2 } }),
      (e: unknown) => e instanceof InvalidArgumentError && /start\.x = 2 is not a value of the parameter/.test(e.message),
    );
    const study = await createStudy({
      directions: ['minimize', 'minimize'],
      sampler: new CoordinateSearchSampler(),
      pruner: new NopPruner(),
    });
    await assert.rejects(study.ask(), (e: unknown) => e instanceof InvalidArgumentError && /optimises one objective/.test(e.message));
  });
});
