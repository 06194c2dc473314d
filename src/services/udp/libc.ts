/**
 * The libc calls the FFI loop needs, through `Deno.dlopen`: glibc (`libc.so.6`) or musl
 * (`libc.so`, `ld-musl-<arch>.so.1`), Linux on x86_64 or aarch64 only (constants and
 * struct layouts below are those of both; other targets use the `Deno.listenDatagram`
 * path).
 *
 * @module
 */

import { ffiPrecondition, libcCandidates, openLibcWith } from "../../platform/ffi_libc.ts";

/** Linux socket constants (identical on x86_64 and aarch64). */
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const SO_REUSEADDR = 2;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_RCVTIMEO = 20;
export const SO_BINDTODEVICE = 25;
export const SO_TIMESTAMPNS = 35;
export const IP_RECVTTL = 12;
export const IPV6_V6ONLY = 26;
export const IPV6_RECVHOPLIMIT = 51;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_WAITFORONE = 0x10000;
export const EPERM = 1;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENODEV = 19;
/** IFNAMSIZ - 1: the longest Linux interface name. */
export const MAX_DEVICE_NAME = 15;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The opened library. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

export { errno, libcCandidates, openLibcWith } from "../../platform/ffi_libc.ts";

/** Why the FFI path is unavailable here, or undefined if it can run. */
export function ffiUnavailable(): string | undefined {
  const precondition = ffiPrecondition();
  if (precondition !== undefined) return precondition;
  const lib = openLibc();
  if (lib === undefined) return `No libc found (tried ${libcCandidates().join(", ")})`;
  lib.close();
  return undefined;
}

/** Opens libc, or undefined if none of the candidates loads with every symbol. */
export function openLibc(): Libc | undefined {
  return openLibcWith(SYMBOLS);
}

/** `Deno.UnsafePointer.value()` of a buffer as a bigint (stable while the buffer lives). */
export function addressOf(buf: Uint8Array, offset = 0): bigint {
  const p = Deno.UnsafePointer.of(buf);
  if (p === null) throw new TypeError("Cannot take the address of an empty buffer");
  return BigInt(Deno.UnsafePointer.value(p)) + BigInt(offset);
}
