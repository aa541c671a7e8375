/**
 * Test helpers: ParameterSource implementations for driving BenchmarkProblem.evaluate without a study.
 * - FixedParams answers from a record and checks each value against the suggested range or choices;
 * - RandomParams draws uniformly (floats, ints, categorical/ordinal choices) from a seeded Rng.
 * Both record the names asked, in order, and the distributions, so tests can check the define-by-run space.
 */
import type { CategoricalChoice, OrdinalValue } from 'tansaku';
import type { Rng } from 'tansaku/extend';
import type { ParameterSource } from '../problems/problem.js';

export type Asked =
  | { kind: 'float'; low: number; high: number; log: boolean; step: number | null }
  | { kind: 'int'; low: number; high: number; log: boolean; step: number }
  | { kind: 'categorical'; choices: readonly CategoricalChoice[] }
  | { kind: 'ordinal'; values: readonly OrdinalValue[] };

abstract class RecordingParams implements ParameterSource {
  readonly asked = new Map<string, Asked>();
  readonly order: string[] = [];
  /** The values answered, by name. */
  readonly values: Record<string, unknown> = {};

  protected note(name: string, a: Asked): void {
    if (this.asked.has(name)) throw new Error(`parameter ${name} asked twice`);
    this.asked.set(name, a);
    this.order.push(name);
  }

  protected abstract pick(name: string, a: Asked): unknown;

  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number | null }): number {
    const a: Asked = { kind: 'float', low, high, log: options?.log ?? false, step: options?.step ?? null };
    this.note(name, a);
    const v = this.pick(name, a) as number;
    this.values[name] = v;
    if (typeof v !== 'number' || !(v >= low && v <= high)) throw new Error(`${name}=${String(v)} not in [${low}, ${high}]`);
    return v;
  }

  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number {
    const a: Asked = { kind: 'int', low, high, log: options?.log ?? false, step: options?.step ?? 1 };
    this.note(name, a);
    const v = this.pick(name, a) as number;
    this.values[name] = v;
    if (!Number.isInteger(v) || v < low || v > high || (v - low) % a.step !== 0) {
      throw new Error(`${name}=${String(v)} not an integer of [${low}, ${high}] step ${a.step}`);
    }
    return v;
  }

  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    const a: Asked = { kind: 'categorical', choices };
    this.note(name, a);
    const v = this.pick(name, a) as T;
    this.values[name] = v;
    if (!choices.includes(v)) throw new Error(`${name}=${String(v)} not one of ${JSON.stringify(choices)}`);
    return v;
  }

  suggestOrdinal<T extends OrdinalValue>(name: string, values: readonly T[]): T {
    const a: Asked = { kind: 'ordinal', values };
    this.note(name, a);
    const v = this.pick(name, a) as T;
    this.values[name] = v;
    if (!values.includes(v)) throw new Error(`${name}=${String(v)} not one of ${JSON.stringify(values)}`);
    return v;
  }
}

/** Answers from `values`; a parameter missing from it is an error. */
export class FixedParams extends RecordingParams {
  constructor(private readonly given: Readonly<Record<string, unknown>>) {
    super();
  }
  protected pick(name: string): unknown {
    if (!(name in this.given)) throw new Error(`parameter ${name} asked but not given`);
    return this.given[name];
  }
}

/** Uniform random answers from a seeded generator. */
export class RandomParams extends RecordingParams {
  constructor(private readonly rng: Rng) {
    super();
  }
  protected pick(_name: string, a: Asked): unknown {
    switch (a.kind) {
      case 'float':
        return a.step === null
          ? a.low + (a.high - a.low) * this.rng.random()
          : a.low + a.step * this.rng.integer(0, Math.floor((a.high - a.low) / a.step));
      case 'int':
        return a.low + a.step * this.rng.integer(0, Math.floor((a.high - a.low) / a.step));
      case 'categorical':
        return this.rng.choice(a.choices);
      case 'ordinal':
        return this.rng.choice(a.values);
    }
  }
}

/** `{x0: p[0], x1: p[1], …}` */
export function xParams(p: ArrayLike<number>): FixedParams {
  const rec: Record<string, number> = {};
  for (let i = 0; i < p.length; i++) rec[`x${i}`] = p[i];
  return new FixedParams(rec);
}

/** Follows a path of option indices; past its end it takes option 0. Records each decision's option count. */
class PathParams extends RecordingParams {
  readonly sizes: number[] = [];
  private step = 0;
  constructor(
    private readonly path: readonly number[],
    private readonly floats: readonly number[] | null,
  ) {
    super();
  }
  protected pick(name: string, a: Asked): unknown {
    let options: readonly unknown[];
    switch (a.kind) {
      case 'float':
        if (this.floats === null) throw new Error(`float parameter ${name} cannot be enumerated`);
        options = this.floats.filter((v) => v >= a.low && v <= a.high);
        break;
      case 'int':
        options = Array.from({ length: Math.floor((a.high - a.low) / a.step) + 1 }, (_, i) => a.low + i * a.step);
        break;
      case 'categorical':
        options = a.choices;
        break;
      case 'ordinal':
        options = a.values;
        break;
    }
    const i = this.step < this.path.length ? this.path[this.step] : 0;
    this.sizes.push(options.length);
    this.step++;
    return options[i];
  }
}

/**
 * Evaluates every configuration of a define-by-run space (conditional branches included) by walking the
 * tree of decisions; float parameters take the values in `floats` that lie in their range (none allowed
 * if `floats` is null). Returns the minimum, a configuration attaining it, and the number of configurations.
 */
export function exhaustiveMinimum(
  evaluate: (src: ParameterSource) => number,
  floats: readonly number[] | null = null,
  maxConfigs = 2_000_000,
): { min: number; argmin: Record<string, unknown>; configs: number } {
  let path: number[] = [];
  let min = Infinity;
  let argmin: Record<string, unknown> = {};
  let configs = 0;
  for (;;) {
    const src = new PathParams(path, floats);
    const v = evaluate(src);
    configs++;
    if (configs > maxConfigs) throw new Error('too many configurations');
    if (v < min) {
      min = v;
      argmin = { ...src.values };
    }
    const full = src.sizes.map((_, j) => (j < path.length ? path[j] : 0));
    let j = full.length - 1;
    while (j >= 0 && full[j] + 1 >= src.sizes[j]) j--;
    if (j < 0) break;
    path = [...full.slice(0, j), full[j] + 1];
  }
  return { min, argmin, configs };
}
