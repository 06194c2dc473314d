/**
 * The TR-181 data model: paths, schema, validation, providers and the parameter tree.
 * Pure: no I/O, no clock (time and system facts come through providers).
 *
 * @module
 */

export * from "./errors.ts";
export * from "./path.ts";
export * from "./schema.ts";
export * from "./xsi_type.ts";
export * from "./date_time.ts";
export * from "./validate.ts";
export * from "./provider.ts";
export * from "./transaction.ts";
export * from "./tree.ts";
export * from "./providers/memory.ts";
export * from "./objects/device_root.ts";
export * from "./objects/device_info.ts";
export * from "./objects/vendor_files.ts";
export * from "./objects/management_server.ts";
export * from "./objects/heartbeat_policy.ts";
export * from "./device_model.ts";
export * from "./instance_numbers.ts";
export * from "./providers/persisted.ts";
export * from "./attributes.ts";
export * from "./null_value.ts";
