/**
 * DefaultActiveNotificationThrottle (TR-181 ManagementServer, CWMP-FACTS §5.1): a session
 * opened only to deliver active notifications waits until this many seconds after the
 * end of the last successful session. Sessions opened for any other reason (retries
 * included) are not delayed and carry the pending notifications. The last end need not
 * survive a reboot. Times are in ms, like the session engine's `now`.
 *
 * @module
 */

/**
 * Earliest time a session opened only for active notifications may start.
 *
 * @example
 * ```ts
 * import { nextActiveAllowedAt } from "./throttle.ts";
 * nextActiveAllowedAt(10_000, 30); // 40_000
 * nextActiveAllowedAt(undefined, 30); // -Infinity: no session ended since boot
 * ```
 */
export function nextActiveAllowedAt(
  lastSuccessEnd: number | undefined,
  throttleSeconds: number,
): number {
  if (lastSuccessEnd === undefined) return -Infinity;
  return lastSuccessEnd + Math.max(0, throttleSeconds) * 1000;
}

/** When to raise `4 VALUE CHANGE` for pending active notifications: `now` or the throttle's end. */
export function activeNotificationAt(
  now: number,
  lastSuccessEnd: number | undefined,
  throttleSeconds: number,
): number {
  return Math.max(now, nextActiveAllowedAt(lastSuccessEnd, throttleSeconds));
}
