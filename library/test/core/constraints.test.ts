/** Constraints as Optuna stores them: the `constraints` system attribute, feasible when all values are <= 0. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryStorage, InvalidArgumentError, NopPruner, createStudy } from '../../src/index.js';
import { SystemAttr, constraintsOf, isFeasible } from '../../src/extend.js';

describe('constraints', () => {
  it("trial.setConstraints stores them under Optuna's key; isFeasible reads them", async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, pruner: new NopPruner() });
    await study.optimize(
      (t) => {
        const x = t.suggestFloat('x', 0, 1);
        if (t.number !== 3) t.setConstraints([x - 0.5, -1]);
        return x;
      },
      { nTrials: 6 },
    );
    const trials = await study.trials;
    for (const t of trials) {
      if (t.number === 3) {
        assert.equal(constraintsOf(t), null);
        assert.equal(isFeasible(t), null);
        continue;
      }
      const x = t.params.x as number;
      assert.deepEqual(t.systemAttrs[SystemAttr.constraints], [x - 0.5, -1]);
      assert.equal(SystemAttr.constraints, 'constraints');
      assert.equal(isFeasible(t), x <= 0.5);
    }
  });

  it('refuses NaN, infinities, non-numbers and an empty list, naming the constraint', async () => {
    const study = await createStudy({ storage: new InMemoryStorage(), pruner: new NopPruner() });
    const t = await study.ask();
    assert.throws(
      () => t.setConstraints([0, Number.NaN]),
      (e: unknown) => e instanceof InvalidArgumentError && /constraint 1 must be a finite number, got NaN/.test(e.message),
    );
    assert.throws(() => t.setConstraints([Number.POSITIVE_INFINITY]), /constraint 0 must be a finite number/);
    assert.throws(() => t.setConstraints(['1' as unknown as number]), /constraint 0 must be a finite number/);
    assert.throws(() => t.setConstraints([]), /non-empty array/);
    await study.tell(t, 1);
    assert.equal(constraintsOf((await study.trials)[0]), null, 'nothing was stored');
  });
});
