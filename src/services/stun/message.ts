/**
 * The STUN messages of TR-111 Part 2 (TR-069 Annex G): Binding Requests from the
 * connection-request port and the server's answers. Pure: bytes in, values out; no
 * socket, no clock.
 *
 * Wire format (RFC 5389 §6, read by RFC 3489 servers as a 128-bit transaction ID):
 *
 * ```
 * 0 0 type(14) | length(16) | magic cookie 0x2112A442 | transaction ID (96 bits)
 * attributes: type(16) length(16) value, padded to 32 bits
 * ```
 *
 * | Attribute | Type | Use |
 * |---|---|---|
 * | MAPPED-ADDRESS | 0x0001 | the binding (RFC 3489 servers) |
 * | USERNAME | 0x0006 | STUNUsername, when set and the server asks for integrity |
 * | MESSAGE-INTEGRITY | 0x0008 | HMAC-SHA1 keyed with STUNPassword over the message before it |
 * | ERROR-CODE | 0x0009 | class × 100 + number, reason |
 * | XOR-MAPPED-ADDRESS | 0x0020 (0x8020 in RFC 3489bis drafts) | the binding (RFC 5389 servers) |
 * | CONNECTION-REQUEST-BINDING | 0xC001 | `dslforum.org/TR-111 `: this binding carries UDP connection requests |
 * | BINDING-CHANGE | 0xC002 | empty: the binding changed since the last request |
 *
 * Both TR-111 attributes lie in the comprehension-optional range, so any STUN server
 * answers the request and ignores them.
 *
 * @module
 */

import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";

export const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;
export const BINDING_ERROR = 0x0111;
export const MAGIC_COOKIE = 0x2112a442;

const MAPPED_ADDRESS = 0x0001;
const USERNAME = 0x0006;
const MESSAGE_INTEGRITY = 0x0008;
const ERROR_CODE = 0x0009;
const XOR_MAPPED_ADDRESS = 0x0020;
const XOR_MAPPED_ADDRESS_DRAFT = 0x8020;
const CONNECTION_REQUEST_BINDING = 0xc001;
const BINDING_CHANGE = 0xc002;

/** The value of CONNECTION-REQUEST-BINDING (TR-111: 20 bytes, with the trailing space). */
export const CONNECTION_REQUEST_BINDING_VALUE = "dslforum.org/TR-111 ";

/** Bytes a STUN message may have here: a Binding Response is far smaller. */
export const MAX_STUN_BYTES = 1024;

const HEADER_BYTES = 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** What a Binding Request carries. */
export interface BindingRequestOptions {
  /** 16 bytes: the magic cookie then 12 random bytes (see {@linkcode newTransactionId}). */
  transactionId: Uint8Array;
  /** Add BINDING-CHANGE. */
  bindingChange?: boolean;
  /** USERNAME and MESSAGE-INTEGRITY keyed with `password`. */
  credentials?: { username: string; password: string };
}

/** A transaction ID: the magic cookie then the 12 `random` bytes. */
export function newTransactionId(random: Uint8Array): Uint8Array {
  if (random.length !== 12) throw new RangeError("A transaction ID needs 12 random bytes");
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, MAGIC_COOKIE);
  id.set(random, 4);
  return id;
}

function attribute(type: number, value: Uint8Array): Uint8Array {
  const padded = (value.length + 3) & ~3;
  const out = new Uint8Array(4 + padded);
  const view = new DataView(out.buffer);
  view.setUint16(0, type);
  view.setUint16(2, value.length);
  out.set(value, 4);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function header(type: number, length: number, transactionId: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint16(0, type);
  view.setUint16(2, length);
  out.set(transactionId, 4);
  return out;
}

/** A Binding Request from the connection-request port (TR-111 Part 2). */
export function encodeBindingRequest(options: BindingRequestOptions): Uint8Array {
  const { transactionId, credentials } = options;
  if (transactionId.length !== 16) throw new RangeError("The transaction ID has 16 bytes");
  const attributes = [
    attribute(CONNECTION_REQUEST_BINDING, encoder.encode(CONNECTION_REQUEST_BINDING_VALUE)),
  ];
  if (options.bindingChange) attributes.push(attribute(BINDING_CHANGE, new Uint8Array()));
  if (credentials === undefined) {
    const body = concat(attributes);
    return concat([header(BINDING_REQUEST, body.length, transactionId), body]);
  }
  attributes.push(attribute(USERNAME, encoder.encode(credentials.username)));
  const body = concat(attributes);
  // RFC 5389 §15.4: the HMAC covers the message up to the attribute, with a length
  // that already counts MESSAGE-INTEGRITY (24 bytes).
  const signed = concat([header(BINDING_REQUEST, body.length + 24, transactionId), body]);
  const mac = hmac(sha1, encoder.encode(credentials.password), signed);
  return concat([signed, attribute(MESSAGE_INTEGRITY, mac)]);
}

/** An address and port, as STUN reports it. */
export interface StunAddress {
  address: string;
  port: number;
}

/** A decoded Binding Response. */
export type BindingResponse =
  | { kind: "success"; transactionId: Uint8Array; mapped: StunAddress }
  | { kind: "error"; transactionId: Uint8Array; code: number; reason: string };

/** Why a datagram is not a usable Binding Response. */
export class StunDecodeError extends Error {}

/** True when `data` looks like a STUN message (and not, say, an HTTP request). */
export function isStun(data: Uint8Array): boolean {
  return data.length >= HEADER_BYTES && (data[0] & 0xc0) === 0 &&
    (((data[2] << 8) | data[3]) & 3) === 0;
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // The canonical short form (RFC 5952): the longest run of two or more zero groups.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(":");
  const head = groups.slice(0, best.at).join(":");
  const tail = groups.slice(best.at + best.len).join(":");
  return `${head}::${tail}`;
}

function decodeAddress(value: Uint8Array, xor: Uint8Array | undefined): StunAddress {
  if (value.length < 4) throw new StunDecodeError("Address attribute too short");
  const family = value[1];
  const length = family === 1 ? 4 : family === 2 ? 16 : 0;
  if (length === 0 || value.length < 4 + length) {
    throw new StunDecodeError(`Address family ${family} or length ${value.length} not valid`);
  }
  let port = (value[2] << 8) | value[3];
  const bytes = value.slice(4, 4 + length);
  if (xor !== undefined) {
    port ^= (xor[0] << 8) | xor[1];
    for (let i = 0; i < length; i++) bytes[i] ^= xor[i];
  }
  const address = length === 4 ? bytes.join(".") : ipv6Text(bytes);
  return { address, port };
}

/**
 * Decodes a Binding Response (success or error). Throws {@linkcode StunDecodeError} on
 * anything else or anything malformed; never reads past `data`.
 */
export function decodeBindingResponse(data: Uint8Array): BindingResponse {
  if (data.length > MAX_STUN_BYTES) throw new StunDecodeError("STUN message too long");
  if (!isStun(data)) throw new StunDecodeError("Not a STUN message");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = view.getUint16(0);
  const length = view.getUint16(2);
  if (HEADER_BYTES + length !== data.length) {
    throw new StunDecodeError(`STUN length ${length} does not match ${data.length - 20} bytes`);
  }
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) {
    throw new StunDecodeError(`Not a Binding Response: type 0x${type.toString(16)}`);
  }
  const transactionId = data.slice(4, 20);
  let mapped: StunAddress | undefined;
  let xorMapped: StunAddress | undefined;
  let error: { code: number; reason: string } | undefined;
  for (let at = HEADER_BYTES; at < data.length;) {
    if (at + 4 > data.length) throw new StunDecodeError("Truncated attribute header");
    const attrType = view.getUint16(at);
    const attrLength = view.getUint16(at + 2);
    const end = at + 4 + attrLength;
    if (end > data.length) throw new StunDecodeError("Truncated attribute");
    const value = data.subarray(at + 4, end);
    if (attrType === MAPPED_ADDRESS) mapped = decodeAddress(value, undefined);
    else if (attrType === XOR_MAPPED_ADDRESS || attrType === XOR_MAPPED_ADDRESS_DRAFT) {
      // XOR with the cookie (port: its top 16 bits; IPv6: cookie + transaction ID).
      xorMapped = decodeAddress(value, transactionId);
    } else if (attrType === ERROR_CODE) {
      if (value.length < 4) throw new StunDecodeError("ERROR-CODE too short");
      const code = (value[2] & 7) * 100 + value[3];
      error = { code, reason: decoder.decode(value.subarray(4)).slice(0, 128) };
    }
    at = at + 4 + ((attrLength + 3) & ~3);
  }
  if (type === BINDING_ERROR) {
    return { kind: "error", transactionId, code: error?.code ?? 0, reason: error?.reason ?? "" };
  }
  const address = xorMapped ?? mapped;
  if (address === undefined) throw new StunDecodeError("Binding Response without an address");
  return { kind: "success", transactionId, mapped: address };
}

/** `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
