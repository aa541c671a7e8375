/**
 * Renamed options keep working until 1.0: a journal written by Tansaku 0.1.0 before the renames
 * (`test/fixtures/legacy/options-0.1.0.journal`, see its README) stores `onPeak` (now `onConverge`) and
 * `initialPoint` (now `start`), both in the samplers' own option attributes and in the `tansaku`
 * command's stored settings. Workers with today's names join those studies and continue their searches,
 * with a warning naming the new option; the old names given directly warn the same way.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CoordinateSearchSampler,
  HillClimbingSampler,
  InvalidArgumentError,
  JournalFileStorage,
  NopPruner,
  loadStudy,
} from '../../src/index.js';
import { TABLE_5X5, cells, runStudy, tableObjective } from '../samplers/path-search-helpers.js';
import { ROOT, cli, parseTrials } from './helpers.js';
import { withWarnings } from '../warnings.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'legacy', 'options-0.1.0.journal');
const dir = mkdtempSync(join(tmpdir(), 'tansaku-legacy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let copies = 0;
function freshCopy(): string {
  const path = join(dir, `legacy-${++copies}.journal`);
  copyFileSync(FIXTURE, path);
  return path;
}

const quadratic2 = (t: { suggestFloat(name: string, low: number, high: number): number }) =>
  (t.suggestFloat('x', -5, 5) - 1) ** 2 + (t.suggestFloat('y', -5, 5) + 1) ** 2;

describe('options renamed since 0.1.0', () => {
  it('hill climbing joins a study stored with onPeak, warns, and finishes the same path', async () => {
    const storage = new JournalFileStorage(freshCopy());
    const { value: trials, warnings } = await withWarnings(async () => {
      const study = await loadStudy({
        studyName: 'hill',
        storage,
        pruner: new NopPruner(),
        sampler: new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }),
      });
      await study.optimize(tableObjective(TABLE_5X5));
      return study.trials;
    });
    const fresh = await runStudy(new HillClimbingSampler({ start: { a: 0, b: 0 }, onConverge: 'stop' }), tableObjective(TABLE_5X5));
    assert.deepEqual(cells(trials), cells(fresh.trials), 'the 6 stored trials and the rest form the path of a fresh run');
    assert.ok(trials.length > 6, `the search went on past the stored trials (${trials.length})`);
    assert.ok(
      warnings.some((w) => w.code === 'TANSAKU_DEPRECATED_OPTION' && /"onPeak"/.test(w.message) && /use "onConverge"/.test(w.message)),
      JSON.stringify(warnings),
    );
    await storage.close();
  });

  it('coordinate search joins a study stored with initialPoint and continues the same path', async () => {
    const storage = new JournalFileStorage(freshCopy());
    const options = { start: { x: 2, y: 2 }, initialStep: 0.25 };
    const study = await loadStudy({
      studyName: 'coordinate',
      storage,
      pruner: new NopPruner(),
      sampler: new CoordinateSearchSampler(options),
    });
    await study.optimize(quadratic2, { nTrials: 10 });
    const fresh = await runStudy(new CoordinateSearchSampler(options), quadratic2, { nTrials: 16 });
    assert.deepEqual(cells(await study.trials), cells(fresh.trials));
    await storage.close();
  });

  it('the old names given directly still work, with a warning; old and new together are refused', async () => {
    const { value: sampler, warnings } = await withWarnings(async () => new CoordinateSearchSampler({ initialPoint: { x: 1 } }));
    assert.deepEqual(sampler.start, { x: 1 });
    assert.ok(warnings.length <= 1, 'at most one warning per process and name');
    assert.throws(
      () => new HillClimbingSampler({ onPeak: 'stop', onConverge: 'stop' }),
      (e: unknown) => e instanceof InvalidArgumentError && /give "onConverge" only; "onPeak" is its old name/.test(e.message),
    );
  });

  for (const study of ['cli-hill', 'cli-coordinate']) {
    it(`tansaku worker joins ${study}, whose stored settings use the old name, and runs trials`, async () => {
      const path = freshCopy();
      const r = await cli(['worker', '--storage', path, '--study', study, '--timeout', '1.5', '--cwd', dir], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const name = study === 'cli-hill' ? 'onPeak' : 'initialPoint';
      assert.match(r.stderr, new RegExp(`option "${name}".* is deprecated and will be removed in 1\\.0; use "(onConverge|start)"`));
      const listed = await cli(['trials', '--storage', path, '--study', study, '--format', 'json'], { cwd: dir });
      const trials = parseTrials(listed.stdout);
      assert.ok(trials.length > 3, `${trials.length} trials: the worker added some to the 3 stored`);
      assert.ok(
        trials.every((t) => t.state === 'COMPLETE'),
        JSON.stringify(trials.map((t) => t.state)),
      );
    });
  }
});
