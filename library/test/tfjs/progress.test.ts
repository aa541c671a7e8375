import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createStudy } from '../../src/index.js';
import { TrialPruned } from '../../src/core/errors.js';
import { ProgressBoard, StudyProgress, bar, epochProgress, formatLogs } from '../../src/tfjs/progress.js';
import { train } from '../../src/tfjs/train.js';

before(async () => {
  await tf.setBackend('cpu');
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (t: string) => void chunks.push(t) }, text: () => chunks.join('') };
}

describe('progress', () => {
  it('formats bars and logs', () => {
    assert.equal(bar(3, 12), '[###---------]');
    assert.equal(bar(5, 0, 4), '[----]');
    assert.equal(formatLogs({ loss: 0.123456, val_accuracy: 0.9, big: 123456 }), 'loss 0.1235 val_accuracy 0.9 big 1.235e+5');
    assert.equal(formatLogs({ loss: 1, acc: 0.5 }, ['acc']), 'acc 0.5');
  });

  it('a board redraws live lines in place on a terminal and prints only permanent lines elsewhere', () => {
    const tty = sink(true);
    const board = new ProgressBoard({ stream: tty.stream, minIntervalMs: 0 });
    board.update('a', 'line A');
    board.update('b', 'line B');
    board.log('done 1');
    board.update('a', 'line A2');
    board.close();
    const out = tty.text();
    assert.ok(out.includes('\r\x1b[2K\x1b[1A\r\x1b[2Kdone 1\nline A\nline B'), JSON.stringify(out));
    assert.ok(out.includes('line A2\nline B'));
    assert.ok(out.endsWith('\r\x1b[2K\x1b[1A\r\x1b[2K'), 'close clears both live lines');

    const plain = sink(false);
    const quiet = new ProgressBoard({ stream: plain.stream });
    quiet.update('a', 'live');
    quiet.log('permanent');
    quiet.close();
    assert.equal(plain.text(), 'permanent\n');
  });

  it('epoch progress prints one line per epoch when not on a terminal, and a live bar on one', async () => {
    const xs = tf.randomNormal([20, 3], 0, 1, 'float32', 1);
    const ys = tf.randomNormal([20, 1], 0, 1, 'float32', 2);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });
    const plain = sink(false);
    await train(
      model,
      { xs, ys },
      { epochs: 2, batchSize: 8, loss: 'mse', optimizer: 'sgd', callbacks: [epochProgress({ stream: plain.stream, label: 'run' })] },
    );
    const lines = plain.text().trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^run epoch 1\/2 \(\d+\.\ds\) loss [\d.e+-]+$/);
    assert.match(lines[1], /^run epoch 2\/2 /);

    const tty = sink(true);
    await train(
      model,
      { xs, ys },
      { epochs: 2, batchSize: 8, loss: 'mse', optimizer: 'sgd', callbacks: [epochProgress({ stream: tty.stream, minIntervalMs: 0 })] },
    );
    const out = tty.text();
    assert.match(out, /epoch 2\/2 \[#+-*\] 20\/20 \d+:\d\d<\d+:\d\d \| loss /);
    assert.ok(out.endsWith('\r\x1b[2K'), 'the bar is removed at the end');
    model.dispose();
    tf.dispose([xs, ys]);
  });

  it("study progress counts trials, shows the best, and removes a pruned trial's epoch bar", async () => {
    const study = await createStudy({ direction: 'maximize', seed: 1 });
    const tty = sink(true);
    const progress = new StudyProgress({ nTrials: 3, stream: tty.stream, minIntervalMs: 0 });
    await study.optimize(
      async (trial) => {
        const x = trial.suggestFloat('x', 0, 1);
        const cb = progress.epochs(trial);
        cb.onTrainBegin?.({ epochs: 2, batchSize: 1, samples: 1, batchesPerEpoch: 1, logKeys: ['loss'] });
        if (trial.number === 1) {
          cb.onTrainAbort?.(new TrialPruned());
          throw new TrialPruned();
        }
        await cb.onTrainEnd?.({ history: {}, epochs: 2, stoppedEarly: false, seconds: 0, samplesPerSecond: 0 });
        return trial.number === 0 ? 0.5 : x + 1;
      },
      { nTrials: 3, callbacks: [progress.onTrialEnd] },
    );
    assert.match(
      progress.statusLine(),
      /^trials \[#{12}\] 3\/3 \d+:\d\d<0:00 \| complete 2 \| pruned 1 \| failed 0 \| best [\d.]+ \(#2\)$/,
    );
    progress.close();
    assert.match(tty.text(), /trial 1 epoch 1\/2/);
    assert.match(tty.text(), /trials \[#{12}\] 3\/3 .*\n$/);

    const plain = sink(false);
    const quiet = new StudyProgress({ nTrials: 2, stream: plain.stream });
    await study.optimize(() => 1, { nTrials: 2, callbacks: [quiet.onTrialEnd] });
    quiet.close();
    const lines = plain.text().trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^\[0:0\d\] trial 3 COMPLETE value=1 /);
    assert.match(lines[2], /^trials \[#{12}\] 2\/2 /);
  });
});
