/**
 * TpeSampler: the shared sampler contract (univariate, multivariate, grouped), the split of trials
 * (pruned trials by their last step, constraints, constant liar, the multi-objective rank and HSSP),
 * the ordinal axis, options, and that the model beats random search with seeded statistical bounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floatDistribution, ordinalDistribution } from '../../src/core/distributions.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { hypervolume } from '../../src/core/hypervolume.js';
import type { FrozenTrial } from '../../src/core/trial-record.js';
import { InMemoryStorage, RandomSampler, TpeSampler, createStudy, type Sampler, type Trial } from '../../src/index.js';
import { ParzenEstimator } from '../../src/samplers/tpe/parzen-estimator.js';
import { defaultGamma, defaultWeights } from '../../src/samplers/tpe/sampler.js';
import { collectObservations, solveHssp, splitObservations } from '../../src/samplers/tpe/split.js';
import { frozenTrial, runSamplerContract } from '../../src/testing.js';

runSamplerContract('TpeSampler (multivariate, the default)', { make: (seed) => new TpeSampler({ seed, nStartupTrials: 5 }) });
runSamplerContract('TpeSampler (univariate)', { make: (seed) => new TpeSampler({ seed, nStartupTrials: 5, multivariate: false }) });
runSamplerContract('TpeSampler (group)', { make: (seed) => new TpeSampler({ seed, nStartupTrials: 5, group: true }) });
runSamplerContract('TpeSampler (optuna-3.1 preset)', { make: (seed) => new TpeSampler({ seed, nStartupTrials: 5, preset: 'optuna-3.1' }) });

const X = floatDistribution('x', 0, 1);

/** A finished trial with one float parameter x. */
function trialWith(
  number: number,
  x: number,
  spec: { state?: FrozenTrial['state']; values?: number[] | null; steps?: [number, number][]; constraints?: number[] },
): FrozenTrial {
  const base = frozenTrial({ number, state: spec.state ?? 'COMPLETE', values: spec.values ?? null });
  return {
    ...base,
    trialId: number,
    params: { x },
    internalParams: { x },
    distributions: { x: X },
    intermediateValues: new Map(spec.steps ?? []),
    systemAttrs: spec.constraints ? { constraints: spec.constraints } : {},
  };
}

function numbersOf(list: readonly { trial: FrozenTrial }[]): number[] {
  return list.map((o) => o.trial.number).sort((a, b) => a - b);
}

function split(trials: FrozenTrial[], nBelow: number, opts: { directions?: ('minimize' | 'maximize')[]; constantLiar?: boolean } = {}) {
  const directions = opts.directions ?? ['minimize'];
  const { observations } = collectObservations(trials, {
    constantLiar: opts.constantLiar ?? true,
    multiObjective: directions.length > 1,
    exclude: -1,
  });
  const constraints = trials.some((t) => t.systemAttrs.constraints !== undefined);
  return splitObservations(observations, directions, nBelow, constraints);
}

describe('TPE split', () => {
  it('puts the best complete trials below, by direction', () => {
    const trials = [5, 1, 4, 2, 3].map((v, i) => trialWith(i, i / 10, { values: [v] }));
    assert.deepEqual(numbersOf(split(trials, 2).below), [1, 3]);
    assert.deepEqual(numbersOf(split(trials, 2, { directions: ['maximize'] }).below), [0, 2]);
    assert.deepEqual(numbersOf(split(trials, 2).above), [0, 2, 4]);
  });

  it('ranks pruned trials after complete ones: deepest step first, then its value, NaN last, none after', () => {
    const trials = [
      trialWith(0, 0.1, { values: [9] }),
      trialWith(1, 0.2, { state: 'PRUNED', steps: [[1, 0.5]] }),
      trialWith(2, 0.3, {
        state: 'PRUNED',
        steps: [
          [1, 0.1],
          [3, 7],
        ],
      }),
      trialWith(3, 0.4, { state: 'PRUNED', steps: [[3, 2]] }),
      trialWith(4, 0.5, { state: 'PRUNED', steps: [[3, Number.NaN]] }),
      trialWith(5, 0.6, { state: 'PRUNED' }),
    ];
    const order = [0, 3, 2, 4, 1, 5];
    for (let k = 1; k <= order.length; k++)
      assert.deepEqual(
        numbersOf(split(trials, k).below),
        order.slice(0, k).sort((a, b) => a - b),
        `k=${k}`,
      );
  });

  it('puts infeasible trials after the feasible ones, by total violation; a trial without constraints is the most violating', () => {
    const trials = [
      trialWith(0, 0.1, { values: [0], constraints: [2, -1] }),
      trialWith(1, 0.2, { values: [5], constraints: [-1, 0] }),
      trialWith(2, 0.3, { values: [-3], constraints: [0.5, 0.5] }),
      trialWith(3, 0.4, { values: [-9] }),
    ];
    assert.deepEqual(numbersOf(split(trials, 1).below), [1]);
    assert.deepEqual(numbersOf(split(trials, 2).below), [1, 2]);
    assert.deepEqual(numbersOf(split(trials, 3).below), [0, 1, 2]);
  });

  it('with constant liar, running trials (their params sampled at ask too) are above; without it they are left out', () => {
    const running = {
      ...trialWith(2, 0.9, { state: 'RUNNING' }),
      params: {},
      internalParams: {},
      distributions: {},
      systemAttrs: { 'tansaku:relative': { y: { distribution: floatDistribution('y', 0, 1), internal: 0.25 } } },
    } as unknown as FrozenTrial;
    const trials = [trialWith(0, 0.1, { values: [1] }), trialWith(1, 0.2, { values: [2] }), running];
    const { observations } = collectObservations(trials, { constantLiar: true, multiObjective: false, exclude: -1 });
    const liar = splitObservations(observations, ['minimize'], 3, false);
    assert.deepEqual(numbersOf(liar.below), [0, 1]);
    assert.deepEqual(numbersOf(liar.above), [2]);
    assert.equal(collectObservations(trials, { constantLiar: false, multiObjective: false, exclude: -1 }).observations.length, 2);
    assert.equal(collectObservations(trials, { constantLiar: true, multiObjective: false, exclude: 2 }).observations.length, 2);
  });

  it('splits several objectives by non-domination rank, the last rank cut by hypervolume subset selection', () => {
    // Rank 0: (0,4) (1,1) (4,0) and (2,2)? no: (1,1) dominates (2,2). Rank 0 = {0,1,2}, rank 1 = {3,4}.
    const points = [
      [0, 4],
      [1, 1],
      [4, 0],
      [2, 2],
      [5, 5],
    ];
    const trials = points.map((v, i) => trialWith(i, i / 10, { values: v }));
    const mo = split(trials, 2, { directions: ['minimize', 'minimize'] });
    assert.equal(mo.below.length, 2);
    assert.ok(mo.belowWeights !== null);
    // Every pair of the first front: the pair HSSP picks has the largest hypervolume of the three.
    const chosen = numbersOf(mo.below);
    const reference = [4.4, 4.4];
    const hv = (ids: number[]) =>
      hypervolume(
        ids.map((i) => points[i]),
        reference,
      );
    for (const pair of [
      [0, 1],
      [0, 2],
      [1, 2],
    ])
      assert.ok(hv(chosen) >= hv(pair) - 1e-12, `${chosen} vs ${pair}`);
    assert.deepEqual(numbersOf(split(trials, 4, { directions: ['minimize', 'minimize'] }).below), [0, 1, 2, 3]);
  });

  it('greedy HSSP takes the point of the largest contribution first, then updates the contributions', () => {
    const points = [
      [0, 10],
      [5, 5],
      [10, 0],
      [6, 6],
    ];
    assert.deepEqual(solveHssp(points, [10, 11, 12, 13], 1), [11]);
    const two = solveHssp(points, [10, 11, 12, 13], 2);
    assert.equal(two.length, 2);
    assert.ok(two.includes(11));
  });
});

describe('TPE defaults', () => {
  it('gamma is min(ceil(0.1 n), 25) and the weights are Optuna ramp', () => {
    assert.deepEqual([0, 1, 10, 11, 100, 249, 250, 1000].map(defaultGamma), [0, 1, 1, 2, 10, 25, 25, 25]);
    assert.deepEqual([...defaultWeights(3)], [1, 1, 1]);
    // numpy: np.concatenate([np.linspace(1 / 30, 1, 5), np.ones(25)])
    const w = defaultWeights(30);
    const expected = [1 / 30, 1 / 30 + (1 - 1 / 30) / 4, 1 / 30 + (2 * (1 - 1 / 30)) / 4, 1 / 30 + (3 * (1 - 1 / 30)) / 4, 1];
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(w[i] - expected[i]) < 1e-15, `w[${i}]`);
    for (let i = 5; i < 30; i++) assert.equal(w[i], 1);
  });
});

describe('TPE below-set size', () => {
  it('is min(ceil(0.1 n), 25) for one objective; ceil(0.1 n) for several (Optuna 5), capped again by the 3.1 preset or a given gamma', () => {
    const tpe = new TpeSampler();
    assert.deepEqual(
      [10, 11, 250, 300].map((n) => tpe.belowSize(n, 1)),
      [1, 2, 25, 25],
    );
    assert.deepEqual(
      [10, 11, 250, 300].map((n) => tpe.belowSize(n, 2)),
      [1, 2, 25, 30],
    );
    assert.equal(new TpeSampler({ preset: 'optuna-3.1' }).belowSize(300, 2), 25);
    assert.equal(new TpeSampler({ gamma: 0.2 }).belowSize(300, 3), 25);
    assert.equal(new TpeSampler({ gamma: (n) => n >> 1 }).belowSize(300, 2), 150);
  });
});

describe('TPE on an ordinal parameter', () => {
  it('treats it as an ordered axis: a neighbour of the good values is likelier than a far value', () => {
    const o = ordinalDistribution('o', [1, 2, 4, 8, 16, 32, 64, 128]);
    const estimator = new ParzenEstimator({ o: Float64Array.from([3, 3, 4]) }, { o }, [1, 1, 1], {
      priorWeight: 1,
      considerEndpoints: false,
      considerMagicClip: true,
      multivariate: false,
    });
    const logPdf = estimator.logPdf({ o: Float64Array.from([2, 5, 7, 0]) });
    assert.ok(logPdf[0] > logPdf[2] + 1, `index 2 (${logPdf[0]}) vs index 7 (${logPdf[2]})`);
    assert.ok(logPdf[1] > logPdf[3] + 0.5, `index 5 (${logPdf[1]}) vs index 0 (${logPdf[3]})`);
    // A probability distribution over the indices.
    const all = estimator.logPdf({ o: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) });
    assert.ok(Math.abs(all.reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-9);
  });
});

function sphere(trial: Trial): number {
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += trial.suggestFloat(`x${i}`, -5, 5) ** 2;
  return sum;
}

async function bestOf(sampler: Sampler, objective: (t: Trial) => number, nTrials: number, seed: number): Promise<number> {
  const study = await createStudy({ sampler, seed, storage: new InMemoryStorage() });
  await study.optimize(objective, { nTrials });
  return study.bestValue;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

describe('TPE models the objective', () => {
  it('5-D sphere, 100 trials, 8 seeds: median best at most a third of random search, every variant', async () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
    const random = median(await Promise.all(seeds.map((s) => bestOf(new RandomSampler({ seed: s }), sphere, 100, s))));
    // Measured (20 seeds): random 5.3; TPE 0.95 (multivariate), 1.15 (univariate), 0.54 (3.1 preset).
    for (const [label, make] of [
      ['multivariate', (s: number) => new TpeSampler({ seed: s })],
      ['univariate', (s: number) => new TpeSampler({ seed: s, multivariate: false })],
      ['optuna-3.1', (s: number) => new TpeSampler({ seed: s, preset: 'optuna-3.1' })],
    ] as const) {
      const tpe = median(await Promise.all(seeds.map((s) => bestOf(make(s), sphere, 100, s))));
      assert.ok(tpe < random / 3, `${label}: TPE ${tpe} vs random ${random}`);
    }
  });

  it('learns which categorical choice is good: most late trials pick it', async () => {
    const study = await createStudy({ sampler: new TpeSampler({ seed: 4 }), seed: 4 });
    await study.optimize(
      (t) => {
        const c = t.suggestCategorical('c', ['bad1', 'good', 'bad2', 'bad3']);
        const x = t.suggestFloat('x', 0, 1);
        return (c === 'good' ? 0 : 1) + x;
      },
      { nTrials: 60 },
    );
    const late = (await study.trials).slice(30);
    const good = late.filter((t) => t.params.c === 'good').length;
    assert.ok(good >= 20, `${good} of 30 late trials chose "good" (random: about 7)`);
  });

  it('keeps to a constraint: late trials are feasible far more often than without it, the best feasible near the boundary', async () => {
    const run = async (constrained: boolean) => {
      const study = await createStudy({ sampler: new TpeSampler({ seed: 2 }), seed: 2 });
      await study.optimize(
        (t) => {
          const x = t.suggestFloat('x', -3, 3);
          if (constrained) t.setConstraints([1 - x]);
          return x * x;
        },
        { nTrials: 80 },
      );
      const trials = await study.trials;
      const feasible = trials.slice(40).filter((t) => (t.params.x as number) >= 1).length;
      const best = Math.min(...trials.filter((t) => (t.params.x as number) >= 1).map((t) => t.values![0]));
      return { feasible, best };
    };
    const withConstraint = await run(true);
    const without = await run(false);
    // Random search: 1/3 of trials feasible (about 13 of 40); unconstrained TPE goes to x = 0.
    assert.ok(withConstraint.feasible >= 18, `${withConstraint.feasible} of 40 late trials feasible`);
    assert.ok(withConstraint.feasible >= 3 * without.feasible, `${withConstraint.feasible} vs ${without.feasible} without the constraint`);
    assert.ok(withConstraint.best < 1.1, `best feasible ${withConstraint.best} (optimum 1)`);
  });

  it('runs conditional spaces with group, and with several objectives', async () => {
    const grouped = await createStudy({ sampler: new TpeSampler({ seed: 1, group: true, nStartupTrials: 5 }), seed: 1 });
    await grouped.optimize(
      (t) => {
        const model = t.suggestCategorical('model', ['a', 'b']);
        if (model === 'a') return (t.suggestFloat('xa', -1, 1) - 0.5) ** 2;
        return 1 + t.suggestInt('nb', 1, 9, { log: true });
      },
      { nTrials: 40 },
    );
    assert.ok((await grouped.bestValue) < 0.05, `best ${await grouped.bestValue}`);
    const mo = await createStudy({
      sampler: new TpeSampler({ seed: 1, nStartupTrials: 5 }),
      seed: 1,
      directions: ['minimize', 'minimize'],
    });
    await mo.optimize(
      (t) => {
        const x = t.suggestFloat('x', 0, 1);
        const y = t.suggestFloat('y', 0, 1);
        return [x, 1 - Math.sqrt(x) + y];
      },
      { nTrials: 50 },
    );
    const front = (await mo.trials).slice(25).filter((t) => t.values![1] - (1 - Math.sqrt(t.values![0])) < 0.1).length;
    assert.ok(front >= 10, `${front} of 25 late trials within 0.1 of the front`);
  });
});

describe('TPE options', () => {
  it('refuses bad options with an error naming the option and what it expects', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ nStartupTrials: -1 }, /nStartupTrials must be an integer >= 0, got -1/],
      [{ nEiCandidates: 0 }, /nEiCandidates must be an integer >= 1/],
      [{ nEiCandidates: 2.5 }, /nEiCandidates/],
      [{ multivariate: 'yes' }, /multivariate must be true or false/],
      [{ group: true, multivariate: false }, /group needs multivariate/],
      [{ constantLiar: 1 }, /constantLiar must be true or false/],
      [{ priorWeight: 0 }, /priorWeight must be a finite number > 0/],
      [{ gamma: 2 }, /gamma must be a function of n or a fraction in \(0, 1\]/],
      [{ weights: [1, 2] }, /weights must be a function of n/],
      [{ seed: 'one' }, /seed must be an integer/],
      [{ preset: 'optuna-3.2' }, /preset must be "optuna-3.1"/],
      [{ n_startup_trials: 5 }, /n_startup_trials/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => new TpeSampler(options as never),
        (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
        JSON.stringify(options),
      );
    }
  });

  it('checks what a gamma or weights function returns', async () => {
    const bad = async (sampler: TpeSampler, message: RegExp) => {
      const study = await createStudy({ sampler, seed: 1 });
      await assert.rejects(
        study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 4 }),
        (e: unknown) => e instanceof InvalidArgumentError && message.test(e.message),
      );
    };
    await bad(new TpeSampler({ nStartupTrials: 2, gamma: () => -1 }), /gamma\(2\) must return an integer >= 0/);
    await bad(new TpeSampler({ nStartupTrials: 2, weights: () => [1] }), /weights\(\d\) must return \d weights/);
  });

  it('the 3.1 preset is univariate without constant liar; given options still win', () => {
    const legacy = new TpeSampler({ preset: 'optuna-3.1' });
    assert.equal(legacy.multivariate, false);
    assert.equal(legacy.constantLiar, false);
    const mv = new TpeSampler({ preset: 'optuna-3.1', multivariate: true, constantLiar: true });
    assert.equal(mv.multivariate, true);
    assert.equal(mv.constantLiar, true);
    const defaults = new TpeSampler();
    assert.equal(defaults.multivariate, null);
    assert.equal(defaults.constantLiar, true);
    assert.equal(defaults.nStartupTrials, 10);
    assert.equal(defaults.nEiCandidates, 24);
  });
});

describe('TPE in parallel', () => {
  it('with constant liar, trials asked together spread out; without it they coincide', async () => {
    const spread = async (constantLiar: boolean): Promise<number> => {
      const study = await createStudy({ sampler: new TpeSampler({ seed: 3, constantLiar, multivariate: true }), seed: 3 });
      await study.optimize((t) => (t.suggestFloat('x', 0, 1) - 0.3) ** 2 + (t.suggestFloat('y', 0, 1) - 0.6) ** 2, { nTrials: 20 });
      // 8 trials asked before any is told: with the same trials seen, only the liar separates them.
      const asked = [];
      for (let i = 0; i < 8; i++) asked.push(await study.ask());
      const points = asked.map((t) => [t.suggestFloat('x', 0, 1), t.suggestFloat('y', 0, 1)]);
      let close = 0;
      for (let i = 0; i < points.length; i++)
        for (let j = i + 1; j < points.length; j++)
          if (Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]) < 0.02) close++;
      return close;
    };
    const withLiar = await spread(true);
    const without = await spread(false);
    assert.ok(withLiar <= 2, `${withLiar} close pairs with constant liar`);
    assert.ok(without >= withLiar, `${without} close pairs without it`);
  });
});
