/**
 * bench/layer-size: builds the MNIST layer-size table (MLP 784-N1-N2-10, N1, N2 in logGrid(8, 4096, 2),
 * 3 seeds per cell) with Tansaku itself: a grid study on the journal file committed beside this script
 * (bench/layer-size/mnist-layer-size.journal), run by `tansaku optimize --objective` in worker processes.
 * The study is built in resumable chunks: every run continues where the last one stopped.
 *
 *   npm run bench:layer-size -- --minutes 20 --n-jobs 2     # run for ~20 minutes, then export the table
 *   node bench/scripts/bench.mjs layer-size/run.ts --status                  # how far the study is; runs nothing
 *   options: --grace-minutes 3 (a trial running at the deadline may finish within this), --journal <path>,
 *            --no-export (skip writing bench/results/layer-size-mnist.*)
 *
 * What one run does:
 * 1. Repairs the study: RUNNING trials whose worker died (no heartbeat for the grace period) are failed,
 *    and every (n1, n2, seed) cell that has no COMPLETE trial and no trial waiting or running but a
 *    FAIL one (a trial stopped at an earlier run's deadline, or killed) is enqueued again; enqueued
 *    trials run first.
 * 2. Runs, in this process, the CLI command
 *      tansaku optimize --objective bench/layer-size/objective.ts --space bench/layer-size/space.json \
 *        --storage bench/layer-size/mnist-layer-size.journal --study mnist-layer-size --direction maximize \
 *        --sampler grid --sampler-options shuffle=false --pruner none --seed 0 --n-jobs J --timeout 60·M
 *    `grid` claims each cell atomically, so the J workers (and any other run on the same journal, on
 *    this machine or one sharing the filesystem) never train a cell twice. `shuffle=false` visits the
 *    cells in the order (n1, n2, seed), the three seeds of a cell one after the other and the rows of
 *    N1 from 8 up, i.e. roughly from the cheapest to the most expensive; the study ends when the grid is
 *    exhausted. After M minutes no new trial starts; a running one finishes if it can within the grace
 *    period (see objective.ts), else it is stopped at an epoch end and re-run by the next run.
 * 3. Exports the table (export.ts): bench/results/layer-size-mnist.md, .json and .table.json.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { JournalFileStorage, loadStudy, type Study } from 'tansaku';
import { JOURNAL, OBJECTIVE_MODULE, ROOT, SEEDS, SIZES, SPACE_FILE, STUDY_NAME, TRAINING } from './config.js';
import { exportTable } from './export.js';
import { cellsToRetry, progressOf } from './table.js';

/** The installed `tansaku` command (the library's bin), run as its own process as a user would run it. */
const TANSAKU_BIN = join(dirname(createRequire(import.meta.url).resolve('tansaku/package.json')), 'bin', 'tansaku.mjs');

function runTansaku(argv: string[]): Promise<number> {
  return new Promise((resolveCode, reject) => {
    const child = spawn(process.execPath, [TANSAKU_BIN, ...argv], { stdio: 'inherit' });
    // Ctrl-C reaches the whole foreground process group; the command handles it and exits 130.
    process.on('SIGINT', () => {});
    child.on('error', reject);
    child.on('exit', (code, signal) => resolveCode(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

async function repair(journal: string): Promise<void> {
  if (!existsSync(journal)) return;
  const storage = new JournalFileStorage(journal);
  try {
    let study: Study;
    try {
      study = await loadStudy({ studyName: STUDY_NAME, storage });
    } catch {
      return; // no study yet: the CLI creates it
    }
    const stale = await study.failStaleTrials();
    if (stale.length) console.error(`layer-size: failed ${stale.length} trial(s) of a dead worker: ${stale.join(', ')}`);
    const retry = cellsToRetry(await study.trials, { sizes: SIZES, seeds: SEEDS });
    for (const cell of retry) await study.enqueueTrial(cell);
    if (retry.length)
      console.error(
        `layer-size: re-enqueued ${retry.length} cell(s) stopped earlier: ${retry.map((c) => `${c.n1}x${c.n2}/seed ${c.seed}`).join(', ')}`,
      );
  } finally {
    await storage.close();
  }
}

async function status(journal: string): Promise<void> {
  if (!existsSync(journal)) {
    console.log(`no journal at ${relative(ROOT, journal)} yet`);
    return;
  }
  const storage = new JournalFileStorage(journal);
  try {
    const study = await loadStudy({ studyName: STUDY_NAME, storage });
    const p = progressOf(await study.trials, { sizes: SIZES, seeds: SEEDS });
    console.log(
      `${STUDY_NAME}: ${p.trialsComplete}/${p.trialsTotal} (cell, seed) trials complete, ${p.cellsComplete}/${p.cellsTotal} cells with every seed; ` +
        `${p.failed} failed, ${p.running} running, ${p.waiting} waiting; training time so far ${(p.trainSeconds / 3600).toFixed(2)} h wall, ${(p.cpuSeconds / 3600).toFixed(2)} h CPU`,
    );
  } finally {
    await storage.close();
  }
}

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      minutes: { type: 'string' },
      'n-jobs': { type: 'string', default: '2' },
      'grace-minutes': { type: 'string', default: '3' },
      journal: { type: 'string', default: JOURNAL },
      status: { type: 'boolean' },
      'no-export': { type: 'boolean' },
    },
  });
  const journal = args.journal!;
  if (args.status) {
    await status(journal);
    return 0;
  }
  if (args.minutes === undefined)
    throw new Error('give --minutes M: how long this run starts new trials (the study continues in the next run)');
  const minutes = Number(args.minutes);
  const graceMinutes = Number(args['grace-minutes']);
  const nJobs = Number(args['n-jobs']);
  if (!(minutes > 0)) throw new Error(`--minutes must be a number > 0, got ${args.minutes}`);
  if (!(graceMinutes >= 0)) throw new Error(`--grace-minutes must be a number >= 0, got ${args['grace-minutes']}`);
  if (!Number.isInteger(nJobs) || nJobs < 1) throw new Error(`--n-jobs must be an integer >= 1, got ${args['n-jobs']}`);

  await repair(journal);
  const started = Date.now();
  // The worker processes inherit the environment: the objective stops a trial that would overrun.
  process.env.LAYER_SIZE_DEADLINE_MS = String(started + minutes * 60_000);
  process.env.LAYER_SIZE_GRACE_MS = String(graceMinutes * 60_000);
  const argv = [
    'optimize',
    '--objective',
    OBJECTIVE_MODULE,
    '--space',
    SPACE_FILE,
    '--storage',
    journal,
    '--study',
    STUDY_NAME,
    '--direction',
    'maximize',
    '--sampler',
    'grid',
    '--sampler-options',
    'shuffle=false',
    '--pruner',
    'none',
    '--seed',
    '0',
    '--n-jobs',
    String(nJobs),
    '--timeout',
    String(minutes * 60),
  ];
  console.error(
    `layer-size: ${TRAINING.epochs} epochs per (cell, seed), ${nJobs} worker process(es), new trials for ${minutes} min (+ up to ${graceMinutes} min to finish running ones)\n` +
      `  tansaku ${argv.map((a) => (a.startsWith('/') ? relative(ROOT, a) : a)).join(' ')}`,
  );
  const code = await runTansaku(argv);
  console.error(`layer-size: the run took ${((Date.now() - started) / 60000).toFixed(1)} min (exit code ${code})`);
  await status(journal);
  if (!args['no-export']) await exportTable({ journal });
  return code;
}

process.exitCode = await main();
