// Parameter and attribute names that are also JavaScript object machinery (`__proto__`, `constructor`,
// `toString`): Optuna accepts any name, and so does Tansaku, through suggest, enqueue, addTrial, the
// journal and the samplers that fix whole trials.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GridSampler, JournalFileStorage, QmcSampler, RandomSampler, createStudy, loadStudy, type Trial } from '../../src/index.js';
import { floatDistribution } from '../../src/extend.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-names-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const objective = (trial: Trial) => NAMES.reduce((s, name) => s + trial.suggestFloat(name, 0, 1), 0);
/** A plain object with these keys, made as JSON makes it (a literal `__proto__:` would set the prototype). */
const withNames = <T>(value: (name: string) => T): Record<string, T> =>
  JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, value(n)]))));

describe('parameter and attribute names', () => {
  it('suggests, stores and reads back parameters named like object machinery', async () => {
    const path = join(dir, 'names.journal');
    const study = await createStudy({ storage: new JournalFileStorage(path), studyName: 's', sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize(
      (trial) => {
        trial.setUserAttr('__proto__', { polluted: true });
        trial.setUserAttr('constructor', 1);
        return objective(trial);
      },
      { nTrials: 3 },
    );
    const trials = await study.trials;
    assert.deepEqual(
      trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE'],
    );
    for (const t of trials) {
      assert.deepEqual(Object.keys(t.params).sort(), [...NAMES].sort());
      assert.ok(NAMES.every((n) => typeof t.params[n] === 'number' && Object.hasOwn(t.params, n)));
      assert.deepEqual(JSON.parse(JSON.stringify(t.userAttrs)), JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}'));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
    // Another process's reading of the journal.
    const again = await loadStudy({ storage: new JournalFileStorage(path), studyName: 's' });
    assert.deepEqual(
      (await again.trials).map((t) => t.params),
      trials.map((t) => t.params),
    );
  });

  it('enqueues and adds trials with such names', async () => {
    const study = await createStudy({ sampler: new RandomSampler({ seed: 2 }) });
    await study.enqueueTrial(withNames((n) => NAMES.indexOf(n) / 10));
    await study.optimize(objective, { nTrials: 1 });
    assert.deepEqual(
      (await study.trials)[0].params,
      withNames((n) => NAMES.indexOf(n) / 10),
    );
    const added = await study.addTrial({
      params: withNames(() => 0.5),
      distributions: withNames((n) => floatDistribution(n, 0, 1)),
      value: 2.5,
    });
    assert.deepEqual(Object.keys(added.params).sort(), [...NAMES].sort());
  });

  it('runs the samplers that fix whole trials over such names', async () => {
    const space = withNames((n) => floatDistribution(n, 0, 1, { step: 0.5 }));
    for (const sampler of [new GridSampler(withNames(() => [0, 1])), new QmcSampler({ searchSpace: space, seed: 3 })]) {
      const study = await createStudy({ sampler });
      await study.optimize(objective, { nTrials: 4 });
      for (const t of await study.trials) {
        assert.equal(t.state, 'COMPLETE', `${sampler.name}: ${String(t.systemAttrs.fail_reason)}`);
        assert.deepEqual(Object.keys(t.params).sort(), [...NAMES].sort(), sampler.name);
      }
    }
  });
});
