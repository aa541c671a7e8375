import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPrunerName, checkSamplerName, parseComponentOptions } from '../../src/cli/components.js';

describe('--sampler-options and --pruner-options', () => {
  it('reads JSON and key=value pairs, camel-casing snake_case keys', () => {
    assert.deepEqual(parseComponentOptions('{"n_startup_trials": 5}', '--pruner-options'), { nStartupTrials: 5 });
    assert.deepEqual(parseComponentOptions('n_startup_trials=5,n_warmup_steps=2', '--pruner-options'), {
      nStartupTrials: 5,
      nWarmupSteps: 2,
    });
  });

  it('refuses an option given twice, in either form (JSON would keep only the last)', () => {
    assert.throws(
      () => parseComponentOptions('{"seed": 1, "seed": 2}', '--sampler-options'),
      /--sampler-options: option "seed" is given twice/,
    );
    assert.throws(() => parseComponentOptions('seed=1,seed=2', '--sampler-options'), /--sampler-options: option "seed" is given twice/);
    assert.deepEqual(parseComponentOptions('{"a": {"seed": 1}, "seed": 2}', '--sampler-options'), { a: { seed: 1 }, seed: 2 });
  });
});

describe('sampler and pruner names', () => {
  it('knows its own names only, not what every object inherits', () => {
    assert.equal(checkSamplerName('Random'), 'random');
    assert.equal(checkPrunerName('nop'), 'none');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.throws(() => checkSamplerName(name), new RegExp(`unknown sampler "${name}"`));
      assert.throws(() => checkPrunerName(name), new RegExp(`unknown pruner "${name}"`));
    }
  });
});
