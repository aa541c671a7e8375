/**
 * bench/tpe-parallel: do parallel TPE workers spread out? Four processes run one study on one journal
 * (the 5-D shifted sphere, x in [-5, 5]^5, 200 trials shared through the study budget, each trial ~40 ms
 * of waiting so trials overlap), with `TpeSampler({ constantLiar })` on and off. From the journal: every
 * pair of trials that were RUNNING at the same time (their start–complete intervals overlap), and the
 * share of those pairs whose points lie within 1e-3 of each other in the unit cube (each coordinate
 * scaled to [0, 1]; Euclidean distance); also within 1e-2 and 5e-2, and the median best value. With
 * constant liar a worker's RUNNING trials count as the worst, and their parameters, written at ask, are
 * visible to the other processes, so a worker should not propose what another is evaluating.
 *
 *   npm run bench:tpe-parallel                    # 5 seeds each way
 *   npm run bench:tpe-parallel -- --seeds 2 --trials 100
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JournalFileStorage, NopPruner, TpeSampler, createStudy, type Trial } from 'tansaku';
import { describeCode, loadavg, machineInfo } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const DIM = 5;
const LOW = -5;
const HIGH = 5;
const WORKERS = 4;
const WAIT_MS = 40;
const RADII = [1e-3, 1e-2, 5e-2] as const;

interface WorkerConfig {
  journal: string;
  seed: number;
  trials: number;
  constantLiar: boolean;
}

async function objective(trial: Trial): Promise<number> {
  let sum = 0;
  for (let i = 0; i < DIM; i++) sum += (trial.suggestFloat(`x${i}`, LOW, HIGH) - 1.2) ** 2;
  await new Promise((r) => setTimeout(r, WAIT_MS));
  return sum;
}

async function worker(cfg: WorkerConfig): Promise<void> {
  const study = await createStudy({
    studyName: 's',
    storage: new JournalFileStorage(cfg.journal),
    sampler: new TpeSampler({ constantLiar: cfg.constantLiar }),
    pruner: new NopPruner(),
    seed: cfg.seed,
    maxTrials: cfg.trials,
    loadIfExists: true,
  });
  await study.optimize(objective);
}

function runWorker(cfg: WorkerConfig): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', JSON.stringify(cfg)], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`worker exited with ${code}\n${stderr.slice(-2000)}`))));
  });
}

interface RunResult {
  seed: number;
  constantLiar: boolean;
  trials: number;
  overlappingPairs: number;
  within: number[];
  /** Distances (unit cube) of every pair RUNNING together. */
  distances: number[];
  best: number;
}

async function runOnce(seed: number, constantLiar: boolean, trials: number): Promise<RunResult> {
  const dir = mkdtempSync(join(os.tmpdir(), 'tansaku-tpe-parallel-'));
  try {
    const journal = join(dir, 'study.journal');
    // The first worker creates the study; the others join it once it exists (loadIfExists).
    await Promise.all(Array.from({ length: WORKERS }, () => runWorker({ journal, seed, trials, constantLiar })));
    const storage = new JournalFileStorage(journal, { readOnly: true });
    const all = await storage.getAllTrials(await storage.getStudyIdFromName('s'), { states: ['COMPLETE'] });
    await storage.close();
    const points = all.map((t) => Array.from({ length: DIM }, (_, i) => ((t.params[`x${i}`] as number) - LOW) / (HIGH - LOW)));
    let pairs = 0;
    const within = RADII.map(() => 0);
    const distances: number[] = [];
    for (let a = 0; a < all.length; a++) {
      for (let b = a + 1; b < all.length; b++) {
        const [ta, tb] = [all[a], all[b]];
        if (!(ta.datetimeStart! < tb.datetimeComplete! && tb.datetimeStart! < ta.datetimeComplete!)) continue;
        pairs++;
        const d = Math.hypot(...points[a].map((v, i) => v - points[b][i]));
        distances.push(d);
        RADII.forEach((r, k) => {
          if (d < r) within[k]++;
        });
      }
    }
    return {
      seed,
      constantLiar,
      trials: all.length,
      overlappingPairs: pairs,
      within,
      distances,
      best: Math.min(...all.map((t) => t.values![0])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' }, trials: { type: 'string', default: '200' } } });
  const seeds = Number(values.seeds);
  const trials = Number(values.trials);
  if (!(Number.isSafeInteger(seeds) && seeds >= 1 && Number.isSafeInteger(trials) && trials >= 20)) {
    throw new Error('--seeds takes a positive integer, --trials an integer >= 20');
  }
  const started = Date.now();
  const machine = machineInfo(ROOT, ['library/src']);
  const runs: RunResult[] = [];
  for (let s = 0; s < seeds; s++) {
    // Alternate which setting runs first, so drift in the machine's load does not favour one.
    for (const constantLiar of s % 2 === 0 ? [true, false] : [false, true]) {
      const r = await runOnce(s, constantLiar, trials);
      runs.push(r);
      console.log(
        `seed ${s} constantLiar=${constantLiar}: ${r.trials} trials, ${r.overlappingPairs} overlapping pairs, within 1e-3: ${r.within[0]}, best ${r.best.toFixed(4)}`,
      );
    }
  }
  const rows: string[][] = [];
  const summary: Record<string, { pairs: number; share: number[]; medianDistance: number; medianBest: number }> = {};
  for (const constantLiar of [true, false]) {
    const mine = runs.filter((r) => r.constantLiar === constantLiar);
    const pairs = mine.reduce((a, r) => a + r.overlappingPairs, 0);
    const share = RADII.map((_, k) => mine.reduce((a, r) => a + r.within[k], 0) / Math.max(1, pairs));
    const medianBest = median(mine.map((r) => r.best));
    const medianDistance = median(mine.flatMap((r) => r.distances));
    summary[constantLiar ? 'constantLiar' : 'noConstantLiar'] = { pairs, share, medianDistance, medianBest };
    rows.push([
      constantLiar ? 'constant liar on (default)' : 'constant liar off',
      String(mine.length),
      String(pairs),
      ...share.map((v, k) => `${(100 * v).toFixed(2)}% (${mine.reduce((a, r) => a + r.within[k], 0)})`),
      medianDistance.toFixed(3),
      medianBest.toFixed(4),
    ]);
  }
  const on = summary.constantLiar;
  const off = summary.noConstantLiar;
  const ratio = on.share[0] > 0 ? off.share[0] / on.share[0] : Number.POSITIVE_INFINITY;
  const table = markdownTable(
    [
      'TpeSampler, 4 processes',
      'runs',
      'pairs RUNNING together',
      'within 1e-3',
      'within 1e-2',
      'within 5e-2',
      'median distance of those pairs',
      'median best value',
    ],
    rows,
  );
  machine.loadavgEnd = loadavg();
  const notes = [
    `Settings: ${WORKERS} processes per run on one journal, one trial at a time each, study budget ${trials} trials (maxTrials), ${DIM}-D sphere shifted to 1.2 in [${LOW}, ${HIGH}]^${DIM}, each trial waits ${WAIT_MS} ms (setTimeout) after its suggests; TpeSampler defaults (multivariate, nStartupTrials 10) but constantLiar as the row says; study seeds 0–${seeds - 1}, one run per seed and setting.`,
    'A pair counts when the two trials were RUNNING at the same time (journal datetime_start / datetime_complete); distances in the unit cube; the percentages are of all such pairs over all runs (counts in brackets).',
    `Target (within 1e-3: ≤ 1% with constant liar, ≥ 5x more without): ${(100 * on.share[0]).toFixed(2)}% with it (${on.share[0] <= 0.01 ? 'met' : 'not met'}) against ${(100 * off.share[0]).toFixed(2)}% without; ${
      off.share[0] === 0
        ? 'the second part cannot be shown: without constant liar no pair is that close either (each trial draws its candidates from its own (seed, trial number) stream, so concurrent workers do not repeat one another exactly; what the liar changes is how far apart they land, the median distance column)'
        : ratio >= 5
          ? `the second is met (${Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : 'none with it'})`
          : `the second is not met (${ratio.toFixed(1)}x)`
    }.`,
  ];
  const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node ${machine.node}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  writeResults(ROOT, {
    name: 'tpe-parallel',
    title: 'bench/tpe-parallel: 4 TPE processes on one journal, with and without constant liar',
    writtenBy: '`npm run bench:tpe-parallel` (bench/tpe-parallel/run.ts)',
    readme: 'the module comment of bench/tpe-parallel/run.ts',
    machineLine,
    table,
    notes,
    json: {
      machine,
      config: { seeds, trials, workers: WORKERS, dim: DIM, waitMs: WAIT_MS, radii: RADII },
      summary,
      runs: runs.map(({ distances: _, ...r }) => r),
    },
  });
}

if (process.argv[2] === '--worker') await worker(JSON.parse(process.argv[3]) as WorkerConfig);
else await main();
