/**
 * The default sampler: TPE for a new study and for one made by Optuna; a study made by an older Tansaku
 * (its seed stored, no default recorded) keeps that release's random search when joined without a
 * sampler, as does the 0.1.0 journal in test/fixtures/legacy.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SystemAttr } from '../../src/core/trial-record.js';
import { InMemoryStorage, JournalFileStorage, RandomSampler, TpeSampler, createStudy, loadStudy } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-default-sampler-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the default sampler', () => {
  it('is TPE for a new study, recorded with it, and a process joining it without a sampler uses TPE too', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ studyName: 's', storage, seed: 1 });
    assert.ok(study.sampler instanceof TpeSampler);
    const record = await storage.getStudy(study.studyId);
    assert.equal(record.systemAttrs[SystemAttr.defaultSampler], 'TpeSampler');
    assert.ok((await loadStudy({ studyName: 's', storage })).sampler instanceof TpeSampler);
    // A sampler given still wins.
    assert.ok((await loadStudy({ studyName: 's', storage, sampler: new RandomSampler() })).sampler instanceof RandomSampler);
  });

  it('stays random search for a study an older Tansaku made (seed stored, no default recorded)', async () => {
    const storage = new InMemoryStorage();
    const id = await storage.createStudy('old', ['minimize']);
    await storage.setStudySystemAttr(id, SystemAttr.studySeed, 7);
    assert.ok((await loadStudy({ studyName: 'old', storage })).sampler instanceof RandomSampler);
    const recorded = await storage.createStudy('recorded-random', ['minimize']);
    await storage.setStudySystemAttr(recorded, SystemAttr.defaultSampler, 'RandomSampler');
    await storage.setStudySystemAttr(recorded, SystemAttr.studySeed, 7);
    assert.ok((await loadStudy({ studyName: 'recorded-random', storage })).sampler instanceof RandomSampler);
  });

  it('is TPE for a study Optuna made (no Tansaku attributes), as Optuna defaults to TPE', async () => {
    const storage = new InMemoryStorage();
    await storage.createStudy('from-optuna', ['maximize']);
    const study = await loadStudy({ studyName: 'from-optuna', storage, seed: 3 });
    assert.ok(study.sampler instanceof TpeSampler);
  });

  it('stays random search for the studies of a journal written by Tansaku 0.1.0', async () => {
    const path = join(dir, 'legacy.journal');
    copyFileSync(new URL('../fixtures/legacy/options-0.1.0.journal', import.meta.url), path);
    const storage = new JournalFileStorage(path);
    for (const studyName of ['hill', 'coordinate']) {
      const study = await loadStudy({ studyName, storage });
      assert.ok(study.sampler instanceof RandomSampler, studyName);
    }
  });
});
