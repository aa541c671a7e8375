/**
 * Exports the layer-size study from its journal (run.ts runs this at the end of every run):
 *
 * - bench/results/layer-size-mnist.md: the 10x10 table of mean validation accuracy (cells done so far)
 *   and the training time per cell;
 * - bench/results/layer-size-mnist.json: every cell's per-seed accuracies, per-epoch curves (validation
 *   accuracy and loss, training accuracy and loss) and training times, and the mean table;
 * - bench/results/layer-size-mnist.table.json: the table file `bench/cross-search/run.ts --table` reads
 *   (mean over the seeds): the whole grid once every cell is done, until then the complete leading rows
 *   of N1 (marked PARTIAL in its name and description); not written while fewer than 2 rows are complete.
 *
 *   node bench/scripts/bench.mjs layer-size/export.ts [--journal bench/layer-size/mnist-layer-size.journal] [--out-dir bench/results]
 *   node bench/scripts/bench.mjs cross-search/run.ts --table bench/results/layer-size-mnist.table.json --no-synthetic --no-hpobench --out layer-size-mnist-comparison
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { JournalFileStorage, loadStudy } from 'tansaku';
import { DESCRIPTION, JOURNAL, ROOT, SEEDS, SIZES, STUDY_NAME, TRAINING } from './config.js';
import {
  collectCells,
  completeRowCount,
  dataFile,
  markdownTables,
  progressOf,
  tableFile,
  type CellResult,
  type GridSpec,
  type TrialLike,
} from './table.js';

export interface ExportOptions {
  journal?: string;
  studyName?: string;
  /** Where the three files go. Default bench/results. */
  outDir?: string;
  /** File name stem. Default `layer-size-mnist`. */
  name?: string;
  spec?: GridSpec;
}

function bestCell(cells: CellResult[][]): CellResult | null {
  let best: CellResult | null = null;
  for (const c of cells.flat()) if (c.complete && (best === null || c.mean! > best.mean!)) best = c;
  return best;
}

/** Writes the report, the data file and (when at least 2 rows are complete) the table file; returns their paths. */
export async function exportFromTrials(
  trials: readonly TrialLike[],
  options: ExportOptions = {},
): Promise<{ md: string; json: string; table: string | null }> {
  const spec = options.spec ?? { sizes: SIZES, seeds: SEEDS };
  const outDir = options.outDir ?? join(ROOT, 'bench/results');
  const stem = options.name ?? 'layer-size-mnist';
  const cells = collectCells(trials, spec);
  const progress = progressOf(trials, spec);
  const meta = { study: STUDY_NAME, description: DESCRIPTION, training: TRAINING, valueUnit: 'validation accuracy (%)' };
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, `${stem}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(dataFile(cells, spec, meta, progress))}\n`);
  const table = tableFile(cells, spec, { name: 'mnist-mlp', description: DESCRIPTION });
  const tablePath = join(outDir, `${stem}.table.json`);
  if (table) writeFileSync(tablePath, `${JSON.stringify(table, null, 1)}\n`);
  else if (existsSync(tablePath)) rmSync(tablePath);
  const rows = completeRowCount(cells);
  const best = bestCell(cells);
  const rel = (p: string) => relative(ROOT, p);
  const md = [
    '# The MNIST layer-size table (MLP 784-N1-N2-10)',
    '',
    `Written by \`node bench/scripts/bench.mjs layer-size/export.ts\` from the grid study \`${STUDY_NAME}\` in \`bench/layer-size/mnist-layer-size.journal\` ` +
      '(run with `npm run bench:layer-size -- --minutes M --n-jobs 2`; see bench/layer-size/README.md).',
    '',
    `${DESCRIPTION}.`,
    '',
    `Progress: ${progress.cellsComplete} of ${progress.cellsTotal} cells complete (every seed), ${progress.trialsComplete} of ${progress.trialsTotal} (cell, seed) trials; ` +
      `${(progress.cpuSeconds / 3600).toFixed(2)} h of CPU time (${(progress.trainSeconds / 3600).toFixed(2)} h wall) of training so far.` +
      (best
        ? ` Best complete cell so far: N1 = ${best.n1}, N2 = ${best.n2}, ${best.mean!.toFixed(2)}% (sd ${best.std?.toFixed(2) ?? '–'} over ${best.seeds.length} seeds).`
        : ''),
    '',
    markdownTables(cells, spec),
    '',
    `- Per-seed values and per-epoch curves: \`${rel(jsonPath)}\`.`,
    table
      ? `- Table for \`bench/cross-search/run.ts --table\`: \`${rel(tablePath)}\` (${rows === spec.sizes.length ? 'the whole grid' : `PARTIAL: the complete rows N1 = ${spec.sizes.slice(0, rows).join(', ')}`}).`
      : '- No table file for bench/cross-search yet: fewer than 2 complete rows of N1.',
    '',
  ].join('\n');
  const mdPath = join(outDir, `${stem}.md`);
  writeFileSync(mdPath, md);
  return { md: mdPath, json: jsonPath, table: table ? tablePath : null };
}

/** Reads the study from its journal and exports it. */
export async function exportTable(options: ExportOptions = {}): Promise<{ md: string; json: string; table: string | null }> {
  const journal = options.journal ?? JOURNAL;
  if (!existsSync(journal)) throw new Error(`no journal at ${journal}: run bench/layer-size/run.ts first`);
  const storage = new JournalFileStorage(journal);
  try {
    const study = await loadStudy({ studyName: options.studyName ?? STUDY_NAME, storage });
    const out = await exportFromTrials(await study.trials, options);
    console.error(
      `wrote ${[out.md, out.json, out.table]
        .filter((p): p is string => p !== null)
        .map((p) => relative(ROOT, p))
        .join(', ')}`,
    );
    return out;
  } finally {
    await storage.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values: args } = parseArgs({
    options: { journal: { type: 'string' }, 'out-dir': { type: 'string' }, study: { type: 'string' } },
  });
  await exportTable({ journal: args.journal, outDir: args['out-dir'], studyName: args.study });
}
