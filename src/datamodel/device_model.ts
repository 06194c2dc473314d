/**
 * The first slice's data model: the slice schema with `Device.`, `DeviceInfo.` and
 * `ManagementServer.` bound. The agent's composition root calls this; issue #3
 * swaps in the generated schema and adds bindings.
 *
 * @module
 */

import { bindDeviceInfo, type DeviceInfoOptions } from "./objects/device_info.ts";
import { bindDeviceRoot } from "./objects/device_root.ts";
import { bindManagementServer, type ManagementServerOptions } from "./objects/management_server.ts";
import type { Binding } from "./provider.ts";
import { Schema } from "./schema.ts";
import { SLICE_SCHEMA, SLICE_SCHEMA_VERSION } from "./schema_slice.ts";
import { ParameterTree } from "./tree.ts";

/** Options of {@linkcode createDeviceModel}. */
export interface DeviceModelOptions {
  readonly deviceInfo: DeviceInfoOptions;
  readonly managementServer: ManagementServerOptions;
  /** More bindings (must name objects of the slice schema). */
  readonly bindings?: readonly Binding[];
}

/** Builds the slice's {@linkcode ParameterTree}. */
export function createDeviceModel(options: DeviceModelOptions): ParameterTree {
  return new ParameterTree({
    schema: new Schema(SLICE_SCHEMA),
    bindings: [
      bindDeviceRoot({ rootDataModelVersion: SLICE_SCHEMA_VERSION }),
      bindDeviceInfo(options.deviceInfo),
      bindManagementServer(options.managementServer),
      ...(options.bindings ?? []),
    ],
  });
}
