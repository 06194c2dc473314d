/**
 * TWAMP-Control messages, unauthenticated mode: the pure codec of the control
 * connection (RFC 5357 §3, on RFC 4656 §3 OWAMP-Control). Symmetric: it encodes and
 * decodes both the server's and the Control-Client's messages, so tests drive the
 * server with a client built on it. No I/O, no clock, no randomness: times and random
 * fields arrive as values.
 *
 * Every message has a fixed length, so the reader of a TCP stream knows how many bytes
 * to read from the connection state and, for commands, from the first byte:
 *
 * ```
 * Server-Greeting   64  Unused 12 | Modes 4 | Challenge 16 | Salt 16 | Count 4 | MBZ 12
 * Set-Up-Response  164  Mode 4 | KeyID 80 | Token 64 | Client-IV 16
 * Server-Start      48  MBZ 15 | Accept 1 | Server-IV 16 | Start-Time 8 | MBZ 8
 * Request-TW-Session 112  5 | MBZ·IPVN (4 bits each) | Conf-Sender | Conf-Receiver
 *                       | Number of Schedule Slots 4 | Number of Packets 4
 *                       | Sender Port 2 | Receiver Port 2
 *                       | Sender Address 16 | Receiver Address 16 (IPv4: 4 + MBZ 12)
 *                       | SID 16 | Padding Length 4 | Start Time 8 | Timeout 8
 *                       | Type-P Descriptor 4 | MBZ 8 | HMAC 16
 * Accept-Session    48  Accept 1 | MBZ 1 | Port 2 | SID 16 | MBZ 12 | HMAC 16
 * Start-Sessions    32  2 | MBZ 15 | HMAC 16
 * Start-Ack         32  Accept 1 | MBZ 15 | HMAC 16
 * Stop-Sessions     32  3 | Accept 1 | MBZ 2 | Number of Sessions 4 | MBZ 8 | HMAC 16
 * ```
 *
 * All integers are big-endian; times are 64-bit NTP values (see `packet.ts`), and
 * Timeout is a duration in the same format. The layout above was checked against the
 * RFC figures as remembered and against Wireshark's `packet-twamp.c` dissector (which
 * reads the same offsets); the tshark test decodes our bytes with it.
 *
 * Decoding is lenient where the RFCs say "MBZ" (ignored on receipt) and strict about
 * lengths, command numbers and IPVN: anything else throws `SyntaxError`. In
 * unauthenticated mode KeyID, Token, Client-IV, Server-IV and every HMAC carry nothing;
 * they are decoded as bytes and encoded as given (default zeros).
 *
 * @module
 */

import { formatIPv4, formatIPv6, parseIpAddress } from "../udp/ip_address.ts";

/** TCP port of TWAMP-Control (IANA "twamp-control", as commonly used; FACTS §10.2 [U]). */
export const TWAMP_CONTROL_PORT = 862;

/** Modes bits of Server-Greeting and Set-Up-Response (RFC 4656 §3.1, RFC 5357 §3.1). */
export const Mode = {
  /** Modes 0 in a greeting: the server will not talk (and closes). */
  Closed: 0,
  Unauthenticated: 1,
  Authenticated: 2,
  Encrypted: 4,
} as const;

/** Accept values (RFC 4656 §3.3, used by TWAMP unchanged). */
export const AcceptCode = {
  Ok: 0,
  Failure: 1,
  InternalError: 2,
  NotSupported: 3,
  PermanentResourceLimitation: 4,
  TemporaryResourceLimitation: 5,
} as const;

/** Command numbers of the Control-Client's messages (RFC 5357 §3.4, RFC 4656 §3.4). */
export const Command = {
  StartSessions: 2,
  StopSessions: 3,
  RequestTwSession: 5,
} as const;

/** The length of each message, bytes. */
export const CONTROL_MESSAGE_LENGTH = {
  ServerGreeting: 64,
  SetUpResponse: 164,
  ServerStart: 48,
  RequestTwSession: 112,
  AcceptSession: 48,
  StartSessions: 32,
  StartAck: 32,
  StopSessions: 32,
} as const;

/** Smallest Count a server may send (RFC 4656 §3.1: a power of 2, at least 1024). */
export const MIN_COUNT = 1024;

/** Server → client, first message. */
export interface ServerGreeting {
  readonly kind: "ServerGreeting";
  /** Bit set of {@linkcode Mode}; 0 = the server refuses the connection. */
  readonly modes: number;
  /** 16 bytes (used by the authenticated modes only). */
  readonly challenge: Uint8Array;
  /** 16 bytes (key derivation, authenticated modes only). */
  readonly salt: Uint8Array;
  /** PBKDF2 iteration count; ≥ 1024, a power of 2. */
  readonly count: number;
}

/** Client → server, answers the greeting. */
export interface SetUpResponse {
  readonly kind: "SetUpResponse";
  /** The one mode chosen; 0 = the client gives up. */
  readonly mode: number;
  /** 80 bytes (default zeros). */
  readonly keyId?: Uint8Array;
  /** 64 bytes (default zeros). */
  readonly token?: Uint8Array;
  /** 16 bytes (default zeros). */
  readonly clientIv?: Uint8Array;
}

/** Server → client, ends the setup. */
export interface ServerStart {
  readonly kind: "ServerStart";
  /** {@linkcode AcceptCode}; non-zero: the server closes the connection. */
  readonly accept: number;
  /** 16 bytes (default zeros). */
  readonly serverIv?: Uint8Array;
  /** When the server started, 64-bit NTP. */
  readonly startTime: bigint;
}

/** Client → server: one test session (command 5). */
export interface RequestTwSession {
  readonly kind: "RequestTwSession";
  /** IP version of the addresses, 4 or 6. */
  readonly ipvn: 4 | 6;
  /** RFC 5357 §3.5: both 0 in TWAMP (carried as received). */
  readonly confSender: number;
  readonly confReceiver: number;
  /** Both 0 in TWAMP (carried as received). */
  readonly numberOfScheduleSlots: number;
  readonly numberOfPackets: number;
  readonly senderPort: number;
  readonly receiverPort: number;
  /** Text address; "" or the zero address = unspecified. */
  readonly senderAddress: string;
  readonly receiverAddress: string;
  /** 16 bytes (the server assigns the SID it returns in Accept-Session). */
  readonly sid?: Uint8Array;
  /** Padding bytes the Session-Sender appends to each test packet. */
  readonly paddingLength: number;
  /** 64-bit NTP. */
  readonly startTime: bigint;
  /** Duration in 64-bit NTP format: how long to reflect after Stop-Sessions. */
  readonly timeout: bigint;
  /** Type-P Descriptor: `00` + DSCP in the low 6 bits (RFC 4656 §3.5). */
  readonly typePDescriptor: number;
  /** 16 bytes (default zeros). */
  readonly hmac?: Uint8Array;
}

/** Server → client: the answer to a Request-TW-Session. */
export interface AcceptSession {
  readonly kind: "AcceptSession";
  readonly accept: number;
  /** UDP port the Session-Reflector listens on (0 when refused). */
  readonly port: number;
  /** 16 bytes. */
  readonly sid: Uint8Array;
  readonly hmac?: Uint8Array;
}

/** Client → server (command 2). */
export interface StartSessions {
  readonly kind: "StartSessions";
  readonly hmac?: Uint8Array;
}

/** Server → client: the answer to Start-Sessions. */
export interface StartAck {
  readonly kind: "StartAck";
  readonly accept: number;
  readonly hmac?: Uint8Array;
}

/** Client → server (command 3); TWAMP carries no session descriptions after it. */
export interface StopSessions {
  readonly kind: "StopSessions";
  readonly accept: number;
  readonly numberOfSessions: number;
  readonly hmac?: Uint8Array;
}

/** Every TWAMP-Control message of the unauthenticated mode. */
export type ControlMessage =
  | ServerGreeting
  | SetUpResponse
  | ServerStart
  | RequestTwSession
  | AcceptSession
  | StartSessions
  | StartAck
  | StopSessions;

/** A message's `kind`. */
export type ControlMessageKind = ControlMessage["kind"];

/** A client command's message kind by its first byte, or undefined for any other byte. */
export function commandKind(
  firstByte: number,
): "RequestTwSession" | "StartSessions" | "StopSessions" | undefined {
  switch (firstByte) {
    case Command.RequestTwSession:
      return "RequestTwSession";
    case Command.StartSessions:
      return "StartSessions";
    case Command.StopSessions:
      return "StopSessions";
    default:
      return undefined;
  }
}

/**
 * Encodes `message` into a new buffer of its fixed length.
 *
 * @throws {RangeError} when a field does not fit, {TypeError} on a bad address
 */
export function encodeControlMessage(message: ControlMessage): Uint8Array {
  const out = new Uint8Array(CONTROL_MESSAGE_LENGTH[message.kind]);
  const view = new DataView(out.buffer);
  switch (message.kind) {
    case "ServerGreeting":
      view.setUint32(12, u32(message.modes, "Modes"));
      put(out, 16, 16, message.challenge, "Challenge");
      put(out, 32, 16, message.salt, "Salt");
      view.setUint32(48, u32(message.count, "Count"));
      break;
    case "SetUpResponse":
      view.setUint32(0, u32(message.mode, "Mode"));
      put(out, 4, 80, message.keyId, "KeyID");
      put(out, 84, 64, message.token, "Token");
      put(out, 148, 16, message.clientIv, "Client-IV");
      break;
    case "ServerStart":
      out[15] = u8(message.accept, "Accept");
      put(out, 16, 16, message.serverIv, "Server-IV");
      view.setBigUint64(32, u64(message.startTime, "Start-Time"));
      break;
    case "RequestTwSession":
      out[0] = Command.RequestTwSession;
      if (message.ipvn !== 4 && message.ipvn !== 6) {
        throw new RangeError(`IPVN must be 4 or 6: "${message.ipvn}"`);
      }
      out[1] = message.ipvn;
      out[2] = u8(message.confSender, "Conf-Sender");
      out[3] = u8(message.confReceiver, "Conf-Receiver");
      view.setUint32(4, u32(message.numberOfScheduleSlots, "Number of Schedule Slots"));
      view.setUint32(8, u32(message.numberOfPackets, "Number of Packets"));
      view.setUint16(12, u16(message.senderPort, "Sender Port"));
      view.setUint16(14, u16(message.receiverPort, "Receiver Port"));
      out.set(addressBytes(message.senderAddress, message.ipvn), 16);
      out.set(addressBytes(message.receiverAddress, message.ipvn), 32);
      put(out, 48, 16, message.sid, "SID");
      view.setUint32(64, u32(message.paddingLength, "Padding Length"));
      view.setBigUint64(68, u64(message.startTime, "Start Time"));
      view.setBigUint64(76, u64(message.timeout, "Timeout"));
      view.setUint32(84, u32(message.typePDescriptor, "Type-P Descriptor"));
      put(out, 96, 16, message.hmac, "HMAC");
      break;
    case "AcceptSession":
      out[0] = u8(message.accept, "Accept");
      view.setUint16(2, u16(message.port, "Port"));
      put(out, 4, 16, message.sid, "SID");
      put(out, 32, 16, message.hmac, "HMAC");
      break;
    case "StartSessions":
      out[0] = Command.StartSessions;
      put(out, 16, 16, message.hmac, "HMAC");
      break;
    case "StartAck":
      out[0] = u8(message.accept, "Accept");
      put(out, 16, 16, message.hmac, "HMAC");
      break;
    case "StopSessions":
      out[0] = Command.StopSessions;
      out[1] = u8(message.accept, "Accept");
      view.setUint32(4, u32(message.numberOfSessions, "Number of Sessions"));
      put(out, 16, 16, message.hmac, "HMAC");
      break;
  }
  return out;
}

/** The message type `decodeControlMessage(kind, …)` returns. */
export type ControlMessageOf<K extends ControlMessageKind> = Extract<ControlMessage, { kind: K }>;

/**
 * Decodes `data` as a message of `kind` (the connection state says which one comes).
 *
 * @throws {SyntaxError} on a wrong length, command number or IPVN
 */
export function decodeControlMessage<K extends ControlMessageKind>(
  kind: K,
  data: Uint8Array,
): ControlMessageOf<K> {
  const expected = CONTROL_MESSAGE_LENGTH[kind];
  if (data.length !== expected) {
    throw new SyntaxError(`Cannot decode ${kind}: ${data.length} bytes, expected ${expected}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bytes = (offset: number, length: number) => data.slice(offset, offset + length);
  const command = (n: number) => {
    if (data[0] !== n) {
      throw new SyntaxError(`Cannot decode ${kind}: command "${data[0]}", expected ${n}`);
    }
  };
  let message: ControlMessage;
  switch (kind) {
    case "ServerGreeting":
      message = {
        kind,
        modes: view.getUint32(12),
        challenge: bytes(16, 16),
        salt: bytes(32, 16),
        count: view.getUint32(48),
      };
      break;
    case "SetUpResponse":
      message = {
        kind,
        mode: view.getUint32(0),
        keyId: bytes(4, 80),
        token: bytes(84, 64),
        clientIv: bytes(148, 16),
      };
      break;
    case "ServerStart":
      message = {
        kind,
        accept: data[15],
        serverIv: bytes(16, 16),
        startTime: view.getBigUint64(32),
      };
      break;
    case "RequestTwSession": {
      command(Command.RequestTwSession);
      const ipvn = data[1] & 0x0f;
      if (ipvn !== 4 && ipvn !== 6) {
        throw new SyntaxError(`Cannot decode ${kind}: IPVN "${ipvn}" is neither 4 nor 6`);
      }
      message = {
        kind,
        ipvn,
        confSender: data[2],
        confReceiver: data[3],
        numberOfScheduleSlots: view.getUint32(4),
        numberOfPackets: view.getUint32(8),
        senderPort: view.getUint16(12),
        receiverPort: view.getUint16(14),
        senderAddress: addressText(data, 16, ipvn),
        receiverAddress: addressText(data, 32, ipvn),
        sid: bytes(48, 16),
        paddingLength: view.getUint32(64),
        startTime: view.getBigUint64(68),
        timeout: view.getBigUint64(76),
        typePDescriptor: view.getUint32(84),
        hmac: bytes(96, 16),
      };
      break;
    }
    case "AcceptSession":
      message = {
        kind,
        accept: data[0],
        port: view.getUint16(2),
        sid: bytes(4, 16),
        hmac: bytes(32, 16),
      };
      break;
    case "StartSessions":
      command(Command.StartSessions);
      message = { kind, hmac: bytes(16, 16) };
      break;
    case "StartAck":
      message = { kind, accept: data[0], hmac: bytes(16, 16) };
      break;
    case "StopSessions":
      command(Command.StopSessions);
      message = {
        kind,
        accept: data[1],
        numberOfSessions: view.getUint32(4),
        hmac: bytes(16, 16),
      };
      break;
    default:
      throw new TypeError(`Unknown TWAMP-Control message kind: "${kind}"`);
  }
  return message as ControlMessageOf<K>;
}

/**
 * A Session Identifier as RFC 4656 §3.5 builds it: the receiver's IPv4 address (4
 * bytes), an NTP timestamp (8) and 4 random bytes. For an IPv6 receiver the RFC's
 * rule is not applied here [U]: the last 4 bytes of its address stand in.
 */
export function makeSid(receiverAddress: string, ntpTime: bigint, random: Uint8Array): Uint8Array {
  const sid = new Uint8Array(16);
  const address = parseIpAddress(receiverAddress);
  if (address !== undefined) sid.set(address.subarray(address.length - 4), 0);
  new DataView(sid.buffer).setBigUint64(4, u64(ntpTime, "SID timestamp"));
  put(sid, 12, 4, random.subarray(0, 4), "SID random");
  return sid;
}

/** An NTP-format duration (Timeout) in milliseconds, rounded up. */
export function ntpDurationToMs(duration: bigint): number {
  const seconds = duration >> 32n;
  const fraction = duration & 0xffff_ffffn;
  return Number(seconds) * 1000 + Number((fraction * 1000n + 0xffff_ffffn) >> 32n);
}

/** Milliseconds as an NTP-format duration (Timeout). */
export function msToNtpDuration(ms: number): bigint {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Duration must be ≥ 0 ms: "${ms}"`);
  const whole = Math.floor(ms / 1000);
  const fraction = (BigInt(Math.round((ms - whole * 1000) * 1000)) << 32n) / 1_000_000n;
  return (BigInt(whole) << 32n) | fraction;
}

function put(
  out: Uint8Array,
  offset: number,
  length: number,
  value: Uint8Array | undefined,
  field: string,
): void {
  if (value === undefined) return;
  if (value.length !== length) {
    throw new RangeError(`${field} must be ${length} bytes: ${value.length}`);
  }
  out.set(value, offset);
}

function addressBytes(text: string, ipvn: 4 | 6): Uint8Array {
  const out = new Uint8Array(16);
  if (text === "") return out;
  const bytes = parseIpAddress(text);
  if (bytes === undefined || bytes.length !== (ipvn === 4 ? 4 : 16)) {
    throw new TypeError(`Not an IPv${ipvn} address: "${text}"`);
  }
  out.set(bytes);
  return out;
}

function addressText(data: Uint8Array, offset: number, ipvn: 4 | 6): string {
  return ipvn === 4 ? formatIPv4(data, offset) : formatIPv6(data, offset);
}

function check(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${field} must be an integer 0–${max}: "${value}"`);
  }
  return value;
}

function u8(value: number, field: string): number {
  return check(value, 0xff, field);
}

function u16(value: number, field: string): number {
  return check(value, 0xffff, field);
}

function u32(value: number, field: string): number {
  return check(value, 0xffff_ffff, field);
}

function u64(value: bigint, field: string): bigint {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`${field} must fit 64 bits: "${value}"`);
  }
  return value;
}
