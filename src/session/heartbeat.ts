/**
 * Heartbeat sessions (TR-069 Annex O, CWMP 1.4 Amendment 6; TR-181
 * ManagementServer.HeartbeatPolicy; CWMP-FACTS §7.6). While HeartbeatPolicy.Enable is true
 * the CPE opens a session every ReportingInterval (≥ 30 s) seconds, phased by
 * InitiationTime like PeriodicInformTime; under Unknown Time the reference is random
 * (TR-181: the CPE MUST pick a random one), drawn once per setting.
 *
 * The rules Annex O leaves to us ([U] in CWMP-FACTS, chosen to keep a heartbeat what it is
 * for, a cheap liveness signal the ACS can count on):
 * - The Inform carries `14 HEARTBEAT` alone: no other pending event, no changed
 *   parameter (VALUE CHANGE waits for its own session), only the forced-inform list.
 * - The CPE sends no request in it (TransferComplete and the like wait), then its empty
 *   POST; the ACS's requests, if it sends any anyway, are answered as in any session.
 * - A heartbeat due while another session runs goes right after it; due again before
 *   then, it is still one heartbeat.
 * - A failed heartbeat is not retried and does not count in RetryCount: the next one comes
 *   at its time; the events that were pending keep their own retry.
 * - Nothing of it is persisted: after a restart the next heartbeat is one interval away.
 *
 * @module
 */

import { EventCode, eventStruct } from "./event_queue.ts";
import { nextPeriodicInform } from "./periodic.ts";
import { namespaceForVersion } from "./version.ts";
import type { Context } from "./_context.ts";

/** Schedules the next heartbeat from the settings (none while disabled). */
export function scheduleHeartbeat(ctx: Context): void {
  const { s } = ctx;
  const { heartbeatEnable, heartbeatInterval = 30, heartbeatInitiationTime } = s.settings;
  if (heartbeatEnable !== true || !(heartbeatInterval >= 30) || s.startedAt === undefined) {
    s.nextHeartbeatAt = undefined;
    s.heartbeatReference = undefined;
    return;
  }
  let reference = heartbeatInitiationTime;
  if (reference === undefined) {
    s.heartbeatReference ??= ctx.now + Math.floor(s.random() * heartbeatInterval * 1000);
    reference = s.heartbeatReference;
  } else {
    s.heartbeatReference = undefined;
  }
  s.nextHeartbeatAt = nextPeriodicInform(ctx.now, heartbeatInterval, reference);
}

/** The heartbeat timer is due: start it now or after the running session. */
export function fireHeartbeat(ctx: Context): void {
  const { s } = ctx;
  if (s.nextHeartbeatAt === undefined || s.nextHeartbeatAt > ctx.now) return;
  scheduleHeartbeat(ctx);
  s.heartbeatDue = true;
  startHeartbeat(ctx);
}

/**
 * Opens the heartbeat session when one is due and no session runs (from `idle` or
 * `retryWait`); true when it did.
 */
export function startHeartbeat(ctx: Context): boolean {
  const { s, now } = ctx;
  if (!s.heartbeatDue || !s.settings.enableCwmp) return false;
  if (s.phase !== "idle" && s.phase !== "retryWait") return false;
  s.heartbeatDue = false;
  const number = s.sessionCount + 1;
  const timeout = s.settings.sessionTimeoutSeconds;
  s.sessionCount = number;
  // A retry wait in progress is left alone: its timer still runs and fires after this.
  s.session = {
    number,
    acsUrl: s.settings.acsUrl,
    deadline: timeout > 0 ? now + timeout * 1000 : undefined,
    inFlightEvents: [eventStruct(EventCode.Heartbeat)],
    eligibleRequests: 0,
    namespace: namespaceForVersion(s.settings.cwmpVersion),
    holdRequests: false,
    emptyPostSent: false,
    heartbeat: { resumeRetry: s.phase === "retryWait" },
  };
  s.phase = "collecting";
  ctx.actions.push({ kind: "collectInform", session: number, events: s.session.inFlightEvents });
  return true;
}
