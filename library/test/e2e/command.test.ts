import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  InMemoryStorage,
  NopPruner,
  OptimizationInterruptedError,
  ThresholdPruner,
  createStudy,
  type FrozenTrial,
  type Pruner,
  type SearchSpace,
  type StudyDirection,
} from '../../src/index.js';
import { floatDistribution, intDistribution, categoricalDistribution, ordinalDistribution } from '../../src/extend.js';
import { CommandObjective, CommandTrialError, type CommandObjectiveOptions } from '../../src/runner/command.js';
import { liveChildCount } from '../../src/runner/processes.js';
import { alive } from './helpers.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'cli');
const node = JSON.stringify(process.execPath);
const tmp = mkdtempSync(join(tmpdir(), 'tansaku-command-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function freshDir(name: string): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function runTrials(
  options: Omit<CommandObjectiveOptions, 'studyName'> & {
    nTrials?: number;
    pruner?: Pruner;
    directions?: StudyDirection[];
    concurrency?: number;
  },
): Promise<{ trials: readonly FrozenTrial[]; runner: CommandObjective }> {
  const study = await createStudy({
    storage: new InMemoryStorage(),
    directions: options.directions ?? ['minimize'],
    seed: 3,
    pruner: options.pruner ?? new NopPruner(),
  });
  const { nTrials, pruner: _pruner, directions: _directions, concurrency, ...commandOptions } = options;
  const runner = new CommandObjective({ ...commandOptions, studyName: study.studyName, nObjectives: study.directions.length });
  await study.optimize(runner.objective, {
    nTrials: nTrials ?? 1,
    concurrency: concurrency ?? 1,
    catch: [CommandTrialError],
    handleSignals: false,
  });
  await runner.settle();
  return { trials: await study.trials, runner };
}

const space: SearchSpace = {
  lr: floatDistribution('lr', 1e-5, 1e-1, { log: true }),
  layers: intDistribution('layers', 1, 4),
  width: ordinalDistribution('width', [16, 32, 64]),
  act: categoricalDistribution('act', ['; rm -rf /', '$(touch pwned) `id` "q" \'s\'', 'a  b\tc']),
};

describe('CommandObjective', () => {
  it("shows a program a stepped float in its grid's decimals (0.3, not 0.30000000000000004)", async () => {
    const out = freshDir('stepped');
    const { trials } = await runTrials({
      command: `${node} ${JSON.stringify(join(FIX, 'echo.mjs'))} {x}`,
      space: { x: floatDistribution('x', 0.1, 0.7, { step: 0.2 }) },
      env: { ...process.env, ECHO_OUT: out },
      nTrials: 8,
    });
    for (const t of trials) {
      const rec = JSON.parse(readFileSync(join(out, `trial-${t.number}.json`), 'utf8')) as {
        argv: string[];
        env: Record<string, string>;
        params: { x: number };
      };
      assert.match(rec.argv[0], /^0\.[1357]$/);
      assert.equal(rec.env.TANSAKU_PARAM_X, rec.argv[0]);
      assert.equal(String(rec.params.x), rec.argv[0]);
      assert.ok(Math.abs((t.params.x as number) - Number(rec.argv[0])) < 1e-12, 'the trial keeps the sampled value');
    }
  });

  it('passes params as argv words (never split, never a shell), env vars and a params file that is removed after', async () => {
    const out = freshDir('echo');
    const { trials } = await runTrials({
      command:
        `${node} ${JSON.stringify(join(FIX, 'echo.mjs'))} --act={act} {act} 'literal {{act}}' --lr {lr} --layers={layers} {width} #{trial_number} {params_file}`.replace(
          '#{',
          '{',
        ),
      space,
      env: { ...process.env, ECHO_OUT: out, TANSAKU_PARAM_STALE: 'x' },
      nTrials: 3,
      concurrency: 3,
    });
    assert.deepEqual(
      trials.map((t) => t.state),
      ['COMPLETE', 'COMPLETE', 'COMPLETE'],
    );
    for (const t of trials) {
      const rec = JSON.parse(readFileSync(join(out, `trial-${t.number}.json`), 'utf8')) as {
        argv: string[];
        env: Record<string, string>;
        params: Record<string, unknown>;
        cwd: string;
      };
      const act = String(t.params.act);
      assert.deepEqual(rec.argv.slice(0, 8), [
        `--act=${act}`,
        act,
        'literal {act}',
        '--lr',
        String(t.params.lr),
        `--layers=${t.params.layers}`,
        String(t.params.width),
        String(t.number),
      ]);
      assert.equal(rec.argv.length, 9);
      assert.equal(rec.env.TANSAKU_PARAM_ACT, act);
      assert.equal(rec.env.TANSAKU_PARAM_LR, String(t.params.lr));
      assert.equal(rec.env.TANSAKU_PARAM_LAYERS, String(t.params.layers));
      assert.equal(rec.env.TANSAKU_PARAM_WIDTH, String(t.params.width));
      assert.equal(rec.env.TANSAKU_PARAM_STALE, undefined, 'inherited TANSAKU_PARAM_* variables are dropped');
      assert.equal(rec.env.TANSAKU_TRIAL_NUMBER, String(t.number));
      assert.ok(rec.env.TANSAKU_STUDY.length > 0);
      assert.equal(rec.env.PYTHONUNBUFFERED, '1');
      assert.equal(rec.argv[8], rec.env.TANSAKU_PARAMS_FILE);
      assert.deepEqual(rec.params, t.params);
      assert.ok(!existsSync(rec.env.TANSAKU_PARAMS_FILE), 'the params file is removed after the trial');
      assert.equal(rec.cwd, process.cwd());
    }
    assert.ok(!existsSync(join(process.cwd(), 'pwned')));
    assert.equal(liveChildCount(), 0);
  });

  it('takes the last non-report stdout line as the result: a number, a JSON array, a JSON object', async () => {
    const print = `${node} ${JSON.stringify(join(FIX, 'print.mjs'))}`;
    let { trials } = await runTrials({ command: `${print} 'log line' 0.25 'tansaku:report 0 1' '' '   '`, space: {} });
    assert.equal(trials[0].state, 'COMPLETE');
    assert.deepEqual(trials[0].values, [0.25]);
    assert.deepEqual(trials[0].intermediateValues.get(0), 1);

    ({ trials } = await runTrials({ command: `${print} '[0.5, 7]'`, space: {}, directions: ['maximize', 'minimize'] }));
    assert.deepEqual(trials[0].values, [0.5, 7]);

    ({ trials } = await runTrials({ command: `${print} '{"acc": 0.9, "ms": 12}'`, space: {}, directions: ['maximize', 'minimize'] }));
    assert.deepEqual(trials[0].values, [0.9, 12]);
    assert.deepEqual(trials[0].userAttrs.result, { acc: 0.9, ms: 12 });

    ({ trials } = await runTrials({ command: `${print} '{"loss": 0.3, "constraints": [0.5, -1]}'`, space: {} }));
    assert.deepEqual(trials[0].values, [0.3]);
    assert.deepEqual(trials[0].systemAttrs.constraints, [0.5, -1], "the result's constraints, stored as Optuna stores them");
  });

  it('fails trials with no result, a garbage result or NaN, keeping the stdout tail', async () => {
    const print = `${node} ${JSON.stringify(join(FIX, 'print.mjs'))}`;
    let { trials } = await runTrials({ command: print, space: {} });
    assert.equal(trials[0].state, 'FAIL');
    assert.match(String(trials[0].systemAttrs.fail_reason), /printed no result/);

    ({ trials } = await runTrials({ command: `${print} 'accuracy: high'`, space: {} }));
    assert.equal(trials[0].state, 'FAIL');
    assert.match(String(trials[0].systemAttrs.fail_reason), /"accuracy: high" is not a result/);
    assert.match(String(trials[0].userAttrs.stdout_tail), /accuracy: high/);

    ({ trials } = await runTrials({ command: `${print} nan`, space: {} }));
    assert.equal(trials[0].state, 'FAIL');
    assert.match(String(trials[0].systemAttrs.fail_reason), /NaN/);
  });

  it('a crash fails the trial with the exit code and the stderr tail (last 4 KB)', async () => {
    const { trials } = await runTrials({ command: `${node} ${JSON.stringify(join(FIX, 'crash.mjs'))}`, space: {} });
    const t = trials[0];
    assert.equal(t.state, 'FAIL');
    assert.match(String(t.systemAttrs.fail_reason), /exited with code 3; stderr ends with: ValueError: boom at the end/);
    const tail = String(t.userAttrs.stderr_tail);
    assert.ok(tail.length <= 4096 && tail.length > 3000, `tail length ${tail.length}`);
    assert.ok(tail.endsWith('ValueError: boom at the end\n'));
  });

  it('a program that does not exist: found by checkProgram, and a FAIL "command not found" if run', async () => {
    const runner = new CommandObjective({
      command: 'definitely-not-a-program-tansaku {x}',
      space: { x: floatDistribution('x', 0, 1) },
      studyName: 's',
    });
    const check = runner.checkProgram();
    assert.ok(check && !check.ok);
    assert.match(check.problem, /^command not found: definitely-not-a-program-tansaku/);
    const { trials } = await runTrials({ command: 'definitely-not-a-program-tansaku', space: {} });
    assert.equal(trials[0].state, 'FAIL');
    assert.match(String(trials[0].systemAttrs.fail_reason), /command not found: definitely-not-a-program-tansaku/);
    const rel = new CommandObjective({ command: './no/such/file.sh', space: {}, studyName: 's' }).checkProgram();
    assert.ok(rel && !rel.ok && /command not found: \.\/no\/such\/file\.sh/.test(rel.problem));
    const notExec = new CommandObjective({ command: JSON.stringify(join(FIX, 'space.json')), space: {}, studyName: 's' }).checkProgram();
    assert.ok(notExec && !notExec.ok && /permission denied/.test(notExec.problem));
    assert.deepEqual(new CommandObjective({ command: `${node} x`, space: {}, studyName: 's' }).checkProgram(), {
      ok: true,
      path: process.execPath,
    });
  });

  it('a trial timeout stops the program (SIGTERM, then SIGKILL) and fails the trial', async () => {
    const t0 = Date.now();
    const { trials } = await runTrials({
      command: `${node} ${JSON.stringify(join(FIX, 'sleep.mjs'))}`,
      space: {},
      trialTimeout: 0.5,
      killGrace: 0.5,
    });
    assert.equal(trials[0].state, 'FAIL');
    assert.match(String(trials[0].systemAttrs.fail_reason), /timed out after 0.5 s/);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(liveChildCount(), 0);
  });

  for (const ignoreTerm of [false, true]) {
    it(`pruning stops a long-running program${ignoreTerm ? ' that ignores SIGTERM (SIGKILL after the grace period)' : ' with SIGTERM'}: PRUNED, process tree gone`, async () => {
      const dir = freshDir(`prune-${ignoreTerm}`);
      const t0 = Date.now();
      const { trials } = await runTrials({
        command: `${node} ${JSON.stringify(join(FIX, 'long-report.mjs'))} --grandchild --value=10 ${ignoreTerm ? '--ignore-term' : ''}`,
        space: {},
        env: { ...process.env, PID_DIR: dir },
        pruner: new ThresholdPruner({ upper: 5, nWarmupSteps: 2 }),
        killGrace: 0.4,
      });
      const t = trials[0];
      assert.equal(t.state, 'PRUNED');
      assert.equal(t.intermediateValues.size, 3, 'steps 0, 1, 2 reported; pruned at step 2 after the warm-up');
      assert.deepEqual(t.values, [10], 'a pruned trial takes its last reported value');
      assert.ok(existsSync(join(dir, `trial-${t.number}.sigterm`)), 'the program got SIGTERM');
      const { pid, grandchild } = JSON.parse(readFileSync(join(dir, `trial-${t.number}.json`), 'utf8')) as {
        pid: number;
        grandchild: number;
      };
      assert.ok(!alive(pid), 'the program is gone');
      for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(!alive(grandchild), 'the process it started is gone too');
      assert.ok(Date.now() - t0 < 8000);
    });
  }

  it('an interruption (trial.signal) kills the program; the trial is FAIL "interrupted"', async () => {
    const dir = freshDir('abort');
    const study = await createStudy({ storage: new InMemoryStorage(), seed: 1, pruner: new NopPruner() });
    const runner = new CommandObjective({
      command: `${node} ${JSON.stringify(join(FIX, 'long-report.mjs'))}`,
      space: {},
      studyName: study.studyName,
      env: { ...process.env, PID_DIR: dir },
      killGrace: 1,
    });
    const controller = new AbortController();
    const run = study.optimize(runner.objective, { concurrency: 2, signal: controller.signal, handleSignals: false });
    for (let i = 0; i < 200 && !(existsSync(join(dir, 'trial-0.json')) && existsSync(join(dir, 'trial-1.json'))); i++)
      await new Promise((r) => setTimeout(r, 25));
    controller.abort();
    await assert.rejects(run, OptimizationInterruptedError);
    await runner.settle();
    for (const n of [0, 1]) {
      const { pid } = JSON.parse(readFileSync(join(dir, `trial-${n}.json`), 'utf8')) as { pid: number };
      assert.ok(!alive(pid), `program of trial ${n} is gone`);
    }
    const trials = await study.trials;
    assert.deepEqual(
      trials.map((t) => t.state),
      ['FAIL', 'FAIL'],
    );
    assert.match(String(trials[0].systemAttrs.fail_reason), /interrupted/);
    assert.equal(liveChildCount(), 0);
  });

  it('refuses colliding env names, unknown placeholders and a missing working directory up front', () => {
    assert.throws(
      () =>
        new CommandObjective({
          command: 'x',
          space: { 'a-b': floatDistribution('a-b', 0, 1), a_b: floatDistribution('a_b', 0, 1) },
          studyName: 's',
        }),
      /both become the environment variable TANSAKU_PARAM_A_B/,
    );
    assert.throws(() => new CommandObjective({ command: 'x {nope}', space: {}, studyName: 's' }), /placeholder \{nope\}/);
    assert.throws(() => new CommandObjective({ command: 'x', space: {}, studyName: 's', cwd: join(tmp, 'missing') }), /working directory/);
  });
});
