#!/usr/bin/env node
// Runs one of the benchmark lab's TypeScript entry points (its path relative to bench/, then its own
// arguments), e.g. `node bench/scripts/bench.mjs compare/run.ts --quick`.
//
// The lab imports the library by its package name. `--conditions=tansaku-dev` makes `tansaku` and
// `tansaku/tfjs` resolve to the library's TypeScript sources instead of its build output, so a benchmark
// always measures the code in the working tree (no stale dist/, no build step). It goes in NODE_OPTIONS
// so that every process a benchmark starts (workers, the `tansaku` command) resolves the same way.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [script, ...args] = process.argv.slice(2);
const file = script === undefined ? null : fileURLToPath(new URL(`../${script}`, import.meta.url));
if (file === null || !existsSync(file)) {
  console.error(
    `usage: node bench/scripts/bench.mjs <script under bench/, e.g. compare/run.ts> [arguments]; got ${JSON.stringify(script ?? null)}`,
  );
  process.exit(2);
}
const nodeOptions = [process.env.NODE_OPTIONS, '--conditions=tansaku-dev'].filter(Boolean).join(' ');
const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), file, ...args], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions },
});
// Ctrl-C reaches the benchmark too (same process group); it decides how to stop, and its exit code is ours.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
});
