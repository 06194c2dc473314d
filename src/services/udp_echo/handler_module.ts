/**
 * `HandlerSpec.module` of the UDP echo handler, apart from `handler.ts` so that the agent,
 * which only names the module, does not load the handler itself (it runs in the UDP
 * service's worker).
 *
 * @module
 */

import { runtimeModuleUrl } from "../udp/runtime_module.ts";

/** `HandlerSpec.module` of the UDP echo handler. */
export const UDP_ECHO_HANDLER_MODULE: string = runtimeModuleUrl(
  "./handler.ts",
  import.meta.url,
  "udp_echo_handler.js",
);
