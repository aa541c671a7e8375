import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trialsTable } from '../../src/cli/format.js';
import { describeTrial, displayText, formatParams } from '../../src/extend.js';
import { frozenTrial } from '../../src/testing.js';

const ESC = '\u001b';

describe('text shown on a terminal', () => {
  it('escapes control characters, C1 controls and bidi overrides, and leaves the rest as it is', () => {
    assert.equal(displayText(`a${ESC}[2Jb\nc\td\re`), 'a\\x1b[2Jb\\nc\\td\\re');
    assert.equal(displayText('x\u0000\u007f\u009by'), 'x\\x00\\x7f\\x9by');
    assert.equal(displayText('file\u202Etxt.exe'), 'file\\u{202e}txt.exe');
    assert.equal(displayText('naïve 日本語 emoji 🎉, a\\nb'), 'naïve 日本語 emoji 🎉, a\\nb');
  });

  it('shows parameter names and values, fail reasons and table cells escaped', () => {
    const trial = {
      ...frozenTrial({ number: 3, state: 'FAIL' }),
      params: { [`evil${ESC}]0;title\u0007`]: `v\n[0:00] trial 9 COMPLETE value=0` },
      systemAttrs: { fail_reason: `boom${ESC}[31m` },
    };
    for (const text of [formatParams(trial.params), describeTrial(trial), trialsTable([trial], 1)]) {
      assert.ok(!text.includes(ESC), text);
      assert.ok(!text.includes('\u0007'), text);
    }
    assert.ok(!describeTrial(trial).includes('\n'), 'no forged line');
    assert.match(describeTrial(trial), /evil\\x1b\]0;title\\x07=v\\n\[0:00\] trial 9 COMPLETE value=0: boom\\x1b\[31m/);
  });
});
