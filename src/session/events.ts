/**
 * Everything that can happen to the engine. In-session events carry the `session` number of
 * the action they answer; a mismatch means a stale answer and the engine ignores it.
 *
 * @module
 */

import type {
  CpeResponse,
  DeviceIdStruct,
  Envelope,
  EventStruct,
  Fault,
  ParameterValueStruct,
} from "../soap/messages.ts";
import type { QueuedRequest } from "./snapshot.ts";
import type { SessionSettings } from "./states.ts";

/** The agent has started: raise boot events and arm timers. */
export interface StartEvent {
  kind: "start";
  /**
   * The kernel's boot id (`/proc/sys/kernel/random/boot_id`): tells whether the system
   * rebooted since a Reboot was ordered. Absent where unknown.
   */
  bootId?: string;
  /** DeviceInfo.SoftwareVersion now (judges a firmware upgrade applied before a reboot). */
  softwareVersion?: string;
}
/**
 * The transfer of a `startTransfer` action ended (applied, or failed): `faultCode` 0 or the
 * TransferComplete fault, times in ms since the epoch (absent = Unknown Time).
 */
export interface TransferDoneEvent {
  kind: "transferDone";
  id: number;
  faultCode: number;
  faultString: string;
  startTime?: number;
  completeTime?: number;
  /** The applied file needs a reboot (firmware): reboot now, report after the boot. */
  reboot?: boolean;
  /**
   * With `reboot`: the SoftwareVersion before the upgrade; the report then waits for the
   * boot and says 0 only if the version changed.
   */
  versionBefore?: string;
}
/**
 * The reboot command of a `reboot` action returned: `ok` when it exited 0. The agent feeds
 * `ok: false` again if the system is still up a bounded time after an `ok` one.
 */
export interface RebootCommandDoneEvent {
  kind: "rebootCommandDone";
  ok: boolean;
}
/** The timer set for the last `wakeAt` went off (early or late is fine). */
export interface TimerFiredEvent {
  kind: "timerFired";
}
/** ManagementServer settings changed at run time (SPV, config reload, DHCP). */
export interface SettingsChangedEvent {
  kind: "settingsChanged";
  settings: Partial<SessionSettings>;
}
/** A valid Connection Request (HTTP, UDP or XMPP) was accepted. */
export interface ConnectionRequestEvent {
  kind: "connectionRequest";
}
/**
 * Raise events (`4 VALUE CHANGE`, `7 TRANSFER COMPLETE` + `M Download` …), optionally with a
 * CPE request to queue (e.g. the TransferComplete), kept until the ACS acknowledges it.
 */
export interface AddEventEvent {
  kind: "addEvent";
  events: EventStruct[];
  request?: QueuedRequest;
}
/** Answer to `collectInform`: DeviceId and the Inform ParameterList. */
export interface InformDataEvent {
  kind: "informData";
  session: number;
  deviceId: DeviceIdStruct;
  parameterList: ParameterValueStruct[];
  /**
   * Events the ParameterList implies and the Inform must carry too: `4 VALUE CHANGE`
   * when it holds changed parameters with notification (TR-069 §3.7.1.5). Merged with the
   * single/multiple rules; they then follow the session's delivery and retention rules.
   */
  events?: EventStruct[];
}
/** The decoded HTTP response to a `send` (a 204 or empty body is `{ kind: "Empty" }`). */
export interface AcsMessageEvent {
  kind: "acsMessage";
  session: number;
  envelope: Envelope;
}
/**
 * The ACS's HTTP response held a request the codec rejected; `fault` (e.g. 9000 or 9003) is
 * sent back with the request's cwmp:ID `id` and the session carries on.
 */
export interface AcsRequestRejectedEvent {
  kind: "acsRequestRejected";
  session: number;
  id?: string;
  fault: Fault;
}
/** The `send` failed: connect/send/receive error, timeout, HTTP 4xx/5xx, undecodable body. */
export interface TransportErrorEvent {
  kind: "transportError";
  session: number;
  message: string;
}
/** Answer to `dispatch`: the RPC's response or a Fault. */
export interface RpcResultEvent {
  kind: "rpcResult";
  session: number;
  response: CpeResponse | Fault;
}

/** Every event `step()` accepts. */
export type SessionEvent =
  | StartEvent
  | RebootCommandDoneEvent
  | TransferDoneEvent
  | TimerFiredEvent
  | SettingsChangedEvent
  | ConnectionRequestEvent
  | AddEventEvent
  | InformDataEvent
  | AcsMessageEvent
  | AcsRequestRejectedEvent
  | TransportErrorEvent
  | RpcResultEvent;

/** The `kind` of every event. */
export type SessionEventKind = SessionEvent["kind"];

/** The event of a given kind. */
export type EventOf<K extends SessionEventKind> = Extract<SessionEvent, { kind: K }>;
