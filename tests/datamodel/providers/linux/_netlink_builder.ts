/**
 * Builds NETLINK_ROUTE messages for the parser tests: attributes (rtattr, padded to 4
 * bytes) and `RTM_NEWLINK` messages (nlmsghdr + ifinfomsg + attributes).
 *
 * @module
 */

/** An rtattr of `type` around `payload`, padded to a multiple of 4 bytes. */
export function rtattr(type: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array((4 + payload.length + 3) & ~3);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 4 + payload.length, true);
  view.setUint16(2, type, true);
  bytes.set(payload, 4);
  return bytes;
}

/** A NUL-terminated string payload. */
export function cString(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}

/** Attributes one after the other (a nested attribute's payload). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An `RTM_NEWLINK` message of link `ifindex` (ARPHRD `type`) with `attributes`. */
export function linkMessage(ifindex: number, type: number, attributes: Uint8Array[]): Uint8Array {
  const body = concat(new Uint8Array(16), ...attributes);
  const view = new DataView(body.buffer);
  view.setUint16(2, type, true);
  view.setInt32(4, ifindex, true);
  view.setUint32(8, 0x1, true); // IFF_UP
  const header = new Uint8Array(16);
  new DataView(header.buffer).setUint32(0, 16 + body.length, true);
  new DataView(header.buffer).setUint16(4, 16, true); // RTM_NEWLINK
  return concat(header, body);
}

/** `values` as an array of little-endian s32 (IFLA_INET6_CONF). */
export function s32s(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(bytes.buffer).setInt32(4 * i, v, true));
  return bytes;
}
