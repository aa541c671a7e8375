/**
 * A CPU-bound module objective for bench/parallel: suggest x, then a fixed amount of pure arithmetic
 * (no I/O, no allocation in the loop), about 200 ms on the benchmark machine, split into 20 chunks with
 * an event-loop turn between them (as a training loop awaits between epochs or batches, so heartbeats
 * and, in one process, other trials get turns). Returns (x - 1)^2 plus a negligible term that depends
 * on the arithmetic, so the loop cannot be optimized away.
 *
 * The amount of work is `TANSAKU_BENCH_WORK_ITERS` iterations (set by bench/parallel/run.ts after
 * calibrating {@link work} on the machine; the CLI passes the environment to its worker processes), so
 * every trial does the same work whatever runs beside it. The trial records it as the user attribute
 * `iters`, which the benchmark checks.
 */
import type { Trial } from 'tansaku';

/** Iterations of the arithmetic loop per trial (the benchmark sets it; the default is ~200 ms on a 2020s x64 core). */
export const ITERS = Number(process.env.TANSAKU_BENCH_WORK_ITERS ?? 40_000_000);
/** Chunks per trial, with an event-loop turn between chunks. */
export const CHUNKS = 20;

/** `iters` iterations of a floating-point recurrence; returns a value that depends on all of them. */
export function work(iters: number, seed: number): number {
  let v = seed;
  let acc = 0;
  for (let i = 0; i < iters; i++) {
    v = v * 1.000000119 + 0.5;
    if (v > 1000) v -= 999;
    acc += v * 1e-9;
  }
  return acc;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function objective(trial: Trial): Promise<number> {
  const x = trial.suggestFloat('x', -5, 5);
  trial.setUserAttr('iters', ITERS);
  let acc = 0;
  const per = Math.ceil(ITERS / CHUNKS);
  for (let done = 0; done < ITERS; done += per) {
    acc += work(Math.min(per, ITERS - done), x + done);
    await turn();
  }
  return (x - 1) ** 2 + acc * 1e-12;
}
