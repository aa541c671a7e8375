// Defects a fault-injection and bad-input campaign found in the CLI, each checked through the real
// command (node bin/tansaku.mjs) as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JournalFileStorage, type FrozenTrial } from '../../src/index.js';
import { FIX, NODE, QUADRATIC, SPACE, workdirs, alive, cli, parseTrials, pidOf, startCli, waitForTrials } from './helpers.js';

const workdir = workdirs('tansaku-hardening-');
const quadratic = QUADRATIC;
const echo = `${NODE} ${JSON.stringify(join(FIX, 'echo.mjs'))}`;

describe('names that are also JavaScript object machinery', () => {
  it('refuses --sampler constructor / __proto__ and --pruner toString as unknown names, storing nothing', async () => {
    const cwd = workdir();
    const base = ['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'j.journal', '--study', 's', '--n-trials', '1'];
    for (const [flag, name] of [
      ['--sampler', 'constructor'],
      ['--sampler', '__proto__'],
      ['--sampler', 'toString'],
      ['--pruner', 'constructor'],
      ['--pruner', 'hasOwnProperty'],
    ]) {
      const r = await cli([...base, flag, name], { cwd });
      assert.equal(r.code, 2, `${flag} ${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`unknown ${flag.slice(2)} "${name}"`));
    }
    const list = await cli(['studies', '--storage', 'j.journal'], { cwd });
    assert.doesNotMatch(list.stdout, /\bs\b/, 'no study was created');
  });

  it('runs a space file whose parameters are named __proto__, constructor and toString, as Optuna accepts them', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, 'space.json'),
      // Written as text: an object literal with a __proto__ key would set the prototype instead.
      '{"__proto__": {"type": "float", "low": 0, "high": 1}, "constructor": {"type": "int", "low": 1, "high": 3}, "toString": {"type": "categorical", "choices": ["a", "b"]}}',
    );
    const command = `${echo} --p={__proto__} --c={constructor} --t={toString} --result=1`;
    const r = await cli(
      ['optimize', '--command', command, '--space', 'space.json', '--storage', 'j.journal', '--study', 's', '--n-trials', '3'],
      { cwd, env: { ECHO_OUT: cwd } },
    );
    assert.equal(r.code, 0, r.stderr);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 's', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => [t.state, Object.keys(t.params).sort()]),
      Array.from({ length: 3 }, () => ['COMPLETE', ['__proto__', 'constructor', 'toString']]),
    );
    const seen = JSON.parse(readFileSync(join(cwd, 'trial-0.json'), 'utf8')) as { argv: string[]; params: Record<string, unknown> };
    const value = (name: string) => Object.getOwnPropertyDescriptor(trials[0].params, name)?.value;
    assert.deepEqual(seen.argv.slice(0, 3), [`--p=${value('__proto__')}`, `--c=${value('constructor')}`, `--t=${value('toString')}`]);
    assert.deepEqual(Object.keys(seen.params).sort(), ['__proto__', 'constructor', 'toString']);
  });
});

/** Mounts a small tmpfs (root only); null when this machine cannot, with the reason. */
function mountTmpfs(size: string): { dir: string; unmount: () => void } | { reason: string } {
  const mountPoint = join(workdir(), 'tmpfs');
  mkdirSync(mountPoint);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (r.status !== 0)
    return { reason: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); run as root to check it` };
  return { dir: mountPoint, unmount: () => spawnSync('umount', ['-l', mountPoint]) };
}

const tmpfs = mountTmpfs('1m');
describe('a full disk', { skip: 'reason' in tmpfs ? tmpfs.reason : false }, () => {
  after(() => {
    if (!('reason' in tmpfs)) tmpfs.unmount();
  });

  it('fails the run with ENOSPC and the journal path, loses nothing acknowledged, and the next writer continues once space is freed', async () => {
    if ('reason' in tmpfs) return;
    const cwd = tmpfs.dir;
    const filler = join(cwd, 'filler');
    // Leave ~32 KiB: a few dozen trials' lines, then a short write and ENOSPC.
    const free = () => statfsSync(cwd).bavail * statfsSync(cwd).bsize;
    writeFileSync(filler, Buffer.alloc(free() - 32 * 1024));
    // A budget the full disk stops short of, and that fits once the filler is gone.
    const run = () =>
      cli(
        // A short grace: the run that meets the full disk may leave its last trial RUNNING (the disk was
        // too full for its FAIL too), which the next run fails once stale, before it ends.
        [
          'optimize',
          '--objective',
          join(FIX, 'objective.ts'),
          '--storage',
          'j.journal',
          '--study',
          's',
          '--n-trials',
          '150',
          '--heartbeat-grace',
          '2',
          '--heartbeat-interval',
          '0.5',
        ],
        {
          cwd,
          env: { OBJECTIVE_BUSY_MS: '0' },
          timeoutMs: 60_000,
        },
      );
    const full = await run();
    assert.notEqual(full.code, 0, 'the run fails');
    assert.match(full.stderr, /cannot append to journal file \S*j\.journal: the disk is full \(ENOSPC\)/, full.stderr);
    const text = readFileSync(join(cwd, 'j.journal'), 'utf8');
    assert.ok(text.endsWith('\n'), 'the failed append was cut: the file ends on a complete line');
    const before = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 's', '--format', 'json'], { cwd })).stdout);
    assert.ok(before.filter((t) => t.state === 'COMPLETE').length > 5, `${before.length} trials before the disk filled`);
    rmSync(filler);
    const next = await run();
    assert.equal(next.code, 0, next.stderr);
    const after = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 's', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      after.map((t) => t.number),
      Array.from({ length: after.length }, (_, i) => i),
      'numbers without gap or duplicate',
    );
    for (const t of before.filter((b) => b.state === 'COMPLETE'))
      assert.deepEqual(after[t.number].values, t.values, `trial ${t.number} kept`);
    assert.equal(after.length, 150, 'the second run finished the budget');
  });
});

describe('dead workers at the end of the budget', () => {
  it('are failed once stale and their retries run by the workers that join later, leaving no trial RUNNING', async () => {
    const cwd = workdir();
    const budget = 16;
    const args = ['--storage', 'j.journal', '--study', 's'];
    const env = { OBJECTIVE_BUSY_MS: '300' };
    const first = startCli(
      [
        'optimize',
        '--objective',
        join(FIX, 'objective.ts'),
        ...args,
        '--n-trials',
        String(budget),
        '--n-jobs',
        '2',
        '--pruner',
        'none',
        '--heartbeat-interval',
        '0.2',
        '--heartbeat-grace',
        '1.5',
        '--heartbeat-max-retry',
        '1',
      ],
      { cwd, env },
    );
    // Near the end of the budget, the whole run dies at once (parent and workers, as a kill storm or a
    // lost machine does): its running trials stay RUNNING with nobody to fail them.
    // Read in this process (milliseconds; a `tansaku trials` process takes hundreds, in which a trial
    // seen RUNNING may finish), then frozen at once, so that none of them sees another die (the CLI would
    // fail its worker's trial itself); the victims are read again from the frozen run.
    let seen = false;
    for (let i = 0; i < 1500 && !seen; i++) {
      const ts = await trialsNow(cwd);
      seen = ts.length >= budget - 3 && ts.filter((t) => t.state === 'RUNNING').length === 2;
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(seen, 'the run reached the end of its budget');
    const pids = [first.child.pid!, ...workersIn(cwd)];
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    const victims = (await trialsNow(cwd)).filter((t) => t.state === 'RUNNING');
    assert.equal(victims.length, 2, 'each of the two frozen workers holds a RUNNING trial');
    for (const victim of victims)
      assert.ok(pids.includes(Number(pidOf(victim.workerId))), `trial ${victim.number} belongs to a frozen worker`);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await first.result;
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(!pids.some(alive), 'the run is dead');
    // A worker joins: it runs what is left of the budget, then waits for the dead trials to go stale,
    // fails them and runs their retries, instead of leaving them RUNNING.
    const joined = await cli(['worker', ...args], { cwd, env, timeoutMs: 60_000 });
    assert.equal(joined.code, 0, joined.stderr);
    const trials = parseTrials((await cli(['trials', ...args, '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING').map((t) => t.number),
      [],
      'no trial is left RUNNING or WAITING',
    );
    for (const victim of victims) {
      const dead = trials[victim.number];
      assert.equal(dead.state, 'FAIL');
      assert.match(String(dead.systemAttrs.fail_reason), /^stale/);
      const retries = trials.filter((t) => t.systemAttrs.failed_trial === victim.number);
      assert.equal(retries.length, 1, `trial ${victim.number} was retried once (maxRetry 1)`);
      assert.equal(retries[0].state, 'COMPLETE');
      assert.deepEqual(retries[0].systemAttrs.fixed_params, dead.params, 'the retry runs the parameters the dead trial had written');
    }
    assert.equal(trials.length, budget + victims.length, 'the budget, plus one retry per dead trial');
  });
});

/** Study "s" of `cwd`'s j.journal, read in this process. */
async function trialsNow(cwd: string): Promise<readonly FrozenTrial[]> {
  const storage = new JournalFileStorage(join(cwd, 'j.journal'));
  try {
    const study = (await storage.getAllStudies()).find((st) => st.studyName === 's');
    return study ? await storage.getAllTrials(study.studyId) : [];
  } finally {
    await storage.close();
  }
}

/** Pids of the worker processes (worker-entry) running in `cwd`. */
function workersIn(cwd: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== cwd) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker-entry')) continue;
      if (alive(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

describe('a tansaku optimize killed in its first second', () => {
  it('leaves no orphaned worker running the budget unsupervised', async () => {
    const cwd = workdir();
    const run = startCli(
      [
        'optimize',
        '--objective',
        join(FIX, 'objective.ts'),
        '--storage',
        'j.journal',
        '--study',
        's',
        '--n-trials',
        '500',
        '--n-jobs',
        '2',
      ],
      { cwd, env: { OBJECTIVE_BUSY_MS: '50' } },
    );
    // Killed while its workers are still starting (loading the TypeScript objective): they may not have
    // set up anything yet.
    for (let i = 0; i < 100 && workersIn(cwd).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(workersIn(cwd).length, 2, 'the workers started');
    run.child.kill('SIGKILL');
    await run.result;
    let left = workersIn(cwd);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = workersIn(cwd);
    }
    for (const pid of left) process.kill(pid, 'SIGKILL'); // do not leave them behind when the test fails
    assert.deepEqual(left, [], 'every worker stopped within 10 s of its parent dying');
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 's', '--format', 'json'], { cwd })).stdout);
    assert.ok(trials.length < 50, `the orphans did not run the budget (${trials.length} trials)`);
    assert.deepEqual(
      trials.filter((t) => t.state === 'RUNNING').map((t) => t.number),
      [],
      'their running trials were failed as interrupted',
    );
  });
});

describe('a result line longer than the limit', () => {
  it('fails the trial with the reason instead of parsing a cut line (which read as Infinity, the best under maximize)', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'space.json'), JSON.stringify({ x: { type: 'float', low: 0, high: 1 } }));
    const command = `${NODE} ${JSON.stringify(join(FIX, 'long-line.mjs'))} {x}`;
    for (const [study, env] of [
      ['newline', {}],
      ['no-newline', { NO_NEWLINE: '1' }],
    ] as const) {
      const r = await cli(
        [
          'optimize',
          '--command',
          command,
          '--space',
          'space.json',
          '--storage',
          'j.journal',
          '--study',
          study,
          '--n-trials',
          '1',
          '--direction',
          'maximize',
        ],
        { cwd, env },
      );
      assert.notEqual(r.code, 0, 'every trial failed');
      const [trial] = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', study, '--format', 'json'], { cwd })).stdout);
      assert.equal(trial.state, 'FAIL', study);
      assert.match(String(trial.systemAttrs.fail_reason), /last stdout line is 2000002 characters long, over the 1048576/, study);
    }
  });
});

describe('terminal escapes in names and values', () => {
  it('are shown escaped by studies, trials, best-trial and the progress lines; JSON output stays exact', async () => {
    const cwd = workdir();
    const study = 'evil\u001b[2J\u009b31m\nstudy';
    writeFileSync(join(cwd, 'space.json'), JSON.stringify({ act: { type: 'categorical', choices: ['\u001b]0;pwned\u0007'] } }));
    const run = await cli(
      [
        'optimize',
        '--command',
        `${echo} --result=1`,
        '--space',
        'space.json',
        '--storage',
        'j.journal',
        '--study',
        study,
        '--n-trials',
        '4',
      ],
      { cwd },
    );
    assert.equal(run.code, 0, run.stderr);
    const outputs = [run.stdout, run.stderr];
    for (const command of ['studies', 'trials', 'best-trial']) {
      const r = await cli([command, '--storage', 'j.journal', ...(command === 'studies' ? [] : ['--study', study])], { cwd });
      assert.equal(r.code, 0, r.stderr);
      outputs.push(r.stdout);
    }
    for (const text of outputs) {
      for (const c of ['\u001b', '\u0007', '\u009b'])
        assert.ok(!text.includes(c), `no raw escape in ${JSON.stringify(text.slice(0, 200))}`);
    }
    const json = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', study, '--format', 'json'], { cwd })).stdout);
    assert.ok(
      json.every((t) => t.params.act === '\u001b]0;pwned\u0007'),
      'the JSON output keeps the exact value',
    );
  });
});

describe('command settings and security', () => {
  it('warns when a {param} is put inside a sh -c / bash -c script, and not for the safe form', async () => {
    const cwd = workdir();
    const base = ['--space', SPACE, '--storage', 'j.journal', '--n-trials', '1'];
    const unsafe = await cli(['optimize', '--command', `sh -c 'echo {x}'`, ...base, '--study', 'unsafe'], { cwd });
    assert.equal(unsafe.code, 0, unsafe.stderr);
    assert.match(unsafe.stderr, /warning: the command puts \{x\} inside a shell script \(sh -c '\.\.\.'\): there a value is shell code/);
    assert.match(unsafe.stderr, /sh -c '\.\.\. "\$1"' sh \{x\}/, 'it shows the safe form');
    for (const command of [`sh -c 'echo "$1"' sh {x}`, `bash -c 'echo "$TANSAKU_PARAM_X"'`, `${echo} {x}`]) {
      const safe = await cli(['optimize', '--command', command, ...base, '--study', `safe-${command.length}`], { cwd });
      assert.equal(safe.code, 0, safe.stderr);
      assert.doesNotMatch(safe.stderr, /inside a shell script/, command);
    }
  });

  it('tansaku worker --command / --objective refuses a study whose stored objective differs, running nothing', async () => {
    const cwd = workdir();
    const args = ['--storage', 'j.journal', '--study', 's'];
    const made = await cli(['optimize', '--command', quadratic, '--space', SPACE, ...args, '--n-trials', '2'], { cwd });
    assert.equal(made.code, 0, made.stderr);
    const other = await cli(['worker', ...args, '--command', `${quadratic} --evil`], { cwd });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /study "s" runs the command .* not what --command .* pins: nothing was run/);
    const module = await cli(['worker', ...args, '--objective', join(FIX, 'objective.ts')], { cwd });
    assert.equal(module.code, 2);
    assert.match(module.stderr, /not what --objective .*objective\.ts pins/);
    const pinned = await cli(['worker', ...args, '--command', quadratic], { cwd });
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stderr, /budget of 2 is used/, 'the matching pin runs (here: nothing left to run)');
    const trials = parseTrials((await cli(['trials', ...args, '--format', 'json'], { cwd })).stdout);
    assert.equal(trials.length, 2, 'the refused workers ran no trial');
  });
});

describe('small defects', () => {
  it('refuses a categorical choice with a NUL or a non-finite number for a command, before anything is written', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'nul.json'), JSON.stringify({ act: { type: 'categorical', choices: ['relu', 'a\u0000b'] } }));
    writeFileSync(join(cwd, 'inf.yaml'), 'w:\n  type: categorical\n  choices: [1, .inf]\n');
    for (const [file, message] of [
      ['nul.json', /parameter "act": the choice "a\\u0000b" contains a NUL character/],
      ['inf.yaml', /parameter "w": the choice Infinity is not a finite number; a command objective's params file \(JSON\) cannot hold it/],
    ] as const) {
      const r = await cli(
        [
          'optimize',
          '--command',
          `${echo} {${file.startsWith('nul') ? 'act' : 'w'}}`,
          '--space',
          file,
          '--storage',
          'j.journal',
          '--study',
          file,
        ],
        { cwd },
      );
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    const list = await cli(['studies', '--storage', 'j.journal'], { cwd });
    assert.doesNotMatch(list.stdout + list.stderr, /nul\.json|inf\.yaml/, 'no study was created');
  });

  it('refuses a whitespace-only study name', async () => {
    const cwd = workdir();
    const r = await cli(['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'j.journal', '--study', '   '], { cwd });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /studyName must be a string that is not empty or only white space/);
  });

  it('says a rejoining run replaced the stored settings only once it was accepted', async () => {
    const cwd = workdir();
    const base = ['--space', SPACE, '--storage', 'j.journal', '--study', 's', '--n-trials', '2'];
    assert.equal((await cli(['optimize', '--command', quadratic, ...base], { cwd })).code, 0);
    const refused = await cli(['optimize', '--command', `${quadratic} --other`, ...base, '--direction', 'maximize'], { cwd });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /exists with directions \[minimize\], not the requested \[maximize\]/);
    assert.doesNotMatch(refused.stderr, /replaced its stored/, 'a refused run replaced nothing and says nothing of it');
  });

  it('leaves no parameter-file folder behind when a second Ctrl-C kills the run at once', async () => {
    const cwd = workdir();
    const temp = join(cwd, 'tmp');
    mkdirSync(temp);
    // A program that ignores SIGTERM: the first Ctrl-C cannot end its trial, the second kills it.
    const sleeper = `${NODE} -e "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)" {x}`;
    const run = startCli(['optimize', '--command', sleeper, '--space', SPACE, '--storage', 'j.journal', '--study', 's', '--n-jobs', '2'], {
      cwd,
      env: { TMPDIR: temp },
    });
    assert.ok(await waitForTrials(cwd, 's', (ts) => ts.filter((t) => t.state === 'RUNNING').length === 2));
    for (let i = 0; i < 50 && readdirSync(temp).filter((n) => n.startsWith('tansaku-trial-')).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    const result = await run.result;
    assert.match(result.stderr, /SIGINT again: killed running programs/);
    assert.deepEqual(
      readdirSync(temp).filter((n) => n.startsWith('tansaku-trial-')),
      [],
    );
  });
});
