/** The pure decisions of tell, without a study. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, InvalidStateTransitionError } from '../../src/index.js';
import { checkObjectiveValues, decideTellOutcome, prunedValues } from '../../src/core/tell-rules.js';

describe('tell rules', () => {
  it('values mean COMPLETE; NaN turns it into FAIL with the reason; ±Infinity stay', () => {
    assert.deepEqual(decideTellOutcome(3, 1, 0.5, {}), { state: 'COMPLETE', values: [0.5], failReason: undefined });
    assert.deepEqual(decideTellOutcome(3, 2, [1, Number.NEGATIVE_INFINITY], {}), {
      state: 'COMPLETE',
      values: [1, Number.NEGATIVE_INFINITY],
      failReason: undefined,
    });
    assert.deepEqual(decideTellOutcome(3, 2, [1, Number.NaN], { failReason: 'ignored' }), {
      state: 'FAIL',
      values: null,
      failReason: 'the objective returned NaN (["1","NaN"])',
    });
  });

  it('a state string: COMPLETE needs options.values, PRUNED and FAIL keep the given reason', () => {
    assert.deepEqual(decideTellOutcome(4, 1, 'COMPLETE', { values: 2 }), { state: 'COMPLETE', values: [2], failReason: undefined });
    assert.throws(() => decideTellOutcome(4, 1, 'COMPLETE', {}), /trial 4 told COMPLETE needs its values/);
    assert.deepEqual(decideTellOutcome(4, 1, 'FAIL', { failReason: 'oom' }), { state: 'FAIL', values: null, failReason: 'oom' });
    assert.deepEqual(decideTellOutcome(4, 1, 'PRUNED', {}), { state: 'PRUNED', values: null, failReason: undefined });
    assert.throws(() => decideTellOutcome(4, 1, 'RUNNING', {}), InvalidStateTransitionError);
  });

  it('checks the shape of the values against the number of objectives', () => {
    assert.throws(
      () => checkObjectiveValues('1', 1, 5),
      (e: unknown) => e instanceof InvalidArgumentError && /trial 5: the objective must return a number, got "1"/.test(e.message),
    );
    assert.throws(() => checkObjectiveValues([1], 2, 5), /the study has 2 objective\(s\) but 1 value\(s\) were given/);
    assert.deepEqual(checkObjectiveValues([1, 2], 2, 5), [1, 2]);
  });

  it("a pruned trial takes its last step's value with one objective (not with NaN, nor with several)", () => {
    assert.deepEqual(
      prunedValues(
        1,
        new Map([
          [0, 3],
          [5, 1],
          [2, 2],
        ]),
      ),
      [1],
    );
    assert.equal(prunedValues(1, new Map()), null);
    assert.equal(prunedValues(1, new Map([[0, Number.NaN]])), null);
    assert.equal(prunedValues(2, new Map([[0, 1]])), null);
  });
});
