/**
 * Runs jobs (one {@link RunSpec} each): in this process ({@link JobRunner}) or in a pool of child
 * processes ({@link ProcessPool}, each child a `worker.ts` with its own JobRunner and, on its first Optuna
 * job, its own long-lived bridge process).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchmarkProblem } from '../problems/problem.js';
import { OptunaBridge, OptunaBridgeError } from './optuna-bridge.js';
import { findProblem } from './problems.js';
import { runOptuna, runTansaku, type RunRecord, type RunSpec } from './runner.js';
import { samplerByName } from './samplers.js';

/**
 * Outcome of one job: its record, or a fatal error that makes every job of that framework fail (no Optuna),
 * or, with `sampler`, every job of that sampler (its package is missing here).
 */
export type JobOutcome = { record: RunRecord } | { fatal: string; framework: 'optuna' | 'tansaku'; sampler?: string };

export class JobRunner {
  private bridge: OptunaBridge | null = null;

  constructor(private readonly resolve: (group: string, id: string) => BenchmarkProblem = findProblem) {}

  async run(job: RunSpec): Promise<JobOutcome> {
    const entry = samplerByName(job.sampler);
    if (!entry) return { fatal: `unknown sampler ${job.sampler}`, framework: 'tansaku' };
    const problem = this.resolve(job.group, job.problem);
    if (entry.framework === 'tansaku') return { record: await runTansaku(problem, entry, job) };
    try {
      this.bridge ??= OptunaBridge.open();
      return { record: await runOptuna(this.bridge, problem, entry, job) };
    } catch (e) {
      this.bridge?.close();
      this.bridge = null;
      if (e instanceof OptunaBridgeError)
        return { fatal: e.message, framework: 'optuna', ...(e.code === 'MODULE_MISSING' ? { sampler: job.sampler } : {}) };
      throw e;
    }
  }

  /** The Optuna version of the open bridge, if one was opened. */
  get optunaVersion(): string | null {
    return this.bridge?.info.optuna ?? null;
  }

  close(): void {
    this.bridge?.close();
    this.bridge = null;
  }
}

/** Something that runs jobs, `concurrency` at a time. */
export interface Executor {
  readonly concurrency: number;
  run(job: RunSpec): Promise<JobOutcome>;
  close(): Promise<void>;
}

/** Runs jobs one at a time in this process. */
export class InlineExecutor implements Executor {
  readonly concurrency = 1;
  private readonly runner: JobRunner;
  constructor(resolve?: (group: string, id: string) => BenchmarkProblem) {
    this.runner = new JobRunner(resolve);
  }
  run(job: RunSpec): Promise<JobOutcome> {
    return this.runner.run(job);
  }
  async close(): Promise<void> {
    this.runner.close();
  }
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

interface Slot {
  child: ChildProcess;
  busy: boolean;
  resolve?: (o: JobOutcome) => void;
  reject?: (e: Error) => void;
}

/**
 * A pool of child processes running `worker.ts` (with this process's execArgv, so the tsx loader comes
 * along). Each child runs one job at a time; `run` waits for a free child.
 */
export class ProcessPool implements Executor {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(readonly concurrency: number) {
    for (let i = 0; i < concurrency; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const child = fork(WORKER, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const slot: Slot = { child, busy: false };
    child.on('message', (m: { type: string; outcome?: JobOutcome; error?: string }) => {
      const { resolve, reject } = slot;
      slot.resolve = slot.reject = undefined;
      if (m.type === 'outcome' && resolve) resolve(m.outcome!);
      else if (m.type === 'error' && reject) reject(new Error(m.error));
    });
    child.on('error', (e) => {
      // e.g. EPIPE when sending to a child that was just interrupted; 'exit' follows and respawns it.
      slot.reject?.(e);
      slot.resolve = slot.reject = undefined;
    });
    child.on('exit', (code, signal) => {
      if (slot.reject) slot.reject(new Error(`a worker process exited (${signal ?? code}) during a job`));
      slot.resolve = slot.reject = undefined;
      if (!this.closed) {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots[i] = this.spawn();
      }
    });
    return slot;
  }

  async run(job: RunSpec): Promise<JobOutcome> {
    let slot = this.slots.find((s) => !s.busy);
    while (!slot) {
      await new Promise<void>((r) => this.waiting.push(r));
      slot = this.slots.find((s) => !s.busy);
    }
    slot.busy = true;
    try {
      return await new Promise<JobOutcome>((resolve, reject) => {
        if (!slot!.child.connected) return reject(new Error('the worker process is gone'));
        slot!.resolve = resolve;
        slot!.reject = reject;
        slot!.child.send({ type: 'run', job }, (e) => {
          if (e) reject(e);
        });
      });
    } finally {
      slot.busy = false;
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
            s.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (s.child.connected) s.child.send({ type: 'stop' });
            else s.child.kill('SIGTERM');
          }),
      ),
    );
  }

  /** Ends every child now (e.g. on SIGINT); their jobs in flight are lost (not cached). */
  kill(): void {
    this.closed = true;
    for (const s of this.slots) if (s.child.exitCode === null) s.child.kill('SIGTERM');
  }
}
