/**
 * The module objective of bench/kill-storm: suggest x and n, then about `KILL_STORM_WORK_MS` (default
 * 60) ms of busy work in 6 chunks with an event-loop turn between them (heartbeats beat meanwhile), and
 * return (x - 1)^2 + n. Killed at any instant by the storm.
 */
import type { Trial } from 'tansaku';

const WORK_MS = Number(process.env.KILL_STORM_WORK_MS ?? 60);

export async function objective(trial: Trial): Promise<number> {
  const x = trial.suggestFloat('x', -3, 3);
  const n = trial.suggestInt('n', 1, 3);
  let spins = 0;
  for (let chunk = 0; chunk < 6; chunk++) {
    const until = Date.now() + WORK_MS / 6;
    while (Date.now() < until) spins++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return (x - 1) ** 2 + n + (spins < 0 ? 1 : 0);
}
