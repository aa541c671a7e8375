/**
 * Reports of the side-by-side harness, per problem group: from the cached runs to statistics, and to
 * `compare-<group>.md|csv|json` (+ the plot data `plot.ts` draws).
 *
 * - Final normalised regret per problem and sampler: median and interquartile range over seeds.
 * - Mean rank: samplers ranked by final normalised regret within each (problem, seed) block where all of
 *   them ran (ties share the mean rank), averaged over the group's blocks.
 * - Pairwise win/tie/loss: for each problem and each pair of samplers, a two-sided paired Wilcoxon
 *   signed-rank test over seeds on log10 normalised regret; Holm's correction over all tests of the group;
 *   a win where the adjusted p < α = 0.05 and the Hodges–Lehmann estimate of the difference favours the
 *   sampler, a loss the other way, a tie otherwise.
 * - The sampler's own time per trial at 100 and 1000 trials: mean over the trials since the previous
 *   checkpoint (trials 80–100, 795–1000), median over runs.
 * - Self-check: Tansaku Random vs Optuna Random, TOST (two one-sided Wilcoxon signed-rank tests) on the
 *   paired differences of final log10 normalised regret over all (problem, seed) pairs of the group, with
 *   an equivalence margin of ±{@link SELF_CHECK_MARGIN} decades (README: "Self-check").
 * - Fidelity: the same TOST for each of {@link FIDELITY_PAIRS} (Tansaku's TPE against Optuna 3.1's), and
 *   one-sided Wilcoxon signed-rank tests for "significantly better" / "worse"; the paired differences are
 *   kept so that the summary can pool small groups.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hodgesLehmann, holmBonferroni, meanRanks, quantile, tost, wilcoxonSignedRank, type TostResult } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { logRegret, normalisedRegret } from './regret.js';
import type { RunRecord } from './runner.js';
import { FIDELITY_PAIRS, SELF_CHECK_PAIR } from './samplers.js';

/** Equivalence margin of the self-check, in decades of normalised regret (log10 units). */
export const SELF_CHECK_MARGIN = 0.1;
/** Level of the pairwise tests (after Holm) and of the TOST. */
export const ALPHA = 0.05;

export interface ReportMeta {
  /** e.g. "Intel Xeon …, 2 cores, Node v20…" */
  machine: string;
  /** Git commit (and uncommitted paths). */
  code: string;
  optuna: string | null;
  generated: string;
  /** How the results were produced (command line). */
  command: string;
}

export interface CellSummary {
  problem: string;
  sampler: string;
  budget: number;
  n: number;
  median: number;
  q1: number;
  q3: number;
  medianLog10: number;
}

export interface PairTest {
  problem: string;
  a: string;
  b: string;
  n: number;
  p: number;
  pHolm: number;
  /** Hodges–Lehmann estimate of log10 r_a − log10 r_b (negative: a better). */
  estimate: number;
  outcome: 'win' | 'tie' | 'loss';
}

export interface TimeSummary {
  sampler: string;
  runs: number;
  /** Median over runs of the sampler's own time per trial, in ms, around trial 100 / 1000 / the budget. */
  at100ms: number | null;
  at1000ms: number | null;
  atBudgetMs: number | null;
  budget: number | null;
}

export interface CurveSummary {
  panel: string;
  sampler: string;
  budget: number;
  runs: number;
  checkpoints: number[];
  /** log10 normalised regret: median and quartiles over runs at each checkpoint. */
  median: number[];
  q1: number[];
  q3: number[];
}

export interface SelfCheck extends TostResult {
  pair: readonly [string, string];
  /** The paired t version, for comparison. */
  tTest: { pValue: number; estimate: number; ci: [number, number]; equivalent: boolean };
}

/** One fidelity pair's verdict in a group (or pooled groups): see {@link fidelityCheck}. */
export interface FidelityCheck {
  pair: readonly [string, string];
  n: number;
  /** TOST (Wilcoxon) within ±SELF_CHECK_MARGIN decades. */
  tost: TostResult;
  /** One-sided signed-rank p that the first sampler's log regret is lower (better) / higher (worse). */
  pBetter: number;
  pWorse: number;
  verdict: 'equivalent' | 'better' | 'worse' | 'inconclusive';
  /** log10 r_a − log10 r_b per (problem, seed), 4 decimals, for pooling. */
  diffs: number[];
}

/**
 * The fidelity verdict of paired log-regret differences a − b: equivalent when TOST shows it, else
 * better or worse when a one-sided signed-rank test rejects at α, else inconclusive.
 * @example fidelityCheck(['a', 'b'], diffs).verdict // 'equivalent'
 */
export function fidelityCheck(pair: readonly [string, string], diffs: readonly number[]): FidelityCheck {
  const t = tost(diffs, SELF_CHECK_MARGIN, { alpha: ALPHA, method: 'wilcoxon' });
  const pBetter = wilcoxonSignedRank(diffs, undefined, { alternative: 'less' }).pValue;
  const pWorse = wilcoxonSignedRank(diffs, undefined, { alternative: 'greater' }).pValue;
  const verdict = t.equivalent ? 'equivalent' : pBetter < ALPHA ? 'better' : pWorse < ALPHA ? 'worse' : 'inconclusive';
  return { pair, n: diffs.length, tost: t, pBetter, pWorse, verdict, diffs: diffs.map((d) => Math.round(d * 1e4) / 1e4) };
}

export interface GroupReport {
  group: string;
  /** Base name of its files (`compare-<group>` unless the run gave `--report-name`). */
  fileBase?: string;
  description: string;
  meta: ReportMeta;
  samplers: string[];
  problems: string[];
  runs: number;
  /** Of `runs`, how many were read off a longer cached run of the same seed (`RunLookup`, cache.ts). */
  prefixRuns: number;
  errors: Array<{ key: string; error: string }>;
  cells: CellSummary[];
  meanRank: { blocks: number; ranks: Record<string, number> };
  pairwise: {
    alpha: number;
    tests: number;
    matrix: Array<{ a: string; b: string; wins: number; ties: number; losses: number }>;
    details: PairTest[];
  };
  time: TimeSummary[];
  selfCheck: SelfCheck | null;
  selfCheckNote: string;
  /** The fidelity pairs with runs of both samplers on common (problem, seed); absent in older reports. */
  fidelity?: FidelityCheck[];
  curves: CurveSummary[];
}

export interface ReportInput {
  group: string;
  description: string;
  /** Runs of this group (error records included; they are listed, not scored). */
  records: readonly RunRecord[];
  /** f_ref by problem id. */
  references: Readonly<Record<string, number | null>>;
  /** Presentation order of the samplers (others follow, sorted). */
  samplerOrder?: readonly string[];
  /**
   * Seeds 1..seeds make the tables, ranks and pairwise tests (the same seeds for every sampler); runs with
   * higher seeds (the self-check's extra seeds) feed only the self-check. Default: all seeds.
   */
  seeds?: number;
  meta: ReportMeta;
}

/** The file base of a group's report under a report name (`compare-<group>` or `compare-<group>-<name>`). */
export function reportBase(group: string, reportName?: string | null): string {
  return reportName ? `compare-${group}-${reportName}` : `compare-${group}`;
}

/** The panel a problem is drawn in: BBOB instances of one function share one (`_iNN` dropped). */
export function panelOf(problemId: string): string {
  return problemId.replace(/_i\d+(?=_|$)/, '');
}

function finalBest(r: RunRecord): number | null {
  return r.best.length ? r.best[r.best.length - 1] : null;
}

/** Mean sampler time per trial (ms) over the trials between the checkpoint before `n` and `n`. */
export function timePerTrialMs(r: RunRecord, n: number): number | null {
  const i = r.checkpoints.indexOf(n);
  if (i <= 0) return null;
  return ((r.samplerSeconds[i] - r.samplerSeconds[i - 1]) / (r.checkpoints[i] - r.checkpoints[i - 1])) * 1000;
}

export function buildGroupReport(input: ReportInput): GroupReport {
  const ok = input.records.filter((r) => !r.error && r.best.length > 0);
  const main = ok.filter((r) => r.seed <= (input.seeds ?? Infinity));
  const errors = input.records.filter((r) => r.error).map((r) => ({ key: r.key, error: r.error! }));
  const order = input.samplerOrder ?? [];
  const present = [...new Set(main.map((r) => r.sampler))];
  const samplers = [...order.filter((s) => present.includes(s)), ...present.filter((s) => !order.includes(s)).sort()];
  const problems = [...new Set(main.map((r) => r.problem))].sort();

  // Largest hypervolume reached per multi-objective problem (stands in for HV* where the problem has none).
  const observedHv = new Map<string, number>();
  for (const r of ok)
    if (r.directions.length > 1)
      for (const v of r.best) if (v !== null) observedHv.set(r.problem, Math.max(observedHv.get(r.problem) ?? 0, v));
  const regretOf = (r: RunRecord, best: number | null): number =>
    normalisedRegret(best, r, input.references[r.problem] ?? null, observedHv.get(r.problem));

  // Final log regret by problem -> sampler -> seed: `finals` for the main seeds, `allFinals` with the
  // self-check's extra seeds too.
  type Final = { regret: number; log: number; budget: number };
  const finals = new Map<string, Map<string, Map<number, Final>>>();
  const allFinals = new Map<string, Map<string, Map<number, Final>>>();
  const maxSeed = input.seeds ?? Infinity;
  for (const r of ok) {
    const regret = regretOf(r, finalBest(r));
    for (const map of r.seed <= maxSeed ? [finals, allFinals] : [allFinals]) {
      const bySampler = map.get(r.problem) ?? new Map<string, Map<number, Final>>();
      map.set(r.problem, bySampler);
      const bySeed = bySampler.get(r.sampler) ?? new Map<number, Final>();
      bySampler.set(r.sampler, bySeed);
      bySeed.set(r.seed, { regret, log: logRegret(regret), budget: r.budget });
    }
  }

  const cells: CellSummary[] = [];
  for (const p of problems) {
    for (const s of samplers) {
      const runs = [...(finals.get(p)?.get(s)?.values() ?? [])];
      if (runs.length === 0) continue;
      const rs = runs.map((x) => x.regret);
      cells.push({
        problem: p,
        sampler: s,
        budget: runs[0].budget,
        n: runs.length,
        median: quantile(rs, 0.5),
        q1: quantile(rs, 0.25),
        q3: quantile(rs, 0.75),
        medianLog10: quantile(
          runs.map((x) => x.log),
          0.5,
        ),
      });
    }
  }

  // Mean rank over (problem, seed) blocks in which every ranked sampler ran. Ranked: the samplers that ran
  // on every problem of the group (one made only for some problems, e.g. NSGA-II in a group mixing one and
  // several objectives, would otherwise empty every block).
  const ranked = samplers.filter((s) => problems.every((p) => finals.get(p)?.has(s)));
  const blocks: number[][] = [];
  for (const p of problems) {
    const bySampler = finals.get(p)!;
    const seeds = new Set<number>();
    for (const m of bySampler.values()) for (const seed of m.keys()) seeds.add(seed);
    for (const seed of seeds) {
      const row = ranked.map((s) => bySampler.get(s)?.get(seed)?.log);
      if (row.every((v) => v !== undefined)) blocks.push(row as number[]);
    }
  }
  const ranks: Record<string, number> = {};
  if (blocks.length > 0 && ranked.length > 0)
    meanRanks(blocks).forEach((r, j) => {
      ranks[ranked[j]] = r;
    });

  // Pairwise tests.
  const raw: Array<Omit<PairTest, 'pHolm' | 'outcome'>> = [];
  for (const p of problems) {
    const bySampler = finals.get(p)!;
    for (let i = 0; i < samplers.length; i++) {
      for (let j = i + 1; j < samplers.length; j++) {
        const a = bySampler.get(samplers[i]);
        const b = bySampler.get(samplers[j]);
        if (!a || !b) continue;
        const diffs: number[] = [];
        for (const [seed, va] of a) {
          const vb = b.get(seed);
          if (vb) diffs.push(va.log - vb.log);
        }
        if (diffs.length === 0) continue;
        raw.push({
          problem: p,
          a: samplers[i],
          b: samplers[j],
          n: diffs.length,
          p: wilcoxonSignedRank(diffs).pValue,
          estimate: hodgesLehmann(diffs),
        });
      }
    }
  }
  const adjusted = holmBonferroni(raw.map((t) => t.p));
  const details: PairTest[] = raw.map((t, k) => ({
    ...t,
    pHolm: adjusted[k],
    outcome: adjusted[k] < ALPHA && t.estimate !== 0 ? (t.estimate < 0 ? 'win' : 'loss') : 'tie',
  }));
  const matrix: GroupReport['pairwise']['matrix'] = [];
  for (const a of samplers) {
    for (const b of samplers) {
      if (a === b) continue;
      let wins = 0;
      let ties = 0;
      let losses = 0;
      for (const t of details) {
        if (t.a === a && t.b === b) t.outcome === 'win' ? wins++ : t.outcome === 'loss' ? losses++ : ties++;
        else if (t.a === b && t.b === a) t.outcome === 'win' ? losses++ : t.outcome === 'loss' ? wins++ : ties++;
      }
      matrix.push({ a, b, wins, ties, losses });
    }
  }

  // Time per trial.
  const time: TimeSummary[] = samplers.map((s) => {
    const runs = main.filter((r) => r.sampler === s);
    const med = (xs: Array<number | null>): number | null => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? quantile(v, 0.5) : null;
    };
    const budgets = [...new Set(runs.map((r) => r.budget))];
    return {
      sampler: s,
      runs: runs.length,
      at100ms: med(runs.map((r) => timePerTrialMs(r, 100))),
      at1000ms: med(runs.map((r) => timePerTrialMs(r, 1000))),
      atBudgetMs: med(runs.map((r) => timePerTrialMs(r, r.checkpoints[r.checkpoints.length - 1]))),
      budget: budgets.length === 1 ? budgets[0] : null,
    };
  });

  /** log10 regret of a minus that of b, per (problem, seed) both ran. */
  const pairedDiffs = (ta: string, tb: string): number[] => {
    const diffs: number[] = [];
    for (const p of problems) {
      const a = allFinals.get(p)?.get(ta);
      const b = allFinals.get(p)?.get(tb);
      if (!a || !b) continue;
      for (const [seed, va] of a) {
        const vb = b.get(seed);
        if (vb) diffs.push(va.log - vb.log);
      }
    }
    return diffs;
  };
  const fidelity: FidelityCheck[] = [];
  for (const pair of FIDELITY_PAIRS) {
    const diffs = pairedDiffs(pair[0], pair[1]);
    if (diffs.length >= 2) fidelity.push(fidelityCheck(pair, diffs));
  }

  // Self-check.
  const [ta, tb] = SELF_CHECK_PAIR;
  const selfDiffs = pairedDiffs(ta, tb);
  let selfCheck: SelfCheck | null = null;
  let selfCheckNote: string;
  if (selfDiffs.length >= 2) {
    const w = tost(selfDiffs, SELF_CHECK_MARGIN, { alpha: ALPHA, method: 'wilcoxon' });
    const t = tost(selfDiffs, SELF_CHECK_MARGIN, { alpha: ALPHA, method: 't' });
    selfCheck = { ...w, pair: SELF_CHECK_PAIR, tTest: { pValue: t.pValue, estimate: t.estimate, ci: t.ci!, equivalent: t.equivalent } };
    selfCheckNote = w.equivalent
      ? `equivalent within ±${SELF_CHECK_MARGIN} decades (TOST p = ${fmtP(w.pValue)} < ${ALPHA})`
      : `equivalence NOT shown within ±${SELF_CHECK_MARGIN} decades (TOST p = ${fmtP(w.pValue)} ≥ ${ALPHA}${selfDiffs.length < 60 ? `; with only ${selfDiffs.length} pairs the test has little power — run more seeds or problems` : ''})`;
  } else {
    selfCheckNote = `not run: needs runs of both ${ta} and ${tb} on the same (problem, seed)`;
  }

  // Curves for the plots: per panel, sampler and budget.
  const curves: CurveSummary[] = [];
  const byCurve = new Map<string, RunRecord[]>();
  for (const r of main) {
    const k = `${panelOf(r.problem)}\u0000${r.sampler}\u0000${r.budget}`;
    const list = byCurve.get(k) ?? [];
    list.push(r);
    byCurve.set(k, list);
  }
  for (const [k, runs] of byCurve) {
    const [panel, sampler, budget] = k.split('\u0000');
    const checkpoints = runs[0].checkpoints;
    const median: number[] = [];
    const q1: number[] = [];
    const q3: number[] = [];
    checkpoints.forEach((_, i) => {
      const logs = runs.map((r) => logRegret(regretOf(r, r.best[i] ?? null)));
      median.push(quantile(logs, 0.5));
      q1.push(quantile(logs, 0.25));
      q3.push(quantile(logs, 0.75));
    });
    curves.push({ panel, sampler, budget: Number(budget), runs: runs.length, checkpoints, median, q1, q3 });
  }
  curves.sort((x, y) => (x.panel < y.panel ? -1 : x.panel > y.panel ? 1 : samplers.indexOf(x.sampler) - samplers.indexOf(y.sampler)));

  return {
    group: input.group,
    description: input.description,
    meta: input.meta,
    samplers,
    problems,
    runs: main.length,
    prefixRuns: main.filter((r) => r.prefixOf !== undefined).length,
    errors,
    cells,
    meanRank: { blocks: blocks.length, ranks },
    pairwise: { alpha: ALPHA, tests: details.length, matrix, details },
    time,
    selfCheck,
    selfCheckNote,
    fidelity,
    curves,
  };
}

// ---------------------------------------------------------------------------------------------------
// Rendering

/** A normalised regret for tables: 3 significant digits, exponent form below 0.01. */
export function fmtRegret(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  if (x >= 0.01 && x < 1000) return x.toPrecision(3).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m));
  return x.toExponential(1).replace('e+', 'e');
}

/** A p-value for tables: 2 significant digits, exponent form below 1e-4. */
export function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** A time in ms for tables: 3 significant digits or so, — when there is none. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10 ? ms.toFixed(1) : ms >= 0.1 ? ms.toFixed(2) : ms.toFixed(3);
}

export function renderMarkdown(r: GroupReport): string {
  const out: string[] = [];
  out.push(`# Side-by-side: ${r.group}`, '');
  out.push(
    `${r.description}. Written by \`${r.meta.command}\` (bench/compare/run.ts); what is measured and why: bench/compare/README.md.`,
    '',
  );
  out.push(`Machine: ${r.meta.machine}. Code: ${r.meta.code}. Optuna: ${r.meta.optuna ?? 'not run'}. Generated ${r.meta.generated}.`, '');
  const budgets = [...new Set(r.cells.map((c) => c.budget))].sort((a, b) => a - b);
  const seeds = [...new Set(r.cells.map((c) => c.n))].sort((a, b) => a - b);
  out.push(
    `${r.problems.length} problems × ${r.samplers.length} samplers, ${r.runs} runs; budget ${budgets.join('/')} evaluations; seeds per cell ${seeds.join('/')}.`,
    '',
  );
  if (r.prefixRuns) {
    out.push(
      `${r.prefixRuns} of these runs are the first evaluations of a cached run with a larger budget (same problem, sampler and seed): samplers never see the budget, so those evaluations are that run (bench/compare/README.md, "Budgets").`,
      '',
    );
  }
  if (r.errors.length) out.push(`${r.errors.length} runs could not be made (first: \`${r.errors[0].key}\`: ${r.errors[0].error}).`, '');

  out.push('## Self-check: Tansaku Random vs Optuna Random', '');
  if (r.selfCheck) {
    const s = r.selfCheck;
    out.push(
      `TOST (two one-sided Wilcoxon signed-rank tests) on log10(normalised regret of ${s.pair[0]}) − log10(… of ${s.pair[1]}), paired by (problem, seed), ${s.n} pairs, margin ±${s.margin} decades, α = ${s.alpha}: ` +
        `Hodges–Lehmann difference ${s.estimate.toFixed(3)}, p(lower) = ${fmtP(s.pLower)}, p(upper) = ${fmtP(s.pUpper)} → **${s.equivalent ? 'equivalent' : 'equivalence not shown'}**. ` +
        `(Paired t TOST: mean ${s.tTest.estimate.toFixed(3)}, 90% CI [${s.tTest.ci[0].toFixed(3)}, ${s.tTest.ci[1].toFixed(3)}], p = ${fmtP(s.tTest.pValue)}.)` +
        (!s.equivalent && s.n < 100
          ? ` With ${s.n} pairs the test has little power (about 150 are needed at a spread of ~0.4 decades): add seeds (\`--self-check-pairs\`).`
          : ''),
      '',
    );
  } else out.push(`Self-check ${r.selfCheckNote}.`, '');

  if (r.fidelity?.length) {
    out.push(
      "## Fidelity: Tansaku's TPE against Optuna 3.1's",
      '',
      `The self-check's TOST (±${SELF_CHECK_MARGIN} decades, α = ${ALPHA}) on log10 regret of the first sampler − the second, paired by (problem, seed); where equivalence is not shown, one-sided signed-rank tests say whether the first is significantly better or worse.`,
      '',
      markdownTable(
        ['pair', 'pairs', 'Hodges–Lehmann difference', 'TOST p', 'p (better)', 'p (worse)', 'verdict'],
        r.fidelity.map((f) => [
          `${f.pair[0]} vs ${f.pair[1]}`,
          String(f.n),
          f.tost.estimate.toFixed(3),
          fmtP(f.tost.pValue),
          fmtP(f.pBetter),
          fmtP(f.pWorse),
          `**${f.verdict}**`,
        ]),
      ),
      '',
    );
  }

  out.push('## Final normalised regret: median [IQR] over seeds', '');
  out.push(
    '0 = optimum, 1 = a typical uniformly random configuration (hypervolume regret for several objectives). Best median per row in bold.',
    '',
  );
  const rows = r.problems.map((p) => {
    const cells = r.samplers.map((s) => r.cells.find((c) => c.problem === p && c.sampler === s));
    const best = Math.min(...cells.filter((c) => c).map((c) => c!.median));
    return [
      p,
      ...cells.map((c) =>
        c
          ? `${c.median === best ? '**' : ''}${fmtRegret(c.median)}${c.median === best ? '**' : ''} [${fmtRegret(c.q1)}, ${fmtRegret(c.q3)}]`
          : '—',
      ),
    ];
  });
  rows.push([
    `mean rank (${r.meanRank.blocks} blocks)`,
    ...r.samplers.map((s) => (r.meanRank.ranks[s] !== undefined ? r.meanRank.ranks[s].toFixed(2) : '—')),
  ]);
  out.push(markdownTable(['problem', ...r.samplers], rows), '');

  out.push('## Pairwise: wins/ties/losses of the row sampler against the column sampler, over problems', '');
  out.push(
    `Per problem, a two-sided paired Wilcoxon signed-rank test over seeds on log10 normalised regret; Holm's correction over all ${r.pairwise.tests} tests of the group; a win or loss needs adjusted p < ${r.pairwise.alpha}.`,
    '',
  );
  out.push(
    markdownTable(
      ['', ...r.samplers],
      r.samplers.map((a) => [
        a,
        ...r.samplers.map((b) => {
          const m = r.pairwise.matrix.find((x) => x.a === a && x.b === b);
          return a === b ? '·' : m && m.wins + m.ties + m.losses > 0 ? `${m.wins}/${m.ties}/${m.losses}` : '';
        }),
      ]),
    ),
    '',
  );

  out.push("## Sampler's own time per trial (ms)", '');
  out.push(
    'Time inside the framework (ask + suggests + tell, problem evaluation excluded), mean over the trials since the previous checkpoint (80–100, 795–1000, …), median over runs. — where no run reached that many trials.',
    '',
  );
  out.push(
    markdownTable(
      ['sampler', 'runs', 'at 100 trials', 'at 1000 trials', 'at the budget'],
      r.time.map((t) => [
        t.sampler,
        String(t.runs),
        fmtMs(t.at100ms),
        fmtMs(t.at1000ms),
        t.atBudgetMs === null ? '—' : `${fmtMs(t.atBudgetMs)}${t.budget ? ` (${t.budget})` : ''}`,
      ]),
    ),
    '',
  );
  const base = r.fileBase ?? reportBase(r.group);
  out.push(`Plot: [plots/${base}.svg](plots/${base}.svg).`, '');
  return out.join('\n');
}

export function renderCsv(r: GroupReport): string {
  const header = [
    'group',
    'problem',
    'sampler',
    'budget',
    'seeds',
    'median_regret',
    'q1_regret',
    'q3_regret',
    'median_log10_regret',
    'mean_rank_group',
    'time_ms_at_100',
    'time_ms_at_1000',
  ];
  const lines = [header.join(',')];
  for (const c of r.cells) {
    const t = r.time.find((x) => x.sampler === c.sampler);
    lines.push(
      [
        r.group,
        c.problem,
        c.sampler,
        c.budget,
        c.n,
        c.median,
        c.q1,
        c.q3,
        c.medianLog10,
        r.meanRank.ranks[c.sampler] ?? '',
        t?.at100ms ?? '',
        t?.at1000ms ?? '',
      ]
        .map((v) => (typeof v === 'string' && /[,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v)))
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `compare-<group>.md|csv|json` (or `<fileBase>.…`) into `dir`; returns the paths. */
export function writeGroupReport(dir: string, r: GroupReport): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, r.fileBase ?? reportBase(r.group));
  writeFileSync(`${base}.md`, renderMarkdown(r));
  writeFileSync(`${base}.csv`, renderCsv(r));
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 1)}\n`);
  return [`${base}.md`, `${base}.csv`, `${base}.json`];
}
