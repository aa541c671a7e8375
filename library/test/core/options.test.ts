/**
 * Options objects are checked for unknown keys: a plain-JavaScript caller's typo is an error naming the
 * option it probably meant, raised before anything is written, not a run that ignores it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CommandObjective,
  CoordinateSearchSampler,
  CrossSearchSampler,
  GridSampler,
  HillClimbingSampler,
  InMemoryStorage,
  InvalidArgumentError,
  JournalFileStorage,
  NelderMeadSampler,
  QmcSampler,
  RandomSampler,
  createStudy,
  loadStudy,
} from '../../src/index.js';
import { checkOptions } from '../../src/extend.js';

/** Asserts an InvalidArgumentError whose message contains every part. */
function rejectsWith(parts: readonly (string | RegExp)[]) {
  return (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
    for (const p of parts) assert.ok(typeof p === 'string' ? e.message.includes(p) : p.test(e.message), `${e.message} lacks ${String(p)}`);
    return true;
  };
}

// Plain JavaScript does not see the types: cast to what such a caller passes.
const loose = <T>(o: Record<string, unknown>): T => o as T;

describe('unknown options', () => {
  it('optimize({ n_trials }) names nTrials and runs nothing', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage });
    await assert.rejects(
      study.optimize(() => 1, loose({ n_trials: 10 })),
      rejectsWith(['optimize: unknown option "n_trials"', '(did you mean "nTrials"?)', 'its options: nTrials, timeout']),
    );
    assert.equal((await study.trials).length, 0);
  });

  it('createStudy and loadStudy name the key, and create no study', async () => {
    const storage = new InMemoryStorage();
    await assert.rejects(
      createStudy(loose({ storage, direciton: 'maximize' })),
      rejectsWith(['createStudy', '"direciton"', 'did you mean "direction"']),
    );
    assert.deepEqual(await storage.getAllStudies(), []);
    await createStudy({ studyName: 's', storage });
    await assert.rejects(
      loadStudy(loose({ studyName: 's', storage, study_name: 's' })),
      rejectsWith(['loadStudy', '"study_name"', '"studyName"']),
    );
    await assert.rejects(
      createStudy(loose({ studyName: 't', storage, heartbeat: { interval: 10 } })),
      rejectsWith(['heartbeat: unknown option "interval"', 'intervalMs']),
    );
  });

  it('ask and tell name the key, and leave no trial behind', async () => {
    const study = await createStudy({ storage: new InMemoryStorage() });
    await assert.rejects(study.ask(loose({ max_trials: 3 })), rejectsWith(['ask', '"max_trials"', '"maxTrials"']));
    assert.equal((await study.trials).length, 0);
    const trial = await study.ask();
    await assert.rejects(study.tell(trial, 1, loose({ skipIfFinish: true })), rejectsWith(['tell', '"skipIfFinish"', '"skipIfFinished"']));
    assert.equal((await study.trials)[0].state, 'RUNNING');
  });

  it('every sampler checks its options', () => {
    const cases: Array<[string, () => unknown, string]> = [
      ['RandomSampler', () => new RandomSampler(loose({ sed: 1 })), 'seed'],
      ['GridSampler', () => new GridSampler({ x: [1, 2] }, loose({ shufle: true })), 'shuffle'],
      ['QmcSampler', () => new QmcSampler(loose({ scrambled: false })), 'scramble'],
      ['NelderMeadSampler', () => new NelderMeadSampler(loose({ paralel: true })), 'parallel'],
      ['CoordinateSearchSampler', () => new CoordinateSearchSampler(loose({ minstep: 0.1 })), 'minStep'],
      ['HillClimbingSampler', () => new HillClimbingSampler(loose({ float_levels: 5 })), 'floatLevels'],
      ['CrossSearchSampler', () => new CrossSearchSampler(loose({ first_axis: 'a' })), 'firstAxis'],
    ];
    for (const [name, make, meant] of cases) assert.throws(make, rejectsWith([`${name}: unknown option`, `did you mean "${meant}"`]), name);
  });

  it('storages and command objectives check theirs', () => {
    assert.throws(
      () => new JournalFileStorage('/tmp/never-written.journal', loose({ readonly: true })),
      rejectsWith(['"readonly"', '"readOnly"']),
    );
    assert.throws(
      () => new CommandObjective(loose({ command: 'true', space: {}, trial_timeout: 5 })),
      rejectsWith(['CommandObjective', '"trial_timeout"', '"trialTimeout"']),
    );
  });

  it("suggests an old name's new name, and gives no hint for a word unlike any option", () => {
    assert.throws(
      () => checkOptions('S', loose({ onpeak: 'stop' }), ['onConverge'], { onPeak: 'onConverge' }),
      rejectsWith(['did you mean "onConverge"']),
    );
    assert.throws(
      () => checkOptions('S', loose({ banana: 1 }), ['seed', 'start']),
      (e: unknown) => e instanceof InvalidArgumentError && !/did you mean/.test(e.message),
    );
    assert.throws(() => checkOptions('S', [1] as unknown as object, ['seed']), rejectsWith(['S: options must be an object']));
  });
});
