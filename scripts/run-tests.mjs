#!/usr/bin/env node
// Runs a workspace's tests with node:test (Node 20 does not expand globs itself), from the workspace's
// folder:
//   node ../scripts/run-tests.mjs test                  every test/**/*.test.ts
//   node ../scripts/run-tests.mjs test --except test/e2e  all but those under test/e2e/
//   node ../scripts/run-tests.mjs test/e2e              only those
// --library-sources resolves `tansaku` to the library's TypeScript sources (`--conditions=tansaku-dev`,
// also for every process a test starts), as the benchmark lab needs. Arguments after `--` go to
// node --test, e.g. `npm run test:unit -- -- --test-name-pattern=grid`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { except: { type: 'string', multiple: true, default: [] }, 'library-sources': { type: 'boolean', default: false } },
  allowPositionals: true,
});
const [dir, ...nodeTestArgs] = positionals;
if (dir === undefined || !existsSync(dir)) {
  console.error(
    `usage: node scripts/run-tests.mjs <test folder> [--except <folder>] [--library-sources] [-- <node --test options>]; no folder ${JSON.stringify(dir ?? null)}`,
  );
  process.exit(2);
}

function findTests(folder) {
  const out = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (values.except.some((e) => normalize(e) === path)) continue;
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const env = { ...process.env };
if (values['library-sources']) env.NODE_OPTIONS = [env.NODE_OPTIONS, '--conditions=tansaku-dev'].filter(Boolean).join(' ');
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...nodeTestArgs, ...findTests(normalize(dir))], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
