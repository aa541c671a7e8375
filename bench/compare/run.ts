/**
 * The side-by-side harness's command line: Tansaku's samplers and Optuna 3.1's on the same problems,
 * budgets and seeds (see bench/compare/README.md).
 *
 *   node bench/scripts/bench.mjs compare/run.ts --quick                  # a few problems, 5 seeds, 100 evaluations (< 3 min)
 *   node bench/scripts/bench.mjs compare/run.ts                          # the full suite, one 20-minute chunk; run again to continue
 *   node bench/scripts/bench.mjs compare/run.ts --groups bbob-d5,classic --samplers tansaku,optuna-tpe --seeds 20
 *   node bench/scripts/bench.mjs compare/run.ts --report-only            # regenerate the reports from the cache and the run store
 *   node bench/scripts/bench.mjs compare/run.ts --forget --groups lcbench --samplers tansaku-cross-search   # redo a changed sampler's runs
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeCode, machineInfo } from '../lib/machine.js';
import { reportNameOf } from '../lib/results.js';
import { bbobInstanceOf } from '../problems/bbob-problem.js';
import type { BenchmarkProblem } from '../problems/index.js';
import { forgetRuns } from './cache.js';
import type { RunRecord } from './runner.js';
import { forgetInStore } from './store.js';
import { defaultPaths, runHarness } from './harness.js';
import {
  QUICK_BUDGET,
  QUICK_GROUPS,
  QUICK_SEEDS,
  allGroups,
  defaultGroups,
  loadGroup,
  parseBudgetRule,
  quickProblems,
  suiteGroups,
} from './problems.js';
import { ALL_SAMPLERS, resolveSamplers } from './samplers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const HELP = `Usage: node bench/scripts/bench.mjs compare/run.ts [options]

  --quick               a few problems per group, ${QUICK_SEEDS} seeds, small budgets (${QUICK_BUDGET});
                        results under bench/results/compare/quick/ (not the committed reports)
  --groups a,b          groups to run (default: every group, less those whose data folder is missing;
                        --quick: ${QUICK_GROUPS.join(', ')}); --list shows them
  --samplers a,b        sampler names, or tansaku / optuna / all (default all); known:
                        ${ALL_SAMPLERS.map((s) => s.name).join(', ')}
  --seeds N             seeds per (problem, sampler) (default 20; --quick ${QUICK_SEEDS})
  --budget RULE         evaluations per run: suite (the full suite's matrix, the default: BBOB d2 200,
                        d5 250, d10 500, d20 and d40 200, other groups auto up to 200), auto (100·d for
                        d ≤ 10, else 500), a number, or <k>d; per group with group=RULE, e.g. "classic=50d,suite"
  --problems REGEX      only problems whose id matches
  --instances LIST      BBOB instances, e.g. 1 or 1-5 or 1,3 (default 1: seeds give the repetitions)
  --self-check-pairs N  extra seeds for tansaku-random and optuna-random so that each group has at least N
                        (problem, seed) pairs for the self-check's TOST (default 150; --quick 0)
  --chunk-minutes M     start no run that would end after M minutes (default 20); run again to continue
  --workers N           child processes (default 2; 0 runs in this process)
  --report-only         run nothing, regenerate the reports from the cache and the run store
                        (bench/results/runs/, committed: every run not --quick nor --estimate saves the
                        cache's new runs there; commit it with the reports)
  --estimate            run and write nothing: print the CPU hours the runs still to make would take, from the
                        wall times of comparable cached runs (bench/compare/estimate.ts)
  --report-name NAME    write compare-<group>-NAME.md|csv|json (and the plot) instead of compare-<group>.*,
                        for runs of another configuration (other samplers or budgets) of the same group
  --forget              first drop from the cache every run of the selected samplers on the selected
                        problems (all seeds and budgets; moved from the cache and the run store to
                        runs.jsonl.forgotten), for a sampler whose code changed, then run as usual so
                        that they are made again
  --list                list groups and their problem counts
  -h, --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      groups: { type: 'string' },
      samplers: { type: 'string' },
      seeds: { type: 'string' },
      budget: { type: 'string' },
      problems: { type: 'string' },
      instances: { type: 'string', default: '1' },
      'chunk-minutes': { type: 'string', default: '20' },
      'self-check-pairs': { type: 'string' },
      workers: { type: 'string', default: '2' },
      'report-only': { type: 'boolean', default: false },
      estimate: { type: 'boolean', default: false },
      'report-name': { type: 'string' },
      forget: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.list) {
    for (const g of allGroups())
      console.log(`${g.name.padEnd(12)} ${String(loadGroup(g.name).length).padStart(4)} problems  ${g.description}`);
    return;
  }
  const quick = values.quick!;
  const int = (name: string, v: string | undefined, def: number, min: number): number => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const groups = values.groups
    ? values.groups
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : quick
      ? QUICK_GROUPS
      : defaultGroups().map((g) => g.name);
  const samplers = resolveSamplers(values.samplers ?? 'all');
  const seeds = int('seeds', values.seeds, quick ? QUICK_SEEDS : 20, 1);
  const budget = parseBudgetRule(values.budget ?? (quick ? QUICK_BUDGET : 'suite'));
  const filter = values.problems ? new RegExp(values.problems) : null;
  const instances = parseList(values.instances!);
  const chunkMinutes = Number(values['chunk-minutes']);
  if (!(chunkMinutes > 0)) throw new Error(`--chunk-minutes must be > 0, got ${values['chunk-minutes']}`);
  const workers = int('workers', values.workers, 2, 0);
  const machine = machineInfo(ROOT, ['library/src', 'bench/compare', 'bench/problems']);
  const command = `node bench/scripts/bench.mjs compare/run.ts ${process.argv.slice(2).join(' ')}`.trim();
  const controller = new AbortController();
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\ninterrupted: no new run starts; finished runs are in the cache');
    controller.abort();
  });
  const problemsOf = (g: string): BenchmarkProblem[] =>
    (quick ? quickProblems(g) : loadGroup(g)).filter((p) => {
      const instance = bbobInstanceOf(p.id);
      return (!filter || filter.test(p.id)) && (instance === null || quick || instances.includes(instance));
    });
  const paths = defaultPaths(ROOT, quick);
  if (values.forget) {
    if (values['report-only'] || values.estimate)
      throw new Error('--forget makes the forgotten runs again: it cannot go with --report-only or --estimate');
    // No default here: "--forget --groups bbob-d10" alone would drop hours of every sampler's runs.
    if (values.samplers === undefined)
      throw new Error('--forget needs --samplers naming the sampler(s) whose code changed, e.g. --samplers tansaku-cross-search');
    const problemIds = new Set(groups.flatMap((g) => problemsOf(g).map((p) => p.id)));
    const samplerNames = new Set(samplers.map((s) => s.name));
    const selected = (r: RunRecord): boolean => problemIds.has(r.problem) && samplerNames.has(r.sampler);
    const forgottenPath = `${paths.cachePath}.forgotten`;
    const local = forgetRuns(paths.cachePath, selected);
    const stored = paths.storeDir ? forgetInStore(paths.storeDir, selected, forgottenPath) : { forgotten: 0, files: [] };
    console.log(
      `forgot ${local.forgotten} cached and ${stored.forgotten} stored run(s) of ${[...samplerNames].join(', ')} on ${problemIds.size} problem(s) (kept in ${forgottenPath}${stored.files.length ? `; rewrote ${stored.files.length} store file(s): commit them` : ''})`,
    );
  }
  const result = await runHarness({
    groups,
    samplers,
    seeds,
    selfCheckPairs: int('self-check-pairs', values['self-check-pairs'], quick ? 0 : 150, 0),
    budget,
    problemsOf,
    chunkMinutes,
    workers,
    reportOnly: values['report-only'],
    estimateOnly: values.estimate,
    ...paths,
    reportName: reportNameOf(values['report-name']),
    summaryGroups: quick ? QUICK_GROUPS : suiteGroups(),
    meta: {
      machine: `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadavgStart.join(' ')} at start`,
      code: shortCode(describeCode(machine)),
      command,
    },
    signal: controller.signal,
  });
  if (result.fatal.length) process.exitCode = 2;
  if (interrupted) process.exitCode = 130;
}

/** "1", "1-5", "1,3,5" -> numbers. */
function parseList(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`--instances: expected numbers and ranges like 1-5, got ${JSON.stringify(spec)}`);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.push(i);
  }
  return out;
}

/** The code line of the reports, without a list of every uncommitted file of a busy shared tree. */
function shortCode(code: string): string {
  const m = /^(\S+) \+ uncommitted changes in (.*)$/.exec(code);
  if (!m) return code;
  const files = m[2].split(', ');
  const ours = files.filter((f) => f.startsWith('bench/compare') || f.startsWith('library/src/'));
  return `${m[1]} + uncommitted changes (${files.length} paths${ours.length ? `, among them ${ours.slice(0, 6).join(', ')}${ours.length > 6 ? ', …' : ''}` : ''})`;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
