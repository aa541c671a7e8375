// Defects a fault-injection and bad-input campaign found in the CLI, each checked through the real
// command (node bin/tansaku.mjs) as a user runs it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIX, NODE, cli, parseTrials } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'tansaku-hardening-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
function workdir(): string {
  const dir = join(tmp, `w${++dirs}`);
  mkdirSync(dir);
  return dir;
}

const SPACE = join(FIX, 'space.json');
const quadratic = `${NODE} ${JSON.stringify(join(FIX, 'quadratic.mjs'))} --x={x} --y={y}`;
const echo = `${NODE} ${JSON.stringify(join(FIX, 'echo.mjs'))}`;

describe('names that are also JavaScript object machinery', () => {
  it('refuses --sampler constructor / __proto__ and --pruner toString as unknown names, storing nothing', async () => {
    const cwd = workdir();
    const base = ['optimize', '--command', quadratic, '--space', SPACE, '--storage', 'j.journal', '--study', 's', '--n-trials', '1'];
    for (const [flag, name] of [
      ['--sampler', 'constructor'],
      ['--sampler', '__proto__'],
      ['--sampler', 'toString'],
      ['--pruner', 'constructor'],
      ['--pruner', 'hasOwnProperty'],
    ]) {
      const r = await cli([...base, flag, name], { cwd });
      assert.equal(r.code, 2, `${flag} ${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`unknown ${flag.slice(2)} "${name}"`));
    }
    const list = await cli(['studies', '--storage', 'j.journal'], { cwd });
    assert.doesNotMatch(list.stdout, /\bs\b/, 'no study was created');
  });

  it('runs a space file whose parameters are named __proto__, constructor and toString, as Optuna accepts them', async () => {
    const cwd = workdir();
    writeFileSync(
      join(cwd, 'space.json'),
      // Written as text: an object literal with a __proto__ key would set the prototype instead.
      '{"__proto__": {"type": "float", "low": 0, "high": 1}, "constructor": {"type": "int", "low": 1, "high": 3}, "toString": {"type": "categorical", "choices": ["a", "b"]}}',
    );
    const command = `${echo} --p={__proto__} --c={constructor} --t={toString} --result=1`;
    const r = await cli(
      ['optimize', '--command', command, '--space', 'space.json', '--storage', 'j.journal', '--study', 's', '--n-trials', '3'],
      { cwd, env: { ECHO_OUT: cwd } },
    );
    assert.equal(r.code, 0, r.stderr);
    const trials = parseTrials((await cli(['trials', '--storage', 'j.journal', '--study', 's', '--format', 'json'], { cwd })).stdout);
    assert.deepEqual(
      trials.map((t) => [t.state, Object.keys(t.params).sort()]),
      Array.from({ length: 3 }, () => ['COMPLETE', ['__proto__', 'constructor', 'toString']]),
    );
    const seen = JSON.parse(readFileSync(join(cwd, 'trial-0.json'), 'utf8')) as { argv: string[]; params: Record<string, unknown> };
    const value = (name: string) => Object.getOwnPropertyDescriptor(trials[0].params, name)?.value;
    assert.deepEqual(seen.argv.slice(0, 3), [`--p=${value('__proto__')}`, `--c=${value('constructor')}`, `--t=${value('toString')}`]);
    assert.deepEqual(Object.keys(seen.params).sort(), ['__proto__', 'constructor', 'toString']);
  });
});
