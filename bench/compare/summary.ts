/**
 * The suite's summary across problem groups: one page that says, per group, how the samplers ranked,
 * where each had the lowest median regret, how each fared against a reference sampler (Holm-corrected
 * wins/ties/losses, from the group's own pairwise tests) and whether the self-check held — read off the
 * per-group reports (`compare-<group>[-NAME].json`, report.ts), so it never disagrees with them.
 *
 * Written to `bench/results/compare-summary[-NAME].md|csv|json` by every harness run that writes a group
 * report (harness.ts), and by `node bench/scripts/bench.mjs compare/summary.ts [--report-name NAME] [--reference SAMPLER]
 * [--dir DIR]`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reportNameOf } from '../lib/results.js';
import { FIDELITY_PAIRS } from './samplers.js';
import { markdownTable } from '../lib/table.js';
import { suiteGroups } from './problems.js';
import { fidelityCheck, fmtMs, fmtP, reportBase, type FidelityCheck, type GroupReport } from './report.js';

/** The reference sampler of the wins/ties/losses table when none is named: the first of these present. */
export const DEFAULT_REFERENCES = ['optuna-tpe', 'optuna-random', 'tansaku-random'] as const;

export interface GroupSummary {
  group: string;
  /** The report file it was read from, e.g. `compare-bbob-d5-nm.json`. */
  file: string;
  problems: number;
  runs: number;
  /** Of `runs`, read off longer cached runs (see report.ts `prefixRuns`). */
  prefixRuns: number;
  errors: number;
  budgets: number[];
  samplers: string[];
  meanRank: Record<string, number>;
  /** Problems on which the sampler's median final regret is the lowest of the group's samplers (a tie counts for each). */
  lowestMedian: Record<string, number>;
  /** Holm-corrected wins/ties/losses of each other sampler against the reference, over the group's problems. */
  versusReference: Record<string, { wins: number; ties: number; losses: number }> | null;
  selfCheck: { pairs: number; estimate: number; pLower: number; pUpper: number; margin: number; equivalent: boolean; from: string } | null;
  /** Sampler's own time per trial at 100 trials (ms), median over its runs in the group. */
  timeAt100ms: Record<string, number | null>;
  /** The group's fidelity pairs (report.ts), empty for reports made before them. */
  fidelity: FidelityCheck[];
}

/**
 * Groups too small for a per-group TOST at 20 seeds (2–4 problems: 40–80 pairs, where ~150 are needed),
 * pooled into one fidelity test.
 */
export const POOLED_FIDELITY_GROUPS = ['mixed', 'conditional', 'nasbench201', 'zdt', 'dtlz'] as const;

export interface SuiteSummary {
  reportName: string | null;
  reference: string | null;
  /** Every sampler of any group, in the order of first appearance. */
  samplers: string[];
  groups: GroupSummary[];
  /** Each fidelity pair over the pooled small groups ({@link POOLED_FIDELITY_GROUPS}) present. */
  pooledFidelity: FidelityCheck[];
  /** Mean over the groups a sampler ran of its mean rank there. */
  suiteMeanRank: Record<string, number>;
  /**
   * The full suite's summary (no report name): groups looked for whose report does not exist yet. Empty for
   * a named configuration, which covers only the groups it was run on.
   */
  missing: string[];
}

/**
 * Summarises the given group reports. `selfChecks` supplies a self-check for a group whose report has none
 * (e.g. from its `compare-<group>-selfcheck` report), with the file it came from.
 * @example
 * const s = buildSuiteSummary([reportD5, reportD10], { reference: 'optuna-tpe' });
 * s.groups[0].versusReference?.['tansaku-nelder-mead']; // { wins: 10, ties: 2, losses: 0 }
 */
export function buildSuiteSummary(
  reports: ReadonlyArray<{ report: GroupReport; file: string }>,
  options: {
    reference?: string;
    reportName?: string | null;
    missing?: string[];
    selfChecks?: ReadonlyMap<string, { report: GroupReport; file: string }>;
  } = {},
): SuiteSummary {
  const samplers: string[] = [];
  for (const { report } of reports) for (const s of report.samplers) if (!samplers.includes(s)) samplers.push(s);
  const reference = options.reference ?? DEFAULT_REFERENCES.find((r) => samplers.includes(r)) ?? null;
  if (options.reference !== undefined && !samplers.includes(options.reference)) {
    throw new Error(
      `reference sampler ${JSON.stringify(options.reference)} is in none of the reports; their samplers: ${samplers.join(', ') || '(none)'}`,
    );
  }
  const groups = reports.map(({ report: r, file }): GroupSummary => {
    const lowestMedian: Record<string, number> = Object.fromEntries(r.samplers.map((s) => [s, 0]));
    for (const p of r.problems) {
      const cells = r.cells.filter((c) => c.problem === p);
      if (cells.length === 0) continue;
      const best = Math.min(...cells.map((c) => c.median));
      for (const c of cells) if (c.median === best) lowestMedian[c.sampler]++;
    }
    let versusReference: GroupSummary['versusReference'] = null;
    if (reference !== null && r.samplers.includes(reference)) {
      versusReference = {};
      for (const s of r.samplers) {
        if (s === reference) continue;
        const m = r.pairwise.matrix.find((x) => x.a === s && x.b === reference);
        versusReference[s] = m ? { wins: m.wins, ties: m.ties, losses: m.losses } : { wins: 0, ties: 0, losses: 0 };
      }
    }
    const fallback = options.selfChecks?.get(r.group);
    const check = r.selfCheck
      ? { s: r.selfCheck, from: file }
      : fallback?.report.selfCheck
        ? { s: fallback.report.selfCheck, from: fallback.file }
        : null;
    return {
      group: r.group,
      file,
      problems: r.problems.length,
      runs: r.runs,
      prefixRuns: r.prefixRuns ?? 0,
      errors: r.errors.length,
      budgets: [...new Set(r.cells.map((c) => c.budget))].sort((a, b) => a - b),
      samplers: [...r.samplers],
      meanRank: { ...r.meanRank.ranks },
      lowestMedian,
      versusReference,
      selfCheck: check
        ? {
            pairs: check.s.n,
            estimate: check.s.estimate,
            pLower: check.s.pLower,
            pUpper: check.s.pUpper,
            margin: check.s.margin,
            equivalent: check.s.equivalent,
            from: check.from,
          }
        : null,
      timeAt100ms: Object.fromEntries(r.time.map((t) => [t.sampler, t.at100ms])),
      fidelity: r.fidelity ?? [],
    };
  });
  const pooledFidelity: FidelityCheck[] = [];
  for (const pair of FIDELITY_PAIRS) {
    const diffs = groups
      .filter((g) => (POOLED_FIDELITY_GROUPS as readonly string[]).includes(g.group))
      .flatMap((g) => g.fidelity.find((f) => f.pair[0] === pair[0] && f.pair[1] === pair[1])?.diffs ?? []);
    if (diffs.length >= 2) pooledFidelity.push(fidelityCheck(pair, diffs));
  }
  const suiteMeanRank: Record<string, number> = {};
  for (const x of samplers) {
    const ranks = groups.filter((g) => g.meanRank[x] !== undefined).map((g) => g.meanRank[x]);
    if (ranks.length) suiteMeanRank[x] = ranks.reduce((a, b) => a + b, 0) / ranks.length;
  }
  return {
    reportName: options.reportName ?? null,
    reference,
    samplers,
    groups,
    pooledFidelity,
    suiteMeanRank,
    missing: options.missing ?? [],
  };
}

/**
 * Reads the reports `compare-<group>[-NAME].json` of every known group present in `dir` and summarises
 * them; the self-check of a report without one is taken from `compare-<group>-selfcheck.json` if present.
 */
export function readSuiteSummary(
  dir: string,
  options: { reportName?: string | null; reference?: string; groups?: readonly string[] } = {},
): SuiteSummary {
  const names = options.groups ?? suiteGroups();
  const reports: Array<{ report: GroupReport; file: string }> = [];
  const selfChecks = new Map<string, { report: GroupReport; file: string }>();
  const missing: string[] = [];
  const read = (file: string): GroupReport => {
    try {
      const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as GroupReport;
      for (const key of ['samplers', 'problems', 'cells', 'meanRank', 'pairwise', 'time'] as const) {
        if (report === null || typeof report !== 'object' || !(key in report))
          throw new Error(`it has no "${key}" (not a group report of this harness version)`);
      }
      return report;
    } catch (error) {
      throw new Error(`cannot read the group report ${join(dir, file)}: ${(error as Error).message}`, { cause: error });
    }
  };
  for (const g of names) {
    const file = `${reportBase(g, options.reportName)}.json`;
    if (!existsSync(join(dir, file))) {
      if (!options.reportName) missing.push(g);
      continue;
    }
    const report = read(file);
    reports.push({ report, file });
    const checkFile = `${reportBase(g, 'selfcheck')}.json`;
    if (!report.selfCheck && options.reportName !== 'selfcheck' && existsSync(join(dir, checkFile)))
      selfChecks.set(g, { report: read(checkFile), file: checkFile });
  }
  return buildSuiteSummary(reports, { reference: options.reference, reportName: options.reportName ?? null, missing, selfChecks });
}

function fmtNum(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export function renderSummaryMarkdown(s: SuiteSummary): string {
  const out: string[] = [];
  const name = s.reportName ? ` (report name "${s.reportName}")` : '';
  out.push(`# Side-by-side summary: ${s.groups.length} group${s.groups.length === 1 ? '' : 's'}${name}`, '');
  out.push(
    'Read off the per-group reports listed below (bench/compare/summary.ts); every figure is from those files, where the method is stated (bench/compare/README.md). ' +
      'Regenerate with `node bench/scripts/bench.mjs compare/summary.ts' +
      (s.reportName ? ` --report-name ${s.reportName}` : '') +
      '` or any harness run.',
    '',
  );
  if (s.missing.length) out.push(`No report yet for: ${s.missing.join(', ')}.`, '');
  if (s.groups.length === 0) return `${out.join('\n')}\n`;
  out.push(
    markdownTable(
      ['group', 'report', 'problems', 'runs', 'budget', 'samplers'],
      s.groups.map((g) => [
        g.group,
        `[${g.file.replace(/\.json$/, '.md')}](${g.file.replace(/\.json$/, '.md')})`,
        String(g.problems),
        `${g.runs}${g.prefixRuns ? ` (${g.prefixRuns} prefixes)` : ''}${g.errors ? `, ${g.errors} failed` : ''}`,
        g.budgets.join('/'),
        String(g.samplers.length),
      ]),
    ),
    '',
  );
  const cell = (g: GroupSummary, sampler: string, f: (g: GroupSummary) => string) => (g.samplers.includes(sampler) ? f(g) : '');
  out.push('## Mean rank (1 = best; per (problem, seed) block, averaged over the group)', '');
  out.push(
    markdownTable(
      ['group', ...s.samplers],
      s.groups.map((g) => {
        const best = Math.min(...g.samplers.map((x) => g.meanRank[x] ?? Infinity));
        return [
          g.group,
          ...s.samplers.map((x) => cell(g, x, () => (g.meanRank[x] === best ? `**${fmtNum(g.meanRank[x])}**` : fmtNum(g.meanRank[x])))),
        ];
      }),
    ),
    '',
  );
  out.push(
    `Mean over the groups each sampler ran: ${s.samplers
      .filter((x) => s.suiteMeanRank[x] !== undefined)
      .map((x) => `${x} ${fmtNum(s.suiteMeanRank[x])}`)
      .join(', ')} (groups differ in how many samplers they run, so compare samplers that ran the same groups).`,
    '',
  );
  const pairs = FIDELITY_PAIRS.filter((p) => s.groups.some((g) => g.fidelity.some((f) => f.pair[0] === p[0] && f.pair[1] === p[1])));
  if (pairs.length) {
    out.push("## Fidelity: Tansaku's TPE against Optuna 3.1's (TOST ±0.1 decades, else one-sided tests)", '');
    const verdict = (f: FidelityCheck | undefined) => (f ? `${f.verdict} (${f.tost.estimate.toFixed(3)}, n ${f.n})` : '');
    const find = (list: readonly FidelityCheck[], p: readonly [string, string]) =>
      list.find((f) => f.pair[0] === p[0] && f.pair[1] === p[1]);
    out.push(
      markdownTable(
        ['group', ...pairs.map((p) => `${p[0]} vs ${p[1]}`)],
        [
          ...s.groups.map((g) => [g.group, ...pairs.map((p) => verdict(find(g.fidelity, p)))]),
          ...(s.pooledFidelity.length
            ? [[`pooled: ${POOLED_FIDELITY_GROUPS.join(', ')}`, ...pairs.map((p) => verdict(find(s.pooledFidelity, p)))]]
            : []),
        ],
      ),
      '',
      'Each cell: the verdict, the Hodges–Lehmann difference of log10 regret (negative: Tansaku lower) and the number of (problem, seed) pairs. The small groups have too few pairs for a TOST each (~150 are needed at their spread), so they are also pooled into one test.',
      '',
    );
  }
  out.push("## Problems where the sampler's median final regret is the lowest (ties count for each)", '');
  out.push(
    markdownTable(
      ['group', ...s.samplers],
      s.groups.map((g) => [g.group, ...s.samplers.map((x) => cell(g, x, () => `${g.lowestMedian[x]}/${g.problems}`))]),
    ),
    '',
  );
  if (s.reference) {
    out.push(`## Against ${s.reference}: wins/ties/losses over the group's problems`, '');
    out.push(
      `Per problem a paired Wilcoxon signed-rank test over seeds on log10 normalised regret, Holm's correction over all tests of the group (as in each group's report); a win is a significant improvement on ${s.reference}. Empty where the group did not run ${s.reference} or the sampler.`,
      '',
    );
    const others = s.samplers.filter((x) => x !== s.reference);
    out.push(
      markdownTable(
        ['group', ...others],
        s.groups.map((g) => [
          g.group,
          ...others.map((x) =>
            g.versusReference?.[x] ? `${g.versusReference[x].wins}/${g.versusReference[x].ties}/${g.versusReference[x].losses}` : '',
          ),
        ]),
      ),
      '',
    );
  }
  out.push('## Self-check: Tansaku Random vs Optuna Random (TOST)', '');
  out.push(
    markdownTable(
      ['group', 'pairs', 'difference (decades)', 'margin', 'p(lower)', 'p(upper)', 'result', 'from'],
      s.groups.map((g) =>
        g.selfCheck
          ? [
              g.group,
              String(g.selfCheck.pairs),
              g.selfCheck.estimate.toFixed(3),
              `±${g.selfCheck.margin}`,
              fmtP(g.selfCheck.pLower),
              fmtP(g.selfCheck.pUpper),
              g.selfCheck.equivalent ? 'equivalent' : 'not shown',
              g.selfCheck.from.replace(/\.json$/, '.md'),
            ]
          : [g.group, '', '', '', '', '', 'not in this report', ''],
      ),
    ),
    '',
  );
  out.push("## Sampler's own time per trial at 100 trials (ms; median over the group's runs)", '');
  out.push(
    markdownTable(
      ['group', ...s.samplers],
      s.groups.map((g) => [g.group, ...s.samplers.map((x) => cell(g, x, () => fmtMs(g.timeAt100ms[x])))]),
    ),
    '',
  );
  return `${out.join('\n')}\n`;
}

export function renderSummaryCsv(s: SuiteSummary): string {
  const lines = [
    'group,sampler,problems,mean_rank,lowest_median,wins_vs_reference,ties_vs_reference,losses_vs_reference,reference,time_ms_at_100',
  ];
  for (const g of s.groups) {
    for (const x of g.samplers) {
      const v = g.versusReference?.[x];
      lines.push(
        [
          g.group,
          x,
          g.problems,
          g.meanRank[x] ?? '',
          g.lowestMedian[x] ?? '',
          v?.wins ?? '',
          v?.ties ?? '',
          v?.losses ?? '',
          v ? s.reference : '',
          g.timeAt100ms[x] ?? '',
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `compare-summary[-NAME].md|csv|json` into `dir`; returns the paths. */
export function writeSuiteSummary(dir: string, s: SuiteSummary): string[] {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, reportBase('summary', s.reportName));
  writeFileSync(`${base}.md`, renderSummaryMarkdown(s));
  writeFileSync(`${base}.csv`, renderSummaryCsv(s));
  writeFileSync(`${base}.json`, `${JSON.stringify(s, null, 1)}\n`);
  return [`${base}.md`, `${base}.csv`, `${base}.json`];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'report-name': { type: 'string' },
      reference: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: node bench/scripts/bench.mjs compare/summary.ts [--report-name NAME] [--reference SAMPLER] [--dir bench/results]');
    return;
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = values.dir ? resolve(values.dir) : join(root, 'bench/results');
  const summary = readSuiteSummary(dir, { reportName: reportNameOf(values['report-name']), reference: values.reference });
  const files = writeSuiteSummary(dir, summary);
  console.log(renderSummaryMarkdown(summary));
  console.log(`wrote ${files.join(', ')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
