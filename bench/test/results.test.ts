/** bench/lib/results.ts: the `--report-name` check shared by the benchmarks' command lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportNameOf } from '../lib/results.js';

describe('reportNameOf', () => {
  it('passes a file-name-safe word through, and no option as undefined', () => {
    assert.equal(reportNameOf('tmpfs'), 'tmpfs');
    assert.equal(reportNameOf('self_check-2'), 'self_check-2');
    assert.equal(reportNameOf(undefined), undefined);
  });
  it('rejects names that would leave bench/results or be hidden, saying what it expected', () => {
    for (const bad of ['', '../x', 'a/b', '.hidden', '-x', 'a b']) {
      assert.throws(() => reportNameOf(bad), /--report-name must be letters, digits, '-' or '_'/, bad);
    }
  });
});
