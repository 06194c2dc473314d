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
  /** The handler to build (inside the Worker on the FFI path). */
  spec: HandlerSpec;
  /** "auto" (default): FFI when `ffiUnavailable()` finds nothing against it, else "deno". */
  path?: "auto" | UdpPath;
  /** Largest datagram handled; larger ones are dropped and counted (`loop.oversize`). Default 9216. */
  maxDatagramSize?: number;
  /** Datagrams per recvmmsg/sendmmsg on the FFI path. Default 32. */
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
