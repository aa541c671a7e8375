/**
 * bench/parallel: does `tansaku optimize --objective <module> --n-jobs 2` finish a CPU-bound study in
 * about half the time of `--n-jobs 1`? `npm run bench:parallel` (options: `--reps 3 --trials 24
 * --work-ms 200 --jobs 2`).
 *
 * Each run is the real command, `node library/bin/tansaku.mjs optimize --objective bench/parallel/objective.ts
 * --storage <fresh journal in a temp dir> --study s --n-trials 24 --n-jobs J --pruner none`, timed two
 * ways: the wall time of the whole command (process start to exit, start-up of its worker processes
 * included), and the trials' window from the journal (first trial's datetime_start to the last one's
 * datetime_complete: start-up excluded). Reference measured in the same run: the same objective in one
 * process with `study.optimize(objective, { concurrency: 1 | 2 })` (one event loop), in a fresh child
 * process per run. Runs alternate (the order flips every repetition). Writes bench/results/parallel.md
 * and .json. See bench/parallel/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeCode, loadavg, machineInfo, sourceDigest, noteCodeChange } from '../lib/machine.js';
import { summarize, type Summary } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { writeResults } from '../lib/results.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const OBJECTIVE = join(HERE, 'objective.ts');
const CLI = join(ROOT, 'library/bin/tansaku.mjs');
const STUDY = 's';

/** What the journal says about a finished study. */
interface JournalStats {
  trials: number;
  complete: number;
  /** Every trial recorded the calibrated amount of work. */
  itersOk: boolean;
  numbersOk: boolean;
  /** First datetime_start to last datetime_complete (s). */
  window: number;
  /** Mean of datetime_complete − datetime_start (s). */
  meanTrial: number;
  /** Sum of the trials' durations / window: how many ran at once on average. */
  overlap: number;
  /** Distinct worker ids that ran trials. */
  workers: number;
}

interface Run {
  kind: 'cli' | 'inprocess';
  /** --n-jobs J for the CLI, concurrency for the in-process reference. */
  jobs: number;
  rep: number;
  /** Whole command (CLI) or the study.optimize call (in-process), s. */
  wall: number;
  exitCode: number | null;
  journal: JournalStats;
  loadavg: number[];
  stderrTail?: string;
}

async function readJournal(path: string, n: number, iters: number): Promise<JournalStats> {
  const { JournalFileStorage, loadStudy } = await import('tansaku');
  const storage = new JournalFileStorage(path);
  try {
    const study = await loadStudy({ studyName: STUDY, storage });
    const trials = await study.getTrials();
    const done = trials.filter((t) => t.datetimeStart !== null && t.datetimeComplete !== null);
    const starts = done.map((t) => t.datetimeStart!);
    const ends = done.map((t) => t.datetimeComplete!);
    const window = (Math.max(...ends) - Math.min(...starts)) / 1000;
    const durations = done.map((t) => (t.datetimeComplete! - t.datetimeStart!) / 1000);
    const total = durations.reduce((a, b) => a + b, 0);
    const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
    return {
      trials: trials.length,
      complete: trials.filter((t) => t.state === 'COMPLETE').length,
      itersOk: trials.every((t) => t.userAttrs.iters === iters),
      numbersOk: numbers.length === n && numbers.every((v, i) => v === i),
      window,
      meanTrial: total / Math.max(1, done.length),
      overlap: total / window,
      workers: new Set(trials.map((t) => t.workerId)).size,
    };
  } finally {
    await storage.close();
  }
}

function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ wall: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ wall: (performance.now() - t0) / 1000, code, stdout, stderr }));
  });
}

async function cliRun(dir: string, tag: string, jobs: number, trials: number, iters: number, rep: number): Promise<Run> {
  const journal = join(dir, `cli-${tag}.journal`);
  try {
    const args = [
      CLI,
      'optimize',
      '--objective',
      relative(ROOT, OBJECTIVE),
      '--storage',
      journal,
      '--study',
      STUDY,
      '--n-trials',
      String(trials),
      '--n-jobs',
      String(jobs),
      '--pruner',
      'none',
    ];
    const r = await runProcess(process.execPath, args, { ...process.env, TANSAKU_BENCH_WORK_ITERS: String(iters) });
    const stats = await readJournal(journal, trials, iters);
    return {
      kind: 'cli',
      jobs,
      rep,
      wall: r.wall,
      exitCode: r.code,
      journal: stats,
      loadavg: loadavg(),
      ...(r.code !== 0 ? { stderrTail: r.stderr.slice(-2000) } : {}),
    };
  } finally {
    rmSync(journal, { force: true });
    rmSync(`${journal}.heartbeats`, { recursive: true, force: true });
  }
}

/** The in-process reference: a fresh child process runs study.optimize with the given concurrency. */
async function inProcessRun(dir: string, tag: string, concurrency: number, trials: number, iters: number, rep: number): Promise<Run> {
  const journal = join(dir, `inprocess-${tag}.journal`);
  try {
    const cfg = JSON.stringify({ journal, concurrency, trials });
    const r = await runProcess(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--inprocess', cfg], {
      ...process.env,
      TANSAKU_BENCH_WORK_ITERS: String(iters),
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (r.code !== 0 || !line) throw new Error(`in-process run failed (exit ${r.code}):\n${r.stderr.slice(-2000)}`);
    const { seconds } = JSON.parse(line.slice('RESULT '.length)) as { seconds: number };
    return {
      kind: 'inprocess',
      jobs: concurrency,
      rep,
      wall: seconds,
      exitCode: r.code,
      journal: await readJournal(journal, trials, iters),
      loadavg: loadavg(),
    };
  } finally {
    rmSync(journal, { force: true });
    rmSync(`${journal}.heartbeats`, { recursive: true, force: true });
  }
}

/** Child side of {@link inProcessRun}: times only the optimize call. */
async function inProcessChild(cfg: { journal: string; concurrency: number; trials: number }): Promise<void> {
  const { createStudy, JournalFileStorage, NopPruner } = await import('tansaku');
  const { objective } = await import('./objective.js');
  const storage = new JournalFileStorage(cfg.journal);
  const study = await createStudy({ studyName: STUDY, storage, pruner: new NopPruner() });
  const t0 = performance.now();
  await study.optimize(objective, { nTrials: cfg.trials, concurrency: cfg.concurrency });
  const t1 = performance.now();
  await storage.close();
  process.stdout.write(`RESULT ${JSON.stringify({ seconds: (t1 - t0) / 1000 })}\n`);
}

/** Iterations of the objective's loop that take `ms` here (median of 5 timed calls after a warm-up). */
async function calibrate(ms: number): Promise<{ iters: number; nsPerIter: number }> {
  const { work } = await import('./objective.js');
  const probe = 20_000_000;
  work(probe, 0.5); // warm-up: let V8 optimize the loop
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    work(probe, 0.1 * i);
    times.push(performance.now() - t0);
  }
  const nsPerIter = (summarize(times).median * 1e6) / probe;
  return { iters: Math.round((ms * 1e6) / nsPerIter / 1e5) * 1e5, nsPerIter };
}

const fmt = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
const fmtS = (s: Summary | null, digits = 2): string =>
  s === null ? 'n/a' : s.n === 1 ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      reps: { type: 'string', default: '3' },
      trials: { type: 'string', default: '24' },
      'work-ms': { type: 'string', default: '200' },
      jobs: { type: 'string', default: '2' },
      dir: { type: 'string' },
    },
  });
  const reps = Number(opts.reps);
  const trials = Number(opts.trials);
  const workMs = Number(opts['work-ms']);
  const jobs = Number(opts.jobs);
  for (const [name, v] of [
    ['reps', reps],
    ['trials', trials],
    ['work-ms', workMs],
    ['jobs', jobs],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${String(v)}`);
  }
  const started = Date.now();
  const CODE_PATHS = ['library/src', 'library/bin'];
  const machine = machineInfo(ROOT, CODE_PATHS);
  const digestAtStart = sourceDigest(ROOT, CODE_PATHS);
  const log = (msg: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
  const { iters, nsPerIter } = await calibrate(workMs);
  log(
    `calibrated: ${iters.toLocaleString('en-US')} iterations ≈ ${workMs} ms per trial (${fmt(nsPerIter, 3)} ns/iteration); ${machine.cores} cores, load average ${machine.loadavgStart.join(' ')}`,
  );
  const baseDir = opts.dir ?? os.tmpdir();
  mkdirSync(baseDir, { recursive: true });
  const dir = mkdtempSync(join(baseDir, 'tansaku-bench-parallel-'));
  const runs: Run[] = [];
  try {
    type Job = { label: string; run: (rep: number) => Promise<Run> };
    const jobsList: Job[] = [
      { label: 'CLI --n-jobs 1', run: (rep) => cliRun(dir, `j1-r${rep}`, 1, trials, iters, rep) },
      { label: `CLI --n-jobs ${jobs}`, run: (rep) => cliRun(dir, `j${jobs}-r${rep}`, jobs, trials, iters, rep) },
      { label: 'in-process concurrency 1', run: (rep) => inProcessRun(dir, `c1-r${rep}`, 1, trials, iters, rep) },
      { label: `in-process concurrency ${jobs}`, run: (rep) => inProcessRun(dir, `c${jobs}-r${rep}`, jobs, trials, iters, rep) },
    ];
    for (let rep = 0; rep < reps; rep++) {
      for (const job of rep % 2 === 0 ? jobsList : [...jobsList].reverse()) {
        const r = await job.run(rep);
        runs.push(r);
        const ok = r.exitCode === 0 && r.journal.complete === trials && r.journal.numbersOk && r.journal.itersOk;
        log(
          `rep ${rep + 1}/${reps} ${job.label.padEnd(26)} wall ${fmt(r.wall)} s, trials window ${fmt(r.journal.window)} s, mean trial ${fmt(r.journal.meanTrial * 1000, 0)} ms, overlap ${fmt(r.journal.overlap)}, ${r.journal.workers} worker id(s)${ok ? '' : ` — CHECK FAILED (exit ${r.exitCode}, ${r.journal.complete}/${trials} COMPLETE)`}`,
        );
        if (r.stderrTail) console.error(r.stderrTail);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadavgEnd = loadavg();
  const codeChanged = noteCodeChange(machine, ROOT, CODE_PATHS, digestAtStart);

  const of = (kind: Run['kind'], j: number): Run[] => runs.filter((r) => r.kind === kind && r.jobs === j);
  const S = (rs: Run[], f: (r: Run) => number): Summary | null => (rs.length ? summarize(rs.map(f)) : null);
  const cli1 = of('cli', 1);
  const cliJ = of('cli', jobs);
  const in1 = of('inprocess', 1);
  const inJ = of('inprocess', jobs);
  const speed = (a: Summary | null, b: Summary | null): number | null => (a && b ? a.median / b.median : null);
  const summary = {
    cliWall1: S(cli1, (r) => r.wall),
    cliWallJ: S(cliJ, (r) => r.wall),
    cliWindow1: S(cli1, (r) => r.journal.window),
    cliWindowJ: S(cliJ, (r) => r.journal.window),
    inWall1: S(in1, (r) => r.wall),
    inWallJ: S(inJ, (r) => r.wall),
    inWindow1: S(in1, (r) => r.journal.window),
    inWindowJ: S(inJ, (r) => r.journal.window),
  };
  const speedups = {
    cliWall: speed(summary.cliWall1, summary.cliWallJ),
    cliWindow: speed(summary.cliWindow1, summary.cliWindowJ),
    inWall: speed(summary.inWall1, summary.inWallJ),
    inWindow: speed(summary.inWindow1, summary.inWindowJ),
  };
  const x = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}x`);
  const meanTrial = (rs: Run[]): string =>
    fmtS(
      S(rs, (r) => r.journal.meanTrial * 1000),
      0,
    );
  const overlap = (rs: Run[]): string => fmtS(S(rs, (r) => r.journal.overlap));
  const rows = [
    [`\`tansaku optimize --objective\`, whole command: wall s`, fmtS(summary.cliWall1), fmtS(summary.cliWallJ), x(speedups.cliWall)],
    [
      `\`tansaku optimize --objective\`, first trial start → last trial end (journal): s`,
      fmtS(summary.cliWindow1),
      fmtS(summary.cliWindowJ),
      x(speedups.cliWindow),
    ],
    ['  mean trial duration (journal): ms', meanTrial(cli1), meanTrial(cliJ), ''],
    ['  trials running at once, on average (Σ durations / window)', overlap(cli1), overlap(cliJ), ''],
    [
      `reference: \`study.optimize\` in one process (concurrency 1 / ${jobs}), optimize call: wall s`,
      fmtS(summary.inWall1),
      fmtS(summary.inWallJ),
      x(speedups.inWall),
    ],
    [
      `reference: in one process, first trial start → last trial end (journal): s`,
      fmtS(summary.inWindow1),
      fmtS(summary.inWindowJ),
      x(speedups.inWindow),
    ],
    ['  mean trial duration (journal): ms', meanTrial(in1), meanTrial(inJ), ''],
    ['  trials running at once, on average (Σ durations / window)', overlap(in1), overlap(inJ), ''],
  ];
  const allOk = runs.every((r) => r.exitCode === 0 && r.journal.complete === trials && r.journal.numbersOk && r.journal.itersOk);
  const table = markdownTable(['measurement', 'J = 1', `J = ${jobs}`, `speedup (J=1 / J=${jobs})`], rows);
  const notes = [
    `Objective: bench/parallel/objective.ts — suggest x, then ${iters.toLocaleString('en-US')} iterations of a floating-point recurrence (calibrated to ≈ ${workMs} ms on this machine: ${fmt(nsPerIter, 3)} ns/iteration), in 20 chunks with an event-loop turn (setImmediate) between them, as a training loop awaits between batches. Same work in every trial; each trial records it (user attribute \`iters\`, checked).`,
    `Command: \`node library/bin/tansaku.mjs optimize --objective bench/parallel/objective.ts --storage <fresh journal in ${os.tmpdir()}> --study s --n-trials ${trials} --n-jobs J --pruner none\` (default RandomSampler). The module runs in J worker processes (library/src/cli/run.ts; one with J = 1), each started with tsx, which the whole-command wall time includes and the journal window does not.`,
    `Median (min–max) of ${reps} runs per row; the four kinds of run alternate, order flipped every repetition. "first trial start → last trial end" is read from the journal (datetime_start / datetime_complete, millisecond resolution) with JournalFileStorage after each run.`,
    `Reference: a fresh \`node --import tsx\` process creates a study on a fresh journal and times \`study.optimize(objective, { nTrials: ${trials}, concurrency: c })\` — one event loop: with c = ${jobs} the trials interleave at the objective's awaits, so each takes about ${jobs}x as long and the study takes as long as with c = 1. Concurrency helps objectives that wait (I/O, child processes: \`--command\`); CPU-bound ones need processes.`,
    ...(summary.cliWall1 && summary.cliWallJ && summary.cliWindow1 && summary.cliWindowJ
      ? [
          `Outside the trials (whole command − trials window, medians): ${fmt(summary.cliWall1.median - summary.cliWindow1.median)} s with J = 1, ${fmt(summary.cliWallJ.median - summary.cliWindowJ.median)} s with J = ${jobs} (node + tsx start, study creation, and starting the worker processes, which load tsx and the module before their first trial). This fixed cost is why the whole-command speedup (${x(speedups.cliWall)}) is below the trials' (${x(speedups.cliWindow)}) on a ${fmt(summary.cliWindow1.median, 1)} s study; it fades as studies get longer.`,
        ]
      : []),
    `Checks: ${allOk ? `every run finished with exit code 0 and exactly ${trials} COMPLETE trials numbered 0..${trials - 1}, each with the calibrated work` : 'SOME RUNS FAILED their checks: see the JSON'}.`,
    `Machine: ${machine.cores} cores (os.availableParallelism()); load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end (per run in the JSON). With ${jobs} jobs on ${machine.cores} cores the CLI's parent process (progress, journal reads) shares the cores with the workers.`,
  ];
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node ${machine.node}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}${codeChanged ? ' (CHANGED DURING THE RUN)' : ''}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  writeResults(ROOT, {
    name: 'parallel',
    title: `bench/parallel: \`--objective\` with --n-jobs 1 and ${jobs} on a CPU-bound objective`,
    writtenBy: '`npm run bench:parallel` (bench/parallel/run.ts)',
    readme: 'bench/parallel/README.md',
    machineLine,
    table,
    notes,
    json: { machine, config: { reps, trials, workMs, jobs, iters, nsPerIter }, summary, speedups, runs },
  });
  if (!allOk) process.exitCode = 1;
  if (!allOk) process.exitCode = 1;
}

if (process.argv[2] === '--inprocess') {
  await inProcessChild(JSON.parse(process.argv[3]) as { journal: string; concurrency: number; trials: number });
} else {
  await main();
}
