// Replayed searches survive a process SIGKILLed mid-trial: the trial is failed by heartbeat, its point is
// re-run, and a new process continues the same path from the journal alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JournalFileStorage, NelderMeadSampler, createStudy, loadStudy } from '../../src/index.js';
import { floatDistribution } from '../../src/extend.js';
import { assertResumesAfterKill, killWhenItHangs, quadratic } from '../samplers/path-search-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('NelderMeadSampler after SIGKILL', () => {
  it('continues the same path after its process is killed mid-trial (journal, SIGKILL)', async () => {
    const space = { x: floatDistribution('x', -5, 5), y: floatDistribution('y', -5, 5) };
    const reference = new NelderMeadSampler({ searchSpace: space });
    const uninterrupted = await createStudy({ sampler: reference, seed: 4 });
    await uninterrupted.optimize(quadratic, { nTrials: 30 });

    const file = join(dir, 'nm-kill.journal');
    await createStudy({
      storage: new JournalFileStorage(file),
      studyName: 'kill',
      seed: 4,
      heartbeat: { intervalMs: 100, graceMs: 600, maxRetry: 1 },
    });
    const hung = await killWhenItHangs('test/fixtures/nelder-mead-worker.ts', [file, '12']);

    const storage = new JournalFileStorage(file);
    const resumed = await loadStudy({ storage, studyName: 'kill', sampler: new NelderMeadSampler({ searchSpace: space }) });
    await new Promise((r) => setTimeout(r, 800)); // past the grace period: the killed trial is stale
    await resumed.optimize(quadratic, { nTrials: 31 });
    const trials = await resumed.trials;
    const failed = trials.filter((t) => t.state === 'FAIL');
    assert.deepEqual(
      failed.map((t) => t.number),
      [hung],
    );
    assert.match(String(failed[0].systemAttrs.fail_reason), /stale/);
    const rerun = trials.find((t) => t.state === 'COMPLETE' && t.systemAttrs.failed_trial === hung);
    assert.ok(rerun, "the killed trial's point ran again");
    assert.deepEqual(rerun.params, failed[0].params);
    const a = await reference.path(uninterrupted);
    const b = await new NelderMeadSampler({ searchSpace: space }).path(resumed);
    const n = Math.min(a.length, b.length);
    assert.ok(n >= 8, `compared ${n} steps`);
    assert.deepEqual(b.slice(0, n), a.slice(0, n));
    await storage.close();
  });
});

describe('path searches after SIGKILL', () => {
  it('hill climbing: continues the same search after its process is killed mid-trial (journal)', async () => {
    await assertResumesAfterKill('hill');
  });
  it('coordinate search: continues the same search after its process is killed mid-trial (journal)', async () => {
    await assertResumesAfterKill('coordinate', { speculative: true });
  });
  it('cross-search (full): continues the same search after its process is killed mid-trial (journal)', async () => {
    await assertResumesAfterKill('cross-full');
  });
  it('cross-search (partial): continues the same search after its process is killed mid-trial (journal)', async () => {
    await assertResumesAfterKill('cross-partial');
  });
});
