/**
 * Pending Inform events and their rules (TR-069 §3.7.1.5; CWMP-FACTS §2.2, §2.3).
 *
 * - Single codes (`0 BOOTSTRAP` … `14 HEARTBEAT`, vendor `X <OUI> …`) appear at most once.
 * - Multiple codes (`M …`) get one EventStruct per occurrence, even with equal CommandKeys.
 * - Raising `0 BOOTSTRAP` discards every other undelivered event (§2.3).
 * - After a failed session: keep everything except `6 CONNECTION REQUEST` (never retried).
 * - At reboot: drop `1 BOOT`, `4 VALUE CHANGE`, `8 DIAGNOSTICS COMPLETE` and
 *   `6 CONNECTION REQUEST`; keep the rest. The per-code classes are [U] in A5/A6; we use
 *   icwmp's table (FACTS §2.2), which GenieACS accepts.
 *
 * Every function returns a new array; none mutates its input.
 *
 * @module
 */

import type { EventStruct } from "../soap/messages.ts";

/** The event codes of TR-069 §3.7.1.5 that the engine raises itself or names in rules. */
export const EventCode = {
  Bootstrap: "0 BOOTSTRAP",
  Boot: "1 BOOT",
  Periodic: "2 PERIODIC",
  Scheduled: "3 SCHEDULED",
  ValueChange: "4 VALUE CHANGE",
  Kicked: "5 KICKED",
  ConnectionRequest: "6 CONNECTION REQUEST",
  TransferComplete: "7 TRANSFER COMPLETE",
  DiagnosticsComplete: "8 DIAGNOSTICS COMPLETE",
  RequestDownload: "9 REQUEST DOWNLOAD",
  AutonomousTransferComplete: "10 AUTONOMOUS TRANSFER COMPLETE",
  DuStateChangeComplete: "11 DU STATE CHANGE COMPLETE",
  AutonomousDuStateChangeComplete: "12 AUTONOMOUS DU STATE CHANGE COMPLETE",
  Wakeup: "13 WAKEUP",
  Heartbeat: "14 HEARTBEAT",
  MReboot: "M Reboot",
  MScheduleInform: "M ScheduleInform",
  MDownload: "M Download",
  MScheduleDownload: "M ScheduleDownload",
  MUpload: "M Upload",
  MChangeDUState: "M ChangeDUState",
} as const;

/** Codes dropped when the device (re)starts (FACTS §2.2 "dropped at reboot", icwmp [I]). */
const DROPPED_AT_REBOOT: ReadonlySet<string> = new Set([
  EventCode.Boot,
  EventCode.ValueChange,
  EventCode.DiagnosticsComplete,
  EventCode.ConnectionRequest,
]);

/** Builds an EventStruct; numbered events carry an empty CommandKey ([U], what everyone sends). */
export function eventStruct(eventCode: string, commandKey = ""): EventStruct {
  return { eventCode, commandKey };
}

/** True for codes that get one EventStruct per occurrence (`M Reboot`, `M X_…`). */
export function isMultipleEvent(eventCode: string): boolean {
  return eventCode.startsWith("M ");
}

/**
 * Adds one event to a queue under the single/multiple and BOOTSTRAP rules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addEvent, eventStruct } from "./event_queue.ts";
 * const q = addEvent([eventStruct("2 PERIODIC")], eventStruct("2 PERIODIC"));
 * assert.equal(q.length, 1);
 * ```
 */
export function addEvent(queue: readonly EventStruct[], event: EventStruct): EventStruct[] {
  const copy = { eventCode: event.eventCode, commandKey: event.commandKey };
  if (event.eventCode === EventCode.Bootstrap) return [copy];
  if (isMultipleEvent(event.eventCode)) return [...queue, copy];
  if (queue.some((e) => e.eventCode === event.eventCode)) return [...queue];
  return [...queue, copy];
}

/** Adds several events in order with {@linkcode addEvent}. */
export function addEvents(
  queue: readonly EventStruct[],
  events: readonly EventStruct[],
): EventStruct[] {
  return events.reduce<EventStruct[]>((q, e) => addEvent(q, e), [...queue]);
}

/** True when the queue holds an event with this code. */
export function hasEvent(queue: readonly EventStruct[], eventCode: string): boolean {
  return queue.some((e) => e.eventCode === eventCode);
}

/**
 * The queue to keep after a failed session: the events that were in flight merged with those
 * raised meanwhile, minus every `6 CONNECTION REQUEST` (not retried, FACTS §2.2).
 */
export function retainAfterFailure(
  inFlight: readonly EventStruct[],
  raisedMeanwhile: readonly EventStruct[],
): EventStruct[] {
  return addEvents(inFlight, raisedMeanwhile)
    .filter((e) => e.eventCode !== EventCode.ConnectionRequest);
}

/** The queue to keep across a reboot or restart of the agent (FACTS §2.2 retry column). */
export function retainAtReboot(queue: readonly EventStruct[]): EventStruct[] {
  return queue.filter((e) => !DROPPED_AT_REBOOT.has(e.eventCode));
}

/** The numbered event whose "required response" (TR-069 event table) each CPE request is. */
const REQUEST_EVENT: Readonly<Record<string, string>> = {
  TransferComplete: EventCode.TransferComplete,
  AutonomousTransferComplete: EventCode.AutonomousTransferComplete,
  DUStateChangeComplete: EventCode.DuStateChangeComplete,
  AutonomousDUStateChangeComplete: EventCode.AutonomousDuStateChangeComplete,
  RequestDownload: EventCode.RequestDownload,
};

/** The `M …` events a TransferComplete or DUStateChangeComplete answers, by CommandKey. */
const M_EVENTS: readonly string[] = [
  EventCode.MDownload,
  EventCode.MUpload,
  EventCode.MScheduleDownload,
  EventCode.MChangeDUState,
];

/**
 * The events in flight after the ACS acknowledged `request` (TR-069 §3.7.1.5: an event
 * whose required response is a CPE call is delivered once that call has its response, even
 * if the session fails later): the request's `M …` event with its CommandKey, and its
 * numbered event once no request of the same kind is left in `remaining`.
 */
export function afterAcknowledged(
  inFlight: readonly EventStruct[],
  request: { kind: string; commandKey?: string },
  remaining: readonly { kind: string }[],
): EventStruct[] {
  const numbered = REQUEST_EVENT[request.kind];
  if (numbered === undefined) return [...inFlight];
  const out = [...inFlight];
  if (request.commandKey !== undefined) {
    const i = out.findIndex((e) =>
      M_EVENTS.includes(e.eventCode) && e.commandKey === request.commandKey
    );
    if (i >= 0) out.splice(i, 1);
  }
  if (!remaining.some((r) => r.kind === request.kind)) {
    return out.filter((e) => e.eventCode !== numbered);
  }
  return out;
}
