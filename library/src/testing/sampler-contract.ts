/**
 * Contract every Sampler must pass, run through a real Study on InMemoryStorage: values inside every
 * kind of distribution, conditional spaces, seeds reproduce, parallel slots, and state recovered from
 * the storage by a fresh sampler instance in a reloaded study.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage, NopPruner, createStudy, loadStudy, logGrid, type ParamValue, type Sampler, type Trial } from '../index.js';
import { contains } from '../extend.js';

export interface SamplerContractOptions {
  /** A new sampler; `seed` undefined means "use the study's seed". */
  make(seed?: number): Sampler;
  /** The sampler can run parameters it was not configured for (false for a grid). */
  conditional?: boolean;
  /** Draws cover every discrete value and follow log scales, like random or quasi-random sampling. */
  spaceFilling?: boolean;
  /** Different seeds give different trials (false for deterministic samplers). */
  seeded?: boolean;
}

const ORDINAL = logGrid(8, 4096, 2);
const CHOICES = ['a', 'b', null, 3] as const;

/** Suggests one parameter of every kind; returns a value depending on all of them. */
export function standardObjective(trial: Trial): number {
  const f = trial.suggestFloat('f', -3, 7);
  const flog = trial.suggestFloat('flog', 1e-4, 1, { log: true });
  const fstep = trial.suggestFloat('fstep', 0, 1, { step: 0.125 });
  const i = trial.suggestInt('i', -5, 5);
  const istep = trial.suggestInt('istep', 0, 20, { step: 5 });
  const ilog = trial.suggestInt('ilog', 1, 1024, { log: true });
  const o = trial.suggestOrdinal('o', ORDINAL);
  const c = trial.suggestCategorical('c', CHOICES);
  return f * f + Math.log(flog) ** 2 + fstep + i * i + istep + Math.log2(ilog) + Math.log2(o) + (c === 'a' ? 0 : 1);
}

/** A grid over the standard space (two or three values per parameter), for grid-like samplers. */
export const STANDARD_GRID: Record<string, ParamValue[]> = {
  f: [-3, 0.5, 7],
  flog: [1e-4, 1e-2],
  fstep: [0, 0.625],
  i: [-5, 0, 5],
  istep: [0, 20],
  ilog: [1, 32],
  o: [8, 4096],
  c: ['a', null],
};

function paramsOf(trials: readonly { params: Readonly<Record<string, ParamValue>> }[]): string[] {
  return trials.map((t) => JSON.stringify(t.params));
}

export function runSamplerContract(name: string, options: SamplerContractOptions): void {
  describe(`Sampler contract: ${name}`, () => {
    it('suggests values inside every kind of distribution', async () => {
      const study = await createStudy({ sampler: options.make(3), pruner: new NopPruner(), seed: 3 });
      await study.optimize(standardObjective, { nTrials: 60 });
      const trials = await study.trials;
      assert.equal(trials.length, 60);
      for (const t of trials) {
        assert.equal(t.state, 'COMPLETE', `trial ${t.number}: ${String(t.systemAttrs.fail_reason)}`);
        assert.equal(Object.keys(t.params).length, 8);
        for (const [p, d] of Object.entries(t.distributions)) {
          assert.ok(contains(d, t.internalParams[p]), `trial ${t.number}: ${p}=${t.internalParams[p]} outside its distribution`);
        }
        assert.ok(Number.isInteger(t.params.i) && Number.isInteger(t.params.ilog));
        assert.ok(ORDINAL.includes(t.params.o as number));
        assert.ok((CHOICES as readonly unknown[]).includes(t.params.c));
        assert.equal(((t.params.fstep as number) / 0.125) % 1, 0);
        assert.equal((t.params.istep as number) % 5, 0);
      }
    });

    if (options.spaceFilling) {
      it('covers every discrete value and samples log ranges in log space', async () => {
        const study = await createStudy({ sampler: options.make(11), pruner: new NopPruner(), seed: 11 });
        await study.optimize(standardObjective, { nTrials: 400 });
        const trials = await study.trials;
        const seen = (p: string) => new Set(trials.map((t) => t.params[p]));
        assert.equal(seen('i').size, 11);
        assert.equal(seen('istep').size, 5);
        assert.equal(seen('fstep').size, 9);
        assert.equal(seen('o').size, ORDINAL.length);
        assert.equal(seen('c').size, CHOICES.length);
        // Log-uniform on [1e-4, 1]: half the draws below 1e-2. Binomial(400, 0.5) sd = 10, bound 6 sd.
        const below = trials.filter((t) => (t.params.flog as number) < 1e-2).length;
        assert.ok(Math.abs(below - 200) < 60, `log-scaled draws below the geometric middle: ${below}/400`);
        // Int log on [1, 1024]: about half below 32 (cells of equal log width).
        const ilogBelow = trials.filter((t) => (t.params.ilog as number) < 32).length;
        assert.ok(Math.abs(ilogBelow - 200) < 60, `int log draws below 32: ${ilogBelow}/400`);
        const fBelow = trials.filter((t) => (t.params.f as number) < 2).length;
        assert.ok(Math.abs(fBelow - 200) < 60, `uniform float draws below the middle: ${fBelow}/400`);
      });
    }

    if (options.conditional !== false) {
      it('handles conditional parameters', async () => {
        const study = await createStudy({ sampler: options.make(5), pruner: new NopPruner(), seed: 5 });
        await study.optimize(
          (trial) => {
            const kind = trial.suggestCategorical('kind', ['svm', 'tree']);
            if (kind === 'svm') return trial.suggestFloat('svm_c', 1e-3, 1e3, { log: true });
            return trial.suggestInt('depth', 1, 12) + trial.suggestOrdinal('leaves', [4, 8, 16]);
          },
          { nTrials: 60 },
        );
        const trials = await study.trials;
        assert.ok(trials.every((t) => t.state === 'COMPLETE'));
        for (const t of trials) {
          const keys = Object.keys(t.params).sort();
          assert.deepEqual(keys, t.params.kind === 'svm' ? ['kind', 'svm_c'] : ['depth', 'kind', 'leaves']);
        }
        assert.equal(new Set(trials.map((t) => t.params.kind)).size, 2);
      });
    }

    it('reproduces the same trials for the same seed', async () => {
      const run = async (seed: number) => {
        const study = await createStudy({ sampler: options.make(seed), pruner: new NopPruner(), seed });
        await study.optimize(standardObjective, { nTrials: 25 });
        return paramsOf(await study.trials);
      };
      const a = await run(42);
      assert.deepEqual(await run(42), a);
      if (options.seeded !== false) assert.notDeepEqual(await run(43), a);
    });

    it('takes its seed from the study when given none', async () => {
      const run = async (seed: number) => {
        const study = await createStudy({ sampler: options.make(), pruner: new NopPruner(), seed });
        await study.optimize(standardObjective, { nTrials: 15 });
        return paramsOf(await study.trials);
      };
      const a = await run(8);
      assert.deepEqual(await run(8), a);
      if (options.seeded !== false) assert.notDeepEqual(await run(9), a);
    });

    it('continues the same search from the storage after a restart', async () => {
      const uninterrupted = await createStudy({ sampler: options.make(), pruner: new NopPruner(), seed: 99 });
      await uninterrupted.optimize(standardObjective, { nTrials: 30 });

      const storage = new InMemoryStorage();
      const first = await createStudy({ studyName: 'r', storage, sampler: options.make(), pruner: new NopPruner(), seed: 99 });
      await first.optimize(standardObjective, { nTrials: 12 });
      // A new process: a fresh sampler instance, the seed and state read back from the storage.
      const second = await loadStudy({ studyName: 'r', storage, sampler: options.make(), pruner: new NopPruner() });
      assert.equal(second.seed, 99);
      await second.optimize(standardObjective, { nTrials: 18 });
      assert.deepEqual(paramsOf(await second.trials), paramsOf(await uninterrupted.trials));
    });

    it('runs overlapping trials with concurrency', async () => {
      const study = await createStudy({ sampler: options.make(1), pruner: new NopPruner(), seed: 1 });
      let inFlight = 0;
      let maxInFlight = 0;
      await study.optimize(
        async (trial) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 2));
          const v = standardObjective(trial);
          inFlight--;
          return v;
        },
        { nTrials: 24, concurrency: 4 },
      );
      const trials = await study.trials;
      assert.equal(trials.length, 24);
      assert.ok(trials.every((t) => t.state === 'COMPLETE'));
      assert.equal(maxInFlight, 4);
    });
  });
}
