/**
 * Harness options the harness and store tests share: the `toy` group, two fixed Tansaku samplers (the job
 * counts the tests assert must not change when the registry grows), 3 seeds, 12 evaluations, in-process,
 * every path under `root/sub`.
 */
import { join } from 'node:path';
import type { HarnessOptions } from '../compare/harness.js';
import { TANSAKU_SAMPLERS } from '../compare/samplers.js';
import { toyProblems } from '../compare/toy-problems.js';

export function toyHarnessOptions(root: string, sub: string, problems = toyProblems()): HarnessOptions {
  return {
    groups: ['toy'],
    samplers: TANSAKU_SAMPLERS.filter((e) => e.name === 'tansaku-random' || e.name === 'tansaku-qmc'),
    seeds: 3,
    budget: () => 12,
    problemsOf: () => problems,
    resolve: (_g, id) => problems.find((p) => p.id === id)!,
    chunkMinutes: 5,
    workers: 0,
    cachePath: join(root, sub, 'runs.jsonl'),
    referencePath: join(root, sub, 'reference.json'),
    reportDir: join(root, sub, 'reports'),
    plotDir: join(root, sub, 'plots'),
    meta: { machine: 'test', code: 'test', command: 'test' },
    log: () => {},
  };
}
