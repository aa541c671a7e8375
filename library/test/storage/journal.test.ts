import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fsCommonJs, { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JournalFileStorage, NopPruner, RandomSampler, StorageError, createStudy, loadStudy, logGrid } from '../../src/index.js';
import { intDistribution, ordinalDistribution } from '../../src/extend.js';
import { parsePythonJson, stringifyPythonJson, formatDatetime, parseDatetime } from '../../src/storage/journal-format.js';
import { runStorageContract } from '../../src/testing.js';
import { withWarnings } from '../warnings.js';

const dir = mkdtempSync(join(tmpdir(), 'tansaku-journal-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(dir, `j${++counter}.log`);

runStorageContract('JournalFileStorage', {
  make: () => new JournalFileStorage(freshPath()),
  reopen: (s) => new JournalFileStorage((s as JournalFileStorage).path),
});

describe('journal format', () => {
  it('reads and writes Python JSON with non-finite numbers', () => {
    const text = stringifyPythonJson({ a: Infinity, b: [-Infinity, NaN, 1], s: 'Infinity NaN' });
    assert.equal(text, '{"a":Infinity,"b":[-Infinity,NaN,1],"s":"Infinity NaN"}');
    const back = parsePythonJson(text) as { a: number; b: number[]; s: string };
    assert.equal(back.a, Infinity);
    assert.deepEqual(back.b.slice(0, 1), [-Infinity]);
    assert.ok(Number.isNaN(back.b[1]));
    assert.equal(back.s, 'Infinity NaN');
    assert.deepEqual(parsePythonJson('{"x": "a\\"NaN", "y": NaN}'), { x: 'a"NaN', y: NaN });
  });

  it('writes datetimes as Optuna does (naive local time, microseconds) and reads them back', () => {
    const ms = Date.UTC(2026, 10, 23, 1, 2, 3, 456);
    const s = formatDatetime(ms);
    assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(parseDatetime(s), ms);
    assert.equal(parseDatetime('2026-11-23T01:02:03.456789'), new Date(2026, 10, 23, 1, 2, 3, 456).getTime());
  });
});

describe('JournalFileStorage', () => {
  it('continues a study in a second storage object, ordinal parameters included', async () => {
    const path = freshPath();
    const a = await createStudy({
      studyName: 's',
      storage: new JournalFileStorage(path),
      sampler: new RandomSampler({ seed: 1 }),
      pruner: new NopPruner(),
      seed: 5,
    });
    await a.optimize((t) => t.suggestOrdinal('w', logGrid(8, 64, 2)) + t.suggestFloat('x', 0, 1, { log: false }), { nTrials: 5 });
    const b = await loadStudy({ studyName: 's', storage: new JournalFileStorage(path), pruner: new NopPruner() });
    assert.equal(b.seed, 5);
    const trials = await b.trials;
    assert.equal(trials.length, 5);
    assert.deepEqual(trials[0].distributions.w, ordinalDistribution('w', logGrid(8, 64, 2)));
    await b.optimize((t) => t.suggestOrdinal('w', logGrid(8, 64, 2)), { nTrials: 2 });
    assert.deepEqual(
      (await a.trials).map((t) => t.number),
      [0, 1, 2, 3, 4, 5, 6],
    );
    // On disk it is Optuna's format: ordinal as CategoricalDistribution plus a study flag.
    const lines = fs
      .readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.op_code === 3 && l.system_attr['tansaku:ordinal:w'] === true));
    assert.ok(lines.some((l) => l.op_code === 5 && l.param_name === 'w' && JSON.parse(l.distribution).name === 'CategoricalDistribution'));
  });

  it('ignores a torn last line, and the next writer truncates it', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path);
    const sid = await s.createStudy('t', ['minimize']);
    await s.createTrial(sid);
    const good = fs.readFileSync(path);
    fs.appendFileSync(path, '{"op_code": 4, "worker_id": "dead", "stud');
    const reader = new JournalFileStorage(path);
    assert.equal((await reader.getAllTrials(sid)).length, 1);
    const { value: r, warnings } = await withWarnings(() => reader.createTrial(sid));
    assert.ok(r.created && r.number === 1);
    assert.ok(warnings.some((w) => /torn last line/.test(w.message)));
    const text = fs.readFileSync(path, 'utf8');
    assert.ok(text.startsWith(good.toString('utf8')));
    assert.equal(text.trim().split('\n').length, 3);
    assert.equal((await new JournalFileStorage(path).getAllTrials(sid)).length, 2);
  });

  it('readOnly: reads a study without opening the file for writing, and refuses every write', async () => {
    const path = freshPath();
    const w = new JournalFileStorage(path);
    const sid = await w.createStudy('ro', ['minimize']);
    const t = await w.createTrial(sid);
    assert.ok(t.created);
    await w.close();
    fs.chmodSync(path, 0o444);
    const opened: number[] = [];
    const original = fsCommonJs.openSync;
    const patched = fsCommonJs as unknown as { openSync: (...a: unknown[]) => number };
    patched.openSync = (...a: unknown[]) => {
      opened.push(Number(a[1]));
      return (original as (...b: unknown[]) => number)(...a);
    };
    syncBuiltinESMExports();
    let r: JournalFileStorage;
    try {
      r = new JournalFileStorage(path, { readOnly: true });
    } finally {
      patched.openSync = original as unknown as (...a: unknown[]) => number;
      syncBuiltinESMExports();
    }
    assert.deepEqual(opened, [fs.constants.O_RDONLY]);
    assert.equal((await r.getAllTrials(sid)).length, 1);
    await assert.rejects(r.createTrial(sid), (e: unknown) => e instanceof StorageError && /opened read-only/.test(e.message));
    await assert.rejects(r.recordHeartbeat(t.trialId), /opened read-only/);
    assert.ok(!fs.existsSync(`${path}.lock`));
    assert.throws(() => new JournalFileStorage(freshPath(), { readOnly: true }), StorageError, 'a missing file is not created');
  });

  it('never cuts a file that is not a journal: text without a newline is refused, not taken for a torn line', async () => {
    const notes = freshPath();
    fs.writeFileSync(notes, 'important notes, not json');
    assert.throws(
      () => new JournalFileStorage(notes),
      (e: unknown) => e instanceof StorageError && /is not a journal file/.test(e.message) && e.message.includes(notes),
    );
    assert.equal(fs.readFileSync(notes, 'utf8'), 'important notes, not json');
    // A journal whose tail is not an operation: the writer refuses instead of truncating.
    const path = freshPath();
    const s = new JournalFileStorage(path);
    const sid = await s.createStudy('tail', ['minimize']);
    fs.appendFileSync(path, 'appended by hand, no newline');
    const before = fs.readFileSync(path, 'utf8');
    await assert.rejects(s.createTrial(sid), (e: unknown) => e instanceof StorageError && /not a journal operation/.test(e.message));
    assert.equal(fs.readFileSync(path, 'utf8'), before);
    assert.ok(!fs.existsSync(`${path}.lock`), 'the lock is released');
    // A torn first append (a crash while creating the first study) is still repaired.
    const torn = freshPath();
    fs.writeFileSync(torn, '{"op_code": 0, "worker_id": "dead", "study_na');
    const t = new JournalFileStorage(torn);
    await t.createStudy('fresh', ['minimize']);
    assert.deepEqual(
      (await new JournalFileStorage(torn).getAllStudies()).map((x) => x.studyName),
      ['fresh'],
    );
  });

  it('repairs every tail a crashed or out-of-space writer can leave: any proper prefix of an operation line', async () => {
    // Both tools' spellings: Optuna writes spaces after its separators, Tansaku none.
    const lines = [
      '{"op_code": 4, "worker_id": "dead", "study_id": 0, "datetime_start": "2026-12-04T02:12:47.472000"}',
      '{"op_code":4,"worker_id":"dead","study_id":0,"datetime_start":"2026-12-04T02:12:47.472000"}',
    ];
    for (const line of lines) {
      for (let k = 1; k < line.length; k++) {
        const path = freshPath();
        const s = new JournalFileStorage(path);
        const sid = await s.createStudy('t', ['minimize']);
        await s.close();
        const good = fs.readFileSync(path, 'utf8');
        fs.appendFileSync(path, line.slice(0, k));
        const next = new JournalFileStorage(path);
        const { value: made } = await withWarnings(() => next.createTrial(sid));
        assert.ok(made.created && made.number === 0, `tail of ${k} bytes`);
        await next.close();
        const text = fs.readFileSync(path, 'utf8');
        assert.ok(text.startsWith(good) && text.endsWith('\n'), `tail of ${k} bytes: ${JSON.stringify(line.slice(0, k))}`);
        assert.equal(text.slice(good.length).split('\n').length, 2, `tail of ${k} bytes: cut, then one new line`);
      }
    }
    // Still refused: a tail that cannot begin an operation, and a file that is not a journal.
    for (const tail of ['{"a"', '{}', 'x', '[{"op_code"']) {
      const path = freshPath();
      const s = new JournalFileStorage(path);
      const sid = await s.createStudy('t', ['minimize']);
      fs.appendFileSync(path, tail);
      await assert.rejects(s.createTrial(sid), /not a journal operation/, JSON.stringify(tail));
      const notJournal = freshPath();
      fs.writeFileSync(notJournal, tail);
      assert.throws(() => new JournalFileStorage(notJournal), /is not a journal file/, JSON.stringify(tail));
    }
  });

  it('refuses a path that is not a regular file (/dev/null, a directory), naming what it is', () => {
    assert.throws(
      () => new JournalFileStorage('/dev/null'),
      (e: unknown) => e instanceof StorageError && /\/dev\/null is a device, not a journal file/.test(e.message),
    );
    assert.throws(() => new JournalFileStorage(dir, { readOnly: true }), /is a directory, not a journal file/);
  });

  it('applies a last line that lacks only its newline, as Optuna does, and completes it', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path);
    const sid = await s.createStudy('nl', ['minimize']);
    const r0 = await s.createTrial(sid);
    assert.ok(r0.created);
    await s.setTrialStateValues(r0.trialId, 'COMPLETE', [1.5]);
    // A crash between a line and its newline: the result is complete JSON without '\n'.
    fs.truncateSync(path, fs.statSync(path).size - 1);
    const reader = new JournalFileStorage(path);
    // Optuna's reader applies it (json.loads of the last line read): so does Tansaku's, read-only or not.
    const early = new JournalFileStorage(path, { readOnly: true });
    assert.equal((await early.getTrial(r0.trialId)).state, 'COMPLETE');
    assert.equal((await reader.getTrial(r0.trialId)).state, 'COMPLETE');
    const { value: r1, warnings } = await withWarnings(() => reader.createTrial(sid));
    assert.ok(r1.created && r1.number === 1);
    assert.ok(
      warnings.some((w) => /completing a last line/.test(w.message)),
      JSON.stringify(warnings),
    );
    const again = new JournalFileStorage(path);
    const t0 = await again.getTrial(r0.trialId);
    assert.deepEqual([t0.state, t0.values], ['COMPLETE', [1.5]], 'the result survives');
    assert.equal((await again.getAllTrials(sid)).length, 2);
    // The reader that applied the line before its newline came reads on, applying nothing twice.
    assert.deepEqual(
      (await early.getAllTrials(sid)).map((t) => t.state),
      ['COMPLETE', 'RUNNING'],
    );
    assert.ok(fs.readFileSync(path, 'utf8').endsWith('\n'));
    assert.equal(
      fs
        .readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim() === '').length,
      1,
      'no empty line was added',
    );
  });

  it('refuses a garbled line with an error naming the file and line, and leaves the file intact', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path);
    await s.createStudy('g', ['minimize']);
    fs.appendFileSync(path, 'this is not json\n{"op_code": 99, "worker_id": "x"}\n');
    const before = fs.readFileSync(path, 'utf8');
    assert.throws(
      () => new JournalFileStorage(path),
      (e: unknown) => e instanceof StorageError && /line 2/.test(e.message) && e.message.includes(path),
    );
    await assert.rejects(s.createTrial(0), /line 2/);
    assert.equal(fs.readFileSync(path, 'utf8'), before);
  });

  it('breaks a lock abandoned by a crashed writer', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path, { staleLockMs: 100 });
    fs.symlinkSync(path, `${path}.lock`);
    const old = new Date(Date.now() - 10_000);
    fs.lutimesSync(`${path}.lock`, old, old);
    assert.equal(typeof (await s.createStudy('l', ['minimize'])), 'number');
    assert.ok(!fs.existsSync(`${path}.lock`));
  });

  it("breaking a stale lock never deletes a live writer's fresh lock (another waiter broke it first)", async () => {
    const path = freshPath();
    const lock = `${path}.lock`;
    const s = new JournalFileStorage(path, { staleLockMs: 1000 });
    const sid = await s.createStudy('race', ['minimize']);
    fs.symlinkSync('tansaku-pid-999999', lock);
    const old = new Date(Date.now() - 3_600_000);
    fs.lutimesSync(lock, old, old);
    // Between this writer's lstat of the stale lock and its rename, another waiter breaks that lock and
    // writer C takes a fresh one (simulated inside the lstat, which is what the other processes do meanwhile).
    const original = fsCommonJs.lstatSync;
    const patched = fsCommonJs as unknown as { lstatSync: typeof fsCommonJs.lstatSync };
    let simulated = false;
    patched.lstatSync = ((p: fs.PathLike, ...rest: unknown[]) => {
      const st = (original as (...a: unknown[]) => fs.Stats)(p, ...rest);
      if (!simulated && String(p) === lock) {
        simulated = true;
        fsCommonJs.unlinkSync(lock);
        fsCommonJs.symlinkSync('tansaku-pid-C', lock);
      }
      return st;
    }) as typeof fsCommonJs.lstatSync;
    syncBuiltinESMExports();
    const sizeWhileCHolds = fs.statSync(path).size;
    let cHeldItThroughout = true;
    const cReleases = new Promise<void>((resolve) =>
      setTimeout(() => {
        cHeldItThroughout = fs.readlinkSync(lock) === 'tansaku-pid-C' && fs.statSync(path).size === sizeWhileCHolds;
        fs.unlinkSync(lock);
        resolve();
      }, 150),
    );
    try {
      await s.setStudyUserAttr(sid, 'after', 'C');
    } finally {
      patched.lstatSync = original;
      syncBuiltinESMExports();
    }
    await cReleases;
    assert.ok(simulated);
    assert.ok(cHeldItThroughout, "C's lock was put back and nobody appended while C held it");
    assert.equal((await s.getStudy(sid)).userAttrs.after, 'C');
    assert.ok(!fs.existsSync(lock));
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith(`${path.split('/').pop()}.lock.`)),
      [],
      'no moved link left behind',
    );
  });

  it('says it is waiting for a lock held for long, naming the holder, then breaks it when stale', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path, { staleLockMs: 400 });
    fs.symlinkSync('tansaku-pid-4242', `${path}.lock`);
    const { warnings } = await withWarnings(() => s.createStudy('w', ['minimize']));
    const wait = warnings.find((w) => w.code === 'TANSAKU_JOURNAL_LOCK_WAIT');
    assert.ok(wait, JSON.stringify(warnings));
    assert.match(wait.message, /held by tansaku-pid-4242/);
    assert.ok(
      wait.at >= 150 && wait.at < 2000,
      `notice after ${wait.at} ms (due at half the 400 ms stale age; timers run late on a loaded machine)`,
    );
    assert.ok(warnings.some((w) => w.code === 'TANSAKU_JOURNAL_STALE_LOCK'));
  });

  it("refuses a directory in the lock's place with an error saying what to remove", async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path, { staleLockMs: 10 });
    fs.mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${path}.lock`, old, old);
    await assert.rejects(
      s.createStudy('d', ['minimize']),
      (e: unknown) => e instanceof StorageError && /is a directory, not a lock; remove or rename it/.test(e.message),
    );
    assert.ok(fs.statSync(`${path}.lock`).isDirectory(), 'the directory is left alone');
  });

  it('keeps heartbeats out of the log: the journal does not grow while a trial beats', async () => {
    const path = freshPath();
    const storage = new JournalFileStorage(path);
    const study = await createStudy({ studyName: 'hb', storage, heartbeat: { intervalMs: 10, graceMs: 1000 }, pruner: new NopPruner() });
    const trial = await study.ask();
    const size = fs.statSync(path).size;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(fs.statSync(path).size, size);
    assert.ok(fs.existsSync(`${path}.heartbeats/${trial.trialId}`));
    await study.tell(trial, 1);
    assert.ok(!fs.existsSync(`${path}.heartbeats/${trial.trialId}`), 'heartbeat file removed when the trial finishes');
  });

  it('fsyncs every append: under the lock on request, after it by default on a local filesystem', async () => {
    const counted = async (options: { fsyncUnderLock?: boolean }) => {
      const events: string[] = [];
      const original = { fsync: fsCommonJs.fsyncSync, unlink: fsCommonJs.unlinkSync };
      const patched = fsCommonJs as unknown as { fsyncSync: (fd: number) => void; unlinkSync: (p: fs.PathLike) => void };
      patched.fsyncSync = (fd) => {
        events.push('fsync');
        original.fsync(fd);
      };
      patched.unlinkSync = (p) => {
        if (String(p).endsWith('.lock')) events.push('unlock');
        original.unlink(p);
      };
      syncBuiltinESMExports();
      try {
        const s = new JournalFileStorage(freshPath(), options);
        await s.createStudy('f', ['minimize']);
        await s.close();
      } finally {
        patched.fsyncSync = original.fsync;
        patched.unlinkSync = original.unlink;
        syncBuiltinESMExports();
      }
      return events;
    };
    assert.deepEqual(await counted({ fsyncUnderLock: true }), ['fsync', 'unlock']);
    assert.deepEqual(await counted({ fsyncUnderLock: false }), ['unlock', 'fsync']);
    assert.deepEqual(await counted({}), ['unlock', 'fsync'], `the test directory ${dir} is on a local filesystem`);
  });

  it('refuses to go on when its file is replaced or deleted under it (writes would go to the deleted file)', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path);
    const sid = await s.createStudy('r', ['minimize']);
    // What `git checkout` or `cp` + rename does: a new file under the same name.
    const copy = `${path}.copy`;
    fs.copyFileSync(path, copy);
    fs.renameSync(copy, path);
    const before = fs.readFileSync(path, 'utf8');
    await assert.rejects(s.createTrial(sid), /was replaced by another file while open.*open the journal again/);
    assert.equal(fs.readFileSync(path, 'utf8'), before, 'the new file is untouched');
    assert.ok(!fs.existsSync(`${path}.lock`), 'the lock is released');
    const reopened = new JournalFileStorage(path);
    assert.ok((await reopened.createTrial(sid)).created, 'a storage opened again continues');
    fs.unlinkSync(path);
    await assert.rejects(
      reopened.getStudy(sid).then(() => reopened.createTrial(sid)),
      /was deleted while open/,
    );
    await s.close();
    await reopened.close();
  });

  it('sees writes of another Storage object of this process at once, and of other processes even in a loop that never yields', async () => {
    const path = freshPath();
    const a = new JournalFileStorage(path);
    const b = new JournalFileStorage(path);
    const sid = await a.createStudy('seen', ['minimize']);
    assert.equal(await b.countTrials(sid), 0);
    await a.createTrial(sid);
    assert.equal(await b.countTrials(sid), 1, 'same process, same event-loop turn');
    // Another process appends (here: bytes written behind the storages' backs, as another process would);
    // a reader that never yields to the event loop still sees them within a few reads.
    const line = fs.readFileSync(path, 'utf8').trim().split('\n').at(-1)!;
    fs.appendFileSync(path, `${line}\n`);
    let reads = 0;
    while ((await b.countTrials(sid)) < 2) assert.ok(++reads <= 10, `still 1 trial after ${reads} reads`);
    await a.close();
    await b.close();
  });

  it('rejects setting a parameter on a finished trial without writing', async () => {
    const path = freshPath();
    const s = new JournalFileStorage(path);
    const sid = await s.createStudy('f', ['minimize']);
    const r = await s.createTrial(sid);
    assert.ok(r.created);
    await s.setTrialStateValues(r.trialId, 'COMPLETE', [1]);
    const size = fs.statSync(path).size;
    await assert.rejects(s.setTrialParam(r.trialId, 'x', 1, intDistribution('x', 0, 2)));
    assert.equal(fs.statSync(path).size, size);
  });
});
