import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, InvalidDistributionError, logGrid, type Distribution } from '../../src/index.js';
import {
  floatDistribution,
  intDistribution,
  cardinality,
  categoricalDistribution,
  contains,
  fromUnit,
  ordinalDistribution,
  toExternal,
  toInternal,
  toUnit,
  validateDistribution,
} from '../../src/extend.js';

function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidDistributionError, `expected InvalidDistributionError, got ${String(e)}`);
    assert.equal(e.code, 'TANSAKU_INVALID_DISTRIBUTION');
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe('distributions: validation names the parameter, the value and what was expected', () => {
  it('float', () => {
    rejects(() => floatDistribution('lr', 1, 0), /"lr"/, /low must be <= high/, /low=1/, /high=0/);
    // high - low overflows: every draw would be high (Optuna raises too).
    rejects(() => floatDistribution('w', -1e308, 1e308), /"w"/, /too wide: high - low overflows a double/);
    rejects(() => floatDistribution('w', -Number.MAX_VALUE, Number.MAX_VALUE, { step: 1e307 }), /too wide/);
    assert.doesNotThrow(() => floatDistribution('w', 1e-300, 1e308, { log: true }));
    assert.doesNotThrow(() => floatDistribution('w', 0, Number.MAX_VALUE));
    rejects(() => floatDistribution('lr', 0, 1, { log: true }), /"lr"/, /low > 0/, /low=0/);
    rejects(() => floatDistribution('lr', -1, 1, { log: true }), /low=-1/);
    rejects(() => floatDistribution('x', 0, 1, { step: 0.3 }), /"x"/, /step=0.3 does not divide/, /\[0, 1\]/);
    rejects(() => floatDistribution('x', 0, 1, { step: 0 }), /step must be > 0/);
    rejects(() => floatDistribution('x', 0, 1, { step: 0.1, log: true }), /log and step/);
    rejects(() => floatDistribution('x', NaN, 1), /low must be a finite number/, /NaN/);
    rejects(() => floatDistribution('x', 0, Infinity), /high must be a finite number/);
    rejects(() => floatDistribution('x', '0' as unknown as number, 1), /low must be a finite number, got "0"/);
    // Floating-point steps that do divide: 0.1 into [0, 0.3].
    assert.equal(floatDistribution('x', 0, 0.3, { step: 0.1 }).step, 0.1);
    assert.equal(floatDistribution('x', 2, 2).low, 2);
  });

  it('int', () => {
    rejects(() => intDistribution('n', 5, 1), /"n"/, /low=5/);
    rejects(() => intDistribution('n', 0, 10, { log: true }), /low >= 1/, /low=0/);
    rejects(() => intDistribution('n', 0, 10, { step: 3 }), /step=3 does not divide/);
    rejects(() => intDistribution('n', 1.5, 10), /low must be an integer, got 1.5/);
    rejects(() => intDistribution('n', 1, 8, { step: 0 }), /step must be a positive integer/);
    rejects(() => intDistribution('n', 1, 8, { step: 2, log: true }), /log and step|does not divide/);
  });

  it('categorical and ordinal', () => {
    rejects(() => categoricalDistribution('act', []), /"act"/, /choices must not be empty/);
    rejects(() => categoricalDistribution('act', ['a', 'a']), /appears twice/);
    rejects(() => categoricalDistribution('act', [{}] as never), /each choice must be/);
    rejects(() => categoricalDistribution('act', 'relu' as never), /must be an array/);
    rejects(() => ordinalDistribution('w', []), /values must not be empty/);
    rejects(() => ordinalDistribution('w', [1, NaN]), /finite number or a string/);
    rejects(() => ordinalDistribution('w', [4, 4]), /appears twice/);
    rejects(() => validateDistribution('z', { type: 'gaussian' }), /unknown distribution type "gaussian"/);
  });
});

describe('logGrid', () => {
  it('builds exact geometric grids', () => {
    assert.deepEqual(logGrid(8, 4096, 2), [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
    assert.deepEqual(logGrid(1e-4, 1, 10), [1e-4, 1e-3, 1e-2, 1e-1, 1], 'decimal values, not 1e-4 · 10^k rounded in binary');
    assert.deepEqual(logGrid(3, 3, 2), [3]);
  });
  it('rejects grids that do not land on high', () => {
    assert.throws(
      () => logGrid(8, 100, 2),
      (e: unknown) => e instanceof InvalidArgumentError && /high=100/.test(e.message),
    );
    assert.throws(() => logGrid(0, 8, 2), /low must be a finite number > 0/);
    assert.throws(() => logGrid(1, 8, 1), /base must not be 1/);
  });
});

describe('internal representation and the unit cube', () => {
  const dists: Distribution[] = [
    floatDistribution('a', -2, 3),
    floatDistribution('b', 1e-5, 1e-1, { log: true }),
    floatDistribution('c', 0, 1, { step: 0.25 }),
    intDistribution('d', -3, 7),
    intDistribution('e', 0, 20, { step: 5 }),
    intDistribution('f', 1, 1000, { log: true }),
    categoricalDistribution('g', ['x', null, true, 2]),
    ordinalDistribution('h', logGrid(8, 64, 2)),
  ];

  it('fromUnit always lands inside the distribution, and toUnit inverts it for discrete values', () => {
    for (const d of dists) {
      for (let k = 0; k <= 1000; k++) {
        const u = k / 1000;
        const v = fromUnit(d, u);
        assert.ok(contains(d, v), `${d.type}: fromUnit(${u}) = ${v} outside`);
        if (cardinality(d) !== Infinity) assert.equal(fromUnit(d, toUnit(d, v)), v);
      }
    }
  });

  it('gives each discrete value an equal share of the unit interval', () => {
    const d = intDistribution('d', -3, 7);
    const counts = new Map<number, number>();
    for (let k = 0; k < 11000; k++) {
      const v = fromUnit(d, (k + 0.5) / 11000);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    assert.equal(counts.size, 11);
    for (const c of counts.values()) assert.equal(c, 1000);
  });

  it('round-trips external values through the internal form (Optuna-compatible indices)', () => {
    const g = categoricalDistribution('g', ['x', null, true, 2]);
    assert.equal(toInternal('g', g, null), 1);
    assert.equal(toExternal(g, 3), 2);
    const h = ordinalDistribution('h', [8, 16, 32]);
    assert.equal(toInternal('h', h, 32), 2);
    assert.throws(
      () => toInternal('h', h, 64),
      (e: unknown) => e instanceof InvalidArgumentError && /"h"/.test(e.message) && /64/.test(e.message),
    );
    assert.throws(() => toInternal('a', floatDistribution('a', 0, 1), 2), /value 2 is not in float\[0, 1\]/);
  });
});
