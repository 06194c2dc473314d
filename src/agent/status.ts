/**
 * `cwmp-agent status`: what the running agent reports about itself, like icwmp's
 * `ubus call tr069 status`: up since, ACS URL, the last session and its result, the next
 * session and why, the retry count, pending events, the ConnectionRequestURL and the
 * transfers waiting. Pure: built from the engine's state and what the agent recorded.
 *
 * @module
 */

import { maskUrl } from "../log/mod.ts";
import { SESSION_PHASES, type SessionState } from "../session/mod.ts";

/** The last session that ended. */
export interface LastSession {
  /** ISO 8601 times. */
  start: string;
  end: string;
  result: "ok" | "failed";
  /** Why it failed. */
  reason?: string;
}

/** Why the next session opens. */
export type NextSessionReason =
  | "retry"
  | "periodic"
  | "scheduled"
  | "pending events"
  | "after the current session";

/** What `status` answers (one JSON object; times in ISO 8601, UTC). */
export interface AgentStatus {
  pid: number;
  upSince: string;
  /** The ACS URL in use, credentials masked. */
  acsUrl: string;
  /** ManagementServer.EnableCWMP: false → no session opens. */
  enableCwmp: boolean;
  /** `idle`, `session` (one is open), `retryWait` or `halted` (a reboot or reset ordered). */
  state: "idle" | "session" | "retryWait" | "halted";
  /** The open session's events. */
  currentSession?: { start: string; events: string[] };
  lastSession?: LastSession;
  /** Absent when nothing is due (periodic Informs off, nothing pending, or CWMP disabled). */
  nextSession?: { at: string; why: NextSessionReason };
  /** Failed sessions since the last success (the Inform's RetryCount). */
  retryCount: number;
  /** Events waiting for the next session (not those of the open one). */
  pendingEvents: string[];
  periodicInform: { enable: boolean; interval: number };
  /** ManagementServer.ConnectionRequestURL ("" while HTTP connection requests are off). */
  connectionRequestUrl: string;
  /** Downloads/uploads queued or running (completed ones awaiting the ACS not counted). */
  pendingTransfers: number;
  /** CPE requests (TransferComplete, RequestDownload…) waiting for the ACS. */
  pendingRequests: number;
}

/** What the agent knows beyond the engine's state. */
export interface StatusInputs {
  state: SessionState;
  pid: number;
  /** ms since the epoch. */
  startedAt: number;
  now: number;
  connectionRequestUrl: string;
  lastSession?: LastSession;
  /** Start of the open session, ms since the epoch. */
  sessionStartedAt?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The next session and why, or undefined when none is due. The earliest of the retry,
 * the periodic Inform and the ScheduleInforms wins.
 */
export function nextSessionOf(
  state: SessionState,
  now: number,
): { at: number; why: NextSessionReason } | undefined {
  if (!state.settings.enableCwmp || state.phase === "halted" || state.phase === "stopped") {
    return undefined;
  }
  if (SESSION_PHASES.includes(state.phase)) {
    const more = state.persisted.pendingEvents.length > 0;
    return more ? { at: now, why: "after the current session" } : undefined;
  }
  const candidates: { at: number; why: NextSessionReason }[] = [];
  if (state.phase === "retryWait" && state.retryAt !== undefined) {
    candidates.push({ at: state.retryAt, why: "retry" });
  }
  if (state.nextPeriodicAt !== undefined) {
    candidates.push({ at: state.nextPeriodicAt, why: "periodic" });
  }
  for (const s of state.persisted.scheduledInforms) candidates.push({ at: s.at, why: "scheduled" });
  return candidates.sort((a, b) => a.at - b.at)[0];
}

/** Builds the `status` answer. */
export function agentStatus(inputs: StatusInputs): AgentStatus {
  const { state } = inputs;
  const inSession = SESSION_PHASES.includes(state.phase);
  const next = nextSessionOf(state, inputs.now);
  const p = state.persisted;
  return {
    pid: inputs.pid,
    upSince: iso(inputs.startedAt),
    acsUrl: maskUrl(state.settings.acsUrl),
    enableCwmp: state.settings.enableCwmp,
    state: inSession
      ? "session"
      : state.phase === "retryWait" || state.phase === "halted"
      ? state.phase
      : "idle",
    ...(inSession && state.session
      ? {
        currentSession: {
          start: iso(inputs.sessionStartedAt ?? inputs.now),
          events: state.session.inFlightEvents.map((e) => e.eventCode),
        },
      }
      : {}),
    ...(inputs.lastSession ? { lastSession: inputs.lastSession } : {}),
    ...(next ? { nextSession: { at: iso(next.at), why: next.why } } : {}),
    retryCount: p.retryCount,
    pendingEvents: p.pendingEvents.map((e) => e.eventCode),
    periodicInform: {
      enable: state.settings.periodicInformEnable,
      interval: state.settings.periodicInformInterval,
    },
    connectionRequestUrl: inputs.connectionRequestUrl,
    pendingTransfers: p.transfers.filter((t) => t.state !== 3).length,
    pendingRequests: p.queuedRequests.length,
  };
}
