/**
 * What one `Device.XMPP.Connection.{i}` row asks of the client (`client.ts`) and the
 * TR-181 Status it reports. Types only: the agent reads rows into these without loading
 * the client code, which it imports when the first enabled row needs a client.
 *
 * @module
 */

import type { XmppRetryOptions } from "./retry_wait.ts";

/** TR-181 `Device.XMPP.Connection.{i}.Status` values the client sets. */
export type XmppStatus =
  | "Disabled"
  | "Connecting"
  | "Enabled"
  | "ServerNotPresent"
  | "Error_Misconfigured"
  | "Error_AuthenticationFailure"
  | "Error";

/** One server of `Device.XMPP.Connection.{i}.Server.{i}`. */
export interface XmppServer {
  readonly address: string;
  readonly port: number;
}

/** What one Connection row asks for. */
export interface XmppClientSettings {
  readonly username: string;
  readonly password: string;
  readonly domain: string;
  readonly resource: string;
  /** Start TLS even when the server does not require it. */
  readonly useTls: boolean;
  /** `ServerTable`: these, in order; `DNS-SRV`: `_xmpp-client._tcp.<domain>`, then `DNS`. */
  readonly algorithm: "DNS-SRV" | "DNS" | "ServerTable";
  readonly servers: readonly XmppServer[];
  /** Seconds; 0 = none; −1 = 300. */
  readonly keepAliveInterval: number;
  /** Attempts per address before the next; 0 = stay on one. */
  readonly connectAttempts: number;
  readonly retry: XmppRetryOptions;
}

/** Log sink (the agent's Logger fits). */
export interface XmppLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}
