import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  InMemoryStorage,
  RandomSampler,
  JournalFileStorage,
  NelderMeadSampler,
  createStudy,
  loadStudy,
  logGrid,
  type NelderMeadEvent,
  type Trial,
} from '../../src/index.js';
import {
  floatDistribution,
  intDistribution,
  Rng,
  nelderMeadPath,
  regularSimplexOffsets,
  type NelderMeadPathOptions,
} from '../../src/extend.js';
import { runSamplerContract } from '../../src/testing.js';
import { quadratic } from './path-search-helpers.js';

runSamplerContract('NelderMeadSampler (serial)', {
  make: (seed) => new NelderMeadSampler({ seed, categorical: 'random' }),
});
runSamplerContract('NelderMeadSampler (parallel)', {
  make: (seed) => new NelderMeadSampler({ seed, categorical: 'random', parallel: true }),
});

const dir = mkdtempSync(join(tmpdir(), 'tansaku-nm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Drives the path generator with `f` (points outside the box are +∞, as the sampler's barrier does). */
function drive(options: NelderMeadPathOptions, f: (x: readonly number[]) => number, evaluations: number) {
  const events: NelderMeadEvent[] = [];
  const requests: number[][][] = [];
  const path = nelderMeadPath(options, (e) => events.push(e));
  let request = path.next().value;
  let used = 0;
  while (used < evaluations) {
    requests.push(request);
    used += request.length;
    request = path.next(request.map((x) => (x.every((v) => v >= 0 && v <= 1) ? f(x) : Infinity))).value;
  }
  return { events, requests };
}

const close = (a: readonly number[], b: readonly number[]) => a.every((v, i) => Math.abs(v - b[i]) < 1e-12);

describe('nelderMeadPath', () => {
  it('builds regular simplices: every edge has length 1 and the centroid is the origin', () => {
    for (const d of [1, 2, 3, 5, 10, 20]) {
      const v = regularSimplexOffsets(d, new Rng(d));
      assert.equal(v.length, d + 1);
      for (let i = 0; i <= d; i++) {
        for (let k = i + 1; k <= d; k++) {
          const edge = Math.hypot(...v[i].map((x, j) => x - v[k][j]));
          assert.ok(Math.abs(edge - 1) < 1e-9, `d=${d}: edge ${i}-${k} = ${edge}`);
        }
      }
      for (let j = 0; j < d; j++) assert.ok(Math.abs(v.reduce((s, p) => s + p[j], 0)) < 1e-9);
    }
  });

  it('places the default regular simplex inside the box, touching it, and the LHS one in distinct strata', () => {
    for (const d of [2, 5, 10]) {
      const [init] = drive({ dimension: d, seed: 7 }, () => 0, 1).requests;
      assert.equal(init.length, d + 1);
      const coords = init.flat();
      assert.ok(coords.every((x) => x >= -1e-12 && x <= 1 + 1e-12));
      assert.ok(
        coords.some((x) => x < 1e-9 || x > 1 - 1e-9),
        'as large as fits: some vertex touches the boundary',
      );
      const [lhs] = drive({ dimension: d, seed: 7, initialSimplex: 'lhs' }, () => 0, 1).requests;
      for (let j = 0; j < d; j++) {
        const strata = lhs.map((p) => Math.floor(p[j] * (d + 1))).sort((a, b) => a - b);
        assert.deepEqual(
          strata,
          Array.from({ length: d + 1 }, (_, i) => i),
        );
      }
    }
  });

  it('takes the steps of the method on a hand-checked 1-D case (expansion, barrier, inside contraction, shrink)', () => {
    // f(x) = x from the simplex {0.4, 0.6}: c = 0.4, reflection 0.2 < best so expansion 0.0 is tried
    // and accepted; then c = 0.0, reflection -0.4 is outside (+inf) so inside contraction 0.2 is accepted.
    const { requests, events } = drive({ dimension: 1, seed: 1, regularCentre: [0.5], regularEdge: 0.2 }, (x) => x[0], 6);
    assert.ok(
      close(
        requests[0].map((p) => p[0]).sort((a, b) => a - b),
        [0.4, 0.6],
      ),
    );
    assert.ok(close(requests[1][0], [0.2]) && close(requests[2][0], [0]));
    assert.ok(close(requests[3][0], [-0.4]) && close(requests[4][0], [0.2]));
    assert.deepEqual(
      events.map((e) => e.operation),
      ['initial', 'expand', 'contract-inside'],
    );
    assert.ok(close(events[2].simplex.flat(), [0, 0.2]));

    // Values chosen by hand: init {a: 0, b: 1}; reflection 5 >= worst -> inside contraction 2 >= worst -> shrink.
    const path = nelderMeadPath({ dimension: 1, seed: 1, regularCentre: [0.5], regularEdge: 0.2 });
    const init = path.next().value;
    const a = init[0][0];
    const b = init[1][0];
    path.next([0, 1]);
    const inside = path.next([5]).value;
    assert.ok(close(inside[0], [a + 0.5 * (b - a)]), 'inside contraction halfway between centroid and worst');
    const shrink = path.next([2]).value;
    assert.ok(close(shrink[0], [a + 0.5 * (b - a)]), 'shrink towards the best vertex');
  });

  it('clips instead of refusing points outside the box with boundary "clip"', () => {
    const { requests } = drive({ dimension: 1, seed: 1, regularCentre: [0.5], regularEdge: 0.2, boundary: 'clip' }, (x) => x[0], 6);
    assert.ok(requests.flat().every((p) => p[0] >= 0 && p[0] <= 1));
    assert.ok(close(requests[3][0], [0]), 'the reflection -0.4 is projected onto 0');
  });

  it('parallel speculation takes exactly the serial path', () => {
    // A rugged deterministic function so every kind of step happens.
    const f = (x: readonly number[]) => x.reduce((s, v, j) => s + (j + 1) * (v - 0.3) ** 2 + 0.05 * Math.sin(37 * v * (j + 2)), 0);
    for (const d of [2, 4, 7]) {
      const serial = drive({ dimension: d, seed: d }, f, 400);
      const parallel = drive({ dimension: d, seed: d, parallel: true }, f, 800);
      const n = Math.min(serial.events.length, parallel.events.length);
      assert.ok(n > 30, `compared ${n} steps`);
      assert.deepEqual(parallel.events.slice(0, n), serial.events.slice(0, n));
      const operations = new Set(serial.events.map((e) => e.operation));
      for (const op of ['reflect', 'expand', 'contract-outside', 'contract-inside'])
        assert.ok(operations.has(op as never), `d=${d}: no ${op}`);
      // Rounds: one request is one round; parallel needs fewer rounds for the same steps.
      assert.ok(parallel.requests.length < serial.requests.length);
    }
  });

  it('restarts from a new simplex when the values stop spreading, so the budget keeps being used', () => {
    const { events, requests } = drive({ dimension: 3, seed: 2 }, () => 1, 20);
    assert.ok(events.filter((e) => e.operation === 'initial').length >= 4);
    assert.deepEqual([...new Set(events.map((e) => e.restart))].slice(0, 3), [0, 1, 2]);
    assert.notDeepEqual(requests[0], requests[1], 'a restart draws a new simplex');
  });

  it('converges on a smooth function and restarts after the simplex collapses', () => {
    const { events } = drive({ dimension: 2, seed: 4 }, (x) => (x[0] - 0.3) ** 2 + 5 * (x[1] - 0.7) ** 2, 600);
    const first = events.filter((e) => e.restart === 0);
    const last = first[first.length - 1];
    assert.ok(Math.abs(last.simplex[0][0] - 0.3) < 1e-3 && Math.abs(last.simplex[0][1] - 0.7) < 1e-3, JSON.stringify(last.simplex[0]));
    assert.ok(events.some((e) => e.restart === 1));
  });

  it('rejects invalid coefficients and options with the reason', () => {
    assert.throws(() => new NelderMeadSampler({ coefficients: { expansion: 0.5 } }), /expansion must be > max\(1, reflection\)/);
    assert.throws(() => new NelderMeadSampler({ coefficients: { insideContraction: 0.5 } }), /insideContraction must be in \(-1, 0\)/);
    assert.throws(() => new NelderMeadSampler({ coefficients: { shrink: 1 } }), /shrink must be in \(0, 1\)/);
    assert.throws(() => new NelderMeadSampler({ coefficients: { reflection: Number.NaN } }), /reflection must be a finite number/);
    assert.throws(() => new NelderMeadSampler({ boundary: 'wrap' as never }), /boundary must be "barrier" or "clip"/);
    assert.throws(
      () => new NelderMeadSampler({ initialSimplex: 'corner' as never, searchSpace: { x: floatDistribution('x', 0, 1) } }),
      /initialSimplex must be one of/,
    );
    assert.throws(
      () => new NelderMeadSampler({ searchSpace: { x: floatDistribution('x', 0, 1), y: floatDistribution('y', 0, 1) }, start: { x: 0.5 } }),
      /start has no value for parameter "y"/,
    );
    assert.throws(() => new NelderMeadSampler({ staleRetries: -1 }), /staleRetries must be an integer >= 0/);
  });
});

describe('NelderMeadSampler', () => {
  it('minimises a smooth function far better than its initial simplex', async () => {
    const study = await createStudy({ sampler: new NelderMeadSampler(), seed: 1 });
    await study.optimize(quadratic, { nTrials: 80 });
    const best = await study.bestValue;
    assert.ok(best < 1e-3, `best ${best}`);
    const initialBest = Math.min(...(await study.trials).slice(1, 4).map((t) => t.values![0]));
    assert.ok(initialBest > 0.1, `initial best ${initialBest}`);
  });

  it('maximises when the study maximises', async () => {
    const study = await createStudy({ sampler: new NelderMeadSampler(), seed: 1, direction: 'maximize' });
    await study.optimize((t) => -quadratic(t), { nTrials: 80 });
    assert.ok((await study.bestValue) > -1e-3);
  });

  it('uses an explicit search space and start point: no extra first trial, the start is vertex 0', async () => {
    const sampler = new NelderMeadSampler({
      searchSpace: { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) },
      start: { x: 2, y: -1 },
    });
    const study = await createStudy({ sampler, seed: 1 });
    await study.optimize(quadratic, { nTrials: 40 });
    const trials = await study.trials;
    assert.deepEqual(trials[0].params, { x: 2, y: -1 });
    assert.match(String(trials[0].systemAttrs['tansaku:claim']), /^nm:0:[0-9a-f]{8}$/, 'the key names the point: index and cell');
    assert.ok((await study.bestValue) < 0.05);
  });

  it('runs each grid cell at most once on int and ordinal axes, reusing values of cells already seen', async () => {
    const study = await createStudy({ sampler: new NelderMeadSampler({ seed: 5 }), seed: 5 });
    await study.optimize(
      (t) => {
        const a = t.suggestInt('a', 0, 6);
        const w = t.suggestOrdinal('w', logGrid(8, 512, 2));
        return (a - 4) ** 2 + (Math.log2(w) - 6) ** 2;
      },
      { nTrials: 40 },
    );
    const nm = (await study.trials).filter((t) => typeof t.systemAttrs['tansaku:claim'] === 'string');
    const cells = nm.map((t) => JSON.stringify(t.params));
    assert.equal(new Set(cells).size, cells.length, 'no cell evaluated twice');
    assert.equal(await study.bestValue, 0);
  });

  it('refuses a categorical parameter by name, or draws it at random when asked', async () => {
    const objective = (t: Trial) => t.suggestFloat('x', 0, 1) + (t.suggestCategorical('act', ['relu', 'tanh']) === 'relu' ? 0 : 1);
    const refusing = await createStudy({ sampler: new NelderMeadSampler(), seed: 1 });
    await assert.rejects(refusing.optimize(objective, { nTrials: 5 }), /parameter "act" .* is categorical .*suggestOrdinal/);
    const random = await createStudy({ sampler: new NelderMeadSampler({ categorical: 'random' }), seed: 1 });
    await random.optimize(objective, { nTrials: 30 });
    assert.equal(new Set((await random.trials).map((t) => t.params.act)).size, 2);
  });

  it('refuses a space with nothing to search, saying what it needs (an all-categorical space, one-value parameters)', async () => {
    const allCategorical = await createStudy({ sampler: new NelderMeadSampler({ categorical: 'random' }), seed: 1 });
    await assert.rejects(
      allCategorical.optimize((t: Trial) => (t.suggestCategorical('op', ['conv', 'pool', 'skip']) === 'conv' ? 0 : 1), { nTrials: 3 }),
      /nothing for a simplex to search: it needs at least one float, int or ordinal parameter .*categorical parameters are drawn at random/,
    );
    const fixed = await createStudy({ sampler: new NelderMeadSampler(), seed: 1 });
    await assert.rejects(
      fixed.optimize((t: Trial) => t.suggestFloat('x', 2, 2), { nTrials: 3 }),
      (e: Error) => /nothing for a simplex/.test(e.message) && !/drawn at random/.test(e.message),
    );
  });

  it('refuses to join a study whose path was started with other options', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, studyName: 's', sampler: new NelderMeadSampler(), seed: 1 });
    await study.optimize(quadratic, { nTrials: 10 });
    const other = await loadStudy({ storage, studyName: 's', sampler: new NelderMeadSampler({ parallel: true }) });
    await assert.rejects(other.optimize(quadratic, { nTrials: 5 }), /started by a NelderMeadSampler with other options/);
  });

  it('parallel mode with 4 workers follows the serial path exactly, in fewer rounds', async () => {
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5), z: intDistribution('z', 0, 40) };
    const objective = async (t: Trial) => {
      await new Promise((r) => setTimeout(r, 1));
      const z = t.suggestInt('z', 0, 40);
      return quadratic(t) + Math.abs(z - 13) + Math.sin(z);
    };
    const serialSampler = new NelderMeadSampler({ searchSpace: space });
    const serial = await createStudy({ sampler: serialSampler, seed: 3 });
    await serial.optimize(objective, { nTrials: 60 });
    const parallelSampler = new NelderMeadSampler({ searchSpace: space, parallel: true });
    const parallel = await createStudy({ sampler: parallelSampler, seed: 3 });
    await parallel.optimize(objective, { nTrials: 120, concurrency: 4 });
    const a = await serialSampler.path(serial);
    const b = await parallelSampler.path(parallel);
    const n = Math.min(a.length, b.length);
    assert.ok(n >= 10, `compared ${n} steps`);
    assert.deepEqual(b.slice(0, n), a.slice(0, n));
  });

  it('shares one path between several Study objects on one storage without running a point twice', async () => {
    const storage = new InMemoryStorage();
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) };
    const first = await createStudy({
      storage,
      studyName: 'shared',
      sampler: new NelderMeadSampler({ searchSpace: space, parallel: true }),
      seed: 2,
    });
    const others = await Promise.all(
      [0, 1].map(() => loadStudy({ storage, studyName: 'shared', sampler: new NelderMeadSampler({ searchSpace: space, parallel: true }) })),
    );
    // Trials take a few event-loop turns, varied by trial number but never by the clock, so the order in which
    // the 4 workers finish (and so the path) is the same on a loaded machine as on an idle one.
    const slow = async (t: Trial) => {
      for (let turn = 0; turn < 1 + ((t.number * 7) % 5); turn++) await new Promise((r) => setImmediate(r));
      return quadratic(t);
    };
    await Promise.all([first, ...others].map((s) => s.optimize(slow, { maxTrials: 60, concurrency: 2 })));
    const trials = await first.trials;
    assert.equal(trials.length, 60);
    const keys = trials.map((t) => t.systemAttrs['tansaku:claim']);
    assert.equal(new Set(keys).size, keys.length);
    const reference = new NelderMeadSampler({ searchSpace: space });
    const serial = await createStudy({ sampler: reference, seed: 2 });
    await serial.optimize(quadratic, { nTrials: 40 });
    const a = await reference.path(serial);
    const b = await new NelderMeadSampler({ searchSpace: space, parallel: true }).path(first);
    const n = Math.min(a.length, b.length);
    assert.ok(n >= 5);
    assert.deepEqual(b.slice(0, n), a.slice(0, n));
  });

  it('continues the same path on the journal after a worker dies mid-trial (its point is re-run)', async () => {
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) };
    const options = { searchSpace: space };
    const reference = new NelderMeadSampler(options);
    const uninterrupted = await createStudy({ sampler: reference, seed: 4 });
    await uninterrupted.optimize(quadratic, { nTrials: 30 });

    const file = join(dir, 'nm.journal');
    const heartbeat = { intervalMs: 100, graceMs: 1000 }; // wide: a loaded machine must not fail live trials
    const first = await createStudy({
      storage: new JournalFileStorage(file),
      studyName: 'nm',
      sampler: new NelderMeadSampler(options),
      seed: 4,
      heartbeat,
    });
    await first.optimize(quadratic, { nTrials: 12 });
    // The "dying" worker: asks for the next point, then stops beating without telling.
    const orphan = await first.ask();
    orphan.release();

    const second = await loadStudy({ storage: new JournalFileStorage(file), studyName: 'nm', sampler: new NelderMeadSampler(options) });
    await new Promise((r) => setTimeout(r, 1200));
    await second.optimize(quadratic, { nTrials: 31 });
    const trials = await second.trials;
    const failed = trials.filter((t) => t.state === 'FAIL');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].number, orphan.number);
    const rerun = trials.find((t) => t.systemAttrs['tansaku:claim'] === `${String(failed[0].systemAttrs['tansaku:claim'])}:1`);
    assert.ok(rerun, "the dead worker's point ran again under attempt key :1");
    assert.deepEqual(rerun.params, failed[0].systemAttrs.fixed_params, 'the same point');
    const a = await reference.path(uninterrupted);
    const b = await new NelderMeadSampler(options).path(second);
    const n = Math.min(a.length, b.length);
    assert.ok(n >= 8, `compared ${n} steps`);
    assert.deepEqual(b.slice(0, n), a.slice(0, n));
  });

  it('spare-worker variant: idle workers run the sub-sampler, better points join the simplex, replay agrees', async () => {
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) };
    const make = () => new NelderMeadSampler({ searchSpace: space, subSampler: new RandomSampler() });
    const sampler = make();
    const study = await createStudy({ sampler, seed: 6 });
    // Four workers on a simulated clock: each trial lasts 1 + (7·number mod 5) ticks, and the trial that ends
    // first is told first (ties by number). No timer or event-loop turn decides the order, so the path is
    // the same on a loaded machine as on an idle one.
    const running: Array<{ trial: Trial; end: number }> = [];
    let clock = 0;
    let asked = 0;
    while (asked < 120 || running.length > 0) {
      while (running.length < 4 && asked < 120) {
        const trial = await study.ask();
        asked++;
        running.push({ trial, end: clock + 1 + ((trial.number * 7) % 5) });
      }
      running.sort((a, b) => a.end - b.end || a.trial.number - b.trial.number);
      const done = running.shift()!;
      clock = done.end;
      await study.tell(done.trial, quadratic(done.trial));
    }
    const trials = await study.trials;
    const spare = trials.filter((t) => t.systemAttrs['tansaku:claim'] === undefined);
    assert.ok(spare.length > 20, `spare trials: ${spare.length}`);
    const path = await sampler.path(study);
    assert.ok(
      path.some((e) => e.operation === 'join'),
      'some sub-sampler point joined the simplex',
    );
    // Every joined vertex is a real trial's point and value.
    const values = new Set(spare.map((t) => t.values![0]));
    for (const e of path.filter((ev) => ev.operation === 'join')) assert.ok(e.values.some((v) => values.has(v)));
    // A fresh process replays the same path from the storage alone.
    assert.deepEqual(await make().path(study), path);
    assert.ok((await study.bestValue) < 0.05);
  });

  it('replays from scratch when a value the path used changes (a failed point whose retry completes later)', async () => {
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) };
    const make = () => new NelderMeadSampler({ searchSpace: space, staleRetries: 0 });
    const sampler = make();
    const study = await createStudy({ sampler, seed: 8 });
    await study.optimize(quadratic, { nTrials: 6 });
    // Point 6 "dies": failed as stale, and with staleRetries 0 the path takes it as the worst value.
    const victim = await study.ask();
    victim.setSystemAttr('fail_reason', 'stale: no heartbeat (test)');
    await study.tell(victim, 'FAIL');
    await study.optimize(quadratic, { nTrials: 6 });
    const before = await sampler.path(study);
    // Later a retry of it appears (as the heartbeat rule's maxRetry makes) and completes.
    const fixed = victim.snapshot().systemAttrs.fixed_params as Record<string, number>;
    await study.storage.createTrial(study.studyId, {
      template: { state: 'WAITING', systemAttrs: { fixed_params: fixed, failed_trial: victim.number, retry_history: [victim.number] } },
    });
    await study.optimize(quadratic, { nTrials: 10 });
    const after = await sampler.path(study);
    // With the retry's true value the path is the one a run without the failure takes.
    const reference = make();
    const uninterrupted = await createStudy({ sampler: reference, seed: 8 });
    await uninterrupted.optimize(quadratic, { nTrials: 20 });
    const expected = await reference.path(uninterrupted);
    const n = Math.min(after.length, expected.length);
    assert.ok(n > before.length - 3, `compared ${n} steps`);
    assert.deepEqual(after.slice(0, n), expected.slice(0, n));
    assert.notDeepEqual(before.slice(0, n), expected.slice(0, n), 'the failure had changed the path before the retry');
    assert.deepEqual(await make().path(study), after, 'a fresh replay agrees with the rebuilt one');
    const retry = (await study.trials).find((t) => t.systemAttrs.failed_trial === victim.number);
    assert.equal(retry?.state, 'COMPLETE');
  });
});
