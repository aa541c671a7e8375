/**
 * The side-by-side harness without Optuna: the Tansaku runner, checkpoints, budget rules, normalised
 * regret, the run cache (an interrupted chunk resumed does not redo or duplicate runs; a torn line is
 * skipped), the process pool, and report/plot generation on fake data. Hermetic: only the harness's own
 * toy problems and temporary folders.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchmarkProblem, ParameterSource } from '../problems/problem.js';
import type { OptunaBridge } from '../compare/optuna-bridge.js';
import { CacheWriter, forgetRuns, prefixRecord, readCache, RunLookup } from '../compare/cache.js';
import { buildJobs, describeGroup, runHarness, type HarnessOptions } from '../compare/harness.js';
import { renderGroupSvg } from '../compare/plot.js';
import { parseBudgetRule } from '../compare/problems.js';
import { REGRET_CAP, REGRET_FLOOR, logRegret, normalisedRegret } from '../compare/regret.js';
import { buildGroupReport, panelOf, renderCsv, renderMarkdown, timePerTrialMs, type ReportMeta } from '../compare/report.js';
import {
  RECORD_VERSION,
  UniformParams,
  checkpointsFor,
  estimateReference,
  hypervolumeCurve,
  rescoreRecord,
  runKey,
  runOptuna,
  runTansaku,
  type RunRecord,
  type RunSpec,
} from '../compare/runner.js';
import { TANSAKU_SAMPLERS, resolveSamplers, samplerByName, samplerFits } from '../compare/samplers.js';
import { fakeRun } from './fake-runs.js';
import { toyHarnessOptions } from './toy-harness.js';
import { toyBiobjective, toyMixed, toyProblems, toySphere } from '../compare/toy-problems.js';
import { Rng } from 'tansaku/extend';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function spec(problem: BenchmarkProblem, sampler: string, seed: number, budget: number): RunSpec {
  return { problem: problem.id, group: problem.group, sampler, seed, budget };
}

describe('runner (Tansaku side)', () => {
  it('checkpoints are 1..10, ten per decade, and the budget', () => {
    assert.deepEqual(checkpointsFor(50), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 16, 20, 25, 32, 40, 50]);
    assert.deepEqual(checkpointsFor(5), [1, 2, 3, 4, 5]);
    const c = checkpointsFor(1000);
    assert.ok(c.includes(100) && c.includes(79) && c.includes(794) && c.at(-1) === 1000);
    assert.equal(new Set(c).size, c.length);
  });

  it('records a monotone best-so-far curve, cumulative sampler time, and is reproducible', async () => {
    const random = samplerByName('tansaku-random')!;
    const p = toySphere(2);
    const a = await runTansaku(p, random, spec(p, random.name, 3, 50));
    const b = await runTansaku(toySphere(2), random, spec(p, random.name, 3, 50));
    assert.equal(a.error, undefined);
    assert.equal(a.evaluations, 50);
    assert.equal(a.failed, 0);
    assert.deepEqual(a.checkpoints, checkpointsFor(50));
    assert.equal(a.best.length, a.checkpoints.length);
    for (let i = 1; i < a.best.length; i++) assert.ok(a.best[i]! <= a.best[i - 1]!, 'minimised: never worse');
    for (let i = 1; i < a.samplerSeconds.length; i++) assert.ok(a.samplerSeconds[i] >= a.samplerSeconds[i - 1]);
    assert.ok(a.samplerSeconds.at(-1)! > 0);
    assert.deepEqual(a.best, b.best, 'same seed, same curve');
    const c = await runTansaku(p, random, spec(p, random.name, 4, 50));
    assert.notDeepEqual(a.best, c.best, 'another seed, another curve');
    assert.equal(a.key, runKey(a));
    assert.equal(a.optimum, 0);
    assert.equal(a.v, RECORD_VERSION);
  });

  it('handles maximisation, every parameter kind, and several objectives', async () => {
    for (const entry of TANSAKU_SAMPLERS) {
      const m = toyMixed();
      const r = await runTansaku(m, entry, spec(m, entry.name, 1, 40));
      assert.equal(r.error, undefined, `${entry.name}: ${r.error}`);
      for (let i = 1; i < r.best.length; i++) assert.ok(r.best[i]! >= r.best[i - 1]!, 'maximised: never worse');
      assert.ok(r.best.at(-1)! <= 10);
      if (entry.objectives === 'single') continue;
      const bi = toyBiobjective();
      const h = await runTansaku(bi, entry, spec(bi, entry.name, 1, 40));
      assert.equal(h.error, undefined);
      for (let i = 1; i < h.best.length; i++) assert.ok(h.best[i]! >= h.best[i - 1]!, 'hypervolume never shrinks');
      assert.ok(h.best.at(-1)! > 0 && h.best.at(-1)! <= bi.optimalHypervolume!);
    }
  });

  it('a multi-objective run keeps its front, from which its curve is re-scored against another reference point', async () => {
    const bi = toyBiobjective();
    const random = samplerByName('tansaku-random')!;
    const r = await runTansaku(bi, random, spec(bi, random.name, 2, 60));
    assert.deepEqual(r.referencePoint, [...bi.referencePoint!]);
    assert.ok(r.front && r.front.length >= 3, 'several points were non-dominated on arrival');
    for (let i = 0; i < r.front.length; i++) {
      assert.equal(r.front[i].length, 3, '[evaluation, f1, f2]');
      assert.ok(Number.isInteger(r.front[i][0]) && r.front[i][0] >= 1 && r.front[i][0] <= 60);
      if (i > 0) assert.ok(r.front[i][0] > r.front[i - 1][0], 'in evaluation order');
    }
    const again = hypervolumeCurve(r, bi.referencePoint!);
    r.best.forEach((b, i) => {
      assert.ok(Math.abs(again[i] - b!) <= 1e-12 * Math.max(1, b!), `checkpoint ${r.checkpoints[i]}: ${again[i]} vs ${b}`);
    });
    assert.equal(rescoreRecord(r, bi), r, 'same reference point: the record itself');
    // A wider reference point: the re-scored curve is the one a run made with it records.
    const wide = { ...bi, referencePoint: [4, 40], optimalHypervolume: 4 * 40 - 1 / 3 };
    const rescored = rescoreRecord(r, wide);
    const made = await runTansaku(wide, random, spec(bi, random.name, 2, 60));
    assert.deepEqual(rescored.referencePoint, [4, 40]);
    assert.equal(rescored.optimum, wide.optimalHypervolume);
    rescored.best.forEach((b, i) => {
      assert.ok(Math.abs(b! - made.best[i]!) <= 1e-9, `checkpoint ${r.checkpoints[i]}: ${b} vs ${made.best[i]}`);
    });
    assert.ok(
      rescored.best.every((b, i) => b! > r.best[i]!),
      'a wider box holds more hypervolume',
    );
    // The prefix of a longer multi-objective run keeps the front entries of its own evaluations only.
    const prefix = prefixRecord(r, 20)!;
    assert.ok(prefix.front!.every((p) => p[0] <= 20) && prefix.front!.length === r.front.filter((p) => p[0] <= 20).length);
    assert.deepEqual(hypervolumeCurve(prefix, bi.referencePoint!), prefix.best);
    // A multi-objective record without a front is of the old format: skipped (made again); others are kept.
    const lines = [
      { ...r, front: undefined },
      r,
      { ...r, key: 'e', front: undefined, error: 'refused' },
      { ...r, key: 's', directions: ['minimize'], front: undefined },
    ];
    const path = join(dir, 'front.jsonl');
    writeFileSync(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const c = readCache(path);
    assert.equal(c.skipped, 1);
    assert.deepEqual([...c.records.keys()], [r.key, 'e', 's']);
  });

  it('a problem that throws or returns NaN fails that trial; a sampler that throws gives an error record', async () => {
    let calls = 0;
    const flaky: BenchmarkProblem = {
      ...toySphere(1),
      id: 'flaky',
      evaluate(params) {
        const x = params.suggestFloat('x', -1, 1);
        calls++;
        if (calls % 3 === 0) throw new Error('boom');
        return calls % 3 === 1 ? x * x : NaN;
      },
    };
    const r = await runTansaku(flaky, samplerByName('tansaku-random')!, spec(flaky, 'tansaku-random', 1, 9));
    assert.equal(r.error, undefined);
    assert.equal(r.failed, 6);
    assert.equal(r.evaluations, 9);
    const refusing = {
      ...samplerByName('tansaku-random')!,
      create: () => ({
        name: 'Refusing',
        sampleIndependent: () => {
          throw new Error('no categorical here');
        },
      }),
    };
    const e = await runTansaku(toyMixed(), refusing, spec(toyMixed(), 'tansaku-refusing', 1, 5));
    assert.match(e.error!, /no categorical here/);
    assert.deepEqual(e.best, []);
  });

  it('awaits a problem whose evaluate returns a promise: same runs as synchronous, rejections fail the trial', async () => {
    // An asynchronous twin of toyMixed whose noiseless score (lastMean) is only known after the await.
    const asyncTwin = (inner: BenchmarkProblem): BenchmarkProblem & { lastMean(): number } => {
      let mean = NaN;
      return {
        ...inner,
        async evaluate(params, rng) {
          const y = inner.evaluate(params, rng) as number;
          await new Promise((r) => setImmediate(r));
          mean = y;
          return y;
        },
        lastMean: () => mean,
      };
    };
    for (const name of ['tansaku-random', 'tansaku-nelder-mead']) {
      const entry = samplerByName(name)!;
      const a = await runTansaku(toyMixed(), entry, spec(toyMixed(), name, 2, 30));
      const b = await runTansaku(asyncTwin(toyMixed()), entry, spec(toyMixed(), name, 2, 30));
      assert.equal(b.error, undefined, b.error);
      assert.deepEqual(b.best, a.best, name);
      assert.equal(b.evaluations, 30);
    }
    // The Optuna runner, through a fake bridge that draws uniformly (hermetic: no python).
    const fakeBridge = (): OptunaBridge => {
      let seed = 0;
      let trial = 0;
      const bridge = {
        info: { optuna: 'fake', python: 'none' },
        params: null as unknown as ParameterSource,
        create: (_sampler: string, s: number) => {
          seed = s;
          trial = 0;
        },
        ask: () => {
          bridge.params = new UniformParams(new Rng(seed * 1000 + trial));
          return trial++;
        },
        tell: () => 0.001,
      };
      return bridge as unknown as OptunaBridge;
    };
    const optunaRandom = samplerByName('optuna-random')!;
    const o1 = await runOptuna(fakeBridge(), toyMixed(), optunaRandom, spec(toyMixed(), optunaRandom.name, 4, 25));
    const o2 = await runOptuna(fakeBridge(), asyncTwin(toyMixed()), optunaRandom, spec(toyMixed(), optunaRandom.name, 4, 25));
    assert.equal(o2.error, undefined, o2.error);
    assert.deepEqual(o2.best, o1.best);
    assert.ok(Math.abs(o2.samplerSeconds.at(-1)! - 0.025) < 1e-9, "the sampler time is the bridge's");
    // A rejected promise fails that trial only; f_ref awaits too.
    let calls = 0;
    const flaky: BenchmarkProblem = {
      ...toySphere(1),
      id: 'flaky_async',
      async evaluate(params) {
        const x = params.suggestFloat('x', -1, 1);
        await Promise.resolve();
        if (++calls % 2 === 0) throw new Error('boom');
        return x * x;
      },
    };
    const f = await runTansaku(flaky, samplerByName('tansaku-random')!, spec(flaky, 'tansaku-random', 1, 10));
    assert.equal(f.error, undefined);
    assert.equal(f.failed, 5);
    assert.equal(await estimateReference(asyncTwin(toySphere(2)), 50), await estimateReference(toySphere(2), 50));
  });

  it('UniformParams draws like a random sampler; f_ref is the median of random configurations', async () => {
    const u = new UniformParams(new Rng(1));
    const lr = u.suggestFloat('lr', 1e-4, 1, { log: true });
    assert.ok(lr >= 1e-4 && lr <= 1);
    assert.equal(u.suggestFloat('lr', 1e-4, 1, { log: true }), lr, 'a name asked twice keeps its value');
    const step = u.suggestFloat('s', 0, 1, { step: 0.25 });
    assert.ok([0, 0.25, 0.5, 0.75, 1].includes(step));
    assert.ok(['a', true, null].includes(u.suggestCategorical('c', ['a', true, null])));
    assert.ok([8, 16].includes(u.suggestOrdinal('o', [8, 16])));
    const f = (await estimateReference(toySphere(2), 400))!;
    // E|x|^2 for x uniform on [-5,5]^2 is 2·25/3 ≈ 16.7; the median is a bit lower.
    assert.ok(f > 10 && f < 17, String(f));
    assert.equal(await estimateReference(toyBiobjective(), 10), null);
  });
});

describe('samplers, budgets, regret', () => {
  it('the self-check pair gets extra seeds in small groups', () => {
    const { jobs } = buildJobs({
      groups: ['toy'],
      samplers: resolveSamplers('tansaku-random,tansaku-qmc'),
      seeds: 2,
      budget: () => 5,
      problemsOf: () => toyProblems(),
      selfCheckPairs: 10,
    });
    assert.equal(jobs.filter((j) => j.sampler === 'tansaku-random').length, 3 * 4);
    assert.equal(jobs.filter((j) => j.sampler === 'tansaku-qmc').length, 3 * 2);
  });

  it("a report's description names the BBOB instances it holds, not the group's possible ones", () => {
    assert.equal(
      describeGroup('bbob-d5', ['bbob_f001_i01_d05', 'bbob_f024_i01_d05']),
      'BBOB noiseless f1–f24 (COCO), 5-D, domain [-5, 5]^5, instance 1',
    );
    assert.match(describeGroup('bbob-d2', ['bbob_f001_i03_d02', 'bbob_f001_i01_d02', 'bbob_f002_i03_d02']), /, instances 1, 3$/);
    assert.doesNotMatch(describeGroup('classic', ['branin']), /instance/);
    assert.equal(describeGroup('no-such-group', ['p1']), 'no-such-group');
  });

  it('resolves sampler lists and objective support', () => {
    assert.deepEqual(
      resolveSamplers('tansaku').map((s) => s.name),
      TANSAKU_SAMPLERS.map((s) => s.name),
    );
    assert.deepEqual(
      resolveSamplers('tansaku')
        .map((s) => s.name)
        .slice(0, 2),
      ['tansaku-random', 'tansaku-qmc'],
    );
    assert.deepEqual(
      resolveSamplers('random,optuna-tpe').map((s) => s.name),
      ['tansaku-random', 'optuna-tpe'],
    );
    assert.ok(resolveSamplers('all').length >= 8);
    assert.throws(() => resolveSamplers('nope'), /unknown sampler "nope"/);
    assert.equal(samplerFits(samplerByName('optuna-cmaes')!, toyBiobjective()), false);
    assert.equal(samplerFits(samplerByName('optuna-nsga2')!, toySphere()), false);
    assert.equal(samplerFits(samplerByName('tansaku-random')!, toyBiobjective()), true);
  });

  it('budget rules: auto, fixed, per dimension, per group', () => {
    const auto = parseBudgetRule('auto');
    assert.equal(auto(toySphere(2)), 200);
    assert.equal(auto(toySphere(10)), 1000);
    assert.equal(auto(toySphere(20)), 500);
    assert.equal(auto(toySphere(40)), 500);
    assert.equal(parseBudgetRule('30')(toySphere(5)), 30);
    assert.equal(parseBudgetRule('50d')(toySphere(4)), 200);
    const mixed = parseBudgetRule('toy=7d,auto');
    assert.equal(mixed(toySphere(3)), 21);
    assert.equal(mixed({ ...toySphere(3), group: 'other' }), 300);
    assert.throws(() => parseBudgetRule('lots'), /bad budget rule/);
    // The full suite's matrix: BBOB by dimension, the other groups auto's budget up to 200.
    const suite = parseBudgetRule('suite');
    assert.deepEqual(
      [2, 5, 10, 20, 40].map((d) => suite({ ...toySphere(d), group: `bbob-d${d}` })),
      [200, 250, 500, 200, 200],
    );
    assert.equal(suite({ ...toySphere(1), group: 'classic' }), 100);
    assert.equal(suite({ ...toySphere(3), group: 'classic' }), 200);
    assert.equal(suite({ ...toySphere(10), group: 'classic' }), 200);
    assert.equal(suite({ ...toySphere(7), group: 'lcbench' }), 200);
    assert.equal(parseBudgetRule('bbob-d40=300')({ ...toySphere(40), group: 'bbob-d40' }), 300);
    assert.equal(parseBudgetRule('bbob-d40=300')({ ...toySphere(20), group: 'bbob-d20' }), 200, 'suite is the default');
  });

  it('normalised regret: minimise, maximise, several objectives; logs floored and capped', () => {
    assert.equal(normalisedRegret(3, { directions: ['minimize'], optimum: 1 }, 11), 0.2);
    assert.equal(normalisedRegret(8, { directions: ['maximize'], optimum: 10 }, 0), 0.2);
    assert.equal(normalisedRegret(0.5, { directions: ['minimize'], optimum: 1 }, 11), 0, 'below the optimum by rounding: 0');
    assert.equal(normalisedRegret(9, { directions: ['minimize', 'minimize'], optimum: 10 }, null), 0.1);
    assert.equal(normalisedRegret(9, { directions: ['minimize', 'minimize'], optimum: null }, null, 12), 0.25);
    assert.equal(normalisedRegret(null, { directions: ['minimize'], optimum: 1 }, 11), REGRET_CAP);
    assert.equal(logRegret(0), Math.log10(REGRET_FLOOR));
    assert.equal(logRegret(0.01), -2);
  });
});

describe('run cache and resumable chunks', () => {
  const problems = toyProblems();
  const base = (sub: string): HarnessOptions => toyHarnessOptions(dir, sub, problems);

  it('an interrupted chunk, resumed, runs each job exactly once; a torn or duplicated line changes nothing', async () => {
    const { jobs } = buildJobs(base('a'));
    assert.equal(jobs.length, 3 * 2 * 3);
    const first: string[] = [];
    const r1 = await runHarness({ ...base('a'), maxJobs: 7, onJob: (j) => first.push(runKey(j)) });
    assert.equal(r1.executed, 7);
    assert.equal(r1.pending, jobs.length - 7);
    assert.equal(readCache(base('a').cachePath).records.size, 7);
    // A crash in the middle of an append leaves a torn line; a duplicated line (e.g. a copied cache) is ignored.
    const cachePath = base('a').cachePath;
    const lines = readFileSync(cachePath, 'utf8').trim().split('\n');
    appendFileSync(cachePath, `${lines[0]}\n${lines[1].slice(0, 40)}`);
    const second: string[] = [];
    const r2 = await runHarness({ ...base('a'), onJob: (j) => second.push(runKey(j)) });
    assert.equal(r2.cached, 7);
    assert.equal(r2.executed, jobs.length - 7);
    assert.equal(r2.pending, 0);
    assert.deepEqual(
      second.filter((k) => first.includes(k)),
      [],
      'no run is redone',
    );
    const cache = readCache(cachePath);
    assert.equal(cache.records.size, jobs.length);
    assert.equal(cache.duplicates, 1);
    assert.equal(cache.skipped, 1);
    assert.deepEqual(new Set(cache.records.keys()), new Set(jobs.map(runKey)));
    // Everything done: a third run makes nothing and still writes the reports.
    const r3 = await runHarness({ ...base('a'), onJob: () => assert.fail('nothing should run') });
    assert.equal(r3.executed, 0);
    assert.equal(r3.reports.length, 1);
    assert.equal(r3.reports[0].runs, jobs.length);
    assert.ok(r3.files.some((f) => f.endsWith('compare-toy.md')) && r3.files.some((f) => f.endsWith('compare-toy.svg')));
    // ... and the summary across groups, read back from those reports.
    const summaryPath = r3.files.find((f) => f.endsWith('compare-summary.json'));
    assert.ok(summaryPath, r3.files.join(', '));
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { groups: Array<{ group: string; runs: number }> };
    assert.deepEqual(
      summary.groups.map((g) => [g.group, g.runs]),
      [['toy', jobs.length]],
    );
  });

  it('a summary across groups that cannot be made is said, not fatal; --estimate writes nothing', async () => {
    await runHarness({ ...base('summary') });
    mkdirSync(join(dir, 'summary', 'reports'), { recursive: true });
    writeFileSync(join(dir, 'summary', 'reports', 'compare-classic.json'), '{"group": "classic"}');
    const lines: string[] = [];
    const r = await runHarness({
      ...base('summary'),
      summaryGroups: ['classic'],
      log: (l) => lines.push(l),
      onJob: () => assert.fail('everything is cached'),
    });
    assert.ok(r.files.some((f) => f.endsWith('compare-toy.md')));
    assert.ok(!r.files.some((f) => f.includes('compare-summary')));
    assert.ok(
      lines.some((l) => /summary across groups was not written: .*compare-classic\.json.*no "samplers"/.test(l)),
      lines.join('\n'),
    );
    const est = await runHarness({ ...base('estimate'), estimateOnly: true, onJob: () => assert.fail('--estimate runs nothing') });
    assert.deepEqual(est.files, []);
    assert.equal(existsSync(join(dir, 'estimate', 'reports')), false);
  });

  it('--report-name writes the reports and the plot under compare-<group>-<name>', async () => {
    await runHarness({ ...base('named') });
    const r = await runHarness({ ...base('named'), reportName: 'selfcheck', onJob: () => assert.fail('everything is cached') });
    assert.ok(
      ['compare-toy-selfcheck.md', 'compare-toy-selfcheck.csv', 'compare-toy-selfcheck.json', 'compare-toy-selfcheck.svg'].every((f) =>
        r.files.some((p) => p.endsWith(f)),
      ),
    );
    assert.ok(!r.files.some((p) => /compare-toy\.(md|svg)$/.test(p)));
    assert.ok(r.files.some((p) => p.endsWith('compare-summary-selfcheck.md')));
    const md = readFileSync(join(dir, 'named', 'reports', 'compare-toy-selfcheck.md'), 'utf8');
    assert.match(md, /\(plots\/compare-toy-selfcheck\.svg\)/);
  });

  it('the chunk limit stops starting jobs; the next chunk continues', async () => {
    const r1 = await runHarness({ ...base('b'), chunkMinutes: 1e-9 });
    assert.equal(r1.executed, 0);
    const r2 = await runHarness({ ...base('b') });
    assert.equal(r2.executed, r2.jobs);
  });

  it('a longer run answers a shorter budget that is one of its checkpoints, for every Tansaku sampler', async () => {
    // Samplers never see the budget, so the first 20 evaluations of a 50-evaluation run are the 20-run.
    const p = toySphere(3);
    for (const entry of TANSAKU_SAMPLERS) {
      if (!samplerFits(entry, p)) continue;
      const long = await runTansaku(p, entry, spec(p, entry.name, 5, 50));
      const short = await runTansaku(p, entry, spec(p, entry.name, 5, 20));
      const derived = prefixRecord(long, 20);
      assert.ok(derived, entry.name);
      assert.equal(derived.key, short.key, entry.name);
      assert.equal(derived.prefixOf, long.key);
      assert.deepEqual(derived.checkpoints, short.checkpoints, entry.name);
      assert.deepEqual(derived.best, short.best, `${entry.name}: the same curve as the run made with budget 20`);
      assert.equal(derived.evaluations, 20);
      assert.equal(derived.samplerSeconds.length, short.samplerSeconds.length);
    }
    const random = samplerByName('tansaku-random')!;
    const long = await runTansaku(p, random, spec(p, random.name, 5, 50));
    assert.equal(prefixRecord(long, 21), undefined, '21 is not a checkpoint of the 50-run');
    assert.equal(prefixRecord(long, 50), undefined, 'not a prefix of itself');
    assert.equal(prefixRecord(long, 80), undefined, 'not a longer run');
    assert.equal(prefixRecord({ ...long, failed: 1 }, 20), undefined, 'failed trials: positions unknown');
    assert.equal(prefixRecord({ ...long, error: 'refused' }, 20), undefined);
    assert.equal(prefixRecord({ ...long, evaluations: 15 }, 20), undefined, 'stopped before the shorter budget');
    const lookup = new RunLookup(new Map([[long.key, long]]));
    assert.equal(lookup.get(spec(p, random.name, 5, 20))?.prefixOf, long.key);
    assert.equal(lookup.get(spec(p, random.name, 6, 20)), undefined, 'another seed');
    assert.equal(lookup.get(spec(p, random.name, 5, 50)), long);
  });

  it('a harness at a smaller budget makes no run the cache holds a longer run of, and says so in the report', async () => {
    const long = await runHarness({ ...base('prefix'), budget: () => 50 });
    assert.equal(long.executed, long.jobs);
    const short = await runHarness({
      ...base('prefix'),
      budget: () => 20,
      onJob: (j) => assert.fail(`${runKey(j)} should be read off its 50-run`),
    });
    assert.equal(short.cached, short.jobs);
    assert.equal(short.reports[0].runs, short.jobs);
    assert.equal(short.reports[0].prefixRuns, short.jobs);
    assert.ok(short.reports[0].cells.every((c) => c.budget === 20));
    assert.match(
      readFileSync(join(dir, 'prefix', 'reports', 'compare-toy.md'), 'utf8'),
      new RegExp(`${short.jobs} of these runs are the first evaluations of a cached run with a larger budget`),
    );
    // Budget 12 is not a checkpoint of the 50-runs: they are made.
    const odd = await runHarness({ ...base('prefix'), budget: () => 12 });
    assert.equal(odd.executed, odd.jobs);
  });

  it('CacheWriter ends a torn last line before appending', () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, '{"v":1,"key":"x"');
    const rec = { v: RECORD_VERSION, key: 'k' } as RunRecord;
    new CacheWriter(path).append(rec);
    const c = readCache(path);
    assert.equal(c.records.size, 1);
    assert.equal(c.skipped, 1);
  });

  it('forgetRuns drops the selected runs into <cache>.forgotten and keeps the rest, torn lines included', () => {
    const path = join(dir, 'forget.jsonl');
    const rec = (problem: string, sampler: string, seed: number) =>
      JSON.stringify({ v: RECORD_VERSION, key: runKey({ problem, sampler, seed, budget: 10 }), problem, sampler, seed, budget: 10 });
    const lines = [rec('p1', 'a', 1), rec('p1', 'b', 1), rec('p2', 'b', 1), rec('p2', 'b', 2), '{"v":1,"key":"tor'];
    writeFileSync(path, `${lines.join('\n')}\n`);
    const r = forgetRuns(path, (x) => x.sampler === 'b' && x.problem === 'p2');
    assert.deepEqual(r, { kept: 3, forgotten: 2 });
    assert.deepEqual(readFileSync(path, 'utf8').trimEnd().split('\n'), [lines[0], lines[1], lines[4]]);
    assert.deepEqual(readFileSync(`${path}.forgotten`, 'utf8').trimEnd().split('\n'), [lines[2], lines[3]]);
    assert.deepEqual(
      [...readCache(path).records.keys()],
      [runKey({ problem: 'p1', sampler: 'a', seed: 1, budget: 10 }), runKey({ problem: 'p1', sampler: 'b', seed: 1, budget: 10 })],
    );
    // Nothing selected: the file is not rewritten and nothing is appended.
    assert.deepEqual(
      forgetRuns(path, () => false),
      { kept: 3, forgotten: 0 },
    );
    assert.equal(readFileSync(`${path}.forgotten`, 'utf8').trimEnd().split('\n').length, 2);
  });

  it('run.ts --forget refuses a missing --samplers and --report-only/--estimate before touching the cache', () => {
    const runTs = fileURLToPath(new URL('../compare/run.ts', import.meta.url));
    // Forgetting moves runs to runs.jsonl.forgotten, which nothing else writes: a harness running at the
    // same time may append to the cache itself, so the cache's own mtime would be no evidence.
    const forgotten = fileURLToPath(new URL('../results/compare/runs.jsonl.forgotten', import.meta.url));
    const before = existsSync(forgotten) ? statSync(forgotten).mtimeMs : null;
    const cases: Array<[string[], RegExp]> = [
      [['--forget', '--groups', 'toy'], /--forget needs --samplers naming the sampler\(s\) whose code changed/],
      [['--forget', '--report-only', '--groups', 'toy', '--samplers', 'tansaku-random'], /cannot go with --report-only or --estimate/],
      [['--forget', '--estimate', '--groups', 'toy', '--samplers', 'tansaku-random'], /cannot go with --report-only or --estimate/],
    ];
    for (const [args, message] of cases) {
      const r = spawnSync(process.execPath, ['--conditions=tansaku-dev', '--import', 'tsx', runTs, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(forgotten) ? statSync(forgotten).mtimeMs : null, before);
  });

  it('runs on a pool of two worker processes', async () => {
    const opts = { ...base('pool'), groups: ['toy'], problemsOf: undefined, resolve: undefined, workers: 2, seeds: 2 };
    const r = await runHarness(opts);
    assert.equal(r.executed, r.jobs);
    assert.equal(readCache(opts.cachePath).records.size, r.jobs);
  });
});

describe('reports on fake data', () => {
  const meta: ReportMeta = { machine: 'm', code: 'c', optuna: '3.1.0', generated: '2024-01-01T00:00:00Z', command: 'cmd' };
  const fake = (problem: string, sampler: string, seed: number, final: number, msPerTrial: number): RunRecord =>
    fakeRun('fake', problem, sampler, seed, final, msPerTrial);
  const records: RunRecord[] = [];
  const problems = ['fake_a_i01', 'fake_a_i02', 'fake_b'];
  for (const p of problems) {
    for (let seed = 1; seed <= 12; seed++) {
      const jitter = 1 + ((seed * 7) % 5) / 10;
      records.push(fake(p, 'tansaku-random', seed, 0.1 * jitter, 0.05));
      records.push(fake(p, 'optuna-random', seed, 0.1 * (1 + ((seed * 3) % 5) / 10), 0.4));
      records.push(fake(p, 'optuna-tpe', seed, 0.001 * jitter, 5));
    }
  }
  records.push({ ...fake('fake_b', 'optuna-cmaes', 1, 0, 0), best: [], error: 'UNAVAILABLE: no cmaes' });
  // The self-check's extra seeds (13..16) of the two random samplers: only the self-check uses them.
  for (const p of problems) {
    for (let seed = 13; seed <= 16; seed++) {
      records.push(fake(p, 'tansaku-random', seed, 0.1, 0.05));
      records.push(fake(p, 'optuna-random', seed, 0.1, 0.4));
    }
  }
  const refs = Object.fromEntries(problems.map((p) => [p, 1]));
  const report = buildGroupReport({
    group: 'fake',
    description: 'fake data',
    records,
    references: refs,
    samplerOrder: ['tansaku-random', 'optuna-random', 'optuna-tpe'],
    seeds: 12,
    meta,
  });

  it('summarises medians, IQRs and mean ranks', () => {
    assert.deepEqual(report.samplers, ['tansaku-random', 'optuna-random', 'optuna-tpe']);
    assert.equal(report.runs, 3 * 12 * 3);
    assert.equal(report.errors.length, 1);
    const cell = report.cells.find((c) => c.problem === 'fake_b' && c.sampler === 'optuna-tpe')!;
    assert.equal(cell.n, 12);
    assert.ok(Math.abs(cell.median - 0.0012) < 1e-12, String(cell.median)); // jitters 1.0–1.4, median 1.2
    assert.ok(cell.q1 <= cell.median && cell.median <= cell.q3);
    assert.equal(report.meanRank.blocks, 36);
    assert.equal(report.meanRank.ranks['optuna-tpe'], 1);
    assert.ok(Math.abs(report.meanRank.ranks['tansaku-random'] + report.meanRank.ranks['optuna-random'] - 5) < 1e-12);
  });

  it('pairwise: TPE wins everywhere after Holm; the random samplers tie', () => {
    assert.equal(report.pairwise.tests, 9);
    const m = (a: string, b: string) => report.pairwise.matrix.find((x) => x.a === a && x.b === b)!;
    assert.deepEqual(m('optuna-tpe', 'tansaku-random'), { a: 'optuna-tpe', b: 'tansaku-random', wins: 3, ties: 0, losses: 0 });
    assert.deepEqual(m('tansaku-random', 'optuna-tpe'), { a: 'tansaku-random', b: 'optuna-tpe', wins: 0, ties: 0, losses: 3 });
    assert.equal(m('tansaku-random', 'optuna-random').ties, 3);
    for (const t of report.pairwise.details) assert.ok(t.pHolm >= t.p);
  });

  it('self-check TOST on the random pair, and time per trial at 100', () => {
    assert.ok(report.selfCheck);
    assert.equal(report.selfCheck!.n, 3 * 16, 'every (problem, seed) pair is used, extra seeds included');
    assert.equal(report.selfCheck!.margin, 0.1);
    assert.equal(report.selfCheck!.equivalent, true, report.selfCheckNote);
    const t = report.time.find((x) => x.sampler === 'optuna-tpe')!;
    assert.ok(Math.abs(t.at100ms! - 5) < 1e-9);
    assert.equal(t.at1000ms, null);
    assert.ok(Math.abs(timePerTrialMs(records[0], 100)! - 0.05) < 1e-12);
  });

  it('renders markdown, CSV and an SVG with one line and one band per sampler and panel', () => {
    const md = renderMarkdown(report);
    assert.match(md, /# Side-by-side: fake/);
    assert.match(md, /\*\*equivalent\*\*/);
    assert.match(md, /\| optuna-tpe +\| +3\/0\/0 \| +3\/0\/0 \| +· \|/);
    assert.match(md, /1 runs could not be made/);
    const csv = renderCsv(report).trim().split('\n');
    assert.equal(csv.length, 1 + 3 * 3);
    assert.equal(csv[0].split(',').length, csv[1].split(',').length);
    assert.equal(panelOf('bbob_f001_i03_d05'), 'bbob_f001_d05');
    assert.equal(panelOf('fake_a_i01'), 'fake_a');
    const svg = renderGroupSvg(report)!;
    assert.ok(svg.startsWith('<svg') && svg.trim().endsWith('</svg>'));
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2 * 3, 'panels fake_a (two instances pooled) and fake_b');
    assert.equal((svg.match(/<polygon/g) ?? []).length, 2 * 3);
    assert.ok(!/NaN|undefined|Infinity/.test(svg));
    assert.match(svg, /stroke-dasharray/);
  });
});
