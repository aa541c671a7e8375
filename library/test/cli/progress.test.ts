import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Progress } from '../../src/cli/progress.js';
import { describeTrial, formatDuration, formatNumber } from '../../src/core/format.js';
import { InMemoryStorage, NopPruner, TrialPruned, createStudy } from '../../src/index.js';

function sink(isTTY: boolean): { write: (s: string) => void; text: () => string; isTTY: boolean; columns: number } {
  let out = '';
  return {
    write: (s: string) => {
      out += s;
    },
    text: () => out,
    isTTY,
    columns: 200,
  };
}

describe('progress', () => {
  it('formats numbers and durations compactly', () => {
    assert.equal(formatNumber(0.123456789), '0.123457');
    assert.equal(formatNumber(1e-7), '1e-7');
    assert.equal(formatNumber(42), '42');
    assert.equal(formatNumber(-Infinity), '-Infinity');
    assert.equal(formatDuration(61_000), '1:01');
    assert.equal(formatDuration(3_723_000), '1:02:03');
  });

  it('counts trials from the storage, with a bar on a terminal and lines elsewhere', async () => {
    const storage = new InMemoryStorage();
    const study = await createStudy({ storage, seed: 1, maxTrials: 6, pruner: new NopPruner() });
    await study.optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 1 });
    const tty = sink(true);
    const plain = sink(false);
    const bar = new Progress({ storage, studyId: study.studyId, directions: ['minimize'], budget: 6, stream: tty, intervalMs: 10_000 });
    const lines = new Progress({ storage, studyId: study.studyId, directions: ['minimize'], budget: 6, stream: plain, intervalMs: 10_000 });
    await bar.start();
    await lines.start();
    await study.optimize(
      (t) => {
        const x = t.suggestFloat('x', 0, 1);
        if (t.number === 2) throw new Error('boom');
        if (t.number === 3) throw new TrialPruned();
        return x;
      },
      { nTrials: 4, catch: () => true },
    );
    await bar.poll();
    assert.match(bar.statusLine(), /^\[#{10}-{2}\] 5\/6 \d:\d\d<\d:\d\d \| running 0 \| pruned 1 \| failed 1 \| best [\d.e-]+ \(#\d\)$/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequence is what is tested
    assert.match(tty.text(), /\r\x1b\[2K\[/);
    assert.match(tty.text(), /trial 2 FAIL \([\d.]+s\) x=[\d.e-]+: Error: boom\n/, 'failures are printed above the bar');
    assert.doesNotMatch(tty.text(), /trial 1 COMPLETE/, 'a terminal shows the bar, not a line per trial');
    const counts = await lines.stop();
    await bar.stop();
    assert.deepEqual(counts.finishedThisRun, { complete: 2, pruned: 1, failed: 1 }, 'trial 0 finished before: baseline');
    assert.equal(counts.complete, 3);
    const text = plain.text();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no escape sequence may reach a pipe
    assert.doesNotMatch(text, /\x1b/);
    assert.doesNotMatch(text, /trial 0 /);
    for (const re of [/trial 1 COMPLETE value=/, /trial 2 FAIL/, /trial 3 PRUNED/, /trial 4 COMPLETE/]) assert.match(text, re);
    const t4 = (await study.trials)[4];
    assert.match(describeTrial(t4), /^trial 4 COMPLETE value=[\d.e-]+ \([\d.]+s\) x=[\d.e-]+$/);
  });
});
