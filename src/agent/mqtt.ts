/**
 * The agent's MQTT clients (TR-181 `Device.MQTT.Client.{i}`): one {@linkcode MqttClient}
 * per enabled Client row (the client code is imported when the first one starts),
 * restarted when its row changes and stopped when it is disabled or deleted; the
 * {@linkcode MqttRuntime} of the data model (Status, ResponseInformation, ForceReconnect)
 * and the lookup the Bulk Data MQTT transport publishes through.
 *
 * Row values → client settings: an unset ProtocolVersion is 3.1.1; CleanStart applies to
 * MQTT 5.0 and CleanSession before it; an empty ClientID before MQTT 5.0 (where TR-181
 * requires one) becomes `<OUI>-<SerialNumber>`, under 5.0 it stays empty and the broker
 * assigns one. TLS brokers are verified against `[mqtt] ca_file` (else the ACS's CA
 * files) added to the system roots. Passwords are never logged.
 *
 * @module
 */

import type { PersistedProvider, Schema } from "../datamodel/mod.ts";
import { readCaFile, RowClients, rowLog, type RunningRow, storedValue } from "./row_clients.ts";
import { MQTT_CLIENT_TABLE, type MqttRuntime } from "../datamodel/objects/mqtt.ts";
import type { Logger } from "../log/mod.ts";
// Light modules only: the client (client.ts, connection.ts, packet.ts) is imported when
// the first enabled row needs one (RowClients' `load`), not at start-up.
import type { MqttClientSettings, MqttProtocolVersion } from "../services/mqtt/settings.ts";
import type { MqttClient } from "../services/mqtt/client.ts";

/** The client's module, imported on demand. */
type ClientModule = typeof import("../services/mqtt/client.ts");

/** Options of {@linkcode MqttClients}. */
export interface MqttClientsOptions {
  /** The persisted provider holding the Client rows (read with their passwords). */
  store(): PersistedProvider;
  readonly schema: Schema;
  /** PEM CA certificates for TLS brokers; none = the runtime's roots. */
  readonly caCerts?: readonly string[];
  readonly logger: Logger;
  /** ClientID used when a row's is empty before MQTT 5.0. */
  readonly defaultClientId: string;
  /** In [0, 1); default Math.random (tests). */
  random?(): number;
}

type Running = RunningRow<MqttClient>;

/** The MQTT clients of the data model; see the module doc. */
export class MqttClients implements MqttRuntime {
  readonly #options: MqttClientsOptions;
  readonly #rows: RowClients<MqttClientSettings, Running, ClientModule>;

  /** Nothing runs until {@linkcode apply}. */
  constructor(options: MqttClientsOptions) {
    this.#options = options;
    this.#rows = new RowClients({
      label: "MQTT client",
      logger: options.logger,
      wanted: () => {
        const store = options.store();
        const wanted = new Map<number, MqttClientSettings>();
        for (const n of store.instances(MQTT_CLIENT_TABLE)) {
          const settings = this.#readRow(store, n);
          if (settings !== undefined) wanted.set(n, settings);
        }
        return wanted;
      },
      load: () => import("../services/mqtt/client.ts"),
      start: (n, settings, fingerprint, { MqttClient }) =>
        this.#start(n, settings, fingerprint, MqttClient),
    });
  }

  get #running(): Map<number, Running> {
    return this.#rows.running;
  }

  /** TR-181 Status of Client row `instance`. */
  status(instance: number): string {
    return this.#running.get(instance)?.client.status ?? "Disabled";
  }

  /** TR-181 ResponseInformation of Client row `instance`. */
  responseInformation(instance: number): string {
    return this.#running.get(instance)?.client.responseInformation ?? "";
  }

  /** TR-181 ForceReconnect of Client row `instance`. */
  forceReconnect(instance: number): void {
    this.#running.get(instance)?.client.forceReconnect();
  }

  /** The running client of row `instance` (the Bulk Data transport's lookup). */
  client(instance: number): MqttClient | undefined {
    return this.#running.get(instance)?.client;
  }

  /** The MQTT configuration changed: apply it once the current change is committed. */
  changed(): void {
    this.#rows.changed();
  }

  /** Starts, restarts and stops clients to match the rows. */
  apply(): Promise<void> {
    return this.#rows.apply();
  }

  /** Stops every client (DISCONNECT to each connected broker). */
  close(): Promise<void> {
    return this.#rows.close();
  }

  #start(
    n: number,
    settings: MqttClientSettings,
    fingerprint: string,
    MqttClient: ClientModule["MqttClient"],
  ): Running {
    const { logger } = this.#options;
    const client = new MqttClient({
      settings,
      caCerts: this.#options.caCerts,
      log: rowLog(logger, "MQTT", "MQTT client", n),
      random: this.#options.random,
    });
    const user = settings.username === "" ? "" : ` as user "${settings.username}"`;
    logger.info(
      `MQTT client ${n}: connecting to ${settings.brokerAddress}:${settings.brokerPort} (${settings.transportProtocol}, MQTT ${settings.protocolVersion})${user}`,
    );
    client.start();
    return { client, fingerprint };
  }

  /** Client row `n` as client settings, or undefined when it is disabled. */
  #readRow(store: PersistedProvider, n: number): MqttClientSettings | undefined {
    const row = `${MQTT_CLIENT_TABLE}${n}.`;
    const get = (name: string) => storedValue(store, this.#options.schema, row + name);
    if (get("Enable") !== "true") return undefined;
    const version = get("ProtocolVersion");
    const protocolVersion: MqttProtocolVersion = version === "3.1" || version === "5.0"
      ? version
      : "3.1.1";
    const clientId = get("ClientID") === "" && protocolVersion !== "5.0"
      ? this.#options.defaultClientId
      : get("ClientID");
    return {
      brokerAddress: get("BrokerAddress"),
      brokerPort: Number(get("BrokerPort")) || 1883,
      transportProtocol: get("TransportProtocol") === "TLS" ? "TLS" : "TCP/IP",
      protocolVersion,
      clientId,
      username: get("Username"),
      password: get("Password"),
      keepAliveTime: Number(get("KeepAliveTime")),
      cleanSession: get(protocolVersion === "5.0" ? "CleanStart" : "CleanSession") === "true",
      sessionExpiryInterval: Number(get("SessionExpiryInterval")),
      retry: {
        retryTime: Number(get("ConnectRetryTime")) || 5,
        intervalMultiplier: Number(get("ConnectRetryIntervalMultiplier")) || 2000,
        maxInterval: Number(get("ConnectRetryMaxInterval")) || 30720,
      },
    };
  }
}

/**
 * The PEM certificates of `mqtt.ca_file`; undefined for "" (the caller's fallback).
 *
 * @throws {Error} naming the key when the file cannot be read.
 */
export function readMqttCaFile(path: string): Promise<string[] | undefined> {
  return readCaFile("mqtt.ca_file", path);
}
