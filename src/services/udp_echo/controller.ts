/**
 * The agent's side of `Device.IP.Diagnostics.UDPEchoConfig.`: turns settings into a
 * running UDP service (see `src/datamodel/objects/udp_echo_config.ts`).
 *
 * - Enable false→true: a fresh service, so fresh counters (TR-181).
 * - Port or interface change while enabled: rebind, carrying the counters over; if the
 *   new bind fails the old one is restored and `apply()` throws.
 * - SourceIPAddress / EchoPlusEnabled: reconfigured in place.
 * - Enable true→false: the service stops; its last counters stay readable.
 *
 * @module
 */

import type {
  UdpEchoController,
  UdpEchoSettings,
} from "../../datamodel/objects/udp_echo_config.ts";
import type { UdpPath } from "../udp/mod.ts";
import type { UdpService } from "../udp/service.ts";
import type { UdpEchoHandlerConfig } from "./handler.ts";
import { UDP_ECHO_HANDLER_MODULE } from "./handler_module.ts";

/** Options of {@linkcode createUdpEchoController}. */
export interface UdpEchoControllerOptions {
  /** Settings at start-up (applied by the first `apply()`, or call `apply(initial)`). */
  initial?: UdpEchoSettings;
  /** "auto" (default), "ffi" or "deno"; see `startUdpService()`. */
  path?: "auto" | "ffi" | "deno";
  /**
   * The address to bind for an Interface path (e.g. its IPv4 address); undefined binds
   * all interfaces. Default: "" → "0.0.0.0"; any interface → "0.0.0.0" as well.
   */
  addressOf?(interfacePath: string): Promise<string | undefined>;
  /**
   * The Linux device name of an Interface path (its `Name`). On the FFI path the server
   * then binds "0.0.0.0" tied to that device (SO_BINDTODEVICE), so it answers every
   * address the interface has; without a device, or on the deno path (no socket
   * options), it binds `addressOf()` as before.
   */
  deviceOf?(interfacePath: string): Promise<string | undefined>;
}

/** Default settings: disabled, port 7 (RFC 862), no filter, Echo Plus off. */
export const UDP_ECHO_DEFAULTS: UdpEchoSettings = {
  enable: false,
  interface: "",
  sourceIPAddress: "",
  udpPort: 7,
  echoPlusEnabled: false,
};

/** A controller that runs the echo server with `startUdpService()`. */
export interface UdpEchoServiceController extends UdpEchoController {
  /** The running service, if enabled (tests, bench). */
  readonly service: UdpService | undefined;
  /** Stops the service (agent shutdown); the settings stay. */
  close(): Promise<void>;
}

/** Creates the controller; nothing runs until `apply()` enables it. */
export function createUdpEchoController(
  options: UdpEchoControllerOptions = {},
): UdpEchoServiceController {
  let state: UdpEchoSettings = options.initial ?? UDP_ECHO_DEFAULTS;
  let service: UdpService | undefined;
  let last: Record<string, number | string> = {};
  let queue: Promise<unknown> = Promise.resolve();

  const handlerConfig = (s: UdpEchoSettings, resume?: Record<string, number | string>) =>
    ({
      sourceIPAddress: s.sourceIPAddress,
      echoPlusEnabled: s.echoPlusEnabled,
      resume,
    }) satisfies UdpEchoHandlerConfig;

  // Loaded and decided when the server first starts: the UDP module, and finding out the
  // path (which loads libc through FFI), stay out of an agent whose echo server stays off.
  let udp: typeof import("../udp/mod.ts") | undefined;
  let resolved: UdpPath | undefined;
  const pathNow = async () => {
    udp ??= await import("../udp/mod.ts");
    return resolved ??= udp.resolveUdpPath(options.path);
  };
  const bindOf = async (iface: string): Promise<{ hostname: string; device?: string }> => {
    if (iface === "") return { hostname: "0.0.0.0" };
    const device = await pathNow() === "ffi" ? await options.deviceOf?.(iface) : undefined;
    if (device) return { hostname: "0.0.0.0", device };
    return { hostname: (await options.addressOf?.(iface)) ?? "0.0.0.0" };
  };

  const start = async (s: UdpEchoSettings, resume?: Record<string, number | string>) => {
    const path = await pathNow();
    return await udp!.startUdpService({
      ...await bindOf(s.interface),
      port: s.udpPort,
      path,
      spec: { module: UDP_ECHO_HANDLER_MODULE, config: handlerConfig(s, resume) },
    });
  };

  const applyNow = async (next: UdpEchoSettings): Promise<void> => {
    const prev = state;
    if (!next.enable) {
      if (service) {
        last = await service.stats();
        await service.close();
        service = undefined;
      }
    } else if (!service) {
      service = await start(next); // false→true (or first start): fresh counters
      last = {};
    } else if (next.udpPort !== prev.udpPort || next.interface !== prev.interface) {
      const carried = await service.stats();
      await service.close();
      try {
        service = await start(next, carried);
      } catch (e) {
        service = await start(prev, carried).catch(() => undefined);
        throw e;
      }
    } else if (
      next.sourceIPAddress !== prev.sourceIPAddress ||
      next.echoPlusEnabled !== prev.echoPlusEnabled
    ) {
      await service.reconfigure(handlerConfig(next));
    }
    state = next;
  };

  return {
    get state() {
      return state;
    },
    get service() {
      return service;
    },
    apply(next: UdpEchoSettings): Promise<void> {
      const run = queue.then(() => applyNow(next));
      queue = run.catch(() => {});
      return run;
    },
    async stats() {
      await queue;
      return service ? await service.stats() : last;
    },
    async close() {
      await queue;
      if (service) {
        last = await service.stats();
        await service.close();
        service = undefined;
      }
    },
  };
}
