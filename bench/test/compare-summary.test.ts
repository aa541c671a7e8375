import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildGroupReport, renderMarkdown, writeGroupReport, type GroupReport, type ReportMeta } from '../compare/report.js';
import type { RunRecord } from '../compare/runner.js';
import { fakeRun } from './fake-runs.js';
import { defaultGroups, suiteGroups } from '../compare/problems.js';
import { buildSuiteSummary, readSuiteSummary, renderSummaryMarkdown, writeSuiteSummary } from '../compare/summary.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const meta: ReportMeta = { machine: 'm', code: 'c', optuna: '3.1.0', generated: '2024-01-01T00:00:00Z', command: 'cmd' };
function fake(group: string, problem: string, sampler: string, seed: number, final: number): RunRecord {
  return fakeRun(group, problem, sampler, seed, final, sampler === 'optuna-tpe' ? 5 : 0.05);
}

/**
 * A group of three problems, 12 seeds: on p1 `fast` is 100x better than TPE (a significant win), on p2 the
 * two are identical (a tie on the lowest median), on p3 TPE is 100x better (a loss); random is worst.
 */
function groupReport(group: string, withRandomPair: boolean): GroupReport {
  const records: RunRecord[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    const jitter = 1 + ((seed * 7) % 5) / 10;
    records.push(fake(group, `${group}_p1`, 'tansaku-fast', seed, 1e-4 * jitter));
    records.push(fake(group, `${group}_p1`, 'optuna-tpe', seed, 1e-2 * jitter));
    records.push(fake(group, `${group}_p2`, 'tansaku-fast', seed, 1e-3 * jitter));
    records.push(fake(group, `${group}_p2`, 'optuna-tpe', seed, 1e-3 * jitter));
    records.push(fake(group, `${group}_p3`, 'tansaku-fast', seed, 1e-2 * jitter));
    records.push(fake(group, `${group}_p3`, 'optuna-tpe', seed, 1e-4 * jitter));
    for (const p of ['p1', 'p2', 'p3']) {
      records.push(fake(group, `${group}_${p}`, 'tansaku-random', seed, 0.1 * jitter));
      if (withRandomPair) records.push(fake(group, `${group}_${p}`, 'optuna-random', seed, 0.1 * (1 + ((seed * 3) % 5) / 10)));
    }
  }
  const references = Object.fromEntries(['p1', 'p2', 'p3'].map((p) => [`${group}_${p}`, 1]));
  return buildGroupReport({
    group,
    description: group,
    records,
    references,
    samplerOrder: ['tansaku-fast', 'tansaku-random', 'optuna-random', 'optuna-tpe'],
    meta,
  });
}

describe('suite summary across groups', () => {
  const a = groupReport('bbob-d5', true);
  const b = groupReport('classic', false);
  const summary = buildSuiteSummary([
    { report: a, file: 'compare-bbob-d5.json' },
    { report: b, file: 'compare-classic.json' },
  ]);

  it('takes TPE as the default reference and lists every sampler once, in order of appearance', () => {
    assert.equal(summary.reference, 'optuna-tpe');
    assert.deepEqual(summary.samplers, ['tansaku-fast', 'tansaku-random', 'optuna-random', 'optuna-tpe']);
  });

  it('counts the lowest medians per problem, a tie for each', () => {
    const g = summary.groups[0];
    assert.equal(g.problems, 3);
    assert.deepEqual(g.lowestMedian, { 'tansaku-fast': 2, 'tansaku-random': 0, 'optuna-random': 0, 'optuna-tpe': 2 });
  });

  it("copies wins/ties/losses against the reference from the group's Holm-corrected tests", () => {
    const g = summary.groups[0];
    assert.deepEqual(g.versusReference!['tansaku-fast'], { wins: 1, ties: 1, losses: 1 });
    assert.deepEqual(g.versusReference!['tansaku-random'], { wins: 0, ties: 0, losses: 3 });
    assert.equal(g.versusReference!['optuna-tpe'], undefined);
    const m = a.pairwise.matrix.find((x) => x.a === 'tansaku-fast' && x.b === 'optuna-tpe')!;
    assert.deepEqual(g.versusReference!['tansaku-fast'], { wins: m.wins, ties: m.ties, losses: m.losses });
  });

  it('carries mean ranks, budgets, times and the self-check where the group has one', () => {
    const [g, h] = summary.groups;
    assert.deepEqual(g.meanRank, a.meanRank.ranks);
    assert.deepEqual(g.budgets, [100]);
    assert.ok(g.timeAt100ms['optuna-tpe']! > 4 && g.timeAt100ms['optuna-tpe']! < 6, String(g.timeAt100ms['optuna-tpe']));
    assert.ok(g.selfCheck && g.selfCheck.from === 'compare-bbob-d5.json' && g.selfCheck.pairs === 36);
    assert.equal(h.selfCheck, null);
    assert.equal(h.meanRank['optuna-random'], undefined);
  });

  it('renders every table, leaving cells of samplers a group did not run empty', () => {
    const md = renderSummaryMarkdown(summary);
    assert.match(md, /## Against optuna-tpe/);
    assert.match(md, /\| bbob-d5 \|\s+1\/1\/1 \|\s+0\/0\/3 \|/);
    assert.match(md, /\| classic \|\s+1\/1\/1 \|\s+0\/0\/3 \|\s+\|/);
    assert.match(md, /\| bbob-d5 \|\s+2\/3 \|\s+0\/3 \|\s+0\/3 \|\s+2\/3 \|/);
    assert.match(md, /not in this report/);
  });

  it('without TPE the reference is Optuna Random; with no candidate there is no reference table', () => {
    const noTpe = { ...a, samplers: a.samplers.filter((x) => x !== 'optuna-tpe') };
    assert.equal(buildSuiteSummary([{ report: noTpe, file: 'x.json' }]).reference, 'optuna-random');
    const alone = { ...a, samplers: ['tansaku-fast'] };
    const s = buildSuiteSummary([{ report: alone, file: 'x.json' }]);
    assert.equal(s.reference, null);
    assert.equal(s.groups[0].versusReference, null);
    assert.doesNotMatch(renderSummaryMarkdown(s), /## Against/);
  });

  it("a group's own self-check wins over its -selfcheck report", () => {
    const other = { report: { ...b, selfCheck: { ...a.selfCheck!, n: 999 } }, file: 'compare-bbob-d5-selfcheck.json' };
    const s = buildSuiteSummary([{ report: a, file: 'compare-bbob-d5.json' }], { selfChecks: new Map([['bbob-d5', other]]) });
    assert.equal(s.groups[0].selfCheck?.from, 'compare-bbob-d5.json');
    assert.equal(s.groups[0].selfCheck?.pairs, 36);
  });

  it('refuses a reference sampler no report has, naming the ones there are', () => {
    assert.throws(
      () => buildSuiteSummary([{ report: a, file: 'x.json' }], { reference: 'optuna-cmaes' }),
      /reference sampler "optuna-cmaes" is in none of the reports; their samplers: tansaku-fast, tansaku-random, optuna-random, optuna-tpe/,
    );
  });

  it('reads the report files of a report name, takes a missing self-check from the -selfcheck report; only the full suite lists groups not run', () => {
    const out = join(dir, 'reports');
    mkdirSync(out, { recursive: true });
    writeGroupReport(out, { ...b, fileBase: 'compare-classic-nm' });
    writeGroupReport(out, { ...a, fileBase: 'compare-classic-selfcheck' });
    const s = readSuiteSummary(out, { reportName: 'nm', groups: ['bbob-d2', 'classic'] });
    assert.deepEqual(s.missing, []);
    assert.deepEqual(
      s.groups.map((g) => g.file),
      ['compare-classic-nm.json'],
    );
    assert.equal(s.groups[0].selfCheck?.from, 'compare-classic-selfcheck.json');
    const files = writeSuiteSummary(out, s);
    assert.deepEqual(
      files.map((f) => f.slice(out.length + 1)),
      ['compare-summary-nm.md', 'compare-summary-nm.csv', 'compare-summary-nm.json'],
    );
    assert.doesNotMatch(readFileSync(files[0], 'utf8'), /No report yet/);
    writeGroupReport(out, b);
    const suite = readSuiteSummary(out, { groups: ['bbob-d2', 'classic'] });
    assert.deepEqual(suite.missing, ['bbob-d2']);
    assert.match(renderSummaryMarkdown(suite), /No report yet for: bbob-d2\./);
    const csv = readFileSync(files[1], 'utf8').trim().split('\n');
    assert.equal(csv.length, 1 + 3);
    for (const line of csv) assert.equal(line.split(',').length, 10, line);
    assert.match(csv.find((l) => l.startsWith('classic,tansaku-fast,'))!, /^classic,tansaku-fast,3,[\d.]+,2,1,1,1,optuna-tpe,/);
  });

  it("keeps a tabular group's committed report in the full suite's summary on a machine without the tabular data", () => {
    const out = join(dir, 'no-data');
    mkdirSync(out, { recursive: true });
    writeGroupReport(out, { ...b, group: 'hpobench', fileBase: 'compare-hpobench' });
    const saved = process.env.TANSAKU_BENCH_DATA;
    process.env.TANSAKU_BENCH_DATA = join(dir, 'no-such-data-folder');
    try {
      // A run without the data does not run the tabular groups, yet the summary must still read their reports.
      assert.ok(!defaultGroups().some((g) => g.name === 'hpobench'));
      assert.ok(['hpobench', 'nasbench201', 'lcbench', 'zdt', 'dtlz', 'bbob-d40'].every((g) => suiteGroups().includes(g)));
      assert.ok(!suiteGroups().includes('toy'));
      const s = readSuiteSummary(out, { groups: suiteGroups() });
      assert.deepEqual(
        s.groups.map((g) => g.file),
        ['compare-hpobench.json'],
      );
      assert.ok(!s.missing.includes('hpobench'));
    } finally {
      if (saved === undefined) delete process.env.TANSAKU_BENCH_DATA;
      else process.env.TANSAKU_BENCH_DATA = saved;
    }
  });

  it('names a report file that is not JSON', () => {
    const out = join(dir, 'bad');
    mkdirSync(out, { recursive: true });
    writeGroupReport(out, b);
    writeFileSync(join(out, 'compare-classic.json'), '{"group": ');
    assert.throws(() => readSuiteSummary(out, { groups: ['classic'] }), /cannot read the group report .*compare-classic\.json/);
    writeFileSync(join(out, 'compare-classic.json'), '{"group": "classic", "samplers": []}');
    assert.throws(() => readSuiteSummary(out, { groups: ['classic'] }), /compare-classic\.json: it has no "problems"/);
  });
});

/**
 * A group where tansaku-tpe-3.1 equals optuna-tpe but for a small jitter, tansaku-tpe-3.1-mv is 10x
 * better than optuna-tpe-mv, and tansaku-tpe 10x worse than optuna-tpe; 4 problems x `seeds` seeds.
 */
function fidelityGroup(group: string, seeds: number): GroupReport {
  const records: RunRecord[] = [];
  const problems = ['p1', 'p2', 'p3', 'p4'];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [k, p] of problems.entries()) {
      const base = 10 ** -(1 + ((seed * 7 + k * 3) % 9) / 3);
      const jitter = 10 ** ((((seed * 13 + k * 5) % 7) - 3) / 100);
      records.push(fake(group, `${group}_${p}`, 'optuna-tpe', seed, base));
      records.push(fake(group, `${group}_${p}`, 'tansaku-tpe-3.1', seed, base * jitter));
      records.push(fake(group, `${group}_${p}`, 'optuna-tpe-mv', seed, base));
      records.push(fake(group, `${group}_${p}`, 'tansaku-tpe-3.1-mv', seed, (base / 10) * jitter));
      records.push(fake(group, `${group}_${p}`, 'tansaku-tpe', seed, base * 10 * jitter));
    }
  }
  const references = Object.fromEntries(problems.map((p) => [`${group}_${p}`, 1]));
  return buildGroupReport({ group, description: group, records, references, meta });
}

describe('fidelity of Tansaku TPE against Optuna TPE', () => {
  it('says equivalent, better and worse per group, and pools the small groups into one test', () => {
    const big = fidelityGroup('bbob-d5', 40);
    const verdicts = Object.fromEntries(big.fidelity!.map((f) => [f.pair.join(' vs '), f.verdict]));
    assert.deepEqual(verdicts, {
      'tansaku-tpe-3.1 vs optuna-tpe': 'equivalent',
      'tansaku-tpe-3.1-mv vs optuna-tpe-mv': 'better',
      'tansaku-tpe vs optuna-tpe': 'worse',
    });
    assert.equal(big.fidelity![0].n, 160);
    assert.ok(renderMarkdown(big).includes("## Fidelity: Tansaku's TPE against Optuna 3.1's"));
    // Small groups: each alone has 20 pairs; pooled, 60.
    const small = ['mixed', 'zdt', 'dtlz'].map((g) => ({ report: fidelityGroup(g, 5), file: `compare-${g}.json` }));
    const summary = buildSuiteSummary([{ report: big, file: 'compare-bbob-d5.json' }, ...small]);
    const pooled = summary.pooledFidelity.find((f) => f.pair[0] === 'tansaku-tpe-3.1')!;
    assert.equal(pooled.n, 60);
    assert.equal(summary.pooledFidelity.find((f) => f.pair[0] === 'tansaku-tpe')!.verdict, 'worse');
    const md = renderSummaryMarkdown(summary);
    assert.match(md, /\| pooled: mixed, conditional, nasbench201, zdt, dtlz \|/);
    assert.match(md, /Mean over the groups each sampler ran: /);
  });
});
