/**
 * The committed run store (bench/compare/store.ts): runs saved at the end of a chunk are read by a fresh
 * checkout (empty local cache), which then makes only the rest; saving is incremental (new files with new
 * runs only); forgetting reaches stored runs; an unreadable store file is named and skipped. Hermetic:
 * toy problems and temporary folders.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readCache } from '../compare/cache.js';
import { buildJobs, runHarness, type HarnessOptions } from '../compare/harness.js';
import { RECORD_VERSION, runKey, type RunRecord } from '../compare/runner.js';
import { compactRecord, forgetInStore, mergeRuns, readStore, saveToStore, STORE_SUFFIX } from '../compare/store.js';
import { toyHarnessOptions } from './toy-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function record(group: string, problem: string, sampler: string, seed: number): RunRecord {
  const spec = { problem, group, sampler, seed, budget: 3 };
  return {
    v: RECORD_VERSION,
    key: runKey(spec),
    ...spec,
    framework: 'tansaku',
    directions: ['minimize'],
    optimum: 79.48,
    date: '2026-11-24T00:00:00.000Z',
    env: { node: 'v20' },
    checkpoints: [1, 2, 3],
    // Values a hair above f_opt: rounding them would destroy the regret, so the store must keep them exactly.
    best: [80.123456789, 79.48000000123456, 79.480000000012],
    samplerSeconds: [0.000123456789, 0.00024691357, 0.0012345678],
    evalSeconds: 0.0007230679999877339,
    wallSeconds: 0.015989269999999806,
    evaluations: 3,
    failed: 0,
  } as RunRecord;
}

const files = (d: string): string[] =>
  existsSync(d)
    ? readdirSync(d)
        .filter((f) => f.endsWith(STORE_SUFFIX))
        .sort()
    : [];

describe('run store', () => {
  it('saves new runs only, one gzipped file per group, best values exact and timings to 4 digits', () => {
    const store = join(dir, 'save');
    const a = [record('g1', 'p1', 's', 1), record('g1', 'p1', 's', 2), record('g2', 'q1', 's', 1)];
    const first = saveToStore(store, a, new Date('2026-11-24T01:30:05.123Z'));
    assert.equal(first.saved, 3);
    assert.deepEqual(files(store), [`g1-20261124T013005Z${STORE_SUFFIX}`, `g2-20261124T013005Z${STORE_SUFFIX}`]);
    const back = readStore(store);
    assert.equal(back.records.size, 3);
    const r = back.records.get(a[0].key)!;
    assert.deepEqual(r.best, a[0].best);
    assert.deepEqual(r.samplerSeconds, [0.0001235, 0.0002469, 0.001235]);
    assert.equal(r.wallSeconds, 0.01599);
    assert.deepEqual(compactRecord(a[0]), r);
    // Nothing new: nothing written. One new run: one new file with only that run, beside the old ones.
    assert.deepEqual(saveToStore(store, a, new Date('2026-11-24T01:31:00Z')), { files: [], saved: 0 });
    const more = saveToStore(store, [...a, record('g1', 'p2', 's', 1)], new Date('2026-11-24T01:30:05Z'));
    assert.equal(more.saved, 1);
    assert.deepEqual(files(store), [
      `g1-20261124T013005Z-2${STORE_SUFFIX}`,
      `g1-20261124T013005Z${STORE_SUFFIX}`,
      `g2-20261124T013005Z${STORE_SUFFIX}`,
    ]);
    assert.equal(gunzipSync(readFileSync(more.files[0])).toString().trim().split('\n').length, 1);
    assert.equal(readStore(store).records.size, 4);
    // Derived (prefix) records are never saved: they are read off their longer run.
    assert.equal(saveToStore(store, [{ ...record('g3', 'z', 's', 1), prefixOf: 'x' }]).saved, 0);
    assert.throws(() => saveToStore(store, [record('../evil', 'z', 's', 1)]), /cannot name a store file after group "\.\.\/evil"/);
  });

  it('mergeRuns is the local cache and the store, the local record winning; an unreadable store file is named and skipped', () => {
    const store = join(dir, 'union');
    const cachePath = join(dir, 'union-cache.jsonl');
    const shared = record('g', 'p', 's', 1);
    saveToStore(store, [shared, record('g', 'p', 's', 2)]);
    const localTwin = { ...shared, date: 'local' };
    writeFileSync(cachePath, `${JSON.stringify(localTwin)}\n${JSON.stringify(record('g', 'p', 's', 3))}\n`);
    const u = mergeRuns(readCache(cachePath), readStore(store));
    assert.equal(u.records.size, 3);
    assert.equal(u.records.get(shared.key)!.date, 'local');
    assert.equal(u.duplicates, 1);
    writeFileSync(join(store, `g-broken${STORE_SUFFIX}`), 'not gzip');
    const broken = mergeRuns(readCache(cachePath), readStore(store));
    assert.equal(broken.records.size, 3);
    assert.deepEqual(broken.unreadable, [join(store, `g-broken${STORE_SUFFIX}`)]);
    assert.equal(mergeRuns(readCache(cachePath), null).records.size, 2, 'no store: the cache only');
  });

  it('forgetInStore drops the selected runs, rewrites or removes their files, and keeps them in the forgotten file', () => {
    const store = join(dir, 'forget');
    saveToStore(store, [record('g1', 'p', 'a', 1), record('g1', 'p', 'b', 1)], new Date('2026-11-24T00:00:00Z'));
    saveToStore(store, [record('g2', 'q', 'b', 1)], new Date('2026-11-24T00:00:00Z'));
    const forgottenPath = join(dir, 'forget-out', 'runs.jsonl.forgotten');
    const r = forgetInStore(store, (x) => x.sampler === 'b', forgottenPath);
    assert.equal(r.forgotten, 2);
    assert.equal(r.files.length, 2);
    assert.deepEqual(files(store), [`g1-20261124T000000Z${STORE_SUFFIX}`], 'the emptied file is gone');
    assert.deepEqual(
      [...readStore(store).records.values()].map((x) => x.sampler),
      ['a'],
    );
    assert.equal(readFileSync(forgottenPath, 'utf8').trim().split('\n').length, 2);
    assert.deepEqual(
      forgetInStore(store, () => false, forgottenPath),
      { forgotten: 0, files: [] },
    );
  });
});

describe('the harness with a store: a fresh checkout continues the suite', () => {
  const store = join(dir, 'suite-store');
  const checkout = (name: string): HarnessOptions => ({ ...toyHarnessOptions(dir, name), storeDir: store });

  it('an interrupted chunk is saved; a checkout with an empty cache makes only the rest, and a third makes nothing', async () => {
    const { jobs } = buildJobs(checkout('one'));
    const made: string[] = [];
    const first = await runHarness({ ...checkout('one'), maxJobs: 7, onJob: (j) => made.push(runKey(j)) });
    assert.equal(first.executed, 7);
    assert.equal(readStore(store).records.size, 7);
    const lines: string[] = [];
    const second = await runHarness({ ...checkout('two'), log: (l) => lines.push(l), onJob: (j) => made.push(runKey(j)) });
    assert.equal(second.cached, 7);
    assert.equal(second.executed, jobs.length - 7);
    assert.equal(readCache(checkout('two').cachePath).records.size, jobs.length - 7, 'the second checkout made only the rest');
    assert.equal(new Set(made).size, jobs.length, 'no run made twice');
    assert.ok(
      lines.some((l) => /^saved 11 run\(s\) to .*toy-\d{8}T\d{6}Z(-\d+)?\.jsonl\.gz: commit them/.test(l)),
      lines.join('\n'),
    );
    assert.equal(readStore(store).records.size, jobs.length);
    const third = await runHarness({ ...checkout('three'), onJob: () => assert.fail('everything is in the store') });
    assert.equal(third.reports[0].runs, jobs.length);
    assert.equal(files(store).length, 2, 'the third run saved nothing');
    // The reports of the checkout that made everything and of the one that made nothing agree.
    const cells = (name: string) =>
      (JSON.parse(readFileSync(join(dir, name, 'reports', 'compare-toy.json'), 'utf8')) as { cells: Array<{ median: number }> }).cells.map(
        (c) => c.median,
      );
    assert.deepEqual(cells('three'), cells('two'));
  });

  it('--estimate saves nothing', async () => {
    const before = files(store);
    await runHarness({ ...checkout('estimate'), estimateOnly: true, seeds: 4, onJob: () => assert.fail('--estimate runs nothing') });
    assert.deepEqual(files(store), before);
  });
});
