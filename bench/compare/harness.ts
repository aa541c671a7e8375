/**
 * The side-by-side harness: builds the job list (group × problem × sampler × seed, with each problem's
 * budget), skips the runs already in the cache, runs the rest on an executor for at most one chunk of
 * time, appends each finished run to the cache at once, and regenerates the reports from everything the
 * cache holds for this configuration. `run.ts` is its command line.
 */
import { costModel, estimate, formatEstimate } from './estimate.js';
import { join, relative } from 'node:path';
import { bbobInstanceOf } from '../problems/bbob-problem.js';
import type { BenchmarkProblem } from '../problems/problem.js';
import { CacheWriter, readCache, RunLookup } from './cache.js';
import { mergeRuns, readStore, saveToStore } from './store.js';
import { InlineExecutor, ProcessPool, type Executor } from './jobs.js';
import { writeGroupSvg } from './plot.js';
import { groupInfo, loadGroup } from './problems.js';
import { ensureReferences } from './regret.js';
import { buildGroupReport, renderMarkdown, reportBase, writeGroupReport, type GroupReport, type ReportMeta } from './report.js';
import { rescoreRecord, runKey, type RunRecord, type RunSpec } from './runner.js';
import { ALL_SAMPLERS, SELF_CHECK_PAIR, samplerFits, type SamplerEntry } from './samplers.js';
import { readSuiteSummary, writeSuiteSummary } from './summary.js';

export interface HarnessOptions {
  groups: readonly string[];
  samplers: readonly SamplerEntry[];
  /** Seeds 1..seeds per (problem, sampler). (Seed 0 is avoided: Optuna's QMCSampler treats it as "no seed".) */
  seeds: number;
  /**
   * The self-check's two random samplers get extra seeds in small groups, so that the group has at least
   * this many (problem, seed) pairs for the TOST (default 0: none). Only the self-check uses the extra seeds.
   */
  selfCheckPairs?: number;
  /** Evaluations per run for a problem. */
  budget: (problem: BenchmarkProblem) => number;
  /** The problems of a group to run (default: all of it). */
  problemsOf?: (group: string) => BenchmarkProblem[];
  /** Resolves a job's problem in the executor (default: the registry). Tests with inline problems set it. */
  resolve?: (group: string, id: string) => BenchmarkProblem;
  /** Wall-clock limit of this chunk in minutes: no job starts once it would likely end past it. */
  chunkMinutes: number;
  /** Child processes (0: run in this process). */
  workers: number;
  /** Stop after starting this many jobs (tests use it to simulate an interrupted chunk). */
  maxJobs?: number;
  /** Run nothing; only regenerate the reports. */
  reportOnly?: boolean;
  /** Run nothing and write nothing: print how long the runs still to make would take (see estimate.ts). */
  estimateOnly?: boolean;
  cachePath: string;
  /**
   * The committed run store (store.ts): its runs count as cached, and every run of the local cache it lacks
   * is saved to it at the end of the harness run (not with `estimateOnly`). Unset: the local cache only.
   */
  storeDir?: string;
  referencePath: string;
  /** Where compare-<group>.md|csv|json go, and the plots. */
  reportDir: string;
  plotDir: string;
  /** Reports named `compare-<group>-<reportName>` instead of `compare-<group>` (runs of another configuration). */
  reportName?: string;
  /**
   * Groups the summary across groups (`compare-summary[-NAME].*`, summary.ts) covers (and, without a report
   * name, lists as not run yet when their report is missing); default `groups`. run.ts passes the suite's.
   */
  summaryGroups?: readonly string[];
  /** Print the full markdown of groups with at most this many problems (default 12), else a summary. */
  printFullUpTo?: number;
  meta: Omit<ReportMeta, 'generated' | 'optuna'>;
  log?: (line: string) => void;
  /** Called with each job as it starts (tests count them). */
  onJob?: (job: RunSpec) => void;
  /** Stop early (SIGINT): no new job starts. */
  signal?: AbortSignal;
}

export interface HarnessResult {
  jobs: number;
  cached: number;
  executed: number;
  pending: number;
  fatal: string[];
  reports: GroupReport[];
  files: string[];
  seconds: number;
}

/** Rough relative cost of a sampler's run, to start the slow ones first (a chunk's tail is then short). */
function weight(sampler: string): number {
  return /tpe/.test(sampler) ? 10 : sampler.startsWith('optuna-') ? 2 : 1;
}

/**
 * Every job of the configuration, group by group; within a group the slowest samplers' jobs first, Optuna
 * and Tansaku jobs interleaved (so that on a pool both frameworks run at once).
 */
export function buildJobs(opts: Pick<HarnessOptions, 'groups' | 'samplers' | 'seeds' | 'budget' | 'problemsOf' | 'selfCheckPairs'>): {
  jobs: RunSpec[];
  problems: BenchmarkProblem[];
} {
  const problems: BenchmarkProblem[] = [];
  const jobs: RunSpec[] = [];
  for (const g of opts.groups) {
    const optuna: RunSpec[] = [];
    const tansaku: RunSpec[] = [];
    const groupProblems = (opts.problemsOf ?? loadGroup)(g);
    const selfCheckSeeds = Math.max(opts.seeds, Math.ceil((opts.selfCheckPairs ?? 0) / Math.max(1, groupProblems.length)));
    for (const p of groupProblems) {
      problems.push(p);
      const budget = opts.budget(p);
      for (const s of opts.samplers) {
        if (!samplerFits(s, p)) continue;
        const seeds = (SELF_CHECK_PAIR as readonly string[]).includes(s.name) ? selfCheckSeeds : opts.seeds;
        for (let seed = 1; seed <= seeds; seed++) {
          (s.framework === 'optuna' ? optuna : tansaku).push({ problem: p.id, group: p.group, sampler: s.name, seed, budget });
        }
      }
    }
    const bySlowest = (a: RunSpec, b: RunSpec): number => weight(b.sampler) - weight(a.sampler);
    optuna.sort(bySlowest);
    tansaku.sort(bySlowest);
    for (let i = 0; i < Math.max(optuna.length, tansaku.length); i++) {
      if (i < optuna.length) jobs.push(optuna[i]);
      if (i < tansaku.length) jobs.push(tansaku[i]);
    }
  }
  return { jobs, problems };
}

/**
 * The group's description for a report, with the BBOB instances the report actually holds (a group can hold
 * instances 1–5, the suite runs instance 1 unless `--instances` says more).
 *
 * @example describeGroup('bbob-d5', ['bbob_f001_i01_d05']) // 'BBOB noiseless f1–f24 (COCO), 5-D, …, instance 1'
 */
export function describeGroup(group: string, problemIds: readonly string[]): string {
  let description: string;
  try {
    description = groupInfo(group).description;
  } catch {
    description = group;
  }
  const instances = [...new Set(problemIds.map(bbobInstanceOf).filter((i) => i !== null))].sort((a, b) => a - b);
  if (instances.length) description += `, instance${instances.length > 1 ? 's' : ''} ${instances.join(', ')}`;
  return description;
}

export async function runHarness(opts: HarnessOptions): Promise<HarnessResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((s: string) => console.log(s));
  const { jobs, problems } = buildJobs(opts);
  // The store is read once: nothing writes it during a chunk but this harness, at its end.
  const store = opts.storeDir ? readStore(opts.storeDir) : null;
  const cache = mergeRuns(readCache(opts.cachePath), store);
  for (const f of cache.unreadable)
    log(
      `store file ${relative(process.cwd(), f)} could not be decompressed: its runs are not read (look at it; a later save does not rewrite it)`,
    );
  if (cache.skipped) log(`cache: ${cache.skipped} unreadable line(s) skipped (a torn line after an interrupted run, or an old format)`);
  const lookup = new RunLookup(cache.records);
  const pending = jobs.filter((j) => !lookup.has(j));
  const cached = jobs.length - pending.length;
  const where = relative(process.cwd(), opts.cachePath) + (opts.storeDir ? ` and ${relative(process.cwd(), opts.storeDir)}/` : '');
  log(`${jobs.length} runs in this configuration: ${cached} already in ${where}, ${pending.length} to run`);
  if (opts.estimateOnly) {
    for (const line of formatEstimate(estimate(pending, costModel(cache.records.values())), opts.workers)) log(line);
    return {
      jobs: jobs.length,
      cached,
      executed: 0,
      pending: pending.length,
      fatal: [],
      reports: [],
      files: [],
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const references = await ensureReferences(opts.referencePath, problems, log);

  let executed = 0;
  const fatal: string[] = [];
  const skipFramework = new Set<string>();
  const skipSampler = new Set<string>();
  let optunaVersion: string | null = null;
  if (!opts.reportOnly && pending.length > 0 && !opts.signal?.aborted) {
    const writer = new CacheWriter(opts.cachePath);
    const executor: Executor =
      opts.workers > 0 ? new ProcessPool(Math.min(opts.workers, pending.length)) : new InlineExecutor(opts.resolve);
    const chunkMs = opts.chunkMinutes * 60_000;
    const durations = new Map<string, { sum: number; n: number }>();
    const expected = (j: RunSpec): number => {
      const d = durations.get(`${j.group}|${j.sampler}`) ?? durations.get('*');
      return d ? d.sum / d.n : 0;
    };
    let next = 0;
    let started = 0;
    let crashes = 0;
    let lastReport = performance.now();
    const skipped = (j: RunSpec): boolean =>
      skipSampler.has(j.sampler) || skipFramework.has(ALL_SAMPLERS.find((s) => s.name === j.sampler)?.framework ?? '');
    const worker = async (): Promise<void> => {
      for (;;) {
        if (opts.signal?.aborted || crashes >= 5) return;
        if (opts.maxJobs !== undefined && started >= opts.maxJobs) return;
        while (next < pending.length && skipped(pending[next])) next++;
        if (next >= pending.length) return;
        const job = pending[next];
        if (performance.now() - t0 + expected(job) > chunkMs) return;
        next++;
        started++;
        opts.onJob?.(job);
        const j0 = performance.now();
        let outcome: Awaited<ReturnType<typeof executor.run>>;
        try {
          outcome = await executor.run(job);
        } catch (e) {
          // A worker process died (killed, out of memory, interrupted): the run is not cached and is made
          // by a later chunk. Give up after a few, rather than loop on a systematic failure.
          crashes++;
          if (!opts.signal?.aborted) log(`run ${runKey(job)} was lost: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
          if (crashes >= 5) {
            fatal.push(`${crashes} runs lost to crashed workers; stopping this chunk`);
            return;
          }
          continue;
        }
        if ('fatal' in outcome) {
          if (opts.signal?.aborted) return; // python was interrupted with us: not a real failure
          if (outcome.sampler !== undefined) {
            if (!skipSampler.has(outcome.sampler)) {
              fatal.push(outcome.fatal);
              log(`${outcome.sampler} runs skipped (none recorded; install what is missing and run again): ${outcome.fatal}`);
            }
            skipSampler.add(outcome.sampler);
            continue;
          }
          if (!skipFramework.has(outcome.framework)) {
            fatal.push(outcome.fatal);
            log(`${outcome.framework} runs skipped: ${outcome.fatal}`);
          }
          skipFramework.add(outcome.framework);
          continue;
        }
        writer.append(outcome.record);
        executed++;
        if (outcome.record.env.optuna) optunaVersion = outcome.record.env.optuna;
        if (outcome.record.error) log(`run ${outcome.record.key} could not be made: ${outcome.record.error}`);
        const ms = performance.now() - j0;
        for (const k of [`${job.group}|${job.sampler}`, '*']) {
          const d = durations.get(k) ?? { sum: 0, n: 0 };
          d.sum += ms;
          d.n++;
          durations.set(k, d);
        }
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          log(`  ${cached + executed}/${jobs.length} runs done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: executor.concurrency }, worker));
    } finally {
      await executor.close();
    }
  }

  const local = readCache(opts.cachePath);
  if (opts.storeDir && store) {
    // Whatever the local cache holds that the store lacks (this chunk's runs, or a cache of an earlier
    // checkout) goes into the store, to be committed with the reports.
    const { files: saved, saved: n } = saveToStore(opts.storeDir, local.records.values(), new Date(), store.records);
    if (n)
      log(
        `saved ${n} run(s) to ${saved.map((f) => relative(process.cwd(), f)).join(', ')}: commit them, so that a fresh checkout continues from them`,
      );
  }

  // Reports from everything cached for this configuration (what was just saved is in `local`).
  const all = new RunLookup(mergeRuns(local, store).records);
  if (!optunaVersion) for (const r of all.records.values()) if (r.env.optuna) optunaVersion = r.env.optuna;
  const reports: GroupReport[] = [];
  const files: string[] = [];
  const samplerOrder = opts.samplers.map((s) => s.name);
  const generated = new Date().toISOString();
  const problemById = new Map(problems.map((p) => [p.id, p]));
  for (const g of opts.groups) {
    const records: RunRecord[] = [];
    for (const j of jobs) {
      if (j.group !== g) continue;
      const r = all.get(j);
      // A multi-objective run made with another reference point is scored against the problem's current one.
      if (r) records.push(rescoreRecord(r, problemById.get(j.problem)!));
    }
    if (records.length === 0) {
      log(`\n## ${g}: no runs yet`);
      continue;
    }
    const description = describeGroup(
      g,
      records.map((r) => r.problem),
    );
    const report = buildGroupReport({
      group: g,
      description,
      records,
      references,
      samplerOrder,
      seeds: opts.seeds,
      meta: { ...opts.meta, generated, optuna: optunaVersion },
    });
    if (opts.reportName) report.fileBase = reportBase(g, opts.reportName);
    reports.push(report);
    files.push(...writeGroupReport(opts.reportDir, report));
    const svg = writeGroupSvg(opts.plotDir, report);
    if (svg) files.push(svg);
    log('');
    if (report.problems.length <= (opts.printFullUpTo ?? 12)) log(renderMarkdown(report));
    else log(summaryText(report));
  }
  if (reports.length) {
    // The summary across groups is read back from the report files, so it also covers groups of this
    // report name written by earlier runs. The runs and group reports are done and written by now: a
    // summary that cannot be made (an unreadable report of another group) is said, not fatal.
    const expected = opts.summaryGroups ?? [];
    const groups = [...expected, ...opts.groups.filter((g) => !expected.includes(g))];
    try {
      files.push(...writeSuiteSummary(opts.reportDir, readSuiteSummary(opts.reportDir, { reportName: opts.reportName, groups })));
    } catch (error) {
      log(`\nthe summary across groups was not written: ${(error as Error).message}`);
    }
  }
  const left = pending.length - executed;
  const seconds = (performance.now() - t0) / 1000;
  log(
    `\n${executed} runs made in ${seconds.toFixed(1)} s; ${left > 0 ? `${left} still to run (run the same command again to continue)` : 'configuration complete'}`,
  );
  if (files.length) log(`wrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  return { jobs: jobs.length, cached, executed, pending: left, fatal, reports, files, seconds };
}

/** A short text of a big group's report: self-check, mean ranks, times. */
export function summaryText(r: GroupReport): string {
  const lines = [`## ${r.group}: ${r.problems.length} problems, ${r.runs} runs (full tables in ${r.fileBase ?? reportBase(r.group)}.md)`];
  lines.push(`self-check (tansaku-random vs optuna-random): ${r.selfCheckNote}`);
  lines.push(
    `mean rank over ${r.meanRank.blocks} (problem, seed) blocks: ${r.samplers.map((s) => `${s} ${r.meanRank.ranks[s]?.toFixed(2) ?? '—'}`).join(', ')}`,
  );
  lines.push(
    `own time per trial (ms) at 100 / 1000 trials: ${r.time.map((t) => `${t.sampler} ${t.at100ms?.toFixed(2) ?? '—'} / ${t.at1000ms?.toFixed(2) ?? '—'}`).join(', ')}`,
  );
  return lines.join('\n');
}

/** Default locations under the repository root. */
export function defaultPaths(
  root: string,
  quick: boolean,
): Pick<HarnessOptions, 'cachePath' | 'storeDir' | 'referencePath' | 'reportDir' | 'plotDir'> {
  const raw = join(root, 'bench/results/compare');
  return quick
    ? {
        cachePath: join(raw, 'quick/runs.jsonl'),
        referencePath: join(raw, 'reference.json'),
        reportDir: join(raw, 'quick'),
        plotDir: join(raw, 'quick/plots'),
      }
    : {
        cachePath: join(raw, 'runs.jsonl'),
        storeDir: join(root, 'bench/results/runs'),
        referencePath: join(raw, 'reference.json'),
        reportDir: join(root, 'bench/results'),
        plotDir: join(root, 'bench/results/plots'),
      };
}
