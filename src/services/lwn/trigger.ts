/**
 * When passive lightweight notifications go out (TR-181
 * ManagementServer.LightweightNotificationTriggerInterval/TriggerTime; TR-069 Annex M):
 * at TriggerTime ± an integer multiple of the interval, with the same phase rules as
 * PeriodicInformTime. An interval of 0 turns the trigger off (passive ones then wait for
 * an active one). Unknown Time, or a relative time (year < 1000, TR-106), gives no phase:
 * the sender uses its own reference (its start).
 *
 * @module
 */

/**
 * The absolute reference of `triggerTime` in ms, or undefined for Unknown Time, a relative
 * time or text that is not a dateTime.
 */
export function triggerReference(triggerTime: string): number | undefined {
  const ms = Date.parse(triggerTime);
  if (!Number.isFinite(ms) || new Date(ms).getUTCFullYear() < 1000) return undefined;
  return ms;
}

/**
 * The first instant strictly after `now` (ms) on the grid `reference + i · interval`
 * (i any integer), or undefined when `intervalSeconds` is 0 (the trigger is off).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextLwnTrigger } from "./trigger.ts";
 * const ref = Date.parse("2030-01-01T00:00:00Z");
 * const now = Date.parse("2026-01-05T13:00:10Z");
 * assert.equal(nextLwnTrigger(now, 60, ref), Date.parse("2026-01-05T13:01:00Z"));
 * assert.equal(nextLwnTrigger(now, 0, ref), undefined);
 * ```
 */
export function nextLwnTrigger(
  now: number,
  intervalSeconds: number,
  reference: number,
): number | undefined {
  if (!(intervalSeconds > 0)) return undefined;
  const interval = intervalSeconds * 1000;
  const offset = (((now - reference) % interval) + interval) % interval;
  return now - offset + interval;
}
