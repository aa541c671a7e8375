/**
 * Progress bars for training epochs and for the trials of a study, in the manner of the CLI's progress
 * (as the `tansaku` command's): on a terminal, lines redrawn in place (a bar, counts, elapsed<ETA, the last
 * logs or the best value); elsewhere (a pipe, a log file, CI) plain lines, one per finished epoch or trial.
 *
 * @example
 * ```ts
 * import { StudyProgress, train } from 'tansaku/tfjs';
 * const progress = new StudyProgress({ nTrials: 30 });
 * await study.optimize(async (trial) => {
 *   const model = buildModel(trial);
 *   try {
 *     const { history } = await train(model, data, { epochs: 10, callbacks: [progress.epochs(trial)] });
 *     return history.val_accuracy.at(-1)!;
 *   } finally { model.dispose(); }
 * }, { nTrials: 30, callbacks: [progress.onTrialEnd] });
 * progress.close();
 * ```
 */
import { describeTrial, formatDuration, formatNumber, type OutputStream } from '../core/format.js';
import type { Study } from '../core/study.js';
import type { FrozenTrial, StudyDirection } from '../core/trial-record.js';
import type { Logs, TrainBeginInfo, TrainCallback, TrainResult } from './train.js';

export type { OutputStream };

export interface ProgressBoardOptions {
  /** Where to draw. Default `process.stderr`. */
  stream?: OutputStream;
  /** Redraw lines in place (true) or print finished lines only (false). Default `stream.isTTY`. */
  tty?: boolean;
  /** Least milliseconds between two redraws of the live lines (forced redraws excepted). Default 100. */
  minIntervalMs?: number;
}

/**
 * A set of live lines at the bottom of a terminal, redrawn in place, with permanent lines printed
 * above them. When the stream is not a terminal, live lines are never drawn and `log` just prints.
 */
export class ProgressBoard {
  readonly stream: OutputStream;
  readonly tty: boolean;
  private readonly minIntervalMs: number;
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(options: ProgressBoardOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? Boolean(this.stream.isTTY);
    this.minIntervalMs = options.minIntervalMs ?? 100;
  }

  /** Sets a live line (drawn on a terminal only); redraws unless the last redraw was under `minIntervalMs` ago. */
  update(key: string, text: string, force = false): void {
    this.lines.set(key, text);
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < this.minIntervalMs) return;
    this.redraw([]);
  }

  /** Removes a live line. */
  remove(key: string): void {
    if (!this.lines.delete(key) || !this.tty) return;
    this.redraw([]);
  }

  /** Prints a permanent line (above the live lines on a terminal). */
  log(line: string): void {
    if (!this.tty) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.redraw([line]);
  }

  /** Clears the live lines (on a terminal) and forgets them. */
  close(): void {
    this.lines.clear();
    if (this.tty) this.redraw([]);
  }

  private redraw(above: string[]): void {
    const columns = Math.max(20, this.stream.columns ?? 100);
    let out = '';
    for (let i = 0; i < this.drawn; i++) out += i === 0 ? '\r\x1b[2K' : '\x1b[1A\r\x1b[2K';
    for (const line of above) out += `${line}\n`;
    const live = [...this.lines.values()].map((l) => (l.length > columns - 1 ? l.slice(0, columns - 1) : l));
    out += live.join('\n');
    this.drawn = live.length;
    this.lastDraw = Date.now();
    if (out) this.stream.write(out);
  }
}

/** `[#####-------]` for `done` of `total`. */
export function bar(done: number, total: number, width = 12): string {
  const filled = total > 0 ? Math.max(0, Math.min(width, Math.round((done / total) * width))) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function formatLog(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** `loss 0.3121 accuracy 0.9 val_loss 0.35 val_accuracy 0.89` (optionally only `keys`). */
export function formatLogs(logs: Logs, keys?: readonly string[]): string {
  return (keys ?? Object.keys(logs))
    .filter((k) => typeof logs[k] === 'number')
    .map((k) => `${k} ${formatLog(logs[k])}`)
    .join(' ');
}

export interface EpochProgressOptions extends ProgressBoardOptions {
  /** Draw on this board (shared with other progress lines) instead of a new one. */
  board?: ProgressBoard;
  /** Text before the bar, e.g. `trial 7`. */
  label?: string;
  /** Log keys to show. Default: all. */
  keys?: readonly string[];
  /** Print a permanent line per finished epoch. Default: true when not on a terminal, false on one. */
  epochLines?: boolean;
  /** The live line's key on the board (one line per key). Default: a new key. */
  key?: string;
}

let boardKeys = 0;

/**
 * A `train` callback that shows training progress: on a terminal, a live line
 * `epoch 3/10 [#####-------] 1200/2350 0:05<0:12 | loss 0.31 accuracy 0.91 ...` (the logs of the last
 * finished epoch), removed when training ends; elsewhere, one line per finished epoch.
 *
 * @example await train(model, data, { epochs: 10, callbacks: [epochProgress()] });
 */
export function epochProgress(options: EpochProgressOptions = {}): TrainCallback {
  const board = options.board ?? new ProgressBoard(options);
  const ownsBoard = options.board === undefined;
  const key = options.key ?? `epochs:${++boardKeys}`;
  const end = () => {
    board.remove(key);
    if (ownsBoard) board.close();
  };
  const prefix = options.label ? `${options.label} ` : '';
  const epochLines = options.epochLines ?? !board.tty;
  let info: TrainBeginInfo | null = null;
  let startedAt = 0;
  let epochStartedAt = 0;
  let epoch = 0;
  let batchesDone = 0;
  let samplesInEpoch = 0;
  let lastLogs = '';
  const draw = (force: boolean) => {
    if (!info || !board.tty) return;
    const total = info.epochs * info.batchesPerEpoch;
    const elapsed = Date.now() - startedAt;
    const eta = batchesDone > 0 ? formatDuration(((total - batchesDone) * elapsed) / batchesDone) : '?';
    const head = `${prefix}epoch ${epoch + 1}/${info.epochs} ${bar(samplesInEpoch, info.samples)} ${samplesInEpoch}/${info.samples} ${formatDuration(elapsed)}<${eta}`;
    board.update(key, lastLogs ? `${head} | ${lastLogs}` : head, force);
  };
  return {
    onTrainBegin(i) {
      info = i;
      startedAt = Date.now();
      batchesDone = 0;
      draw(true);
    },
    onEpochBegin(e) {
      epoch = e;
      samplesInEpoch = 0;
      epochStartedAt = Date.now();
    },
    onBatchEnd(_batch, { size }) {
      batchesDone++;
      samplesInEpoch += size;
      draw(false);
    },
    onEpochEnd(e, logs) {
      lastLogs = formatLogs(logs, options.keys);
      if (epochLines && info)
        board.log(`${prefix}epoch ${e + 1}/${info.epochs} (${((Date.now() - epochStartedAt) / 1000).toFixed(1)}s) ${lastLogs}`.trimEnd());
      draw(true);
    },
    onTrainEnd(_result: TrainResult) {
      end();
    },
    onTrainAbort() {
      end();
    },
  };
}

export interface StudyProgressOptions extends ProgressBoardOptions {
  /** Trials expected (the `nTrials` given to `optimize`), for the bar and the ETA. */
  nTrials?: number;
  /** Print a permanent line per finished epoch of `epochs(trial)` bars. Default false. */
  epochLines?: boolean;
}

/**
 * Progress of a study run in this process, driven by `optimize`'s callbacks: on a terminal a live line
 * `trials [#####-------] 5/30 0:42<3:30 | complete 3 | pruned 2 | failed 0 | best 0.912 (#3)` plus an
 * epoch bar per running trial (`epochs(trial)`), and failed trials printed above; elsewhere one line
 * per finished trial (as the CLI prints them).
 *
 * @example
 * ```ts
 * const progress = new StudyProgress({ nTrials: 30 });
 * await study.optimize(objective, { nTrials: 30, callbacks: [progress.onTrialEnd] });
 * progress.close();
 * ```
 */
export class StudyProgress {
  readonly board: ProgressBoard;
  private readonly nTrials: number | null;
  private readonly epochLines: boolean;
  private readonly startedAt = Date.now();
  private readonly counts = { complete: 0, pruned: 0, failed: 0 };
  private best: { value: number; number: number } | null = null;
  private direction: StudyDirection | null = null;

  constructor(options: StudyProgressOptions = {}) {
    this.board = new ProgressBoard(options);
    this.nTrials = options.nTrials ?? null;
    this.epochLines = options.epochLines ?? false;
    this.draw(true);
  }

  /** A `train` callback drawing the epochs of `trial` on this board. */
  epochs(trial: { number: number }): TrainCallback {
    return epochProgress({ board: this.board, label: `trial ${trial.number}`, epochLines: this.epochLines, key: `trial:${trial.number}` });
  }

  /** Pass to `optimize({ callbacks: [progress.onTrialEnd] })`: counts the trial and redraws. */
  readonly onTrialEnd = (study: Pick<Study, 'directions'>, trial: FrozenTrial): void => {
    this.direction ??= study.directions.length === 1 ? study.directions[0] : null;
    if (trial.state === 'COMPLETE') this.counts.complete++;
    else if (trial.state === 'PRUNED') this.counts.pruned++;
    else if (trial.state === 'FAIL') this.counts.failed++;
    if (trial.state === 'COMPLETE' && this.direction && trial.values && trial.values.length === 1) {
      const v = trial.values[0];
      const better = this.best === null || (this.direction === 'minimize' ? v < this.best.value : v > this.best.value);
      if (better) this.best = { value: v, number: trial.number };
    }
    this.board.remove(`trial:${trial.number}`);
    if (!this.board.tty || trial.state === 'FAIL')
      this.board.log(`[${formatDuration(Date.now() - this.startedAt)}] ${describeTrial(trial)}`);
    this.draw(true);
  };

  /** The status line. */
  statusLine(): string {
    const c = this.counts;
    const done = c.complete + c.pruned + c.failed;
    const elapsed = Date.now() - this.startedAt;
    let head: string;
    if (this.nTrials !== null && this.nTrials > 0) {
      const eta = done >= this.nTrials ? '0:00' : done > 0 ? formatDuration(((this.nTrials - done) * elapsed) / done) : '?';
      head = `trials ${bar(done, this.nTrials)} ${done}/${this.nTrials} ${formatDuration(elapsed)}<${eta}`;
    } else {
      head = `trials ${done} done ${formatDuration(elapsed)}`;
    }
    const parts = [head, `complete ${c.complete}`, `pruned ${c.pruned}`, `failed ${c.failed}`];
    if (this.best) parts.push(`best ${formatNumber(this.best.value)} (#${this.best.number})`);
    return parts.join(' | ');
  }

  private draw(force: boolean): void {
    this.board.update('study', this.statusLine(), force);
  }

  /** Clears the live lines; prints the final status line. */
  close(): void {
    const line = this.statusLine();
    this.board.close();
    this.board.log(line);
  }
}
