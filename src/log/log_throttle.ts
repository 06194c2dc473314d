/**
 * LogThrottle: one log line per key per period, so that a flood (a client retrying wrong
 * credentials, a runaway ACS past the rate limit) cannot fill the log. The first occurrence
 * is logged at once; the repeats within the period are counted and reported with the next
 * line logged for that key. Keys are bounded: past `maxKeys` the oldest is forgotten.
 *
 * @module
 */

/** Options of {@linkcode LogThrottle}. */
export interface LogThrottleOptions {
  /** At most one line per key in this time; default 60 s. */
  periodMs?: number;
  /** Keys remembered at once; default 64. */
  maxKeys?: number;
}

/** What {@linkcode LogThrottle.admit} decided. */
export type Admission =
  | { log: false }
  /** Log now; `suppressed` lines of this key were held back since the last one. */
  | { log: true; suppressed: number };

/**
 * Rate-limits log lines by key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LogThrottle } from "./log_throttle.ts";
 * const throttle = new LogThrottle({ periodMs: 1000 });
 * assert.deepEqual(throttle.admit("a", 0), { log: true, suppressed: 0 });
 * assert.deepEqual(throttle.admit("a", 10), { log: false });
 * assert.deepEqual(throttle.admit("a", 1000), { log: true, suppressed: 1 });
 * ```
 */
export class LogThrottle {
  #periodMs: number;
  #maxKeys: number;
  /** key → when its last line was logged and how many were held back since. */
  #keys = new Map<string, { at: number; suppressed: number }>();

  constructor(options: LogThrottleOptions = {}) {
    this.#periodMs = options.periodMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 64;
  }

  /** Whether a line for `key` at time `now` (ms) is logged. */
  admit(key: string, now: number): Admission {
    const seen = this.#keys.get(key);
    if (seen !== undefined && now - seen.at < this.#periodMs) {
      seen.suppressed++;
      return { log: false };
    }
    const suppressed = seen?.suppressed ?? 0;
    this.#keys.delete(key); // re-inserted last: the map's order is the age order
    this.#keys.set(key, { at: now, suppressed: 0 });
    if (this.#keys.size > this.#maxKeys) {
      this.#keys.delete(this.#keys.keys().next().value!);
    }
    return { log: true, suppressed };
  }
}
