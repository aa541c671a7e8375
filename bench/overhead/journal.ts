/**
 * bench/overhead, journal mode: per-trial overhead on a journal file, Tansaku's `JournalFileStorage`
 * beside Optuna 3.1's `JournalStorage(JournalFileStorage(path))`, measured in the same run.
 * `npm run bench:overhead -- --journal` (or `node bench/scripts/bench.mjs overhead/journal.ts`); options:
 * `--reps 5 --trials 2000 --procs 8 --warmup 200 --proc-warmup 100 --seed 1 --dir <tmp> --parts single,parallel
 * --cpu-prof <dir> --no-read-fix --report-name NAME` (--cpu-prof writes V8 CPU profiles of Tansaku's worker processes there;
 * --no-read-fix skips the multi-process runs of Optuna 3.1 with its later read fix, optuna/optuna#5195).
 *
 * (a) One process: warm-up on a throw-away journal, then `study.optimize` of N trials on a fresh journal,
 *     only that call timed. (b) `--procs` processes on one fresh journal: each loads the study, prints
 *     READY and waits for GO on stdin (the start barrier, so process start, imports and warm-up are not
 *     counted), then runs N / procs trials; the wall time is from the first process's start to the last
 *     one's finish (their own clocks). Afterwards each journal is checked: exactly N trials numbered
 *     0..N-1, all COMPLETE, parameter and value intact (by the framework that wrote it, and cross-read
 *     by the other). fsyncs and lock attempts are counted in every process (bench/lib/fs-counters.ts;
 *     `os.fsync`/`os.symlink` wrappers on the Python side).
 *
 * Writes bench/results/overhead-journal.md and .json (overhead-journal-NAME.* with --report-name NAME,
 * e.g. `--dir /dev/shm --report-name tmpfs`). See bench/overhead/README.md.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installFsCounters, lockHold, resetFsCounters, snapshotFsCounters, type FsCounters } from '../lib/fs-counters.js';
import { describeCode, filesystemOf, loadavg, machineInfo, sh, sourceDigest, noteCodeChange } from '../lib/machine.js';
import { summarize, type Summary } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { reportNameOf, writeResults } from '../lib/results.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PYTHON = process.env.OVERHEAD_PYTHON ?? '/usr/bin/python3';
const OPTUNA_SCRIPT = join(HERE, 'optuna_journal.py');
const STUDY = 'bench';
/** How many times a multi-process run is tried when one of its processes crashes (see the notes). */
const MAX_ATTEMPTS = 4;

// ------------------------------------------------------------------------------------------ worker

interface WorkerConfig {
  command: 'single' | 'worker';
  journal: string;
  warmJournal: string;
  trials: number;
  warmup: number;
  seed: number;
  heartbeat: boolean;
  /** random (the default), or qmc: a sampler that samples jointly at ask (Sobol' points; Optuna's QMCSampler). */
  sampler: SamplerName;
}

type SamplerName = 'random' | 'qmc';

/**
 * Counters under the Python side's names: fsync (appends, one per fsync), symlink (lock attempts; errors =
 * found busy), and the time the lock was held (symlink → rename or unlink of `<file>.lock`).
 */
type Counters = Record<'fsync' | 'symlink', { calls: number; errors: number; ms: number }> & { lock_hold: { count: number; ms: number } };

interface WorkerResult {
  framework: 'tansaku' | 'optuna';
  version?: string;
  command: string;
  trials: number;
  warmup: number;
  seconds: number;
  /** Worker: epoch seconds at GO and after its last trial. */
  start?: number;
  end?: number;
  counters: Counters;
  /** CPU time (user + system) of the process during the timed region. */
  cpu_seconds: number;
  /** Of which in user space (the framework's own code; the rest is the kernel: syscalls, fsync). */
  cpu_user_seconds: number;
  /** Single: journal lines appended during the timed region. */
  lines?: number;
  heartbeat?: boolean;
  /** Tansaku: every wrapped fs call (calls, errors, ms), for the JSON. */
  fsCalls?: FsCounters;
}

const rename = (c: FsCounters, hold = { count: 0, ms: 0 }): Counters => ({
  fsync: c.fsyncSync ?? { calls: 0, errors: 0, ms: 0 },
  symlink: c.symlinkSync ?? { calls: 0, errors: 0, ms: 0 },
  lock_hold: { count: hold.count, ms: hold.ms },
});

const countLines = (path: string): number => {
  const buf = readFileSync(path);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
};

function removeJournal(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.heartbeats`, { recursive: true, force: true });
}

async function worker(cfg: WorkerConfig): Promise<WorkerResult> {
  installFsCounters(['fsyncSync', 'symlinkSync', 'renameSync', 'unlinkSync']);
  const { createStudy, loadStudy, JournalFileStorage, NopPruner, QmcSampler, RandomSampler } = await import('tansaku');
  const { floatDistribution } = await import('tansaku/extend');
  // QMC with its space given samples x jointly at ask from the first trial on (a relative sample per trial).
  const makeSampler = (seed: number) =>
    cfg.sampler === 'qmc' ? new QmcSampler({ seed, searchSpace: { x: floatDistribution('x', -10, 10) } }) : new RandomSampler({ seed });
  const objective = (trial: { suggestFloat(name: string, low: number, high: number): number }): number => trial.suggestFloat('x', -10, 10);
  const hb = cfg.heartbeat ? {} : { heartbeat: false as const };
  const loopTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
  if (cfg.warmup > 0) {
    const storage = new JournalFileStorage(cfg.warmJournal);
    const warm = await createStudy({
      studyName: STUDY,
      storage,
      direction: 'minimize',
      sampler: makeSampler(cfg.seed + 1000),
      pruner: new NopPruner(),
      ...hb,
    });
    await warm.optimize(objective, { nTrials: cfg.warmup });
    await loopTurn();
    await storage.close();
    removeJournal(cfg.warmJournal);
  }
  const out: WorkerResult = {
    framework: 'tansaku',
    command: cfg.command,
    trials: cfg.trials,
    warmup: cfg.warmup,
    heartbeat: cfg.heartbeat,
    seconds: NaN,
    cpu_seconds: NaN,
    cpu_user_seconds: NaN,
    counters: rename({}),
  };
  const storage = new JournalFileStorage(cfg.journal);
  if (cfg.command === 'single') {
    const study = await createStudy({
      studyName: STUDY,
      storage,
      direction: 'minimize',
      sampler: makeSampler(cfg.seed),
      pruner: new NopPruner(),
      ...hb,
    });
    const linesBefore = countLines(cfg.journal);
    resetFsCounters();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await study.optimize(objective, { nTrials: cfg.trials });
    await loopTurn(); // work the engine deferred with setImmediate is its work: timed
    const t1 = performance.now();
    const cpu = process.cpuUsage(c0);
    out.counters = rename(snapshotFsCounters(), lockHold);
    out.fsCalls = snapshotFsCounters();
    out.cpu_seconds = (cpu.user + cpu.system) / 1e6;
    out.cpu_user_seconds = cpu.user / 1e6;
    if (r.complete !== cfg.trials) throw new Error(`optimize finished ${r.complete} trials, expected ${cfg.trials}`);
    out.seconds = (t1 - t0) / 1000;
    out.lines = countLines(cfg.journal) - linesBefore;
  } else {
    const study = await loadStudy({ studyName: STUDY, storage, sampler: makeSampler(cfg.seed), pruner: new NopPruner() });
    process.stdout.write('READY\n');
    await new Promise<void>((resolveGo, reject) => {
      let got = '';
      const onData = (d: Buffer): void => {
        got += d.toString();
        if (!got.includes('\n')) return;
        process.stdin.off('data', onData);
        process.stdin.pause();
        if (got.trim() === 'GO') resolveGo();
        else reject(new Error(`expected GO on stdin, got ${JSON.stringify(got)}`));
      };
      process.stdin.on('data', onData);
    });
    resetFsCounters();
    const c0 = process.cpuUsage();
    const start = performance.timeOrigin + performance.now();
    await study.optimize(objective, { nTrials: cfg.trials });
    await loopTurn();
    const end = performance.timeOrigin + performance.now();
    const cpu = process.cpuUsage(c0);
    out.counters = rename(snapshotFsCounters(), lockHold);
    out.fsCalls = snapshotFsCounters();
    out.cpu_seconds = (cpu.user + cpu.system) / 1e6;
    out.cpu_user_seconds = cpu.user / 1e6;
    process.stdout.write('DONE\n');
    Object.assign(out, { start: start / 1000, end: end / 1000, seconds: (end - start) / 1000 });
  }
  await storage.close();
  return out;
}

// ------------------------------------------------------------------------------------------ driver

interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  /** When the driver saw DONE (ms, performance.timeOrigin-based epoch). */
  done: Promise<number>;
  result: Promise<WorkerResult>;
}

/** Spawns a worker and follows its stdout: READY, DONE, and the final RESULT line. */
function spawnChild(command: string, args: readonly string[]): Child {
  const proc = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  let onDone: (t: number) => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<number>((r) => (onDone = r));
  proc.stdout.on('data', (d: Buffer) => {
    const before = stdout;
    stdout += d.toString();
    if (!/^READY$/m.test(before) && /^READY$/m.test(stdout)) onReady();
    if (!/^DONE$/m.test(before) && /^DONE$/m.test(stdout)) onDone(performance.timeOrigin + performance.now());
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<WorkerResult>((resolveResult, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new ChildError(`${command} ${args.join(' ')} exited with ${code ?? signal}`, stderr.slice(-3000)));
        return;
      }
      resolveResult(JSON.parse(line.slice('RESULT '.length)) as WorkerResult);
    });
  });
  // A child that dies before READY/DONE must not leave the driver waiting.
  result.then(
    () => {},
    () => {
      onReady();
      onDone(NaN);
    },
  );
  return { proc, ready, done, result };
}

class ChildError extends Error {
  constructor(
    message: string,
    readonly tail: string,
  ) {
    super(message);
  }
}

/** `--cpu-prof <dir>`: Tansaku's worker processes write V8 CPU profiles there (for finding where the time goes). */
let cpuProfDir: string | null = null;
/** `--sampler`: the sampler both frameworks use. */
let samplerName: SamplerName = 'random';

function tansakuArgs(cfg: WorkerConfig): string[] {
  return [
    ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []),
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    '--worker',
    JSON.stringify(cfg),
  ];
}

function optunaArgs(
  command: string,
  cfg: { journal: string; warmJournal?: string; trials?: number; warmup?: number; seed?: number; expect?: number; readFix?: boolean },
): string[] {
  const a = [
    OPTUNA_SCRIPT,
    command,
    '--journal',
    cfg.journal,
    '--study',
    STUDY,
    '--sampler',
    samplerName,
    ...(cfg.readFix ? ['--read-fix'] : []),
  ];
  if (cfg.warmJournal) a.push('--warm-journal', cfg.warmJournal);
  for (const [k, v] of [
    ['trials', cfg.trials],
    ['warmup', cfg.warmup],
    ['seed', cfg.seed],
    ['expect', cfg.expect],
  ] as const)
    if (v !== undefined) a.push(`--${k}`, String(v));
  return a;
}

/** `optuna-fixed`: Optuna 3.1 with its later read fix (optuna/optuna#5195) patched in; multi-process runs only. */
type Framework = 'tansaku' | 'optuna' | 'optuna-fixed';

interface Check {
  by: 'tansaku' | 'optuna';
  trials: number;
  complete: number;
  intact: number;
  numbersOk: boolean;
  ok: boolean;
  error?: string;
}

/** Reads a journal with Tansaku's JournalFileStorage and checks it holds exactly `n` intact trials 0..n-1. */
async function checkWithTansaku(path: string, n: number): Promise<Check> {
  const { loadStudy, JournalFileStorage } = await import('tansaku');
  const storage = new JournalFileStorage(path);
  try {
    const study = await loadStudy({ studyName: STUDY, storage });
    const trials = await study.getTrials();
    const numbers = trials.map((t) => t.number).sort((a, b) => a - b);
    const numbersOk = numbers.length === n && numbers.every((v, i) => v === i);
    const complete = trials.filter((t) => t.state === 'COMPLETE').length;
    const intact = trials.filter((t) => typeof t.params.x === 'number' && t.values?.[0] === t.params.x).length;
    return { by: 'tansaku', trials: trials.length, complete, intact, numbersOk, ok: numbersOk && complete === n && intact === n };
  } catch (error) {
    return { by: 'tansaku', trials: 0, complete: 0, intact: 0, numbersOk: false, ok: false, error: (error as Error).message };
  } finally {
    await storage.close();
  }
}

async function checkWithOptuna(path: string, n: number): Promise<Check> {
  try {
    const r = (await spawnChild(PYTHON, optunaArgs('check', { journal: path, expect: n })).result) as unknown as Record<string, unknown>;
    return {
      by: 'optuna',
      trials: r.trials as number,
      complete: r.complete as number,
      intact: r.intact as number,
      numbersOk: r.numbers_ok as boolean,
      ok: r.ok as boolean,
    };
  } catch (error) {
    return {
      by: 'optuna',
      trials: 0,
      complete: 0,
      intact: 0,
      numbersOk: false,
      ok: false,
      error: `${(error as Error).message}\n${(error as ChildError).tail ?? ''}`,
    };
  }
}

interface SingleRun {
  framework: Framework;
  heartbeat: boolean | null;
  result: WorkerResult;
}

interface ParallelRun {
  framework: Framework;
  attempt: number;
  ok: boolean;
  /** First start to last finish, from the workers' own clocks (s). */
  wall?: number;
  /** GO sent by the driver to the last DONE it received (s): a cross-check. */
  driverWall?: number;
  trials: number;
  linesAppended?: number;
  fsyncs?: number;
  fsyncMs?: number;
  lockAttempts?: number;
  lockBusy?: number;
  lockHoldMs?: number;
  cpuSeconds?: number;
  cpuUserSeconds?: number;
  checks: Check[];
  workers?: WorkerResult[];
  /** One line: how many processes crashed, and the last stderr line of each distinct error. */
  failure?: string;
  failureTails?: string[];
}

async function singleRun(
  framework: Framework,
  dir: string,
  tag: string,
  trials: number,
  warmup: number,
  seed: number,
  heartbeat: boolean,
): Promise<SingleRun> {
  const journal = join(dir, `${framework}-single-${tag}.journal`);
  const warmJournal = join(dir, `${framework}-single-${tag}-warm.journal`);
  try {
    const child =
      framework === 'tansaku'
        ? spawnChild(
            process.execPath,
            tansakuArgs({ command: 'single', journal, warmJournal, trials, warmup, seed, heartbeat, sampler: samplerName }),
          )
        : spawnChild(PYTHON, optunaArgs('single', { journal, warmJournal, trials, warmup, seed }));
    child.proc.stdin.end();
    return { framework, heartbeat: framework === 'tansaku' ? heartbeat : null, result: await child.result };
  } finally {
    removeJournal(journal);
    removeJournal(warmJournal);
  }
}

async function parallelRun(
  framework: Framework,
  dir: string,
  tag: string,
  procs: number,
  perProc: number,
  warmup: number,
  seed: number,
  attempt: number,
  crossCheck: boolean,
): Promise<ParallelRun> {
  const journal = join(dir, `${framework}-parallel-${tag}.journal`);
  const n = procs * perProc;
  const warmJournals = Array.from({ length: procs }, (_, i) => join(dir, `${framework}-parallel-${tag}-warm${i}.journal`));
  const children: Child[] = [];
  try {
    // The study is created before the workers start (by the framework that will run it).
    if (framework === 'tansaku') {
      const { createStudy, JournalFileStorage } = await import('tansaku');
      const storage = new JournalFileStorage(journal);
      await createStudy({ studyName: STUDY, storage, direction: 'minimize' });
      await storage.close();
    } else {
      await spawnChild(PYTHON, optunaArgs('create', { journal })).result;
    }
    for (let i = 0; i < procs; i++) {
      const cfg = { journal, warmJournal: warmJournals[i], trials: perProc, warmup, seed: seed + i };
      children.push(
        framework === 'tansaku'
          ? spawnChild(process.execPath, tansakuArgs({ command: 'worker', ...cfg, heartbeat: true, sampler: samplerName }))
          : spawnChild(PYTHON, optunaArgs('worker', { ...cfg, readFix: framework === 'optuna-fixed' })),
      );
    }
    const readyTimeout = setTimeout(
      () =>
        children.forEach((c) => {
          c.proc.kill('SIGKILL');
        }),
      180_000,
    );
    await Promise.all(children.map((c) => c.ready));
    clearTimeout(readyTimeout);
    const linesBefore = countLines(journal);
    const go = performance.timeOrigin + performance.now();
    for (const c of children) c.proc.stdin.end('GO\n');
    const settled = await Promise.allSettled(children.map((c) => c.result));
    const doneAt = await Promise.all(children.map((c) => c.done));
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    const own = framework === 'tansaku' ? await checkWithTansaku(journal, n) : await checkWithOptuna(journal, n);
    const checks = crossCheck
      ? [own, framework === 'tansaku' ? await checkWithOptuna(journal, n) : await checkWithTansaku(journal, n)]
      : [own];
    if (failed.length > 0) {
      const errors = failed.map((f) => f.reason as ChildError);
      const lastLines = [
        ...new Set(
          errors.map(
            (e) =>
              (e.tail ?? '')
                .split('\n')
                .filter((l) => l.trim())
                .at(-1) ?? e.message,
          ),
        ),
      ];
      return {
        framework,
        attempt,
        ok: false,
        trials: n,
        checks,
        failure: `${failed.length} of ${procs} processes crashed: ${lastLines.join(' / ')}`,
        failureTails: errors.map((e) => `${e.message}\n${e.tail ?? ''}`),
      };
    }
    const workers = settled.map((s) => (s as PromiseFulfilledResult<WorkerResult>).value);
    const sum = (f: (w: WorkerResult) => number): number => workers.reduce((a, w) => a + f(w), 0);
    return {
      framework,
      attempt,
      ok: checks[0].ok,
      wall: Math.max(...workers.map((w) => w.end!)) - Math.min(...workers.map((w) => w.start!)),
      driverWall: (Math.max(...doneAt) - go) / 1000,
      trials: n,
      linesAppended: countLines(journal) - linesBefore,
      fsyncs: sum((w) => w.counters.fsync.calls),
      fsyncMs: sum((w) => w.counters.fsync.ms),
      lockAttempts: sum((w) => w.counters.symlink.calls),
      lockBusy: sum((w) => w.counters.symlink.errors),
      lockHoldMs: sum((w) => w.counters.lock_hold.ms),
      cpuSeconds: sum((w) => w.cpu_seconds),
      cpuUserSeconds: sum((w) => w.cpu_user_seconds),
      checks,
      workers,
    };
  } finally {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    removeJournal(journal);
    for (const w of warmJournals) removeJournal(w);
  }
}

/**
 * The disk's cost of one durable append, measured in the same run: µs per (write of a 200-byte line +
 * fsync) on a file in the journal directory, median of `rounds` rounds of `n` appends. The floor under
 * every fsync'ed journal operation of both frameworks.
 */
function probeFsync(dir: string, n = 300, rounds = 3): { us: number; rounds: number[] } {
  const path = join(dir, 'fsync-probe.bin');
  const line = Buffer.from(`${'x'.repeat(199)}\n`);
  const values: number[] = [];
  const fd = openSync(path, 'a');
  try {
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        writeSync(fd, line);
        fsyncSync(fd);
      }
      values.push(((performance.now() - t0) / n) * 1000);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return { us: summarize(values).median, rounds: values };
}

const fmt = (v: number | undefined | null, digits = 1): string =>
  v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');
const fmtSummary = (s: Summary | null, digits = 1, f: (v: number, d: number) => string = (v, d) => fmt(v, d)): string =>
  s === null ? 'n/a' : s.n === 1 ? f(s.median, digits) : `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values: opts } = parseArgs({
    args: argv,
    options: {
      journal: { type: 'boolean', default: true },
      reps: { type: 'string', default: '5' },
      trials: { type: 'string', default: '2000' },
      procs: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '200' },
      'proc-warmup': { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      dir: { type: 'string' },
      parts: { type: 'string', default: 'single,parallel' },
      'cpu-prof': { type: 'string' },
      'no-read-fix': { type: 'boolean', default: false },
      'report-name': { type: 'string' },
      sampler: { type: 'string', default: 'random' },
    },
  });
  const reportName = reportNameOf(opts['report-name']);
  if (opts.sampler !== 'random' && opts.sampler !== 'qmc') {
    console.error(`--sampler must be random or qmc, got ${JSON.stringify(opts.sampler)}`);
    process.exit(2);
  }
  samplerName = opts.sampler;
  const reps = Number(opts.reps);
  const trials = Number(opts.trials);
  const procs = Number(opts.procs);
  const warmup = Number(opts.warmup);
  const procWarmup = Number(opts['proc-warmup']);
  const seed = Number(opts.seed);
  for (const [name, v, min] of [
    ['reps', reps, 1],
    ['trials', trials, 1],
    ['procs', procs, 1],
    ['warmup', warmup, 0],
    ['proc-warmup', procWarmup, 0],
    ['seed', seed, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  if (trials % procs !== 0) throw new Error(`--trials (${trials}) must be a multiple of --procs (${procs})`);
  const perProc = trials / procs;
  const parts = new Set(opts.parts!.split(','));
  if (opts['cpu-prof']) cpuProfDir = resolve(opts['cpu-prof']);
  for (const p of parts) if (p !== 'single' && p !== 'parallel') throw new Error(`--parts takes single and/or parallel, got ${p}`);

  const started = Date.now();
  const CODE_PATHS = ['library/src/index.ts', 'library/src/core', 'library/src/samplers', 'library/src/pruners', 'library/src/storage'];
  const machine = machineInfo(ROOT, CODE_PATHS);
  const digestAtStart = sourceDigest(ROOT, CODE_PATHS);
  const optunaVersion = sh(PYTHON, ['-c', 'import optuna; print(optuna.__version__)']);
  const haveOptuna = optunaVersion !== null;
  machine.python = sh(PYTHON, ['-c', 'import platform; print(platform.python_version())']);
  machine.optuna = optunaVersion;
  if (!haveOptuna)
    console.error(`\n*** Optuna is not importable by ${PYTHON}: apt-get install -y python3-optuna. Reporting Tansaku's figures only.\n`);
  const optunaLabel = !haveOptuna || optunaVersion.startsWith('3.1') ? 'Optuna 3.1' : `Optuna ${optunaVersion}`;
  const baseDir = opts.dir ?? os.tmpdir();
  mkdirSync(baseDir, { recursive: true });
  const dir = mkdtempSync(join(baseDir, 'tansaku-bench-journal-'));
  machine.journalDir = dir;
  machine.filesystem = filesystemOf(dir);
  const log = (msg: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
  const frameworks: Framework[] = haveOptuna
    ? ['tansaku', 'optuna', ...(opts['no-read-fix'] ? [] : (['optuna-fixed'] as const))]
    : ['tansaku'];
  const nameOf = (f: Framework): string => (f === 'tansaku' ? 'Tansaku' : f === 'optuna' ? optunaLabel : `${optunaLabel} + read fix`);

  const singles: SingleRun[] = [];
  const parallels: ParallelRun[] = [];
  const fsyncProbe: Array<{ us: number; rounds: number[] }> = [];
  try {
    fsyncProbe.push(probeFsync(dir));
    log(`raw write+fsync of one line in ${dir}: ${fmt(fsyncProbe[0].us)} µs`);
    // ---- (a) one process; frameworks alternated, order flipped every repetition
    for (let rep = 0; rep < (parts.has('single') ? reps : 0); rep++) {
      const jobs: Array<() => Promise<SingleRun>> = [
        () => singleRun('tansaku', dir, `r${rep}`, trials, warmup, seed, true),
        ...(haveOptuna ? [() => singleRun('optuna', dir, `r${rep}`, trials, warmup, seed, true)] : []),
        () => singleRun('tansaku', dir, `r${rep}-hboff`, trials, warmup, seed, false),
      ];
      for (const job of rep % 2 === 0 ? jobs : [...jobs].reverse()) {
        const r = await job();
        singles.push(r);
        const us = (r.result.seconds / r.result.trials) * 1e6;
        log(
          `1 process, rep ${rep + 1}/${reps}: ${r.framework}${r.heartbeat === false ? ' (heartbeat off)' : ''} ${fmt(us)} µs/trial, ${fmt(r.result.counters.fsync.calls / r.result.trials, 2)} fsyncs/trial`,
        );
      }
    }
    // ---- (b) `procs` processes on one journal
    for (let rep = 0; rep < (parts.has('parallel') ? reps : 0); rep++) {
      for (const framework of rep % 2 === 0 ? frameworks : [...frameworks].reverse()) {
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const r = await parallelRun(framework, dir, `r${rep}a${attempt}`, procs, perProc, procWarmup, seed, attempt, haveOptuna);
          parallels.push(r);
          if (r.ok) {
            log(
              `${procs} processes, rep ${rep + 1}/${reps}: ${framework} ${fmt(r.wall, 3)} s (driver ${fmt(r.driverWall, 3)} s), ${fmtInt(trials / r.wall!)} trials/s; check ${r.checks.map((c) => `${c.by}: ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}`,
            );
            break;
          }
          log(
            `${procs} processes, rep ${rep + 1}/${reps}: ${framework} attempt ${attempt} FAILED: ${r.failure ?? `journal check: ${JSON.stringify(r.checks)}`}`,
          );
        }
      }
    }
    fsyncProbe.push(probeFsync(dir));
    log(`raw write+fsync of one line: ${fmt(fsyncProbe[1].us)} µs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadavgEnd = loadavg();
  const codeChanged = noteCodeChange(machine, ROOT, CODE_PATHS, digestAtStart);

  // ---- summary
  const us = (r: WorkerResult): number => (r.seconds / r.trials) * 1e6;
  const singleOf = (framework: Framework, heartbeat: boolean | null): WorkerResult[] =>
    singles.filter((s) => s.framework === framework && (framework === 'optuna' || s.heartbeat === heartbeat)).map((s) => s.result);
  const sumOrNull = (values: number[]): Summary | null => (values.length ? summarize(values) : null);
  const s1 = {
    tansaku: sumOrNull(singleOf('tansaku', true).map(us)),
    tansakuHbOff: sumOrNull(singleOf('tansaku', false).map(us)),
    optuna: sumOrNull(singleOf('optuna', null).map(us)),
  };
  const okParallel = (f: Framework): ParallelRun[] => parallels.filter((p) => p.framework === f && p.ok);
  const sP = {
    tansaku: sumOrNull(okParallel('tansaku').map((p) => p.wall!)),
    optuna: sumOrNull(okParallel('optuna').map((p) => p.wall!)),
    optunaFixed: sumOrNull(okParallel('optuna-fixed').map((p) => p.wall!)),
  };
  const throughput = (s: Summary | null, perTrialUs: boolean): Summary | null =>
    s === null ? null : perTrialUs ? summarize(s.values.map((v) => 1e6 / v)) : summarize(s.values.map((v) => trials / v));
  const ratio = (tansakuThroughput: number | undefined, optunaThroughput: number | undefined): string =>
    tansakuThroughput === undefined || optunaThroughput === undefined ? 'n/a' : `${(tansakuThroughput / optunaThroughput).toFixed(2)}x`;
  const per = (runs: WorkerResult[], f: (r: WorkerResult) => number): number | null =>
    runs.length ? summarize(runs.map((r) => f(r) / r.trials)).median : null;
  const perP = (runs: ParallelRun[], f: (r: ParallelRun) => number): number | null =>
    runs.length ? summarize(runs.map((r) => f(r) / r.trials)).median : null;
  const N = trials.toLocaleString('en-US');
  const tp1 = {
    tansaku: throughput(s1.tansaku, true),
    tansakuHbOff: throughput(s1.tansakuHbOff, true),
    optuna: throughput(s1.optuna, true),
  };
  const tpP = {
    tansaku: throughput(sP.tansaku, false),
    optuna: throughput(sP.optuna, false),
    optunaFixed: throughput(sP.optunaFixed, false),
  };
  const usP = {
    tansaku: sP.tansaku && summarize(sP.tansaku.values.map((v) => (v / trials) * 1e6)),
    optuna: sP.optuna && summarize(sP.optuna.values.map((v) => (v / trials) * 1e6)),
  };
  const cell = (v: number | null, d = 2): string => (v === null ? 'n/a' : fmt(v, d));
  const T = singleOf('tansaku', true);
  const O = singleOf('optuna', null);
  const TP = okParallel('tansaku');
  /** Optuna's multi-process runs for the counter rows: stock 3.1 and 3.1 + read fix pooled (the same write path: lock, append, fsync). */
  const OP = [...okParallel('optuna'), ...okParallel('optuna-fixed')];
  const rows: string[][] = [
    [
      `1 process, ${N} trials, heartbeat on (default): µs/trial`,
      fmtSummary(s1.tansaku),
      fmtSummary(s1.optuna),
      ratio(tp1.tansaku?.median, tp1.optuna?.median),
    ],
    [
      `1 process, ${N} trials, heartbeat on (default): trials/s`,
      fmtSummary(tp1.tansaku, 0, (v) => fmtInt(v)),
      fmtSummary(tp1.optuna, 0, (v) => fmtInt(v)),
      ratio(tp1.tansaku?.median, tp1.optuna?.median),
    ],
    [
      `1 process, ${N} trials, heartbeat off: µs/trial`,
      fmtSummary(s1.tansakuHbOff),
      fmtSummary(s1.optuna),
      ratio(tp1.tansakuHbOff?.median, tp1.optuna?.median),
    ],
    [
      `${procs} processes × ${fmtInt(perProc)} trials, one journal: wall s (first start → last finish)`,
      fmtSummary(sP.tansaku, 3),
      fmtSummary(sP.optuna, 3),
      ratio(tpP.tansaku?.median, tpP.optuna?.median),
    ],
    [
      `${procs} processes: aggregate trials/s`,
      fmtSummary(tpP.tansaku, 0, (v) => fmtInt(v)),
      fmtSummary(tpP.optuna, 0, (v) => fmtInt(v)),
      ratio(tpP.tansaku?.median, tpP.optuna?.median),
    ],
    [
      `${procs} processes: µs/trial (wall / trials)`,
      fmtSummary(usP.tansaku),
      fmtSummary(usP.optuna),
      ratio(tpP.tansaku?.median, tpP.optuna?.median),
    ],
    ...(frameworks.includes('optuna-fixed')
      ? [
          [
            `${procs} processes: aggregate trials/s, ${optunaLabel} with its later read fix (optuna#5195) patched in`,
            fmtSummary(tpP.tansaku, 0, (v) => fmtInt(v)),
            fmtSummary(tpP.optunaFixed, 0, (v) => fmtInt(v)),
            ratio(tpP.tansaku?.median, tpP.optunaFixed?.median),
          ],
        ]
      : []),
    ["fsync'ed appends per trial, 1 process", cell(per(T, (r) => r.counters.fsync.calls)), cell(per(O, (r) => r.counters.fsync.calls)), ''],
    [`fsync'ed appends per trial, ${procs} processes`, cell(perP(TP, (r) => r.fsyncs!)), cell(perP(OP, (r) => r.fsyncs!)), ''],
    ['journal lines per trial, 1 process', cell(per(T, (r) => r.lines!)), cell(per(O, (r) => r.lines!)), ''],
    [`journal lines per trial, ${procs} processes`, cell(perP(TP, (r) => r.linesAppended!)), cell(perP(OP, (r) => r.linesAppended!)), ''],
    [
      'CPU time per trial, 1 process, user + system: µs',
      `${cell(
        per(T, (r) => r.cpu_user_seconds * 1e6),
        0,
      )} + ${cell(
        per(T, (r) => (r.cpu_seconds - r.cpu_user_seconds) * 1e6),
        0,
      )}`,
      `${cell(
        per(O, (r) => r.cpu_user_seconds * 1e6),
        0,
      )} + ${cell(
        per(O, (r) => (r.cpu_seconds - r.cpu_user_seconds) * 1e6),
        0,
      )}`,
      '',
    ],
    [
      `CPU time per trial, ${procs} processes (all processes), user + system: µs`,
      `${cell(
        perP(TP, (r) => r.cpuUserSeconds! * 1e6),
        0,
      )} + ${cell(
        perP(TP, (r) => (r.cpuSeconds! - r.cpuUserSeconds!) * 1e6),
        0,
      )}`,
      `${cell(
        perP(OP, (r) => r.cpuUserSeconds! * 1e6),
        0,
      )} + ${cell(
        perP(OP, (r) => (r.cpuSeconds! - r.cpuUserSeconds!) * 1e6),
        0,
      )}`,
      '',
    ],
    [
      `${procs} processes: CPU busy, of ${os.availableParallelism()} cores`,
      TP.length ? fmt(summarize(TP.map((r) => r.cpuSeconds! / r.wall!)).median, 2) : 'n/a',
      OP.length ? fmt(summarize(OP.map((r) => r.cpuSeconds! / r.wall!)).median, 2) : 'n/a',
      '',
    ],
    [
      'time in fsync per trial, 1 process: µs',
      cell(
        per(T, (r) => r.counters.fsync.ms * 1000),
        1,
      ),
      cell(
        per(O, (r) => r.counters.fsync.ms * 1000),
        1,
      ),
      '',
    ],
    [
      'lock acquisitions (successful symlink) per trial, 1 process',
      cell(per(T, (r) => r.counters.symlink.calls - r.counters.symlink.errors)),
      cell(per(O, (r) => r.counters.symlink.calls - r.counters.symlink.errors)),
      '',
    ],
    [
      `lock attempts per trial, ${procs} processes (of which found busy)`,
      TP.length ? `${cell(perP(TP, (r) => r.lockAttempts!))} (${cell(perP(TP, (r) => r.lockBusy!))})` : 'n/a',
      OP.length ? `${cell(perP(OP, (r) => r.lockAttempts!))} (${cell(perP(OP, (r) => r.lockBusy!))})` : 'n/a',
      '',
    ],
    [
      'time the lock is held per trial, 1 process: µs',
      cell(
        per(T, (r) => r.counters.lock_hold.ms * 1000),
        1,
      ),
      cell(
        per(O, (r) => r.counters.lock_hold.ms * 1000),
        1,
      ),
      '',
    ],
    [
      `${procs} processes: share of the wall time the lock is held`,
      TP.length ? `${fmt(100 * summarize(TP.map((r) => r.lockHoldMs! / 1000 / r.wall!)).median, 0)}%` : 'n/a',
      OP.length ? `${fmt(100 * summarize(OP.map((r) => r.lockHoldMs! / 1000 / r.wall!)).median, 0)}%` : 'n/a',
      '',
    ],
    [
      `${procs} processes: failed attempts (a process crashed, or the journal check failed; not in the rows above)`,
      `${parallels.filter((p) => p.framework === 'tansaku' && !p.ok).length} of ${parallels.filter((p) => p.framework === 'tansaku').length}`,
      haveOptuna
        ? `${parallels.filter((p) => p.framework === 'optuna' && !p.ok).length} of ${parallels.filter((p) => p.framework === 'optuna').length}${frameworks.includes('optuna-fixed') ? ` (with the read fix: ${parallels.filter((p) => p.framework === 'optuna-fixed' && !p.ok).length} of ${parallels.filter((p) => p.framework === 'optuna-fixed').length})` : ''}`
        : 'n/a',
      '',
    ],
    [
      `${procs} processes: time in fsync summed over the processes, share of the wall time (over 100%: fsyncs overlap)`,
      TP.length ? `${fmt(100 * summarize(TP.map((r) => r.fsyncMs! / 1000 / r.wall!)).median, 0)}%` : 'n/a',
      OP.length ? `${fmt(100 * summarize(OP.map((r) => r.fsyncMs! / 1000 / r.wall!)).median, 0)}%` : 'n/a',
      '',
    ],
  ];
  const checkLine = (f: Framework): string => {
    const runs = parallels.filter((p) => p.framework === f);
    const name = nameOf(f);
    if (runs.length === 0) return `${name}: not run`;
    const good = runs.filter((r) => r.ok && r.checks.every((c) => c.ok));
    const bad = runs.filter((r) => !(r.ok && r.checks.every((c) => c.ok)));
    const readers = (r: ParallelRun): string => r.checks.map((c) => (c.by === 'tansaku' ? 'Tansaku' : 'Optuna')).join(' and ');
    let text = `${name}'s journals: ${good.length} of ${runs.length} runs hold exactly ${fmtInt(trials)} trials numbered 0..${fmtInt(trials - 1)}, all COMPLETE with x and value == x intact${good.length ? `, read by ${readers(good[0])}` : ''}`;
    if (bad.length) {
      const counts = bad.flatMap((r) => r.checks.map((c) => c.trials));
      const agree = bad.every((r) => r.checks.every((c) => c.trials === r.checks[0].trials && c.complete === r.checks[0].complete));
      text += `; the other ${bad.length} (${[...new Set(bad.map((r) => (r.failure ? 'a process crashed' : 'check failed')))].join(', ')}) hold ${fmtInt(Math.min(...counts))}–${fmtInt(Math.max(...counts))} trials${agree && bad[0].checks.length > 1 ? ' (both readers agree)' : ''}${bad.some((r) => r.checks.some((c) => c.error)) ? `; read errors: ${[...new Set(bad.flatMap((r) => r.checks.filter((c) => c.error).map((c) => c.error!.split('\n')[0])))].join(' / ')}` : ''}`;
    }
    return `${text}.`;
  };
  const failures = parallels.filter((p) => !p.ok);
  const target1 = tp1.tansaku && tp1.optuna ? tp1.tansaku.median / tp1.optuna.median : null;
  const targetP = tpP.tansaku && tpP.optuna ? tpP.tansaku.median / tpP.optuna.median : null;
  const targetPFixed = tpP.tansaku && tpP.optunaFixed ? tpP.tansaku.median / tpP.optunaFixed.median : null;
  const durabilityNote = (): string => {
    const fT = per(T, (r) => r.counters.fsync.calls);
    const fO = per(O, (r) => r.counters.fsync.calls);
    const lT = per(T, (r) => r.lines!);
    const lO = per(O, (r) => r.lines!);
    const counts =
      fT !== null && fO !== null && lT !== null && lO !== null
        ? `Measured here: Optuna writes ${fmt(lO)} lines per trial in ${fmt(fO)} fsync'ed appends (one per operation), Tansaku ${fmt(lT)} lines in ${fmt(fT)} appends: it batches operations that are acknowledged at the same moment into one append (a trial's queued updates, here its parameter, go with its result${fT < 1.5 ? ', and the result with the creation of the next trial' : ''}), so it makes ${fmt(fO - fT)} fsync${fO - fT === 1 ? '' : 's'} fewer per trial, while every append is still written and fsynced under the lock before any operation in it is acknowledged.`
        : '';
    return `Durability. Both fsync every append before acknowledging it: Optuna 3.1's \`JournalFileStorage.append_logs\` (optuna/storages/_journal/file.py) writes under the lock, then \`f.flush()\` and \`os.fsync(f.fileno())\`; Tansaku's \`JournalFileStorage.transact\` (library/src/storage/journal.ts) writes under the lock, releases it, then calls \`fs.fsyncSync\` (on a local filesystem such as this one; on a network filesystem it fsyncs before releasing), and only then applies the operations and resolves: nothing is acknowledged before it is durable, and an fsync covers every byte written to the file before it, so no acknowledged append survives a crash without the appends before it. Fsyncing outside the lock lets several processes' fsyncs overlap (the filesystem commits them together) instead of queueing behind the lock. The counts are measured (fsync, symlink, rename and unlink wrapped by counters in every process), not assumed. ${counts} Difference in what is durable when: Optuna's \`suggest_float\` returns after the parameter is fsynced; Tansaku's \`suggestFloat\` returns at once and its parameter is fsynced with the next flush (a setImmediate turn, or together with the result). Every result is fsynced before optimize/tell acknowledges it in both.`;
  };
  /**
   * What the disk alone allows. The fsync latency is taken from inside the 1-process runs (per-run µs per
   * fsync call, both frameworks: the same disk, the same kind of append); the standalone probe is shown too.
   */
  const fsyncPerCall = [...T, ...O]
    .filter((r) => r.counters.fsync.calls > 0)
    .map((r) => (r.counters.fsync.ms * 1000) / r.counters.fsync.calls);
  const floorNote = (): string[] => {
    const onTmpfs = String(machine.filesystem).startsWith('tmpfs');
    const fT = per(T, (r) => r.counters.fsync.calls);
    const fO = per(O, (r) => r.counters.fsync.calls);
    if (fT === null || fsyncPerCall.length === 0) return [];
    const f = summarize(fsyncPerCall);
    const floorT = fT * f.median;
    const lines = [
      `The ${onTmpfs ? 'floor (tmpfs: memory, where an fsync has nothing to write, so this run measures CPU overhead, not durability)' : "disk's floor"}. An fsync took ${fmt(f.median, 0)} µs (median over the 1-process runs of both frameworks; per-run averages ${fmt(f.min, 0)}–${fmt(f.max, 0)} µs${onTmpfs ? '' : ": this virtual disk's latency drifts from minute to minute"}); a standalone probe (write of a 200-byte line + fsync, in the journal directory, at the start and end of the run) took ${fsyncProbe.map((p) => fmt(p.us, 0)).join(' and ')} µs. At ${fmt(fT, 2)} fsyncs per trial, Tansaku cannot go below ${fmt(floorT, 0)} µs/trial (${fmtInt(1e6 / floorT)} trials/s) in one process even if everything else were free${fO !== null && s1.optuna ? `; Optuna's ${fmt(fO, 2)} fsyncs take ${fmt(fO * f.median, 0)} µs of its ${fmt(s1.optuna.median, 0)} µs/trial` : ''}.`,
    ];
    if (s1.optuna && s1.tansaku) {
      const need = s1.optuna.median / 5;
      const best = s1.optuna.median / floorT;
      lines.push(
        `5x in one process means ${fmt(need, 0)} µs/trial in total (Optuna's ${fmt(s1.optuna.median, 0)} / 5); ${
          need < floorT
            ? `that is below what ${fmt(fT, 2)} fsyncs cost on this disk, so no implementation with ${fmt(fT, 2)} fsyncs per trial reaches it here (best possible ${fmt(best, 1)}x)`
            : `the fsyncs take ${fmt(floorT, 0)} of them (best possible ratio ${fmt(best, 1)}x if nothing else cost anything), leaving ${fmt(need - floorT, 0)} µs for everything else, against Tansaku's measured ${fmt(s1.tansaku.median - floorT, 0)} µs/trial beside its fsyncs`
        }. In ${procs} processes Optuna fsyncs under the lock, so its appends and fsyncs are serialized; Tansaku's fsyncs run outside the lock and overlap, so there the CPU (${os.availableParallelism()} cores for ${procs} processes, each parsing every line the others append), not the disk's latency, bounds its throughput.`,
      );
    }
    return lines;
  };
  /** Where the wall time of the multi-process runs goes, from the lock and fsync counters. */
  const lockNote = (): string[] => {
    const parts = (runs: ParallelRun[]) =>
      runs.length
        ? {
            held: summarize(runs.map((r) => r.lockHoldMs! / 1000 / r.wall!)).median,
            fsync: summarize(runs.map((r) => r.fsyncMs! / 1000 / r.wall!)).median,
            usPerTrial: summarize(runs.map((r) => (r.wall! / r.trials) * 1e6)).median,
          }
        : null;
    const describe = (name: string, p: NonNullable<ReturnType<typeof parts>>, fsyncUnderLock: boolean): string =>
      fsyncUnderLock
        ? `${name}: lock held ${fmt(100 * p.held, 0)}% of the wall time (${fmt(p.held * p.usPerTrial, 0)} µs per trial), of which fsync ${fmt(100 * p.fsync, 0)}% and other work under the lock ${fmt(100 * (p.held - p.fsync), 0)}%; lock free ${fmt(100 * (1 - p.held), 0)}%`
        : `${name}: lock held ${fmt(100 * p.held, 0)}% of the wall time (${fmt(p.held * p.usPerTrial, 0)} µs per trial; its fsyncs run after the lock is released); lock free ${fmt(100 * (1 - p.held), 0)}%`;
    const t = parts(TP);
    const o = parts(OP);
    if (!t && !o) return [];
    return [
      `Where the ${procs}-process wall time goes (medians; appends are serialized by the lock): ${[t && describe('Tansaku', t, false), o && describe(optunaLabel, o, true)].filter(Boolean).join('; ')}. "Other work under the lock" is the holder's work between taking and releasing it (Tansaku: catching up on the lines the other processes appended, deciding, encoding, writing; Optuna: writing and flushing, as it reads without the lock; both: the lock's own rename + unlink), stretched when the holder waits for a core (${procs} processes, ${os.availableParallelism()} cores); "lock free" is time when no process holds it, e.g. while the waiters sleep in their back-off (Tansaku: \`acquireLock\` in library/src/storage/journal.ts; Optuna: \`JournalFileSymlinkLock.acquire\`, 1 ms doubling up to 1 s).`,
    ];
  };
  const verdict = (r: number | null): string =>
    r === null ? 'not checked' : r >= 5 ? `met (${r.toFixed(2)}x)` : `NOT met (${r.toFixed(2)}x)`;
  const notes = [
    `Same work in both: suggest one float x in [-10, 10], return it; ${samplerName === 'qmc' ? "a sampler that samples x jointly at ask (Tansaku's QmcSampler with its search space given, so from the first trial; Optuna's QMCSampler, from its second)" : 'RandomSampler(seed)'}, NopPruner, direction minimize, one trial at a time per process. Tansaku: \`new JournalFileStorage(path)\` (defaults); Optuna: \`optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))\` with its default lock, JournalFileSymlinkLock (the same symlink protocol Tansaku uses). A fresh journal per run, in ${dir.replace(/tansaku-bench-journal-.*$/, 'tansaku-bench-journal-*/')} on ${String(machine.filesystem)}, for both frameworks.`,
    `1 process: median (min–max) of ${reps} runs, each in a fresh process, order flipped every repetition; ${warmup} warm-up trials on a throw-away journal first (same process, not timed); only \`study.optimize(objective, nTrials: ${N})\` is timed (Tansaku's timing also includes one event-loop turn after it, so writes deferred with setImmediate count).`,
    `${procs} processes: median (min–max) of ${reps} runs. Each process imports, warms up (${procWarmup} trials on its own throw-away journal), loads the study (created beforehand by the same framework), prints READY and blocks on stdin; when all are ready the driver writes GO to each. Wall time = last process's end − first process's start (each process's own epoch clock: \`performance.timeOrigin + performance.now()\` / \`time.time()\`); the driver's own GO → last DONE time is in the JSON (\`driverWall\`) as a cross-check. Process start-up, imports, warm-up and loading are not counted.`,
    durabilityNote(),
    `Heartbeats: Tansaku runs with its default heartbeat (a marker file per running trial in \`<journal>.heartbeats/\`, created when the trial starts, touched every 5 s, removed when it ends, and a stale-trial sweep in each ask); the "heartbeat off" row passes \`heartbeat: false\`. Optuna's JournalStorage has no heartbeat. The ${procs}-process rows: Tansaku with heartbeat on.`,
    `Checks: ${checkLine('tansaku')}`,
    ...frameworks.filter((f) => f !== 'tansaku').map((f) => `Checks: ${checkLine(f)}`),
    ...(failures.length
      ? [
          `Crashed ${procs}-process runs (a repetition is run again, up to ${MAX_ATTEMPTS} attempts, until none of its processes crashes; crashed runs are not in the medians): ${frameworks
            .map(
              (f) =>
                `${nameOf(f)} ${failures.filter((p) => p.framework === f).length} of ${parallels.filter((p) => p.framework === f).length} attempts`,
            )
            .join(', ')}. Crashed processes by the last line of their stderr: ${Object.entries(
            failures
              .flatMap((f) => (f.failure ?? '').replace(/^.*? crashed: /, '').split(' / '))
              .map((l) => /^([\w.]+(?:Error|Exception))(?::\s*([^:]+?)(?::|$))?/.exec(l)?.slice(1, 3).filter(Boolean).join(': ') ?? l)
              .reduce<Record<string, number>>((acc, k) => {
                acc[k] = (acc[k] ?? 0) + 1;
                return acc;
              }, {}),
          )
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `${k} ×${n}`)
            .join(', ')}.${
            failures.some((f) => (f.failureTails ?? []).some((t) => /JSONDecodeError/.test(t)))
              ? " Optuna 3.1's JSONDecodeError is a known race (optuna/optuna#5138): `JournalFileStorage.read_logs` (optuna/storages/_journal/file.py) reads the file without the lock and can read a line another process is still writing; 3.1 raises it to the caller. `AssertionError: Should not reach.` is the same error seen through `_run_trial`'s `finally` block (optuna/study/_optimize.py): `_tell_with_warning` raised it, the trial is still RUNNING there, and the assertion replaces it (the traceback chains both). Full tracebacks: `failureTails` in the JSON."
              : ''
          }`,
        ]
      : []),
    ...(frameworks.includes('optuna-fixed')
      ? [
          `"${optunaLabel} + read fix": the same Optuna 3.1 with \`JournalFileStorage.read_logs\` replaced by the fix Optuna merged later (optuna/optuna#5195: read only up to the file size seen when the read starts, stop at a line without its newline), patched in by optuna_journal.py --read-fix; lock, appends, fsyncs and replay are stock 3.1. Measured because stock 3.1 crashes in most ${procs}-process runs, which leaves few runs for its medians; \`--no-read-fix\` skips it.`,
        ]
      : []),
    ...(frameworks.includes('optuna-fixed')
      ? [
          `The ${procs}-process counter rows (fsyncs, lines, CPU, lock, fsync share) and the next note pool Optuna's runs with and without the read fix: the fix changes only how a process reads the journal, outside the lock.`,
        ]
      : []),
    ...lockNote(),
    `Target (Tansaku's throughput at least 5x Optuna's at equal durability): 1 process ${verdict(target1)}; ${procs} processes ${verdict(targetP)}${targetPFixed !== null ? ` (against Optuna with the read fix: ${verdict(targetPFixed)})` : ''}.`,
    ...floorNote(),
  ];
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; filesystem of the journals: ${String(machine.filesystem)}; Node ${machine.node}; Python ${String(machine.python ?? 'n/a')}; Optuna ${optunaVersion ?? 'not installed'}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}${codeChanged ? ' (CHANGED DURING THE RUN)' : ''}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  const table = markdownTable(['measurement', 'Tansaku', optunaLabel, 'ratio (Tansaku / Optuna throughput)'], rows);
  writeResults(ROOT, {
    name: reportName === undefined ? 'overhead-journal' : `overhead-journal-${reportName}`,
    title: `bench/overhead --journal: per-trial overhead on a journal file, Tansaku beside ${optunaLabel}`,
    writtenBy: '`npm run bench:overhead -- --journal` (bench/overhead/journal.ts)',
    readme: 'bench/overhead/README.md',
    machineLine,
    table,
    notes,
    json: {
      machine,
      config: { reps, trials, procs, perProc, warmup, procWarmup, seed },
      fsyncProbe,
      fsyncPerCallUs: fsyncPerCall,
      summary: {
        single: s1,
        singleThroughput: tp1,
        parallelWall: sP,
        parallelThroughput: tpP,
        targetRatio1: target1,
        targetRatioParallel: targetP,
        targetRatioParallelReadFix: targetPFixed,
      },
      singles,
      parallels,
    },
  });
}

if (process.argv[2] === '--worker') {
  const result = await worker(JSON.parse(process.argv[3]) as WorkerConfig);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} else if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) {
  await main();
}
