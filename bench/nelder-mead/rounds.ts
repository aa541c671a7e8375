/**
 * Parallel Nelder-Mead (exact speculation, 4 workers) against serial Nelder-Mead (1 worker), in rounds of
 * simulated fixed-cost evaluations: how many rounds the parallel search needs to reach the regret the
 * serial search has after 100 evaluations.
 *
 * The path is the sampler's own (`nelderMeadPath`, the state machine `NelderMeadSampler` replays; the
 * test suite checks that a real study with 4 workers follows it exactly). Serial: one evaluation per
 * round. Parallel: a request of m points inside the box takes ceil(m / 4) rounds (the initial simplex,
 * the four speculative points of an iteration, the shrink points). The incumbent is the best value of
 * every evaluated point, speculative ones included.
 *
 * Run: `npm run bench:nm-rounds` (add `-- --quick` for a smaller run). Writes bench/results/nm-rounds.md|json.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, nelderMeadPath, type NelderMeadJoin } from 'tansaku/extend';
import { bbobProblem } from '../problems/bbob.js';
import { describeCode, loadavg, machineInfo } from '../lib/machine.js';
import { writeResults } from '../lib/results.js';
import { median, quartiles } from '../lib/stats.js';
import { markdownTable } from '../lib/table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.argv.includes('--quick');
const WORKERS = 4;
const SERIAL_BUDGET = 100;
const SEEDS = quick ? 5 : 20;
const DIMENSIONS = quick ? [5] : [2, 5, 10];
const FUNCTIONS = quick ? [1, 2, 8, 10] : Array.from({ length: 24 }, (_, i) => i + 1);

interface Trace {
  /** Best value after each round. */
  bestAfterRound: number[];
}

function simulate(f: (x: readonly number[]) => number, dimension: number, seed: number, parallel: boolean, maxEvaluations: number): Trace {
  const path = nelderMeadPath({ dimension, seed, parallel });
  let request = path.next().value;
  let best = Infinity;
  let evaluations = 0;
  const bestAfterRound: number[] = [];
  while (evaluations < maxEvaluations) {
    const values = request.map((x) => (x.every((v) => v >= 0 && v <= 1) ? f(x) : Infinity));
    const evaluated = values.filter((_, i) => request[i].every((v) => v >= 0 && v <= 1));
    if (parallel) {
      // Points of one request run together, WORKERS at a time; the incumbent updates as each round ends.
      for (let i = 0; i < evaluated.length; i += WORKERS) {
        for (const v of evaluated.slice(i, i + WORKERS)) best = Math.min(best, v);
        bestAfterRound.push(best);
      }
    } else {
      for (const v of evaluated) {
        best = Math.min(best, v);
        bestAfterRound.push(best);
      }
    }
    evaluations += evaluated.length;
    request = path.next(values).value;
  }
  return { bestAfterRound };
}

/**
 * The spare-worker variant (`subSampler`), with random search as the sub-sampler: the slots a request
 * leaves idle in its rounds run random points; as in the sampler, the points run while request R was out
 * are offered to the simplex when request R+1 is answered.
 */
function simulateSpare(f: (x: readonly number[]) => number, dimension: number, seed: number, parallel: boolean, maxRounds: number): Trace {
  const path = nelderMeadPath({ dimension, seed, parallel });
  const rng = Rng.forKey(seed, 'spare');
  let request = path.next().value;
  let best = Infinity;
  let offered: NelderMeadJoin[] = [];
  const bestAfterRound: number[] = [];
  while (bestAfterRound.length < maxRounds) {
    const inside = request.map((x) => x.every((v) => v >= 0 && v <= 1));
    const values = request.map((x, i) => (inside[i] ? f(x) : Infinity));
    const evaluated = values.filter((_, i) => inside[i]);
    const rounds = Math.max(1, Math.ceil(evaluated.length / WORKERS));
    const spare: NelderMeadJoin[] = [];
    for (let r = 0; r < rounds; r++) {
      const nm = evaluated.slice(r * WORKERS, (r + 1) * WORKERS);
      for (const v of nm) best = Math.min(best, v);
      for (let k = nm.length; k < WORKERS; k++) {
        const x = Array.from({ length: dimension }, () => rng.random());
        const v = f(x);
        spare.push({ x, value: v });
        best = Math.min(best, v);
      }
      bestAfterRound.push(best);
    }
    request = path.next({ values, joins: offered }).value;
    offered = spare;
  }
  return { bestAfterRound };
}

const started = Date.now();
const machine = machineInfo(ROOT, ['library/src/samplers']);
const perFunction: Array<{
  fn: number;
  dimension: number;
  ratios: number[];
  serialRounds: number[];
  parallelRounds: number[];
  spareSerialRatios: number[];
  spareParallelRatios: number[];
}> = [];
for (const dimension of DIMENSIONS) {
  for (const fn of FUNCTIONS) {
    const ratios: number[] = [];
    const serialRounds: number[] = [];
    const parallelRounds: number[] = [];
    const spareSerialRatios: number[] = [];
    const spareParallelRatios: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const problem = bbobProblem(fn, 1 + (seed % 5), dimension);
      const x = new Float64Array(dimension);
      const f = (u: readonly number[]) => {
        for (let j = 0; j < dimension; j++) x[j] = -5 + 10 * u[j];
        return problem.evaluate(x) - problem.fopt;
      };
      const serial = simulate(f, dimension, seed, false, SERIAL_BUDGET);
      const target = serial.bestAfterRound[SERIAL_BUDGET - 1];
      // Serial rounds to reach its own 100-evaluation regret (can be fewer than 100 when it stalls).
      const serialReach = serial.bestAfterRound.findIndex((b) => b <= target) + 1;
      const parallel = simulate(f, dimension, seed, true, 4 * SERIAL_BUDGET);
      const reach = parallel.bestAfterRound.findIndex((b) => b <= target) + 1;
      const parallelReach = reach === 0 ? parallel.bestAfterRound.length : reach;
      serialRounds.push(serialReach);
      parallelRounds.push(parallelReach);
      ratios.push(parallelReach / serialReach);
      for (const [variantParallel, out] of [
        [false, spareSerialRatios],
        [true, spareParallelRatios],
      ] as const) {
        const trace = simulateSpare(f, dimension, seed, variantParallel, 4 * SERIAL_BUDGET).bestAfterRound;
        const at = trace.findIndex((b) => b <= target) + 1;
        out.push((at === 0 ? trace.length : at) / serialReach);
      }
    }
    perFunction.push({ fn, dimension, ratios, serialRounds, parallelRounds, spareSerialRatios, spareParallelRatios });
  }
}

const rows = perFunction.map((r) => {
  const s = quartiles(r.ratios);
  return [
    `f${r.fn}`,
    String(r.dimension),
    String(median(r.serialRounds)),
    String(median(r.parallelRounds)),
    s.median.toFixed(2),
    `${s.q1.toFixed(2)}–${s.q3.toFixed(2)}`,
    median(r.spareSerialRatios).toFixed(2),
    median(r.spareParallelRatios).toFixed(2),
  ];
});
const byDimension = DIMENSIONS.map((d) => {
  const all = perFunction.filter((r) => r.dimension === d).flatMap((r) => r.ratios);
  const rowsOfD = perFunction.filter((r) => r.dimension === d);
  return {
    dimension: d,
    median: median(all),
    share06: all.filter((v) => v <= 0.6).length / all.length,
    spareSerial: median(rowsOfD.flatMap((r) => r.spareSerialRatios)),
    spareParallel: median(rowsOfD.flatMap((r) => r.spareParallelRatios)),
  };
});
const overall = median(perFunction.flatMap((r) => r.ratios));
const table = markdownTable(
  [
    'function',
    'd',
    'serial rounds (median)',
    'parallel rounds (median)',
    'ratio (median)',
    'ratio IQR',
    'variant: serial + 3 spare',
    'variant: parallel + spare',
  ],
  rows,
);
machine.loadavgEnd = loadavg();
writeResults(ROOT, {
  name: quick ? 'nm-rounds-quick' : 'nm-rounds',
  title: 'Parallel Nelder-Mead (exact speculation, 4 workers) vs serial: rounds to reach serial NM’s 100-evaluation regret',
  writtenBy: '`npm run bench:nm-rounds` (bench/nelder-mead/rounds.ts)',
  readme: 'bench/nelder-mead/README.md',
  machineLine: `Machine: ${machine.cpu}; Node ${machine.node}. Date: ${machine.date}. Code: ${describeCode(machine)}. Run time ${((Date.now() - started) / 1000).toFixed(1)} s. Rounds are simulated (fixed cost per evaluation), so the figures do not depend on the machine.`,
  table,
  notes: [
    `BBOB f${FUNCTIONS[0]}–f${FUNCTIONS.at(-1)}, d = ${DIMENSIONS.join(', ')}, ${SEEDS} seeds each (instance 1 + seed mod 5; the seed also draws the initial regular simplex's orientation); domain [-5, 5]^d with the extreme barrier.`,
    `Ratio = rounds the parallel search needs to reach the regret serial NM has after ${SERIAL_BUDGET} evaluations / rounds serial NM needs to reach it (≤ ${SERIAL_BUDGET}).`,
    ...byDimension.map(
      (b) => `d = ${b.dimension}: median ratio ${b.median.toFixed(2)}; ${(100 * b.share06).toFixed(0)}% of runs at or below 0.6.`,
    ),
    `Overall median ratio ${overall.toFixed(2)} (target ≤ 0.6).`,
    'Spare-worker variant (reported separately; its path differs from the serial one): sub-sampler = uniform random, points run while one request was out join the simplex when the next is answered. "serial + 3 spare": serial NM on one worker, random search on the 3 others; "parallel + spare": exact speculation, idle slots run random points. Same ratio definition.',
    ...byDimension.map(
      (b) =>
        `d = ${b.dimension}: variant median ratios: serial + 3 spare ${b.spareSerial.toFixed(2)}, parallel + spare ${b.spareParallel.toFixed(2)}.`,
    ),
  ],
  json: { machine, workers: WORKERS, serialBudget: SERIAL_BUDGET, seeds: SEEDS, perFunction, byDimension, overall },
});
