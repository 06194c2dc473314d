/**
 * `Device.GatewayInfo.` (TR-181 2.17; TR-069 Annex F): the Internet Gateway Device this
 * device sits behind, as the gateway's DHCP server told it in option 125 (enterprise 3561,
 * sub-options 4 ManufacturerOUI, 5 SerialNumber, 6 ProductClass;
 * `services/dhcp/options.ts`). Empty strings until a gateway has been detected.
 *
 * Read-only. All three default to active notification (`forceDefaultEnabled`), so a new
 * gateway opens a `4 VALUE CHANGE` session like any other change.
 *
 * @module
 */

import type { Binding } from "../provider.ts";
import { objectProvider } from "./_table.ts";

/** Supported parameters of `Device.GatewayInfo.`. */
export const GATEWAY_INFO_PARAMETERS: readonly string[] = [
  "ManufacturerOUI",
  "ProductClass",
  "SerialNumber",
];

/** The gateway's identity; "" = none detected. */
export interface GatewayInfoValues {
  manufacturerOui: string;
  productClass: string;
  serialNumber: string;
}

/**
 * Binds `Device.GatewayInfo.` to `read()`.
 *
 * @example
 * ```ts
 * import { bindGatewayInfo } from "./gateway_info.ts";
 * const binding = bindGatewayInfo(() => ({ manufacturerOui: "00D09E", productClass: "", serialNumber: "" }));
 * console.assert(binding.object === "Device.GatewayInfo.");
 * ```
 */
export function bindGatewayInfo(read: () => GatewayInfoValues): Binding {
  return {
    object: "Device.GatewayInfo.",
    parameters: GATEWAY_INFO_PARAMETERS,
    provider: objectProvider(() => Promise.resolve(read()), {
      ManufacturerOUI: (g) => g.manufacturerOui,
      ProductClass: (g) => g.productClass,
      SerialNumber: (g) => g.serialNumber,
    }),
  };
}
