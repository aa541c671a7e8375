/**
 * A trial's jointly sampled parameters reach the storage while it runs: another process reading the same
 * journal sees a RUNNING trial's relative sample before the objective has suggested anything (what a
 * model-based sampler's constant liar needs).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JournalFileStorage, NopPruner, QmcSampler, createStudy } from '../../src/index.js';
import { floatDistribution, relativeSampleOf, toExternal } from '../../src/extend.js';
import { startFixtureUntil } from '../samplers/path-search-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-relative-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('relative samples across processes', () => {
  it("a second process sees a RUNNING trial's relative sample, and it is the point the trial then uses", async () => {
    const path = join(dir, 'rel.journal');
    await createStudy({ studyName: 'rel', storage: new JournalFileStorage(path), pruner: new NopPruner() });
    const { child, match, exited } = await startFixtureUntil('test/fixtures/relative-worker.ts', [path], /running (\d+)/);
    try {
      const number = Number(match[1]);
      const storage = new JournalFileStorage(path, { readOnly: true });
      const [trial] = await storage.getAllTrials(await storage.getStudyIdFromName('rel'));
      assert.equal(trial.number, number);
      assert.equal(trial.state, 'RUNNING');
      assert.deepEqual(trial.params, {}, 'the objective has suggested nothing yet');
      const sample = relativeSampleOf(trial);
      assert.deepEqual(Object.keys(sample).sort(), ['x', 'y']);
      // The same point a QMC sampler with the same seed and space gives trial 0 in a study of its own.
      const searchSpace = { x: floatDistribution('x', -1, 1), y: floatDistribution('y', 0, 10) };
      const alone = await createStudy({ sampler: new QmcSampler({ searchSpace, seed: 7 }), pruner: new NopPruner() });
      const expected = await alone.ask();
      const point = { x: expected.suggestFloat('x', -1, 1), y: expected.suggestFloat('y', 0, 10) };
      assert.deepEqual(
        { x: toExternal(sample.x.distribution, sample.x.internal), y: toExternal(sample.y.distribution, sample.y.internal) },
        point,
      );
      await storage.close();
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
