import type { Storage, FrozenTrial, StudyDirection } from '../index.js';
import { describeTrial, displayText, formatDuration, formatNumber, type OutputStream } from '../extend.js';
/**
 * Progress of a study while the CLI runs it, read from the storage (so trials run by worker processes
 * and by other machines count too). On a terminal: one redrawn line with a bar, trials done of the
 * budget, running, pruned, failed, the best value, elapsed time and ETA; failed trials are printed above
 * it. Elsewhere (a pipe, a log file, CI): one plain line per finished trial.
 */

export interface ProgressCounts {
  complete: number;
  pruned: number;
  failed: number;
  running: number;
  /** Trials that finished while this progress was watching. */
  finishedThisRun: { complete: number; pruned: number; failed: number };
  firstFailure: FrozenTrial | null;
}

export interface ProgressOptions {
  storage: Storage;
  studyId: number;
  directions: readonly StudyDirection[];
  /** The study's trial budget, for the bar and the ETA. */
  budget: number | null;
  stream: OutputStream;
  /** Redraw a bar (true) or print plain lines (false). Default: `stream.isTTY`. */
  tty?: boolean;
  /** Poll period. Default 200 ms on a terminal, 500 ms otherwise. */
  intervalMs?: number;
  /**
   * The trials this run is responsible for (e.g. by worker id): only they are counted in
   * `finishedThisRun` and printed line by line. Default: every trial that finishes while watching.
   */
  mine?: (trial: FrozenTrial) => boolean;
}

export class Progress {
  private readonly o: ProgressOptions;
  private readonly tty: boolean;
  private cursor = 0;
  private readonly seen = new Set<number>();
  private readonly counts: ProgressCounts = {
    complete: 0,
    pruned: 0,
    failed: 0,
    running: 0,
    finishedThisRun: { complete: 0, pruned: 0, failed: 0 },
    firstFailure: null,
  };
  private best: FrozenTrial | null = null;
  private startedAt = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private barShown = false;
  private baseline = true;

  constructor(options: ProgressOptions) {
    this.o = options;
    this.tty = options.tty ?? Boolean(options.stream.isTTY);
  }

  /** Takes the trials already finished as the baseline and starts polling. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    await this.poll();
    this.baseline = false;
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? (this.tty ? 200 : 500));
    this.timer.unref();
  }

  /** Prints a message without garbling the bar. */
  note(message: string): void {
    this.clearBar();
    // Notes quote study names, commands and programs' warnings: terminal escapes in them are shown escaped.
    this.o.stream.write(`${message.split('\n').map(displayText).join('\n')}\n`);
    this.drawBar();
  }

  private tick(): void {
    if (this.polling) return;
    this.polling = this.poll()
      .catch(() => {
        // A read that failed (a journal being appended by a crashing writer) is retried next tick.
      })
      .finally(() => {
        this.polling = null;
      });
  }

  /** Reads new trial states; prints lines for trials that finished; redraws the bar. */
  async poll(): Promise<void> {
    const trials = await this.o.storage.getAllTrials(this.o.studyId, { fromNumber: this.cursor });
    let running = 0;
    const lines: string[] = [];
    for (const t of trials) {
      if (t.state === 'RUNNING') running++;
      if (this.seen.has(t.number) || (t.state !== 'COMPLETE' && t.state !== 'PRUNED' && t.state !== 'FAIL')) continue;
      this.seen.add(t.number);
      const key = t.state === 'COMPLETE' ? 'complete' : t.state === 'PRUNED' ? 'pruned' : 'failed';
      this.counts[key]++;
      if (!this.baseline && (this.o.mine?.(t) ?? true)) {
        this.counts.finishedThisRun[key]++;
        if (t.state === 'FAIL' && !this.counts.firstFailure) this.counts.firstFailure = t;
        if (!this.tty || t.state === 'FAIL') lines.push(`[${formatDuration(Date.now() - this.startedAt)}] ${describeTrial(t)}`);
      }
      if (t.state === 'COMPLETE' && this.o.directions.length === 1 && t.values) {
        const sign = this.o.directions[0] === 'minimize' ? 1 : -1;
        if (!this.best || sign * t.values[0] < sign * this.best.values![0]) this.best = t;
      }
    }
    while (this.seen.has(this.cursor)) this.seen.delete(this.cursor++);
    this.counts.running = running;
    if (lines.length) {
      this.clearBar();
      this.o.stream.write(`${lines.join('\n')}\n`);
    }
    this.drawBar();
  }

  /** Stops polling after a last read; clears the bar. */
  async stop(): Promise<ProgressCounts> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.polling) await this.polling;
    await this.poll().catch(() => {});
    this.clearBar();
    return this.counts;
  }

  get bestTrial(): FrozenTrial | null {
    return this.best;
  }

  /**
   * The status line, tqdm-like: `[#####-------] 5/12 0:03<0:04 | running 3 | pruned 1 | failed 0 | best 0.123 (#4)`
   * (elapsed<ETA first, so a narrow terminal cuts the best value, not the time).
   */
  statusLine(): string {
    const c = this.counts;
    const done = c.complete + c.pruned + c.failed;
    const elapsed = Date.now() - this.startedAt;
    const budget = this.o.budget;
    const thisRun = c.finishedThisRun.complete + c.finishedThisRun.pruned + c.finishedThisRun.failed;
    let head: string;
    if (budget !== null && budget > 0) {
      const width = 12;
      const filled = Math.min(width, Math.round((done / budget) * width));
      const eta = thisRun > 0 && done < budget ? formatDuration(((budget - done) * elapsed) / thisRun) : done >= budget ? '0:00' : '?';
      head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${budget} ${formatDuration(elapsed)}<${eta}`;
    } else {
      head = `${done} done ${formatDuration(elapsed)}`;
    }
    const parts = [head, `running ${c.running}`, `pruned ${c.pruned}`, `failed ${c.failed}`];
    if (this.best) parts.push(`best ${formatNumber(this.best.values![0])} (#${this.best.number})`);
    else if (this.o.directions.length > 1) parts.push(`complete ${c.complete}`);
    return parts.join(' | ');
  }

  private drawBar(): void {
    if (!this.tty) return;
    let line = this.statusLine();
    const columns = this.o.stream.columns ?? 100;
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.o.stream.write(`\r\x1b[2K${line}`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (!this.tty || !this.barShown) return;
    this.o.stream.write('\r\x1b[2K');
    this.barShown = false;
  }
}
