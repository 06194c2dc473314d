/**
 * Summary statistics of the bench's samples.
 *
 * @module
 */

/** Smallest, median and 95th percentile of a sample set (NaN when empty). */
export interface Summary {
  min: number;
  median: number;
  p95: number;
  max: number;
}

/** Summarises `samples` (nearest-rank percentiles). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  if (sorted.length === 0) return { min: NaN, median: NaN, p95: NaN, max: NaN };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, p95: at(0.95), max: sorted.at(-1)! };
}

/** Rounds to `digits` decimals (for the table and results.json). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
