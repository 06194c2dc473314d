/**
 * `Device.` itself (TR-181 2.17): only RootDataModelVersion, the data model version the
 * agent implements.
 *
 * Unsupported: InterfaceStackNumberOfEntries.
 *
 * @module
 */

import type { Binding } from "../provider.ts";

/** Options of {@linkcode bindDeviceRoot}. */
export interface DeviceRootOptions {
  /** RootDataModelVersion, e.g. `"2.17"`. */
  readonly rootDataModelVersion: string;
}

/** Supported parameters of `Device.`. */
export const DEVICE_ROOT_PARAMETERS: readonly string[] = ["RootDataModelVersion"];

/** Binds `Device.RootDataModelVersion` to a constant. */
export function bindDeviceRoot(options: DeviceRootOptions): Binding {
  return {
    object: "Device.",
    parameters: DEVICE_ROOT_PARAMETERS,
    provider: { get: (refs) => refs.map(() => options.rootDataModelVersion) },
  };
}
