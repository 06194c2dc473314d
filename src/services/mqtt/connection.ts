/**
 * One MQTT connection of a publishing client (MQTT 3.1.1 §3–4, 5.0 §3–4): TCP or TLS
 * (verified against the given CA certificates or the runtime's roots), CONNECT and its
 * CONNACK, PUBLISH at QoS 0, 1 (PUBACK) and 2 (PUBREC → PUBREL → PUBCOMP), Keep Alive
 * with PINGREQ, DISCONNECT. The broker's own PUBLISHes (a persistent session's) are
 * acknowledged and dropped.
 *
 * No reconnection here (that is `client.ts`): when the connection ends, every publish
 * still waiting for its acknowledgement rejects, and {@linkcode MqttConnection.closed}
 * resolves with the reason. Every received packet is bounded by `maxPacketSize`; a
 * broker that stops answering within 1.5 × Keep Alive is dropped (§3.1.2.10).
 *
 * @module
 */

import {
  type ConnackPacket,
  encodePacket,
  type MqttPacket,
  type MqttProperties,
  PacketReader,
  type ProtocolLevel,
  type QoS,
} from "./packet.ts";
import { clearTimer, setRepeating, type Timer } from "../../platform/timers.ts";

/** Where and how to connect. */
export interface MqttConnectOptions {
  readonly hostname: string;
  readonly port: number;
  /** TLS, verified against `caCerts` (else the runtime's roots) and `hostname`. */
  readonly tls?: boolean;
  /** PEM CA certificates trusted for the broker. */
  readonly caCerts?: readonly string[];
  readonly level: ProtocolLevel;
  readonly clientId: string;
  /** Sent only when non-empty, and the password only with it (TR-181 Password). */
  readonly username?: string;
  readonly password?: string;
  /** Seconds, 0 = none. */
  readonly keepAlive: number;
  /** Clean Session (3.x) / Clean Start (5.0). */
  readonly cleanSession: boolean;
  /** MQTT 5.0 CONNECT properties (SessionExpiryInterval, ReceiveMaximum …). */
  readonly properties?: MqttProperties;
  /** TCP + TLS + CONNACK, ms; default 30,000. */
  readonly connectTimeoutMs?: number;
  /** Largest packet accepted from the broker, bytes; default 1 MiB. */
  readonly maxPacketSize?: number;
}

/** Why a connection attempt failed. */
export type MqttFailure =
  /** TCP connect failed or timed out, or the broker closed before CONNACK. */
  | "unreachable"
  /** TLS handshake failed (untrusted or mismatched certificate …). */
  | "tls"
  /** The broker answered CONNACK with a refusal (credentials, client identifier …). */
  | "refused"
  /** The broker broke the protocol. */
  | "protocol";

/** A failed connection attempt; `message` never holds the password. */
export class MqttConnectError extends Error {
  /** The CONNACK code when `failure` is "refused". */
  readonly reasonCode?: number;

  /** `failure` says what failed. */
  constructor(readonly failure: MqttFailure, message: string, reasonCode?: number) {
    super(message);
    this.name = "MqttConnectError";
    if (reasonCode !== undefined) this.reasonCode = reasonCode;
  }
}

/** How a message is published. */
export interface PublishOptions {
  readonly qos: QoS;
  readonly retain: boolean;
  /** MQTT 5.0 PUBLISH properties (MessageExpiryInterval, ContentType …). */
  readonly properties?: MqttProperties;
}

const REFUSED_3: Record<number, string> = {
  1: "unacceptable protocol version",
  2: "client identifier rejected",
  3: "server unavailable",
  4: "bad user name or password",
  5: "not authorized",
};

const REFUSED_5: Record<number, string> = {
  0x80: "unspecified error",
  0x81: "malformed packet",
  0x82: "protocol error",
  0x83: "implementation specific error",
  0x84: "unsupported protocol version",
  0x85: "client identifier not valid",
  0x86: "bad user name or password",
  0x87: "not authorized",
  0x88: "server unavailable",
  0x89: "server busy",
  0x8a: "banned",
  0x8c: "bad authentication method",
  0x90: "topic name invalid",
  0x95: "packet too large",
  0x97: "quota exceeded",
  0x99: "payload format invalid",
  0x9a: "retain not supported",
  0x9b: "QoS not supported",
  0x9c: "use another server",
  0x9d: "server moved",
  0x9f: "connection rate exceeded",
};

/** Text of a CONNACK, PUBACK or PUBREC refusal code. */
export function reasonText(code: number, level: ProtocolLevel): string {
  const text = (level === 5 ? REFUSED_5 : REFUSED_3)[code] ?? "refused";
  return `${text} (${level === 5 ? "0x" + code.toString(16) : code})`;
}

interface Inflight {
  qos: 1 | 2;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Connects and completes CONNECT/CONNACK.
 *
 * @throws {MqttConnectError} naming what failed.
 */
export async function connectMqtt(
  options: MqttConnectOptions,
  signal?: AbortSignal,
): Promise<MqttConnection> {
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const abort = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  const where = `${options.hostname}:${options.port}`;
  let conn: Deno.TcpConn;
  const connecting = Deno.connect({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  try {
    conn = await raced(connecting, abort);
  } catch (error) {
    connecting.then((late) => late.close(), () => {});
    throw new MqttConnectError("unreachable", `Cannot connect to ${where}: ${messageOf(error)}`);
  }
  let tls: Deno.TlsConn | undefined;
  if (options.tls) {
    try {
      tls = await Deno.startTls(conn, {
        hostname: options.hostname,
        caCerts: options.caCerts === undefined ? undefined : [...options.caCerts],
      });
      await raced(tls.handshake(), abort);
    } catch (error) {
      try {
        (tls ?? conn).close();
      } catch { /* closed */ }
      throw new MqttConnectError("tls", `TLS with ${where} failed: ${messageOf(error)}`);
    }
  }
  const connection = new MqttConnection(tls ?? conn, options);
  try {
    await raced(connection.handshake(), abort);
  } catch (error) {
    connection.abort(error as Error);
    if (error instanceof MqttConnectError) throw error;
    if (timeout.aborted) {
      throw new MqttConnectError("unreachable", `No CONNACK from ${where} in ${timeoutMs} ms`);
    }
    throw new MqttConnectError("unreachable", `${where}: ${messageOf(error)}`);
  }
  return connection;
}

/** An open MQTT connection; see the module doc. */
export class MqttConnection {
  readonly #conn: Deno.Conn;
  readonly #options: MqttConnectOptions;
  readonly #level: ProtocolLevel;
  readonly #reader: PacketReader;
  readonly #inflight = new Map<number, Inflight>();
  readonly #slotWaiters: (() => void)[] = [];
  #writing: Promise<void> = Promise.resolve();
  #nextId = 1;
  #connack: ((p: ConnackPacket) => void) | undefined;
  #ended: Error | undefined;
  #endedResolve!: (reason: Error | undefined) => void;
  #keepAliveTimer: Timer | undefined;
  #lastSent = 0;
  #lastReceived = 0;
  /** From CONNACK (5.0): ReceiveMaximum, MaximumQoS, RetainAvailable, MaximumPacketSize. */
  #receiveMaximum = 65_535;
  #maximumQoS: QoS = 2;
  #retainAvailable = true;
  #maximumPacketSize = Infinity;
  #keepAlive: number;
  #connackProperties: MqttProperties | undefined;

  /** Resolves when the connection has ended: the reason, or undefined after close(). */
  readonly closed: Promise<Error | undefined>;

  /** Wraps an open socket; {@linkcode connectMqtt} is the way in. */
  constructor(conn: Deno.Conn, options: MqttConnectOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#level = options.level;
    this.#keepAlive = options.keepAlive;
    this.#reader = new PacketReader({
      level: options.level,
      maxPacketSize: options.maxPacketSize ?? 1024 * 1024,
    });
    this.closed = new Promise((resolve) => (this.#endedResolve = resolve));
  }

  /** The CONNACK's MQTT 5.0 properties (ResponseInformation, AssignedClientIdentifier …). */
  get connackProperties(): MqttProperties | undefined {
    return this.#connackProperties;
  }

  /** Publishes awaiting their acknowledgement. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Sends CONNECT and waits for an accepting CONNACK (called once, by connectMqtt). */
  async handshake(): Promise<void> {
    const o = this.#options;
    const connack = new Promise<ConnackPacket>((resolve) => (this.#connack = resolve));
    this.#readLoop();
    const withUser = o.username !== undefined && o.username !== "";
    await this.#send({
      kind: "CONNECT",
      protocolLevel: o.level,
      clientId: o.clientId,
      cleanSession: o.cleanSession,
      keepAlive: o.keepAlive,
      ...(withUser ? { username: o.username } : {}),
      ...(withUser && o.password !== undefined
        ? { password: new TextEncoder().encode(o.password) }
        : {}),
      ...(o.level === 5 && o.properties !== undefined ? { properties: o.properties } : {}),
    });
    const ended = this.closed.then((reason) => {
      throw reason ?? new Error("closed");
    });
    const ack = await Promise.race([connack, ended]);
    if (ack.reasonCode !== 0) {
      throw new MqttConnectError(
        "refused",
        `${o.hostname}:${o.port} refused the connection: ${
          reasonText(ack.reasonCode, this.#level)
        }`,
        ack.reasonCode,
      );
    }
    const p = ack.properties;
    this.#connackProperties = p;
    if (p?.receiveMaximum !== undefined && p.receiveMaximum > 0) {
      this.#receiveMaximum = p.receiveMaximum;
    }
    if (p?.maximumQoS !== undefined) this.#maximumQoS = Math.min(p.maximumQoS, 2) as QoS;
    if (p?.retainAvailable === 0) this.#retainAvailable = false;
    if (p?.maximumPacketSize !== undefined) this.#maximumPacketSize = p.maximumPacketSize;
    if (p?.serverKeepAlive !== undefined) this.#keepAlive = p.serverKeepAlive;
    this.#startKeepAlive();
  }

  /**
   * Publishes `payload` to `topic`; resolves when QoS 0 is written, QoS 1 is PUBACKed,
   * QoS 2 is PUBCOMPed.
   *
   * @throws {Error} when the connection ends first, the broker refuses it (5.0 reason
   * code), it cannot carry it (QoS or retain the broker does not offer, too large), or
   * `signal` aborts.
   */
  async publish(
    topic: string,
    payload: Uint8Array,
    options: PublishOptions,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#ended !== undefined) throw this.#ended;
    if (options.qos > this.#maximumQoS) {
      throw new Error(`The broker accepts QoS ${this.#maximumQoS} at most, not ${options.qos}`);
    }
    if (options.retain && !this.#retainAvailable) {
      throw new Error("The broker does not accept retained messages");
    }
    if (options.qos === 0) {
      await this.#send({
        kind: "PUBLISH",
        topic,
        payload,
        qos: 0,
        retain: options.retain,
        dup: false,
        ...(this.#level === 5 && options.properties ? { properties: options.properties } : {}),
      });
      return;
    }
    while (this.#inflight.size >= this.#receiveMaximum) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
      if (this.#ended !== undefined) throw this.#ended;
      signal?.throwIfAborted();
    }
    const packetId = this.#allocateId();
    const done = new Promise<void>((resolve, reject) => {
      this.#inflight.set(packetId, { qos: options.qos as 1 | 2, resolve, reject });
    });
    done.catch(() => {}); // awaited below, unless the send fails first
    const onAbort = () => {
      this.#release(packetId)?.reject(signal!.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      signal?.throwIfAborted();
      await this.#send({
        kind: "PUBLISH",
        topic,
        payload,
        qos: options.qos,
        retain: options.retain,
        dup: false,
        packetId,
        ...(this.#level === 5 && options.properties ? { properties: options.properties } : {}),
      });
      await done;
    } catch (error) {
      this.#release(packetId);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends DISCONNECT and closes; waiting publishes reject. */
  async close(): Promise<void> {
    if (this.#ended !== undefined) return;
    try {
      await this.#send({ kind: "DISCONNECT" });
    } catch { /* ending anyway */ }
    this.#end(undefined);
  }

  /** Closes at once with `reason` (no DISCONNECT). */
  abort(reason: Error): void {
    this.#end(reason);
  }

  #allocateId(): number {
    for (let i = 0; i < 65_535; i++) {
      const id = this.#nextId;
      this.#nextId = id === 65_535 ? 1 : id + 1;
      if (!this.#inflight.has(id)) return id;
    }
    throw new Error("No MQTT packet identifier free");
  }

  #release(packetId: number): Inflight | undefined {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined) return undefined;
    this.#inflight.delete(packetId);
    this.#slotWaiters.shift()?.();
    return entry;
  }

  #send(packet: MqttPacket): Promise<void> {
    const bytes = encodePacket(packet, this.#level);
    if (bytes.length > this.#maximumPacketSize) {
      return Promise.reject(
        new Error(
          `MQTT ${packet.kind} of ${bytes.length} bytes is over the broker's maximum of ${this.#maximumPacketSize}`,
        ),
      );
    }
    const write = this.#writing.then(async () => {
      if (this.#ended !== undefined) throw this.#ended;
      let n = 0;
      while (n < bytes.length) n += await this.#conn.write(bytes.subarray(n));
      this.#lastSent = Date.now();
    });
    this.#writing = write.catch(() => {});
    return write.catch((error) => {
      const reason = this.#ended ?? new Error(`Cannot write to the broker: ${messageOf(error)}`);
      this.#end(reason);
      throw reason;
    });
  }

  #startKeepAlive(): void {
    const seconds = this.#keepAlive;
    if (seconds === 0) return;
    const ms = seconds * 1000;
    this.#lastReceived = Date.now();
    this.#keepAliveTimer = setRepeating(() => {
      const now = Date.now();
      if (now - this.#lastReceived > ms * 1.5) {
        this.#end(new Error(`No packet from the broker in ${Math.round(seconds * 1.5)} s`));
        return;
      }
      if (now - this.#lastSent >= ms * 0.75 || now - this.#lastReceived >= ms * 0.75) {
        this.#send({ kind: "PINGREQ" }).catch(() => {});
      }
    }, Math.max(250, Math.min(ms / 4, 5000)));
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buf);
        if (n === null) throw new Error("The broker closed the connection");
        this.#lastReceived = Date.now();
        this.#reader.push(buf.subarray(0, n));
        for (let p = this.#reader.next(); p !== undefined; p = this.#reader.next()) {
          this.#handle(p);
        }
      }
    } catch (error) {
      if (this.#ended === undefined) {
        this.#end(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #handle(p: MqttPacket): void {
    switch (p.kind) {
      case "CONNACK": {
        const waiting = this.#connack;
        this.#connack = undefined;
        if (waiting === undefined) throw new SyntaxError("A second CONNACK from the broker");
        waiting(p);
        return;
      }
      case "PUBACK":
      case "PUBREC":
      case "PUBCOMP": {
        const entry = this.#inflight.get(p.packetId);
        if (entry === undefined) {
          // PUBREC of an identifier we no longer hold (aborted): release it at the broker.
          if (p.kind === "PUBREC") {
            this.#send({ kind: "PUBREL", packetId: p.packetId, ...this.#notFound() }).catch(
              () => {},
            );
          }
          return;
        }
        const code = p.reasonCode ?? 0;
        if (code >= 0x80) {
          this.#release(p.packetId)?.reject(
            new Error(`The broker refused the PUBLISH: ${reasonText(code, this.#level)}`),
          );
          return;
        }
        if (p.kind === "PUBREC") {
          if (entry.qos !== 2) throw new SyntaxError(`PUBREC for QoS 1 packet ${p.packetId}`);
          this.#send({ kind: "PUBREL", packetId: p.packetId }).catch(() => {});
          return;
        }
        if ((p.kind === "PUBACK") !== (entry.qos === 1)) {
          throw new SyntaxError(`${p.kind} for QoS ${entry.qos} packet ${p.packetId}`);
        }
        this.#release(p.packetId)?.resolve();
        return;
      }
      case "PUBLISH":
        // Not subscribed; a persistent session may still deliver. Acknowledge and drop.
        if (p.qos === 1) this.#send({ kind: "PUBACK", packetId: p.packetId! }).catch(() => {});
        if (p.qos === 2) this.#send({ kind: "PUBREC", packetId: p.packetId! }).catch(() => {});
        return;
      case "PUBREL":
        this.#send({ kind: "PUBCOMP", packetId: p.packetId }).catch(() => {});
        return;
      case "PINGRESP":
        return;
      case "DISCONNECT":
        throw new Error(
          `The broker disconnected${
            p.reasonCode ? `: ${reasonText(p.reasonCode, this.#level)}` : ""
          }`,
        );
      default:
        throw new SyntaxError(`Unexpected ${p.kind} from the broker`);
    }
  }

  #notFound(): { reasonCode?: number } {
    return this.#level === 5 ? { reasonCode: 0x92 } : {};
  }

  #end(reason: Error | undefined): void {
    if (this.#ended !== undefined) return;
    this.#ended = reason ?? new Error("The MQTT connection was closed");
    clearTimer(this.#keepAliveTimer);
    try {
      this.#conn.close();
    } catch { /* closed */ }
    for (const [id, entry] of [...this.#inflight]) {
      this.#inflight.delete(id);
      entry.reject(this.#ended);
    }
    for (const wake of this.#slotWaiters.splice(0)) wake();
    this.#endedResolve(reason);
  }
}

function raced<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
