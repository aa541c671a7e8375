/**
 * QmcSampler against a small fake StudyView: values lie in their distributions, the relative sample is
 * Sobol' point `trial.number`, the inferred search space is stored once and reused by every worker,
 * and results do not depend on call order. Also the centered L2 discrepancy helper against SciPy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  categoricalDistribution,
  contains,
  distributionsEqual,
  floatDistribution,
  fromUnit,
  intDistribution,
  ordinalDistribution,
  toUnit,
  type Distribution,
  type SearchSpace,
} from '../../src/core/distributions.js';
import { InvalidArgumentError, InvalidDistributionError, StorageError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { StudyView } from '../../src/core/sampler.js';
import type { GetTrialsOptions, Storage } from '../../src/core/storage.js';
import type { FrozenTrial, JsonValue, StudyDirection, TrialState } from '../../src/core/trial-record.js';
import { QMC_SEARCH_SPACE_ATTR, QmcSampler, centeredL2Discrepancy } from '../../src/samplers/qmc/sampler.js';
import { SOBOL_MAX_DIMENSION, SobolSequence } from '../../src/samplers/qmc/sobol.js';

/** SciPy's centered L2 discrepancies, recorded by scripts/make-sobol-reference.py. */
const { discrepancy: CD } = JSON.parse(readFileSync(new URL('../fixtures/reference/scipy-qmc.json', import.meta.url), 'utf8')) as {
  discrepancy: { points3d: number[][]; value3d: number; points1d: number[][]; value1d: number; unscrambledSobol256In2d: number };
};
/** 10 points in [0,1]^3 (numpy default_rng(7).random((10, 3))) and scipy.stats.qmc.discrepancy(points, method='CD'). */
const CD_POINTS_3D = CD.points3d;
const CD_VALUE_3D = CD.value3d;
/** 7 points in [0,1] (default_rng(8).random((7, 1))) and their CD from SciPy. */
const CD_POINTS_1D = CD.points1d;
const CD_VALUE_1D = CD.value1d;
/** SciPy: discrepancy(Sobol(2, scramble=False).random(256), method='CD'). */
const CD_UNSCRAMBLED_SOBOL_256_2D = CD.unscrambledSobol256In2d;

// Every assert.ok here carries a message: without one, a failing assert.ok makes Node re-read and parse
// the test source to describe the expression, which under tsx's transform can take minutes.
function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: got ${actual}, expected ${expected} within ${tolerance}`);
}

function frozenTrial(number: number, state: TrialState, distributions: Record<string, Distribution> = {}): FrozenTrial {
  const internalParams: Record<string, number> = {};
  for (const [name, d] of Object.entries(distributions)) internalParams[name] = fromUnit(d, 0.5);
  return {
    trialId: 1000 + number,
    number,
    studyId: 1,
    state,
    params: { ...internalParams },
    internalParams,
    distributions,
    values: state === 'COMPLETE' ? [number] : null,
    intermediateValues: new Map(),
    userAttrs: {},
    systemAttrs: {},
    datetimeStart: 0,
    datetimeComplete: state === 'COMPLETE' || state === 'FAIL' || state === 'PRUNED' ? 1 : null,
    workerId: null,
  };
}

/**
 * What a sampler sees of a study. Workers of one study share `shared` (the storage's trials and
 * system attributes); attributes go through JSON as they would through a real storage.
 */
class FakeStudy implements StudyView {
  readonly studyId = 1;
  readonly studyName = 'qmc-test';
  readonly directions: readonly StudyDirection[] = ['minimize'];
  readonly storage = {} as Storage;
  getTrialsCalls = 0;
  setSystemAttrCalls = 0;

  constructor(
    readonly seed: number,
    readonly shared: { trials: FrozenTrial[]; attrs: Map<string, JsonValue> } = { trials: [], attrs: new Map() },
  ) {}

  async getTrials(options?: GetTrialsOptions): Promise<readonly FrozenTrial[]> {
    this.getTrialsCalls++;
    const states = options?.states;
    return this.shared.trials.filter((t) => states === undefined || states.includes(t.state));
  }

  async getSystemAttrs(): Promise<Readonly<Record<string, JsonValue>>> {
    return Object.fromEntries(this.shared.attrs);
  }

  async setSystemAttr(key: string, value: JsonValue): Promise<void> {
    this.setSystemAttrCalls++;
    this.shared.attrs.set(key, JSON.parse(JSON.stringify(value)) as JsonValue);
  }
}

const ALL_KINDS: SearchSpace = {
  lr: floatDistribution('lr', 1e-5, 1e-1, { log: true }),
  dropout: floatDistribution('dropout', 0, 0.5),
  momentum: floatDistribution('momentum', 0.5, 0.95, { step: 0.05 }),
  layers: intDistribution('layers', 1, 8),
  batch: intDistribution('batch', 16, 1024, { log: true }),
  units: intDistribution('units', 32, 512, { step: 32 }),
  width: ordinalDistribution('width', [8, 16, 32, 64, 128]),
  activation: categoricalDistribution('activation', ['relu', 'tanh', 'gelu']),
  fixed: floatDistribution('fixed', 3, 3),
};

describe('QmcSampler with a given search space', () => {
  it('returns values inside every kind of distribution, and skips single-value parameters', async () => {
    const study = new FakeStudy(11);
    const sampler = new QmcSampler({ searchSpace: ALL_KINDS });
    for (let n = 0; n < 128; n++) {
      const sample = await sampler.sampleRelative(study, frozenTrial(n, 'RUNNING'));
      assert.deepEqual(
        Object.keys(sample).sort(),
        Object.keys(ALL_KINDS)
          .filter((k) => k !== 'fixed')
          .sort(),
      );
      for (const [name, { distribution, internal }] of Object.entries(sample)) {
        assert.ok(distributionsEqual(distribution, ALL_KINDS[name]), name);
        assert.ok(contains(distribution, internal), `trial ${n}: ${name} = ${internal}`);
      }
    }
    assert.equal(study.getTrialsCalls, 0, 'a given space needs no history');
    assert.equal(study.shared.attrs.size, 0, 'a given space is not stored');
  });

  it('uses coordinate d of Sobol point trial.number for the d-th parameter in name order', async () => {
    const space = { b: floatDistribution('b', 0, 1), a: floatDistribution('a', -10, 10), c: intDistribution('c', 0, 1) };
    const seed = 2024;
    const sampler = new QmcSampler({ seed, searchSpace: space });
    const sobol = new SobolSequence(3, { seed });
    for (const n of [0, 1, 2, 63, 64, 1000, 123456]) {
      const sample = await sampler.sampleRelative(new FakeStudy(1), frozenTrial(n, 'RUNNING'));
      const u = sobol.point(n);
      assert.equal(sample.a.internal, fromUnit(space.a, u[0]));
      assert.equal(sample.b.internal, fromUnit(space.b, u[1]));
      assert.equal(sample.c.internal, fromUnit(space.c, u[2]));
    }
  });

  it('without scrambling, gives trial 0 the lower corner and trial 1 the centre (as SciPy)', async () => {
    const space = { x: floatDistribution('x', -4, 4), y: intDistribution('y', 0, 9) };
    const sampler = new QmcSampler({ scramble: false, searchSpace: space });
    const t0 = await sampler.sampleRelative(new FakeStudy(1), frozenTrial(0, 'RUNNING'));
    const t1 = await sampler.sampleRelative(new FakeStudy(1), frozenTrial(1, 'RUNNING'));
    assert.deepEqual([t0.x.internal, t0.y.internal], [-4, 0]);
    assert.deepEqual([t1.x.internal, t1.y.internal], [0, 5]);
  });

  it('spreads 64 trials evenly: each int and category value equally often, one float per 1/64 stratum', async () => {
    const space = {
      x: floatDistribution('x', 0, 1),
      k: intDistribution('k', 0, 7),
      c: categoricalDistribution('c', ['a', 'b', 'c', 'd']),
      w: ordinalDistribution('w', [1, 2]),
    };
    for (const seed of [1, 2, 3]) {
      const sampler = new QmcSampler({ seed, searchSpace: space });
      const counts = { k: new Map<number, number>(), c: new Map<number, number>(), w: new Map<number, number>() };
      const xStrata = new Set<number>();
      for (let n = 0; n < 64; n++) {
        const s = await sampler.sampleRelative(new FakeStudy(1), frozenTrial(n, 'RUNNING'));
        xStrata.add(Math.floor(toUnit(space.x, s.x.internal) * 64));
        for (const name of ['k', 'c', 'w'] as const) {
          counts[name].set(s[name].internal, (counts[name].get(s[name].internal) ?? 0) + 1);
        }
      }
      assert.equal(xStrata.size, 64);
      assert.deepEqual([...counts.k.values()], new Array(8).fill(8));
      assert.deepEqual([...counts.c.values()], new Array(4).fill(16));
      assert.deepEqual([...counts.w.values()], [32, 32]);
    }
  });

  it('gives a trial the same values whatever order trials are sampled in, on any worker', async () => {
    const shared = { trials: [], attrs: new Map<string, JsonValue>() };
    const first = new QmcSampler({ searchSpace: ALL_KINDS });
    const second = new QmcSampler({ searchSpace: ALL_KINDS });
    const a = new Map<number, unknown>();
    const b = new Map<number, unknown>();
    for (const n of [5, 3, 9, 0, 700]) a.set(n, await first.sampleRelative(new FakeStudy(8, shared), frozenTrial(n, 'RUNNING')));
    for (const n of [700, 9, 0, 5, 3]) b.set(n, await second.sampleRelative(new FakeStudy(8, shared), frozenTrial(n, 'RUNNING')));
    for (const n of a.keys()) assert.deepEqual(b.get(n), a.get(n), `trial ${n}`);
    assert.deepEqual(await first.sampleRelative(new FakeStudy(8, shared), frozenTrial(3, 'RUNNING')), a.get(3));
  });

  it('seeds from options.seed when given, else from the study seed', async () => {
    const space = { x: floatDistribution('x', 0, 1), y: floatDistribution('y', 0, 1) };
    const trial = frozenTrial(6, 'RUNNING');
    const fixedSeed = new QmcSampler({ seed: 5, searchSpace: space });
    assert.deepEqual(await fixedSeed.sampleRelative(new FakeStudy(1), trial), await fixedSeed.sampleRelative(new FakeStudy(2), trial));
    assert.deepEqual(
      await new QmcSampler({ searchSpace: space }).sampleRelative(new FakeStudy(5), trial),
      await fixedSeed.sampleRelative(new FakeStudy(1), trial),
    );
    assert.notDeepEqual(
      await new QmcSampler({ seed: 6, searchSpace: space }).sampleRelative(new FakeStudy(1), trial),
      await fixedSeed.sampleRelative(new FakeStudy(1), trial),
    );
  });

  it('rejects a trial number past the end of the sequence', async () => {
    const sampler = new QmcSampler({ searchSpace: { x: floatDistribution('x', 0, 1) } });
    await assert.rejects(sampler.sampleRelative(new FakeStudy(1), frozenTrial(2 ** 30, 'RUNNING')), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
      assert.match(e.message, /trial number 1073741824/);
      return true;
    });
  });
});

describe('QmcSampler with an inferred search space', () => {
  const spaceOfTrial2 = { y: intDistribution('y', 1, 6), x: floatDistribution('x', 0, 2) };

  function history(): FrozenTrial[] {
    // Listed out of order on purpose: the sampler must pick the lowest-numbered COMPLETE trial.
    return [
      frozenTrial(3, 'COMPLETE', { w: floatDistribution('w', 0, 1) }),
      frozenTrial(0, 'FAIL', { z: floatDistribution('z', 0, 1) }),
      frozenTrial(2, 'COMPLETE', spaceOfTrial2),
      frozenTrial(1, 'RUNNING', { v: floatDistribution('v', 0, 1) }),
    ];
  }

  it('samples nothing jointly, and stores nothing, until a trial completes', async () => {
    const study = new FakeStudy(3, { trials: [frozenTrial(0, 'RUNNING'), frozenTrial(1, 'FAIL')], attrs: new Map() });
    const sampler = new QmcSampler();
    assert.deepEqual(await sampler.sampleRelative(study, frozenTrial(2, 'RUNNING')), {});
    assert.equal(study.shared.attrs.size, 0);
  });

  it('infers the space from the first COMPLETE trial, sorted by name, and stores it as JSON', async () => {
    const study = new FakeStudy(3, { trials: history(), attrs: new Map() });
    const sampler = new QmcSampler();
    const sample = await sampler.sampleRelative(study, frozenTrial(4, 'RUNNING'));
    assert.deepEqual(Object.keys(sample), ['x', 'y']);
    const stored = study.shared.attrs.get(QMC_SEARCH_SPACE_ATTR) as Record<string, JsonValue>;
    assert.deepEqual(Object.keys(stored), ['x', 'y']);
    assert.deepEqual(stored, JSON.parse(JSON.stringify({ x: spaceOfTrial2.x, y: spaceOfTrial2.y })));
    const u = new SobolSequence(2, { seed: 3 }).point(4);
    assert.equal(sample.x.internal, fromUnit(spaceOfTrial2.x, u[0]));
    assert.equal(sample.y.internal, fromUnit(spaceOfTrial2.y, u[1]));
  });

  it('reuses the stored space after earlier trials complete, in this worker and in a new one', async () => {
    const shared = { trials: history(), attrs: new Map<string, JsonValue>() };
    const worker1 = new QmcSampler();
    const before = await worker1.sampleRelative(new FakeStudy(3, shared), frozenTrial(9, 'RUNNING'));
    // Trial 1 now completes with other parameters: it is the first COMPLETE trial, but the space stays.
    shared.trials = shared.trials.map((t) => (t.number === 1 ? frozenTrial(1, 'COMPLETE', { v: floatDistribution('v', 0, 1) }) : t));
    const study2 = new FakeStudy(3, shared);
    const worker2 = new QmcSampler();
    const after1 = await worker1.sampleRelative(new FakeStudy(3, shared), frozenTrial(9, 'RUNNING'));
    const after2 = await worker2.sampleRelative(study2, frozenTrial(9, 'RUNNING'));
    assert.deepEqual(after1, before);
    assert.deepEqual(after2, before);
    assert.equal(study2.getTrialsCalls, 0, 'a stored space needs no history');
    assert.equal(study2.setSystemAttrCalls, 0);
  });

  it('uses a space already stored in the study whatever the trials hold (restarted process)', async () => {
    const storedSpace = { q: ordinalDistribution('q', ['s', 'm', 'l']), p: floatDistribution('p', 1, 100, { log: true }) };
    const attrs = new Map<string, JsonValue>([[QMC_SEARCH_SPACE_ATTR, JSON.parse(JSON.stringify(storedSpace)) as JsonValue]]);
    const study = new FakeStudy(4, { trials: history(), attrs });
    const sample = await new QmcSampler().sampleRelative(study, frozenTrial(7, 'RUNNING'));
    assert.deepEqual(Object.keys(sample), ['p', 'q']);
    assert.ok(distributionsEqual(sample.q.distribution, storedSpace.q), 'q keeps its stored distribution');
    assert.ok(contains(storedSpace.p, sample.p.internal), `p = ${sample.p.internal} is in its stored range`);
    assert.equal(study.getTrialsCalls, 0);
  });

  it('follows the stored value when another worker stored a different space at the same moment', async () => {
    const otherSpace = { o: floatDistribution('o', 0, 1) };
    const study = new FakeStudy(3, { trials: history(), attrs: new Map() });
    const store = study.setSystemAttr.bind(study);
    study.setSystemAttr = async (key, value) => {
      await store(key, value);
      study.shared.attrs.set(key, JSON.parse(JSON.stringify(otherSpace)) as JsonValue); // the other worker's later write
    };
    const sample = await new QmcSampler().sampleRelative(study, frozenTrial(5, 'RUNNING'));
    assert.deepEqual(Object.keys(sample), ['o']);
  });

  it('reports a corrupt stored space as a storage error naming the attribute', async () => {
    const attrs = new Map<string, JsonValue>([[QMC_SEARCH_SPACE_ATTR, 'not a space']]);
    await assert.rejects(
      new QmcSampler().sampleRelative(new FakeStudy(1, { trials: [], attrs }), frozenTrial(0, 'RUNNING')),
      (e: unknown) => {
        assert.ok(e instanceof StorageError, `expected StorageError, got ${String(e)}`);
        assert.match(e.message, /tansaku:qmc:search_space/);
        assert.match(e.message, /"not a space"/);
        return true;
      },
    );
    attrs.set(QMC_SEARCH_SPACE_ATTR, { x: { type: 'float', low: 2, high: 1 } });
    await assert.rejects(
      new QmcSampler().sampleRelative(new FakeStudy(1, { trials: [], attrs }), frozenTrial(0, 'RUNNING')),
      InvalidDistributionError,
    );
  });
});

describe('QmcSampler.sampleIndependent', () => {
  it('draws uniformly from Rng.forKey(seed, trial.number, name), inside every kind of distribution', () => {
    const sampler = new QmcSampler();
    const study = new FakeStudy(77);
    for (let n = 0; n < 100; n++) {
      for (const [name, d] of Object.entries(ALL_KINDS)) {
        const internal = sampler.sampleIndependent(study, frozenTrial(n, 'RUNNING'), name, d);
        assert.ok(contains(d, internal), `trial ${n}: ${name} = ${internal}`);
        assert.equal(internal, fromUnit(d, Rng.forKey(77, n, name).random()));
      }
    }
    const seeded = new QmcSampler({ seed: 5 });
    const d = floatDistribution('x', 0, 1);
    assert.equal(seeded.sampleIndependent(study, frozenTrial(3, 'RUNNING'), 'x', d), Rng.forKey(5, 3, 'x').random());
  });
});

describe('QmcSampler options', () => {
  it('rejects a bad seed, scramble or search space with a message naming it', () => {
    assert.throws(() => new QmcSampler({ seed: 1.5 }), /QmcSampler: seed must be an integer, got 1\.5/);
    assert.throws(() => new QmcSampler({ scramble: 1 as unknown as boolean }), /scramble must be true or false, got 1/);
    assert.throws(() => new QmcSampler({ searchSpace: [] as unknown as SearchSpace }), InvalidArgumentError);
    assert.throws(
      () => new QmcSampler({ searchSpace: { lr: { type: 'float', low: 1, high: 0, log: false, step: null } } }),
      (e: unknown) => e instanceof InvalidDistributionError && /parameter "lr"/.test(e.message),
    );
  });

  it(`rejects a search space with more than ${SOBOL_MAX_DIMENSION} sampled parameters`, () => {
    const space: SearchSpace = {};
    for (let i = 0; i <= SOBOL_MAX_DIMENSION; i++) space[`p${i}`] = floatDistribution(`p${i}`, 0, 1);
    assert.throws(() => new QmcSampler({ searchSpace: space }), /1112 parameters .* at most 1111 dimensions/);
    space.p0 = floatDistribution('p0', 1, 1); // single-value parameters take no dimension
    assert.doesNotThrow(() => new QmcSampler({ searchSpace: space }));
  });
});

describe('centeredL2Discrepancy', () => {
  it("matches scipy.stats.qmc.discrepancy(method='CD')", () => {
    assertClose(centeredL2Discrepancy(CD_POINTS_3D), CD_VALUE_3D, 1e-12, '10 points in 3-D');
    assertClose(centeredL2Discrepancy(CD_POINTS_1D), CD_VALUE_1D, 1e-12, '7 points in 1-D');
    const unscrambled = new SobolSequence(2, { scramble: false }).points(0, 256);
    assertClose(centeredL2Discrepancy(unscrambled), CD_UNSCRAMBLED_SOBOL_256_2D, 1e-12, 'unscrambled Sobol, 256 points in 2-D');
  });

  it('is lower for 256 scrambled Sobol points than for 256 uniform random points, for each of 20 seeds', () => {
    // Bound: uniform points give about 1e-3 (E[CD^2] is O(1/n)); scrambled Sobol about 1.1e-5
    // (SciPy's scrambled Sobol over 200 seeds: 1.05e-5 .. 1.26e-5). Requiring a factor 10 leaves a wide
    // margin for the random side while still failing for a scramble that broke the net structure.
    for (let seed = 0; seed < 20; seed++) {
      const sobol = centeredL2Discrepancy(new SobolSequence(2, { seed }).points(0, 256));
      const rng = Rng.forKey(seed, 'uniform-baseline');
      const uniform = centeredL2Discrepancy(Array.from({ length: 256 }, () => [rng.random(), rng.random()]));
      assert.ok(sobol * 10 < uniform, `seed ${seed}: Sobol ${sobol} vs uniform ${uniform}`);
      assert.ok(sobol > 1.0e-5 && sobol < 1.3e-5, `seed ${seed}: Sobol ${sobol} outside SciPy's range`);
      assert.ok(sobol < CD_UNSCRAMBLED_SOBOL_256_2D, `seed ${seed}: scrambling should not worsen the points`);
    }
  });

  it('rejects empty input, ragged points and coordinates outside [0, 1]', () => {
    assert.throws(() => centeredL2Discrepancy([]), InvalidArgumentError);
    assert.throws(() => centeredL2Discrepancy([[0.1, 0.2], [0.3]]), /points\[1\] must have 2 coordinates/);
    assert.throws(() => centeredL2Discrepancy([[0.1, 1.5]]), /points\[0\]\[1\] must be in \[0, 1\], got 1\.5/);
    assert.throws(() => centeredL2Discrepancy([[Number.NaN]]), /got NaN/);
  });
});
