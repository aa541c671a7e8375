/**
 * `InMemoryStorage`: the operation log kept in an array in this process. Fast, and gone when the
 * process exits; use it for tests, notebooks-style scripts and single-process studies.
 */
import { checkOptions } from '../core/options.js';
import { OpCode, type Operation } from '../core/storage.js';
import { OperationLogStorage, type Decision } from './log-storage.js';

/**
 * @example
 * ```ts
 * const storage = new InMemoryStorage();
 * const study = await createStudy({ storage, studyName: 'demo' });
 * ```
 */
export class InMemoryStorage extends OperationLogStorage {
  /** The operation log, in append order. */
  private readonly log: Operation[] = [];
  private readonly heartbeats = new Map<number, number>();
  private waiters: Array<() => void> = [];

  constructor(given: { workerId?: string } = {}) {
    const options = checkOptions('InMemoryStorage', given, ['workerId']);
    super(options);
  }

  /** A storage rebuilt by replaying an operation log, e.g. `readLog()` of another one. */
  static fromLog(ops: readonly Operation[], options: { workerId?: string } = {}): InMemoryStorage {
    const storage = new InMemoryStorage(options);
    storage.log.push(...ops);
    storage.model.applyAll(ops);
    return storage;
  }

  /** Number of operations in the log (for tests and the dashboard's tailing). */
  get logLength(): number {
    return this.log.length;
  }

  /** Operations from position `from` on; the log is append-only, so positions are stable cursors. */
  readLog(from = 0): readonly Operation[] {
    return this.log.slice(from);
  }

  protected catchUp(): Promise<void> {
    return Promise.resolve();
  }

  protected transact<T>(decide: () => Decision<T>): Promise<T> {
    // One synchronous turn of the event loop is the write lock: nothing else can append in between.
    try {
      const { ops, result } = decide();
      for (const op of ops) {
        this.log.push(op);
        if (op.op === OpCode.SetTrialStateValues && op.state !== 'RUNNING') this.heartbeats.delete(op.trialId);
      }
      const applied = this.model.applyAll(ops);
      if (ops.some((op) => op.op === OpCode.CreateTrial || op.op === OpCode.SetTrialStateValues)) this.notifyWaiters();
      return Promise.resolve(result(applied));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private notifyWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  recordHeartbeat(trialId: number): Promise<boolean> {
    if (this.model.trials[trialId]?.state !== 'RUNNING') return Promise.resolve(false);
    this.heartbeats.set(trialId, Date.now());
    return Promise.resolve(true);
  }

  getStaleTrialIds(studyId: number, graceMs: number): Promise<number[]> {
    return Promise.resolve(this.staleRunningTrials(studyId, graceMs, (trialId) => this.heartbeats.get(trialId)));
  }

  waitForChange(_studyId: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  close(): Promise<void> {
    this.notifyWaiters();
    return Promise.resolve();
  }
}
