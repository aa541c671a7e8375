/**
 * `JournalFileStorage`: the operation log as an append-only file of JSON lines in Optuna's
 * JournalStorage format (see `journal-format.ts`), so Optuna 3.1 and optuna-dashboard read Tansaku
 * studies and Tansaku reads and continues Optuna's.
 *
 * Concurrency. Writers take the same lock as Optuna's default `JournalFileSymlinkLock`: creating the
 * symbolic link `<file>.lock` is atomic (it fails with EEXIST when another process holds it), also on
 * NFS v2+, so Tansaku and Optuna processes on one machine or on a shared filesystem exclude each
 * other. Under the lock a writer reads every line appended since its last read, decides (trial number,
 * budget, claims, first finish wins) against that up-to-date state, appends, releases the lock by
 * unlinking the link, and fsyncs before acknowledging (outside the lock, so concurrent writers' fsyncs
 * overlap). Readers need no lock: they read complete lines past their byte offset.
 *
 * Crashes. A writer killed mid-append leaves a torn last line: readers ignore an incomplete last line,
 * and the next writer, holding the lock (so no live writer is mid-append), truncates it before
 * appending. A last line that is whole but for its newline is applied by readers, as Optuna's reader
 * applies it, and completed by the next writer (an Optuna process that read it meanwhile cannot go on
 * past it: Optuna 3.1 raises JSONDecodeError at its next read, and must be restarted). A lock link older than `staleLockMs` (default 30 s; an append takes milliseconds) is
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
import { checkOptions } from '../core/options.js';
import { StorageError } from '../core/errors.js';
import { OpCode, type Operation } from '../core/storage.js';
import { OperationLogStorage, type Decision } from './log-storage.js';
import { ORDINAL_ATTR_PREFIX, decodeOperation, encodeOperation, parsePythonJson, type DecodeContext } from './journal-format.js';

export interface JournalFileStorageOptions {
  /** Worker id written on operations (default host:pid:tag). */
  workerId?: string;
  /** A lock link older than this is considered abandoned by a crashed writer. Default 30000 ms. */
  staleLockMs?: number;
  /** Give up acquiring the lock after this long. Default 120000 ms. */
  lockTimeoutMs?: number;
  /**
   * fsync each append before releasing the lock (true), or after (false: concurrent writers' fsyncs
   * overlap). Default: after on local filesystems (ext4, XFS, Btrfs, ZFS, F2FS, tmpfs, overlayfs), before
   * on any other (NFS, SMB, FUSE, cluster filesystems), whose clients may hold written bytes back until
   * the fsync: there the next writer must not append before they reach the server.
   */
  fsyncUnderLock?: boolean;
  /**
   * Open the file for reading only (it must exist): every write, heartbeat included, is refused with an
   * error. For tools that only look at a study, and for users who may read but not write the file.
   */
  readOnly?: boolean;
}

/** statfs magic numbers of local filesystems on which an append is visible to every process at once. */
const LOCAL_FILESYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x2fc12fc1, 0xf2f52010, 0x01021994, 0x794c7630]);

function isLocalFilesystem(path: string): boolean {
  try {
    return LOCAL_FILESYSTEMS.has(fs.statfsSync(path).type);
  } catch {
    return false;
  }
}

const NEWLINE = 0x0a;
/** The start of some bytes as text, without a byte-order mark or leading blanks. */
function leadingText(bytes: Buffer): string {
  return bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
}

const OPERATION_START = '{"op_code"';

/**
 * Whether text (leading whitespace removed) could be the start of a journal operation: it starts with
 * `{"op_code"` (Optuna and Tansaku both write `op_code` first; JSON allows spaces after the brace), or it
 * is a proper prefix of that — `{`, `{"o`, `{"op_co` — which a short write on a full disk leaves.
 */
function startsLikeOperation(text: string): boolean {
  const normal = text.replace(/^\{\s*/, '{');
  return normal.startsWith(OPERATION_START) || (normal.length > 0 && OPERATION_START.startsWith(normal));
}

/** How long a writer waits for the lock before it says so (at most half the stale-lock age; appends hold it for milliseconds). */
const LOCK_WAIT_NOTICE_MS = 5_000;
const READ_CHUNK = 1 << 20;
/** Reads in a row that may reuse a catch-up made earlier in the same event-loop turn (see `catchUp`). */
const MAX_REUSED_CATCH_UPS = 8;

/**
 * Appends made through any JournalFileStorage of this process, per file (device:inode): a storage
 * reuses a catch-up only if no other instance in this process wrote to its file since.
 */
const appendsInThisProcess = new Map<string, number>();

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
  /**
   * What the lock link points to: this process's pid. Only the link's existence is the lock (Optuna
   * points it at the journal), and a target under 60 bytes lives in the inode on ext4: a longer one
   * (a journal path in a temporary directory, say) costs a disk block to allocate and free on every
   * append, which measured ~80 µs per unlink here.
   */
  private readonly lockTarget = `tansaku-pid-${process.pid}`;
  private readonly heartbeatDir: string;
  private readonly staleLockMs: number;
  private readonly lockTimeoutMs: number;
  private readonly fsyncUnderLock: boolean;
  private readonly readOnly: boolean;
  private fd: number;
  /** Byte offset of the first byte not yet applied (always at a line start). */
  private offset = 0;
  /** The bytes applied end with a whole operation whose newline is missing (see `applyLinesUpTo`). */
  private endsWithoutNewline = false;
  /** Complete lines applied so far (for error messages). */
  private linesRead = 0;
  private closed = false;
  private readonly decodeContext: DecodeContext;
  /** Trials this process has a heartbeat file for, and whether the heartbeat directory exists. */
  private readonly beating = new Set<number>();
  private heartbeatDirReady = false;
  /** device:inode of the file, the key of `appendsInThisProcess`. */
  private readonly fileKey: string;
  /** Whether the model was caught up in the current event-loop turn, and this process's append count then. */
  private caughtUpThisTurn = false;
  private appendsSeen = 0;
  private reusedCatchUps = 0;

  constructor(path: string, given: JournalFileStorageOptions = {}) {
    const options = checkOptions('JournalFileStorage', given, ['workerId', 'staleLockMs', 'lockTimeoutMs', 'fsyncUnderLock', 'readOnly']);
    super({ workerId: options.workerId });
    if (typeof path !== 'string' || path.length === 0) {
      throw new StorageError(`JournalFileStorage: path must be a non-empty string, got ${JSON.stringify(path)}`);
    }
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.heartbeatDir = `${path}.heartbeats`;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
    this.readOnly = options.readOnly === true;
    try {
      this.fd = this.readOnly
        ? fs.openSync(path, fs.constants.O_RDONLY)
        : fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    } catch (error) {
      throw new StorageError(`cannot open journal file ${path}: ${(error as Error).message}`, { cause: error });
    }
    this.decodeContext = {
      isOrdinal: (studyId, name) => this.model.studies[studyId]?.systemAttrs[`${ORDINAL_ATTR_PREFIX}${name}`] === true,
      studyOfTrial: (trialId) => this.model.trials[trialId]?.studyId,
    };
    this.fsyncUnderLock = options.fsyncUnderLock ?? !isLocalFilesystem(path);
    const stat = fs.fstatSync(this.fd);
    if (!stat.isFile()) {
      fs.closeSync(this.fd);
      this.closed = true;
      const kind = stat.isDirectory()
        ? 'a directory'
        : stat.isCharacterDevice()
          ? 'a device'
          : stat.isFIFO()
            ? 'a pipe'
            : 'not a regular file';
      throw new StorageError(
        `${path} is ${kind}, not a journal file: a journal is a regular file that is appended to and fsynced; give the path of one, or of a file that does not exist yet`,
      );
    }
    this.fileKey = `${stat.dev}:${stat.ino}`;
    const size = this.readNewLines();
    if (this.offset === 0 && size > 0) this.refuseIfNotJournal(size);
  }

  /**
   * A non-empty file without one complete line is a journal only if it starts like an operation (a crash
   * tore its first append); anything else — notes, a space file given as `--storage` by mistake — is
   * refused before a writer could take its content for a torn line.
   */
  private refuseIfNotJournal(size: number): void {
    const head = Buffer.alloc(Math.min(size, 64));
    fs.readSync(this.fd, head, 0, head.length, 0);
    const text = leadingText(head);
    if (text.length === 0 || startsLikeOperation(text)) return;
    fs.closeSync(this.fd);
    this.closed = true;
    throw new StorageError(
      `${this.path} is not a journal file: it starts with ${JSON.stringify(text.slice(0, 40))}, not a journal operation ({"op_code": ...}); ` +
        `give the path of a journal, or of a file that does not exist yet`,
    );
  }

  protected catchUp(): Promise<void> {
    try {
      this.catchUpOncePerTurn();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Reads see what other processes appended up to the last catch-up, which is made at most once per
   * event-loop turn (a trial's several reads then cost one fstat, not one each) and after at most
   * `MAX_REUSED_CATCH_UPS` reads, so even a loop that never yields sees new lines. Writes of other
   * Storage objects of this process are always seen, and every write decides on the file as read under
   * the lock.
   */
  private catchUpOncePerTurn(): void {
    if (
      this.caughtUpThisTurn &&
      this.reusedCatchUps < MAX_REUSED_CATCH_UPS &&
      (appendsInThisProcess.get(this.fileKey) ?? 0) === this.appendsSeen
    ) {
      this.reusedCatchUps++;
      return;
    }
    this.readNewLines();
  }

  private markCaughtUp(): void {
    this.appendsSeen = appendsInThisProcess.get(this.fileKey) ?? 0;
    this.reusedCatchUps = 0;
    if (this.caughtUpThisTurn) return;
    this.caughtUpThisTurn = true;
    setImmediate(() => {
      this.caughtUpThisTurn = false;
    }).unref();
  }

  /**
   * Applies every complete line past `offset`. Synchronous, so it is atomic with respect to this
   * process's other storage calls. Returns the file size seen.
   */
  private readNewLines(): number {
    this.assertOpen();
    // stat by path, not fstat: a file replaced under us (a `git checkout` or `cp` over it, a restore from
    // backup) leaves our descriptor on the old, deleted file, where every later append would be lost.
    const stat = fs.statSync(this.path, { throwIfNoEntry: false });
    if (stat === undefined || `${stat.dev}:${stat.ino}` !== this.fileKey) {
      throw new StorageError(
        `journal file ${this.path} was ${stat === undefined ? 'deleted' : 'replaced by another file'} while open (by something other than Tansaku); ` +
          `nothing more is written through this storage: open the journal again`,
      );
    }
    const size = stat.size;
    if (size < this.offset) {
      throw new StorageError(
        `journal file ${this.path} shrank from ${this.offset} to ${size} bytes while open; it was replaced or truncated by something other than Tansaku`,
      );
    }
    try {
      this.applyLinesUpTo(size);
    } finally {
      this.model.seal();
    }
    // An incomplete last line is either being written right now or torn by a crash: not applied.
    this.markCaughtUp();
    return size;
  }

  /**
   * Applies the complete lines between `offset` and `size`, in chunks. A last line that lacks only its
   * newline (a writer died between the two) is applied too, as Optuna's reader applies it (`json.loads`
   * of the last line read), so both tools agree on the study; the next writer completes it.
   */
  private applyLinesUpTo(size: number): void {
    let position = this.offset;
    if (this.endsWithoutNewline && position < size) {
      // The newline the next writer wrote after the line applied without one: not a line of its own.
      const first = Buffer.alloc(1);
      fs.readSync(this.fd, first, 0, 1, position);
      if (first[0] === NEWLINE) {
        this.offset++;
        position++;
      }
      this.endsWithoutNewline = false;
    }
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
    if (carry !== null && this.isWholeOperation(carry)) {
      this.applyLine(carry);
      this.offset += carry.length;
      this.endsWithoutNewline = true;
    }
  }

  /** Whether bytes after the last newline are a whole operation (else a torn line, or one being written). */
  private isWholeOperation(bytes: Buffer): boolean {
    try {
      decodeOperation(parsePythonJson(bytes.toString('utf8').trim()), this.decodeContext);
      return true;
    } catch {
      return false;
    }
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
    this.assertWritable();
    // Parse what others appended before taking the lock, so the lock is held only for the last lines.
    this.catchUpOncePerTurn();
    await this.acquireLock();
    let decision: Decision<T>;
    let toWrite: Operation[];
    let length: number;
    try {
      const size = this.readNewLines();
      if (size > this.offset) this.repairLastLine(size);
      decision = decide();
      if (decision.ops.length === 0) return decision.result([]);
      toWrite = this.withOrdinalFlags(decision.ops);
      let text = `${toWrite.map((op) => encodeOperation(op)).join('\n')}\n`;
      if (this.endsWithoutNewline) {
        text = `\n${text}`;
        process.emitWarning(
          `journal file ${this.path}: completing a last line that a crashed writer left without its newline (it was applied, as Optuna applies it); ` +
            'an Optuna process that read the file since fails with JSONDecodeError at its next read, as Optuna cannot continue past such a line: restart it',
          { code: 'TANSAKU_JOURNAL_TORN_LINE' },
        );
      }
      const bytes = Buffer.from(text, 'utf8');
      const before = this.offset; // the file's size: its torn tail, if any, was repaired above
      try {
        let written = 0;
        while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
        if (this.fsyncUnderLock) fs.fsyncSync(this.fd);
      } catch (error) {
        this.undoFailedAppend(before);
        throw this.appendError(error);
      }
      length = bytes.length;
      this.endsWithoutNewline = false;
    } finally {
      this.releaseLock();
    }
    // The append is complete in the file, in log order, before the lock is released; it is made durable
    // outside the lock so that other writers' appends and fsyncs overlap with this one (the filesystem
    // commits them together) instead of queueing behind it. Nothing is acknowledged — applied to this
    // process's model, returned — before the fsync returns. An fsync covers every byte of the file
    // written before it, so a later writer's acknowledged append never survives a crash without this one.
    // (Not on network filesystems: see `fsyncUnderLock`.) Everything from here to the return is
    // synchronous: no other call of this process can read the new lines before they are applied here.
    if (!this.fsyncUnderLock) {
      try {
        fs.fsyncSync(this.fd);
      } catch (error) {
        // The lines are in the file (other readers may apply them) but not known to be durable: not acknowledged.
        throw this.appendError(error);
      }
    }
    const applied = this.model.applyAll(toWrite);
    this.offset += length;
    const appends = (appendsInThisProcess.get(this.fileKey) ?? 0) + 1;
    appendsInThisProcess.set(this.fileKey, appends);
    this.appendsSeen = appends;
    this.linesRead += toWrite.length;
    for (const op of toWrite) {
      // Only trials this process beats have a file we know of; a FAIL may be a sweep of someone else's.
      if (op.op === OpCode.SetTrialStateValues && op.state !== 'RUNNING' && (this.beating.has(op.trialId) || op.state === 'FAIL'))
        this.removeHeartbeat(op.trialId);
    }
    return decision.result(applied.slice(toWrite.length - decision.ops.length));
  }

  /**
   * Under the lock, after an append failed part-way (a full disk): cuts what it wrote, so the file ends
   * on its last complete line again (truncating needs no space). Should that fail too, the next writer
   * removes the torn line ({@link repairLastLine}).
   */
  private undoFailedAppend(size: number): void {
    try {
      fs.ftruncateSync(this.fd, size);
    } catch {
      // left for the next writer's repair
    }
  }

  /** A failed append or fsync as an error that names the journal and what to do. */
  private appendError(error: unknown): StorageError {
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOSPC' || code === 'EDQUOT' ? `the disk is full (${code}): free space on it and run again` : `${(error as Error).message}`;
    return new StorageError(
      `cannot append to journal file ${this.path}: ${what}. The operation was not acknowledged, and the study is intact up to its last complete line`,
      { cause: error },
    );
  }

  /**
   * Under the lock (nobody is mid-append), bytes after the last newline that are not a whole operation
   * (`readNewLines` applied a whole one) were left by a writer that crashed or ran out of space mid-line:
   * the torn line is removed. Anything that cannot be the start of an operation is refused instead: a
   * text file given as the journal by mistake is one "line" without a newline, and cutting it would
   * destroy the file.
   */
  private repairLastLine(size: number): void {
    const tail = Buffer.alloc(size - this.offset);
    fs.readSync(this.fd, tail, 0, tail.length, this.offset);
    const head = leadingText(tail.subarray(0, Math.min(tail.length, 64)));
    if (!startsLikeOperation(head)) {
      throw new StorageError(
        `journal file ${this.path} ends with ${tail.length} bytes after its last complete line that are not a journal operation ` +
          `(${JSON.stringify(head.slice(0, 40))}...); is this file a journal? Nothing was written.`,
      );
    }
    process.emitWarning(`journal file ${this.path}: removing a torn last line of ${tail.length} bytes left by a crashed writer`, {
      code: 'TANSAKU_JOURNAL_TORN_LINE',
    });
    fs.ftruncateSync(this.fd, this.offset);
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
      flags.push({ op: OpCode.SetStudySystemAttr, workerId: this.workerId, studyId, attrs: { [key]: true } });
    };
    for (const op of ops) {
      if (op.op === OpCode.SetTrialParam && op.distribution.type === 'ordinal') need(this.model.trials[op.trialId]?.studyId, op.name);
      if (op.op === OpCode.CreateTrial)
        for (const [name, p] of Object.entries(op.template.params ?? {})) if (p.distribution.type === 'ordinal') need(op.studyId, name);
    }
    return flags.length ? [...flags, ...ops] : ops;
  }

  private async acquireLock(): Promise<void> {
    this.assertOpen();
    const started = Date.now();
    const deadline = started + this.lockTimeoutMs;
    let wait = 1;
    let told = false;
    for (;;) {
      try {
        fs.symlinkSync(this.lockTarget, this.lockPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StorageError(`cannot lock journal file ${this.path} (${this.lockPath}): ${(error as Error).message}`, { cause: error });
        }
      }
      this.breakStaleLock();
      if (!told && Date.now() - started > Math.min(LOCK_WAIT_NOTICE_MS, this.staleLockMs / 2)) {
        // An append holds the lock for milliseconds: seconds mean a stuck or crashed holder. Say so
        // rather than look hung until the lock is old enough to break.
        told = true;
        let holder = 'unknown';
        try {
          holder = fs.readlinkSync(this.lockPath);
        } catch {
          // released meanwhile, or not a link
        }
        process.emitWarning(
          `waiting ${Math.round((Date.now() - started) / 1000)} s for the journal lock ${this.lockPath} (held by ${holder}); ` +
            `a lock older than ${Math.round(this.staleLockMs / 1000)} s is broken as abandoned by a crashed writer`,
          { code: 'TANSAKU_JOURNAL_LOCK_WAIT' },
        );
      }
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
    let stale: fs.Stats;
    try {
      stale = fs.lstatSync(this.lockPath);
    } catch {
      return; // released meanwhile
    }
    if (stale.isDirectory()) {
      throw new StorageError(`cannot lock journal file ${this.path}: ${this.lockPath} is a directory, not a lock; remove or rename it`);
    }
    const age = Date.now() - stale.mtimeMs;
    if (age <= this.staleLockMs) return;
    // Renaming is atomic, so of several processes breaking the same lock one moves it. But between our
    // lstat and our rename another waiter may have broken it and a live writer taken a fresh lock: then
    // the link we move is that writer's. So the link is deleted only if it is the stale one we examined;
    // a live lock is linked back at once (link() fails, rather than replacing, if yet another process
    // took the lock in that instant — then two writers hold it, which we can only report).
    const aside = `${this.lockPath}.${randomUUID()}.stale`;
    try {
      fs.renameSync(this.lockPath, aside);
    } catch {
      return; // released or broken by someone else meanwhile
    }
    let moved: fs.Stats | undefined;
    try {
      moved = fs.lstatSync(aside);
    } catch {
      moved = undefined;
    }
    const same = moved !== undefined && moved.ino === stale.ino && moved.dev === stale.dev && Date.now() - moved.mtimeMs > this.staleLockMs;
    if (!same && moved !== undefined) {
      try {
        fs.linkSync(aside, this.lockPath);
      } catch (error) {
        process.emitWarning(
          `journal lock ${this.lockPath}: while breaking a stale lock another writer's live lock was moved and could not be put back (${(error as Error).message}); two writers may append at once`,
          { code: 'TANSAKU_JOURNAL_LOCK_RACE' },
        );
      }
    }
    try {
      fs.unlinkSync(aside);
    } catch {
      // Left behind: a name no one uses.
    }
    if (same) {
      process.emitWarning(`journal lock ${this.lockPath} was ${Math.round(age / 1000)} s old; broke it as abandoned by a crashed writer`, {
        code: 'TANSAKU_JOURNAL_STALE_LOCK',
      });
    }
  }

  private releaseLock(): void {
    // Unlinking the link is atomic. (Optuna renames it to a unique name first and unlinks that; the
    // rename adds a metadata write per append and guards nothing more: a holder whose lock was broken
    // as stale would rename or unlink the new holder's link alike.)
    try {
      fs.unlinkSync(this.lockPath);
    } catch (error) {
      throw new StorageError(`journal lock ${this.lockPath} vanished while held (was it broken as stale?): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  recordHeartbeat(trialId: number): Promise<boolean> {
    try {
      this.assertWritable();
      this.catchUpOncePerTurn();
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
    return this.staleRunningTrials(studyId, graceMs, (trialId) => {
      try {
        return fs.statSync(`${this.heartbeatDir}/${trialId}`).mtimeMs;
      } catch {
        return undefined; // not beaten yet (or never: a trial of a worker without heartbeats)
      }
    });
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

  private assertWritable(): void {
    if (this.readOnly) throw new StorageError(`journal file ${this.path} was opened read-only; nothing is written through this storage`);
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(`journal file ${this.path} is closed`);
  }
}
