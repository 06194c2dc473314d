/**
 * Pure MQTT packet codec for a publishing client: MQTT 3.1 (protocol level 3,
 * "MQIsdp"), 3.1.1 (OASIS, level 4) and 5.0 (OASIS, level 5), §2 (fixed header,
 * Remaining Length, properties) and §3 (the packets). Bytes in, {@linkcode MqttPacket}
 * out and back; no I/O, no clock. Symmetric: it also encodes the broker's packets
 * (CONNACK, PINGRESP) and decodes the client's (CONNECT), so tests can play either side.
 *
 * Packets: CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, PINGREQ, PINGRESP,
 * DISCONNECT. SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK and AUTH are refused: the agent
 * only publishes.
 *
 * Hostile input: a Remaining Length over 4 bytes or over the reader's `maxPacketSize` is
 * refused from the fixed header alone, before anything is buffered; every field is
 * bounds-checked against its packet (a truncated field, bytes left over, a reserved flag
 * set, QoS 3, packet identifier 0, a wildcard in a PUBLISH topic, invalid UTF-8 or
 * U+0000 in a string, a repeated property, an unknown property) is a `SyntaxError`
 * naming the packet: `Cannot decode MQTT PUBLISH: truncated topic`.
 *
 * @module
 */

/** CONNECT protocol level: 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0. */
export type ProtocolLevel = 3 | 4 | 5;

/** QoS of a PUBLISH (§4.3). */
export type QoS = 0 | 1 | 2;

/** MQTT 5.0 properties (§2.2.2.2) by name; only those a packet may carry are encoded. */
export interface MqttProperties {
  payloadFormatIndicator?: number;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  subscriptionIdentifier?: number;
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  requestProblemInformation?: number;
  willDelayInterval?: number;
  requestResponseInformation?: number;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: number;
  retainAvailable?: number;
  userProperties?: [string, string][];
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: number;
  subscriptionIdentifierAvailable?: number;
  sharedSubscriptionAvailable?: number;
}

/** The Will message of a CONNECT (§3.1.2.5). */
export interface MqttWill {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  properties?: MqttProperties;
}

/** CONNECT (§3.1). */
export interface ConnectPacket {
  kind: "CONNECT";
  protocolLevel: ProtocolLevel;
  clientId: string;
  /** Clean Session (3.x) or Clean Start (5.0). */
  cleanSession: boolean;
  /** Seconds, 0–65535. */
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: MqttWill;
  properties?: MqttProperties;
}

/** CONNACK (§3.2). */
export interface ConnackPacket {
  kind: "CONNACK";
  sessionPresent: boolean;
  /** 3.x Connect Return Code or 5.0 Connect Reason Code; 0 = accepted. */
  reasonCode: number;
  properties?: MqttProperties;
}

/** PUBLISH (§3.3). */
export interface PublishPacket {
  kind: "PUBLISH";
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** 1–65535 when qos > 0. */
  packetId?: number;
  properties?: MqttProperties;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4–3.7). */
export interface AckPacket {
  kind: "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP";
  packetId: number;
  /** 5.0 only; 0 = success. */
  reasonCode?: number;
  properties?: MqttProperties;
}

/** PINGREQ, PINGRESP (§3.12, §3.13). */
export interface PingPacket {
  kind: "PINGREQ" | "PINGRESP";
}

/** DISCONNECT (§3.14). */
export interface DisconnectPacket {
  kind: "DISCONNECT";
  /** 5.0 only; 0 = normal disconnection. */
  reasonCode?: number;
  properties?: MqttProperties;
}

/** Every packet this codec knows. */
export type MqttPacket =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | PingPacket
  | DisconnectPacket;

/** The largest Remaining Length MQTT can express (§1.5.5): 268,435,455. */
export const MAX_REMAINING_LENGTH = 268_435_455;

const TYPES: Record<
  number,
  MqttPacket["kind"] | "SUBSCRIBE" | "SUBACK" | "UNSUBSCRIBE" | "UNSUBACK" | "AUTH"
> = {
  1: "CONNECT",
  2: "CONNACK",
  3: "PUBLISH",
  4: "PUBACK",
  5: "PUBREC",
  6: "PUBREL",
  7: "PUBCOMP",
  8: "SUBSCRIBE",
  9: "SUBACK",
  10: "UNSUBSCRIBE",
  11: "UNSUBACK",
  12: "PINGREQ",
  13: "PINGRESP",
  14: "DISCONNECT",
  15: "AUTH",
}; // deno-fmt-ignore

const CODES: Record<MqttPacket["kind"], number> = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
};

type PropertyType = "byte" | "u16" | "u32" | "varint" | "utf8" | "binary" | "pair";

/** §2.2.2.2: identifier → name and type. */
const PROPERTIES: Record<number, [keyof MqttProperties, PropertyType]> = {
  0x01: ["payloadFormatIndicator", "byte"],
  0x02: ["messageExpiryInterval", "u32"],
  0x03: ["contentType", "utf8"],
  0x08: ["responseTopic", "utf8"],
  0x09: ["correlationData", "binary"],
  0x0b: ["subscriptionIdentifier", "varint"],
  0x11: ["sessionExpiryInterval", "u32"],
  0x12: ["assignedClientIdentifier", "utf8"],
  0x13: ["serverKeepAlive", "u16"],
  0x15: ["authenticationMethod", "utf8"],
  0x16: ["authenticationData", "binary"],
  0x17: ["requestProblemInformation", "byte"],
  0x18: ["willDelayInterval", "u32"],
  0x19: ["requestResponseInformation", "byte"],
  0x1a: ["responseInformation", "utf8"],
  0x1c: ["serverReference", "utf8"],
  0x1f: ["reasonString", "utf8"],
  0x21: ["receiveMaximum", "u16"],
  0x22: ["topicAliasMaximum", "u16"],
  0x23: ["topicAlias", "u16"],
  0x24: ["maximumQoS", "byte"],
  0x25: ["retainAvailable", "byte"],
  0x26: ["userProperties", "pair"],
  0x27: ["maximumPacketSize", "u32"],
  0x28: ["wildcardSubscriptionAvailable", "byte"],
  0x29: ["subscriptionIdentifierAvailable", "byte"],
  0x2a: ["sharedSubscriptionAvailable", "byte"],
};

const PROPERTY_IDS = new Map(
  Object.entries(PROPERTIES).map(([id, [name, type]]) => [name, [Number(id), type] as const]),
);

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// ---------------------------------------------------------------------------------------
// Encoding

class Writer {
  #buf = new Uint8Array(64);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#len++] = b & 0xff;
  }

  u16(n: number): void {
    this.byte(n >> 8);
    this.byte(n);
  }

  u32(n: number): void {
    this.u16(Math.floor(n / 0x10000));
    this.u16(n & 0xffff);
  }

  varint(n: number): void {
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      this.byte(b);
    } while (n > 0);
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  binary(data: Uint8Array, what: string): void {
    if (data.length > 0xffff) throw new RangeError(`MQTT ${what} is longer than 65,535 bytes`);
    this.u16(data.length);
    this.bytes(data);
  }

  utf8(text: string, what: string): void {
    this.binary(utf8.encode(text), what);
  }

  get length(): number {
    return this.#len;
  }

  done(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function writeProperties(w: Writer, properties: MqttProperties | undefined): void {
  const body = new Writer();
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value === undefined) continue;
    const known = PROPERTY_IDS.get(name as keyof MqttProperties);
    if (known === undefined) throw new TypeError(`Unknown MQTT property "${name}"`);
    const [id, type] = known;
    if (type === "pair") {
      for (const [k, v] of value as [string, string][]) {
        body.byte(id);
        body.utf8(k, "user property name");
        body.utf8(v, "user property value");
      }
      continue;
    }
    body.byte(id);
    switch (type) {
      case "byte":
        body.byte(value as number);
        break;
      case "u16":
        body.u16(value as number);
        break;
      case "u32":
        body.u32(value as number);
        break;
      case "varint":
        body.varint(value as number);
        break;
      case "utf8":
        body.utf8(value as string, name);
        break;
      case "binary":
        body.binary(value as Uint8Array, name);
        break;
    }
  }
  w.varint(body.length);
  w.bytes(body.done());
}

function checkTopic(topic: string): void {
  if (topic === "") throw new RangeError("MQTT topic is empty");
  if (/[+#]/.test(topic) || topic.includes("\u0000")) {
    throw new RangeError(`MQTT topic has a wildcard or U+0000: "${topic}"`);
  }
}

function checkPacketId(id: number | undefined): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw new RangeError(`MQTT packet identifier out of range: ${id}`);
  }
  return id;
}

/**
 * The bytes of `packet` for a connection speaking `level` (ignored for CONNECT, which
 * names its own).
 *
 * @throws {RangeError} for a value MQTT cannot carry (a topic over 65,535 bytes, QoS 3,
 * packet identifier 0, a packet over 268,435,455 bytes); {TypeError} for an unknown
 * property.
 *
 * @example
 * ```ts
 * import { encodePacket } from "./packet.ts";
 * const bytes = encodePacket({ kind: "PINGREQ" }, 4);
 * console.assert(bytes[0] === 0xc0 && bytes[1] === 0);
 * ```
 */
export function encodePacket(packet: MqttPacket, level: ProtocolLevel): Uint8Array {
  const w = new Writer();
  let flags = 0;
  switch (packet.kind) {
    case "CONNECT": {
      const v = packet.protocolLevel;
      w.utf8(v === 3 ? "MQIsdp" : "MQTT", "protocol name");
      w.byte(v);
      const will = packet.will;
      let cf = 0;
      if (packet.username !== undefined) cf |= 0x80;
      if (packet.password !== undefined) cf |= 0x40;
      if (will !== undefined) {
        if (will.qos > 2) throw new RangeError(`MQTT Will QoS out of range: ${will.qos}`);
        cf |= 0x04 | (will.qos << 3) | (will.retain ? 0x20 : 0);
      }
      if (packet.cleanSession) cf |= 0x02;
      w.byte(cf);
      if (packet.keepAlive < 0 || packet.keepAlive > 0xffff) {
        throw new RangeError(`MQTT Keep Alive out of range: ${packet.keepAlive}`);
      }
      w.u16(packet.keepAlive);
      if (v === 5) writeProperties(w, packet.properties);
      w.utf8(packet.clientId, "client identifier");
      if (will !== undefined) {
        if (v === 5) writeProperties(w, will.properties);
        w.utf8(will.topic, "Will topic");
        w.binary(will.payload, "Will payload");
      }
      if (packet.username !== undefined) w.utf8(packet.username, "user name");
      if (packet.password !== undefined) w.binary(packet.password, "password");
      break;
    }
    case "CONNACK":
      w.byte(packet.sessionPresent ? 1 : 0);
      w.byte(packet.reasonCode);
      if (level === 5) writeProperties(w, packet.properties);
      break;
    case "PUBLISH": {
      if (packet.qos !== 0 && packet.qos !== 1 && packet.qos !== 2) {
        throw new RangeError(`MQTT QoS out of range: ${packet.qos}`);
      }
      checkTopic(packet.topic);
      flags = (packet.dup ? 8 : 0) | (packet.qos << 1) | (packet.retain ? 1 : 0);
      w.utf8(packet.topic, "topic");
      if (packet.qos > 0) w.u16(checkPacketId(packet.packetId));
      if (level === 5) writeProperties(w, packet.properties);
      w.bytes(packet.payload);
      break;
    }
    case "PUBACK":
    case "PUBREC":
    case "PUBREL":
    case "PUBCOMP": {
      if (packet.kind === "PUBREL") flags = 2;
      w.u16(checkPacketId(packet.packetId));
      const code = packet.reasonCode ?? 0;
      const props = packet.properties;
      if (level === 5 && (code !== 0 || props !== undefined)) {
        w.byte(code);
        if (props !== undefined) writeProperties(w, props);
      }
      break;
    }
    case "PINGREQ":
    case "PINGRESP":
      break;
    case "DISCONNECT": {
      const code = packet.reasonCode ?? 0;
      if (level === 5 && (code !== 0 || packet.properties !== undefined)) {
        w.byte(code);
        if (packet.properties !== undefined) writeProperties(w, packet.properties);
      }
      break;
    }
  }
  if (w.length > MAX_REMAINING_LENGTH) {
    throw new RangeError(`MQTT ${packet.kind} is longer than ${MAX_REMAINING_LENGTH} bytes`);
  }
  const out = new Writer();
  out.byte((CODES[packet.kind] << 4) | flags);
  out.varint(w.length);
  out.bytes(w.done());
  return out.done();
}

// ---------------------------------------------------------------------------------------
// Decoding

class Reader {
  #pos = 0;
  constructor(readonly bytes: Uint8Array, readonly kind: string) {}

  fail(what: string): never {
    throw new SyntaxError(`Cannot decode MQTT ${this.kind}: ${what}`);
  }

  get left(): number {
    return this.bytes.length - this.#pos;
  }

  byte(what: string): number {
    if (this.left < 1) this.fail(`truncated ${what}`);
    return this.bytes[this.#pos++];
  }

  u16(what: string): number {
    if (this.left < 2) this.fail(`truncated ${what}`);
    const n = (this.bytes[this.#pos] << 8) | this.bytes[this.#pos + 1];
    this.#pos += 2;
    return n;
  }

  u32(what: string): number {
    const hi = this.u16(what);
    return hi * 0x10000 + this.u16(what);
  }

  varint(what: string): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.byte(what);
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return n;
      mul *= 128;
    }
    this.fail(`${what} is longer than 4 bytes`);
  }

  take(n: number, what: string): Uint8Array {
    if (this.left < n) this.fail(`truncated ${what}`);
    const out = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  binary(what: string): Uint8Array {
    return this.take(this.u16(what), what).slice();
  }

  utf8(what: string): string {
    const raw = this.take(this.u16(what), what);
    let text: string;
    try {
      text = strictUtf8.decode(raw);
    } catch {
      this.fail(`${what} is not UTF-8`);
    }
    if (text.includes("\u0000")) this.fail(`${what} has U+0000`);
    return text;
  }

  rest(): Uint8Array {
    return this.take(this.left, "payload").slice();
  }

  end(): void {
    if (this.left !== 0) this.fail(`${this.left} bytes left over`);
  }
}

function readProperties(r: Reader): MqttProperties | undefined {
  const length = r.varint("property length");
  if (length === 0) return undefined;
  const sub = new Reader(r.take(length, "properties"), r.kind);
  const out: Record<string, unknown> = {};
  while (sub.left > 0) {
    const id = sub.varint("property identifier");
    const known = PROPERTIES[id];
    if (known === undefined) sub.fail(`unknown property 0x${id.toString(16)}`);
    const [name, type] = known;
    if (type === "pair") {
      const pairs = (out[name] ??= []) as [string, string][];
      pairs.push([sub.utf8("user property name"), sub.utf8("user property value")]);
      continue;
    }
    if (name in out) sub.fail(`property ${name} repeated`);
    switch (type) {
      case "byte":
        out[name] = sub.byte(name);
        break;
      case "u16":
        out[name] = sub.u16(name);
        break;
      case "u32":
        out[name] = sub.u32(name);
        break;
      case "varint":
        out[name] = sub.varint(name);
        break;
      case "utf8":
        out[name] = sub.utf8(name);
        break;
      case "binary":
        out[name] = sub.binary(name);
        break;
    }
  }
  return out as MqttProperties;
}

function readQos(r: Reader, bits: number, what: string): QoS {
  if (bits > 2) r.fail(`${what} QoS 3`);
  return bits as QoS;
}

function readPacketId(r: Reader): number {
  const id = r.u16("packet identifier");
  if (id === 0) r.fail("packet identifier 0");
  return id;
}

/**
 * The packet in `bytes`: exactly one, fixed header included, on a connection speaking
 * `level` (a CONNECT names its own).
 *
 * @throws {SyntaxError} for a malformed packet (see the module doc).
 *
 * @example
 * ```ts
 * import { decodePacket } from "./packet.ts";
 * const p = decodePacket(new Uint8Array([0x20, 2, 0, 0]), 4);
 * console.assert(p.kind === "CONNACK" && p.reasonCode === 0);
 * ```
 */
export function decodePacket(bytes: Uint8Array, level: ProtocolLevel): MqttPacket {
  if (bytes.length < 2) throw new SyntaxError("Cannot decode MQTT packet: truncated fixed header");
  const type = bytes[0] >> 4;
  const flags = bytes[0] & 0x0f;
  const kind = TYPES[type];
  if (kind === undefined) throw new SyntaxError("Cannot decode MQTT packet: reserved type 0");
  const head = new Reader(bytes, kind);
  head.byte("fixed header");
  const length = head.varint("remaining length");
  if (head.left < length) head.fail("truncated packet");
  if (head.left > length) head.fail(`${head.left - length} bytes left over`);
  const r = new Reader(head.take(length, "packet"), kind);
  if (kind !== "PUBLISH" && flags !== (kind === "PUBREL" ? 2 : 0)) {
    r.fail(`reserved flags ${flags.toString(2).padStart(4, "0")}`);
  }
  let packet: MqttPacket;
  switch (kind) {
    case "CONNECT": {
      const name = r.utf8("protocol name");
      const v = r.byte("protocol level");
      if (!((name === "MQTT" && (v === 4 || v === 5)) || (name === "MQIsdp" && v === 3))) {
        r.fail(`unsupported protocol "${name}" level ${v}`);
      }
      const cf = r.byte("connect flags");
      if (cf & 1) r.fail("reserved connect flag set");
      const keepAlive = r.u16("keep alive");
      const properties = v === 5 ? readProperties(r) : undefined;
      const clientId = r.utf8("client identifier");
      const connect: ConnectPacket = {
        kind,
        protocolLevel: v as ProtocolLevel,
        clientId,
        cleanSession: (cf & 0x02) !== 0,
        keepAlive,
      };
      if (properties !== undefined) connect.properties = properties;
      if (cf & 0x04) {
        const willProperties = v === 5 ? readProperties(r) : undefined;
        const will: MqttWill = {
          topic: r.utf8("Will topic"),
          payload: r.binary("Will payload"),
          qos: readQos(r, (cf >> 3) & 3, "Will"),
          retain: (cf & 0x20) !== 0,
        };
        if (willProperties !== undefined) will.properties = willProperties;
        connect.will = will;
      } else if (cf & 0x38) {
        r.fail("Will QoS or Retain without a Will");
      }
      if (cf & 0x80) connect.username = r.utf8("user name");
      if (cf & 0x40) connect.password = r.binary("password");
      packet = connect;
      break;
    }
    case "CONNACK": {
      const ack = r.byte("acknowledge flags");
      if (ack & 0xfe) r.fail("reserved acknowledge flags set");
      const connack: ConnackPacket = {
        kind,
        sessionPresent: (ack & 1) === 1,
        reasonCode: r.byte("reason code"),
      };
      const properties = level === 5 ? readProperties(r) : undefined;
      if (properties !== undefined) connack.properties = properties;
      packet = connack;
      break;
    }
    case "PUBLISH": {
      const qos = readQos(r, (flags >> 1) & 3, "PUBLISH");
      const dup = (flags & 8) !== 0;
      if (qos === 0 && dup) r.fail("DUP set on QoS 0");
      const topic = r.utf8("topic");
      if (/[+#]/.test(topic)) r.fail(`wildcard in topic "${topic}"`);
      const publish: PublishPacket = {
        kind,
        topic,
        payload: new Uint8Array(),
        qos,
        retain: (flags & 1) === 1,
        dup,
      };
      if (qos > 0) publish.packetId = readPacketId(r);
      const properties = level === 5 ? readProperties(r) : undefined;
      if (properties !== undefined) publish.properties = properties;
      if (topic === "" && properties?.topicAlias === undefined) r.fail("empty topic");
      publish.payload = r.rest();
      packet = publish;
      break;
    } // deno-fmt-ignore
    case "PUBACK":
    case "PUBREC":
    case "PUBREL":
    case "PUBCOMP": {
      const ackPacket: AckPacket = { kind, packetId: readPacketId(r) };
      if (level === 5 && r.left > 0) {
        ackPacket.reasonCode = r.byte("reason code");
        const properties = r.left > 0 ? readProperties(r) : undefined;
        if (properties !== undefined) ackPacket.properties = properties;
      }
      packet = ackPacket;
      break;
    }
    case "PINGREQ":
    case "PINGRESP":
      packet = { kind };
      break;
    case "DISCONNECT": {
      const disconnect: DisconnectPacket = { kind };
      if (level === 5 && r.left > 0) {
        disconnect.reasonCode = r.byte("reason code");
        const properties = r.left > 0 ? readProperties(r) : undefined;
        if (properties !== undefined) disconnect.properties = properties;
      }
      packet = disconnect;
      break;
    }
    default:
      return r.fail("not supported by a publishing client");
  }
  r.end();
  return packet;
}

/** Options of {@linkcode PacketReader}. */
export interface PacketReaderOptions {
  /** The connection's protocol level. */
  level: ProtocolLevel;
  /** Largest whole packet accepted, bytes (fixed header included); default 1 MiB. */
  maxPacketSize?: number;
}

/**
 * Splits a byte stream into packets. A packet whose announced size passes
 * `maxPacketSize` is refused from its fixed header, before its body is buffered.
 *
 * @example
 * ```ts
 * import { PacketReader } from "./packet.ts";
 * const reader = new PacketReader({ level: 4 });
 * reader.push(new Uint8Array([0xd0, 0, 0x20]));
 * console.assert(reader.next()?.kind === "PINGRESP" && reader.next() === undefined);
 * ```
 */
export class PacketReader {
  readonly #level: ProtocolLevel;
  readonly #max: number;
  #buf = new Uint8Array(0);

  /** An empty reader. */
  constructor(options: PacketReaderOptions) {
    this.#level = options.level;
    this.#max = options.maxPacketSize ?? 1024 * 1024;
  }

  /** Appends received bytes. */
  push(chunk: Uint8Array): void {
    if (this.#buf.length === 0) {
      this.#buf = chunk.slice();
      return;
    }
    const next = new Uint8Array(this.#buf.length + chunk.length);
    next.set(this.#buf);
    next.set(chunk, this.#buf.length);
    this.#buf = next;
  }

  /** Bytes held that are not a whole packet yet. */
  get buffered(): number {
    return this.#buf.length;
  }

  /**
   * The next whole packet, or undefined until more bytes arrive.
   *
   * @throws {SyntaxError} for a malformed packet; {RangeError} for one over the limit.
   */
  next(): MqttPacket | undefined {
    const buf = this.#buf;
    if (buf.length < 2) return undefined;
    let length = 0;
    let mul = 1;
    let i = 1;
    for (;; i++) {
      if (i > 4) {
        throw new SyntaxError("Cannot decode MQTT packet: remaining length is longer than 4 bytes");
      }
      if (i >= buf.length) return undefined;
      length += (buf[i] & 0x7f) * mul;
      if ((buf[i] & 0x80) === 0) break;
      mul *= 128;
    }
    const total = i + 1 + length;
    if (total > this.#max) {
      const kind = TYPES[buf[0] >> 4] ?? "packet";
      throw new RangeError(
        `MQTT ${kind} of ${total} bytes is over the limit of ${this.#max} bytes`,
      );
    }
    if (buf.length < total) return undefined;
    const packet = decodePacket(buf.subarray(0, total), this.#level);
    this.#buf = buf.slice(total);
    return packet;
  }
}
