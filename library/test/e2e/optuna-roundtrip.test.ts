/**
 * Round trip through Optuna 3.1 (Debian's python3-optuna, run with /usr/bin/python3): Optuna reads a
 * Tansaku journal and gets the same trials; Tansaku reads an Optuna journal and continues the study,
 * and Optuna sees the continuation. Needs python3-optuna: `.ci/run` installs it; elsewhere the test is
 * skipped with a note unless CI is set, where a missing Optuna is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  JournalFileStorage,
  NopPruner,
  RandomSampler,
  TrialPruned,
  createStudy,
  loadStudy,
  logGrid,
  type FrozenTrial,
} from '../../src/index.js';
import { parsePythonJson } from '../../src/storage/journal-format.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'test/fixtures/optuna_roundtrip.py';
const hasOptuna = spawnSync(PYTHON, ['-c', 'import optuna; assert optuna.__version__.startswith("3.")']).status === 0;
const skip = !hasOptuna && !process.env.CI ? 'python3-optuna is not installed (apt-get install -y python3-optuna)' : false;

interface OptunaTrial {
  number: number;
  state: string;
  params: Record<string, unknown>;
  values: number[] | null;
  intermediate_values: Record<string, number>;
  user_attrs: Record<string, unknown>;
  distributions: Record<string, string>;
  /** The trial's `constraints` system attribute as Optuna reads it (null when unset). */
  constraints: number[] | null;
}
interface OptunaStudy {
  name: string;
  directions: string[];
  user_attrs: Record<string, unknown>;
  trials: OptunaTrial[];
}

function python(...args: string[]): string {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function dump(path: string): OptunaStudy[] {
  return parsePythonJson(python('dump', path)) as OptunaStudy[];
}

function sameNumber(a: unknown, b: unknown): boolean {
  return (
    (typeof a === 'number' && typeof b === 'number' && (Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)))) || a === b
  );
}

function assertSameTrial(optuna: OptunaTrial, ours: FrozenTrial): void {
  const where = `trial ${ours.number}`;
  assert.equal(optuna.number, ours.number, where);
  assert.equal(optuna.state, ours.state, where);
  assert.deepEqual(Object.keys(optuna.params).sort(), Object.keys(ours.params).sort(), where);
  for (const [k, v] of Object.entries(ours.params))
    assert.ok(sameNumber(optuna.params[k], v), `${where} param ${k}: optuna ${String(optuna.params[k])} vs ${String(v)}`);
  assert.deepEqual(
    optuna.values === null ? null : optuna.values.length,
    ours.values === null ? null : ours.values.length,
    `${where} values`,
  );
  (ours.values ?? []).forEach((v, i) => {
    assert.ok(sameNumber(optuna.values![i], v), `${where} value ${i}: ${optuna.values![i]} vs ${v}`);
  });
  assert.deepEqual(
    Object.entries(optuna.intermediate_values).map(([k, v]) => [Number(k), v]),
    [...ours.intermediateValues],
    `${where} intermediate values`,
  );
  assert.deepEqual(optuna.user_attrs, ours.userAttrs, `${where} user attrs`);
}

describe('Optuna 3.1 journal round trip', { skip }, () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'tansaku-optuna-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Optuna reads a Tansaku journal and gets the same trials', async () => {
    const path = join(dir, 'tansaku.log');
    const storage = new JournalFileStorage(path);
    const study = await createStudy({
      studyName: 'from-tansaku',
      storage,
      sampler: new RandomSampler({ seed: 3 }),
      pruner: new NopPruner(),
    });
    await study.setUserAttr('owner', 'tansaku');
    await study.enqueueTrial({ x: 0.5, act: 'tanh' });
    await study.optimize(
      (t) => {
        const x = t.suggestFloat('x', -5, 5);
        const lr = t.suggestFloat('lr', 1e-5, 1e-1, { log: true });
        const n = t.suggestInt('n', 0, 20, { step: 5 });
        const width = t.suggestOrdinal('width', logGrid(8, 64, 2));
        const act = t.suggestCategorical('act', ['relu', 'tanh', null]);
        for (let step = 0; step < 3; step++) t.report(x * x + step, step);
        t.setUserAttr('note', { act, list: [1, 'two', null] });
        if (t.number === 2) throw new TrialPruned();
        if (t.number === 3) return NaN;
        if (t.number === 4) return -Infinity;
        return x * x + lr + n + width;
      },
      { nTrials: 8 },
    );
    const mo = await createStudy({ studyName: 'mo', storage, directions: ['minimize', 'maximize'], pruner: new NopPruner() });
    await mo.optimize(
      (t) => {
        const a = t.suggestFloat('a', 0, 1);
        t.setConstraints([a - 0.5, -2]);
        return [a, t.suggestInt('b', 1, 8, { log: true })];
      },
      { nTrials: 3 },
    );

    const fromOptuna = dump(path);
    assert.deepEqual(
      fromOptuna.map((s) => [s.name, s.directions]),
      [
        ['from-tansaku', ['minimize']],
        ['mo', ['minimize', 'maximize']],
      ],
    );
    assert.deepEqual(fromOptuna[0].user_attrs, { owner: 'tansaku' });
    const ours = await study.trials;
    assert.equal(fromOptuna[0].trials.length, ours.length);
    fromOptuna[0].trials.forEach((t, i) => {
      assertSameTrial(t, ours[i]);
    });
    assert.equal(fromOptuna[0].trials[0].params.x, 0.5, 'the enqueued trial');
    assert.equal(fromOptuna[0].trials[1].distributions.width, 'CategoricalDistribution', 'ordinal reaches Optuna as categorical');
    const moTrials = await mo.trials;
    fromOptuna[1].trials.forEach((t, i) => {
      assertSameTrial(t, moTrials[i]);
      assert.deepEqual(t.constraints, [(moTrials[i].params.a as number) - 0.5, -2], `trial ${i}: Optuna reads the constraints`);
    });
    assert.ok(
      fromOptuna[0].trials.every((t) => t.constraints === null),
      'none where none were set',
    );
  });

  it('Tansaku reads an Optuna journal, gets the same trials, and continues the study', async () => {
    const path = join(dir, 'optuna.log');
    python('write', path);
    const before = dump(path);
    const storage = new JournalFileStorage(path);
    const study = await loadStudy({ studyName: 'from-optuna', storage, sampler: new RandomSampler({ seed: 4 }), pruner: new NopPruner() });
    assert.deepEqual(await study.userAttrs, { owner: 'optuna' });
    const ours = await study.trials;
    assert.equal(ours.length, before[0].trials.length);
    before[0].trials.forEach((t, i) => {
      assertSameTrial(t, ours[i]);
    });
    assert.equal(ours.at(-1)!.values![0], Infinity);
    const mo = await loadStudy({ studyName: 'mo', storage, pruner: new NopPruner() });
    assert.deepEqual(mo.directions, ['minimize', 'maximize']);
    (await mo.trials).forEach((t, i) => {
      assertSameTrial(before[1].trials[i], t);
    });

    // Continue in Tansaku, then again in Optuna: both see one study, numbered without gaps.
    await study.optimize(
      (t) => t.suggestFloat('x', -5, 5) ** 2 + (t.suggestCategorical('act', ['relu', 'tanh', null]) === 'relu' ? 0 : 1),
      { nTrials: 4 },
    );
    python('extend', path, 'from-optuna', '3');
    const after = dump(path);
    const n = before[0].trials.length;
    assert.equal(after[0].trials.length, n + 7);
    assert.deepEqual(
      after[0].trials.map((t) => t.number),
      Array.from({ length: n + 7 }, (_, i) => i),
    );
    const reread = await new JournalFileStorage(path).getAllTrials(study.studyId);
    after[0].trials.forEach((t, i) => {
      assertSameTrial(t, reread[i]);
    });
    assert.ok(reread.slice(n).every((t) => t.state === 'COMPLETE'));
  });
});
