/**
 * The session engine's transition table: every (phase, event) pair the engine reacts to, the
 * phases it may move to, and the handler that does the work. TR-069 §3.2 (sessions), §3.4
 * (HTTP binding), §3.7.1.4–3.7.1.5 (session end, events), §3.2.1.1 (retry).
 *
 * Rules:
 * 1. One row per (phase, event kind). A pair with no row is ignored: same state, no
 *    actions (e.g. `addEvent` after a reboot was ordered, or `transportError` while
 *    dispatching).
 * 2. An in-session event whose `session` number is not the open session's is stale and
 *    ignored (the answer to a session that already failed on its deadline).
 * 3. A handler may only leave the engine in one of its row's `to` phases; `step()` throws
 *    otherwise, since that is a bug in the engine, not in the ACS.
 * 4. Handlers never do I/O. `step()` prepends a `persist` action whenever the persisted
 *    snapshot changed, so the agent writes it before acting on anything else, and returns
 *    `wakeAt` as the earliest of the periodic, ScheduleInform, retry and deadline timers.
 * 5. One session at a time and one HTTP request in flight: a new session opens only from
 *    `idle` or `retryWait`; events raised during a session wait for the next one, which
 *    opens right after a successful end.
 *
 * ```text
 *               start
 *   stopped ────────────► idle ◄─────────────────────────────────────────────┐
 *                          │ events pending                                  │ success
 *                          ▼                                                 │ (→ collecting
 *   retryWait ─────────► collecting                                          │  if events are
 *      ▲   new event or    │ informData: POST Inform                         │  pending)
 *      │   retry timer     ▼                                                 │
 *      │               informing ──InformResponse──► next POST               │
 *      │                                               │                     │
 *      │        ┌──── queued request & !HoldRequests ──┤                     │
 *      │        ▼                                      ▼ otherwise           │
 *      │    requesting ──response──► next POST      awaitingAcs ── 204 & empty POST sent
 *      │     │  ▲                                    │  ▲          & nothing queued ──┘
 *      │     └──┘ 8005: resend           ACS request │  │ rpcResult: POST response
 *      │                                             ▼  │ (codec rejection: POST fault)
 *      │                                          dispatching
 *      │
 *      └── failure from any session phase: ACS fault, protocol error, transport error,
 *          deadline
 *
 *   session end after a RebootResponse or FactoryResetResponse ──► halted
 *   start with a Reboot or FactoryReset acknowledged but not carried out ──► halted
 *   halted ── rebootCommandDone, not ok (the device did not reboot) ──► idle / collecting
 * ```
 *
 * @module
 */

import type { EventOf, SessionEvent, SessionEventKind } from "./events.ts";
import type { Context } from "./_context.ts";
import { type Phase, SESSION_PHASES } from "./states.ts";
import {
  onAddEvent,
  onConnectionRequest,
  onRebootCommandDone,
  onSettingsChanged,
  onStart,
  onTimerFired,
} from "./scheduler.ts";
import {
  onAcsRequestRejected,
  onAcsTurn,
  onInformData,
  onInformReply,
  onRequestReply,
  onRpcResult,
  onTransportError,
  onUnexpectedRejection,
} from "./exchange.ts";
import { onTransferDone } from "./transfers.ts";

/** One row of {@linkcode TRANSITIONS}. */
export interface Transition {
  from: readonly Phase[];
  on: SessionEventKind;
  to: readonly Phase[];
  run: (ctx: Context, event: SessionEvent) => void;
}

function row<K extends SessionEventKind>(
  from: readonly Phase[],
  on: K,
  to: readonly Phase[],
  run: (ctx: Context, event: EventOf<K>) => void,
): Transition {
  return { from, on, to, run: run as (ctx: Context, event: SessionEvent) => void };
}

const RUNNING: readonly Phase[] = ["idle", "retryWait", ...SESSION_PHASES];
/** Where a session can go when it ends: back to the scheduler, or halted for an effect. */
const ENDED: readonly Phase[] = ["idle", "collecting", "retryWait", "halted"];

/** The transition table. */
export const TRANSITIONS: readonly Transition[] = [
  row(["stopped"], "start", ["idle", "collecting", "halted"], onStart),
  row(["halted"], "rebootCommandDone", ["halted", "idle", "collecting"], onRebootCommandDone),
  row(RUNNING, "transferDone", [...RUNNING, "halted"], onTransferDone),
  row(["stopped"], "settingsChanged", ["stopped"], onSettingsChanged),
  row(RUNNING, "settingsChanged", RUNNING, onSettingsChanged),
  row(RUNNING, "timerFired", [...RUNNING, "halted"], onTimerFired),
  row(RUNNING, "connectionRequest", RUNNING, onConnectionRequest),
  row(RUNNING, "addEvent", RUNNING, onAddEvent),
  row(["collecting"], "informData", ["informing"], onInformData),
  row(["informing"], "acsMessage", ["requesting", "awaitingAcs", ...ENDED], onInformReply),
  row(["requesting"], "acsMessage", ["requesting", "awaitingAcs", ...ENDED], onRequestReply),
  row(["awaitingAcs"], "acsMessage", [
    "dispatching",
    "requesting",
    "awaitingAcs",
    ...ENDED,
  ], onAcsTurn),
  row(["dispatching"], "rpcResult", ["awaitingAcs"], onRpcResult),
  row(["awaitingAcs"], "acsRequestRejected", ["awaitingAcs"], onAcsRequestRejected),
  row(["informing", "requesting"], "acsRequestRejected", ENDED, onUnexpectedRejection),
  row(["informing", "requesting", "awaitingAcs"], "transportError", ENDED, onTransportError),
];

/** The row for (phase, event kind), if any. */
export function findTransition(phase: Phase, kind: SessionEventKind): Transition | undefined {
  return TRANSITIONS.find((t) => t.on === kind && t.from.includes(phase));
}
