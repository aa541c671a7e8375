/**
 * Command objectives: any program, in any language, run once per trial.
 *
 * For each trial the program is started without a shell (argv from {@link splitCommand}, `{param}`
 * placeholders substituted per word), in its own process group, with:
 * - `TANSAKU_PARAM_<NAME>`: each parameter (name upper-cased, other characters than A-Z0-9 as `_`);
 * - `TANSAKU_PARAMS_FILE`: a JSON file `{"name": value, ...}` in a private temporary directory, removed
 *   when the trial ends;
 * - `TANSAKU_TRIAL_NUMBER`, `TANSAKU_STUDY`; and `PYTHONUNBUFFERED=1` unless already set, so a Python
 *   program's report lines arrive when printed.
 *
 * Its stdout is read line by line (see `protocol.ts`): `tansaku:report <step> <value>` lines are reported
 * to the trial and checked with the pruner; when the pruner says stop, the process group gets SIGTERM,
 * then SIGKILL after the grace period, and the trial is PRUNED. The last other non-empty line is the
 * result. A non-zero exit, a death by signal, a timeout, no result or an unparsable one make the trial
 * FAIL: the reason goes to the `fail_reason` system attribute, the last 4 KB of stderr to the
 * `stderr_tail` user attribute (and of stdout to `stdout_tail` when the result was the problem).
 * An interruption (`trial.signal`) kills the process group the same way.
 *
 * @example
 * ```ts
 * const runner = new CommandObjective({
 *   command: 'python3 train.py --lr {lr} --act {act}',
 *   space: { lr: floatDistribution('lr', 1e-5, 1e-1, { log: true }), act: categoricalDistribution('act', ['relu', 'tanh']) },
 *   studyName: study.studyName,
 *   nObjectives: 1,
 *   trialTimeout: 600,
 * });
 * await study.optimize(runner.objective, { nTrials: 50, concurrency: 4, catch: [CommandTrialError] });
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkOptions } from '../core/options.js';
import { TansakuError, TrialPruned, InvalidArgumentError, describeValue } from '../core/errors.js';
import type { Distribution, ParamValue, SearchSpace } from '../core/distributions.js';
import type { Trial } from '../core/trial.js';
import {
  formatParamValue,
  programValue,
  paramEnvName,
  parseTemplate,
  renderTemplate,
  shellScriptPlaceholders,
  splitCommand,
  type TemplateWord,
} from './argv.js';
import {
  OWN_PROCESS_GROUP,
  findProgram,
  signalTree,
  trackChild,
  untrackChild,
  type EnvironmentVariables,
  type ProgramLookup,
  type SignalName,
} from './processes.js';
import { TextTail, parseLine, parseResult } from './protocol.js';

/** The longest stdout line read (a result, a report or text); longer ones are counted, never parsed. */
const MAX_LINE_CHARS = 1 << 20;
import { setName } from '../core/records.js';

/** A trial of a command objective failed (exit code, signal, timeout, missing or bad result). */
export class CommandTrialError extends TansakuError {
  constructor(message: string) {
    super('TANSAKU_COMMAND_FAILED', message);
  }
}

export interface CommandObjectiveOptions {
  /** The command template, e.g. `python3 train.py --lr {lr}`; see `argv.ts` for the splitting rules. */
  command: string;
  /** Parameters suggested for every trial, in this order, before the program starts. */
  space: SearchSpace;
  /** Passed to the program as `TANSAKU_STUDY` and `{study_name}`. */
  studyName: string;
  /** Number of directions of the study: how many values the result line must hold. Default 1. */
  nObjectives?: number;
  /** Working directory of the program. Default: this process's. */
  cwd?: string;
  /** Base environment. Default: this process's. */
  env?: EnvironmentVariables;
  /** Seconds after which a trial's program is stopped and the trial FAILs. Default: none. */
  trialTimeout?: number | null;
  /** Seconds between SIGTERM and SIGKILL when stopping a program. Default 5. */
  killGrace?: number;
  /** Receives protocol warnings (malformed report lines), once per kind per trial. */
  onWarning?: (message: string) => void;
}

interface Running {
  child: ChildProcess;
  closed: Promise<void>;
}

const PARAM_PLACEHOLDERS_RESERVED = new Set(['trial_number', 'study_name', 'params_file']);

/**
 * Any program as the objective: each trial runs the command once, with the parameters in its argv
 * (`{name}` placeholders, substituted after splitting, never through a shell), in `TANSAKU_PARAM_*`
 * environment variables and in a JSON file; the program's last stdout line is the result and
 * `tansaku:report <step> <value>` lines are intermediate values. A pruned trial's process group gets
 * SIGTERM, then SIGKILL after `killGrace` seconds. This is what `tansaku optimize --command` runs.
 *
 * @example
 * ```ts
 * const space = { lr: floatDistribution('lr', 1e-5, 1e-1, { log: true }), width: ordinalDistribution('width', [64, 128, 256]) };
 * const train = new CommandObjective({ command: 'python3 train.py --lr {lr} --width {width}', space, trialTimeout: 600 });
 * const study = await createStudy({ direction: 'minimize' });
 * await study.optimize(train.objective, { nTrials: 40, concurrency: 4 }); // 4 programs at once
 * ```
 */
export class CommandObjective {
  readonly command: string;
  readonly template: readonly TemplateWord[];
  readonly space: SearchSpace;
  readonly studyName: string;
  readonly nObjectives: number;
  readonly cwd: string;
  readonly trialTimeoutMs: number | null;
  readonly killGraceMs: number;
  private readonly env: EnvironmentVariables;
  /** Where protocol warnings go; replaceable (the CLI routes them through its progress display). */
  onWarning: (message: string) => void;
  private readonly running = new Set<Running>();

  /** The function to pass to `study.optimize`. */
  readonly objective = (trial: Trial): Promise<number[]> => this.run(trial);

  constructor(given: CommandObjectiveOptions) {
    const options = checkOptions('CommandObjective', given, [
      'command',
      'space',
      'studyName',
      'nObjectives',
      'cwd',
      'env',
      'trialTimeout',
      'killGrace',
      'onWarning',
    ] satisfies (keyof CommandObjectiveOptions)[]);
    this.command = options.command;
    this.space = options.space;
    this.studyName = options.studyName;
    this.nObjectives = options.nObjectives ?? 1;
    this.cwd = resolve(options.cwd ?? process.cwd());
    this.env = options.env ?? process.env;
    this.onWarning = options.onWarning ?? (() => {});
    const timeout = options.trialTimeout ?? null;
    if (timeout !== null && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
      throw new InvalidArgumentError(`trialTimeout must be a number of seconds > 0, got ${describeValue(timeout)}`);
    }
    const grace = options.killGrace ?? 5;
    if (!(typeof grace === 'number' && grace >= 0 && Number.isFinite(grace))) {
      throw new InvalidArgumentError(`killGrace must be a number of seconds >= 0, got ${describeValue(grace)}`);
    }
    this.trialTimeoutMs = timeout === null ? null : timeout * 1000;
    this.killGraceMs = grace * 1000;
    if (!existsSync(this.cwd) || !statSync(this.cwd).isDirectory()) {
      throw new InvalidArgumentError(`working directory ${JSON.stringify(this.cwd)} of the command does not exist`);
    }
    const names = Object.keys(this.space);
    for (const [name, d] of Object.entries(this.space)) checkProgramValues(name, d);
    const envNames = new Map<string, string>();
    for (const name of names) {
      const env = paramEnvName(name);
      const other = envNames.get(env);
      if (other !== undefined) {
        throw new InvalidArgumentError(
          `parameters ${JSON.stringify(other)} and ${JSON.stringify(name)} both become the environment variable ${env}; rename one`,
        );
      }
      envNames.set(env, name);
    }
    this.template = parseTemplate(splitCommand(options.command), names);
    const inScript = shellScriptPlaceholders(this.template);
    if (inScript.length > 0) {
      const first = inScript[0];
      process.emitWarning(
        `the command puts ${inScript.map((n) => `{${n}}`).join(', ')} inside a shell script (${this.template[0].join('')} -c '...'): ` +
          `there a value is shell code, not an argument (a value such as $(rm -rf ~) would run). Pass values as the script's ` +
          `arguments instead — sh -c '... "$1"' sh {${first}} — or read them from the environment ($${paramEnvName(first)})`,
        { code: 'TANSAKU_SHELL_INTERPOLATION' },
      );
    }
  }

  /**
   * The program as it would be looked up (null when the program name is itself a placeholder, and
   * only a trial can tell).
   */
  checkProgram(): ProgramLookup | null {
    const first = this.template[0];
    if (first.some((p) => typeof p !== 'string')) return null;
    return findProgram(first.join(''), this.cwd, this.env);
  }

  /** Number of programs running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Resolves once every program started by this objective has exited and been reaped. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running].map((r) => r.closed));
  }

  /** Signals every running program's process group (e.g. SIGKILL on a forced exit). */
  signalAll(signal: SignalName): void {
    for (const r of this.running) if (r.child.pid !== undefined) signalTree(r.child.pid, signal);
  }

  /** Runs one trial: suggests the space, runs the program, returns its values or throws. */
  async run(trial: Trial): Promise<number[]> {
    const params: Record<string, ParamValue> = {};
    // What the program sees: stepped floats in their grid's decimals (the trial keeps the sampled value).
    for (const [name, distribution] of Object.entries(this.space))
      setName(params, name, programValue(trial.suggest(name, distribution), distribution));
    if (trial.signal.aborted) throw trial.signal.reason ?? new TansakuError('TANSAKU_INTERRUPTED', 'trial was interrupted');

    const dir = await mkdtemp(join(tmpdir(), 'tansaku-trial-'));
    liveTrialDirs.add(dir);
    removeTrialDirsAtExit();
    try {
      const paramsFile = join(dir, 'params.json');
      await writeFile(paramsFile, `${JSON.stringify(params)}\n`);
      const values: Record<string, string> = { trial_number: String(trial.number), study_name: this.studyName, params_file: paramsFile };
      for (const [name, v] of Object.entries(params)) setName(values, name, formatParamValue(v));
      // A parameter named like a built-in wins, as parseTemplate documents.
      for (const name of PARAM_PLACEHOLDERS_RESERVED)
        if (Object.hasOwn(params, name)) setName(values, name, formatParamValue(params[name]));
      const argv = renderTemplate(this.template, values);
      const env: EnvironmentVariables = {};
      for (const [k, v] of Object.entries(this.env)) if (!k.startsWith('TANSAKU_PARAM_')) env[k] = v;
      if (env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
      for (const [name, v] of Object.entries(params)) env[paramEnvName(name)] = formatParamValue(v);
      env.TANSAKU_PARAMS_FILE = paramsFile;
      env.TANSAKU_TRIAL_NUMBER = String(trial.number);
      env.TANSAKU_STUDY = this.studyName;
      return await this.execute(trial, argv, env);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      liveTrialDirs.delete(dir);
    }
  }

  private async execute(trial: Trial, argv: string[], env: EnvironmentVariables): Promise<number[]> {
    const program = argv[0];
    const stderrTail = new TextTail();
    const stdoutTail = new TextTail();
    let lastText: string | null = null;
    let spawnError: NodeJS.ErrnoException | null = null;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let pruned = false;
    let prunedStep = -1;
    let timedOut = false;
    let reportError: unknown = null;
    let terminating = false;
    let killTimer: NodeJS.Timeout | null = null;
    let chain: Promise<void> = Promise.resolve();
    const warned = new Set<string>();

    let child: ChildProcess;
    try {
      child = spawn(program, argv.slice(1), {
        cwd: this.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: OWN_PROCESS_GROUP,
        windowsHide: true,
      });
    } catch (error) {
      throw this.failure(
        trial,
        `cannot start ${JSON.stringify(program)}: ${error instanceof Error ? error.message : String(error)}`,
        stderrTail,
      );
    }
    const pid = child.pid;
    if (pid !== undefined) trackChild(pid);

    const terminate = (): void => {
      if (terminating || pid === undefined) return;
      terminating = true;
      signalTree(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalTree(pid, 'SIGKILL'), this.killGraceMs);
    };

    /** Length of the last text line when it was over MAX_LINE_CHARS (it is never parsed), else null. */
    let lastTooLong: number | null = null;
    const onLine = (raw: string, overflow = 0): void => {
      if (overflow > 0 || raw.length > MAX_LINE_CHARS) {
        // Never parse a line that did not fit: its cut end could read as another number.
        lastTooLong = raw.length + overflow;
        lastText = null;
        return;
      }
      const line = parseLine(raw);
      if (line.kind === 'empty') return;
      if (line.kind === 'text') {
        lastText = line.text;
        lastTooLong = null;
        return;
      }
      if (line.kind === 'bad-protocol') {
        const key = line.message.split(':')[0];
        if (!warned.has(key)) {
          warned.add(key);
          this.onWarning(`trial ${trial.number}: ignored ${line.message}`);
        }
        return;
      }
      const { step, value } = line;
      chain = chain
        .then(async () => {
          if (pruned || terminating || trial.isFinished) return;
          trial.report(value, step);
          if (await trial.shouldPrune()) {
            pruned = true;
            prunedStep = step;
            terminate();
          }
        })
        .catch((error: unknown) => {
          if (trial.isFinished) return; // interrupted meanwhile: the abort handler stops the program
          reportError ??= error;
          terminate();
        });
    };

    let partial = '';
    /** Characters of the current line dropped because it outgrew MAX_LINE_CHARS. */
    let dropped = 0;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdoutTail.push(chunk);
      partial += chunk;
      for (let at = partial.indexOf('\n'); at >= 0; at = partial.indexOf('\n')) {
        onLine(partial.slice(0, at), dropped);
        dropped = 0;
        partial = partial.slice(at + 1);
      }
      if (partial.length > MAX_LINE_CHARS) {
        // A line this long is not a result, a report or a log line anyone reads: count it, keep nothing.
        dropped += partial.length;
        partial = '';
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => stderrTail.push(chunk));

    const onAbort = (): void => terminate();
    trial.signal.addEventListener('abort', onAbort, { once: true });
    const timeoutTimer =
      this.trialTimeoutMs !== null
        ? setTimeout(() => {
            timedOut = true;
            terminate();
          }, this.trialTimeoutMs)
        : null;

    const closed = new Promise<void>((resolveClosed) => {
      let settled = false;
      let closeFallback: NodeJS.Timeout | null = null;
      const done = (): void => {
        if (settled) return;
        settled = true;
        if (closeFallback) clearTimeout(closeFallback);
        if (pid !== undefined) untrackChild(pid);
        resolveClosed();
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError ??= error;
        if (child.pid === undefined) done();
      });
      child.on('exit', (code, signal) => {
        exitCode = code;
        exitSignal = signal;
        // Whatever the program left behind in its process group goes with it.
        if (pid !== undefined) signalTree(pid, 'SIGKILL');
        // A descendant that escaped the group may hold the pipes open: do not wait for it forever.
        closeFallback = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          done();
        }, 2000);
      });
      child.on('close', done);
    });
    const entry: Running = { child, closed };
    this.running.add(entry);
    try {
      await closed;
    } finally {
      this.running.delete(entry);
      trial.signal.removeEventListener('abort', onAbort);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (killTimer) clearTimeout(killTimer);
    }
    if (partial.length > 0 || dropped > 0) onLine(partial, dropped);
    await chain;

    if (trial.signal.aborted) throw trial.signal.reason ?? new TansakuError('TANSAKU_INTERRUPTED', 'trial was interrupted');
    if (pruned) throw new TrialPruned(`trial ${trial.number} was pruned at step ${prunedStep}; its program was stopped`);
    if (reportError !== null) {
      const message = reportError instanceof Error ? reportError.message : String(reportError);
      throw this.failure(trial, `reporting an intermediate value failed: ${message}`, stderrTail);
    }
    if (spawnError !== null) {
      const e = spawnError as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') throw this.failure(trial, `command not found: ${program}`, stderrTail);
      if (e.code === 'EACCES') throw this.failure(trial, `permission denied: ${program} is not executable`, stderrTail);
      throw this.failure(trial, `cannot start ${JSON.stringify(program)}: ${e.message}`, stderrTail);
    }
    if (timedOut) {
      throw this.failure(trial, `timed out after ${this.trialTimeoutMs! / 1000} s (the program was stopped)`, stderrTail);
    }
    if (exitSignal !== null) throw this.failure(trial, `the program was killed by signal ${exitSignal}`, stderrTail);
    if (exitCode !== 0) throw this.failure(trial, `the program exited with code ${exitCode}`, stderrTail);
    if (lastTooLong !== null) {
      throw this.failure(
        trial,
        `the program's last stdout line is ${lastTooLong} characters long, over the ${MAX_LINE_CHARS} a result line may have; it was not read as a result`,
        stderrTail,
        stdoutTail,
      );
    }
    if (lastText === null) {
      throw this.failure(
        trial,
        `the program printed no result: its last stdout line must be ${this.nObjectives === 1 ? 'a number' : `a JSON array or object of ${this.nObjectives} numbers`}`,
        stderrTail,
        stdoutTail,
      );
    }
    const parsed = parseResult(lastText, this.nObjectives);
    if (!parsed.ok) throw this.failure(trial, parsed.problem, stderrTail, stdoutTail);
    if (parsed.object && !trial.isFinished) trial.setUserAttr('result', parsed.object);
    if (parsed.constraints && !trial.isFinished) trial.setConstraints(parsed.constraints);
    return parsed.values;
  }

  /** Records the output tails on the trial and builds the error that fails it. */
  private failure(trial: Trial, reason: string, stderrTail: TextTail, stdoutTail?: TextTail): CommandTrialError {
    const err = stderrTail.toString();
    if (!trial.isFinished) {
      if (err.length > 0) trial.setUserAttr('stderr_tail', err);
      const out = stdoutTail?.toString() ?? '';
      if (out.length > 0) trial.setUserAttr('stdout_tail', out);
    }
    const last = stderrTail.lastLine();
    return new CommandTrialError(last ? `${reason}; stderr ends with: ${last}` : reason);
  }
}

/**
 * Refuses choices that cannot reach a program as they are: a NUL character fits in no argument and no
 * environment variable (the program could never be started with it), and a non-finite number has no JSON
 * form (the params file would say null where the arguments say Infinity).
 */
function checkProgramValues(name: string, d: Distribution): void {
  if (d.type !== 'categorical' && d.type !== 'ordinal') return;
  for (const value of d.type === 'categorical' ? d.choices : d.values) {
    if (typeof value === 'string' && value.includes('\0')) {
      throw new InvalidArgumentError(
        `parameter "${name}": the choice ${JSON.stringify(value)} contains a NUL character, which no program argument or environment variable can hold`,
      );
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidArgumentError(
        `parameter "${name}": the choice ${value} is not a finite number; a command objective's params file (JSON) cannot hold it, so the program would see null there and ${value} in its arguments`,
      );
    }
  }
}

/** Trials' parameter-file folders not removed yet (their trial is running, or its cleanup is pending). */
const liveTrialDirs = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes the folders left when the process exits before their trials' own cleanup ran: a second
 * Ctrl-C, or a fatal error, ends the process with `process.exit` while programs are still running.
 */
function removeTrialDirsAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dir of liveTrialDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // nothing more can be done at exit
      }
    }
  });
}
