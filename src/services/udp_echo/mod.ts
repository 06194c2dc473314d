/**
 * TR-143 UDP echo server (TR-181 `Device.IP.Diagnostics.UDPEchoConfig.`): the pure
 * handler (`handler.ts`) served by the shared UDP path (`../udp/`), and the controller
 * the data-model binding drives.
 *
 * @module
 */

export {
  createHandler,
  dateTimeMicros,
  micros32,
  UDP_ECHO_HANDLER_MODULE,
  type UdpEchoHandlerConfig,
} from "./handler.ts";
export {
  createUdpEchoController,
  UDP_ECHO_DEFAULTS,
  type UdpEchoControllerOptions,
  type UdpEchoServiceController,
} from "./controller.ts";
