/** Small statistics helpers for benchmarks: median and range of repeated measurements. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** The measurements, in the order they were taken. */
  values: number[];
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median, minimum and maximum of repeated measurements. */
export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values), values: [...values] };
}
