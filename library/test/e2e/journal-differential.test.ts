/**
 * Differential replay against Optuna 3.1 (Debian's python3-optuna, run with /usr/bin/python3): a journal
 * holding every kind of line Optuna's replay skips — a trial created for a deleted or unknown study, a
 * duplicate study, writes to finished trials, a parameter whose distribution clashes, a RUNNING trial set
 * RUNNING again — is read by both tools, which must agree on every study and trial, trial ids included
 * (writes address trials by id, so a different id is a write landing on another trial). Then Tansaku writes
 * by trial id and Optuna must see those writes on the same trials. Skipped with a note without
 * python3-optuna unless CI is set, where a missing Optuna is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hostname } from 'node:os';
import { JournalFileStorage } from '../../src/index.js';
import { failTrialsOfDeadWorker, floatDistribution } from '../../src/extend.js';
import { formatDatetime, parsePythonJson } from '../../src/storage/journal-format.js';
import { withWarnings } from '../warnings.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'test/fixtures/optuna_replay_dump.py';
const hasOptuna = spawnSync(PYTHON, ['-c', 'import optuna; assert optuna.__version__.startswith("3.")']).status === 0;
const skip = !hasOptuna && !process.env.CI ? 'python3-optuna is not installed (apt-get install -y python3-optuna)' : false;

const dir = fs.mkdtempSync(join(tmpdir(), 'tansaku-differential-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Another tool's worker: neither reader ever takes these lines as its own. */
const W = 'elsewhere:4242:0b6d1e55-1';
const T0 = '2026-12-04T02:12:47.472000';
const T1 = '2026-12-04T02:12:48.125000';
const floatX = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: 0, high: 1, log: false } });
const intX = JSON.stringify({ name: 'IntDistribution', attributes: { log: false, step: 1, low: 0, high: 9 } });

const createStudy = (name: string) => ({ op_code: 0, worker_id: W, study_name: name, directions: [1] });
const createTrial = (studyId: number, extra: Record<string, unknown> = {}) => ({
  op_code: 4,
  worker_id: W,
  study_id: studyId,
  datetime_start: T0,
  ...extra,
});
const setParam = (trialId: number, name: string, internal: number, distribution: string) => ({
  op_code: 5,
  worker_id: W,
  trial_id: trialId,
  param_name: name,
  param_value_internal: internal,
  distribution,
});
const setState = (trialId: number, state: number, values: number[] | null) => ({
  op_code: 6,
  worker_id: W,
  trial_id: trialId,
  state,
  values,
  ...(state === 0 ? { datetime_start: T1 } : { datetime_complete: T1 }),
});
const RUNNING = 0;
const COMPLETE = 1;
const FAIL = 3;
const WAITING = 4;

/** Optuna's trial ids in the comments; a reader that gives a skipped line an id is off by one from there on. */
const LINES: Record<string, unknown>[] = [
  createStudy('gone'), // study 0
  createStudy('kept'), // study 1
  createTrial(0), // trial 0 (gone #0)
  createTrial(1), // trial 1 (kept #0)
  { op_code: 1, worker_id: W, study_id: 0 }, // delete "gone"
  createTrial(0), // a live process still on the deleted study: skipped, no id
  createTrial(7), // an unknown study: skipped, no id
  createStudy('kept'), // a duplicate: skipped
  createTrial(1), // trial 2 (kept #1)
  setParam(2, 'x', 0.5, floatX),
  setState(2, COMPLETE, [1.5]),
  { op_code: 8, worker_id: W, trial_id: 2, user_attr: { late: true } }, // finished: skipped
  { op_code: 9, worker_id: W, trial_id: 2, system_attr: { fail_reason: 'late' } }, // finished: skipped
  setState(2, FAIL, null), // finished: skipped
  { op_code: 7, worker_id: W, trial_id: 2, step: 3, intermediate_value: 9 }, // finished: skipped
  setParam(1, 'x', 3, intX), // clashes with trial 2's float x: skipped
  { op_code: 7, worker_id: W, trial_id: 1, step: 0, intermediate_value: 0.25 },
  setState(1, RUNNING, null), // RUNNING again: skipped
  setParam(0, 'y', 0.25, floatX), // a trial of the deleted study: kept out of sight
  createStudy('gone'), // study 2: the name is free again
  createTrial(2), // trial 3 (gone #0)
  createTrial(1, {
    state: COMPLETE,
    values: [2],
    params: { x: 0.75 },
    distributions: { x: floatX },
    datetime_complete: T1,
  }), // trial 4 (kept #2)
  createTrial(1, { state: WAITING, datetime_start: null }), // trial 5 (kept #3), WAITING
  { op_code: 8, worker_id: W, trial_id: 1, user_attr: { note: 'x' } },
  { op_code: 9, worker_id: W, trial_id: 1, system_attr: { 'tansaku:claim': 'k' } },
  { op_code: 2, worker_id: W, study_id: 0, user_attr: { deleted: true } }, // a deleted study: skipped
  { op_code: 3, worker_id: W, study_id: 1, system_attr: { k: 1 } },
];

interface Dumped {
  study_id: number;
  name: string;
  user_attrs: unknown;
  system_attrs: unknown;
  trials: Record<string, unknown>[];
}

function optunaDump(path: string): Dumped[] {
  const r = spawnSync(PYTHON, [SCRIPT, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`optuna_replay_dump.py failed (${r.status}): ${r.stderr}`);
  return parsePythonJson(r.stdout) as Dumped[];
}

/** Python's repr of a float that JSON cannot hold, as the Python side writes it. */
const num = (v: number): number | string => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
const sortedRecord = <T>(r: Record<string, T>, f: (v: T) => unknown = (v) => v) =>
  Object.fromEntries(
    Object.keys(r)
      .sort()
      .map((k) => [k, f(r[k])]),
  );
/** Optuna prints datetimes as isoformat (no fraction when it is zero); Tansaku keeps milliseconds. */
const isoOf = (ms: number | null): string | null => (ms === null ? null : formatDatetime(ms).replace(/\.000000$/, ''));

async function tansakuDump(path: string): Promise<Dumped[]> {
  const storage = new JournalFileStorage(path);
  try {
    const out: Dumped[] = [];
    for (const study of (await storage.getAllStudies()).sort((a, b) => a.studyId - b.studyId)) {
      const trials = await storage.getAllTrials(study.studyId);
      out.push({
        study_id: study.studyId,
        name: study.studyName,
        user_attrs: study.userAttrs,
        system_attrs: study.systemAttrs,
        trials: trials.map((t) => ({
          trial_id: t.trialId,
          number: t.number,
          state: t.state,
          values: t.values === null ? null : t.values.map(num),
          params: sortedRecord(t.params as Record<string, number>, (v) => (typeof v === 'number' ? num(v) : v)),
          distributions: Object.keys(t.distributions).sort(),
          intermediate_values: Object.fromEntries([...t.intermediateValues].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), num(v)])),
          user_attrs: t.userAttrs,
          system_attrs: t.systemAttrs,
          datetime_start: isoOf(t.datetimeStart),
          datetime_complete: isoOf(t.datetimeComplete),
        })),
      });
    }
    return out;
  } finally {
    await storage.close();
  }
}

describe('journal replay agrees with Optuna 3.1 on lines Optuna skips', { skip }, () => {
  const path = join(dir, 'skips.journal');
  fs.writeFileSync(path, LINES.map((l) => `${JSON.stringify(l)}\n`).join(''));

  it('reads every study and trial, trial ids included, as Optuna does', async () => {
    const optuna = optunaDump(path);
    assert.deepEqual(
      optuna.map((s) => [s.name, s.trials.map((t) => t.trial_id)]),
      [
        ['kept', [1, 2, 4, 5]],
        ['gone', [3]],
      ],
      'the fixture exercises what it means to (Optuna skips the lines for deleted and unknown studies)',
    );
    assert.deepEqual(await tansakuDump(path), optuna);
  });

  it("lands Tansaku's writes by trial id on the trials Optuna sees them on", async () => {
    const storage = new JournalFileStorage(path);
    const kept = await storage.getStudyIdFromName('kept');
    const gone = await storage.getStudyIdFromName('gone');
    const running = await storage.getTrialByNumber(kept, 0);
    await storage.setTrialUserAttr(running.trialId, 'by', 'tansaku');
    await storage.setTrialStateValues(running.trialId, 'COMPLETE', [0.125]);
    const made = await storage.createTrial(gone);
    assert.ok(made.created);
    await storage.setTrialParam(made.trialId, 'y', 0.5, floatDistribution('y', 0, 1));
    await storage.close();
    const optuna = optunaDump(path);
    const keptTrial0 = optuna.find((s) => s.name === 'kept')!.trials[0];
    assert.deepEqual([keptTrial0.state, keptTrial0.values, keptTrial0.user_attrs], ['COMPLETE', [0.125], { note: 'x', by: 'tansaku' }]);
    assert.deepEqual(optuna.find((s) => s.name === 'gone')!.trials[1].params, { y: 0.5 });
    assert.deepEqual(await tansakuDump(path), optuna);
  });
});

describe('a last line without its newline', { skip }, () => {
  it('is applied by both tools, and after the next writer completes it both still agree', async () => {
    const path = join(dir, 'no-newline.journal');
    const lines = [createStudy('s'), createTrial(0), setParam(0, 'x', 0.5, floatX), setState(0, COMPLETE, [0.25])];
    // A writer died between the last line and its newline.
    fs.writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n'));
    const optuna = optunaDump(path);
    assert.equal(optuna[0].trials[0].state, 'COMPLETE', 'Optuna applies it');
    assert.deepEqual(await tansakuDump(path), optuna);
    const storage = new JournalFileStorage(path);
    await withWarnings(() => storage.createTrial(0));
    await storage.close();
    assert.ok(fs.readFileSync(path, 'utf8').endsWith('\n'));
    const after = optunaDump(path);
    assert.deepEqual(
      after[0].trials.map((t) => t.state),
      ['COMPLETE', 'RUNNING'],
    );
    assert.deepEqual(await tansakuDump(path), after);
  });
});

describe('a dead worker process', { skip }, () => {
  it('has its RUNNING trials failed with the reason Optuna 3.1 reads (written with the FAIL, not after it)', async () => {
    const path = join(dir, 'dead-worker.journal');
    const storage = new JournalFileStorage(path);
    const studyId = await storage.createStudy('s', ['minimize']);
    // A worker that was process 999999 on this host, now dead.
    await storage.createTrial(studyId, { workerId: `${hostname()}:999999:dead-1` });
    await storage.createTrial(studyId, { workerId: 'elsewhere:1:alive-1' });
    assert.deepEqual(await failTrialsOfDeadWorker(storage, studyId, 999999, 'worker process 999999 died (SIGKILL)'), [0]);
    await storage.close();
    const [study] = optunaDump(path);
    assert.deepEqual(
      study.trials.map((t) => [t.state, (t.system_attrs as Record<string, unknown>).fail_reason ?? null]),
      [
        ['FAIL', 'worker process 999999 died (SIGKILL)'],
        ['RUNNING', null],
      ],
    );
    assert.deepEqual(await tansakuDump(path), optunaDump(path));
  });
});
