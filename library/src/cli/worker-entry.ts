/**
 * Entry point of one worker process started by `tansaku optimize --objective ... --n-jobs J` (and
 * `tansaku worker`): joins the study through the shared storage, runs the module objective one trial
 * at a time until the study's budget is used, then exits 0.
 *
 * Arguments: `--storage <spec> --study <name> [--deadline <epoch ms>]`. SIGINT or SIGTERM, or a dead
 * parent (its IPC channel lost, or this process reparented; see `watchParent`), interrupts it: the running
 * trial is failed as interrupted and the process exits 130.
 */
import { isFatal, loadStudyWithSettings, readSettings, withSpace } from './run.js';
import { openStorage } from './storage.js';
import { OptimizationInterruptedError } from '../index.js';
import { displayText, loadObjectiveModule, watchParent } from '../extend.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const spec = arg('--storage');
  const studyName = arg('--study');
  const deadlineText = arg('--deadline');
  if (!spec || !studyName) throw new Error('usage: worker-entry --storage <spec> --study <name> [--deadline <epoch ms>]');
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  watchParent(() => {
    process.stderr.write(`tansaku worker ${process.pid}: the tansaku process that started it is gone; stopping\n`);
    stop();
  });
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    process.stderr.write(`tansaku worker ${process.pid}: warning: ${warning.message.split('\n').map(displayText).join('\n')}\n`);
  });
  // A promise the objective forgot to await rejected after its trial moved on: Node's default would
  // kill the worker (and any trial it is running) for an error that belongs to no trial. Say so, go on.
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    process.stderr.write(
      `tansaku worker ${process.pid}: warning: an unhandled promise rejection in the objective (a promise not awaited?), ignored:\n${text.split('\n').map(displayText).join('\n')}\n`,
    );
  });
  // Opening replays the journal synchronously: with no listener yet, SIGINT and SIGTERM end the process
  // at once (it runs no trial yet), where a listener could not run until the replay is done.
  const storage = openStorage(spec, { mustExist: true });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const { settings } = await readSettings(storage, studyName);
    if (settings.objective.kind !== 'module') throw new Error(`study ${JSON.stringify(studyName)} runs a command, not a module`);
    const study = await loadStudyWithSettings(storage, studyName, settings);
    const objective = withSpace(await loadObjectiveModule(settings.objective.module), settings.space);
    let timeout: number | undefined;
    if (deadlineText !== undefined) {
      timeout = (Number(deadlineText) - Date.now()) / 1000;
      if (!(timeout > 0)) return 0;
    }
    try {
      await study.optimize(objective, { timeout, handleSignals: false, signal: controller.signal, catch: (e) => !isFatal(e) });
    } catch (error) {
      if (error instanceof OptimizationInterruptedError) return 130;
      throw error;
    }
    return 0;
  } finally {
    await storage.close();
  }
}

/** Exits once stdout and stderr are flushed (writes to a pipe may still be queued). */
function exitFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main().then(exitFlushed, (error: unknown) => {
  process.stderr.write(`tansaku worker: ${error instanceof Error ? error.message : String(error)}\n`);
  exitFlushed(1);
});
