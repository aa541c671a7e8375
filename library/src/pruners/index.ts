/**
 * The built-in pruners, all behind the `Pruner` interface of `core/pruner.ts`. Ports of Optuna 3.1's
 * pruners with the same decisions for the same inputs.
 */
export { NopPruner } from './nop.js';
export { PercentilePruner, type PercentilePrunerOptions } from './percentile.js';
export { MedianPruner, type MedianPrunerOptions } from './median.js';
export { ThresholdPruner, type ThresholdPrunerOptions } from './threshold.js';
export { PatientPruner, type PatientPrunerOptions } from './patient.js';
