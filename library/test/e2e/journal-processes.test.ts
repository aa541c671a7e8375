// Several real processes on one journal file: trial numbering across writers, and a writer SIGKILLed mid-trial.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JournalFileStorage, NopPruner, createStudy, loadStudy } from '../../src/index.js';

const dir = fs.mkdtempSync(join(tmpdir(), 'tansaku-journal-processes-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(dir, `j${++counter}.log`);

describe('JournalFileStorage across processes', () => {
  for (const mode of ['under-lock', 'after-unlock'] as const) {
    it(`numbers trials without gap or duplicate across 4 processes (fsync ${mode})`, async () => {
      const path = freshPath();
      await createStudy({ studyName: 'mp', storage: new JournalFileStorage(path), pruner: new NopPruner() });
      const worker = 'test/fixtures/journal-worker.ts';
      const runs = Array.from(
        { length: 4 },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', worker, path, mode], { stdio: ['ignore', 'ignore', 'inherit'] });
            child.on('exit', resolve);
          }),
      );
      assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
      const storage = new JournalFileStorage(path);
      const trials = await storage.getAllTrials(await storage.getStudyIdFromName('mp'));
      assert.deepEqual(
        trials.map((t) => t.number),
        Array.from({ length: 100 }, (_, i) => i),
      );
      assert.ok(trials.every((t) => t.state === 'COMPLETE' && t.values![0] === (t.params.x as number) + (t.params.k as number)));
      assert.equal(new Set(trials.map((t) => t.workerId)).size, 4);
      assert.ok(!fs.existsSync(`${path}.lock`));
    });
  }

  it('SIGKILL mid-trial: the journal stays readable, the trial is failed by heartbeat and retried, a new process continues', async () => {
    const path = freshPath();
    await createStudy({
      studyName: 'kill',
      storage: new JournalFileStorage(path),
      pruner: new NopPruner(),
      heartbeat: { intervalMs: 50, graceMs: 400, maxRetry: 1 },
    });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/journal-slow-worker.ts', path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('started') && resolve()));
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    const storage = new JournalFileStorage(path);
    const watcher = await loadStudy({ studyName: 'kill', storage, pruner: new NopPruner() });
    assert.equal((await watcher.trials)[0].state, 'RUNNING');
    const t0 = Date.now();
    let failed: number[] = [];
    while (failed.length === 0 && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 25));
      failed = await watcher.failStaleTrials();
    }
    assert.deepEqual(failed, [0]);
    assert.ok(Date.now() - t0 < 1500, `failed ${Date.now() - t0} ms after the kill, grace 400 ms`);
    // A new process continues: it runs the retry (same x) first, then a fresh trial.
    const next = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/journal-slow-worker.ts', path, '1', '2'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    assert.equal(await new Promise((r) => next.on('exit', r)), 0);
    const trials = await new JournalFileStorage(path).getAllTrials(watcher.studyId);
    assert.deepEqual(
      trials.map((t) => t.state),
      ['FAIL', 'COMPLETE', 'COMPLETE'],
    );
    assert.equal(trials[1].params.x, trials[0].params.x);
    assert.equal(trials[1].systemAttrs.failed_trial, 0);
  });
});
