/**
 * When Bulk Data reports are due (TR-181 `Profile.{i}.ReportingInterval`, `TimeReference`)
 * and how long a failed one waits before its retry (TR-069 Annex N.2.2.1). Pure.
 *
 * TR-181: "Each reporting interval MUST complete at this reference time plus or minus an
 * integer multiple of ReportingInterval"; "If ReportingInterval [or TimeReference] is
 * changed while collection is enabled, the first reporting interval begins immediately";
 * with the Unknown Time (or no absolute time) "the CPE MAY locally choose the time
 * reference": here, the moment the profile (re)started, so reports come every interval
 * from then.
 *
 * @module
 */

import { retryDelay } from "../../session/retry_delay.ts";
import type { RetryPolicy } from "./transport.ts";

/**
 * The first report time strictly after `now` (ms) for intervals of `intervalMs` that
 * complete at `reference` + k·interval (`reference` undefined: at `startedAt` + k·interval).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextReportAt } from "./schedule.ts";
 * assert.equal(nextReportAt(1_000, 60_000, 0), 60_000); // the next minute boundary
 * ```
 */
export function nextReportAt(
  now: number,
  intervalMs: number,
  reference: number | undefined,
  startedAt = now,
): number {
  const phase = reference ?? startedAt;
  const k = Math.floor((now - phase) / intervalMs) + 1;
  return phase + k * intervalMs;
}

/**
 * The wait (ms) before the `attempt`-th retry (1-based) of a failed report: a random
 * point in [m·(k/1000)^(n−1), m·(k/1000)^n] s, n capped at 10 (Annex N.2.2.1, the same
 * rule as TR-069 §3.2.1.1 session retries).
 */
export function retryWaitMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  return 1000 * retryDelay(attempt, {
    minWaitSeconds: policy.minimumWait,
    multiplierPermille: policy.multiplier,
  }, random);
}
