/**
 * The running-service interface both paths return, and its options.
 *
 * @module
 */

import type { HandlerSpec } from "./handler.ts";

/** Which loop serves the socket. */
export type UdpPath = "ffi" | "deno";

/** Options of `startUdpService()`. */
export interface UdpServiceOptions {
  /** Address to bind: an IP literal or "localhost" on the FFI path. Default "0.0.0.0". */
  hostname?: string;
  /** UDP port; 0 picks a free one (see `UdpService.port`). */
  port: number;
  /**
   * Linux interface name to tie the socket to (SO_BINDTODEVICE, before the bind; at most
   * 15 bytes). FFI path only: the start rejects, naming the device, when the kernel
   * refuses it (no such device; EPERM on kernels before 5.7 without CAP_NET_RAW).
   * `Deno.listenDatagram` has no socket options, so the "deno" path ignores it: there
   * a caller keeps a service on one interface by binding that interface's address as
   * `hostname` instead (which also stops traffic for other local addresses arriving
   * through the device). Use `resolveUdpPath()` to choose before starting.
   */
  device?: string;
  /** The handler to build (inside the Worker on the FFI path). */
  spec: HandlerSpec;
  /** "auto" (default): FFI when `ffiUnavailable()` finds nothing against it, else "deno". */
  path?: "auto" | UdpPath;
  /** Largest datagram handled; larger ones are dropped and counted (`loop.oversize`). Default 9216. */
  maxDatagramSize?: number;
  /** Datagrams per recvmmsg/sendmmsg on the FFI path. Default 64 (`DEFAULT_BATCH`). */
  batch?: number;
}

/** A running UDP service. */
export interface UdpService {
  /** The bound port. */
  readonly port: number;
  /** The loop actually serving. */
  readonly path: UdpPath;
  /** The handler's counters plus the loop's (`loop.*`). */
  stats(): Promise<Record<string, number | string>>;
  /** Passes `config` to the handler's `reconfigure()` (or rebuilds it if it has none). */
  reconfigure(config: unknown): Promise<void>;
  /** Stops the loop and closes the socket; idempotent. */
  close(): Promise<void>;
}
