#!/usr/bin/env node
// `npm test`: type-checks both workspaces, then runs the library's unit tests, the benchmark lab's tests
// and the library's end-to-end tests, each suite's output passed through as it comes. It ends with one
// line adding up the counts of every suite, and exits non-zero if any step failed.
//   node scripts/test-all.mjs [unit|e2e]   (default: everything)
import { spawn } from 'node:child_process';

const STEPS = {
  typecheck: { label: 'type-check', args: ['run', 'typecheck'] },
  unit: { label: 'library unit tests', args: ['run', 'test:unit', '-w', 'tansaku'] },
  bench: { label: 'benchmark lab tests', args: ['test', '-w', 'tansaku-bench'] },
  e2e: { label: 'library end-to-end tests', args: ['run', 'test:e2e', '-w', 'tansaku'] },
};
const PLANS = { all: ['typecheck', 'unit', 'bench', 'e2e'], unit: ['unit', 'bench'], e2e: ['e2e'] };
const plan = PLANS[process.argv[2] ?? 'all'];
if (plan === undefined) {
  console.error(`usage: node scripts/test-all.mjs [${Object.keys(PLANS).join('|')}]; got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}

const COUNTS = ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const total = Object.fromEntries(COUNTS.map((k) => [k, 0]));
const failedSteps = [];

function run(step) {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  return new Promise((resolve) => {
    const child = spawn(npm[0], [...npm.slice(1), ...step.args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        // node:test's summary: "# tests 12" (TAP reporter) or "ℹ tests 12" (spec reporter).
        const m = /^(?:#|ℹ) (tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$/.exec(line);
        if (m) total[m[1]] += Number(m[2]);
      }
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

for (const name of plan) {
  const code = await run(STEPS[name]);
  if (code !== 0) failedSteps.push(`${STEPS[name].label} (exit ${code})`);
}
if (failedSteps.length > 0) console.log(`# failed: ${failedSteps.join('; ')}`);
console.log(`# all suites: ${COUNTS.map((k) => `${k} ${total[k]}`).join(', ')}`);
process.exit(failedSteps.length > 0 ? 1 : 0);
