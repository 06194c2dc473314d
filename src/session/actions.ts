/**
 * What the agent must do after a `step()`, in order. In-session actions carry the `session`
 * number that the answering event must echo.
 *
 * @module
 */

import type { CpeRequest, Envelope, EventStruct } from "../soap/messages.ts";
import type { SessionSnapshot, TransferRecord } from "./snapshot.ts";

/** Read DeviceId and the Inform parameters (forced-inform, notified changes for `events`). */
export interface CollectInformAction {
  kind: "collectInform";
  session: number;
  events: EventStruct[];
}
/** POST `envelope` to `acsUrl` (`Empty` → empty POST); answer with `acsMessage`/`transportError`. */
export interface SendAction {
  kind: "send";
  session: number;
  acsUrl: string;
  envelope: Envelope;
}
/** Hand an ACS request to the RPC dispatcher; answer with `rpcResult`. */
export interface DispatchAction {
  kind: "dispatch";
  session: number;
  id?: string;
  request: CpeRequest;
}
/** The session is over: close the connection, drop cookies. `deliveredEvents` on success only. */
export interface CloseAction {
  kind: "close";
  session: number;
  outcome: "success" | "failure";
  reason?: string;
  deliveredEvents: EventStruct[];
}
/** Write the snapshot durably (before doing the actions after it). */
export interface PersistAction {
  kind: "persist";
  snapshot: SessionSnapshot;
}
/**
 * Reboot the device now (for a Reboot RPC the snapshot already holds the `M Reboot`
 * CommandKey; `commandKey` is "" for a reboot a transfer asked for).
 */
export interface RebootAction {
  kind: "reboot";
  commandKey: string;
}
/** Run this transfer now (it is persisted as in progress); answer with `transferDone`. */
export interface StartTransferAction {
  kind: "startTransfer";
  transfer: TransferRecord;
}
/** Factory-reset the device now (the snapshot was already wiped). */
export interface FactoryResetAction {
  kind: "factoryReset";
}

/** Every action `step()` emits. */
export type SessionAction =
  | CollectInformAction
  | SendAction
  | DispatchAction
  | CloseAction
  | PersistAction
  | StartTransferAction
  | RebootAction
  | FactoryResetAction;
