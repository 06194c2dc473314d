/**
 * One MQTT client (TR-181 `Device.MQTT.Client.{i}`) kept connected to its broker: it
 * connects when started, and after a failed attempt or a lost connection waits
 * the ConnectRetryTime backoff (`retry_wait.ts`) and tries again, until stopped.
 *
 * States (TR-181 Status):
 *
 * ```text
 *   Disabled --start--> Connecting --CONNACK 0--> Connected
 *                         ^    |                      |
 *                 wait    |    +--refused------> Error_Misconfigured ---+
 *                 elapsed |    +--TCP/timeout--> Error_BrokerUnreachable+--wait--> Connecting
 *                         |    +--TLS/protocol-> Error -----------------+
 *                         +--- connection lost (Connecting) <-------- Connected
 *   stop() from anywhere -> Disabled
 * ```
 *
 * A configuration the broker cannot be asked with (no BrokerAddress; an empty ClientID
 * before MQTT 5.0) is Error_Misconfigured without any attempt. ForceReconnect
 * (`forceReconnect()`) drops a connected client and connects again at once.
 *
 * `publish()` uses the connection when Connected, waits for the attempt in progress
 * when Connecting, and fails at once otherwise: the Bulk Data scheduler retains the
 * report and tries again later. Passwords are never logged.
 *
 * @module
 */

import { WakeTimer } from "../../platform/wake_timer.ts";
import {
  connectMqtt,
  MqttConnectError,
  type MqttConnection,
  type PublishOptions,
} from "./connection.ts";
import type { MqttProperties, ProtocolLevel } from "./packet.ts";
import { retryWait } from "./retry_wait.ts";
import type {
  MqttClientLog,
  MqttClientSettings,
  MqttClientStatus,
  MqttProtocolVersion,
} from "./settings.ts";

// The settings types live in settings.ts (light: the agent reads rows into them without
// loading this file); re-exported for importers of the client.
export type {
  MqttClientLog,
  MqttClientSettings,
  MqttClientStatus,
  MqttProtocolVersion,
} from "./settings.ts";

/** Options of {@linkcode MqttClient}. */
export interface MqttClientOptions {
  readonly settings: MqttClientSettings;
  /** PEM CA certificates for TLS brokers; none = the runtime's roots. */
  readonly caCerts?: readonly string[];
  readonly log: MqttClientLog;
  /** After every Status change. */
  onState?(client: MqttClient): void;
  /** In [0, 1); default Math.random. */
  random?(): number;
  /** TCP + TLS + CONNACK, ms; default 30,000. */
  readonly connectTimeoutMs?: number;
}

const LEVELS: Record<MqttProtocolVersion, ProtocolLevel> = { "3.1": 3, "3.1.1": 4, "5.0": 5 };

/** One client, kept connected until {@linkcode MqttClient.stop}; see the module doc. */
export class MqttClient {
  readonly #options: MqttClientOptions;
  #status: MqttClientStatus = "Disabled";
  #lastError = "";
  #connection: MqttConnection | undefined;
  #stopped = true;
  #run: Promise<void> | undefined;
  #wake: ((why: "stop" | "reconnect") => void) | undefined;
  /** The reconnection wait, random each time: a WakeTimer, which does not leak when stopped. */
  readonly #retryTimer = new WakeTimer();
  #stopController = new AbortController();
  #attemptWaiters: (() => void)[] = [];
  #attempting = false;
  #responseInformation = "";

  /** A stopped client; {@linkcode start} connects. */
  constructor(options: MqttClientOptions) {
    this.#options = options;
  }

  /** TR-181 Status. */
  get status(): MqttClientStatus {
    return this.#status;
  }

  /** Why the last attempt failed or the connection ended ("" when connected). */
  get lastError(): string {
    return this.#lastError;
  }

  /** TR-181 ResponseInformation (MQTT 5.0 CONNACK); "" otherwise. */
  get responseInformation(): string {
    return this.#responseInformation;
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stopController = new AbortController();
    this.#run = this.#loop();
  }

  /** Disconnects (DISCONNECT when connected) and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopController.abort(new Error("MQTT client stopped"));
    this.#wake?.("stop");
    await this.#run;
    this.#setStatus("Disabled");
  }

  /** TR-181 ForceReconnect: only when Connected, disconnect and connect again at once. */
  forceReconnect(): void {
    if (this.#status === "Connected") this.#wake?.("reconnect");
  }

  /**
   * Publishes on the current connection; see the module doc.
   *
   * @throws {Error} naming the client's state when it is not connected, or why the
   * publish failed.
   */
  async publish(
    topic: string,
    payload: Uint8Array,
    options: PublishOptions,
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    if (this.#attempting) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#attemptWaiters.push(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
    const connection = this.#connection;
    if (connection === undefined || this.#status !== "Connected") {
      const why = this.#lastError === "" ? "" : `: ${this.#lastError}`;
      throw new Error(`MQTT client not connected (${this.#status}${why})`);
    }
    await connection.publish(topic, payload, options, signal);
  }

  #setStatus(status: MqttClientStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#options.onState?.(this);
  }

  #attemptSettled(): void {
    this.#attempting = false;
    for (const wake of this.#attemptWaiters.splice(0)) wake();
  }

  /** Why the settings cannot be used, or undefined. */
  #misconfiguration(): string | undefined {
    const s = this.#options.settings;
    if (s.brokerAddress === "") return "no BrokerAddress";
    if (s.protocolVersion !== "5.0" && s.clientId === "") {
      return `an empty ClientID needs MQTT 5.0, not ${s.protocolVersion}`;
    }
    if (s.protocolVersion === "3.1" && new TextEncoder().encode(s.clientId).length > 23) {
      return "MQTT 3.1 allows a ClientID of 23 bytes at most";
    }
    return undefined;
  }

  async #loop(): Promise<void> {
    const { log } = this.#options;
    const s = this.#options.settings;
    const random = this.#options.random ?? Math.random;
    const misconfigured = this.#misconfiguration();
    if (misconfigured !== undefined) {
      this.#lastError = misconfigured;
      log.warning(`MQTT: not connecting: ${misconfigured}`);
      this.#setStatus("Error_Misconfigured");
      this.#attemptSettled();
      await this.#sleep(Infinity);
      return;
    }
    const where = `${s.brokerAddress}:${s.brokerPort}${
      s.transportProtocol === "TLS" ? " (TLS)" : ""
    }`;
    let attempt = 0;
    let lastLogged = "";
    while (!this.#stopped) {
      this.#setStatus("Connecting");
      this.#attempting = true;
      let connection: MqttConnection;
      try {
        connection = await connectMqtt(this.#connectOptions(), this.#stopController.signal);
      } catch (error) {
        if (this.#stopped) {
          this.#attemptSettled();
          break;
        }
        attempt++;
        const message = error instanceof Error ? error.message : String(error);
        this.#lastError = message;
        this.#setStatus(statusOf(error));
        this.#attemptSettled();
        const wait = retryWait(attempt, s.retry, random);
        const line = `MQTT: cannot connect to ${where}: ${message}; retry ${attempt} in ${
          Math.round(wait / 1000)
        } s`;
        if (message !== lastLogged) log.warning(line);
        else log.debug(line);
        lastLogged = message;
        await this.#sleep(wait);
        continue;
      }
      attempt = 0;
      lastLogged = "";
      this.#connection = connection;
      this.#lastError = "";
      this.#responseInformation = connection.connackProperties?.responseInformation ?? "";
      log.info(`MQTT: connected to ${where} as "${s.clientId}"`);
      this.#setStatus("Connected");
      this.#attemptSettled();
      const why = await Promise.race([
        connection.closed.then((reason) => reason ?? new Error("closed")),
        new Promise<"stop" | "reconnect">((resolve) => (this.#wake = resolve)),
      ]);
      this.#wake = undefined;
      this.#connection = undefined;
      if (why === "stop" || why === "reconnect") {
        await connection.close();
        if (why === "reconnect") log.info(`MQTT: reconnecting to ${where} (ForceReconnect)`);
        continue;
      }
      this.#lastError = why.message;
      this.#setStatus("Connecting");
      attempt = 1;
      const wait = retryWait(attempt, s.retry, random);
      log.warning(
        `MQTT: connection to ${where} lost: ${why.message}; reconnecting in ${
          Math.round(wait / 1000)
        } s`,
      );
      await this.#sleep(wait);
    }
  }

  #connectOptions() {
    const s = this.#options.settings;
    const level = LEVELS[s.protocolVersion];
    const properties: MqttProperties = {};
    if (level === 5 && (s.sessionExpiryInterval ?? 0) > 0) {
      properties.sessionExpiryInterval = s.sessionExpiryInterval;
    }
    return {
      hostname: s.brokerAddress,
      port: s.brokerPort,
      tls: s.transportProtocol === "TLS",
      caCerts: this.#options.caCerts,
      level,
      clientId: s.clientId,
      username: s.username,
      password: s.password,
      keepAlive: s.keepAliveTime,
      cleanSession: s.cleanSession,
      properties,
      connectTimeoutMs: this.#options.connectTimeoutMs,
    };
  }

  /** Sleeps `ms` or until stopped. */
  async #sleep(ms: number): Promise<void> {
    if (this.#stopped) return;
    await new Promise<void>((resolve) => {
      this.#wake = () => resolve();
      if (Number.isFinite(ms)) this.#retryTimer.arm(ms, resolve);
    });
    this.#retryTimer.cancel();
    this.#wake = undefined;
  }
}

function statusOf(error: unknown): MqttClientStatus {
  if (!(error instanceof MqttConnectError)) return "Error";
  switch (error.failure) {
    case "unreachable":
      return "Error_BrokerUnreachable";
    case "refused":
      return "Error_Misconfigured";
    default:
      return "Error";
  }
}
