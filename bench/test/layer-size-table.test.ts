/**
 * Tests of the layer-size study's exporter (bench/layer-size/table.ts, export.ts) on a tiny generated
 * journal (3 sizes x 2 seeds): per-seed values and curves, means, the partial and whole table files
 * (accepted by bench/cross-search's checkTable), the markdown report, and the cells a run re-enqueues.
 * No TensorFlow.js, no MNIST, no ../shared.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkTable } from '../cross-search/table.js';
import { exportFromTrials } from '../layer-size/export.js';
import { cellsToRetry, collectCells, completeRowCount, progressOf, tableFile, type GridSpec } from '../layer-size/table.js';
import { JournalFileStorage, createStudy, type Study } from 'tansaku';
import { intDistribution, ordinalDistribution } from 'tansaku/extend';

const spec: GridSpec = { sizes: [8, 16, 32], seeds: [0, 1] };
const dir = mkdtempSync(join(tmpdir(), 'tansaku-layer-size-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const distributions = {
  n1: ordinalDistribution('n1', spec.sizes),
  n2: ordinalDistribution('n2', spec.sizes),
  seed: intDistribution('seed', 0, 1),
};

/** Accuracy of a cell and seed: grows with both sizes, seed 1 is 0.01 better. */
const acc = (n1: number, n2: number, seed: number) => 0.8 + 0.02 * Math.log2(n1 / 8) + 0.01 * Math.log2(n2 / 8) + 0.01 * seed;

async function addCell(study: Study, n1: number, n2: number, seed: number, state: 'COMPLETE' | 'FAIL' = 'COMPLETE'): Promise<void> {
  const final = acc(n1, n2, seed);
  await study.addTrial({
    state,
    params: { n1, n2, seed },
    distributions,
    ...(state === 'COMPLETE' ? { value: final } : {}),
    intermediateValues: { 0: final - 0.1, 1: final - 0.05, 2: final },
    userAttrs: {
      val_loss: [0.9, 0.5, 0.3],
      train_loss: [1, 0.6, 0.4],
      train_accuracy: [0.7, 0.8, 0.9],
      train_seconds: 2,
      cpu_seconds: 1.5,
    },
  });
}

async function tinyStudy(name: string, rowsComplete: number): Promise<Study> {
  const storage = new JournalFileStorage(join(dir, `${name}.journal`));
  const study = await createStudy({ studyName: name, storage, direction: 'maximize', heartbeat: false });
  for (const [i, n1] of spec.sizes.entries()) {
    for (const n2 of spec.sizes) {
      for (const seed of spec.seeds) {
        if (i < rowsComplete) await addCell(study, n1, n2, seed);
        else if (n2 === 8 && seed === 0) await addCell(study, n1, n2, seed); // one seed of one cell of the next row
      }
    }
  }
  return study;
}

describe('layer-size table', () => {
  it('collects per-seed values, curves and times, and means over the seeds', async () => {
    const study = await tinyStudy('partial', 2);
    await addCell(study, 32, 16, 0, 'FAIL');
    const cells = collectCells(await study.trials, spec);
    const c = cells[1][2]; // n1 = 16, n2 = 32
    assert.equal(c.n1, 16);
    assert.equal(c.n2, 32);
    assert.equal(c.complete, true);
    assert.deepEqual(
      c.seeds.map((s) => s.seed),
      [0, 1],
    );
    assert.equal(c.seeds[0].accuracy, Math.round(acc(16, 32, 0) * 1e6) / 1e4);
    assert.deepEqual(
      c.seeds[1].curve,
      [acc(16, 32, 1) - 0.1, acc(16, 32, 1) - 0.05, acc(16, 32, 1)].map((v) => Math.round(v * 1e6) / 1e4),
    );
    assert.deepEqual(c.seeds[0].trainAccuracy, [70, 80, 90]);
    assert.equal(c.seeds[0].cpuSeconds, 1.5);
    assert.ok(Math.abs(c.mean! - 100 * (acc(16, 32, 0) + 0.005)) < 1e-3);
    assert.ok(Math.abs(c.std! - Math.SQRT1_2) < 1e-3); // 1 point apart
    assert.equal(cells[2][0].complete, false);
    assert.equal(cells[2][0].seeds.length, 1);
    assert.equal(cells[2][1].mean, null);
    assert.equal(completeRowCount(cells), 2);
    const p = progressOf(await study.trials, spec);
    assert.deepEqual([p.trialsComplete, p.trialsTotal, p.cellsComplete, p.cellsTotal, p.failed], [13, 18, 6, 9, 1]);
  });

  it('writes a partial table of the complete rows, then the whole table, both valid for bench/cross-search', async () => {
    const partial = await tinyStudy('rows', 2);
    const out = join(dir, 'out');
    const files = await exportFromTrials(await partial.trials, { outDir: out, spec, name: 'partial' });
    assert.ok(files.table);
    const t = checkTable(JSON.parse(readFileSync(files.table, 'utf8')), files.table);
    assert.equal(t.name, 'mnist-mlp-n1-8-16');
    assert.match(t.description, /PARTIAL/);
    assert.deepEqual(t.axes[0].values, [8, 16]);
    assert.deepEqual(t.axes[1].values, [8, 16, 32]);
    assert.equal(t.values[1][2], collectCells(await partial.trials, spec)[1][2].mean);
    const md = readFileSync(files.md, 'utf8');
    assert.match(md, /6 of 9 cells complete/);
    assert.match(md, /\(1\/2\)/); // the cell with one seed of two
    assert.match(md, /·/);
    const data = JSON.parse(readFileSync(files.json, 'utf8')) as { mean: (number | null)[][]; cells: { seeds: unknown[] }[] };
    assert.equal(data.mean[2][0], null); // not complete: no mean in the table
    assert.equal(data.cells.length, 7); // cells with at least one seed

    const whole = await tinyStudy('whole', 3);
    const full = await exportFromTrials(await whole.trials, { outDir: out, spec, name: 'whole' });
    const w = checkTable(JSON.parse(readFileSync(full.table!, 'utf8')), full.table!);
    assert.equal(w.name, 'mnist-mlp');
    assert.doesNotMatch(w.description, /PARTIAL/);
    assert.equal(w.values.length, 3);
    assert.equal(Math.max(...w.values.flat()), w.values[2][2]); // the largest cell is the best here
  });

  it('writes no table file with fewer than 2 complete rows, and removes a stale one', async () => {
    const study = await tinyStudy('one-row', 1);
    const cells = collectCells(await study.trials, spec);
    assert.equal(tableFile(cells, spec, { name: 'x', description: 'y' }), null);
    const out = join(dir, 'out');
    const first = await exportFromTrials(await (await tinyStudy('two-rows', 2)).trials, { outDir: out, spec, name: 'same' });
    assert.ok(existsSync(first.table!));
    const second = await exportFromTrials(await study.trials, { outDir: out, spec, name: 'same' });
    assert.equal(second.table, null);
    assert.equal(existsSync(first.table!), false);
  });

  it('re-enqueues failed cells with no complete, waiting or running trial', async () => {
    const storage = new JournalFileStorage(join(dir, 'retry.journal'));
    const study = await createStudy({ studyName: 'retry', storage, direction: 'maximize', heartbeat: false });
    await addCell(study, 8, 8, 0, 'FAIL'); // failed, never completed: retry
    await addCell(study, 8, 16, 0, 'FAIL'); // failed, then completed: no retry
    await addCell(study, 8, 16, 0);
    await addCell(study, 8, 32, 1, 'FAIL'); // failed, already re-enqueued: no retry
    await study.enqueueTrial({ n1: 8, n2: 32, seed: 1 });
    await addCell(study, 16, 8, 1, 'FAIL'); // retry
    assert.deepEqual(cellsToRetry(await study.trials, spec), [
      { n1: 8, n2: 8, seed: 0 },
      { n1: 16, n2: 8, seed: 1 },
    ]);
  });
});
