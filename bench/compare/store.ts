/**
 * The committed run store: the harness's finished runs, kept in the repository so that the full suite,
 * which takes many CPU hours, accumulates across fresh checkouts. The local cache
 * (`bench/results/compare/runs.jsonl`, gitignored, cache.ts) is where a chunk appends each run as it ends;
 * at the end of every chunk the runs the store does not hold yet are saved to it as new files, one per
 * group, `bench/results/runs/<group>-<UTC time>.jsonl.gz` (gzipped JSON lines of {@link RunRecord}s).
 * A store file is written once and never appended to, so each commit adds only the new runs' bytes, and a
 * crash while saving leaves no torn file (written under a temporary name, then renamed).
 *
 * Size: a record is ~1.5 kB of JSON (27 checkpoints of best value and sampler time); the timings are kept
 * to 4 significant digits (their run-to-run noise is far larger) and the best values exactly (BBOB regrets
 * go down to 1e-8 of values near f_opt), so a record costs ~0.2–0.3 kB gzipped: a 5,000-run group ~1.5 MB.
 *
 * Reading the harness's runs is the union of the local cache and the store, the local record winning
 * where both hold a key (they are the same run).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { addLines, parseRecord, type CacheContents } from './cache.js';
import type { RunRecord } from './runner.js';

export const STORE_SUFFIX = '.jsonl.gz';

export interface StoreContents extends CacheContents {
  /** Store files read, in the order read (by name). */
  files: string[];
  /** Store files that could not be decompressed (named so that a person can look at them); their runs are not read. */
  unreadable: string[];
}

function storeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(STORE_SUFFIX))
    .sort()
    .map((f) => join(dir, f));
}

function linesOf(file: string): string[] {
  return gunzipSync(readFileSync(file)).toString('utf8').split('\n');
}

/** Every record of the store's files; the first record of a key wins, as in the cache. */
export function readStore(dir: string): StoreContents {
  const contents: StoreContents = { records: new Map(), skipped: 0, duplicates: 0, files: storeFiles(dir), unreadable: [] };
  for (const file of contents.files) {
    let lines: string[];
    try {
      lines = linesOf(file);
    } catch {
      contents.unreadable.push(file);
      continue;
    }
    addLines(contents, lines);
  }
  return contents;
}

/**
 * The harness's runs: the local cache's records, then the store's that the cache lacks (a key in both counts
 * as a duplicate); `store` null: the cache only.
 * @example const { records } = mergeRuns(readCache('bench/results/compare/runs.jsonl'), readStore('bench/results/runs'));
 */
export function mergeRuns(local: CacheContents, store: StoreContents | null): StoreContents {
  if (!store) return { ...local, files: [], unreadable: [] };
  const records = new Map(local.records);
  let duplicates = local.duplicates;
  for (const [key, r] of store.records) {
    if (records.has(key)) duplicates++;
    else records.set(key, r);
  }
  return { records, skipped: local.skipped + store.skipped, duplicates, files: store.files, unreadable: store.unreadable };
}

const round4 = (x: number): number => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(4)) : x);

/** The record as the store keeps it: timings to 4 significant digits, everything else as it is. */
export function compactRecord(r: RunRecord): RunRecord {
  return { ...r, samplerSeconds: r.samplerSeconds.map(round4), evalSeconds: round4(r.evalSeconds), wallSeconds: round4(r.wallSeconds) };
}

/** `20261124T013005Z` */
function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function writeNewFile(path: string, data: Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Saves the records the store does not hold yet (by key) into new store files, one per group; returns the
 * files written and how many records went in. `held`: the store's records, when the caller has read them.
 * @example saveToStore('bench/results/runs', readCache('bench/results/compare/runs.jsonl').records.values())
 */
export function saveToStore(
  dir: string,
  records: Iterable<RunRecord>,
  now = new Date(),
  held: ReadonlyMap<string, RunRecord> = readStore(dir).records,
): { files: string[]; saved: number } {
  const byGroup = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (held.has(r.key) || r.prefixOf !== undefined) continue;
    const list = byGroup.get(r.group) ?? byGroup.set(r.group, []).get(r.group)!;
    list.push(r);
  }
  if (byGroup.size === 0) return { files: [], saved: 0 };
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let saved = 0;
  for (const [group, list] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    if (!/^[A-Za-z0-9_.-]+$/.test(group))
      throw new Error(`cannot name a store file after group ${JSON.stringify(group)}: expected letters, digits, '.', '_' or '-'`);
    let path = join(dir, `${group}-${stamp(now)}${STORE_SUFFIX}`);
    for (let i = 2; existsSync(path); i++) path = join(dir, `${group}-${stamp(now)}-${i}${STORE_SUFFIX}`);
    writeNewFile(path, gzipSync(`${list.map((r) => JSON.stringify(compactRecord(r))).join('\n')}\n`, { level: 9 }));
    files.push(path);
    saved += list.length;
  }
  return { files, saved };
}

/**
 * Drops from the store every record `forget` selects (see cache.ts `forgetRuns`): each store file holding
 * some is rewritten without them (through a temporary file and a rename; a file left empty is removed),
 * and the dropped lines are appended to `forgottenPath`. Unreadable files are left as they are.
 */
export function forgetInStore(
  dir: string,
  forget: (record: RunRecord) => boolean,
  forgottenPath: string,
): { forgotten: number; files: string[] } {
  let forgotten = 0;
  const changed: string[] = [];
  for (const file of storeFiles(dir)) {
    let lines: string[];
    try {
      lines = linesOf(file).filter((l) => l.trim());
    } catch {
      continue;
    }
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const line of lines) {
      const r = parseRecord(line);
      (r && forget(r) ? dropped : kept).push(line);
    }
    if (dropped.length === 0) continue;
    mkdirSync(dirname(forgottenPath), { recursive: true });
    writeFileSync(forgottenPath, dropped.map((l) => `${l}\n`).join(''), { flag: 'a' });
    if (kept.length === 0) rmSync(file);
    else writeNewFile(file, gzipSync(`${kept.join('\n')}\n`, { level: 9 }));
    forgotten += dropped.length;
    changed.push(file);
  }
  return { forgotten, files: changed };
}
