/**
 * Running a study from its stored CLI settings: shared by `tansaku optimize` and `tansaku worker`.
 *
 * - `--command`: this process runs up to J programs at once (`study.optimize` with `concurrency: J`),
 *   each trial its own child process; any storage works, `memory:` included.
 * - `--objective` on `memory:`: the module runs in this process (J = 1 only).
 * - `--objective` otherwise: J worker processes (`worker-entry.ts`, J = 1 included) join the study through the shared
 *   storage and run trials until the budget is used; this process shows progress and cleans up after a
 *   worker that dies.
 */
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadStudy,
  type SearchSpace,
  InvalidArgumentError,
  StorageError,
  StudyNotFoundError,
  TansakuError,
  type Storage,
  type FrozenTrial,
  OptimizationInterruptedError,
  type Objective,
  type Study,
  CommandObjective,
} from '../index.js';
import { makePruner, makeSampler } from './components.js';
import { Progress, type ProgressCounts } from './progress.js';
import { CLI_SETTINGS_ATTR, settingsFromJson, type CliSettings } from './settings.js';
import {
  SystemAttr,
  WorkerPool,
  failTrialsOfDeadWorker,
  loadObjectiveModule,
  needsTypeScriptLoader,
  tsxLoaderUrl,
  type WorkerExit,
  formatNumber,
  displayText,
  formatParams,
  type OutputStream,
} from '../extend.js';

/** A failure the user caused by arguments or inputs: printed without a stack trace, exit code 2. */
export class UsageError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_USAGE', message);
  }
}

/**
 * What the CLI runs after a second Ctrl-C has killed every program and worker, before it exits: the
 * current run's RUNNING trials are failed (best effort: the CLI waits at most a second), so they do not
 * wait for the heartbeat grace period to be reaped. Set by `runStudy` while it runs.
 */
export const afterKill: { cleanup: (() => Promise<void>) | null } = { cleanup: null };

/** Streams the CLI writes to. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

/** Reads a study's stored CLI settings. */
export async function readSettings(storage: Storage, studyName: string): Promise<{ studyId: number; settings: CliSettings }> {
  const studyId = await storage.getStudyIdFromName(studyName);
  const record = await storage.getStudy(studyId);
  const raw = record.systemAttrs[CLI_SETTINGS_ATTR];
  if (raw === undefined) {
    throw new UsageError(
      `study ${JSON.stringify(studyName)} has no ${CLI_SETTINGS_ATTR}: it was not started by tansaku optimize, so a worker does not know what to run; start it with tansaku optimize`,
    );
  }
  return { studyId, settings: settingsFromJson(raw, studyName) };
}

/** Loads a study with the sampler and pruner its settings name. */
export async function loadStudyWithSettings(storage: Storage, studyName: string, settings: CliSettings): Promise<Study> {
  return loadStudy({
    studyName,
    storage,
    sampler: makeSampler(settings.sampler.name, settings.sampler.options, settings.space),
    pruner: makePruner(settings.pruner.name, settings.pruner.options),
  });
}

/** Wraps a module objective so the space file's parameters are suggested first (samplers see them). */
export function withSpace(objective: Objective, space: SearchSpace | null): Objective {
  if (!space) return objective;
  return (trial) => {
    for (const [name, d] of Object.entries(space)) trial.suggest(name, d);
    return objective(trial);
  };
}

/** Errors that end the run instead of failing one trial. */
export function isFatal(error: unknown): boolean {
  return error instanceof StorageError;
}

/** Checks what can be checked before anything runs (program on PATH, placeholders, tsx for a TypeScript module). */
export function preflight(settings: CliSettings, studyName: string, nJobs: number, storageIsMemory: boolean): CommandObjective | null {
  if (settings.objective.kind === 'command') {
    if (!settings.space) throw new UsageError('--command needs --space: the parameters to substitute');
    const runner = new CommandObjective({
      command: settings.objective.command,
      space: settings.space,
      studyName,
      nObjectives: settings.directions.length,
      cwd: settings.objective.cwd,
      trialTimeout: settings.trialTimeout,
      killGrace: settings.killGrace,
    });
    const found = runner.checkProgram();
    if (found && !found.ok) throw new UsageError(found.problem);
    return runner;
  }
  if (needsTypeScriptLoader(settings.objective.module) && tsxLoaderUrl() === null) {
    throw new UsageError(
      `objective module ${JSON.stringify(settings.objective.module)} is TypeScript, which needs tsx: install it (npm install tsx) or compile the module to JavaScript`,
    );
  }
  if (nJobs > 1 && storageIsMemory) {
    throw new UsageError(
      '--objective with --n-jobs > 1 runs worker processes, which cannot share a memory: storage; give a journal file (--storage ./tansaku.journal), or --n-jobs 1',
    );
  }
  if (settings.trialTimeout !== null) {
    throw new UsageError(
      '--trial-timeout applies to --command objectives; a module objective cannot be stopped from outside, so it should watch trial.signal',
    );
  }
  return null;
}

export interface RunOptions {
  storage: Storage;
  /** The `--storage` argument as given, for worker processes. */
  storageSpec: string;
  /** Whether the storage is `memory:` (this process only). */
  storageIsMemory: boolean;
  studyName: string;
  settings: CliSettings;
  nJobs: number;
  /** Seconds after which no new trial starts. */
  timeout: number | null;
  io: CliIo;
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The preflight's command runner, when the objective is a command. */
  command: CommandObjective | null;
}

export interface RunOutcome {
  complete: number;
  pruned: number;
  failed: number;
  interrupted: boolean;
  elapsedMs: number;
}

function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./worker-entry${extname(here)}`, import.meta.url));
}

/** Runs trials until the budget, the timeout or an interruption; prints progress and a summary. */
export async function runStudy(o: RunOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  const { storage, settings, io } = o;
  const study = await loadStudyWithSettings(storage, o.studyName, settings);
  const budget = await storage
    .getStudy(study.studyId)
    .then((s) => (typeof s.systemAttrs['tansaku:max_trials'] === 'number' ? (s.systemAttrs['tansaku:max_trials'] as number) : null));
  // Trials this run is responsible for: those of this Study object, or of its worker processes.
  const workerPids = new Set<string>();
  const host = hostname();
  const mine = (t: FrozenTrial): boolean => {
    if (t.workerId === study.workerId) return true;
    const [h, pid] = (t.workerId ?? '').split(':');
    return h === host && workerPids.has(pid);
  };
  afterKill.cleanup = async () => {
    for (const t of await storage.getAllTrials(study.studyId, { states: ['RUNNING'] })) {
      if (!mine(t)) continue;
      await storage
        .updateTrial(t.trialId, [{ kind: 'systemAttr', key: SystemAttr.failReason, value: 'killed (interrupted twice)' }], {
          state: 'FAIL',
          values: null,
        })
        .catch(() => {});
    }
  };
  const progress = new Progress({ storage, studyId: study.studyId, directions: study.directions, budget, stream: io.stderr, mine });
  await progress.start();
  const nBefore = await storage.countTrials(study.studyId);
  // With the budget used there is still work while trials are RUNNING (their workers may be dead: the
  // run fails and retries them once they are stale) or WAITING (retries): the run joins to finish them.
  const unfinished = await storage.countTrials(study.studyId, ['RUNNING', 'WAITING']);
  if (budget !== null && nBefore >= budget && unfinished === 0) {
    afterKill.cleanup = null;
    await progress.stop();
    io.stderr.write(
      `study ${displayText(JSON.stringify(o.studyName))} already has ${nBefore} trials, its budget of ${budget} is used; raise --n-trials to run more\n`,
    );
    return { complete: 0, pruned: 0, failed: 0, interrupted: false, elapsedMs: Date.now() - t0 };
  }
  // A module objective runs in worker processes even with one job: its crashes, process.exit calls,
  // unhandled rejections and busy loops then cost a worker (whose trials are failed), not this process,
  // and Ctrl-C stays responsive. Only `memory:` keeps it here: worker processes cannot share a memory storage.
  const mode = settings.objective.kind === 'module' && !o.storageIsMemory ? 'processes' : 'in-process';
  progress.note(
    `study ${displayText(JSON.stringify(o.studyName))}: ${settings.objective.kind === 'command' ? `command ${JSON.stringify(settings.objective.command)}` : `module ${settings.objective.module}`}, ` +
      `${o.nJobs} job(s)${mode === 'processes' ? ' in worker processes' : ''}, sampler ${settings.sampler.name}, pruner ${settings.pruner.name}` +
      `${budget !== null ? `, budget ${budget} trials (${nBefore} exist)` : `, no budget: runs until ${o.timeout !== null ? `--timeout ${o.timeout} s, ` : ''}the sampler runs out or Ctrl-C (give --n-trials N to stop after N trials)`}`,
  );

  let interrupted = false;
  let counts!: ProgressCounts;
  try {
    if (mode === 'in-process') {
      let objective: Objective;
      if (settings.objective.kind === 'command') {
        const runner =
          o.command ??
          new CommandObjective({
            command: settings.objective.command,
            space: settings.space ?? {},
            studyName: o.studyName,
            nObjectives: settings.directions.length,
            cwd: settings.objective.cwd,
            trialTimeout: settings.trialTimeout,
            killGrace: settings.killGrace,
          });
        objective = runner.objective;
        // A malformed `tansaku:report` line would otherwise be dropped in silence, and pruning with it.
        runner.onWarning = (message) => progress.note(`warning: ${message}`);
        o.command = runner;
      } else {
        objective = withSpace(await loadObjectiveModule(settings.objective.module), settings.space);
      }
      try {
        await study.optimize(objective, {
          concurrency: o.nJobs,
          timeout: o.timeout ?? undefined,
          handleSignals: false,
          signal: o.signal,
          catch: (error) => !isFatal(error),
        });
      } catch (error) {
        if (error instanceof OptimizationInterruptedError) interrupted = true;
        else throw error;
      } finally {
        await o.command?.settle();
      }
    } else {
      if (settings.objective.kind !== 'module') throw new InvalidArgumentError('worker processes run module objectives only');
      const deadline = o.timeout !== null ? Date.now() + o.timeout * 1000 : null;
      const cleanups: Promise<unknown>[] = [];
      const exits: WorkerExit[] = [];
      const pool = new WorkerPool({
        entry: workerEntry(),
        count: o.nJobs,
        typescript: needsTypeScriptLoader(settings.objective.module),
        args: () => ['--storage', o.storageSpec, '--study', o.studyName, ...(deadline !== null ? ['--deadline', String(deadline)] : [])],
        onExit: (exit) => {
          exits.push(exit);
          if ((exit.code !== 0 || exit.signal !== null) && exit.pid !== undefined) {
            const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
            cleanups.push(
              failTrialsOfDeadWorker(
                storage,
                study.studyId,
                exit.pid,
                `worker process ${exit.pid} exited (${how})`,
                study.heartbeat?.maxRetry ?? 0,
              )
                .then((failed) => {
                  if (failed.length)
                    progress.note(`worker process ${exit.pid} exited (${how}); failed its running trial(s) ${failed.join(', ')}`);
                })
                .catch(() => {}),
            );
          }
        },
      });
      const onAbort = (): void => {
        interrupted = true;
        pool.interrupt();
      };
      o.signal.addEventListener('abort', onAbort, { once: true });
      try {
        pool.start();
        for (const pid of pool.pids) workerPids.add(String(pid));
        await pool.wait();
        await Promise.all(cleanups);
      } finally {
        o.signal.removeEventListener('abort', onAbort);
      }
      if (o.signal.aborted) interrupted = true;
      const bad = exits.filter((e) => e.code !== 0 && !(interrupted && e.code === 130));
      if (bad.length === exits.length && !interrupted) {
        throw new TansakuError(
          'TANSAKU_WORKERS_FAILED',
          `all ${exits.length} worker processes failed (exit codes ${exits.map((e) => e.signal ?? e.code).join(', ')}); see their messages above`,
        );
      }
    }
  } catch (error) {
    throw await explainVanishedStudy(error, storage, o.studyName);
  } finally {
    afterKill.cleanup = null;
    counts = await progress.stop();
  }
  const outcome: RunOutcome = { ...counts.finishedThisRun, interrupted, elapsedMs: Date.now() - t0 };
  await printSummary(o, study, outcome);
  if (!interrupted && counts.firstFailure && outcome.complete + outcome.pruned === 0 && outcome.failed > 0) {
    const reason = counts.firstFailure.systemAttrs.fail_reason;
    const err = counts.firstFailure.userAttrs.stderr_tail;
    throw new TansakuError(
      'TANSAKU_ALL_TRIALS_FAILED',
      `every trial failed (${outcome.failed}); trial ${counts.firstFailure.number}: ${typeof reason === 'string' ? reason.replace(/^CommandTrialError: /, '') : 'no reason recorded'}` +
        (typeof err === 'string' && err.trim()
          ? `\n--- stderr of trial ${counts.firstFailure.number} (last lines) ---\n${err.trimEnd().split('\n').slice(-15).join('\n')}`
          : ''),
    );
  }
  return outcome;
}

/** An error of a run whose study was deleted under it (`tansaku delete-study` elsewhere) says so. */
async function explainVanishedStudy(error: unknown, storage: Storage, studyName: string): Promise<unknown> {
  try {
    await storage.getStudyIdFromName(studyName);
    return error;
  } catch (lookup) {
    if (!(lookup instanceof StudyNotFoundError)) return error;
    return new TansakuError(
      'TANSAKU_STUDY_DELETED',
      `study ${JSON.stringify(studyName)} was deleted while this run was using it (tansaku delete-study, or another process); its trials are gone from the storage`,
      { cause: error },
    );
  }
}

async function printSummary(o: RunOptions, study: Study, r: RunOutcome): Promise<void> {
  const out = o.io.stdout;
  const total = await o.storage.countTrials(study.studyId);
  out.write(
    `${r.interrupted ? 'interrupted: ' : ''}study ${displayText(JSON.stringify(o.studyName))}: ${r.complete + r.pruned + r.failed} trials run here ` +
      `(${r.complete} complete, ${r.pruned} pruned, ${r.failed} failed) in ${(r.elapsedMs / 1000).toFixed(1)} s; the study has ${total} trials\n`,
  );
  if (study.directions.length === 1) {
    try {
      const best = await study.bestTrial;
      out.write(`best trial #${best.number}: value ${formatNumber(best.values![0])} (${study.directions[0]})\n`);
      out.write(`  params: ${formatParams(best.params) || '(none)'}\n`);
    } catch {
      out.write('no trial has completed yet\n');
    }
  } else {
    const front = await study.bestTrials;
    out.write(`Pareto front: ${front.length} trial(s) (${study.directions.join(', ')})\n`);
    for (const t of front.slice(0, 10))
      out.write(`  #${t.number}: [${(t.values ?? []).map(formatNumber).join(', ')}] ${formatParams(t.params)}\n`);
    if (front.length > 10) out.write(`  ... and ${front.length - 10} more (tansaku best-trial --format json)\n`);
  }
}
