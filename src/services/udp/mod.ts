/**
 * The shared UDP fast path: one `DatagramHandler` served either by a Worker looping on
 * libc recvmmsg/sendmmsg through `Deno.dlopen` ("ffi", ~C speed, reads the TTL) or by
 * `Deno.listenDatagram` ("deno", portable). Services (UDP echo, TWAMP Light) only write
 * the handler.
 *
 * @example
 * ```ts ignore
 * const echo = await startUdpService({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   spec: { module: new URL("../udp_echo/handler.ts", import.meta.url).href, config: {} },
 * });
 * console.log(echo.path, echo.port, await echo.stats());
 * await echo.close();
 * ```
 *
 * @module
 */

import { startDenoPath } from "./deno_path.ts";
import { startFfiPath } from "./ffi_path.ts";
import { ffiUnavailable } from "./libc.ts";
import type { UdpPath, UdpService, UdpServiceOptions } from "./service.ts";

export type { DatagramHandler, DatagramMeta, HandlerModule, HandlerSpec } from "./handler.ts";
export { loadHandler } from "./handler.ts";
export type { UdpPath, UdpService, UdpServiceOptions } from "./service.ts";
export { ffiUnavailable } from "./libc.ts";
export { wallClockNs } from "./deno_path.ts";

/**
 * The loop `startUdpService()` would run for `path`: "auto" is "ffi" when
 * `ffiUnavailable()` finds nothing against it, else "deno". Lets a caller pick how to
 * hold an interface (`device` on "ffi", its address as `hostname` on "deno").
 */
export function resolveUdpPath(path: "auto" | UdpPath = "auto"): UdpPath {
  if (path !== "auto") return path;
  return ffiUnavailable() === undefined ? "ffi" : "deno";
}

/**
 * Binds a UDP socket and serves `options.spec`'s handler on it. With `path: "auto"` the
 * FFI path is used when it can run here (Linux x86_64/aarch64, FFI permission, libc
 * found), else `Deno.listenDatagram`. Rejects when the socket cannot be bound.
 */
export function startUdpService(options: UdpServiceOptions): Promise<UdpService> {
  const path = options.path ?? "auto";
  if (path === "deno") return startDenoPath(options);
  if (path === "ffi") {
    const why = ffiUnavailable();
    if (why !== undefined) return Promise.reject(new Error(why));
    return startFfiPath(options);
  }
  return resolveUdpPath() === "ffi" ? startFfiPath(options) : startDenoPath(options);
}
