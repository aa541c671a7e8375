/**
 * bench/tpe-speed: TPE's own time per trial as the study grows, Tansaku beside Optuna 3.1, in one run.
 *
 * For each study size N (history), a fresh process fills an in-memory study of the 10-D sphere (10
 * floats in [-5, 5]) with N trials of RandomSampler(seed), then TpeSampler (Optuna: TPESampler) with
 * its defaults runs `--timed` more trials; the wall time of each timed trial (ask, the ten suggests,
 * tell: the sampler's work, the objective is a sum of squares) is recorded and their mean is the
 * per-trial time at N. Univariate (Optuna 3.1's default) and multivariate (Tansaku's default for one
 * objective), each `--reps` fresh processes, frameworks alternated; the table shows the median (min–max).
 * Tansaku first runs 300 TPE trials on a throw-away study in the same process (V8 compiles the loops once
 * they have run; Python has nothing to warm up). Optuna runs up to 1,000 trials (its TPE costs grow with the study; 10,000 would take hours), Tansaku to 10,000.
 *
 *   npm run bench:tpe-speed                 # sizes 100, 1000, 10000; 3 reps; 20 timed trials
 *   npm run bench:tpe-speed -- --reps 1 --sizes 100,1000
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InMemoryStorage, NopPruner, RandomSampler, TpeSampler, createStudy, loadStudy, type Trial } from 'tansaku';
import { runResultChild } from '../lib/child.js';
import { describeCode, loadavg, machineInfo, sh } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { summarize, type Summary } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PYTHON = '/usr/bin/python3';
const PARAMS = 10;
const OPTUNA_MAX = 1000;
const WARMUP = 300;

interface WorkerConfig {
  history: number;
  timed: number;
  multivariate: boolean;
  seed: number;
}

interface WorkerResult {
  seconds: number[];
}

function objective(trial: Trial): number {
  let sum = 0;
  for (let i = 0; i < PARAMS; i++) sum += trial.suggestFloat(`x${i}`, -5, 5) ** 2;
  return sum;
}

async function worker(cfg: WorkerConfig): Promise<WorkerResult> {
  // Warm-up, not timed: V8 compiles TPE's loops only once they have run, so a throw-away study first.
  const warm = await createStudy({
    sampler: new TpeSampler({ seed: cfg.seed, multivariate: cfg.multivariate }),
    pruner: new NopPruner(),
    seed: cfg.seed,
  });
  await warm.optimize(objective, { nTrials: WARMUP });
  const storage = new InMemoryStorage();
  const filler = await createStudy({
    studyName: 's',
    storage,
    sampler: new RandomSampler({ seed: cfg.seed }),
    pruner: new NopPruner(),
    seed: cfg.seed,
  });
  await filler.optimize(objective, { nTrials: cfg.history });
  const study = await loadStudy({
    studyName: 's',
    storage,
    sampler: new TpeSampler({ seed: cfg.seed, multivariate: cfg.multivariate }),
    pruner: new NopPruner(),
  });
  const seconds: number[] = [];
  for (let i = 0; i < cfg.timed; i++) {
    const start = performance.now();
    const trial = await study.ask();
    await study.tell(trial, objective(trial));
    seconds.push((performance.now() - start) / 1000);
  }
  return { seconds };
}

const meanMs = (r: WorkerResult): number => (r.seconds.reduce((a, b) => a + b, 0) / r.seconds.length) * 1000;
const fmt = (s: Summary | null, digits = 2): string =>
  s === null
    ? 'not run'
    : s.n === 1
      ? s.median.toFixed(digits)
      : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,1000,10000' },
      reps: { type: 'string', default: '3' },
      timed: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const reps = Number(values.reps);
  const timed = Number(values.timed);
  const seed = Number(values.seed);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 0) || !(reps >= 1) || !(timed >= 1)) {
    throw new Error('--sizes takes trial counts (e.g. 100,1000,10000), --reps and --timed positive integers');
  }
  const started = Date.now();
  const machine = machineInfo(ROOT, ['library/src']);
  const optunaVersion = sh(PYTHON, ['-c', 'import optuna; print(optuna.__version__)']);
  const results: Record<string, { tansaku: number[]; optuna: number[] }> = {};
  for (const multivariate of [false, true]) {
    for (const history of sizes) {
      const key = `${multivariate ? 'mv' : 'uni'}-${history}`;
      results[key] = { tansaku: [], optuna: [] };
      for (let r = 0; r < reps; r++) {
        const cfg: WorkerConfig = { history, timed, multivariate, seed: seed + r };
        const tansaku = await runResultChild<WorkerResult>(
          process.execPath,
          [...process.execArgv, fileURLToPath(import.meta.url), '--worker', JSON.stringify(cfg)],
          ROOT,
        );
        results[key].tansaku.push(meanMs(tansaku));
        if (optunaVersion !== null && history <= OPTUNA_MAX) {
          const args = [
            join('bench/tpe-speed/optuna_tpe_speed.py'),
            '--history',
            String(history),
            '--timed',
            String(timed),
            '--multivariate',
            multivariate ? '1' : '0',
            '--seed',
            String(seed + r),
          ];
          results[key].optuna.push(meanMs(await runResultChild<WorkerResult>(PYTHON, args, ROOT)));
        }
        console.log(
          `${key} rep ${r + 1}: tansaku ${results[key].tansaku.at(-1)!.toFixed(2)} ms/trial, optuna ${results[key].optuna.at(-1)?.toFixed(2) ?? 'not run'}`,
        );
      }
    }
  }
  const rows: string[][] = [];
  const summary: Record<string, unknown> = {};
  for (const multivariate of [false, true]) {
    const label = multivariate ? 'multivariate' : 'univariate';
    let previous: { size: number; ms: number } | null = null;
    for (const history of sizes) {
      const key = `${multivariate ? 'mv' : 'uni'}-${history}`;
      const t = summarize(results[key].tansaku);
      const o = results[key].optuna.length ? summarize(results[key].optuna) : null;
      const growth = previous ? `${(t.median / previous.ms).toFixed(1)}x for ${(history / previous.size).toFixed(0)}x the trials` : '';
      rows.push([
        `${label}, trial ${history.toLocaleString('en-US')}`,
        fmt(t),
        fmt(o),
        o ? `${(o.median / t.median).toFixed(1)}x` : 'n/a',
        growth,
      ]);
      summary[key] = { tansakuMs: t, optunaMs: o };
      previous = { size: history, ms: t.median };
    }
  }
  const table = markdownTable(
    ['TPE, 10 float parameters', 'Tansaku: ms/trial', 'Optuna 3.1: ms/trial', 'ratio (Optuna / Tansaku)', 'Tansaku growth'],
    rows,
  );
  machine.loadavgEnd = loadavg();
  const uni1000 = summary['uni-1000'] as { tansakuMs: Summary; optunaMs: Summary | null } | undefined;
  const mv1000 = summary['mv-1000'] as { tansakuMs: Summary; optunaMs: Summary | null } | undefined;
  const verdict = (label: string, s: { tansakuMs: Summary; optunaMs: Summary | null } | undefined): string => {
    if (!s) return `${label}: trial 1,000 not measured`;
    const fast = s.tansakuMs.median < 5;
    const tenth = s.optunaMs ? s.tansakuMs.median <= s.optunaMs.median / 10 : null;
    return `${label} at trial 1,000: ${s.tansakuMs.median.toFixed(2)} ms (< 5 ms: ${fast ? 'met' : 'not met'}); ${tenth === null ? 'no Optuna reference' : `≤ 1/10 of Optuna's ${s.optunaMs!.median.toFixed(2)} ms: ${tenth ? 'met' : 'not met'}`}`;
  };
  const notes = [
    `Each cell: the mean time of ${timed} TPE trials (ask, 10 suggestFloat, tell) after N trials of RandomSampler, in a fresh process; median (min–max) of ${reps} processes (seeds ${seed}–${seed + reps - 1}), frameworks alternated. Both in memory, NopPruner, TPE with its defaults but multivariate as the row says (Tansaku: TpeSampler({ seed, multivariate }), constant liar on, which costs nothing in one process; Optuna: TPESampler(seed=, multivariate=)).`,
    `Tansaku's process first runs ${WARMUP} TPE trials on a throw-away study (not timed), so V8 has compiled TPE's loops; CPython has no such warm-up.`,
    `Optuna runs up to ${OPTUNA_MAX.toLocaleString('en-US')} trials of history; Tansaku to ${Math.max(...sizes).toLocaleString('en-US')}. "Growth": Tansaku's time against the row above; linear growth is the trials' factor.`,
    'Where the time goes: per parameter (univariate) or per group (multivariate), TPE fits l(x) to the best trials and g(x) to all the others (one kernel each) and evaluates both at 24 candidates, so the work per trial is linear in the trials.',
    verdict('Univariate', uni1000),
    verdict('Multivariate', mv1000),
  ];
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node ${machine.node}; Optuna ${optunaVersion ?? 'not installed'}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  writeResults(ROOT, {
    name: 'tpe-speed',
    title: 'bench/tpe-speed: TPE time per trial as the study grows, Tansaku beside Optuna 3.1',
    writtenBy: '`npm run bench:tpe-speed` (bench/tpe-speed/run.ts)',
    readme: 'the module comment of bench/tpe-speed/run.ts',
    machineLine,
    table,
    notes,
    json: { machine, config: { sizes, reps, timed, seed, params: PARAMS }, summary, results },
  });
}

if (process.argv[2] === '--worker') {
  const result = await worker(JSON.parse(process.argv[3]) as WorkerConfig);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} else {
  await main();
}
