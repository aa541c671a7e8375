import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SpaceFileError, parseSpace, parseSpaceText, readSpaceFile } from '../../src/cli/space.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'cli');

function rejects(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseSpace(raw, 'space.json'),
    (e: Error) =>
      e instanceof SpaceFileError &&
      e.code === 'TANSAKU_INVALID_SPACE' &&
      e.message.startsWith('space file space.json: ') &&
      pattern.test(e.message),
    `${JSON.stringify(raw)} should fail with ${pattern}`,
  );
}

describe('space files', () => {
  it('reads the README example as JSON and YAML, to the same distributions, in file order', () => {
    const json = parseSpaceText(
      JSON.stringify({
        lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
        layers: { type: 'int', low: 1, high: 4 },
        width: { type: 'ordinal', values: [16, 32, 64] },
        act: { type: 'categorical', choices: ['relu', 'tanh'] },
      }),
      'space.json',
    );
    const yaml = readSpaceFile(join(FIX, 'space.yaml'));
    assert.deepEqual(yaml, json);
    assert.deepEqual(Object.keys(json), ['lr', 'layers', 'width', 'act']);
    assert.deepEqual(json.lr, { type: 'float', low: 1e-5, high: 1e-1, log: true, step: null });
    assert.deepEqual(json.layers, { type: 'int', low: 1, high: 4, log: false, step: 1 });
    assert.deepEqual(json.width, { type: 'ordinal', values: [16, 32, 64] });
    assert.deepEqual(json.act, { type: 'categorical', choices: ['relu', 'tanh'] });
  });

  it('accepts optional steps', () => {
    const s = parseSpace({ d: { type: 'float', low: 0, high: 0.5, step: 0.1 }, n: { type: 'int', low: 8, high: 64, step: 8 } }, 'x');
    assert.equal(s.d.type === 'float' && s.d.step, 0.1);
    assert.equal(s.n.type === 'int' && s.n.step, 8);
  });

  it('names the file, the parameter and the problem for malformed spaces', () => {
    rejects([1, 2], /expected an object of parameter name -> definition.*got an array/);
    rejects('lr', /expected an object.*got a string/);
    rejects({}, /defines no parameters/);
    rejects({ lr: 0.1 }, /parameter "lr": expected an object like .*got a number \(0.1\)/);
    rejects({ lr: { low: 0, high: 1 } }, /parameter "lr": missing "type"/);
    rejects({ lr: { type: 'flaot', low: 0, high: 1 } }, /parameter "lr": unknown type "flaot" \(did you mean "float"\?\)/);
    rejects({ lr: { type: 'float', low: 0, hihg: 1 } }, /parameter "lr": unknown key "hihg" \(did you mean "high"\?\)/);
    rejects({ lr: { type: 'float', low: 0 } }, /parameter "lr": missing "high"/);
    rejects({ lr: { type: 'float', low: 1, high: 0 } }, /parameter "lr": low must be <= high, got low=1 and high=0/);
    rejects({ w: { type: 'float', low: -1e308, high: 1e308 } }, /parameter "w": the range \[-1e\+308, 1e\+308\] is too wide/);
    rejects({ lr: { type: 'float', low: 0, high: 1, log: true } }, /parameter "lr": a log-scaled float needs low > 0/);
    rejects({ lr: { type: 'float', low: '0.1', high: 1 } }, /parameter "lr": "low" must be a finite number, got a string \("0.1"\)/);
    rejects({ lr: { type: 'float', low: 0, high: 1, log: 'yes' } }, /"log" must be true or false/);
    rejects({ lr: { type: 'float', low: 0, high: 1, step: 0.3 } }, /step=0.3 does not divide the range/);
    rejects({ n: { type: 'int', low: 0.5, high: 3 } }, /parameter "n": "low" of an int parameter must be an integer/);
    rejects({ act: { type: 'categorical', choices: [] } }, /parameter "act": "choices" is empty/);
    rejects({ act: { type: 'categorical', choices: 'relu' } }, /parameter "act": "choices" must be an array/);
    rejects({ act: { type: 'categorical', choices: ['a', 'a'] } }, /choice "a" appears twice/);
    rejects({ act: { type: 'categorical', values: ['a'] } }, /unknown key "values"/);
    rejects({ w: { type: 'ordinal', values: [] } }, /parameter "w": "values" is empty/);
    rejects({ w: { type: 'ordinal', values: [1, { a: 1 }] } }, /each ordinal value must be a finite number or a string/);
    rejects(
      { 'a-b': { type: 'int', low: 0, high: 1 }, a_b: { type: 'int', low: 0, high: 1 } },
      /both become the environment variable TANSAKU_PARAM_A_B/,
    );
    rejects({ '{x}': { type: 'int', low: 0, high: 1 } }, /must not contain \{ or \}/);
  });

  it('reports unreadable and unparsable files', () => {
    assert.throws(() => readSpaceFile(join(FIX, 'nope.json')), /space file .*nope.json does not exist/);
    assert.throws(() => parseSpaceText('{"lr": {', 'bad.json'), /space file bad.json is not valid JSON/);
    assert.throws(() => parseSpaceText('lr: {type: float\n  low: [', 'bad.yaml'), /space file bad.yaml is not valid YAML/);
    assert.throws(() => parseSpaceText('lr: 1\nlr: 2\n', 'dup.yaml'), /not valid YAML: Map keys must be unique at line 2/);
    // JSON keeps the last of two equal keys in silence: refused as YAML refuses them, with the line.
    assert.throws(
      () =>
        parseSpaceText('{\n  "lr": {"type": "float", "low": 0, "high": 1},\n  "lr": {"type": "int", "low": 1, "high": 3}\n}', 'dup.json'),
      /space file dup.json, line 3: key "lr" appears twice in the same object/,
    );
    assert.throws(
      () => parseSpaceText('{"lr": {"type": "float", "low": 0, "high": 1, "low": 0.5}}', 'dup.json'),
      /space file dup.json, line 1: key "low" appears twice/,
    );
    // Equal keys in different objects, escaped quotes, and keys inside strings are not duplicates.
    assert.deepEqual(
      Object.keys(
        parseSpaceText(
          '{"a": {"type": "categorical", "choices": ["low", "\\"low\\": 1", "{\\"low\\": 1}"]}, "b": {"type": "float", "low": 0, "high": 1}}',
          'ok.json',
        ),
      ),
      ['a', 'b'],
    );
    assert.throws(
      () => parseSpaceText('x:\n\ttype: float\n', 'tab.yaml'),
      /not valid YAML: Tabs are not allowed as indentation at line 2, column 1$/,
      'no dangling colon',
    );
  });
});
