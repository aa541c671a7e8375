/**
 * The Optuna bridge end to end (bench/compare/optuna_bridge.py run by /usr/bin/python3 with Debian's
 * python3-optuna): every parameter kind forwarded and mapped back, seeded reproducibility, Optuna's own
 * time, CMA-ES / NSGA-II, unavailable samplers, clean errors when python or Optuna is missing, and the
 * harness running both frameworks at once on its pool. Skipped with a note where Optuna is not installed,
 * unless CI is set (`.ci/run` installs python3-optuna), where a missing Optuna is a failure.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BenchmarkProblem, ParameterSource } from '../problems/problem.js';
import { prefixRecord, readCache } from '../compare/cache.js';
import { runHarness } from '../compare/harness.js';
import { DEFAULT_PYTHON, OptunaBridge, OptunaBridgeError, hasOptuna } from '../compare/optuna-bridge.js';
import { checkpointsFor, runOptuna, type RunSpec } from '../compare/runner.js';
import { resolveSamplers, samplerByName } from '../compare/samplers.js';
import { toyBiobjective, toyMixed, toySphere } from '../compare/toy-problems.js';
import type { Rng } from 'tansaku/extend';

const skip =
  !hasOptuna() && !process.env.CI ? `python3-optuna is not installed for ${DEFAULT_PYTHON} (apt-get install -y python3-optuna)` : false;
const dir = mkdtempSync(join(tmpdir(), 'tansaku-bridge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function spec(problem: BenchmarkProblem, sampler: string, seed: number, budget: number): RunSpec {
  return { problem: problem.id, group: problem.group, sampler, seed, budget };
}

describe('Optuna bridge: missing python or Optuna', () => {
  it('a python that does not exist is PYTHON_MISSING, with the install hint', () => {
    assert.throws(
      () => OptunaBridge.open({ python: join(dir, 'no-such-python3') }),
      (e: unknown) =>
        e instanceof OptunaBridgeError &&
        e.code === 'PYTHON_MISSING' &&
        /was not found/.test(e.message) &&
        /python3-optuna/.test(e.message),
    );
  });

  it('a python without Optuna is OPTUNA_MISSING, naming the import error', {
    skip: existsSync(DEFAULT_PYTHON) ? false : `no python at ${DEFAULT_PYTHON}`,
  }, () => {
    // Shadow the optuna package with a module that fails to import.
    const shadow = join(dir, 'shadow');
    mkdirSync(shadow, { recursive: true });
    writeFileSync(join(shadow, 'optuna.py'), 'raise ImportError("optuna is hidden by the test")\n');
    assert.throws(
      () => OptunaBridge.open({ env: { ...process.env, PYTHONPATH: shadow } }),
      (e: unknown) =>
        e instanceof OptunaBridgeError &&
        e.code === 'OPTUNA_MISSING' &&
        /hidden by the test/.test(e.message) &&
        /apt-get install -y python3-optuna/.test(e.message),
    );
  });
});

describe('Optuna bridge end to end', { skip }, () => {
  let bridge: OptunaBridge;
  before(() => {
    bridge = OptunaBridge.open();
  });
  after(() => bridge?.close());

  it('reports Optuna 3.x and its samplers', () => {
    assert.match(bridge.info.optuna, /^3\./);
    assert.equal(bridge.info.samplers.random, true);
    assert.equal(bridge.info.samplers.tpe, true);
    assert.equal(typeof bridge.info.samplers.cmaes, 'boolean');
  });

  it('forwards every parameter kind and maps categorical and ordinal indices back to the values', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const inner = toyMixed();
    const recording: BenchmarkProblem = {
      ...inner,
      evaluate(params: ParameterSource, rng: Rng) {
        const got: Record<string, unknown> = {};
        const record = <T>(name: string, value: T): T => {
          got[name] = value;
          return value;
        };
        const spy: ParameterSource = {
          suggestFloat: (n, l, h, o) => record(n, params.suggestFloat(n, l, h, o)),
          suggestInt: (n, l, h, o) => record(n, params.suggestInt(n, l, h, o)),
          suggestCategorical: (n, c) => record(n, params.suggestCategorical(n, c)),
          suggestOrdinal: (n, v) => record(n, params.suggestOrdinal(n, v)),
        };
        const y = inner.evaluate(spy, rng);
        seen.push(got);
        return y;
      },
    };
    const entry = samplerByName('optuna-random')!;
    const r = await runOptuna(bridge, recording, entry, spec(recording, entry.name, 5, 60));
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.evaluations, 60);
    assert.equal(r.framework, 'optuna');
    assert.match(r.env.optuna, /^3\./);
    assert.deepEqual(r.checkpoints, checkpointsFor(60));
    for (let i = 1; i < r.best.length; i++) assert.ok(r.best[i]! >= r.best[i - 1]!, 'maximised: never worse');
    const kinds = new Set<unknown>();
    for (const g of seen) {
      assert.ok((g.lr as number) >= 1e-4 && (g.lr as number) <= 1);
      assert.ok(
        [0, 0.1, 0.2, 0.3, 0.4, 0.5].some((v) => Math.abs(v - (g.drop as number)) < 1e-12),
        `drop ${g.drop}`,
      );
      assert.ok(Number.isInteger(g.layers) && (g.layers as number) >= 1 && (g.layers as number) <= 4);
      assert.ok([8, 16, 32, 64, 128].includes(g.width as number));
      assert.ok(['quad', 'flat', true, null].includes(g.kind as string | boolean | null));
      assert.equal('c' in g, g.kind === 'quad', 'the conditional parameter exists exactly in its branch');
      kinds.add(g.kind);
    }
    assert.equal(kinds.size, 4, 'every categorical choice, true and null included, came back');
    // Optuna's own time: positive, cumulative.
    assert.ok(r.samplerSeconds.at(-1)! > 0);
    for (let i = 1; i < r.samplerSeconds.length; i++) assert.ok(r.samplerSeconds[i] >= r.samplerSeconds[i - 1]);
  });

  it('a seed reproduces the run; another seed does not', async () => {
    const entry = samplerByName('optuna-tpe')!;
    const p = toySphere(2);
    const a = await runOptuna(bridge, p, entry, spec(p, entry.name, 11, 25));
    const b = await runOptuna(bridge, p, entry, spec(p, entry.name, 11, 25));
    const c = await runOptuna(bridge, p, entry, spec(p, entry.name, 12, 25));
    assert.deepEqual(a.best, b.best);
    assert.notDeepEqual(a.best, c.best);
  });

  it('TPE never sees the budget: the first 20 evaluations of a 40-run are the 20-run', async () => {
    const entry = samplerByName('optuna-tpe')!;
    const p = toySphere(2);
    const long = await runOptuna(bridge, p, entry, spec(p, entry.name, 13, 40));
    const short = await runOptuna(bridge, p, entry, spec(p, entry.name, 13, 20));
    assert.deepEqual(prefixRecord(long, 20)?.best, short.best);
  });

  it('awaits a problem whose evaluate returns a promise: the same run as the synchronous problem', async () => {
    const entry = samplerByName('optuna-tpe')!;
    const p = toyMixed();
    const later: BenchmarkProblem = {
      ...p,
      evaluate: async (params, rng) => {
        const y = p.evaluate(params, rng);
        await new Promise((r) => setTimeout(r, 1));
        return y;
      },
    };
    const a = await runOptuna(bridge, p, entry, spec(p, entry.name, 3, 20));
    const b = await runOptuna(bridge, later, entry, spec(p, entry.name, 3, 20));
    assert.equal(b.error, undefined, b.error);
    assert.deepEqual(b.best, a.best);
    assert.ok(b.evalSeconds >= 0.02 * 0.9, "the awaited time is the problem's, not the sampler's");
  });

  it('runs QMC, TPE multivariate, CMA-ES and NSGA-II; refuses CMA-ES on two objectives with an error record', async () => {
    const p = toySphere(3);
    for (const name of ['optuna-qmc', 'optuna-tpe-mv', ...(bridge.info.samplers.cmaes ? ['optuna-cmaes'] : [])]) {
      const r = await runOptuna(bridge, p, samplerByName(name)!, spec(p, name, 2, 30));
      assert.equal(r.error, undefined, `${name}: ${r.error}`);
      assert.ok(r.best.at(-1)! < r.best[0]!, `${name} improves on its first trial`);
    }
    const bi = toyBiobjective();
    const n = await runOptuna(bridge, bi, samplerByName('optuna-nsga2')!, spec(bi, 'optuna-nsga2', 1, 60));
    assert.equal(n.error, undefined, n.error);
    assert.ok(n.best.at(-1)! > 0 && n.best.at(-1)! <= bi.optimalHypervolume!);
    const refused = await runOptuna(bridge, bi, samplerByName('optuna-cmaes')!, spec(bi, 'optuna-cmaes', 1, 5));
    assert.match(refused.error!, /single-objective|cmaes/);
    // The bridge is still usable afterwards.
    assert.equal((await runOptuna(bridge, p, samplerByName('optuna-random')!, spec(p, 'optuna-random', 1, 3))).evaluations, 3);
  });

  it('an Optuna error inside a suggest gives an error record and leaves the bridge usable', async () => {
    const bad: BenchmarkProblem = { ...toySphere(1), id: 'bad', evaluate: (params) => params.suggestFloat('x', 1, -1) };
    const r = await runOptuna(bridge, bad, samplerByName('optuna-random')!, spec(bad, 'optuna-random', 1, 3));
    assert.match(r.error!, /OPTUNA_ERROR|Optuna|ValueError/);
    const p = toySphere(1);
    assert.equal((await runOptuna(bridge, p, samplerByName('optuna-random')!, spec(p, 'optuna-random', 1, 3))).evaluations, 3);
  });
});

describe('harness with both frameworks on two worker processes', { skip }, () => {
  it('runs Tansaku and Optuna jobs, caches them, and reports the self-check', async () => {
    const sub = join(dir, 'harness');
    const r = await runHarness({
      groups: ['toy'],
      samplers: resolveSamplers('tansaku-random,optuna-random,optuna-nsga2'),
      seeds: 3,
      budget: () => 15,
      chunkMinutes: 5,
      workers: 2,
      cachePath: join(sub, 'runs.jsonl'),
      referencePath: join(sub, 'reference.json'),
      reportDir: join(sub, 'reports'),
      plotDir: join(sub, 'plots'),
      meta: { machine: 'test', code: 'test', command: 'test' },
      log: () => {},
    });
    assert.deepEqual(r.fatal, []);
    // 3 problems × 2 random samplers × 3 seeds, plus NSGA-II on the two-objective problem.
    assert.equal(r.jobs, 3 * 2 * 3 + 3);
    assert.equal(r.executed, r.jobs);
    const records = [...readCache(join(sub, 'runs.jsonl')).records.values()];
    assert.equal(records.filter((x) => x.framework === 'optuna').length, 3 * 3 + 3);
    assert.ok(
      records.every((x) => !x.error),
      records.find((x) => x.error)?.error,
    );
    const report = r.reports[0];
    assert.ok(report.selfCheck, report.selfCheckNote);
    assert.equal(report.selfCheck!.n, 9);
    assert.equal(report.meta.optuna, records.find((x) => x.env.optuna)!.env.optuna);
  });
});

describe('a sampler whose Python package is missing', { skip }, () => {
  // Shadow scipy with a package that fails to import: Optuna itself still imports (it loads scipy lazily).
  const shadow = join(dir, 'no-scipy');
  mkdirSync(join(shadow, 'scipy'), { recursive: true });
  writeFileSync(join(shadow, 'scipy', '__init__.py'), 'raise ImportError("scipy is hidden by the test")\n');

  it('the bridge says so up front, and a QMC run throws MODULE_MISSING with the install hint instead of giving a record', async () => {
    const bridge = OptunaBridge.open({ env: { ...process.env, PYTHONPATH: shadow } });
    try {
      assert.equal(bridge.info.samplers.qmc, false);
      assert.equal(bridge.info.samplers.random, true);
      const p = toySphere(2);
      await assert.rejects(
        runOptuna(bridge, p, samplerByName('optuna-qmc')!, spec(p, 'optuna-qmc', 1, 5)),
        (e: unknown) =>
          e instanceof OptunaBridgeError &&
          e.code === 'MODULE_MISSING' &&
          /hidden by the test/.test(e.message) &&
          /apt-get install -y python3-scipy/.test(e.message),
      );
      const random = await runOptuna(bridge, p, samplerByName('optuna-random')!, spec(p, 'optuna-random', 1, 5));
      assert.equal(random.error, undefined, 'the bridge stays usable for the other samplers');
    } finally {
      bridge.close();
    }
  });

  it('the harness skips that sampler without recording its runs, makes the others, and makes the skipped ones once the package is back', async () => {
    const sub = join(dir, 'missing');
    const options = {
      groups: ['toy'],
      samplers: resolveSamplers('optuna-random,optuna-qmc'),
      seeds: 2,
      budget: () => 6,
      problemsOf: () => [toySphere(2)],
      resolve: () => toySphere(2),
      chunkMinutes: 5,
      workers: 0,
      cachePath: join(sub, 'runs.jsonl'),
      referencePath: join(sub, 'reference.json'),
      reportDir: join(sub, 'reports'),
      plotDir: join(sub, 'plots'),
      meta: { machine: 'test', code: 'test', command: 'test' },
    };
    const lines: string[] = [];
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = shadow; // the in-process executor opens its bridge with this environment
    let first: Awaited<ReturnType<typeof runHarness>>;
    try {
      first = await runHarness({ ...options, log: (l) => lines.push(l) });
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
    assert.equal(first.fatal.length, 1);
    assert.match(first.fatal[0], /python3-scipy/);
    assert.ok(
      lines.some((l) => /^optuna-qmc runs skipped \(none recorded; install what is missing and run again\)/.test(l)),
      lines.join('\n'),
    );
    const cached = [...readCache(options.cachePath).records.values()];
    assert.deepEqual(cached.map((r) => r.sampler).sort(), ['optuna-random', 'optuna-random']);
    assert.ok(cached.every((r) => !r.error));
    const second = await runHarness({ ...options, log: () => {} });
    assert.deepEqual(second.fatal, []);
    assert.equal(second.executed, 2, 'the two QMC runs, now that scipy imports');
  });
});
