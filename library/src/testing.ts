/**
 * `tansaku/testing`: the contract suites every sampler, pruner and storage passes, for authors of new
 * ones, and a small in-memory study view to test pruners against. The suites register `node:test` tests
 * (`describe`/`it`), so call them at the top level of a test file run by `node --test`.
 *
 * @example
 * ```ts
 * // my-sampler.test.ts
 * import { runSamplerContract } from 'tansaku/testing';
 * import { MySampler } from './my-sampler.js';
 *
 * runSamplerContract('MySampler', { make: (seed) => new MySampler({ seed }) });
 * ```
 */
export { runSamplerContract, standardObjective, STANDARD_GRID, type SamplerContractOptions } from './testing/sampler-contract.js';
export { runPrunerContract } from './testing/pruner-contract.js';
export { runStorageContract, type StorageFactory } from './testing/storage-contract.js';
export { FakeStudy, completedTrial, frozenTrial, makeStudy, runningTrial, type Curve, type TrialSpec } from './testing/fake-study.js';
