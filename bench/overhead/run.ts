/**
 * bench/overhead: per-trial engine overhead and memory of Tansaku beside Optuna 3.1, measured in the
 * same run. `npm run bench:overhead` (options: `--reps 5 --trials 10000 --warmup 500
 * --memory-trials 30000,100000 --optuna-memory-max 30000 --full`; `--full` also runs Optuna at every
 * memory size, 8-18 more minutes at 100,000 trials, as its per-trial cost grows).
 * `npm run bench:overhead -- --journal` runs the journal-file benchmark instead (bench/overhead/journal.ts).
 *
 * Every measurement runs in a fresh child process: Tansaku as `node --expose-gc --import tsx
 * bench/overhead/run.ts --worker <json>`, Optuna as `/usr/bin/python3 bench/overhead/optuna_overhead.py`.
 * Each child warms up on a throw-away study (same code path, not timed), then times only the
 * optimize (or ask/tell) loop and prints one `RESULT {json}` line. See bench/overhead/README.md.
 *
 * Writes bench/results/overhead.md and bench/results/overhead.json and prints the table.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStudy, InMemoryStorage, NopPruner, RandomSampler, type Study, type Trial } from 'tansaku';
import { runResultChild } from '../lib/child.js';
import { median, summarize, type Summary } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';
import { writeResults } from '../lib/results.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
/** The Python with Optuna 3.1 (Debian's python3-optuna); `OVERHEAD_PYTHON` overrides it (e.g. to test the no-Optuna path). */
const PYTHON = process.env.OVERHEAD_PYTHON ?? '/usr/bin/python3';
const OPTUNA_SCRIPT = join(HERE, 'optuna_overhead.py');
const MiB = 1024 * 1024;

// ------------------------------------------------------------------------------------------ worker

type Mode = 'optimize' | 'asktell' | 'memory' | 'held';

interface WorkerConfig {
  mode: Mode;
  trials: number;
  warmup: number;
  seed: number;
  /** Tansaku's heartbeat: false disables it (Optuna's in-memory storage has none); true keeps the default. */
  heartbeat: boolean;
  /** held mode: floats suggested per trial. */
  params?: number;
}

/** What a child prints (both frameworks use these names; times in seconds, memory in bytes). */
interface WorkerResult {
  framework: 'tansaku' | 'optuna';
  version?: string;
  mode: string;
  trials: number;
  warmup: number;
  seconds: number;
  heartbeat?: boolean;
  rss_before?: number;
  rss_after?: number;
  /** memory mode: RSS after a forced GC when half the trials were done (`rss_mid_trial` of them; its time not counted). */
  rss_mid?: number;
  rss_mid_trial?: number;
  heap_used_before?: number;
  heap_used_after?: number;
  /** Tansaku: after one turn of the event loop (callbacks that optimize scheduled with setImmediate ran). */
  rss_after_loop_turn?: number;
  heap_used_after_loop_turn?: number;
  /** Tansaku: time of that turn (counted in `seconds`). */
  loop_turn_seconds?: number;
  gc_exposed?: boolean;
  /** held mode: live memory (Tansaku: V8 heap after GC; Optuna: tracemalloc after gc.collect()) before and after. */
  params?: number;
  held_before?: number;
  held_after?: number;
  first_k?: number;
  first_k_seconds?: number;
  last_k_seconds?: number;
  /** µs per trial in each tenth of the run (memory mode), to show how the cost changes with the study size. */
  tenths_us?: number[];
}

const objective = (trial: Trial): number => trial.suggestFloat('x', -10, 10);

function newStudy(seed: number, heartbeat: boolean): Promise<Study> {
  return createStudy({
    direction: 'minimize',
    sampler: new RandomSampler({ seed }),
    pruner: new NopPruner(),
    storage: new InMemoryStorage(),
    ...(heartbeat ? {} : { heartbeat: false as const }),
  });
}

async function askTell(study: Study, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const trial = await study.ask();
    const x = trial.suggestFloat('x', -10, 10);
    await study.tell(trial, x);
  }
}

/**
 * One turn of the event loop. Counted in Tansaku's time: with a synchronous objective and an in-memory
 * storage, optimize's loop resolves only microtasks, so work it scheduled with setImmediate (a trial's
 * batched writes) waits until the call returns and runs here. It is the engine's work, so it is timed.
 */
function loopTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

async function checkComplete(study: Study, n: number): Promise<void> {
  const all = await study.getTrials();
  const complete = all.filter((t) => t.state === 'COMPLETE').length;
  if (all.length !== n || complete !== n) throw new Error(`expected ${n} COMPLETE trials, got ${complete} of ${all.length}`);
}

/** Collects garbage when `--expose-gc` is on (it always is for these workers), then reads memory. */
function memory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

/** µs per trial in each tenth of a run, from the objective's start times (in ms). */
function tenths(stamps: Float64Array): number[] {
  const n = stamps.length;
  return Array.from({ length: 10 }, (_, j) => {
    const a = Math.floor((j * n) / 10);
    const b = Math.floor(((j + 1) * n) / 10) - 1;
    return ((stamps[b] - stamps[a]) / (b - a)) * 1000;
  });
}

async function worker(cfg: WorkerConfig): Promise<WorkerResult> {
  const n = cfg.trials;
  if (cfg.warmup > 0) {
    const warm = await newStudy(cfg.seed + 1, cfg.heartbeat);
    if (cfg.mode === 'asktell') await askTell(warm, cfg.warmup);
    else await warm.optimize(objective, { nTrials: cfg.warmup });
  }
  const out: WorkerResult = { framework: 'tansaku', mode: cfg.mode, trials: n, warmup: cfg.warmup, heartbeat: cfg.heartbeat, seconds: NaN };
  if (cfg.mode === 'optimize') {
    const study = await newStudy(cfg.seed, cfg.heartbeat);
    const t0 = performance.now();
    const r = await study.optimize(objective, { nTrials: n });
    await loopTurn();
    const t1 = performance.now();
    if (r.complete !== n) throw new Error(`optimize finished ${r.complete} trials, expected ${n}`);
    await checkComplete(study, n);
    out.seconds = (t1 - t0) / 1000;
  } else if (cfg.mode === 'asktell') {
    const study = await newStudy(cfg.seed, cfg.heartbeat);
    const t0 = performance.now();
    await askTell(study, n);
    await loopTurn();
    const t1 = performance.now();
    await checkComplete(study, n);
    out.seconds = (t1 - t0) / 1000;
  } else if (cfg.mode === 'held') {
    // The memory the study holds per trial: V8's live heap after a full GC, before and after.
    const names = Array.from({ length: cfg.params ?? 1 }, (_, j) => `p${j}`);
    const many = (trial: Trial): number => names.reduce((s, name) => s + trial.suggestFloat(name, 0, 1), 0);
    const before = memory();
    const study = await newStudy(cfg.seed, cfg.heartbeat);
    await study.optimize(many, { nTrials: n });
    await loopTurn();
    const after = memory();
    await checkComplete(study, n);
    Object.assign(out, { seconds: Number.NaN, params: names.length, held_before: before.heapUsed, held_after: after.heapUsed });
  } else {
    const stamps = new Float64Array(n);
    let i = 0;
    // Halfway, RSS again: the growth over the second half is the study's per-trial cost without the
    // runtime's one-time reservations (V8's young generation grows to its full size in the first trials).
    const mid = Math.floor(n / 2);
    let midRss = Number.NaN;
    let paused = 0;
    const stamped = (trial: Trial): number => {
      if (i === mid) {
        // Between stamps[mid - 1] and stamps[mid], which no timing row spans; subtracted from `seconds`.
        const p0 = performance.now();
        midRss = memory().rss;
        paused = performance.now() - p0;
      }
      stamps[i++] = performance.now();
      return trial.suggestFloat('x', -10, 10);
    };
    const before = memory();
    const study = await newStudy(cfg.seed, cfg.heartbeat);
    const t0 = performance.now();
    await study.optimize(stamped, { nTrials: n });
    const t1 = performance.now();
    const after = memory(); // right after optimize returns; `study` is used below, so it is alive here
    const t2 = performance.now();
    await loopTurn();
    const t3 = performance.now();
    const afterTurn = memory();
    await checkComplete(study, n);
    const k = Math.min(1000, n - 1);
    Object.assign(out, {
      seconds: (t1 - t0 - paused + (t3 - t2)) / 1000,
      loop_turn_seconds: (t3 - t2) / 1000,
      rss_before: before.rss,
      rss_after: after.rss,
      rss_mid: midRss,
      rss_mid_trial: mid,
      heap_used_before: before.heapUsed,
      heap_used_after: after.heapUsed,
      rss_after_loop_turn: afterTurn.rss,
      heap_used_after_loop_turn: afterTurn.heapUsed,
      gc_exposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      first_k: k,
      first_k_seconds: (stamps[k] - stamps[0]) / 1000,
      last_k_seconds: (stamps[n - 1] - stamps[n - 1 - k]) / 1000,
      tenths_us: tenths(stamps),
    });
  }
  return out;
}

/** Held-memory runs: parameters per trial, trials per run, fresh processes per framework. */
const HELD_PARAMS = [1, 10] as const;
const HELD_TRIALS = 20_000;
const HELD_REPS = 3;

/** Live memory held per trial, in KiB, of a held-mode run. */
function heldPerTrial(r: WorkerResult): number {
  return (r.held_after! - r.held_before!) / 1024 / r.trials;
}

// ------------------------------------------------------------------------------------------ driver

function runChild(command: string, args: readonly string[]): Promise<WorkerResult> {
  return runResultChild<WorkerResult>(command, args, ROOT);
}

function runTansaku(cfg: WorkerConfig): Promise<WorkerResult> {
  return runChild(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--worker', JSON.stringify(cfg)]);
}

function runOptuna(
  mode: 'time' | 'asktell' | 'memory' | 'held',
  trials: number,
  warmup: number,
  seed: number,
  params = 1,
): Promise<WorkerResult> {
  return runChild(PYTHON, [
    OPTUNA_SCRIPT,
    '--trials',
    String(trials),
    '--mode',
    mode,
    '--warmup',
    String(warmup),
    '--seed',
    String(seed),
    '--params',
    String(params),
  ]);
}

function sh(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** A digest of the source the benchmark loads (core, samplers, pruners, storage), to notice code that changed during the run. */
function srcDigest(): string {
  const hash = createHash('sha1');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(path).update(readFileSync(path));
    }
  };
  hash.update(readFileSync(join(ROOT, 'library/src/index.ts')));
  for (const dir of ['core', 'samplers', 'pruners', 'storage']) walk(join(ROOT, 'library/src', dir));
  return hash.digest('hex');
}

function machineInfo(): Record<string, unknown> {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    /* not Linux */
  }
  const commit = sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', [
    '-C',
    ROOT,
    'status',
    '--porcelain',
    '--',
    'library/src/index.ts',
    'library/src/core',
    'library/src/samplers',
    'library/src/pruners',
    'library/src/storage',
  ]);
  return {
    date: new Date().toISOString(),
    commit: commit === null ? null : `${commit}${dirty ? ' (uncommitted changes in the src/ it loads)' : ''}`,
    node: process.version,
    python: sh(PYTHON, ['-c', 'import sys; print(sys.version.split()[0])']),
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavgStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

const us = (r: WorkerResult): number => (r.seconds / r.trials) * 1e6;
const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const fmtSummary = (s: Summary | null, digits = 1): string =>
  s === null ? 'n/a' : s.n === 1 ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const ratio = (optuna: number | null, tansaku: number | null): string =>
  optuna === null || tansaku === null || !(tansaku > 0) ? 'n/a' : `${(optuna / tansaku).toFixed(1)}x`;

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      trials: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '500' },
      'memory-trials': { type: 'string', default: '30000,100000' },
      'optuna-memory-max': { type: 'string', default: '30000' },
      full: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
    },
  });
  const reps = Number(opts.reps);
  const trials = Number(opts.trials);
  const warmup = Number(opts.warmup);
  const seed = Number(opts.seed);
  const memorySizes = opts['memory-trials']!.split(',').map(Number);
  const optunaMemoryMax = opts.full ? Infinity : Number(opts['optuna-memory-max']);
  for (const [name, v] of [
    ['reps', reps],
    ['trials', trials],
    ['warmup', warmup],
    ['seed', seed],
    ...memorySizes.map((m) => ['memory-trials', m] as const),
  ] as const) {
    if (!Number.isInteger(v) || v < (name === 'warmup' || name === 'seed' ? 0 : 1))
      throw new Error(`--${name} must be a positive integer, got ${String(v)}`);
  }
  if (memorySizes.some((m) => m < 2002)) throw new Error('--memory-trials must be >= 2002 (first and last 1,000 trials)');

  const started = Date.now();
  const srcAtStart = srcDigest();
  const machine = machineInfo();
  const optunaVersion = sh(PYTHON, ['-c', 'import optuna; print(optuna.__version__)']);
  const haveOptuna = optunaVersion !== null;
  machine.optuna = optunaVersion;
  if (!haveOptuna) {
    console.error(
      `\n*** Optuna is not importable by ${PYTHON} (\`${PYTHON} -c 'import optuna'\` failed).\n` +
        '*** Install the reference with: apt-get install -y python3-optuna\n' +
        "*** Reporting Tansaku's figures only.\n",
    );
  } else if (!optunaVersion.startsWith('3.1')) {
    console.error(`warning: ${PYTHON} has Optuna ${optunaVersion}, not 3.1; the column is labelled with the version found`);
  }
  const optunaLabel = !haveOptuna || optunaVersion.startsWith('3.1') ? 'Optuna 3.1' : `Optuna ${optunaVersion}`;
  const log = (msg: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

  // ---- per-trial overhead: fresh process per measurement, frameworks alternated, order flipped every rep
  const runs: Array<{ key: string; result: WorkerResult }> = [];
  type Job = { key: string; run: () => Promise<WorkerResult> };
  const timingJobs: Job[] = [
    { key: 'tansaku.optimize.hbOff', run: () => runTansaku({ mode: 'optimize', trials, warmup, seed, heartbeat: false }) },
    ...(haveOptuna ? [{ key: 'optuna.optimize', run: () => runOptuna('time', trials, warmup, seed) }] : []),
    { key: 'tansaku.optimize.hbOn', run: () => runTansaku({ mode: 'optimize', trials, warmup, seed, heartbeat: true }) },
    ...(haveOptuna ? [{ key: 'optuna.asktell', run: () => runOptuna('asktell', trials, warmup, seed) }] : []),
    { key: 'tansaku.asktell.hbOff', run: () => runTansaku({ mode: 'asktell', trials, warmup, seed, heartbeat: false }) },
  ];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? timingJobs : [...timingJobs].reverse();
    for (const job of order) {
      const result = await job.run();
      runs.push({ key: job.key, result });
      log(`rep ${rep + 1}/${reps} ${job.key.padEnd(22)} ${fmt(us(result), 2).padStart(9)} µs/trial`);
    }
  }

  // ---- memory and growth with study size
  for (const size of memorySizes) {
    const t = await runTansaku({ mode: 'memory', trials: size, warmup, seed, heartbeat: false });
    runs.push({ key: `tansaku.memory.${size}`, result: t });
    log(`memory ${size} tansaku: +${fmt((t.rss_after! - t.rss_before!) / MiB)} MiB RSS, ${fmt(us(t), 2)} µs/trial`);
    if (haveOptuna && size <= optunaMemoryMax) {
      log(`memory ${size} optuna: running (Optuna's per-trial cost grows with the study size)...`);
      const o = await runOptuna('memory', size, warmup, seed);
      runs.push({ key: `optuna.memory.${size}`, result: o });
      log(`memory ${size} optuna: +${fmt((o.rss_after! - o.rss_before!) / MiB)} MiB RSS, ${fmt(us(o), 2)} µs/trial`);
    }
  }
  // ---- memory held per trial, 1 and 10 parameters: live memory after a full GC, 3 fresh processes each
  for (const params of HELD_PARAMS) {
    for (let rep = 0; rep < HELD_REPS; rep++) {
      const t = await runTansaku({ mode: 'held', trials: HELD_TRIALS, warmup, seed, heartbeat: false, params });
      runs.push({ key: `tansaku.held.${params}`, result: t });
      log(`held ${params} param(s) tansaku: ${fmt(heldPerTrial(t), 3)} KiB/trial`);
      if (haveOptuna) {
        const o = await runOptuna('held', HELD_TRIALS, warmup, seed, params);
        runs.push({ key: `optuna.held.${params}`, result: o });
        log(`held ${params} param(s) optuna: ${fmt(heldPerTrial(o), 3)} KiB/trial`);
      }
    }
  }
  const srcChanged = srcDigest() !== srcAtStart;
  if (srcChanged) console.error('WARNING: files under src/ changed during this run; the rows may mix code versions');
  machine.loadavgEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);

  // ---- summary
  const of = (key: string): WorkerResult[] => runs.filter((r) => r.key === key).map((r) => r.result);
  const sumUs = (key: string): Summary | null => (of(key).length ? summarize(of(key).map(us)) : null);
  const summary: Record<string, unknown> = {};
  const rows: string[][] = [];
  const perTrial = (label: string, tKey: string, oKey: string): void => {
    const t = sumUs(tKey);
    const o = sumUs(oKey);
    summary[tKey] = t;
    summary[oKey] = o;
    rows.push([label, fmtSummary(t), fmtSummary(o), ratio(o?.median ?? null, t?.median ?? null)]);
  };
  const n = trials.toLocaleString('en-US');
  perTrial(`study.optimize, ${n} trials, heartbeat off: µs/trial`, 'tansaku.optimize.hbOff', 'optuna.optimize');
  perTrial(`study.optimize, ${n} trials, heartbeat on (default): µs/trial`, 'tansaku.optimize.hbOn', 'optuna.optimize');
  perTrial(`ask()/tell(), ${n} trials, heartbeat off: µs/trial`, 'tansaku.asktell.hbOff', 'optuna.asktell');
  const growth: Array<{ framework: string; size: number; ratio: number }> = [];
  for (const size of memorySizes) {
    const t = of(`tansaku.memory.${size}`)[0];
    const o = of(`optuna.memory.${size}`)[0] as WorkerResult | undefined;
    const N = size.toLocaleString('en-US');
    const notRun = haveOptuna ? 'not run¹' : 'n/a';
    const mem = (r: WorkerResult | undefined, f: (r: WorkerResult) => number): number | null => (r ? f(r) : null);
    const cell = (v: number | null, digits = 1): string => (v === null ? notRun : fmt(v, digits));
    const add = (label: string, f: (r: WorkerResult) => number, digits = 1): void => {
      const tv = mem(t, f);
      const ov = mem(o, f);
      rows.push([label, cell(tv, digits), cell(ov, digits), ratio(ov, tv)]);
    };
    add(`RSS before the study (${N}-trial run): MiB`, (r) => r.rss_before! / MiB);
    add(`RSS after ${N} trials: MiB`, (r) => r.rss_after! / MiB);
    add(`RSS after ${N} trials, one event-loop turn later²: MiB`, (r) => (r.rss_after_loop_turn ?? r.rss_after!) / MiB);
    add(`RSS growth over ${N} trials: MiB`, (r) => (r.rss_after! - r.rss_before!) / MiB);
    add(`RSS growth per trial (${N}-trial run): KiB`, (r) => (r.rss_after! - r.rss_before!) / 1024 / r.trials, 2);
    add(
      `RSS growth per trial over the second half (${N}-trial run)⁴: KiB`,
      (r) => (r.rss_mid === undefined ? Number.NaN : (r.rss_after! - r.rss_mid) / 1024 / (r.trials - r.rss_mid_trial!)),
      2,
    );
    add(`${N} trials: µs/trial, first 1,000`, (r) => (r.first_k_seconds! / r.first_k!) * 1e6);
    add(`${N} trials: µs/trial, last 1,000`, (r) => (r.last_k_seconds! / r.first_k!) * 1e6);
    add(`${N} trials: µs/trial, whole run`, us);
    for (const r of [t, o]) if (r) growth.push({ framework: r.framework, size, ratio: r.last_k_seconds! / r.first_k_seconds! });
    summary[`memory.${size}`] = { tansaku: t, optuna: o ?? null };
  }
  summary.growthLastOverFirst = growth;
  for (const params of HELD_PARAMS) {
    const held = (key: string): Summary | null => (of(key).length ? summarize(of(key).map(heldPerTrial)) : null);
    const t = held(`tansaku.held.${params}`);
    const o = held(`optuna.held.${params}`);
    summary[`held.${params}`] = { tansaku: t, optuna: o };
    rows.push([
      `memory held per trial, ${params} float parameter${params === 1 ? '' : 's'}, ${HELD_TRIALS.toLocaleString('en-US')} trials³: KiB`,
      fmtSummary(t, 3),
      fmtSummary(o, 3),
      ratio(o?.median ?? null, t?.median ?? null),
    ]);
  }

  const headers = ['measurement', 'Tansaku', optunaLabel, `ratio (${optunaLabel.replace(' 3.1', '')} / Tansaku)`];
  const table = markdownTable(headers, rows);
  const hbOff = summary['tansaku.optimize.hbOff'] as Summary | null;
  const optOpt = summary['optuna.optimize'] as Summary | null;
  const target = hbOff && optOpt ? (optOpt.median / hbOff.median >= 10 ? 'met' : 'NOT met') : 'not checked (no Optuna)';
  const tansakuGrowth = growth.filter((g) => g.framework === 'tansaku');
  const tansakuHeap = memorySizes.flatMap((size) => {
    const t = of(`tansaku.memory.${size}`)[0];
    return t
      ? [
          {
            size,
            perTrial: (t.heap_used_after! - t.heap_used_before!) / t.trials,
            perTrialTurn: (t.heap_used_after_loop_turn! - t.heap_used_before!) / t.trials,
            rssMiB: (t.rss_after! - t.rss_before!) / MiB,
            rssTurnMiB: (t.rss_after_loop_turn! - t.rss_before!) / MiB,
            turnMs: t.loop_turn_seconds! * 1000,
          },
        ]
      : [];
  });
  /** Optuna's time for `size` trials, extrapolated linearly in per-trial cost from its largest memory run. */
  const estimateOptunaTime = (size: number): string => {
    const o = runs
      .filter((r) => r.key.startsWith('optuna.memory.'))
      .map((r) => r.result)
      .sort((a, b) => b.trials - a.trials)[0];
    if (!o) return '?';
    const a = o.first_k_seconds! / o.first_k!;
    const slope = (o.last_k_seconds! / o.first_k! - a) / o.trials;
    const seconds = a * size + (slope * size * size) / 2;
    return seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(0)} min`;
  };
  // Optuna's 10,000-trial average includes its growth; at the start of a study it is cheaper.
  const smallStudy: string[] = [];
  {
    const o = runs.find((r) => r.key.startsWith('optuna.memory.'))?.result;
    const t = runs
      .filter((r) => r.key.startsWith('tansaku.memory.'))
      .map((r) => r.result)
      .sort((a, b) => b.trials - a.trials)[0];
    if (o && t) {
      const oFirst = (o.first_k_seconds! / o.first_k!) * 1e6;
      const tSteady = median(t.tenths_us!.slice(1));
      smallStudy.push(
        `Small studies: Optuna's per-trial time grows with the study, so the 10,000-trial average above is higher than its cost at the start of a study (${fmt(oFirst)} µs/trial over its first 1,000 trials, memory run). Against Tansaku's steady ${fmt(tSteady)} µs/trial (median of the tenths 2–10 of its ${t.trials.toLocaleString('en-US')}-trial run) that is ${(oFirst / tSteady).toFixed(1)}x; the gap widens as the study grows.`,
      );
    }
  }
  const skippedOptuna = haveOptuna ? memorySizes.filter((m) => m > optunaMemoryMax) : [];
  const notes = [
    `Per-trial rows: median (min–max) of ${reps} runs, each in a fresh process, frameworks alternated; ${warmup} warm-up trials on a throw-away study first (same process, same code path, not timed); only the \`study.optimize\` call (or the ask/tell loop) is timed, not process start nor imports. Both heartbeat rows are compared with the same Optuna runs (Optuna's in-memory storage has no heartbeat).`,
    'Same objective in both (`suggest one float x in [-10, 10], return x`), RandomSampler(seed), NopPruner, in-memory storage, direction minimize, one trial at a time; Optuna logging at WARNING.',
    `Target (Tansaku at least 10x lower per trial, study.optimize, heartbeat off, 10,000-trial studies): ${target}.`,
    ...smallStudy,
    `³ Memory held per trial: what a study keeps alive per trial, in a fresh process per framework, parameter count and run (median (min–max) of ${HELD_REPS}): live memory after a full collection, before creating the study and after ${HELD_TRIALS.toLocaleString('en-US')} trials that each suggest that many floats in [0, 1] (RandomSampler, NopPruner, in memory, heartbeat off; the study still referenced). Tansaku: V8's \`heapUsed\` after \`global.gc()\` (node --expose-gc), so the in-memory storage's operation log and its replay model both count; Optuna: the Python allocations alive after \`gc.collect()\`, as \`tracemalloc\` counts them (tracing started after the warm-up). Both count the objects the study holds, not what the runtime keeps reserved: the RSS rows include that too (V8 keeps the old-space pages it grew into).`,
    '⁴ RSS growth over the second half: (RSS after the run − RSS halfway) / (trials in the second half), both read after a forced GC; the halfway reading is taken inside the objective between two trials and its time is not counted. It is the per-trial cost of a study that has already grown, without what the runtime reserves once (V8 grows its young generation to full size in the first few thousand trials, which the whole-run row spreads over the trials).',
    'Memory rows: one fresh process per framework and size, heartbeat off. RSS read after a forced GC: Node `process.memoryUsage().rss` after `global.gc()` (node --expose-gc), Python VmRSS from /proc/self/status after `gc.collect()`. "Before" is after imports and warm-up, just before creating the study; the objective also records a timestamp per trial into a preallocated array, from which the first/last 1,000 rows come.',
    `Growth of the per-trial time with the study size (last 1,000 / first 1,000): ${growth.map((g) => `${g.framework} ${g.size.toLocaleString('en-US')}: ${g.ratio.toFixed(2)}x`).join(', ')}. Optuna 3.1's grows because every \`study.ask()\` calls \`Study._pop_waiting_trial_id\`, which filters all trials (\`InMemoryStorage.get_all_trials(states=(WAITING,))\`) — O(n) per trial, O(n²) per study (found with cProfile).`,
    `µs/trial in each tenth of the memory runs (first tenth → last): ${runs
      .filter((r) => r.result.tenths_us)
      .map(
        (r) =>
          `${r.result.framework} ${r.result.trials.toLocaleString('en-US')}: ${r.result.tenths_us!.map((v) => v.toFixed(0)).join(' ')}`,
      )
      .join('; ')}.`,
    ...(tansakuGrowth.some((g) => g.ratio < 0.67)
      ? [
          'Tansaku\'s first 1,000 trials in the memory runs are slower than its later ones: V8 runs slower for about 1,000 trials after the forced `global.gc()` taken for the "before" RSS (in separate checks without that GC, a fresh study\'s first 1,000 trials ran at 20–60 µs). It is not a per-study cost; the last 1,000 show whether the cost grows with the study size.',
        ]
      : []),
    ...(srcChanged
      ? [
          'WARNING: files under src/ (index, core, samplers, pruners, storage) changed during this run (concurrent edits): rows may mix code versions; run it again.',
        ]
      : []),
    ...tansakuHeap.map((h) => {
      const base = `Tansaku ${h.size.toLocaleString('en-US')} trials: Node's live heap (\`heapUsed\` after GC) grew ${fmt(h.perTrial, 0)} bytes per trial by the time optimize returned, ${fmt(h.perTrialTurn, 0)} once the event loop had turned (RSS ${fmt(h.rssMiB, 1)} → ${fmt(h.rssTurnMiB, 1)} MiB above "before"; that turn took ${fmt(h.turnMs, 0)} ms, counted in its time). RSS exceeds the live heap because V8 keeps the old-space pages it grew into.`;
      return h.perTrial - h.perTrialTurn > 256
        ? `${base} The difference is transient but grows with the run: work optimize scheduled with \`setImmediate\` (each trial's batched writes, \`Trial\` in library/src/core/trial.ts) cannot run while its loop resolves only microtasks, so every finished \`Trial\` stays reachable from Node's immediate queue until optimize returns.`
        : base;
    }),
    '² Tansaku: after `await new Promise((r) => setImmediate(r))` and a GC, i.e. once the callbacks optimize left queued have run (see the heap notes); Optuna (no event loop): the same reading as the row above.',
    ...(skippedOptuna.length
      ? [
          `¹ Optuna was not run at ${skippedOptuna.map((m) => `${m.toLocaleString('en-US')} trials (~${estimateOptunaTime(m)} by its measured growth)`).join(', ')}: past this benchmark's 5-minute budget. \`npm run bench:overhead -- --full\` runs it.`,
        ]
      : []),
    ...(haveOptuna
      ? []
      : ['Optuna is not installed for /usr/bin/python3: `apt-get install -y python3-optuna` gives the reference column.']),
  ];
  const machineLine = `Machine: ${String(machine.cpu)}, ${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB; ${String(machine.os)}; Node ${process.version}; Python ${String(machine.python ?? 'n/a')}; Optuna ${optunaVersion ?? 'not installed'}; load average ${(machine.loadavgStart as number[]).join(' ')} at start, ${(machine.loadavgEnd as number[]).join(' ')} at end. Date: ${String(machine.date)}. Code: ${String(machine.commit ?? 'unknown')}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  writeResults(ROOT, {
    name: 'overhead',
    title: `bench/overhead: per-trial engine overhead and memory, Tansaku beside ${optunaLabel}`,
    writtenBy: '`npm run bench:overhead` (bench/overhead/run.ts)',
    readme: 'bench/overhead/README.md',
    machineLine,
    table,
    notes,
    json: {
      machine,
      config: { reps, trials, warmup, seed, memorySizes, optunaMemoryMax: Number.isFinite(optunaMemoryMax) ? optunaMemoryMax : null },
      summary,
      runs,
    },
  });
  for (const g of tansakuGrowth) {
    if (g.ratio > 1.5)
      console.log(`\nWARNING: Tansaku's per-trial time grew ${g.ratio.toFixed(2)}x from the first to the last 1,000 of ${g.size} trials`);
  }
}

if (process.argv[2] === '--worker') {
  const result = await worker(JSON.parse(process.argv[3]) as WorkerConfig);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} else if (process.argv.includes('--journal')) {
  // The journal benchmark (bench/overhead/journal.ts): its own options and results files.
  const journal = await import('./journal.js');
  await journal.main(process.argv.slice(2));
} else {
  await main();
}
