/**
 * bench/kill-storm: CLI workers on one journal SIGKILLed at random, and restarted, until the study's
 * budget is used. `npm run bench:kill-storm` (options: `--workers 4 --kills 24 --trials 400 --seed 1`).
 *
 * One `tansaku optimize --objective bench/kill-storm/objective.ts` and `workers - 1` `tansaku worker`
 * processes (each with its worker process, `--n-jobs 1`) run the study, with a short heartbeat (interval
 * 0.3 s, grace 2 s) and `--heartbeat-max-retry 1`. Every 150–600 ms (seeded) a random live process is
 * SIGKILLed — a CLI process (its worker then stops on its own) or a worker process (its CLI fails its
 * trial and retries it) — and a `tansaku worker` is started in its place 0.2–1 s later, until `kills`
 * kills; then the survivors finish the study. Counted from the journal and from the CLIs' output:
 *
 * - expected: the budget; a retry of a dead worker's trial (max-retry 1) counts within it while it lasts
 *   and comes on top once it is used, so the journal holds between the budget and the budget + retries;
 * - seen: trials in the journal; numbers without gap or duplicate;
 * - lost: results a CLI printed as COMPLETE (`trial N COMPLETE value=V`, printed once the result is
 *   durable) that the journal does not hold with that value;
 * - duplicated: a trial number printed COMPLETE with two values, or two retries of one trial;
 * - left RUNNING or WAITING once every process has exited.
 *
 * Writes bench/results/kill-storm.md and .json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from 'tansaku/extend';
import { describeCode, loadavg, machineInfo } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { markdownTable } from '../lib/table.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CLI = join(ROOT, 'library/bin/tansaku.mjs');
const OBJECTIVE = join(HERE, 'objective.ts');

interface Participant {
  id: number;
  child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
  done: boolean;
}

interface Trial {
  number: number;
  state: string;
  values: number[] | null;
  systemAttrs: Record<string, unknown>;
}

const { values: opts } = parseArgs({
  options: {
    workers: { type: 'string', default: '4' },
    kills: { type: 'string', default: '24' },
    trials: { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
  },
});
const workers = Number(opts.workers);
const kills = Number(opts.kills);
const budget = Number(opts.trials);
const seed = Number(opts.seed);
for (const [name, v] of [
  ['workers', workers],
  ['kills', kills],
  ['trials', budget],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be an integer >= 1, got ${String(v)}`);
}

const started = Date.now();
const machine = machineInfo(ROOT, ['library/src', 'library/bin']);
const dir = mkdtempSync(join(os.tmpdir(), 'tansaku-kill-storm-'));
const journal = join(dir, 'storm.journal');
const common = ['--storage', journal, '--study', 'storm'];
const log = (msg: string): void => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
const rng = new Rng(seed);
const participants: Participant[] = [];
let nextId = 0;

function start(args: string[]): Participant {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Participant = { id: nextId++, child, output: '', exited: Promise.resolve(null), done: false };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (p.output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (p.output += d));
  p.exited = new Promise((r) =>
    child.on('exit', (code) => {
      p.done = true;
      r(code);
    }),
  );
  participants.push(p);
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Direct children of a process (its worker processes). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

start([
  'optimize',
  '--objective',
  OBJECTIVE,
  ...common,
  '--n-trials',
  String(budget),
  '--pruner',
  'none',
  '--heartbeat-interval',
  '0.3',
  '--heartbeat-grace',
  '2',
  '--heartbeat-max-retry',
  '1',
]);
await sleep(1500); // the study exists before workers join
for (let i = 1; i < workers; i++) start(['worker', ...common]);

const killed: { at: number; target: 'cli' | 'worker' }[] = [];
while (killed.length < kills) {
  await sleep(150 + rng.random() * 450);
  const live = participants.filter((p) => !p.done);
  if (live.length === 0) break;
  const p = live[Math.floor(rng.random() * live.length)];
  const kids = childrenOf(p.child.pid!);
  const target = kids.length > 0 && rng.random() < 0.5 ? 'worker' : 'cli';
  try {
    process.kill(target === 'worker' ? kids[0] : p.child.pid!, 'SIGKILL');
  } catch {
    continue; // exited meanwhile
  }
  killed.push({ at: Date.now() - started, target });
  log(`kill ${killed.length}/${kills}: ${target} of participant ${p.id}`);
  setTimeout(() => start(['worker', ...common]), 200 + rng.random() * 800);
}
// Let the restarts come up, then wait for every participant to finish the study.
await sleep(1200);
for (;;) {
  const live = participants.filter((p) => !p.done);
  if (live.length === 0) break;
  await Promise.race(live.map((p) => p.exited));
}
// A storm may leave nobody running with the budget unfinished (every participant killed at once):
// one more worker finishes it, as a user would run one.
const final = start(['worker', ...common]);
await final.exited;

const listing = spawn(process.execPath, [CLI, 'trials', ...common, '--format', 'json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
let json = '';
listing.stdout!.setEncoding('utf8').on('data', (d: string) => (json += d));
await new Promise((r) => listing.on('exit', r));
const trials = JSON.parse(json) as Trial[];
rmSync(dir, { recursive: true, force: true });

// ------------------------------------------------------------------ counts
const acknowledged = new Map<number, Set<string>>();
for (const p of participants) {
  for (const m of p.output.matchAll(/trial (\d+) COMPLETE value=(\S+)/g)) {
    const set = acknowledged.get(Number(m[1])) ?? new Set<string>();
    set.add(m[2]);
    acknowledged.set(Number(m[1]), set);
  }
}
const format6 = (v: number): string => String(Number(v.toPrecision(6)));
const lost = [...acknowledged].filter(([n, vs]) => {
  const t = trials[n];
  const value = t?.state === 'COMPLETE' ? t.values?.[0] : undefined;
  return value === undefined || ![...vs].every((v) => v === format6(value));
});
const printedTwice = [...acknowledged].filter(([, vs]) => vs.size > 1).length;
const numbersOk = trials.every((t, i) => t.number === i);
const deadFails = trials.filter((t) => t.state === 'FAIL' && /^stale|^worker process/.test(String(t.systemAttrs.fail_reason ?? '')));
const retriesOf = (n: number) => trials.filter((t) => t.systemAttrs.failed_trial === n);
const firstFails = deadFails.filter((t) => typeof t.systemAttrs.failed_trial !== 'number');
const retried = firstFails.filter((t) => retriesOf(t.number).length === 1).length;
const doubleRetries = firstFails.filter((t) => retriesOf(t.number).length > 1).length;
const leftOpen = trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING').length;
const counts = {
  budget,
  seen: trials.length,
  complete: trials.filter((t) => t.state === 'COMPLETE').length,
  failedByDeadWorkers: deadFails.length,
  retried,
  numbersOk,
  acknowledged: acknowledged.size,
  lost: lost.length,
  duplicated: printedTwice + doubleRetries,
  leftRunningOrWaiting: leftOpen,
  kills: killed.length,
  killedCli: killed.filter((k) => k.target === 'cli').length,
  killedWorker: killed.filter((k) => k.target === 'worker').length,
  participants: participants.length,
};
machine.loadavgEnd = loadavg();
const withinBudget = counts.seen >= budget && counts.seen <= budget + retried;
const ok = withinBudget && numbersOk && counts.lost === 0 && counts.duplicated === 0 && leftOpen === 0 && retried === firstFails.length;
const table = markdownTable(
  ['measurement', 'value'],
  [
    ['budget (trials)', String(budget)],
    ['trials seen in the journal (expected: budget to budget + retries)', `${counts.seen}${withinBudget ? '' : ' (OUT OF RANGE)'}`],
    ['numbered 0..n-1 without gap or duplicate', numbersOk ? 'yes' : 'NO'],
    ['COMPLETE', String(counts.complete)],
    ['failed because their worker died (stale, or its process exited)', String(counts.failedByDeadWorkers)],
    ['… of them retried exactly once (max-retry 1)', `${retried} of ${firstFails.length}`],
    ['results printed as COMPLETE by a CLI (acknowledged)', String(counts.acknowledged)],
    ['acknowledged results lost', String(counts.lost)],
    ['duplicated (a result printed twice with two values, or a trial retried twice)', String(counts.duplicated)],
    ['left RUNNING or WAITING after every process exited', String(leftOpen)],
    ['SIGKILLs (CLI processes / worker processes)', `${killed.length} (${counts.killedCli} / ${counts.killedWorker})`],
    ['CLI processes started (first, workers, restarts, the final one)', String(participants.length)],
  ],
);
const machineLine = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.os}; Node ${machine.node}; load average ${machine.loadavgStart.join(' ')} at start, ${machine.loadavgEnd.join(' ')} at end. Date: ${machine.date}. Code: ${describeCode(machine)}. Run time ${((Date.now() - started) / 1000).toFixed(0)} s.`;
writeResults(ROOT, {
  name: 'kill-storm',
  title: `bench/kill-storm: ${workers} CLI workers on one journal, ${killed.length} SIGKILLs with restarts`,
  writtenBy: '`npm run bench:kill-storm` (bench/kill-storm/run.ts)',
  readme: 'the module comment of bench/kill-storm/run.ts',
  machineLine,
  table,
  notes: [
    `Settings: budget ${budget} trials, ${workers} participants at a time (one \`tansaku optimize --objective\`, then \`tansaku worker\`s), --n-jobs 1 each, heartbeat interval 0.3 s, grace 2 s, max-retry 1; seed ${seed}; objective ~60 ms of busy work in 6 chunks.`,
    `Verdict: ${ok ? 'every check passed' : 'SOME CHECKS FAILED: see the JSON'}.`,
  ],
  json: { machine, config: { workers, kills, budget, seed }, counts, killed, lost },
});
if (!ok) process.exitCode = 1;
