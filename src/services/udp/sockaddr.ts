/**
 * Codec of `struct sockaddr_in` (16 bytes) and `struct sockaddr_in6` (28 bytes), Linux
 * layout (glibc and musl agree): `sa_family` in host order (little-endian on x86_64 and
 * aarch64, the only targets of the FFI path), port in network order.
 *
 * ```
 * sockaddr_in:  0 family u16 | 2 port u16 BE | 4 addr[4] | 8 zero[8]                 = 16
 * sockaddr_in6: 0 family u16 | 2 port u16 BE | 4 flowinfo u32 | 8 addr[16] | 24 scope u32 = 28
 * ```
 *
 * @module
 */

import { formatIPv4, formatIPv6, isV4Mapped, parseIpAddress } from "./ip_address.ts";

/** Linux AF_INET. */
export const AF_INET = 2;
/** Linux AF_INET6. */
export const AF_INET6 = 10;
/** sizeof(struct sockaddr_in). */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct sockaddr_in6); also the name buffer size the loop gives the kernel. */
export const SOCKADDR_IN6_SIZE = 28;

/** A decoded socket address. */
export interface SocketAddress {
  family: "IPv4" | "IPv6";
  address: string;
  port: number;
}

/**
 * Writes `addr` (an IP literal) at `offset` and returns the struct's length. An IPv4
 * address written with `family: "IPv6"` becomes IPv4-mapped (for a dual-stack socket).
 */
export function encodeSockaddr(u8: Uint8Array, offset: number, addr: SocketAddress): number {
  const bytes = parseIpAddress(addr.address);
  if (bytes === undefined) {
    throw new TypeError(`Cannot encode sockaddr: "${addr.address}" is not an IP literal`);
  }
  if (!Number.isInteger(addr.port) || addr.port < 0 || addr.port > 65535) {
    throw new RangeError(`Cannot encode sockaddr: port "${addr.port}" out of range`);
  }
  const head = (family: number) => {
    u8[offset] = family & 0xff;
    u8[offset + 1] = family >> 8;
    u8[offset + 2] = addr.port >> 8;
    u8[offset + 3] = addr.port & 0xff;
  };
  if (addr.family === "IPv4") {
    if (bytes.length !== 4) {
      throw new TypeError(`Cannot encode sockaddr_in: "${addr.address}" is not IPv4`);
    }
    u8.fill(0, offset, offset + SOCKADDR_IN_SIZE);
    head(AF_INET);
    u8.set(bytes, offset + 4);
    return SOCKADDR_IN_SIZE;
  }
  u8.fill(0, offset, offset + SOCKADDR_IN6_SIZE);
  head(AF_INET6);
  if (bytes.length === 4) {
    u8[offset + 18] = u8[offset + 19] = 0xff;
    u8.set(bytes, offset + 20);
  } else {
    u8.set(bytes, offset + 8);
  }
  return SOCKADDR_IN6_SIZE;
}

/**
 * Reads a sockaddr at `offset` into `out` (reused by the hot loop). An IPv4-mapped IPv6
 * source reads as IPv4 (as `Deno.listenDatagram` on "0.0.0.0" would report it).
 * Returns false for a family other than AF_INET/AF_INET6.
 */
export function decodeSockaddr(u8: Uint8Array, offset: number, out: SocketAddress): boolean {
  const family = u8[offset] | (u8[offset + 1] << 8);
  if (family === AF_INET) {
    out.family = "IPv4";
    out.port = (u8[offset + 2] << 8) | u8[offset + 3];
    out.address = formatIPv4(u8, offset + 4);
    return true;
  }
  if (family === AF_INET6) {
    out.port = (u8[offset + 2] << 8) | u8[offset + 3];
    if (isV4Mapped(u8, offset + 8)) {
      out.family = "IPv4";
      out.address = formatIPv4(u8, offset + 20);
    } else {
      out.family = "IPv6";
      out.address = formatIPv6(u8, offset + 8);
    }
    return true;
  }
  return false;
}
