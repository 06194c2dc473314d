/**
 * The device's data model: the generated TR-181 schema (`Device.`, default) or TR-098
 * (`InternetGatewayDevice.`, icwmp's `datamodel` option) with DeviceInfo and
 * ManagementServer bound, plus whatever bindings the agent adds. Only objects with a
 * binding appear in the tree.
 *
 * The DeviceInfo/ManagementServer bindings are written for `Device.`; on TR-098 they
 * are moved under `InternetGatewayDevice.` and keep only the parameters TR-098 has
 * (RootDataModelVersion does not exist there).
 *
 * @module
 */

import { bindHeartbeatPolicy } from "./objects/heartbeat_policy.ts";
import { TR181_MODEL, tr181Schema } from "./generated/tr181.ts";
import type { InstanceNumbers } from "./instance_numbers.ts";
import { bindDeviceInfo, type DeviceInfoOptions } from "./objects/device_info.ts";
import { bindDeviceRoot } from "./objects/device_root.ts";
import { bindManagementServer, type ManagementServerOptions } from "./objects/management_server.ts";
import type { Binding } from "./provider.ts";
import type { Schema } from "./schema.ts";
import { type AliasOptions, ParameterTree } from "./tree.ts";

/** Which data model the agent exposes (icwmp `cpe.datamodel`). */
export type DataModelRoot = "tr181" | "tr098";

/** Options of {@linkcode createDeviceModel}. */
export interface DeviceModelOptions {
  readonly deviceInfo: DeviceInfoOptions;
  readonly managementServer: ManagementServerOptions;
  /** More bindings, on objects of the chosen schema (patterns under its root). */
  readonly bindings?: readonly Binding[];
  /** Default "tr181". */
  readonly root?: DataModelRoot;
  /** Where AddObject takes instance numbers from (persist them); default in memory. */
  readonly instanceNumbers?: InstanceNumbers;
  /** Alias-based addressing; absent = off. */
  readonly alias?: AliasOptions;
  /**
   * Builds each object below the root when first reached (`ParameterTree`'s `lazy`);
   * default true. The built-in bindings are checked by the tests, a mapping file's at load.
   */
  readonly lazy?: boolean;
}

const ROOT_OBJECT: Record<DataModelRoot, string> = {
  tr181: "Device.",
  tr098: "InternetGatewayDevice.",
};

/**
 * TR-098's model name, as `generated/tr098.ts` has it (a test keeps them equal): that module
 * is loaded only for a TR-098 agent ({@linkcode loadDeviceSchema}).
 */
export const TR098_MODEL_NAME = "InternetGatewayDevice:1.14";

const MODEL_NAME: Record<DataModelRoot, string> = { tr181: TR181_MODEL, tr098: TR098_MODEL_NAME };

let tr098: Schema | undefined;

/** The root object of `root`: `Device.` or `InternetGatewayDevice.`. */
export function rootObjectOf(root: DataModelRoot): string {
  return ROOT_OBJECT[root];
}

/** The model version, e.g. `"2.17"` for TR-181 `Device:2.17`. */
export function modelVersionOf(root: DataModelRoot): string {
  return MODEL_NAME[root].slice(MODEL_NAME[root].indexOf(":") + 1);
}

/**
 * Loads the generated schema of `root` (TR-098's is a module of its own, loaded only for a
 * TR-098 agent) and returns it as {@linkcode deviceSchema} does.
 */
export async function loadDeviceSchema(root: DataModelRoot = "tr181"): Promise<Schema> {
  if (root === "tr098") tr098 ??= (await import("./generated/tr098.ts")).tr098Schema();
  return deviceSchema(root);
}

/**
 * The full generated schema of `root`, indexed once per process; an object is decoded
 * when first asked for. TR-098's must have been loaded by {@linkcode loadDeviceSchema}.
 *
 * @throws {Error} for TR-098 before it is loaded.
 */
export function deviceSchema(root: DataModelRoot = "tr181"): Schema {
  if (root === "tr181") return tr181Schema();
  if (tr098 === undefined) {
    throw new Error('The TR-098 schema is not loaded: await loadDeviceSchema("tr098") first');
  }
  return tr098;
}

/** Where SPV/AddObject/DeleteObject store ParameterKey under `root`. */
export function parameterKeyPathOf(root: DataModelRoot): string {
  return `${ROOT_OBJECT[root]}ManagementServer.ParameterKey`;
}

/** Builds the {@linkcode ParameterTree} of the device. */
export function createDeviceModel(options: DeviceModelOptions): ParameterTree {
  const root = options.root ?? "tr181";
  const schema = deviceSchema(root);
  const own = [
    ...(root === "tr181" ? [bindDeviceRoot({ rootDataModelVersion: modelVersionOf(root) })] : []),
    bindDeviceInfo(options.deviceInfo),
    bindManagementServer(options.managementServer),
    ...(root === "tr181" ? [bindHeartbeatPolicy(options.managementServer.store)] : []),
  ];
  return new ParameterTree({
    schema,
    bindings: [
      ...own.map((binding) => moveBinding(binding, schema, ROOT_OBJECT[root])),
      ...(options.bindings ?? []),
    ],
    instanceNumbers: options.instanceNumbers,
    alias: options.alias,
    lazy: options.lazy ?? true,
  });
}

/** `binding` (written for `Device.`) under `rootObject`, keeping what `schema` has. */
export function moveBinding(binding: Binding, schema: Schema, rootObject: string): Binding {
  const object = rootObject + binding.object.slice("Device.".length);
  // Also under Device.: a parameter one root lacks (ManagementServer's
  // UDPConnectionRequestAddressNotificationLimit is TR-098 only) is not bound.
  return {
    ...binding,
    object,
    parameters: binding.parameters.filter((name) => schema.parameter(object + name)),
  };
}
