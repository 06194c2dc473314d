/**
 * RPC semantics of TR-069 Annex A, one file per RPC, and the dispatcher that maps
 * domain errors to Faults. Never builds XML.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./get_parameter_values.ts";
export * from "./get_parameter_names.ts";
export * from "./set_parameter_values.ts";
export * from "./dispatch.ts";
export * from "./add_object.ts";
export * from "./delete_object.ts";
export * from "./get_parameter_attributes.ts";
export * from "./set_parameter_attributes.ts";
export * from "./response_budget.ts";
export * from "./download.ts";
