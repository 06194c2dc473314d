/**
 * Opening and closing sessions, and raising events between them (TR-069 §3.2.1.1, §3.7.1.4;
 * CWMP-FACTS §2.3, §3). Helpers for the handlers in `scheduler.ts` and `exchange.ts`.
 *
 * @module
 */

import { addEvent, addEvents, EventCode, hasEvent, retainAfterFailure } from "./event_queue.ts";
import type { EventStruct } from "../soap/messages.ts";
import { retryDelay } from "./retry_delay.ts";
import { emptySnapshot } from "./snapshot.ts";
import { namespaceForVersion } from "./version.ts";
import { maybeStartTransfer } from "./transfers.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { type Context, sessionOf } from "./_context.ts";

/**
 * Raises `0 BOOTSTRAP` when the ACS URL differs from the last one contacted successfully and
 * no BOOTSTRAP is pending yet. BOOTSTRAP discards the other pending events (FACTS §2.3) and,
 * our choice ([U]), the queued CPE requests: they answer the old ACS.
 */
export function checkBootstrap(ctx: Context): boolean {
  const p = ctx.s.persisted;
  if (ctx.s.settings.acsUrl === p.lastAcsUrl) return false;
  if (hasEvent(p.pendingEvents, EventCode.Bootstrap)) return false;
  p.pendingEvents = addEvent(p.pendingEvents, { eventCode: EventCode.Bootstrap, commandKey: "" });
  p.queuedRequests = [];
  p.transfers = p.transfers.filter((t) => t.state !== 3); // their reports went with them
  return true;
}

/**
 * Starts a session when one is due: from `idle` whenever events are pending, from
 * `retryWait` only when `newEvent` (a new event cuts the retry wait short, FACTS §2.3;
 * RetryCount is kept). Never while EnableCWMP is false.
 */
export function kick(ctx: Context, newEvent: boolean): void {
  if (!ctx.s.settings.enableCwmp) return;
  if (ctx.s.phase === "idle") {
    checkBootstrap(ctx);
    if (ctx.s.persisted.pendingEvents.length > 0) beginSession(ctx);
  } else if (ctx.s.phase === "retryWait" && newEvent) {
    beginSession(ctx);
  }
}

/** Queues events; between sessions this starts a session (or cuts a retry wait short). */
export function raise(ctx: Context, events: readonly EventStruct[]): void {
  if (events.length === 0) return;
  ctx.s.persisted.pendingEvents = addEvents(ctx.s.persisted.pendingEvents, events);
  kick(ctx, true);
}

/** Opens a session: moves the pending events in flight and asks for the Inform data. */
export function beginSession(ctx: Context): void {
  checkBootstrap(ctx);
  const { s, now } = ctx;
  const number = s.sessionCount + 1;
  const timeout = s.settings.sessionTimeoutSeconds;
  s.sessionCount = number;
  s.retryAt = undefined;
  s.session = {
    number,
    acsUrl: s.settings.acsUrl,
    deadline: timeout > 0 ? now + timeout * 1000 : undefined,
    inFlightEvents: s.persisted.pendingEvents,
    // Requests queued from here on wait for the next session: their events missed this Inform.
    eligibleRequests: s.persisted.queuedRequests.length,
    namespace: namespaceForVersion(s.settings.cwmpVersion),
    holdRequests: false,
    emptyPostSent: false,
  };
  s.persisted.pendingEvents = [];
  s.phase = "collecting";
  ctx.actions.push({ kind: "collectInform", session: number, events: s.session.inFlightEvents });
}

/**
 * Closes the session. Success drops the delivered events, resets RetryCount and records the
 * URL; failure keeps the events (minus CONNECTION REQUEST), counts the attempt and schedules
 * the retry. A Reboot/FactoryReset whose response was sent is carried out either way: the
 * ACS has (most likely) seen the response, and GenieACS marks the task done on it.
 */
export function endSession(ctx: Context, outcome: "success" | "failure", reason?: string): void {
  const session = sessionOf(ctx);
  const { s, now } = ctx;
  const p = s.persisted;
  if (session.heartbeat !== undefined) {
    endHeartbeat(ctx, outcome, reason);
    return;
  }
  if (outcome === "success") {
    p.lastAcsUrl = session.acsUrl;
    p.retryCount = 0;
  } else {
    p.pendingEvents = retainAfterFailure(session.inFlightEvents, p.pendingEvents);
    p.retryCount += 1;
    const options = {
      minWaitSeconds: s.settings.retryMinimumWaitInterval,
      multiplierPermille: s.settings.retryIntervalMultiplier,
    };
    s.retryAt = now + Math.round(retryDelay(p.retryCount, options, s.random) * 1000);
  }
  pushClose(ctx, outcome, reason);
  if (session.factoryReset) {
    // The flag stays until the agent has wiped the state (it then deletes the snapshot):
    // a crash in between repeats the reset at the next start.
    s.persisted = { ...emptySnapshot(), factoryResetPending: true };
    s.retryAt = undefined;
    s.phase = "halted";
    ctx.actions.push({ kind: "factoryReset" });
  } else if (session.rebootCommandKey !== undefined) {
    // Pending until the command has run: a crash before then repeats it at the next
    // start in the same boot; the boot id tells a reboot that happened from one that did not.
    p.rebootCommandKey = session.rebootCommandKey;
    p.rebootPending = session.rebootCommandKey;
    if (s.bootId !== undefined) p.rebootBootId = s.bootId;
    else delete p.rebootBootId;
    s.retryAt = undefined;
    s.phase = "halted";
    ctx.actions.push({ kind: "reboot", commandKey: session.rebootCommandKey });
  } else if (session.rebootForTransfer === true) {
    s.retryAt = undefined;
    s.phase = "halted";
    ctx.actions.push({ kind: "reboot", commandKey: "" });
    return;
  } else if (outcome === "success") {
    s.phase = "idle";
    if (!startHeartbeat(ctx)) kick(ctx, false);
  } else if (p.pendingEvents.length === 0 && p.queuedRequests.length === 0) {
    // [U] Nothing left to deliver (e.g. only `6 CONNECTION REQUEST`, which is not
    // retried): an Inform with no event would tell the ACS nothing, so wait for the next
    // event instead of retrying. RetryCount still counts this failure.
    s.retryAt = undefined;
    s.phase = "idle";
    startHeartbeat(ctx);
  } else {
    s.phase = "retryWait";
    startHeartbeat(ctx);
  }
  // Transfers the session queued (or that waited for it to end) start now.
  maybeStartTransfer(ctx);
}

/** Ends the session as failed with a sentence-case reason. */
export function failSession(ctx: Context, reason: string): void {
  endSession(ctx, "failure", reason);
}

/**
 * Closes a heartbeat session (`heartbeat.ts`): nothing pending changes, RetryCount neither;
 * a retry wait it interrupted goes on, else the pending events (raised meanwhile) go now.
 */
function endHeartbeat(ctx: Context, outcome: "success" | "failure", reason?: string): void {
  const session = sessionOf(ctx);
  const { s } = ctx;
  if (outcome === "success") s.persisted.lastAcsUrl = session.acsUrl;
  pushClose(ctx, outcome, reason);
  if (session.heartbeat?.resumeRetry === true && s.retryAt !== undefined) {
    s.phase = "retryWait";
    if (s.retryAt <= ctx.now) kick(ctx, true);
  } else {
    s.phase = "idle";
    kick(ctx, false);
  }
  maybeStartTransfer(ctx);
}

/** Emits the `close` action of the open session and forgets the session. */
function pushClose(ctx: Context, outcome: "success" | "failure", reason?: string): void {
  const session = sessionOf(ctx);
  ctx.actions.push({
    kind: "close",
    session: session.number,
    outcome,
    ...(reason === undefined ? {} : { reason }),
    deliveredEvents: outcome === "success" ? session.inFlightEvents : [],
  });
  ctx.s.session = undefined;
}
