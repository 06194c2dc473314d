/**
 * TR-069 §3.2.1.1 Session Retry (CWMP-FACTS §3).
 *
 * The n-th retry (n ≥ 1) waits a random time in [m·(k/1000)^(n−1), m·(k/1000)^n] seconds,
 * where m = CWMPRetryMinimumWaitInterval and k = CWMPRetryIntervalMultiplier. From the 10th
 * retry on the range stops growing (n is capped at 10). Defaults m = 5, k = 2000 give
 * 5–10, 10–20, … 2560–5120 s.
 *
 * @module
 */

/** Settings of {@linkcode retryDelay} (TR-181 ManagementServer.CWMPRetry*). */
export interface RetryDelayOptions {
  /** CWMPRetryMinimumWaitInterval, 1–65535 s (default 5). */
  minWaitSeconds: number;
  /** CWMPRetryIntervalMultiplier in thousandths, 1000–65535 (default 2000). */
  multiplierPermille: number;
}

/** The TR-069 default retry settings (m = 5 s, k = 2000). */
export const DEFAULT_RETRY: Readonly<RetryDelayOptions> = {
  minWaitSeconds: 5,
  multiplierPermille: 2000,
};

/** The retry number from which the wait range stops growing. */
export const RETRY_EXPONENT_CAP = 10;

/** The [low, high] wait range in seconds of the `attempt`-th retry (1-based). */
export function retryDelayRange(attempt: number, options: RetryDelayOptions): [number, number] {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`Cannot compute retry delay: attempt "${attempt}" is not an integer ≥ 1`);
  }
  const n = Math.min(attempt, RETRY_EXPONENT_CAP);
  const m = options.minWaitSeconds;
  const k = options.multiplierPermille / 1000;
  return [m * k ** (n - 1), m * k ** n];
}

/**
 * The wait in seconds before the `attempt`-th retry; `random()` in [0, 1] picks the point in
 * the range (0 → low bound, 1 → high bound).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryDelay } from "./retry_delay.ts";
 * const opts = { minWaitSeconds: 5, multiplierPermille: 2000 };
 * assert.equal(retryDelay(1, opts, () => 0), 5);
 * assert.equal(retryDelay(12, opts, () => 1), 5120);
 * ```
 */
export function retryDelay(
  attempt: number,
  options: RetryDelayOptions,
  random: () => number,
): number {
  const [low, high] = retryDelayRange(attempt, options);
  return low + random() * (high - low);
}
