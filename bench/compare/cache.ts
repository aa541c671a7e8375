/**
 * The run cache: one JSON line per finished run (a {@link RunRecord}), appended by the harness's main
 * process as soon as the run ends, so an interrupted chunk loses at most the runs in flight. Reading keeps
 * the first record of each key (a duplicate line is ignored) and skips lines that do not parse (a torn
 * last line after a crash), and records of another format version.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { RECORD_VERSION, type RunRecord } from './runner.js';

export interface CacheContents {
  /** Records by key, first occurrence wins. */
  records: Map<string, RunRecord>;
  /** Lines that did not parse or had another version. */
  skipped: number;
  /** Lines whose key was already seen. */
  duplicates: number;
}

export function readCache(path: string): CacheContents {
  const records = new Map<string, RunRecord>();
  let skipped = 0;
  let duplicates = 0;
  if (!existsSync(path)) return { records, skipped, duplicates };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r: RunRecord;
    try {
      r = JSON.parse(line) as RunRecord;
    } catch {
      skipped++;
      continue;
    }
    if (!r || r.v !== RECORD_VERSION || typeof r.key !== 'string') {
      skipped++;
      continue;
    }
    if (records.has(r.key)) duplicates++;
    else records.set(r.key, r);
  }
  return { records, skipped, duplicates };
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
