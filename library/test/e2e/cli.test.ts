// End-to-end tests of the `tansaku` command, run as a user runs it (node bin/tansaku.mjs ...).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIX, NODE, QUADRATIC, SPACE, workdirs, alive, cli, parseTrials, pidOf, readJson, startCli, waitForTrials } from './helpers.js';

const workdir = workdirs('tansaku-cli-test-');
const quadratic = QUADRATIC;

describe('tansaku: usage errors are clear, exit 2, and create nothing', () => {
  it('reports each bad invocation with one "tansaku: ..." line and no stack trace', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'bad-space.json'), JSON.stringify({ lr: { type: 'float', low: 0, hihg: 1 } }));
    writeFileSync(join(cwd, 'continuous.json'), JSON.stringify({ lr: { type: 'float', low: 0, high: 1 } }));
    const base = ['--space', SPACE, '--storage', 'j.journal', '--study', 's', '--n-trials', '2'];
    const cases: Array<[string[], RegExp]> = [
      [
        ['optimize', '--command', quadratic, ...base, '--sampler', 'bayes'],
        /unknown sampler "bayes"; valid samplers: tpe, random, grid, qmc/,
      ],
      [['optimize', '--command', quadratic, ...base, '--sampler', 'tpee'], /unknown sampler "tpee" \(did you mean "tpe"\?\)/],
      [['optimize', '--command', quadratic, ...base, '--sampler', 'rnadom'], /unknown sampler "rnadom" \(did you mean "random"\?\)/],
      [
        ['optimize', '--command', quadratic, ...base, '--sampler-options', 'sed=3'],
        /the tpe sampler has no option "sed" \(did you mean "seed"\?\); its options: seed, nStartupTrials/,
      ],
      [
        ['optimize', '--command', quadratic, ...base, '--sampler', 'qmc', '--sampler-options', 'scrambel=false'],
        /the qmc sampler has no option "scrambel" \(did you mean "scramble"\?\)/,
      ],
      [
        ['optimize', '--objective', 'train.py', '--storage', 'j.journal', '--study', 's'],
        /--objective takes a JavaScript or TypeScript module.*got train\.py; to run a program \(Python, a binary, a script\), use --command/,
      ],
      [
        ['optimize', '--command', quadratic, ...base, '--pruner', 'hyperband'],
        /unknown pruner "hyperband"; valid pruners: median, percentile, threshold, none, nop/,
      ],
      [['optimize', '--command', quadratic, ...base, '--pruner', 'percentile'], /the percentile pruner needs a percentile/],
      [['optimize', '--command', quadratic, ...base, '--pruner', 'median', '--pruner-options', 'n_startup=3'], /MedianPruner.*nStartup/],
      [
        ['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'postgresql://localhost/db', '--study', 's'],
        /the "postgresql:" storage is not supported yet/,
      ],
      [['optimize', '--command', quadratic, '--storage', 'j.journal', '--study', 's'], /--command needs --space/],
      [
        ['optimize', '--command', quadratic, '--space', 'bad-space.json', '--storage', 'j.journal', '--study', 's'],
        /space file bad-space.json: parameter "lr": unknown key "hihg" \(did you mean "high"\?\)/,
      ],
      [
        ['optimize', '--command', quadratic, '--space', 'missing.yaml', '--storage', 'j.journal', '--study', 's'],
        /space file missing.yaml does not exist/,
      ],
      [['optimize', '--command', 'no-such-program-tansaku --x={x}', ...base], /command not found: no-such-program-tansaku/],
      [
        ['optimize', '--command', `FOO=1 ${quadratic}`, ...base],
        /FOO=1 looks like a shell variable assignment, but the command is not run through a shell; set FOO in the environment of tansaku/,
      ],
      [['optimize', '--command', `${quadratic} --z={z}`, ...base], /placeholder \{z\} names no parameter/],
      [['optimize', '--command', `${quadratic} > out.txt`, ...base], /unquoted ">": the command is not run through a shell/],
      [
        ['optimize', '--objective', join(FIX, 'objective.ts'), '--storage', 'memory:', '--study', 's', '--n-jobs', '2'],
        /cannot share a memory: storage/,
      ],
      [
        ['optimize', '--objective', join(FIX, 'missing.ts'), '--storage', 'memory:', '--study', 's'],
        /objective module .*missing.ts does not exist/,
      ],
      [
        ['optimize', '--command', quadratic, '--space', 'continuous.json', '--storage', 'j.journal', '--study', 's', '--sampler', 'grid'],
        /grid sampler needs discrete parameters, but "lr" is a continuous float/,
      ],
      [
        ['optimize', '--command', quadratic, ...base, '--direction', 'minimize', '--directions', 'minimize,maximize'],
        /cannot be used with/,
      ],
      [
        ['optimize', '--command', quadratic, ...base, '--directions', 'minimize,maximize', '--pruner', 'median'],
        /pruners judge one objective/,
      ],
      [['optimize', '--command', quadratic, ...base, '--n-jobs', 'two'], /--n-jobs must be an integer >= 1, got "two"/],
      [['optimize', '--command', quadratic, '--objective', 'x.ts', ...base], /cannot be used with/],
      [['optimize', ...base], /give the objective: --command/],
      [['optimize', '--command', quadratic, '--space', SPACE, '--study', 's'], /required option '--storage <path>' not specified/],
      [['optimize', ...base, '--bogus'], /unknown option '--bogus'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['trials', '--storage', 'memory:', '--study', 's'], /memory: holds nothing between commands/],
      [['trials', '--storage', 'nope.journal', '--study', 's'], /no journal file at .*nope.journal/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args, { cwd })));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i];
      const where = `tansaku ${args.join(' ')}\nstderr: ${r.stderr}`;
      assert.equal(r.code, 2, where);
      assert.match(r.stderr, /^tansaku: /, where);
      assert.match(r.stderr, pattern, where);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${where}`);
    });
    assert.ok(!existsSync(join(cwd, 'j.journal')), 'no journal was created by a refused command');
  });

  it('--help and --version exit 0', async () => {
    const cwd = workdir();
    const help = await cli(['optimize', '--help'], { cwd });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--command <command>/);
    assert.match(help.stdout, /TANSAKU_PARAMS_FILE/);
    const version = await cli(['--version'], { cwd });
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('tansaku optimize --command', () => {
  it('runs on memory: with --n-jobs, prints a line per trial and a summary with the best trial', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--command',
        quadratic,
        '--space',
        SPACE,
        '--storage',
        'memory:',
        '--study',
        'q',
        '--n-trials',
        '8',
        '--n-jobs',
        '3',
        '--seed',
        '4',
        '--pruner',
        'none',
      ],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stderr.match(/trial \d+ COMPLETE value=/g) ?? []).length, 8, r.stderr);
    assert.match(r.stdout, /study "q": 8 trials run here \(8 complete, 0 pruned, 0 failed\)/);
    assert.match(r.stdout, /best trial #\d+: value [-\d.e]+ \(minimize\)\n {2}params: x=[-\d.e]+ y=\d/);
  });

  it('journal: optimize, a worker joining with only --storage and --study, trials csv/json, best-trial, studies, create/delete-study', async () => {
    const cwd = workdir();
    const sleepy = `${NODE} ${JSON.stringify(join(FIX, 'sleep.mjs'))} --ms=200 --result={x}`;
    const first = await cli(
      [
        'optimize',
        '--command',
        sleepy,
        '--space',
        SPACE,
        '--storage',
        'tansaku.journal',
        '--study',
        'demo',
        '--n-trials',
        '8',
        '--timeout',
        '0.3',
        '--seed',
        '7',
      ],
      { cwd },
    );
    assert.equal(first.code, 0, first.stderr);
    const before = parseTrials(
      (await cli(['trials', '--storage', 'tansaku.journal', '--study', 'demo', '--format', 'json'], { cwd })).stdout,
    );
    assert.ok(before.length >= 1 && before.length < 8, `the timeout stopped the first run early (${before.length} trials)`);

    // From another directory: the command runs in the directory optimize was started from.
    const worker = await cli(['worker', '--storage', join(cwd, 'tansaku.journal'), '--study', 'demo'], { cwd: workdir() });
    assert.equal(worker.code, 0, worker.stderr);
    assert.match(worker.stdout, new RegExp(`study "demo": ${8 - before.length} trials run here`));

    const json = await cli(['trials', '--storage', join(cwd, 'tansaku.journal'), '--study', 'demo', '--format', 'json'], {
      cwd: workdir(),
    });
    assert.equal(json.code, 0, json.stderr);
    const trials = parseTrials(json.stdout);
    assert.deepEqual(
      trials.map((t) => t.number),
      [0, 1, 2, 3, 4, 5, 6, 7],
      'exactly the budget, numbered without gaps',
    );
    assert.ok(trials.every((t) => t.state === 'COMPLETE'));
    for (const t of trials) assert.equal(t.values![0], t.params.x, 'the program printed {x}');
    assert.equal(new Set(trials.map((t) => pidOf(t.workerId))).size, 2, 'two processes ran the trials');

    const csv = await cli(['trials', '--storage', 'tansaku.journal', '--study', 'demo', '--format', 'csv'], { cwd });
    const lines = csv.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 9);
    assert.match(lines[0], /^number,value,datetime_start,datetime_complete,duration_ms,params_x,params_y,state,worker_id$/);

    const table = await cli(['trials', '--storage', 'tansaku.journal', '--study', 'demo'], { cwd });
    assert.match(table.stdout, /^number\s+state\s+value\s+duration\s+x\s+y\n/);
    assert.equal(table.stdout.trimEnd().split('\n').length, 10);

    const min = trials.reduce((a, b) => (b.values![0] < a.values![0] ? b : a));
    const best = await cli(['best-trial', '--storage', 'tansaku.journal', '--study', 'demo', '--format', 'json'], { cwd });
    assert.equal(best.code, 0, best.stderr);
    assert.equal((JSON.parse(best.stdout) as { number: number }).number, min.number);
    const bestTable = await cli(['best-trial', '--storage', 'tansaku.journal', '--study', 'demo'], { cwd });
    assert.match(bestTable.stdout, new RegExp(`^trial ${min.number}\\n {2}value: `));

    assert.equal(
      (await cli(['create-study', '--storage', 'tansaku.journal', '--study', 'multi', '--directions', 'maximize,minimize'], { cwd }))
        .stdout,
      'multi\n',
    );
    const dup = await cli(['create-study', '--storage', 'tansaku.journal', '--study', 'multi'], { cwd });
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^tansaku: .*multi/);
    assert.equal(
      (
        await cli(
          ['create-study', '--storage', 'tansaku.journal', '--study', 'multi', '--directions', 'maximize,minimize', '--skip-if-exists'],
          { cwd },
        )
      ).code,
      0,
    );

    const studies = await cli(['studies', '--storage', 'tansaku.journal', '--format', 'json'], { cwd });
    const list = JSON.parse(studies.stdout) as Array<{
      study: string;
      trials: number;
      complete: number;
      directions: string[];
      bestValue: number | null;
    }>;
    assert.deepEqual(
      list.map((s) => [s.study, s.trials, s.complete, s.directions]),
      [
        ['demo', 8, 8, ['minimize']],
        ['multi', 0, 0, ['maximize', 'minimize']],
      ],
    );
    assert.equal(list[0].bestValue, min.values![0]);
    assert.match(
      (await cli(['studies', '--storage', 'tansaku.journal'], { cwd })).stdout,
      /^study\s+directions\s+trials.*\n-+.*\ndemo\s+minimize\s+8\s+8/,
    );

    const del = await cli(['delete-study', '--storage', 'tansaku.journal', '--study', 'multi'], { cwd });
    assert.equal(del.code, 0, del.stderr);
    const after = JSON.parse((await cli(['studies', '--storage', 'tansaku.journal', '--format', 'json'], { cwd })).stdout) as Array<{
      study: string;
    }>;
    assert.deepEqual(
      after.map((s) => s.study),
      ['demo'],
    );
    const missing = await cli(['best-trial', '--storage', 'tansaku.journal', '--study', 'multi'], { cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^tansaku: .*"multi"/);

    const again = await cli(['worker', '--storage', 'tansaku.journal', '--study', 'demo'], { cwd });
    assert.equal(again.code, 0);
    assert.match(again.stderr, /budget of 8 is used; raise --n-trials/);
  });

  it('joining a study refuses a lower budget and a clashing space before writing anything, and says which settings it replaces', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'a.json'), JSON.stringify({ act: { type: 'categorical', choices: ['relu', 'tanh'] } }));
    writeFileSync(join(cwd, 'b.json'), JSON.stringify({ act: { type: 'categorical', choices: ['gelu', 'relu'] } }));
    const cmd = (v: string) => `${NODE} ${JSON.stringify(join(FIX, 'echo.mjs'))} {act} ${v}`;
    const base = ['--storage', 'j.journal', '--study', 'c'];
    const first = await cli(['optimize', '--command', cmd('1'), '--space', 'a.json', ...base, '--n-trials', '3', '--sampler', 'random'], {
      cwd,
      env: { ECHO_OUT: cwd },
    });
    assert.equal(first.code, 0, first.stderr);
    const size = (await cli(['trials', ...base, '--format', 'json'], { cwd })).stdout;
    const lower = await cli(['optimize', '--command', cmd('1'), '--space', 'a.json', ...base, '--n-trials', '2'], { cwd });
    assert.equal(lower.code, 2);
    assert.match(lower.stderr, /has a budget of 3 trials, shared by every process on it; --n-trials 2 would lower it/);
    const clash = await cli(['optimize', '--command', cmd('1'), '--space', 'b.json', ...base, '--n-trials', '30'], { cwd });
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /b\.json: parameter "act" is categorical.*in earlier trials of the study.*Use another --study/);
    assert.equal((await cli(['trials', ...base, '--format', 'json'], { cwd })).stdout, size, 'nothing was written');
    const changed = await cli(['optimize', '--command', cmd('2'), '--space', 'a.json', ...base, '--n-trials', '4', '--sampler', 'qmc'], {
      cwd,
      env: { ECHO_OUT: cwd },
    });
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, /this run replaced its stored objective, sampler \(random -> qmc\)/);
  });

  it('--sampler tpe keeps to the constraints a command prints with its result', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'x.json'), JSON.stringify({ x: { type: 'float', low: -3, high: 3 } }));
    const command = `${NODE} ${JSON.stringify(join(FIX, 'constrained.mjs'))} --x={x}`;
    const base = ['--storage', 'j.journal', '--study', 'c'];
    const run = await cli(
      [
        'optimize',
        '--command',
        command,
        '--space',
        'x.json',
        ...base,
        '--n-trials',
        '60',
        '--sampler',
        'tpe',
        '--seed',
        '2',
        '--pruner',
        'none',
      ],
      {
        cwd,
        timeoutMs: 120_000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const trials = JSON.parse((await cli(['trials', ...base, '--format', 'json'], { cwd })).stdout) as Array<{ params: { x: number } }>;
    assert.equal(trials.length, 60);
    // In the library, seeds 0–9: 15–18 of the last 30 feasible with the constraint, 1–4 without it
    // (unconstrained TPE goes to x = 0); random search: 10.
    const feasible = trials.slice(30).filter((t) => t.params.x >= 1).length;
    assert.ok(feasible >= 13, `${feasible} of the last 30 trials feasible`);
  });

  it('without --sampler: TPE for a new study, and a rejoined study keeps its stored sampler and options', async () => {
    const cwd = workdir();
    const base = ['--space', SPACE, '--storage', 'j.journal', '--pruner', 'none'];
    const fresh = await cli(['optimize', '--command', quadratic, ...base, '--study', 'new', '--n-trials', '2'], { cwd });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stderr, /sampler tpe,/);
    const random = await cli(
      [
        'optimize',
        '--command',
        quadratic,
        ...base,
        '--study',
        'old',
        '--n-trials',
        '2',
        '--sampler',
        'tpe',
        '--sampler-options',
        'nStartupTrials=3',
      ],
      { cwd },
    );
    assert.equal(random.code, 0, random.stderr);
    const rejoined = await cli(['optimize', '--command', quadratic, ...base, '--study', 'old', '--n-trials', '4'], { cwd });
    assert.equal(rejoined.code, 0, rejoined.stderr);
    assert.match(rejoined.stderr, /sampler tpe,/);
    assert.doesNotMatch(rejoined.stderr, /replaced/, 'the stored sampler options are kept');
    const listed = await cli(['optimize', '--command', quadratic, ...base, '--study', 'new', '--n-trials', '3', '--sampler', 'random'], {
      cwd,
    });
    assert.match(listed.stderr, /replaced its stored sampler \(tpe -> random\)/);
    const back = await cli(['optimize', '--command', quadratic, ...base, '--study', 'new', '--n-trials', '4'], { cwd });
    assert.match(back.stderr, /sampler random,/);
    assert.doesNotMatch(back.stderr, /replaced/);
    const bad = await cli(
      ['optimize', '--command', quadratic, ...base, '--study', 'x', '--n-trials', '2', '--sampler-options', 'nEiCandidates=0'],
      {
        cwd,
      },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /TpeSampler: nEiCandidates must be an integer >= 1, got 0/);
  });
  it('joining a study without --direction uses its directions; a run without --n-trials says it has no budget', async () => {
    const cwd = workdir();
    const made = await cli(['create-study', '--storage', 'j.journal', '--study', 'up', '--direction', 'maximize'], { cwd });
    assert.equal(made.code, 0, made.stderr);
    const r = await cli(
      ['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'j.journal', '--study', 'up', '--n-trials', '2'],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(maximize\)/);
    const t = await cli(['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'memory:', '--study', 'nb', '--timeout', '1'], {
      cwd,
    });
    assert.equal(t.code, 0, t.stderr);
    assert.match(
      t.stderr,
      /no budget: runs until --timeout 1 s, the sampler runs out or Ctrl-C \(give --n-trials N to stop after N trials\)/,
    );
  });

  it('warns about a malformed tansaku:report line instead of dropping it in silence', async () => {
    const cwd = workdir();
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'print.mjs'))} "tansaku:report one 0.3" "tansaku: report 1 0.3" 0.5`;
    const r = await cli(['optimize', '--command', cmd, '--space', SPACE, '--storage', 'memory:', '--study', 'w', '--n-trials', '1'], {
      cwd,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: trial 0: ignored malformed report line "tansaku:report one 0.3": the step must be an integer >= 0/);
    assert.match(r.stderr, /warning: trial 0: ignored unknown protocol line "tansaku: report 1 0.3"/);
  });

  it('a parameter value containing "; rm -rf" reaches the program as one literal argument', async () => {
    const cwd = workdir();
    const out = join(cwd, 'out');
    mkdirSync(out);
    const evil = ['; rm -rf ./victim', '$(touch pwned) && echo `id` | tee x > y'];
    writeFileSync(join(cwd, 'space.json'), JSON.stringify({ act: { type: 'categorical', choices: evil } }));
    mkdirSync(join(cwd, 'victim'));
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'echo.mjs'))} {act} --act={act}`;
    const r = await cli(
      [
        'optimize',
        '--command',
        cmd,
        '--space',
        'space.json',
        '--storage',
        'memory:',
        '--study',
        'e',
        '--n-trials',
        '4',
        '--sampler',
        'grid',
      ],
      { cwd, env: { ECHO_OUT: out } },
    );
    assert.equal(r.code, 0, r.stderr);
    const seen = readdirSync(out).map((f) => readJson<{ argv: string[] }>(join(out, f)).argv);
    assert.equal(seen.length, 2, 'the grid has two cells');
    assert.deepEqual(seen.map((a) => a[0]).sort(), [...evil].sort());
    for (const argv of seen) assert.deepEqual(argv, [argv[0], `--act=${argv[0]}`]);
    assert.ok(existsSync(join(cwd, 'victim')) && !existsSync(join(cwd, 'pwned')) && !existsSync(join(cwd, 'y')));
  });

  it('8 concurrent optimize processes on one journal share the budget: exactly 400 trials, numbered 0..399, values intact', async () => {
    const cwd = workdir();
    const args = [
      'optimize',
      '--command',
      quadratic,
      '--space',
      SPACE,
      '--storage',
      'j.journal',
      '--study',
      'c8',
      '--n-trials',
      '400',
      '--pruner',
      'none',
    ];
    const runs = await Promise.all(Array.from({ length: 8 }, () => cli(args, { cwd, timeoutMs: 240_000 })));
    let ranHere = 0;
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      ranHere += Number(/: (\d+) trials run here/.exec(r.stdout)?.[1]);
    }
    assert.equal(ranHere, 400, 'each trial is counted by the process that ran it');
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'c8', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.number),
      [...Array(400).keys()],
    );
    for (const t of trials) {
      assert.equal(t.state, 'COMPLETE');
      assert.equal(t.values![0], ((t.params.x as number) - 1) ** 2 + (t.params.y as number));
    }
    assert.equal(new Set(trials.map((t) => pidOf(t.workerId))).size, 8);
  });

  it('pruning through the CLI: --pruner threshold with key=value options stops the programs, trials PRUNED', async () => {
    const cwd = workdir();
    const pids = join(cwd, 'pids');
    mkdirSync(pids);
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'long-report.mjs'))} --value={x}`;
    writeFileSync(join(cwd, 'space.yaml'), 'x: {type: float, low: 10, high: 20}\n');
    const r = await cli(
      [
        'optimize',
        '--command',
        cmd,
        '--space',
        'space.yaml',
        '--storage',
        'memory:',
        '--study',
        'p',
        '--n-trials',
        '3',
        '--n-jobs',
        '3',
        '--pruner',
        'threshold',
        '--pruner-options',
        'upper=5,n_warmup_steps=1',
        '--kill-grace',
        '1',
      ],
      {
        cwd,
        env: { PID_DIR: pids },
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 trials run here \(0 complete, 3 pruned, 0 failed\)/);
    assert.equal((r.stderr.match(/trial \d PRUNED at step 1/g) ?? []).length, 3, r.stderr);
    for (const f of readdirSync(pids).filter((f) => f.endsWith('.json'))) assert.ok(!alive(readJson<{ pid: number }>(join(pids, f)).pid));
  });

  it('exits 1 with the first failure and its stderr when every trial failed', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--command',
        `${NODE} ${JSON.stringify(join(FIX, 'crash.mjs'))} {x}`,
        '--space',
        SPACE,
        '--storage',
        'memory:',
        '--study',
        'c',
        '--n-trials',
        '3',
      ],
      { cwd },
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, /3 failed/);
    assert.match(
      r.stderr,
      /tansaku: every trial failed \(3\); trial 0: the program exited with code 3; stderr ends with: ValueError: boom at the end/,
    );
    assert.match(r.stderr, /--- stderr of trial 0 \(last lines\) ---\n(.*\n)*ValueError: boom at the end/);
  });

  it('a command printing no number fails its trials, and the study stays usable', async () => {
    const cwd = workdir();
    const print = `${NODE} ${JSON.stringify(join(FIX, 'print.mjs'))} {x} 'no number here'`;
    const r = await cli(['optimize', '--command', print, '--space', SPACE, '--storage', 'j.journal', '--study', 'n', '--n-trials', '2'], {
      cwd,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the last stdout line "no number here" is not a result/);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'n', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.state),
      ['FAIL', 'FAIL'],
    );
    assert.match(String(trials[0].userAttrs.stdout_tail), /no number here/);
  });

  it('SIGINT stops cleanly: programs killed, running trials FAIL "interrupted", exit 130', async () => {
    const cwd = workdir();
    const pids = join(cwd, 'pids');
    mkdirSync(pids);
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'long-report.mjs'))} --grandchild`;
    const { child, result } = startCli(
      [
        'optimize',
        '--command',
        cmd,
        '--space',
        SPACE,
        '--storage',
        'j.journal',
        '--study',
        'i',
        '--n-trials',
        '5',
        '--n-jobs',
        '2',
        '--pruner',
        'none',
        '--kill-grace',
        '1',
      ],
      {
        cwd,
        env: { PID_DIR: pids },
      },
    );
    for (let i = 0; i < 400 && readdirSync(pids).filter((f) => f.endsWith('.json')).length < 2; i++)
      await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const r = await result;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /SIGINT: stopping/);
    assert.match(r.stdout, /^interrupted: study "i"/);
    for (const f of readdirSync(pids).filter((f) => f.endsWith('.json'))) {
      const { pid, grandchild } = readJson<{ pid: number; grandchild: number | null }>(join(pids, f));
      assert.ok(!alive(pid), `program ${pid} is gone`);
      for (let i = 0; i < 50 && grandchild && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 20));
      assert.ok(!grandchild || !alive(grandchild), `grandchild ${grandchild} is gone`);
    }
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'i', '--format', 'json'], { cwd })).stdout);
    assert.equal(trials.length, 2);
    for (const t of trials) {
      assert.equal(t.state, 'FAIL');
      assert.match(String(t.systemAttrs.fail_reason), /interrupted/);
    }
  });
});

describe('tansaku optimize: the study deleted under a run', () => {
  it('ends the run with a message saying so', async () => {
    const cwd = workdir();
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'sleep.mjs'))} --ms=100 --x={x}`;
    const { result } = startCli(
      [
        'optimize',
        '--command',
        cmd,
        '--space',
        SPACE,
        '--storage',
        'j.journal',
        '--study',
        'gone',
        '--n-trials',
        '200',
        '--pruner',
        'none',
      ],
      { cwd },
    );
    assert.ok(await waitForTrials(cwd, 'gone', (trials) => trials.length >= 2), 'trials started');
    assert.equal((await cli(['delete-study', '--storage', 'j.journal', '--study', 'gone'], { cwd })).code, 0);
    const r = await result;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /study "gone" was deleted while this run was using it/);
  });
});

describe('tansaku optimize: SIGTERM', () => {
  it('stops like Ctrl-C and exits 143 (128 + SIGTERM), the shell convention', async () => {
    const cwd = workdir();
    const cmd = `${NODE} ${JSON.stringify(join(FIX, 'sleep.mjs'))} --x={x}`;
    const { child, result } = startCli(
      [
        'optimize',
        '--command',
        cmd,
        '--space',
        SPACE,
        '--storage',
        'j.journal',
        '--study',
        't',
        '--n-trials',
        '2',
        '--pruner',
        'none',
        '--kill-grace',
        '1',
      ],
      { cwd },
    );
    assert.ok(await waitForTrials(cwd, 't', (trials) => trials.some((t) => t.state === 'RUNNING')), 'a trial started');
    child.kill('SIGTERM');
    const r = await result;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopping/);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 't', '--format', 'json'], { cwd })).stdout);
    assert.ok(trials.length > 0 && trials.every((t) => t.state === 'FAIL'));
  });
});

describe('tansaku optimize --objective', () => {
  it('--n-jobs 2 on a journal runs two worker processes sharing the budget exactly', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'objective.ts'),
        '--storage',
        'j.journal',
        '--study',
        'm',
        '--n-trials',
        '12',
        '--n-jobs',
        '2',
        '--pruner',
        'none',
        '--seed',
        '2',
      ],
      {
        cwd,
        // Long enough trials (12 x 300 ms) that the second worker starts before the first has run them all,
        // also on a loaded machine where starting a worker takes a second or more.
        env: { OBJECTIVE_BUSY_MS: '300' },
        timeoutMs: 50_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 job\(s\) in worker processes/);
    assert.match(r.stdout, /12 trials run here \(12 complete/);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'm', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.number),
      [...Array(12).keys()],
    );
    assert.ok(trials.every((t) => t.state === 'COMPLETE'));
    const pids = new Set(trials.map((t) => t.userAttrs.pid));
    assert.equal(pids.size, 2, `two worker processes ran trials: ${[...pids].join(', ')}`);
    for (const pid of pids) assert.notEqual(pid, r.code, 'not the CLI process');

    // A worker joins with only the storage and the study name, after the budget is raised.
    const raise = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'objective.ts'),
        '--storage',
        'j.journal',
        '--study',
        'm',
        '--n-trials',
        '14',
        '--pruner',
        'none',
      ],
      { cwd },
    );
    assert.equal(raise.code, 0, raise.stderr);
    assert.match(raise.stdout, /2 trials run here/);
  });

  it('a worker process killed mid-trial: its trial is failed at once, the other worker finishes the budget', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'objective.ts'),
        '--storage',
        'j.journal',
        '--study',
        'k',
        '--n-trials',
        '8',
        '--n-jobs',
        '2',
        '--pruner',
        'none',
      ],
      {
        cwd,
        env: { OBJECTIVE_KILL_AT: '3' },
        timeoutMs: 50_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /worker process \d+ exited \(signal SIGKILL\); failed its running trial\(s\) 3/);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'k', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.number),
      [...Array(8).keys()],
    );
    assert.equal(trials[3].state, 'FAIL');
    assert.match(String(trials[3].systemAttrs.fail_reason), /worker process \d+ exited \(signal SIGKILL\)/);
    assert.equal(trials.filter((t) => t.state === 'COMPLETE').length, 7);
  });

  it('--n-jobs 1 on a journal runs the module in a worker process: a module that calls process.exit costs its trial, with a message', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'unruly-objective.mjs'),
        '--storage',
        'j.journal',
        '--study',
        'u',
        '--n-trials',
        '3',
        '--pruner',
        'none',
      ],
      {
        cwd,
        env: { UNRULY: 'exit' },
        timeoutMs: 50_000,
      },
    );
    assert.match(r.stderr, /1 job\(s\) in worker processes/);
    assert.match(r.stderr, /worker process \d+ exited \(code 3\); failed its running trial\(s\) 1/);
    assert.equal(r.code, 1);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'u', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.state),
      ['COMPLETE', 'FAIL'],
      'no trial left RUNNING',
    );
  });

  it('a second Ctrl-C kills a busy module objective at once and fails its trial (not left RUNNING)', async () => {
    const cwd = workdir();
    const { child, result } = startCli(
      [
        'optimize',
        '--objective',
        join(FIX, 'busy-objective.mjs'),
        '--storage',
        'j.journal',
        '--study',
        'b',
        '--n-trials',
        '3',
        '--pruner',
        'none',
      ],
      { cwd },
    );
    assert.ok(await waitForTrials(cwd, 'b', (trials) => trials.some((t) => t.state === 'RUNNING')), 'a trial started');
    const t0 = Date.now();
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const r = await result;
    assert.equal(r.code, 130, r.stderr);
    assert.ok(Date.now() - t0 < 5000, `exited ${Date.now() - t0} ms after the first Ctrl-C`);
    assert.match(r.stderr, /SIGINT again: killed running programs/);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'b', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.state),
      ['FAIL'],
    );
    assert.match(String(trials[0].systemAttrs.fail_reason), /killed \(interrupted twice\)/);
  });

  it('a forgotten promise rejection in a module objective is reported and the worker goes on', async () => {
    const cwd = workdir();
    const r = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'unruly-objective.mjs'),
        '--storage',
        'j.journal',
        '--study',
        'u',
        '--n-trials',
        '3',
        '--pruner',
        'none',
      ],
      {
        cwd,
        env: { UNRULY: 'reject' },
        timeoutMs: 50_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: an unhandled promise rejection in the objective \(a promise not awaited\?\), ignored:\nError: forgotten rejection/,
    );
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 'u', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE'],
    );
  });

  it('--n-jobs 1 runs a .mjs module (default export) in the CLI process on memory:; --space parameters are suggested first', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, 'space.json'),
      JSON.stringify({ x: { type: 'float', low: -3, high: 3, step: 1 }, n: { type: 'int', low: 1, high: 3 } }),
    );
    const r = await cli(
      [
        'optimize',
        '--objective',
        join(FIX, 'space-objective.mjs'),
        '--space',
        'space.json',
        '--storage',
        'memory:',
        '--study',
        'g',
        '--sampler',
        'grid',
      ],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /21 trials run here/, 'the grid of 7 x 3 cells, then exhausted');
    assert.match(r.stdout, /best trial #\d+: value 1 \(minimize\)\n {2}params: x=1 n=1/);
  });
});
