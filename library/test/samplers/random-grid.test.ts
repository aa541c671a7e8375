import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GridSampler,
  InMemoryStorage,
  InvalidArgumentError,
  NopPruner,
  RandomSampler,
  createStudy,
  loadStudy,
  logGrid,
} from '../../src/index.js';
import { STANDARD_GRID, runSamplerContract } from '../../src/testing.js';

runSamplerContract('RandomSampler', { make: (seed) => new RandomSampler({ seed }), spaceFilling: true });
runSamplerContract('GridSampler', { make: (seed) => new GridSampler(STANDARD_GRID, { seed }), conditional: false });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

describe('RandomSampler', () => {
  it('finds the 2-D sphere minimum as often as uniform sampling should (41 seeds, KS test)', async () => {
    // For n uniform draws on [-5, 5]^2, P(best < v) = 1 - (1 - pi v / 100)^n (v <= 25), so
    // u = P(best < observed) is Uniform(0, 1) for a correct sampler. The analytic median best for
    // n = 200 is 0.110: a bound of "median < 0.05" is not reachable by uniform random sampling.
    const n = 200;
    const us: number[] = [];
    const bests: number[] = [];
    for (let seed = 0; seed < 41; seed++) {
      const study = await createStudy({ sampler: new RandomSampler({ seed }), pruner: new NopPruner() });
      await study.optimize((t) => t.suggestFloat('x', -5, 5) ** 2 + t.suggestFloat('y', -5, 5) ** 2, { nTrials: n });
      const best = await study.bestValue;
      bests.push(best);
      us.push(1 - (1 - (Math.PI * best) / 100) ** n);
    }
    us.sort((a, b) => a - b);
    let ks = 0;
    us.forEach((u, i) => {
      ks = Math.max(ks, Math.abs(u - i / us.length), Math.abs(u - (i + 1) / us.length));
    });
    // Kolmogorov-Smirnov critical value for n = 41 at alpha = 0.001: 1.95 / sqrt(41) = 0.305.
    assert.ok(ks < 0.305, `KS statistic ${ks}; median best ${median(bests)}`);
    assert.ok(median(bests) < 0.2 && median(bests) > 0.04, `median best ${median(bests)} (expected about 0.11)`);
  });

  it('draws each trial independently of the order trials run in', async () => {
    const sampler = new RandomSampler({ seed: 5 });
    const a = await createStudy({ sampler, pruner: new NopPruner() });
    const t0 = await a.ask();
    const t1 = await a.ask();
    const y1 = t1.suggestFloat('y', 0, 1);
    const x0 = t0.suggestFloat('x', 0, 1);
    const b = await createStudy({ sampler, pruner: new NopPruner() });
    const u0 = await b.ask();
    const u1 = await b.ask();
    assert.equal(u0.suggestFloat('x', 0, 1), x0);
    assert.equal(u1.suggestFloat('y', 0, 1), y1);
  });

  it('rejects a non-integer seed', () => {
    assert.throws(
      () => new RandomSampler({ seed: 1.5 }),
      (e: unknown) => e instanceof InvalidArgumentError && /seed/.test(e.message),
    );
  });
});

describe('GridSampler', () => {
  it('covers a 10x10 grid exactly once with 4 concurrent workers, then stops', async () => {
    const storage = new InMemoryStorage();
    const grid = { a: Array.from({ length: 10 }, (_, i) => i), b: logGrid(1, 512, 2) };
    await createStudy({ studyName: 'g', storage, seed: 1 });
    const workers = await Promise.all(
      Array.from({ length: 4 }, () => loadStudy({ studyName: 'g', storage, sampler: new GridSampler(grid), pruner: new NopPruner() })),
    );
    const results = await Promise.all(
      workers.map((w) =>
        w.optimize(
          async (t) => {
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            return t.suggestInt('a', 0, 9) * t.suggestOrdinal('b', logGrid(1, 512, 2));
          },
          { concurrency: 2 },
        ),
      ),
    );
    assert.ok(results.every((r) => r.stoppedBy === 'exhausted'));
    const trials = await workers[0].trials;
    assert.equal(trials.length, 100);
    assert.ok(trials.every((t) => t.state === 'COMPLETE'));
    const cells = new Set(trials.map((t) => `${t.params.a},${t.params.b}`));
    assert.equal(cells.size, 100);
    assert.ok(
      results.every((r) => r.complete > 0),
      'every worker ran some cells',
    );
    assert.equal(
      results.reduce((n, r) => n + r.complete, 0),
      100,
    );
  });

  it('says which parameter is missing from the grid, and which value is outside the distribution', async () => {
    const study = await createStudy({ sampler: new GridSampler({ x: [1, 2] }), pruner: new NopPruner() });
    const trial = await study.ask();
    assert.throws(
      () => trial.suggestFloat('y', 0, 1),
      (e: unknown) => e instanceof InvalidArgumentError && /"y"/.test(e.message) && /"x"/.test(e.message),
    );
    assert.throws(
      () => trial.suggestInt('x', 5, 9),
      (e: unknown) => e instanceof InvalidArgumentError && /"x"/.test(e.message) && /not in/.test(e.message),
    );
  });

  it('validates the grid', () => {
    assert.throws(() => new GridSampler({}), /at least one parameter/);
    assert.throws(() => new GridSampler({ x: [] }), /grid\["x"\]/);
    assert.throws(() => new GridSampler({ x: [1, 1] }), /duplicate/);
    assert.throws(() => new GridSampler({ x: [NaN] }), /grid\["x"\]/);
  });

  it('visits cells in a seeded order, lexicographic with shuffle: false', async () => {
    const study = await createStudy({
      sampler: new GridSampler({ x: [0, 1, 2], y: ['a', 'b'] }, { shuffle: false }),
      pruner: new NopPruner(),
    });
    await study.optimize((t) => t.suggestInt('x', 0, 2) + (t.suggestCategorical('y', ['a', 'b']) === 'a' ? 0 : 10));
    assert.deepEqual(
      (await study.trials).map((t) => t.values![0]),
      [0, 10, 1, 11, 2, 12],
    );
  });
});
