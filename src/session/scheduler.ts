/**
 * Handlers for the events that arrive between sessions or at any time: start-up, timers,
 * settings, Connection Requests, raised events (TR-069 §3.2, §3.7.1.5; CWMP-FACTS §2, §4.2–4.4).
 *
 * @module
 */

import type { EventStruct } from "../soap/messages.ts";
import { addEvent, EventCode, eventStruct, retainAtReboot } from "./event_queue.ts";
import type { EventOf } from "./events.ts";
import { checkBootstrap, failSession, kick, raise } from "./lifecycle.ts";
import { emptySnapshot } from "./snapshot.ts";
import { failAfterBoot, maybeStartTransfer, resumeTransfers } from "./transfers.ts";
import { nextPeriodicInform } from "./periodic.ts";
import { fireHeartbeat, scheduleHeartbeat } from "./heartbeat.ts";
import type { Context } from "./_context.ts";

function schedulePeriodic(ctx: Context): void {
  const { settings, startedAt } = ctx.s;
  if (!settings.periodicInformEnable || startedAt === undefined) {
    ctx.s.nextPeriodicAt = undefined;
    return;
  }
  // Unknown Time: the CPE picks the phase; we use the start time (FACTS §4.2).
  const reference = settings.periodicInformTime ?? startedAt;
  ctx.s.nextPeriodicAt = nextPeriodicInform(ctx.now, settings.periodicInformInterval, reference);
}

/**
 * `start`: a (re)start of the agent, which counts as a reboot for event retention. Raises
 * `0 BOOTSTRAP` when the URL was never contacted successfully (new or factory-reset device,
 * or a changed URL), then `1 BOOT`, then `M Reboot` if our own Reboot caused the restart.
 * RetryCount survives the restart ([U]; the A2 table says "post reboot session retry count").
 * A Reboot or FactoryReset acknowledged before the agent died is carried out at once
 * (`halted`); the next start then informs `M Reboot` / `0 BOOTSTRAP` as usual.
 */
export function onStart(ctx: Context, event: EventOf<"start">): void {
  const p = ctx.s.persisted;
  ctx.s.startedAt = ctx.now;
  ctx.s.bootId = event.bootId;
  if (p.rebootPending !== undefined && p.rebootCommandKey !== undefined) {
    // The reboot command was about to run or running when the agent died. A new boot id
    // (or none known: at most once, never a reboot loop) means it happened.
    const sameBoot = event.bootId !== undefined && event.bootId === p.rebootBootId;
    if (!sameBoot) {
      p.rebootPending = undefined;
      p.rebootBootId = undefined;
    }
  }
  ctx.s.phase = "idle";
  p.pendingEvents = retainAtReboot(p.pendingEvents);
  checkBootstrap(ctx);
  p.pendingEvents = addEvent(p.pendingEvents, eventStruct(EventCode.Boot));
  if (p.rebootCommandKey !== undefined && p.rebootPending === undefined) {
    p.pendingEvents = addEvent(p.pendingEvents, eventStruct(EventCode.MReboot, p.rebootCommandKey));
    p.rebootCommandKey = undefined;
    p.rebootBootId = undefined;
  }
  // An order the ACS saw acknowledged before the agent died: carry it out now.
  if (p.factoryResetPending === true) {
    ctx.s.persisted = { ...emptySnapshot(), factoryResetPending: true };
    ctx.s.phase = "halted";
    ctx.actions.push({ kind: "factoryReset" });
    return;
  }
  if (p.rebootPending !== undefined) {
    p.rebootCommandKey = p.rebootPending;
    if (event.bootId !== undefined) p.rebootBootId = event.bootId;
    ctx.s.phase = "halted";
    ctx.actions.push({ kind: "reboot", commandKey: p.rebootCommandKey });
    return;
  }
  resumeTransfers(ctx, event.softwareVersion);
  schedulePeriodic(ctx);
  scheduleHeartbeat(ctx);
  fireDueTimers(ctx);
  kick(ctx, false);
  maybeStartTransfer(ctx);
}

/**
 * `rebootCommandDone` while halted: the reboot command ran. `ok` (exit 0): the reboot is
 * under way; the engine stays halted until the system takes the agent down, and the next
 * start informs `M Reboot`. Not `ok` (the command failed, or the system was still up long
 * after it): the device did not reboot. No `M Reboot` will claim it did (TR-069 Table 7:
 * it reports a reboot *caused by* the Reboot method), no `1 BOOT` is raised and no later
 * start retries it; the engine carries on as before the order (our choice [U]: the ACS
 * was answered RebootResponse, so there is no fault to send; the operator sees the log
 * line and `status`). Firmware waiting for that boot is reported now as not running (9010).
 */
export function onRebootCommandDone(ctx: Context, event: EventOf<"rebootCommandDone">): void {
  const p = ctx.s.persisted;
  p.rebootPending = undefined;
  p.rebootBootId = undefined;
  if (event.ok) return;
  p.rebootCommandKey = undefined;
  ctx.s.phase = "idle";
  failAfterBoot(ctx);
  schedulePeriodic(ctx);
  scheduleHeartbeat(ctx);
  fireDueTimers(ctx);
  kick(ctx, false);
  maybeStartTransfer(ctx);
}

function fireDueTimers(ctx: Context): void {
  const { s, now } = ctx;
  const due: EventStruct[] = [];
  if (s.nextPeriodicAt !== undefined && s.nextPeriodicAt <= now) {
    due.push(eventStruct(EventCode.Periodic));
    schedulePeriodic(ctx);
  }
  const fired = s.persisted.scheduledInforms.filter((x) => x.at <= now).sort((a, b) => a.at - b.at);
  if (fired.length > 0) {
    s.persisted.scheduledInforms = s.persisted.scheduledInforms.filter((x) => x.at > now);
    due.push(eventStruct(EventCode.Scheduled));
    for (const x of fired) due.push(eventStruct(EventCode.MScheduleInform, x.commandKey));
  }
  raise(ctx, due);
  fireHeartbeat(ctx);
}

/**
 * `timerFired`: fails a session past its deadline, raises `2 PERIODIC` and due
 * `3 SCHEDULED` + `M ScheduleInform`, starts a due heartbeat, and starts a retry whose wait
 * is over.
 */
export function onTimerFired(ctx: Context): void {
  const { s, now } = ctx;
  const deadline = s.session?.deadline;
  if (deadline !== undefined && deadline <= now) {
    failSession(ctx, `Session exceeded its deadline of "${s.settings.sessionTimeoutSeconds}" s`);
  }
  fireDueTimers(ctx);
  if (s.phase === "retryWait" && s.retryAt !== undefined && s.retryAt <= now) kick(ctx, true);
  maybeStartTransfer(ctx);
}

/**
 * `settingsChanged`: re-phases the periodic timer; a new URL raises BOOTSTRAP (now or after
 * the session); EnableCWMP turned back on sends what queued up meanwhile.
 */
export function onSettingsChanged(ctx: Context, event: EventOf<"settingsChanged">): void {
  const before = ctx.s.settings;
  const wasEnabled = before.enableCwmp;
  ctx.s.settings = { ...ctx.s.settings, ...event.settings };
  if (ctx.s.phase === "stopped") return;
  schedulePeriodic(ctx);
  const after = ctx.s.settings;
  if (
    after.heartbeatEnable !== before.heartbeatEnable ||
    after.heartbeatInterval !== before.heartbeatInterval ||
    after.heartbeatInitiationTime !== before.heartbeatInitiationTime
  ) {
    ctx.s.heartbeatReference = undefined; // a new random phase for a new policy
    if (!after.heartbeatEnable) ctx.s.heartbeatDue = false;
    scheduleHeartbeat(ctx);
  }
  if (ctx.s.phase === "idle" || ctx.s.phase === "retryWait") {
    const reenabled = !wasEnabled && ctx.s.settings.enableCwmp;
    // A retry wait is for an ACS that could not be reached; a new URL (DHCP supplying one
    // to an agent that had none, with BOOTSTRAP already pending) is tried at once.
    const newUrl = after.acsUrl !== before.acsUrl;
    if (checkBootstrap(ctx) || reenabled || newUrl) kick(ctx, true);
  }
}

/**
 * `connectionRequest`: raises `6 CONNECTION REQUEST`. During a session it waits in the queue
 * and opens one more session right after this one (never two at once, FACTS §7.1).
 */
export function onConnectionRequest(ctx: Context): void {
  raise(ctx, [eventStruct(EventCode.ConnectionRequest)]);
}

/** `addEvent`: queues the events (and the CPE request, if any) and starts a session if idle. */
export function onAddEvent(ctx: Context, event: EventOf<"addEvent">): void {
  if (event.request) {
    ctx.s.persisted.queuedRequests = [...ctx.s.persisted.queuedRequests, event.request];
  }
  raise(ctx, event.events);
}
