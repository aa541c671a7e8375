import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { describe, it } from 'node:test';
import { paramEnvName, parseTemplate, placeholdersOf, programValue, renderTemplate, splitCommand } from '../../src/runner/argv.js';
import { closest } from '../../src/core/options.js';
import { parseLine, parseNumber, parseResult, TextTail } from '../../src/runner/protocol.js';

describe('splitCommand: POSIX sh word splitting without expansion', () => {
  it('splits on blanks and keeps quoted text literal', () => {
    assert.deepEqual(splitCommand('python3  train.py\t--lr {lr}\n--x 1'), ['python3', 'train.py', '--lr', '{lr}', '--x', '1']);
    assert.deepEqual(splitCommand(`run --name "my run" --tag 'a b  c'`), ['run', '--name', 'my run', '--tag', 'a b  c']);
    assert.deepEqual(splitCommand(`a"b"'c'd`), ['abcd']);
    assert.deepEqual(splitCommand(`x '' ""`), ['x', '', '']);
  });

  it('honours backslash escapes as sh does', () => {
    assert.deepEqual(splitCommand('a\\ b c'), ['a b', 'c']);
    assert.deepEqual(splitCommand('a\\;b'), ['a;b']);
    assert.deepEqual(splitCommand(`"a\\"b" "c\\\\d" "e\\nf" 'g\\h'`), ['a"b', 'c\\d', 'e\\nf', 'g\\h']);
    assert.deepEqual(splitCommand('"\\$HOME" \\$HOME'), ['$HOME', '$HOME']);
    assert.deepEqual(splitCommand('a \\\nb'), ['a', 'b']);
    assert.deepEqual(splitCommand(`'$HOME' '*' 'a|b'`), ['$HOME', '*', 'a|b']);
  });

  it('expands a leading ~ to the home directory, as sh does', () => {
    assert.deepEqual(splitCommand('~/bin/run ~ a~b'), [`${homedir()}/bin/run`, homedir(), 'a~b']);
  });

  it('refuses what a shell would interpret, with a reason', () => {
    for (const [command, pattern] of [
      ['python a.py > log.txt', /unquoted ">".*not run through a shell/],
      ['a | b', /unquoted "\|"/],
      ['a; rm -rf /', /unquoted ";"/],
      ['a && b', /unquoted "&"/],
      ['echo $HOME', /unquoted \$.*not expanded/],
      ['echo "$HOME"', /\$ inside double quotes/],
      ['echo `id`', /unquoted `/],
      ['ls *.py', /unquoted "\*"/],
      ['a #comment', /comment/],
      ["echo 'unterminated", /unterminated single quote/],
      ['echo "unterminated', /unterminated double quote/],
      ['echo \\', /lone backslash/],
      ['   ', /empty/],
    ] as const) {
      assert.throws(
        () => splitCommand(command),
        (e: Error) => (e as { code?: string }).code === 'TANSAKU_INVALID_ARGUMENT' && pattern.test(e.message),
        command,
      );
    }
  });
});

describe('programValue: what a program is shown for a parameter', () => {
  const stepped = (low: number, high: number, step: number) => ({ type: 'float' as const, low, high, log: false, step });
  it("writes a stepped float in its grid's decimals, not the arithmetic's", () => {
    assert.equal(programValue(0.1 + 0.2, stepped(0.1, 0.7, 0.2)), 0.3);
    assert.equal(programValue(0.30000000000000004, stepped(0, 1, 0.05)), 0.3);
    assert.equal(programValue(3e-7 + 1e-7, stepped(1e-7, 1e-6, 1e-7)), 4e-7);
    assert.equal(programValue(2.5, stepped(0, 10, 0.5)), 2.5);
  });
  it('leaves every other value as it is', () => {
    const x = 0.30000000000000004;
    assert.equal(programValue(x, { type: 'float', low: 0, high: 1, log: false, step: null }), x);
    assert.equal(programValue(3, { type: 'int', low: 1, high: 5, log: false, step: 1 }), 3);
    assert.equal(programValue('relu', undefined), 'relu');
  });
});

describe('placeholders', () => {
  it('substitutes per word, so a value never splits or injects', () => {
    const t = parseTemplate(splitCommand(`prog --act={act} {act} 'quoted {act}' {lr}x`), ['act', 'lr']);
    assert.deepEqual([...placeholdersOf(t)].sort(), ['act', 'lr']);
    const evil = '; rm -rf / $(touch pwned) `id` "a b"';
    assert.deepEqual(renderTemplate(t, { act: evil, lr: '0.1' }), ['prog', `--act=${evil}`, evil, `quoted ${evil}`, '0.1x']);
  });

  it('keeps JSON and other braces literal, {{name}} is a literal {name}, built-ins work', () => {
    const t = parseTemplate(splitCommand(`prog '{"a": {"b": 1}}' {{lr}} {trial_number} {study_name} {params_file} { } {1}`), ['lr']);
    assert.deepEqual(renderTemplate(t, { lr: '9', trial_number: '3', study_name: 's', params_file: '/p' }), [
      'prog',
      '{"a": {"b": 1}}',
      '{lr}',
      '3',
      's',
      '/p',
      '{',
      '}',
      '{1}',
    ]);
  });

  it('refuses an unknown identifier placeholder and suggests the close one', () => {
    assert.throws(
      () => parseTemplate(['prog', '--lr={lrr}'], ['lr', 'act']),
      /placeholder \{lrr\} names no parameter.*did you mean \{lr\}.*parameters: \{lr\}, \{act\}/,
    );
  });

  it('parameter names with spaces and dots work; env names are upper-cased with _', () => {
    const t = parseTemplate(['--x={learning rate}', '{a.b}'], ['learning rate', 'a.b']);
    assert.deepEqual(renderTemplate(t, { 'learning rate': '1', 'a.b': '2' }), ['--x=1', '2']);
    assert.equal(paramEnvName('learning rate'), 'TANSAKU_PARAM_LEARNING_RATE');
    assert.equal(paramEnvName('n1'), 'TANSAKU_PARAM_N1');
    assert.equal(paramEnvName('a.b-c'), 'TANSAKU_PARAM_A_B_C');
  });

  it('closest() finds likely typos only', () => {
    assert.equal(closest('hihg', ['low', 'high', 'log', 'step']), 'high');
    assert.equal(closest('flaot', ['float', 'int']), 'float');
    assert.equal(closest('zzzzzz', ['float', 'int']), null);
  });
});

describe('stdout protocol', () => {
  it('parses numbers as programs print them', () => {
    assert.equal(parseNumber('0.25'), 0.25);
    assert.equal(parseNumber(' -4e-3 '), -0.004);
    assert.equal(parseNumber('1.'), 1);
    assert.equal(parseNumber('.5'), 0.5);
    assert.equal(parseNumber('inf'), Infinity);
    assert.equal(parseNumber('-inf'), -Infinity);
    assert.ok(Number.isNaN(parseNumber('nan')));
    assert.equal(parseNumber('Infinity'), Infinity);
    for (const bad of ['', '0x10', '1,5', 'abc', '1 2', '--1']) assert.equal(parseNumber(bad), null, bad);
  });

  it('classifies report lines, text and malformed protocol lines', () => {
    assert.deepEqual(parseLine('tansaku:report 3 0.5'), { kind: 'report', step: 3, value: 0.5 });
    assert.deepEqual(parseLine('tansaku:report 3 nan\r').kind, 'report');
    assert.deepEqual(parseLine('  0.7  '), { kind: 'text', text: '0.7' });
    assert.deepEqual(parseLine('epoch 1 50%\repoch 1 100%\r0.42'), { kind: 'text', text: '0.42' });
    assert.deepEqual(parseLine('   '), { kind: 'empty' });
    assert.equal(parseLine('tansaku:report x 0.5').kind, 'bad-protocol');
    assert.equal(parseLine('tansaku:report -1 0.5').kind, 'bad-protocol');
    assert.equal(parseLine('tansaku:report 1 abc').kind, 'bad-protocol');
    assert.equal(parseLine('tansaku:report 1').kind, 'bad-protocol');
    assert.equal(parseLine('tansaku:report 1 2 3').kind, 'bad-protocol');
    assert.equal(parseLine('tansaku:other 1').kind, 'bad-protocol');
  });

  it('parses results: a number, a JSON array, a JSON object in key order; refuses garbage', () => {
    assert.deepEqual(parseResult('0.5', 1), { ok: true, values: [0.5] });
    assert.deepEqual(parseResult('[0.5]', 1), { ok: true, values: [0.5] });
    assert.deepEqual(parseResult('[0.9, 1200]', 2), { ok: true, values: [0.9, 1200] });
    assert.deepEqual(parseResult('{"acc": 0.9, "ms": 12}', 2), { ok: true, values: [0.9, 12], object: { acc: 0.9, ms: 12 } });
    // "constraints" is not an objective: the trial's constraint values (feasible when all are <= 0)
    assert.deepEqual(parseResult('{"loss": 0.3, "constraints": [0.5, -1]}', 1), {
      ok: true,
      values: [0.3],
      object: { loss: 0.3 },
      constraints: [0.5, -1],
    });
    for (const bad of ['{"loss": 0.3, "constraints": "none"}', '{"loss": 0.3, "constraints": []}', '{"loss": 0.3, "constraints": [NaN]}']) {
      const r = parseResult(bad, 1);
      assert.ok(!r.ok && /"constraints" that is not a non-empty list of finite numbers/.test(r.problem), bad);
    }
    const py = parseResult('[NaN, -Infinity]', 2);
    assert.ok(py.ok && Number.isNaN(py.values[0]) && py.values[1] === -Infinity);
    for (const [line, n, pattern] of [
      ['hello', 1, /is not a result/],
      ['loss: 0.5', 1, /is not a result/],
      ['0.5', 2, /one number, but the study has 2 directions/],
      ['[1, 2, 3]', 2, /has 3 value\(s\), but the study has 2/],
      ['["a"]', 1, /not a number/],
      ['{"a": "x"}', 1, /not a number \(key "a"\)/],
      ['[1, 2', 2, /not valid JSON/],
      ['true', 1, /is not a result/],
    ] as const) {
      const r = parseResult(line, n);
      assert.ok(!r.ok && pattern.test(r.problem), `${line}: ${JSON.stringify(r)}`);
    }
  });

  it('TextTail keeps the last characters and finds the last line', () => {
    const tail = new TextTail(10);
    for (let i = 0; i < 100; i++) tail.push(`line ${i}\n`);
    assert.equal(tail.toString().length, 10);
    assert.equal(tail.lastLine(), 'line 99');
  });
});
