/**
 * The agent's MQTT clients (TR-181 `Device.MQTT.Client.{i}`): one {@linkcode MqttClient}
 * per enabled Client row, restarted when its row changes and stopped when it is disabled
 * or deleted; the {@linkcode MqttRuntime} of the data model (Status, ResponseInformation,
 * ForceReconnect) and the lookup the Bulk Data MQTT transport publishes through.
 *
 * Row values → client settings: an unset ProtocolVersion is 3.1.1; CleanStart applies to
 * MQTT 5.0 and CleanSession before it; an empty ClientID before MQTT 5.0 (where TR-181
 * requires one) becomes `<OUI>-<SerialNumber>`, under 5.0 it stays empty and the broker
 * assigns one. TLS brokers are verified against `[mqtt] ca_file` (else the ACS's CA
 * files) added to the system roots. Passwords are never logged.
 *
 * @module
 */

import type { ParameterRef, PersistedProvider, Schema } from "../datamodel/mod.ts";
import { MQTT_CLIENT_TABLE, type MqttRuntime } from "../datamodel/objects/mqtt.ts";
import type { Logger } from "../log/mod.ts";
import {
  MqttClient,
  type MqttClientSettings,
  type MqttProtocolVersion,
} from "../services/mqtt/mod.ts";

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

interface Running {
  client: MqttClient;
  fingerprint: string;
}

/** The MQTT clients of the data model; see the module doc. */
export class MqttClients implements MqttRuntime {
  readonly #options: MqttClientsOptions;
  readonly #running = new Map<number, Running>();
  #applying: Promise<void> = Promise.resolve();
  #pending = false;
  #closed = false;

  /** Nothing runs until {@linkcode apply}. */
  constructor(options: MqttClientsOptions) {
    this.#options = options;
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
    if (this.#pending || this.#closed) return;
    this.#pending = true;
    setTimeout(() => {
      this.#pending = false;
      this.apply().catch((error) =>
        this.#options.logger.error(`MQTT: cannot apply the configuration: ${messageOf(error)}`)
      );
    }, 0);
  }

  /** Starts, restarts and stops clients to match the rows. */
  apply(): Promise<void> {
    this.#applying = this.#applying.then(() => this.#apply());
    return this.#applying;
  }

  /** Stops every client (DISCONNECT to each connected broker). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#applying;
    await Promise.all([...this.#running.values()].map((r) => r.client.stop()));
    this.#running.clear();
  }

  async #apply(): Promise<void> {
    if (this.#closed) return;
    const { logger } = this.#options;
    const store = this.#options.store();
    const wanted = new Map<number, MqttClientSettings>();
    for (const n of store.instances(MQTT_CLIENT_TABLE)) {
      const settings = this.#readRow(store, n);
      if (settings !== undefined) wanted.set(n, settings);
    }
    for (const [n, running] of [...this.#running]) {
      const settings = wanted.get(n);
      if (settings !== undefined && JSON.stringify(settings) === running.fingerprint) continue;
      this.#running.delete(n);
      await running.client.stop();
      logger.info(`MQTT client ${n}: stopped`);
    }
    for (const [n, settings] of wanted) {
      if (this.#running.has(n)) continue;
      this.#start(n, settings);
    }
  }

  #start(n: number, settings: MqttClientSettings): void {
    const { logger } = this.#options;
    const prefix = `MQTT client ${n}:`;
    const log = {
      info: (m: string) => logger.info(m.replace(/^MQTT:/, prefix)),
      warning: (m: string) => logger.warning(m.replace(/^MQTT:/, prefix)),
      debug: (m: string) => logger.debug(m.replace(/^MQTT:/, prefix)),
    };
    const client = new MqttClient({
      settings,
      caCerts: this.#options.caCerts,
      log,
      random: this.#options.random,
    });
    this.#running.set(n, { client, fingerprint: JSON.stringify(settings) });
    const user = settings.username === "" ? "" : ` as user "${settings.username}"`;
    logger.info(
      `${prefix} connecting to ${settings.brokerAddress}:${settings.brokerPort} (${settings.transportProtocol}, MQTT ${settings.protocolVersion})${user}`,
    );
    client.start();
  }

  #value(store: PersistedProvider, path: string): string {
    const pattern = path.replace(/\.[0-9]+(?=\.)/g, ".{i}");
    const schema = this.#options.schema.parameter(pattern);
    if (schema === undefined) return "";
    const instances = [...path.matchAll(/\.([0-9]+)(?=\.)/g)].map((m) => Number(m[1]));
    const ref: ParameterRef = { path, schema, instances };
    return store.get([ref])[0];
  }

  /** Client row `n` as client settings, or undefined when it is disabled. */
  #readRow(store: PersistedProvider, n: number): MqttClientSettings | undefined {
    const row = `${MQTT_CLIENT_TABLE}${n}.`;
    const get = (name: string) => this.#value(store, row + name);
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
export async function readMqttCaFile(path: string): Promise<string[] | undefined> {
  if (path === "") return undefined;
  try {
    return [await Deno.readTextFile(path)];
  } catch (error) {
    throw new Error(`Cannot read mqtt.ca_file "${path}": ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
