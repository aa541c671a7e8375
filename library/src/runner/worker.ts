/**
 * Worker processes: J Node.js processes, each joining a study through a shared storage (a journal
 * file) and running trials until the study's budget is used, so CPU-bound objectives (TF.js training,
 * simulations in JavaScript) use J cores. The pool starts them, forwards an interruption, kills them
 * on a forced exit, and fails at once the RUNNING trials of a worker that died (instead of waiting for
 * the heartbeat grace period).
 *
 * Also here: loading an objective module (`.ts` through tsx, `.js`/`.mjs` natively).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError, TansakuError } from '../core/errors.js';
import type { Objective } from '../core/study-types.js';
import type { Storage } from '../core/storage.js';
import { failWithRetry } from '../core/heartbeat.js';
import { signalTree, trackChild, untrackChild, type EnvironmentVariables, type SignalName } from './processes.js';

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Whether a module needs the TypeScript loader (tsx). */
export function needsTypeScriptLoader(path: string): boolean {
  return TS_EXTENSIONS.has(extname(path).toLowerCase());
}

/** The `file:` URL of tsx's ESM loader, for `node --import <url>`, or null when tsx is not installed. */
export function tsxLoaderUrl(): string | null {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return null;
  }
}

let tsxRegistered = false;

/**
 * Imports an objective module and returns its `objective` export (or its default export when that is
 * a function). A `.ts` module is loaded through tsx, which must be installed.
 */
export async function loadObjectiveModule(path: string): Promise<Objective> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InvalidArgumentError(`objective module ${JSON.stringify(path)} does not exist`);
  const url = pathToFileURL(abs).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (needsTypeScriptLoader(abs) && code === 'ERR_UNKNOWN_FILE_EXTENSION' && !tsxRegistered) {
      let register: () => unknown;
      try {
        ({ register } = (await import('tsx/esm/api')) as { register: () => unknown });
      } catch {
        throw new InvalidArgumentError(
          `objective module ${JSON.stringify(path)} is TypeScript: install tsx (npm install tsx) or compile it to JavaScript`,
        );
      }
      register();
      tsxRegistered = true;
      return loadObjectiveModule(path);
    }
    throw new TansakuError(
      'TANSAKU_OBJECTIVE_MODULE',
      `cannot load objective module ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const fn = typeof mod.objective === 'function' ? mod.objective : typeof mod.default === 'function' ? mod.default : null;
  if (!fn) {
    throw new InvalidArgumentError(
      `objective module ${JSON.stringify(path)} exports no function "objective" (nor a default function); exports: ${Object.keys(mod).join(', ') || 'none'}`,
    );
  }
  return fn as Objective;
}

/** How one worker process ended. */
export interface WorkerExit {
  index: number;
  pid: number | undefined;
  code: number | null;
  signal: SignalName | null;
}

export interface WorkerPoolOptions {
  /** The module each worker runs (a `.ts` entry gets the tsx loader). */
  entry: string;
  /** Arguments of worker `index`. */
  args: (index: number) => string[];
  /** Number of worker processes. */
  count: number;
  /** Also load the tsx loader (e.g. because the objective module is TypeScript). */
  typescript?: boolean;
  /** Extra environment variables for the workers. */
  env?: EnvironmentVariables;
  /** Called when a worker exits. */
  onExit?: (exit: WorkerExit) => void;
}

/**
 * Starts `count` Node.js worker processes. Each has its own process group (a terminal's Ctrl-C reaches
 * only the parent, which forwards one SIGINT) and an IPC channel whose loss tells the worker that its
 * parent died, so no worker outlives it by more than its current trial.
 */
export class WorkerPool {
  private readonly children: Array<{ child: ChildProcess; exited: Promise<WorkerExit> }> = [];
  private readonly options: WorkerPoolOptions;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.count) || options.count < 1) {
      throw new InvalidArgumentError(`worker count must be an integer >= 1, got ${options.count}`);
    }
    this.options = options;
  }

  /** Starts the workers. */
  start(): void {
    const execArgv: string[] = [];
    if (needsTypeScriptLoader(this.options.entry) || this.options.typescript) {
      const loader = tsxLoaderUrl();
      if (!loader) throw new InvalidArgumentError('TypeScript workers need tsx: npm install tsx');
      execArgv.push('--import', loader);
    }
    for (let index = 0; index < this.options.count; index++) {
      const child = spawn(process.execPath, [...execArgv, this.options.entry, ...this.options.args(index)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // The worker compares its parent with this pid (see `watchParent`): reparented means orphaned.
        env: { ...process.env, ...this.options.env, [PARENT_PID_ENV]: String(process.pid) },
        detached: process.platform !== 'win32',
      });
      if (child.pid !== undefined) trackChild(child.pid);
      const exited = new Promise<WorkerExit>((resolveExit) => {
        child.on('error', () => {
          if (child.pid === undefined) resolveExit({ index, pid: undefined, code: 1, signal: null });
        });
        child.on('exit', (code, signal) => {
          if (child.pid !== undefined) untrackChild(child.pid);
          const exit = { index, pid: child.pid, code, signal };
          this.options.onExit?.(exit);
          resolveExit(exit);
        });
      });
      this.children.push({ child, exited });
    }
  }

  /** Process ids of the workers. */
  get pids(): number[] {
    return this.children.map((c) => c.child.pid).filter((p): p is number => p !== undefined);
  }

  /** Resolves when every worker has exited. */
  wait(): Promise<WorkerExit[]> {
    return Promise.all(this.children.map((c) => c.exited));
  }

  /** Asks every live worker to stop (SIGINT: running trials are failed as interrupted). */
  interrupt(): void {
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Kills every live worker's process tree at once. */
  kill(): void {
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) signalTree(child.pid, 'SIGKILL');
    }
  }
}

const PARENT_PID_ENV = 'TANSAKU_PARENT_PID';
/** How often a worker checks that its parent is alive, besides the IPC channel's disconnect event (ms). */
const PARENT_CHECK_MS = 250;

/**
 * In a worker process of a {@link WorkerPool}: calls `onGone` once the parent is gone — its IPC channel
 * closed (the event, and `process.connected` for a close that came before this was called, e.g. while
 * the worker was still loading), or the process reparented (its parent pid is no longer the pool's) —
 * so an orphaned worker stops instead of running the rest of the budget unsupervised.
 *
 * @example
 * watchParent(() => controller.abort()); // first thing in the worker's entry
 */
export function watchParent(onGone: () => void): void {
  const parent = Number(process.env[PARENT_PID_ENV]);
  const hadChannel = process.channel !== undefined;
  let told = false;
  const tell = (): void => {
    if (told) return;
    told = true;
    clearInterval(timer);
    onGone();
  };
  const gone = (): boolean => (hadChannel && !process.connected) || (Number.isSafeInteger(parent) && parent > 0 && process.ppid !== parent);
  const timer = setInterval(() => gone() && tell(), PARENT_CHECK_MS);
  timer.unref();
  if (hadChannel) {
    process.channel?.unref();
    process.on('disconnect', tell);
  }
  if (gone()) tell();
}

/**
 * Fails the RUNNING trials of a study that a dead worker process (by pid, on this host) was running, so
 * they need not wait for the heartbeat grace period, and re-enqueues each while it has been retried
 * fewer than `maxRetry` times (the study's `heartbeat.maxRetry`), as the stale rule would have. Returns
 * their numbers.
 */
export async function failTrialsOfDeadWorker(
  storage: Storage,
  studyId: number,
  pid: number,
  reason: string,
  maxRetry = 0,
): Promise<number[]> {
  const prefix = `${hostname()}:${pid}:`;
  const failed: number[] = [];
  for (const t of await storage.getAllTrials(studyId, { states: ['RUNNING'] })) {
    if (!t.workerId?.startsWith(prefix)) continue;
    // The reason is written with the FAIL, in one append: attributes of a finished trial are ignored (by
    // Optuna's replay and Tansaku's), so written after it they would never be read.
    if (await failWithRetry(storage, studyId, t, reason, maxRetry)) failed.push(t.number);
  }
  return failed;
}
