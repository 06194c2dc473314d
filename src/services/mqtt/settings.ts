/**
 * What one `Device.MQTT.Client.{i}` row asks of the client (`client.ts`) and the TR-181
 * Status it reports. Types only: the agent reads rows into these without loading the
 * client code (client, connection, packet codec), which it imports when the first
 * enabled row needs a client.
 *
 * @module
 */

import type { MqttRetryOptions } from "./retry_wait.ts";

/** TR-181 `Device.MQTT.Client.{i}.Status`. */
export type MqttClientStatus =
  | "Disabled"
  | "Connecting"
  | "Connected"
  | "Error_Misconfigured"
  | "Error_BrokerUnreachable"
  | "Error";

/** TR-181 ProtocolVersion. */
export type MqttProtocolVersion = "3.1" | "3.1.1" | "5.0";

/** The settings of one Client row. */
export interface MqttClientSettings {
  readonly brokerAddress: string;
  readonly brokerPort: number;
  /** TR-181 TransportProtocol: "TCP/IP" or "TLS". */
  readonly transportProtocol: "TCP/IP" | "TLS";
  readonly protocolVersion: MqttProtocolVersion;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  /** KeepAliveTime, seconds (0 = none). */
  readonly keepAliveTime: number;
  /** CleanSession (3.x) or CleanStart (5.0). */
  readonly cleanSession: boolean;
  /** MQTT 5.0 SessionExpiryInterval, seconds (0 = not sent). */
  readonly sessionExpiryInterval?: number;
  readonly retry: MqttRetryOptions;
}

/** Where the client logs (the caller prefixes its name). */
export interface MqttClientLog {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}
