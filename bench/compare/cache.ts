/**
 * The run cache: one JSON line per finished run (a {@link RunRecord}), appended by the harness's main
 * process as soon as the run ends, so an interrupted chunk loses at most the runs in flight. Reading keeps
 * the first record of each key (a duplicate line is ignored) and skips lines that do not parse (a torn
 * last line after a crash), and records of another format version.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { checkpointsFor, RECORD_VERSION, runKey, type RunRecord, type RunSpec } from './runner.js';

export interface CacheContents {
  /** Records by key, first occurrence wins. */
  records: Map<string, RunRecord>;
  /** Lines that did not parse or had another version. */
  skipped: number;
  /** Lines whose key was already seen. */
  duplicates: number;
}

export function readCache(path: string): CacheContents {
  const contents: CacheContents = { records: new Map(), skipped: 0, duplicates: 0 };
  if (existsSync(path)) addLines(contents, readFileSync(path, 'utf8').split('\n'));
  return contents;
}

/** Adds cache lines to `contents`: blank lines ignored, unreadable ones counted, the first record of a key kept. */
export function addLines(contents: CacheContents, lines: Iterable<string>): void {
  for (const line of lines) {
    if (!line.trim()) continue;
    const r = parseRecord(line);
    if (!r) contents.skipped++;
    else if (contents.records.has(r.key)) contents.duplicates++;
    else contents.records.set(r.key, r);
  }
}

/**
 * A cache line's record, or null for a line that does not parse (torn) or is of another format: another
 * version, or a multi-objective run recorded before runs kept their `front` (its hypervolumes were computed
 * against a reference point the problems no longer use, and cannot be re-scored: it is made again).
 */
export function parseRecord(line: string): RunRecord | null {
  let r: RunRecord;
  try {
    r = JSON.parse(line) as RunRecord;
  } catch {
    return null;
  }
  if (!r || r.v !== RECORD_VERSION || typeof r.key !== 'string') return null;
  if (Array.isArray(r.directions) && r.directions.length > 1 && r.error === undefined && !Array.isArray(r.front)) return null;
  return r;
}

/** Appends records to the cache; first ends a torn last line so the next record starts on its own line. */
export class CacheWriter {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path) && statSync(path).size > 0) {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.alloc(1);
        readSync(fd, buf, 0, 1, statSync(path).size - 1);
        if (buf[0] !== 0x0a) appendFileSync(path, '\n');
      } finally {
        closeSync(fd);
      }
    }
  }

  append(record: RunRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}

/**
 * Finds the record of a run: its own, or the first `budget` evaluations of a longer run of the same
 * problem, sampler and seed. A sampler never learns the budget (the runners ask and tell until it is
 * spent, and the problem's noise depends only on seed and evaluation index), so those evaluations are the
 * shorter run, evaluation for evaluation; when the shorter budget is one of the longer run's checkpoints
 * its curve up to there is the shorter run's whole curve. So a run made for a 500-evaluation table also
 * answers the 200-evaluation table, and is not made again. Such a record says so in `prefixOf` (the
 * longer run's key); its wall and evaluation times are unknown (NaN) and the cost model ignores it.
 */
export class RunLookup {
  private readonly byRun = new Map<string, RunRecord[]>();

  constructor(readonly records: ReadonlyMap<string, RunRecord>) {
    for (const r of records.values()) {
      const k = `${r.problem}|${r.sampler}|${r.seed}`;
      (this.byRun.get(k) ?? this.byRun.set(k, []).get(k)!).push(r);
    }
    for (const list of this.byRun.values()) list.sort((a, b) => a.budget - b.budget);
  }

  get(spec: Pick<RunSpec, 'problem' | 'sampler' | 'seed' | 'budget'>): RunRecord | undefined {
    const own = this.records.get(runKey(spec));
    if (own) return own;
    for (const long of this.byRun.get(`${spec.problem}|${spec.sampler}|${spec.seed}`) ?? []) {
      const prefix = prefixRecord(long, spec.budget);
      if (prefix) return prefix;
    }
    return undefined;
  }

  has(spec: Pick<RunSpec, 'problem' | 'sampler' | 'seed' | 'budget'>): boolean {
    return this.get(spec) !== undefined;
  }
}

/**
 * The record of the run with `budget` evaluations that `long` contains, or undefined where it cannot be
 * read off: `long` is shorter, failed, had failed trials (their positions are not recorded), stopped
 * before `budget`, or does not have `budget` among checkpoints laid out as that run's would be.
 */
export function prefixRecord(long: RunRecord, budget: number): RunRecord | undefined {
  if (long.budget <= budget || long.error !== undefined || long.failed !== 0 || long.evaluations < budget) return undefined;
  const own = checkpointsFor(budget);
  if (long.checkpoints.length < own.length || own.some((n, i) => long.checkpoints[i] !== n)) return undefined;
  const n = own.length;
  return {
    ...long,
    budget,
    key: runKey({ ...long, budget }),
    checkpoints: own,
    best: long.best.slice(0, n),
    ...(long.front ? { front: long.front.filter((p) => p[0] <= budget) } : {}),
    samplerSeconds: long.samplerSeconds.slice(0, n),
    evaluations: budget,
    evalSeconds: Number.NaN,
    wallSeconds: Number.NaN,
    prefixOf: long.key,
  };
}

/**
 * Drops from the cache every line whose run `forget` selects (by problem and sampler: all seeds and
 * budgets), for a sampler whose code changed since those runs were made, so the next chunk makes them
 * again. The dropped lines are appended to `<cache>.forgotten` (nothing is lost); the cache is rewritten
 * through a temporary file and a rename, so a crash leaves the old or the new file, never a torn one.
 * Lines readCache skips (torn, another format version) are kept as they are. Not to be run while a harness appends to the same cache.
 *
 * @example forgetRuns('bench/results/compare/runs.jsonl', (r) => r.sampler === 'tansaku-cross-search' && r.group === 'lcbench')
 */
export function forgetRuns(path: string, forget: (record: RunRecord) => boolean): { kept: number; forgotten: number } {
  if (!existsSync(path)) return { kept: 0, forgotten: 0 };
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = parseRecord(line);
    (record && forget(record) ? dropped : kept).push(line);
  }
  if (dropped.length === 0) return { kept: kept.length, forgotten: 0 };
  appendFileSync(`${path}.forgotten`, dropped.map((l) => `${l}\n`).join(''));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.map((l) => `${l}\n`).join(''));
  renameSync(tmp, path);
  return { kept: kept.length, forgotten: dropped.length };
}
