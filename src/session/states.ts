/**
 * The engine's state: settings, the persisted part, the scheduler phase and, during a
 * session, the exchange state. Plain data except the injected `random()`.
 *
 * @module
 */

import type { AcsRequest, CpeRequest, CwmpNamespace, EventStruct } from "../soap/messages.ts";
import type { CwmpVersion } from "./version.ts";
import { emptySnapshot, type SessionSnapshot } from "./snapshot.ts";

/**
 * Where the engine is. Between sessions: `stopped` (before `start`), `idle`, `retryWait`,
 * `halted` (a reboot or factory reset was ordered; nothing more happens). In a session:
 * `collecting` (waiting for Inform data), `informing` (Inform sent), `requesting` (one of the
 * CPE's own requests sent), `awaitingAcs` (a response or empty POST sent), `dispatching` (an
 * ACS request is with the RPC dispatcher). See the diagram in `transitions.ts`.
 */
export type Phase =
  | "stopped"
  | "idle"
  | "retryWait"
  | "collecting"
  | "informing"
  | "requesting"
  | "awaitingAcs"
  | "dispatching"
  | "halted";

/** The phases in which a session is open. */
export const SESSION_PHASES: readonly Phase[] = [
  "collecting",
  "informing",
  "requesting",
  "awaitingAcs",
  "dispatching",
];

/** Run-time settings (TR-181 ManagementServer names where one exists). */
export interface SessionSettings {
  /** ManagementServer.URL. */
  acsUrl: string;
  /**
   * ManagementServer.EnableCWMP: when false no session is opened (TR-181: the CPE MUST NOT
   * send any Inform); events keep queueing and go out once it is true again.
   */
  enableCwmp: boolean;
  /** The CWMP version the CPE is configured for; picks the Inform namespace. */
  cwmpVersion: CwmpVersion;
  /** ManagementServer.PeriodicInformEnable. */
  periodicInformEnable: boolean;
  /** ManagementServer.PeriodicInformInterval in seconds (≥ 1). */
  periodicInformInterval: number;
  /** ManagementServer.PeriodicInformTime in ms since the epoch; `undefined` = Unknown Time. */
  periodicInformTime?: number;
  /** ManagementServer.CWMPRetryMinimumWaitInterval in seconds. */
  retryMinimumWaitInterval: number;
  /** ManagementServer.CWMPRetryIntervalMultiplier in thousandths. */
  retryIntervalMultiplier: number;
  /** Whole-session deadline in seconds, counted from the start of the session; 0 = none. */
  sessionTimeoutSeconds: number;
  /**
   * cwmp:SessionTimeout header of the Inform (CWMP 1.3+, cwmp-1-3.xsd): how long the ACS
   * should wait for the CPE before timing the session out (icwmp `session_timeout`).
   * Undefined = not sent.
   */
  informSessionTimeout?: number;
  /** ManagementServer.HeartbeatPolicy.Enable (TR-069 Annex O); default false. */
  heartbeatEnable?: boolean;
  /** HeartbeatPolicy.ReportingInterval in seconds (≥ 30); default 30. */
  heartbeatInterval?: number;
  /** HeartbeatPolicy.InitiationTime in ms since the epoch; `undefined` = Unknown Time. */
  heartbeatInitiationTime?: number;
}

/** Defaults for everything but the ACS URL. */
export const DEFAULT_SESSION_SETTINGS: Readonly<Omit<SessionSettings, "acsUrl">> = {
  enableCwmp: true,
  cwmpVersion: "1.4",
  periodicInformEnable: true,
  periodicInformInterval: 86400,
  periodicInformTime: undefined,
  retryMinimumWaitInterval: 5,
  retryIntervalMultiplier: 2000,
  sessionTimeoutSeconds: 600,
  heartbeatEnable: false,
  heartbeatInterval: 30,
  heartbeatInitiationTime: undefined,
};

/** State of one open session. */
export interface ActiveSession {
  /** Session number; in-session events must echo it. */
  number: number;
  /** The URL this session talks to (settings may change meanwhile). */
  acsUrl: string;
  /** ms since the epoch after which the session fails; absent = no deadline. */
  deadline?: number;
  /** The events carried by this session's Inform. */
  inFlightEvents: EventStruct[];
  /** How many queued CPE requests (from the front) this session may send. */
  eligibleRequests: number;
  /** The namespace of our next message: configured for the Inform, then the ACS's. */
  namespace: CwmpNamespace;
  /** UseCWMPVersion from the InformResponse, if any. */
  negotiatedVersion?: string;
  /** HoldRequests of the last ACS message. */
  holdRequests: boolean;
  /** True once the CPE has sent an empty POST. */
  emptyPostSent: boolean;
  /** Our request awaiting its response (the Inform or a queued one). */
  outstanding?: { id: string; request: AcsRequest };
  /** The ACS request being dispatched, with its cwmp:ID. */
  acsRequest?: { id?: string; request: CpeRequest };
  /** Set when a RebootResponse was sent. */
  rebootCommandKey?: string;
  /** Set when a FactoryResetResponse was sent. */
  factoryReset?: boolean;
  /** A transfer applied during the session needs a reboot once it ends. */
  rebootForTransfer?: boolean;
  /**
   * A heartbeat session (`heartbeat.ts`); `resumeRetry`: it interrupted a retry wait, which
   * goes on after it.
   */
  heartbeat?: { resumeRetry: boolean };
}

/** The whole engine state that `step()` threads through. */
export interface SessionState {
  phase: Phase;
  settings: SessionSettings;
  /** Persisted data; `pendingEvents` here excludes the events in flight. */
  persisted: SessionSnapshot;
  session?: ActiveSession;
  /** ms since the epoch of `start`; the periodic reference under Unknown Time. */
  startedAt?: number;
  /** The boot id given with `start`, if known. */
  bootId?: string;
  nextPeriodicAt?: number;
  /** The next heartbeat (HeartbeatPolicy), if enabled. */
  nextHeartbeatAt?: number;
  /** The random heartbeat phase drawn under Unknown Time. */
  heartbeatReference?: number;
  /** A heartbeat is due and waits for the running session to end. */
  heartbeatDue?: boolean;
  retryAt?: number;
  sessionCount: number;
  nextMessageId: number;
  /** Uniform in [0, 1): injected randomness for retry waits. */
  random: () => number;
}

/** Options of {@linkcode createSessionState}. */
export interface CreateSessionStateOptions {
  /** The persisted snapshot; absent on a new or factory-reset device. */
  snapshot?: SessionSnapshot;
  /** Injected randomness (the agent passes `Math.random`). */
  random: () => number;
}

/**
 * A stopped engine; feed it `{ kind: "start" }` next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSessionState } from "./states.ts";
 * const s = createSessionState({ acsUrl: "http://acs.example/" }, { random: () => 0 });
 * assert.equal(s.phase, "stopped");
 * ```
 */
export function createSessionState(
  settings: Partial<SessionSettings> & { acsUrl: string },
  options: CreateSessionStateOptions,
): SessionState {
  const snapshot = options.snapshot ?? emptySnapshot();
  return {
    phase: "stopped",
    settings: { ...DEFAULT_SESSION_SETTINGS, ...settings },
    persisted: structuredClone(snapshot),
    sessionCount: 0,
    nextMessageId: 1,
    random: options.random,
  };
}
