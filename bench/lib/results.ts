/** Writes a benchmark's results (bench/results/<name>.md and .json) and prints the table and notes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface BenchResults {
  /** File name without extension, e.g. `overhead-journal`. */
  name: string;
  /** The markdown heading. */
  title: string;
  /** How to run it and which source writes it, e.g. "`npm run bench:parallel` (bench/parallel/run.ts)". */
  writtenBy: string;
  /** Where the README of the benchmark is. */
  readme: string;
  machineLine: string;
  table: string;
  notes: readonly string[];
  json: unknown;
}

/**
 * Checks a `--report-name` option: a file-name-safe word (e.g. `selfcheck`, `tmpfs`) that a benchmark
 * appends to its report's file name, so another configuration writes beside the committed report
 * rather than over it.
 * @example reportNameOf('tmpfs') // 'tmpfs'; reportNameOf('../x') throws
 */
export function reportNameOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(raw))
    throw new Error(`--report-name must be letters, digits, '-' or '_' (a file name part), got ${JSON.stringify(raw)}`);
  return raw;
}

export function writeResults(root: string, r: BenchResults): void {
  const dir = join(root, 'bench/results');
  const md = [
    `# ${r.title}`,
    '',
    `Written by ${r.writtenBy}; what is measured: ${r.readme}.`,
    '',
    r.machineLine,
    '',
    r.table,
    '',
    ...r.notes.map((l) => `- ${l}`),
    '',
  ].join('\n');
  mkdirSync(dir, { recursive: true });
  const mdPath = join(dir, `${r.name}.md`);
  const jsonPath = join(dir, `${r.name}.json`);
  writeFileSync(mdPath, md);
  writeFileSync(jsonPath, `${JSON.stringify(r.json, null, 2)}\n`);
  console.log(`\n${r.machineLine}\n\n${r.table}\n`);
  for (const l of r.notes) console.log(`- ${l}`);
  console.log(`\nwrote ${relative(root, mdPath)} and ${relative(root, jsonPath)}`);
}
