/**
 * Periodic Inform phase (TR-181 ManagementServer.PeriodicInformTime; CWMP-FACTS §4.2).
 *
 * PeriodicInformTime sets only the phase: Informs fall at reference ± an integer multiple of
 * the interval, whether the reference lies in the past or the future. Unknown Time means the
 * CPE picks its own reference; the engine passes its start time.
 *
 * @module
 */

/**
 * The first instant strictly after `now` (ms) that lies on the grid
 * `referenceTime + i · intervalSeconds` (i any integer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextPeriodicInform } from "./periodic.ts";
 * const now = Date.parse("2026-01-05T13:00:00Z");
 * const ref = Date.parse("2030-01-01T00:00:00Z");
 * assert.equal(nextPeriodicInform(now, 86400, ref), Date.parse("2026-01-06T00:00:00Z"));
 * ```
 */
export function nextPeriodicInform(
  now: number,
  intervalSeconds: number,
  referenceTime: number,
): number {
  if (!(intervalSeconds >= 1)) {
    throw new RangeError(
      `Cannot schedule periodic Inform: interval "${intervalSeconds}" is below 1 s`,
    );
  }
  const interval = intervalSeconds * 1000;
  const offset = (((now - referenceTime) % interval) + interval) % interval;
  return now - offset + interval;
}
