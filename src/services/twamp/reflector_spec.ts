/**
 * The `HandlerSpec` of the TWAMP-Light reflector: where `services/udp` loads the reflector
 * from, and its config. Apart from `reflector.ts` so that the agent, which only names the
 * module, does not load the reflector itself (it runs in the UDP service's worker).
 *
 * @module
 */

import type { HandlerSpec } from "../udp/handler.ts";
import { runtimeModuleUrl } from "../udp/runtime_module.ts";
import type { TwampReflectorConfig } from "./reflector.ts";

/** The `HandlerSpec` that serves a reflector with `config` (for `startUdpService()`). */
export function twampReflectorSpec(config: TwampReflectorConfig = {}): HandlerSpec {
  return {
    module: runtimeModuleUrl("./reflector.ts", import.meta.url, "twamp_reflector.js"),
    config,
  };
}
