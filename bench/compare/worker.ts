/**
 * A child process of the harness's pool (see jobs.ts): runs the jobs its parent sends, one at a time, and
 * answers each with its outcome. Keeps one Optuna bridge for all its Optuna jobs; closes it on `stop` or
 * when the parent goes away.
 */
import { JobRunner } from './jobs.js';
import { runTansaku, type RunSpec } from './runner.js';
import { TANSAKU_SAMPLERS } from './samplers.js';
import { toyMixed, toySphere } from './toy-problems.js';

const runner = new JobRunner();

/**
 * Warms up V8's JIT on the Tansaku code paths before the first timed run, so that the first runs of a
 * chunk are not measured cold (Optuna's python process is warm after its first few trials anyway).
 */
async function warmUp(): Promise<void> {
  for (const entry of TANSAKU_SAMPLERS) {
    for (const p of [toySphere(5), toyMixed()]) {
      try {
        await runTansaku(p, entry, { problem: p.id, group: p.group, sampler: entry.name, seed: 1, budget: 200 });
      } catch {
        /* a sampler that refuses a toy space is fine here */
      }
    }
  }
}
const ready = warmUp();

function quit(): never {
  runner.close();
  process.exit(0);
}

process.on('disconnect', quit);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
process.on('message', (m: { type: string; job?: RunSpec }) => {
  if (m.type === 'stop') quit();
  if (m.type !== 'run' || !m.job) return;
  ready
    .then(() => runner.run(m.job!))
    .then(
      (outcome) => process.send!({ type: 'outcome', outcome }),
      (e: unknown) => process.send!({ type: 'error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
});
