/**
 * `JournalFileStorage`: the operation log as an append-only file of JSON lines in Optuna's
 * JournalStorage format (see `journal-format.ts`), so Optuna 3.1 and optuna-dashboard read Tansaku
 * studies and Tansaku reads and continues Optuna's.
 *
 * Concurrency. Writers take the same lock as Optuna's default `JournalFileSymlinkLock`: creating the
 * symbolic link `<file>.lock` is atomic (it fails with EEXIST when another process holds it), also on
 * NFS v2+, so Tansaku and Optuna processes on one machine or on a shared filesystem exclude each
 * other. Under the lock a writer reads every line appended since its last read, decides (trial number,
 * budget, claims, first finish wins) against that up-to-date state, appends, fsyncs, and releases the
 * lock by renaming the link to a unique name and unlinking it. Readers need no lock: they read complete
 * lines past their byte offset.
 *
 * Crashes. A writer killed mid-append leaves a torn last line: readers ignore an incomplete last line,
 * and the next writer, holding the lock (so no live writer is mid-append), truncates it before
 * appending. A lock link older than `staleLockMs` (default 30 s; an append takes milliseconds) is
 * taken to belong to a dead writer and is broken. A complete line that is not valid JSON is corruption
 * (not a crash artefact): reading stops with an error naming the file and line, and nothing is written.
 *
 * Durability equals Optuna's: every append is fsynced before the operation is acknowledged. A trial's
 * queued updates are batched into one append (`Storage.updateTrial`), so a trial costs two or three
 * fsyncs, not one per parameter.
 *
 * Heartbeats live outside the log, so they never make it grow: one empty file per running trial in
 * `<file>.heartbeats/`, whose modification time is the last beat (written with the beating machine's
 * clock: keep clocks in sync across machines). The file is removed when the trial finishes.
 */
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { StorageError } from '../core/errors.js';
import type { Operation } from '../core/storage.js';
import { OperationLogStorage, type Decision } from './log-storage.js';
import {
  ORDINAL_ATTR_PREFIX,
  decodeOperation,
  encodeOperation,
  parsePythonJson,
  type DecodeContext,
} from './journal-format.js';

export interface JournalFileStorageOptions {
  /** Worker id written on operations (default host:pid:tag). */
  workerId?: string;
  /** A lock link older than this is considered abandoned by a crashed writer. Default 30000 ms. */
  staleLockMs?: number;
  /** Give up acquiring the lock after this long. Default 120000 ms. */
  lockTimeoutMs?: number;
}

const NEWLINE = 0x0a;
const READ_CHUNK = 1 << 20;

/**
 * @example
 * ```ts
 * const storage = new JournalFileStorage('./tansaku.journal');
 * const study = await createStudy({ storage, studyName: 'mlp', loadIfExists: true });
 * ```
 */
export class JournalFileStorage extends OperationLogStorage {
  readonly path: string;
  private readonly lockPath: string;
  private readonly heartbeatDir: string;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private fd: number;
  /** Byte offset of the first byte not yet applied (always at a line start). */
  private offset = 0;
  /** Complete lines applied so far (for error messages). */
  private linesRead = 0;
  private closed = false;
  private readonly decodeContext: DecodeContext;
  /** Trials this process has a heartbeat file for, and whether the heartbeat directory exists. */
  private readonly beating = new Set<number>();
  private heartbeatDirReady = false;

  constructor(path: string, options: JournalFileStorageOptions = {}) {
    super({ workerId: options.workerId });
    if (typeof path !== 'string' || path.length === 0) {
      throw new StorageError(`JournalFileStorage: path must be a non-empty string, got ${JSON.stringify(path)}`);
    }
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.heartbeatDir = `${path}.heartbeats`;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
    try {
      this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    } catch (error) {
      throw new StorageError(`cannot open journal file ${path}: ${(error as Error).message}`, { cause: error });
    }
    this.decodeContext = {
      isOrdinal: (studyId, name) => this.model.studies[studyId]?.systemAttrs[`${ORDINAL_ATTR_PREFIX}${name}`] === true,
      studyOfTrial: (trialId) => this.model.trials[trialId]?.studyId,
    };
    this.readNewLines();
  }

  protected catchUp(): Promise<void> {
    try {
      this.readNewLines();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Applies every complete line past `offset`. Synchronous, so it is atomic with respect to this
   * process's other storage calls. Returns the file size seen.
   */
  private readNewLines(): number {
    this.assertOpen();
    const size = fs.fstatSync(this.fd).size;
    if (size < this.offset) {
      throw new StorageError(`journal file ${this.path} shrank from ${this.offset} to ${size} bytes while open; it was replaced or truncated by something other than Tansaku`);
    }
    let position = this.offset;
    let carry: Buffer | null = null;
    while (position < size) {
      const length = Math.min(READ_CHUNK, size - position);
      let chunk: Buffer = Buffer.allocUnsafe(length);
      const n = fs.readSync(this.fd, chunk, 0, length, position);
      if (n <= 0) break;
      chunk = chunk.subarray(0, n);
      position += n;
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      let lineStart = 0;
      let nl = buf.indexOf(NEWLINE, lineStart);
      while (nl !== -1) {
        this.applyLine(buf.subarray(lineStart, nl));
        this.offset += nl - lineStart + 1;
        lineStart = nl + 1;
        nl = buf.indexOf(NEWLINE, lineStart);
      }
      carry = lineStart < buf.length ? Buffer.from(buf.subarray(lineStart)) : null;
    }
    // An incomplete last line is either being written right now or torn by a crash: not applied.
    return size;
  }

  private applyLine(bytes: Buffer): void {
    this.linesRead++;
    const text = bytes.toString('utf8').trim();
    if (text.length === 0) return;
    let op: Operation;
    try {
      op = decodeOperation(parsePythonJson(text), this.decodeContext);
    } catch (error) {
      const snippet = text.length > 120 ? `${text.slice(0, 120)}...` : text;
      throw new StorageError(
        `journal file ${this.path}, line ${this.linesRead} (byte ${this.offset}) is not a valid operation: ${(error as Error).message}. ` +
          `Line: ${snippet}. The file is left untouched; repair or remove that line to continue.`,
        { cause: error },
      );
    }
    this.model.apply(op);
  }

  protected async transact<T>(decide: () => Decision<T>): Promise<T> {
    // Parse what others appended before taking the lock, so the lock is held only for the last lines.
    this.readNewLines();
    await this.acquireLock();
    try {
      const size = this.readNewLines();
      if (size > this.offset) {
        // We hold the lock, so nobody is mid-append: the partial last line is torn by a crashed writer.
        process.emitWarning(`journal file ${this.path}: removing a torn last line of ${size - this.offset} bytes left by a crashed writer`, {
          code: 'TANSAKU_JOURNAL_TORN_LINE',
        });
        fs.ftruncateSync(this.fd, this.offset);
      }
      const { ops, result } = decide();
      if (ops.length === 0) return result([]);
      const toWrite = this.withOrdinalFlags(ops);
      const text = toWrite.map((op) => encodeOperation(op)).join('\n') + '\n';
      const bytes = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
      fs.fsyncSync(this.fd);
      const applied = toWrite.map((op) => this.model.apply(op));
      this.offset += bytes.length;
      this.linesRead += toWrite.length;
      for (const op of toWrite) {
        // Only trials this process beats have a file we know of; a FAIL may be a sweep of someone else's.
        if (op.op === 6 && op.state !== 'RUNNING' && (this.beating.has(op.trialId) || op.state === 'FAIL')) this.removeHeartbeat(op.trialId);
      }
      return result(applied.slice(toWrite.length - ops.length));
    } finally {
      this.releaseLock();
    }
  }

  /** Prepends the study attribute that marks a parameter ordinal the first time one is written. */
  private withOrdinalFlags(ops: Operation[]): Operation[] {
    const flags: Operation[] = [];
    const flagged = new Set<string>();
    const need = (studyId: number | undefined, name: string) => {
      if (studyId === undefined) return;
      const key = `${ORDINAL_ATTR_PREFIX}${name}`;
      if (this.model.studies[studyId]?.systemAttrs[key] === true || flagged.has(`${studyId}:${key}`)) return;
      flagged.add(`${studyId}:${key}`);
      flags.push({ op: 3, workerId: this.workerId, studyId, attrs: { [key]: true } });
    };
    for (const op of ops) {
      if (op.op === 5 && op.distribution.type === 'ordinal') need(this.model.trials[op.trialId]?.studyId, op.name);
      if (op.op === 4) for (const [name, p] of Object.entries(op.template.params ?? {})) if (p.distribution.type === 'ordinal') need(op.studyId, name);
    }
    return flags.length ? [...flags, ...ops] : ops;
  }

  private async acquireLock(): Promise<void> {
    this.assertOpen();
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      try {
        fs.symlinkSync(this.path, this.lockPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StorageError(`cannot lock journal file ${this.path} (${this.lockPath}): ${(error as Error).message}`, { cause: error });
        }
      }
      this.breakStaleLock();
      if (Date.now() > deadline) {
        throw new StorageError(
          `timed out after ${this.lockTimeoutMs} ms waiting for the journal lock ${this.lockPath}; ` +
            `if no process is using the journal, delete that file`,
        );
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 50);
    }
  }

  private breakStaleLock(): void {
    try {
      const age = Date.now() - fs.lstatSync(this.lockPath).mtimeMs;
      if (age <= this.staleLockMs) return;
      // Renaming is atomic: of several processes breaking the same lock, one succeeds.
      const aside = `${this.lockPath}.${randomUUID()}.stale`;
      fs.renameSync(this.lockPath, aside);
      fs.unlinkSync(aside);
      process.emitWarning(`journal lock ${this.lockPath} was ${Math.round(age / 1000)} s old; broke it as abandoned by a crashed writer`, {
        code: 'TANSAKU_JOURNAL_STALE_LOCK',
      });
    } catch {
      // Released or broken by someone else meanwhile.
    }
  }

  private releaseLock(): void {
    // Optuna's protocol: rename to a unique name, then unlink, so a lock is never removed twice.
    const aside = `${this.lockPath}.${randomUUID()}.rename`;
    try {
      fs.renameSync(this.lockPath, aside);
      fs.unlinkSync(aside);
    } catch (error) {
      throw new StorageError(`journal lock ${this.lockPath} vanished while held (was it broken as stale?): ${(error as Error).message}`, { cause: error });
    }
  }

  recordHeartbeat(trialId: number): Promise<boolean> {
    try {
      this.readNewLines();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.model.trials[trialId]?.state !== 'RUNNING') return Promise.resolve(false);
    const file = `${this.heartbeatDir}/${trialId}`;
    try {
      if (this.beating.has(trialId)) {
        const now = new Date();
        fs.utimesSync(file, now, now);
      } else {
        // First beat: creating the file sets its modification time.
        if (!this.heartbeatDirReady) {
          fs.mkdirSync(this.heartbeatDir, { recursive: true });
          this.heartbeatDirReady = true;
        }
        fs.closeSync(fs.openSync(file, 'w'));
        this.beating.add(trialId);
      }
    } catch (error) {
      this.beating.delete(trialId);
      this.heartbeatDirReady = false;
      return Promise.reject(new StorageError(`cannot record a heartbeat in ${this.heartbeatDir}: ${(error as Error).message}`));
    }
    return Promise.resolve(true);
  }

  async getStaleTrialIds(studyId: number, graceMs: number): Promise<number[]> {
    await this.catchUp();
    const now = Date.now();
    const stale: number[] = [];
    for (const trialId of this.model.study(studyId).running) {
      try {
        const beat = fs.statSync(`${this.heartbeatDir}/${trialId}`).mtimeMs;
        if (now - beat > graceMs) stale.push(trialId);
      } catch {
        // No heartbeat file: the trial is not run under heartbeats (ask/tell), never stale.
      }
    }
    return stale;
  }

  private removeHeartbeat(trialId: number): void {
    this.beating.delete(trialId);
    try {
      fs.unlinkSync(`${this.heartbeatDir}/${trialId}`);
    } catch {
      // Never beat, or already removed.
    }
  }

  async waitForChange(_studyId: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const start = fs.fstatSync(this.fd).size;
    while (Date.now() < deadline && !this.closed) {
      await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, deadline - Date.now()))));
      if (fs.fstatSync(this.fd).size !== start) return;
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      fs.closeSync(this.fd);
    }
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(`journal file ${this.path} is closed`);
  }
}
