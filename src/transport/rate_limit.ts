/**
 * A token bucket for limiting accepted connection requests (TR-069 §3.2.2:
 * the CPE SHOULD limit how many it accepts per period and answer 503 beyond
 * it). Pure: time arrives as `now` (ms).
 *
 * @module
 */

/** Something that says whether one more event may pass at `now`. */
export interface RateLimiter {
  /** Takes one token if available; false = over the limit. */
  tryAcquire(now: number): boolean;
}

/** Options of {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /** Events allowed per period, and the burst size. */
  limit: number;
  /** Period in ms over which `limit` tokens refill. */
  periodMs: number;
}

/**
 * A token bucket holding `limit` tokens that refills continuously at
 * `limit / periodMs` tokens per ms, starting full.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rateLimit } from "./rate_limit.ts";
 * const limiter = rateLimit({ limit: 1, periodMs: 1000 });
 * assert.equal(limiter.tryAcquire(0), true);
 * assert.equal(limiter.tryAcquire(10), false);
 * assert.equal(limiter.tryAcquire(1000), true);
 * ```
 */
export function rateLimit(options: RateLimitOptions): RateLimiter {
  const { limit, periodMs } = options;
  if (!(limit >= 1) || !Number.isFinite(limit)) {
    throw new RangeError(`Rate limit must be at least 1, got "${limit}"`);
  }
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) {
    throw new RangeError(`Rate limit period must be positive, got "${periodMs}"`);
  }
  let tokens = limit;
  let last: number | undefined;
  return {
    tryAcquire(now: number): boolean {
      if (last !== undefined && now > last) {
        tokens = Math.min(limit, tokens + (now - last) * limit / periodMs);
      }
      if (last === undefined || now > last) last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
