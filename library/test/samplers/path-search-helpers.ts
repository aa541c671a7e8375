/** Helpers shared by the tests of the replayed samplers (coordinate search, hill climbing, cross-search, Nelder-Mead). */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemoryStorage,
  JournalFileStorage,
  NopPruner,
  createStudy,
  loadStudy,
  type FrozenTrial,
  type Objective,
  type Sampler,
  type Storage,
  type Trial,
} from '../../src/index.js';

/** A hand-checkable 5x5 table (minimise): a on rows, b on columns; minimum 1 at (3, 3). */
export const TABLE_5X5: readonly (readonly number[])[] = [
  [9, 8, 7, 6, 5],
  [8, 6, 5, 4, 6],
  [7, 5, 3, 2, 7],
  [6, 4, 2, 1, 8],
  [9, 9, 9, 9, 9],
];

/** A smooth 2-D objective with its minimum 0 at (1, -2), for the Nelder-Mead tests. */
export const quadratic = (trial: Trial): number => {
  const x = trial.suggestFloat('x', -5, 5);
  const y = trial.suggestFloat('y', -5, 5);
  return (x - 1) ** 2 + 10 * (y + 2) ** 2;
};

/** Objective over a 2-D table with int parameters a (row) and b (column). */
export function tableObjective(table: readonly (readonly number[])[], sign = 1): (trial: Trial) => number {
  return (trial) => sign * table[trial.suggestInt('a', 0, table.length - 1)][trial.suggestInt('b', 0, table[0].length - 1)];
}

/** "(a,b)" labels of trials' parameter values, in trial order (all states). */
export function cells(trials: readonly FrozenTrial[]): string[] {
  return trials.map(
    (t) =>
      `(${Object.keys(t.params)
        .sort()
        .map((k) => String(t.params[k]))
        .join(',')})`,
  );
}

/** Parses "(0,0) (1,0)" into labels. */
export function path(text: string): string[] {
  return text.trim().split(/\s+/);
}

/** Runs a fresh study (in memory) with the sampler to exhaustion (or `nTrials`); returns its trials. */
export async function runStudy(
  sampler: Sampler,
  objective: Objective,
  options: { direction?: 'minimize' | 'maximize'; nTrials?: number; concurrency?: number; seed?: number; storage?: Storage } = {},
): Promise<{ trials: readonly FrozenTrial[]; stoppedBy: string }> {
  const study = await createStudy({
    sampler,
    pruner: new NopPruner(),
    seed: options.seed ?? 1,
    direction: options.direction ?? 'minimize',
    storage: options.storage,
  });
  const r = await study.optimize(objective, { nTrials: options.nTrials ?? 10_000, concurrency: options.concurrency, catch: () => true });
  return { trials: await study.trials, stoppedBy: r.stoppedBy };
}

/** Fails when two trials ran the same parameter values. */
export function assertNoDuplicates(trials: readonly FrozenTrial[]): void {
  const seen = new Map<string, number>();
  for (const [i, label] of cells(trials).entries()) {
    assert.ok(!seen.has(label), `trials ${seen.get(label)} and ${trials[i].number} both ran ${label}`);
    seen.set(label, trials[i].number);
  }
}

/** A random delay of up to `ms` milliseconds (to shuffle concurrent workers). */
export function jitter(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * ms));
}

/**
 * Runs a study with several workers at once: `studies` Study objects on one storage (each with its own
 * sampler from `make`), each with `concurrency` slots, objectives delayed at random. Returns the trials.
 */
export async function runWorkers(
  make: () => Sampler,
  objective: (trial: Trial) => number,
  options: { studies: number; concurrency: number; storage?: () => Storage; direction?: 'minimize' | 'maximize' },
): Promise<readonly FrozenTrial[]> {
  const storages = Array.from({ length: options.studies }, (_, i) => (i === 0 || !options.storage ? undefined : options.storage()));
  const first = options.storage ? options.storage() : new InMemoryStorage();
  await createStudy({ studyName: 'w', storage: first, seed: 1, direction: options.direction ?? 'minimize', heartbeat: false });
  const workers = await Promise.all(
    storages.map((s) => loadStudy({ studyName: 'w', storage: s ?? first, sampler: make(), pruner: new NopPruner() })),
  );
  await Promise.all(
    workers.map((w) =>
      w.optimize(
        async (t) => {
          const v = objective(t);
          await jitter(4);
          return v;
        },
        { concurrency: options.concurrency },
      ),
    ),
  );
  return workers[0].trials;
}

/** A fresh journal file path in a temporary directory. */
export function tempJournal(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'tansaku-path-')), `${name}.journal`);
}

/**
 * The "resume" check: runs `nFirst` trials on a journal file, then a new storage object and a new
 * sampler on the same file continue to exhaustion; the trials must equal an uninterrupted run's.
 */
export async function assertResumesOnJournal(make: () => Sampler, objective: (trial: Trial) => number, nFirst: number): Promise<void> {
  const uninterrupted = await runStudy(make(), objective);
  const file = tempJournal('resume');
  const first = await createStudy({
    studyName: 'r',
    storage: new JournalFileStorage(file),
    sampler: make(),
    pruner: new NopPruner(),
    seed: 1,
  });
  await first.optimize(objective, { nTrials: nFirst });
  // A new process: another storage object on the file, a fresh sampler; its state comes from the journal.
  const storage = new JournalFileStorage(file);
  const second = await loadStudy({ studyName: 'r', storage, sampler: make(), pruner: new NopPruner() });
  const r = await second.optimize(objective);
  assert.equal(r.stoppedBy, 'exhausted');
  assert.deepEqual(cells(await second.trials), cells(uninterrupted.trials));
  await storage.close();
}

/**
 * A 10x10 accuracy-like table (maximise) over int parameters a, b in [0, 9]: a tilted bowl with its
 * top at (6, 4), plus a local bump at (2, 8), so the searches take non-trivial paths.
 */
export function surface10(a: number, b: number): number {
  const bowl = 0.9 - 0.004 * (a - 6) ** 2 - 0.006 * (b - 4) ** 2 - 0.002 * (a - 6) * (b - 4);
  return bowl + (a === 2 && b === 8 ? 0.1 : 0);
}

/** Objective for {@link surface10} (maximise). */
export function surface10Objective(trial: Trial): number {
  return surface10(trial.suggestInt('a', 0, 9), trial.suggestInt('b', 0, 9));
}

/** The samplers of the kill-and-resume test, by name (the child process builds the same one). */
export async function makeKillTestSampler(kind: string): Promise<Sampler> {
  const { CoordinateSearchSampler, CrossSearchSampler, HillClimbingSampler } = await import('../../src/index.js');
  switch (kind) {
    case 'cross-full':
      return new CrossSearchSampler({ start: { a: 1, b: 1 } });
    case 'cross-partial':
      return new CrossSearchSampler({ start: { a: 1, b: 1 }, limit: 2, firstAxis: 'b' });
    case 'hill':
      return new HillClimbingSampler({ start: { a: 0, b: 9 }, onConverge: 'stop' });
    case 'coordinate':
      return new CoordinateSearchSampler({ initialStep: 0.25, minStep: 0.02, onConverge: 'stop' });
    default:
      throw new Error(`unknown kill-test sampler ${kind}`);
  }
}

/**
 * The kill-and-resume check on a journal file: a child process runs the search and is SIGKILLed inside
 * its 6th trial; a new storage object and a new sampler on the same file continue. The killed trial is
 * failed by the heartbeat sweep and re-run once (same point), and the search evaluates the same points
 * as an uninterrupted run and ends at the same best (with `speculative`, a superset: idle workers may
 * poll ahead while the killed point is pending).
 */
export async function assertResumesAfterKill(kind: string, options: { speculative?: boolean } = {}): Promise<void> {
  const uninterrupted = await runStudy(await makeKillTestSampler(kind), surface10Objective, { direction: 'maximize' });
  const file = tempJournal('kill');
  await createStudy({
    studyName: 'kill',
    storage: new JournalFileStorage(file),
    direction: 'maximize',
    seed: 1,
    heartbeat: { intervalMs: 100, graceMs: 600, maxRetry: 1 },
  });
  const hung = await killWhenItHangs('test/fixtures/path-search-worker.ts', [file, kind, '5']);

  const storage = new JournalFileStorage(file);
  const study = await loadStudy({ studyName: 'kill', storage, sampler: await makeKillTestSampler(kind), pruner: new NopPruner() });
  const r = await study.optimize(surface10Objective);
  assert.equal(r.stoppedBy, 'exhausted');
  const trials = await study.trials;
  const failed = trials.filter((t) => t.state === 'FAIL');
  assert.deepEqual(
    failed.map((t) => t.number),
    [hung],
  );
  assert.match(String(failed[0].systemAttrs.fail_reason), /stale/);
  const complete = trials.filter((t) => t.state === 'COMPLETE');
  assert.equal(complete.length, trials.length - 1);
  const retry = complete.find((t) => t.systemAttrs.failed_trial === hung);
  assert.ok(retry, 'the killed trial was re-run');
  assert.deepEqual(cells([retry]), cells(failed));
  assertNoDuplicates(complete);
  const expected = [...cells(uninterrupted.trials)].sort();
  const got = [...cells(complete)].sort();
  if (options.speculative) for (const c of expected) assert.ok(got.includes(c), `${c} evaluated in the uninterrupted run only`);
  else assert.deepEqual(got, expected);
  assert.equal(await study.bestValue, Math.max(...uninterrupted.trials.map((t) => t.values![0])));
  await storage.close();
}

/**
 * Starts a test fixture (TypeScript, in a child process) and waits until its stdout matches `pattern`,
 * while it keeps running. Rejects if it exits first. Returns the child, the match and its exit.
 */
export async function startFixtureUntil(
  script: string,
  args: readonly string[],
  pattern: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', r));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited (${String(code)}) before printing ${pattern}: ${out}`)));
  });
  return { child, match, exited };
}

/**
 * Runs a test fixture in a child process until it prints `hanging <trial number>` (it hangs inside that
 * trial), then SIGKILLs it and waits for it to exit. Returns the trial number.
 */
export async function killWhenItHangs(script: string, args: readonly string[]): Promise<number> {
  const { child, match, exited } = await startFixtureUntil(script, args, /hanging (\d+)/);
  child.kill('SIGKILL');
  await exited;
  return Number(match[1]);
}
