/**
 * The `tansaku` command, a thin layer over the library (anything it does, a program can do with the
 * public API).
 *
 * ```sh
 * tansaku optimize --command 'python3 train.py --lr {lr} --act {act}' --space space.json \
 *   --storage ./tansaku.journal --study mlp --n-trials 100 --n-jobs 4 --direction minimize
 * tansaku worker --storage ./tansaku.journal --study mlp          # another process or machine joins
 * tansaku trials --storage ./tansaku.journal --study mlp --format csv
 * tansaku best-trial --storage ./tansaku.journal --study mlp
 * ```
 *
 * Errors print `tansaku: <message>` without a stack trace; the exit code is 2 for usage errors (bad
 * flags, an invalid space file, an unknown sampler, a command that does not exist), 1 for failures
 * (every trial failed, a storage error), 130 after an interruption.
 */
import { Command, CommanderError, Option, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import {
  InvalidArgumentError,
  InvalidDistributionError,
  JournalFileStorage,
  StudyNotFoundError,
  TansakuError,
  createStudy,
  deleteStudy,
  trialsToCSV,
  trialsToJSON,
  type FrozenTrial,
  type Storage,
  type HeartbeatOptions,
  type StudyDirection,
} from '../index.js';
import {
  SystemAttr,
  describeKindClash,
  describeValue,
  displayText,
  formatNumber,
  killAllChildren,
  paretoFront,
  trialToJSON,
  type StudyRecord,
} from '../extend.js';
import {
  PRUNERS,
  SAMPLERS,
  checkPrunerName,
  checkSamplerName,
  makePruner,
  makeSampler,
  parseComponentOptions,
  type ComponentOptions,
} from './components.js';

import { renderTable, trialsTable } from './format.js';
import { UsageError, afterKill, preflight, readSettings, runStudy, type CliIo } from './run.js';
import { CLI_SETTINGS_ATTR, settingsFromJson, settingsToJson, type CliSettings } from './settings.js';
import { SpaceFileError, readSpaceFile } from './space.js';
import { openStorage, parseStorageSpec } from './storage.js';

/** For bin/tansaku.mjs, which prints Node's warnings itself. */
export { displayText } from '../extend.js';

/** Width of the name column in the sampler and pruner lists of `--help`. */
const NAME_WIDTH = Math.max(...[...Object.keys(SAMPLERS), ...Object.keys(PRUNERS)].map((k) => k.length));

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;
/** The shell's convention, 128 + the signal's number: 130 for SIGINT (Ctrl-C), 143 for SIGTERM. */
const exitCodeOf = (sig: NodeJS.Signals | null): number => (sig === 'SIGTERM' ? 143 : EXIT_INTERRUPTED);

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// ------------------------------------------------------------------ option parsers

function intArg(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[-+]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min)
      throw new CommanderArgumentError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
}

function secondsArg(name: string, allowZero = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
      throw new CommanderArgumentError(`${name} must be a number of seconds ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

function directionsArg(v: string): StudyDirection[] {
  const list = v.split(',').map((d) => d.trim().toLowerCase());
  for (const d of list) {
    if (d !== 'minimize' && d !== 'maximize')
      throw new CommanderArgumentError(`each direction must be minimize or maximize, got ${JSON.stringify(d)} in ${JSON.stringify(v)}`);
  }
  return list as StudyDirection[];
}

const storageOption = (): Option =>
  new Option('--storage <path>', 'journal file path (shared by processes), or memory: (this process only)')
    .env('TANSAKU_STORAGE')
    .makeOptionMandatory();
const studyOption = (): Option => new Option('--study <name>', 'study name').makeOptionMandatory();
const formatOption = (formats: string[]): Option => new Option('--format <format>', 'output format').choices(formats).default('table');

// ------------------------------------------------------------------ helpers

function directionsOf(opts: { direction?: StudyDirection; directions?: StudyDirection[] }): StudyDirection[] {
  return opts.directions ?? [opts.direction ?? 'minimize'];
}

/**
 * Opens a storage for a command that reads or changes an existing study (memory: holds nothing between
 * commands). `readOnly` for commands that only read: they then work on a file the user may not write.
 */
function openExisting(spec: string, options: { readOnly?: boolean } = {}): Storage {
  if (parseStorageSpec(spec).kind === 'memory') {
    throw new UsageError(
      'memory: holds nothing between commands: give the journal file the study was run on (--storage ./tansaku.journal)',
    );
  }
  return openStorage(spec, { mustExist: true, readOnly: options.readOnly });
}

async function withStorage<T>(storage: Storage, fn: (s: Storage) => Promise<T>): Promise<T> {
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** SIGINT/SIGTERM: the first stops cleanly (running trials end as failed "interrupted"), the second kills at once. */
function installInterrupts(io: CliIo): { signal: AbortSignal; exitCode: () => number; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  let first: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    first ??= sig;
    if (count === 1) {
      io.stderr.write(
        `\ntansaku: ${sig}: stopping; running trials are stopped and recorded as FAIL (interrupted); press Ctrl-C again to kill at once\n`,
      );
      controller.abort();
      return;
    }
    killAllChildren();
    io.stderr.write(`tansaku: ${sig} again: killed running programs\n`);
    const cleanup = afterKill.cleanup;
    const waitAtMost = new Promise((resolve) => setTimeout(resolve, 1000).unref());
    void Promise.race([cleanup ? cleanup().catch(() => {}) : Promise.resolve(), waitAtMost]).finally(() => process.exit(exitCodeOf(sig)));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    exitCode: () => exitCodeOf(first),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function bestOf(trials: readonly FrozenTrial[], direction: StudyDirection): FrozenTrial | null {
  const sign = direction === 'minimize' ? 1 : -1;
  let best: FrozenTrial | null = null;
  for (const t of trials) if (t.state === 'COMPLETE' && t.values && (!best || sign * t.values[0] < sign * best.values![0])) best = t;
  return best;
}

// ------------------------------------------------------------------ the program

interface OptimizeOptions {
  command?: string;
  objective?: string;
  space?: string;
  storage: string;
  study: string;
  nTrials?: number;
  nJobs: number;
  direction?: StudyDirection;
  directions?: StudyDirection[];
  timeout?: number;
  trialTimeout?: number;
  killGrace: number;
  sampler?: string;
  samplerOptions?: string;
  pruner?: string;
  prunerOptions?: string;
  seed?: number;
  heartbeatInterval?: number;
  heartbeatGrace?: number;
  heartbeatMaxRetry?: number;
}

/** The heartbeat flags as the library's option (seconds to ms), or undefined to use the study's or the defaults. */
function heartbeatOf(opts: OptimizeOptions): HeartbeatOptions | undefined {
  if (opts.heartbeatInterval === undefined && opts.heartbeatGrace === undefined && opts.heartbeatMaxRetry === undefined) return undefined;
  const heartbeat: HeartbeatOptions = {};
  if (opts.heartbeatInterval !== undefined) heartbeat.intervalMs = opts.heartbeatInterval * 1000;
  if (opts.heartbeatGrace !== undefined) heartbeat.graceMs = opts.heartbeatGrace * 1000;
  if (opts.heartbeatMaxRetry !== undefined) heartbeat.maxRetry = opts.heartbeatMaxRetry;
  return heartbeat;
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('tansaku');
  program
    .description('Tansaku: hyperparameter optimisation for TypeScript and Node.js, and for any program on the command line')
    .version(version(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`tansaku: ${s.replace(/^error: /, '')}`),
    });

  program
    .command('optimize')
    .description('run trials of a command (any program) or a module objective on a study')
    .addOption(
      new Option(
        '--command <command>',
        'program and arguments with {param} placeholders, split like sh words but never run through a shell',
      ).conflicts('objective'),
    )
    .addOption(
      new Option('--objective <module>', 'a .ts/.js module exporting objective(trial), run in --n-jobs worker processes').conflicts(
        'command',
      ),
    )
    .option('--space <file>', 'search space file (JSON or YAML); required with --command')
    .addOption(storageOption())
    .addOption(studyOption())
    .option('--n-trials <n>', "the study's total trial budget, shared by every process on it", intArg('--n-trials', 1))
    .option('--n-jobs <j>', 'trials run at once: programs for --command, worker processes for --objective', intArg('--n-jobs', 1), 1)
    .addOption(
      new Option('--direction <direction>', 'objective direction (default minimize)')
        .choices(['minimize', 'maximize'])
        .conflicts('directions'),
    )
    .addOption(new Option('--directions <list>', 'several objectives, e.g. maximize,minimize').argParser(directionsArg))
    .option('--timeout <seconds>', 'start no new trial after this many seconds', secondsArg('--timeout'))
    .option('--trial-timeout <seconds>', 'stop a command after this many seconds; the trial fails', secondsArg('--trial-timeout'))
    .option('--kill-grace <seconds>', 'seconds between SIGTERM and SIGKILL when stopping a command', secondsArg('--kill-grace', true), 5)
    .option('--sampler <name>', `sampler: ${Object.keys(SAMPLERS).join(', ')} (default tpe; a study rejoined keeps its stored sampler)`)
    .option('--sampler-options <options>', 'sampler options: JSON object or key=value,key=value')
    .option('--pruner <name>', `pruner: ${Object.keys(PRUNERS).join(', ')} (default median; none for several objectives)`)
    .option('--pruner-options <options>', 'pruner options: JSON object or key=value,key=value, e.g. n_warmup_steps=2')
    .option('--seed <seed>', 'study seed (every worker derives its randomness from it)', intArg('--seed', 0))
    .option(
      '--heartbeat-interval <seconds>',
      'how often a running trial records that its worker is alive (default 5)',
      secondsArg('--heartbeat-interval'),
    )
    .option(
      '--heartbeat-grace <seconds>',
      'a RUNNING trial silent this long belongs to a dead worker: it is failed, and retried with --heartbeat-max-retry (default 60)',
      secondsArg('--heartbeat-grace'),
    )
    .option(
      '--heartbeat-max-retry <n>',
      "times a dead worker's trial is re-run with the same parameters (default 0)",
      intArg('--heartbeat-max-retry', 0),
    )
    .addHelpText(
      'after',
      `
The command gets each parameter as a {name} placeholder (substituted inside one argument, never
re-split), as the environment variable TANSAKU_PARAM_<NAME>, and in the JSON file $TANSAKU_PARAMS_FILE;
TANSAKU_TRIAL_NUMBER and TANSAKU_STUDY are set. It prints "tansaku:report <step> <value>" lines for
intermediate values (pruning) and its result as the last stdout line: a number, or a JSON array/object
of numbers with several directions.

Samplers:${Object.entries(SAMPLERS)
        .map(([k, v]) => `\n  ${k.padEnd(NAME_WIDTH)} ${v}`)
        .join('')}
Pruners:${Object.entries(PRUNERS)
        .map(([k, v]) => `\n  ${k.padEnd(NAME_WIDTH)} ${v}`)
        .join('')}

Example:
  tansaku optimize --command 'python3 train.py --lr {lr} --act {act}' --space space.json \\
    --storage ./tansaku.journal --study mlp --n-trials 50 --n-jobs 4`,
    )
    .action(async (opts: OptimizeOptions) => {
      setExit(await optimizeCommand(opts, io));
    });

  program
    .command('worker')
    .description('join a study started by tansaku optimize and run trials until its budget is used')
    .addOption(storageOption())
    .addOption(studyOption())
    .option('--n-jobs <j>', 'trials run at once (default: as the optimize command that started the study)', intArg('--n-jobs', 1))
    .option('--timeout <seconds>', 'start no new trial after this many seconds', secondsArg('--timeout'))
    .option('--cwd <dir>', 'run commands in this directory (default: the one tansaku optimize was started from)')
    .addOption(
      new Option(
        '--command <command>',
        'run only if the study runs exactly this command (the journal decides what a worker runs)',
      ).conflicts('objective'),
    )
    .addOption(new Option('--objective <module>', 'run only if the study runs this objective module').conflicts('command'))
    .action(async (opts: WorkerOptions) => {
      setExit(await workerCommand(opts, io));
    });

  program
    .command('studies')
    .description('list the studies in a storage')
    .addOption(storageOption())
    .addOption(formatOption(['table', 'json']))
    .action(async (opts: { storage: string; format: string }) => {
      await withStorage(openExisting(opts.storage, { readOnly: true }), async (storage) => {
        const studies = await storage.getAllStudies();
        const rows = [];
        for (const s of studies) {
          const trials = await storage.getAllTrials(s.studyId);
          const count = (state: string): number => trials.filter((t) => t.state === state).length;
          const best = s.directions.length === 1 ? bestOf(trials, s.directions[0]) : null;
          rows.push({
            study: s.studyName,
            directions: s.directions,
            trials: trials.length,
            complete: count('COMPLETE'),
            pruned: count('PRUNED'),
            failed: count('FAIL'),
            running: count('RUNNING'),
            bestValue: best ? best.values![0] : null,
            datetimeStart: s.datetimeStart === null ? null : new Date(s.datetimeStart).toISOString(),
          });
        }
        if (opts.format === 'json') {
          io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          io.stdout.write('no studies\n');
          return;
        }
        io.stdout.write(
          renderTable(
            ['study', 'directions', 'trials', 'complete', 'pruned', 'failed', 'running', 'best', 'started'],
            rows.map((r) => [
              displayText(r.study),
              r.directions.join(','),
              String(r.trials),
              String(r.complete),
              String(r.pruned),
              String(r.failed),
              String(r.running),
              formatNumber(r.bestValue),
              r.datetimeStart ?? '',
            ]),
          ),
        );
      });
    });

  program
    .command('trials')
    .description("print a study's trials")
    .addOption(storageOption())
    .addOption(studyOption())
    .addOption(formatOption(['table', 'csv', 'json']))
    .action(async (opts: { storage: string; study: string; format: string }) => {
      await withStorage(openExisting(opts.storage, { readOnly: true }), async (storage) => {
        const studyId = await storage.getStudyIdFromName(opts.study);
        const study = await storage.getStudy(studyId);
        const trials = await storage.getAllTrials(studyId);
        if (opts.format === 'csv') io.stdout.write(trialsToCSV(trials));
        else if (opts.format === 'json') io.stdout.write(`${trialsToJSON(trials)}\n`);
        else if (trials.length === 0) io.stdout.write(`study ${displayText(JSON.stringify(opts.study))} has no trials\n`);
        else io.stdout.write(trialsTable(trials, study.directions.length));
      });
    });

  program
    .command('best-trial')
    .description('print the best trial (the Pareto front for several objectives)')
    .addOption(storageOption())
    .addOption(studyOption())
    .addOption(formatOption(['table', 'json']))
    .action(async (opts: { storage: string; study: string; format: string }) => {
      await withStorage(openExisting(opts.storage, { readOnly: true }), async (storage) => {
        const studyId = await storage.getStudyIdFromName(opts.study);
        const study = await storage.getStudy(studyId);
        const complete = await storage.getAllTrials(studyId, { states: ['COMPLETE'] });
        const best =
          study.directions.length === 1
            ? [bestOf(complete, study.directions[0])].filter((t): t is FrozenTrial => t !== null)
            : paretoFront(complete, study.directions);
        if (best.length === 0)
          throw new TansakuError('TANSAKU_NO_COMPLETED_TRIALS', `study ${JSON.stringify(opts.study)} has no COMPLETE trial yet`);
        if (opts.format === 'json') {
          io.stdout.write(`${JSON.stringify(study.directions.length === 1 ? trialToJSON(best[0]) : best.map(trialToJSON), null, 2)}\n`);
          return;
        }
        if (study.directions.length > 1)
          io.stdout.write(
            `Pareto front of study ${displayText(JSON.stringify(opts.study))} (${study.directions.join(', ')}): ${best.length} trial(s)\n`,
          );
        for (const t of best) {
          io.stdout.write(`trial ${t.number}\n`);
          io.stdout.write(
            t.values!.length === 1 ? `  value: ${formatNumber(t.values![0])}\n` : `  values: [${t.values!.map(formatNumber).join(', ')}]\n`,
          );
          for (const [k, v] of Object.entries(t.params))
            io.stdout.write(`  ${displayText(k)}: ${typeof v === 'number' ? formatNumber(v) : displayText(String(v))}\n`);
          if (Object.keys(t.userAttrs).length) io.stdout.write(`  user attrs: ${displayText(JSON.stringify(t.userAttrs))}\n`);
        }
      });
    });

  program
    .command('create-study')
    .description('create an empty study (prints its name)')
    .addOption(storageOption())
    .addOption(studyOption())
    .addOption(
      new Option('--direction <direction>', 'objective direction (default minimize)')
        .choices(['minimize', 'maximize'])
        .conflicts('directions'),
    )
    .addOption(new Option('--directions <list>', 'several objectives, e.g. maximize,minimize').argParser(directionsArg))
    .option('--seed <seed>', 'study seed', intArg('--seed', 0))
    .option('--skip-if-exists', 'succeed when the study exists already')
    .action(
      async (opts: {
        storage: string;
        study: string;
        direction?: StudyDirection;
        directions?: StudyDirection[];
        seed?: number;
        skipIfExists?: boolean;
      }) => {
        if (parseStorageSpec(opts.storage).kind === 'memory')
          throw new UsageError('memory: holds nothing between commands: give a journal file path');
        await withStorage(openStorage(opts.storage), async (storage) => {
          await createStudy({
            studyName: opts.study,
            storage,
            directions: directionsOf(opts),
            seed: opts.seed,
            loadIfExists: opts.skipIfExists === true,
          });
          io.stdout.write(`${opts.study}\n`);
        });
      },
    );

  program
    .command('delete-study')
    .description('delete a study and its trials')
    .addOption(storageOption())
    .addOption(studyOption())
    .action(async (opts: { storage: string; study: string }) => {
      await withStorage(openExisting(opts.storage), async (storage) => {
        await deleteStudy({ studyName: opts.study, storage });
        io.stdout.write(`deleted study ${JSON.stringify(opts.study)}\n`);
      });
    });

  return program;
}

/**
 * The directions of an existing study in a journal that exists, read without writing anything; null for
 * a new study or `memory:`. Joining a study without --direction then means its own directions.
 */
/** The stored record of a study in a journal that exists, or null (no such file or study; memory). */
async function storedStudy(spec: string, studyName: string): Promise<StudyRecord | null> {
  const parsed = parseStorageSpec(spec);
  if (parsed.kind !== 'journal' || !existsSync(parsed.path) || statSync(parsed.path).isDirectory()) return null;
  const storage = new JournalFileStorage(parsed.path, { readOnly: true });
  try {
    return await storage.getStudy(await storage.getStudyIdFromName(studyName));
  } catch (error) {
    if (error instanceof StudyNotFoundError) return null;
    throw error;
  } finally {
    await storage.close();
  }
}

/**
 * The sampler of a run given no --sampler: the one the study's stored settings name (a study keeps its
 * sampler when rejoined), random search for a study an older Tansaku made without recording a default
 * (its default then), else TPE. Options come with the stored sampler unless --sampler-options is given.
 */
function defaultSamplerOf(
  record: StudyRecord | null,
  studyName: string,
  givenOptions: string | undefined,
): { name: string; options?: ComponentOptions } {
  if (record === null) return { name: 'tpe' };
  const raw = record.systemAttrs[CLI_SETTINGS_ATTR];
  if (raw !== undefined) {
    const stored = settingsFromJson(raw, studyName).sampler;
    return givenOptions === undefined ? { name: stored.name, options: stored.options } : { name: stored.name };
  }
  if (record.systemAttrs[SystemAttr.defaultSampler] === undefined && record.systemAttrs[SystemAttr.studySeed] !== undefined) {
    return { name: 'random' };
  }
  return { name: 'tpe' };
}

/** Module extensions `--objective` loads; anything else is a program for `--command`. */
const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

async function optimizeCommand(opts: OptimizeOptions, io: CliIo): Promise<number> {
  if (!opts.command && !opts.objective)
    throw new UsageError('give the objective: --command "<program and args with {param} placeholders>" or --objective <module.ts|js>');
  if (opts.objective !== undefined && !MODULE_EXTENSIONS.includes(extname(opts.objective).toLowerCase())) {
    throw new UsageError(
      `--objective takes a JavaScript or TypeScript module (${MODULE_EXTENSIONS.join(', ')}), got ${opts.objective}; ` +
        `to run a program (Python, a binary, a script), use --command '<program> --lr={lr} ...'`,
    );
  }
  const explicit = opts.directions !== undefined || opts.direction !== undefined;
  const existing = await storedStudy(opts.storage, opts.study);
  const directions = explicit || existing === null ? directionsOf(opts) : [...existing.directions];
  const space = opts.space !== undefined ? readSpaceFile(opts.space) : null;
  if (opts.command && !space) throw new UsageError('--command needs --space <file>: the parameters to substitute');
  const fallback = opts.sampler === undefined ? defaultSamplerOf(existing, opts.study, opts.samplerOptions) : null;
  const samplerName = checkSamplerName(opts.sampler ?? fallback!.name);
  const samplerOptions = fallback?.options ?? parseComponentOptions(opts.samplerOptions, '--sampler-options');
  const prunerName = checkPrunerName(opts.pruner ?? (directions.length === 1 ? 'median' : 'none'));
  if (directions.length > 1 && prunerName !== 'none') {
    throw new UsageError(`pruners judge one objective; with --directions ${directions.join(',')} use --pruner none (the default there)`);
  }
  const prunerOptions = parseComponentOptions(opts.prunerOptions, '--pruner-options');
  // Build both once, so bad options are reported before anything is created.
  makeSampler(samplerName, samplerOptions, space);
  makePruner(prunerName, prunerOptions);
  let objective: CliSettings['objective'];
  if (opts.command) {
    objective = { kind: 'command', command: opts.command, cwd: process.cwd() };
  } else {
    const module = resolve(opts.objective!);
    if (!existsSync(module)) throw new UsageError(`objective module ${opts.objective} does not exist`);
    objective = { kind: 'module', module };
  }
  const settings: CliSettings = {
    version: 1,
    objective,
    space,
    sampler: { name: samplerName, options: samplerOptions },
    pruner: { name: prunerName, options: prunerOptions },
    directions,
    nTrials: opts.nTrials ?? null,
    nJobs: opts.nJobs,
    trialTimeout: opts.trialTimeout ?? null,
    killGrace: opts.killGrace,
  };
  const isMemory = parseStorageSpec(opts.storage).kind === 'memory';
  const command = preflight(settings, opts.study, opts.nJobs, isMemory);
  const storage = openStorage(opts.storage);
  return withStorage(storage, async () => {
    const replacing = await checkRejoin(storage, opts, settings);
    const study = await createStudy({
      studyName: opts.study,
      storage,
      directions,
      seed: opts.seed,
      maxTrials: opts.nTrials,
      loadIfExists: true,
      heartbeat: heartbeatOf(opts),
    });
    await study.setSystemAttr(CLI_SETTINGS_ATTR, settingsToJson(settings));
    if (replacing) io.stderr.write(replacing);
    return run(io, {
      storage,
      storageSpec: opts.storage,
      storageIsMemory: isMemory,
      studyName: opts.study,
      settings,
      nJobs: opts.nJobs,
      timeout: opts.timeout ?? null,
      command,
    });
  });
}

/**
 * Joining an existing study: refuses what would spoil it for every process on it — a lower shared
 * budget (a typo in --n-trials would stop the others early) or a space whose parameters clash with its
 * trials (every new trial would fail) — before anything is written, and says which stored settings
 * this run replaces.
 */
/**
 * Checks a run that joins an existing study before anything is written; returns what it will replace in
 * the stored settings (said once the run has been accepted and has replaced them), or null.
 */
async function checkRejoin(storage: Storage, opts: OptimizeOptions, settings: CliSettings): Promise<string | null> {
  let studyId: number;
  try {
    studyId = await storage.getStudyIdFromName(opts.study);
  } catch (error) {
    if (error instanceof StudyNotFoundError) return null;
    throw error;
  }
  const record = await storage.getStudy(studyId);
  const budget = record.systemAttrs[SystemAttr.maxTrials];
  if (typeof budget === 'number' && opts.nTrials !== undefined && opts.nTrials < budget) {
    throw new UsageError(
      `study ${JSON.stringify(opts.study)} has a budget of ${budget} trials, shared by every process on it; --n-trials ${opts.nTrials} would lower it and stop the others early. ` +
        `Join with --n-trials ${budget} (or leave it out), raise it to run more, or stop the study's processes to end it sooner`,
    );
  }
  for (const [name, d] of Object.entries(settings.space ?? {})) {
    const first = record.paramDistributions[name];
    const clash = first ? describeKindClash(name, first, d) : null;
    if (clash) throw new UsageError(`${opts.space}: ${clash}. Use another --study for a different space`);
  }
  const raw = record.systemAttrs[CLI_SETTINGS_ATTR];
  if (raw === undefined) return null;
  const before = settingsFromJson(raw, opts.study);
  const changed: string[] = [];
  if (JSON.stringify(before.objective) !== JSON.stringify(settings.objective)) changed.push('objective');
  if (JSON.stringify(before.space) !== JSON.stringify(settings.space)) changed.push('space');
  if (JSON.stringify(before.sampler) !== JSON.stringify(settings.sampler))
    changed.push(`sampler (${before.sampler.name} -> ${settings.sampler.name})`);
  if (JSON.stringify(before.pruner) !== JSON.stringify(settings.pruner))
    changed.push(`pruner (${before.pruner.name} -> ${settings.pruner.name})`);
  return changed.length > 0
    ? `note: study ${displayText(JSON.stringify(opts.study))} was started with other settings; this run replaced its stored ${changed.join(', ')} (what \`tansaku worker\` runs)\n`
    : null;
}

interface WorkerOptions {
  storage: string;
  study: string;
  nJobs?: number;
  timeout?: number;
  cwd?: string;
  command?: string;
  objective?: string;
}

/**
 * `--command` / `--objective` pinning: what a worker runs is stored in the journal, and anyone who can
 * append to the journal can change it; a worker given the objective it expects refuses any other.
 */
function checkPinnedObjective(opts: WorkerOptions, stored: CliSettings['objective'], study: string): void {
  if (opts.command === undefined && opts.objective === undefined) return;
  const storedText = stored.kind === 'command' ? `the command ${JSON.stringify(stored.command)}` : `the objective module ${stored.module}`;
  const matches =
    opts.command !== undefined
      ? stored.kind === 'command' && stored.command === opts.command
      : stored.kind === 'module' && stored.module === resolve(opts.objective!);
  if (!matches) {
    const given = opts.command !== undefined ? `--command ${JSON.stringify(opts.command)}` : `--objective ${resolve(opts.objective!)}`;
    throw new UsageError(
      `study ${JSON.stringify(study)} runs ${storedText}, not what ${given} pins: nothing was run. If the journal's settings were changed by someone else, do not run them`,
    );
  }
}

async function workerCommand(opts: WorkerOptions, io: CliIo): Promise<number> {
  const storage = openExisting(opts.storage);
  return withStorage(storage, async () => {
    const { settings } = await readSettings(storage, opts.study);
    checkPinnedObjective(opts, settings.objective, opts.study);
    if (opts.cwd !== undefined) {
      if (settings.objective.kind !== 'command') throw new UsageError('--cwd applies to command objectives');
      settings.objective = { ...settings.objective, cwd: resolve(opts.cwd) };
    }
    const nJobs = opts.nJobs ?? settings.nJobs;
    const command = preflight(settings, opts.study, nJobs, false);
    return run(io, {
      storage,
      storageSpec: opts.storage,
      storageIsMemory: false,
      studyName: opts.study,
      settings,
      nJobs,
      timeout: opts.timeout ?? null,
      command,
    });
  });
}

async function run(io: CliIo, o: Omit<Parameters<typeof runStudy>[0], 'io' | 'signal'>): Promise<number> {
  const interrupts = installInterrupts(io);
  try {
    const outcome = await runStudy({ ...o, io, signal: interrupts.signal });
    return outcome.interrupted ? interrupts.exitCode() : EXIT_OK;
  } finally {
    interrupts.dispose();
  }
}

function isUsage(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof SpaceFileError ||
    error instanceof InvalidArgumentError ||
    error instanceof InvalidDistributionError
  );
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    let message = error instanceof Error ? error.message : `unexpected error: ${describeValue(error)}`;
    if (error instanceof StudyNotFoundError) message += ' (tansaku studies --storage ... lists the studies)';
    // Messages quote names, values and programs' stderr, which may hold terminal escapes: shown escaped.
    io.stderr.write(`tansaku: ${message.split('\n').map(displayText).join('\n')}\n`);
    if (!(error instanceof TansakuError) && error instanceof Error && process.env.TANSAKU_DEBUG) io.stderr.write(`${error.stack}\n`);
    return isUsage(error) ? EXIT_USAGE : EXIT_FAILURE;
  }
}
