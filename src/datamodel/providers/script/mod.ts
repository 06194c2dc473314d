/**
 * The script provider: TR-181 objects answered by integrator commands, in batches, as
 * a mapping file describes (format: `config/openwrt-mapping.toml`; loader:
 * `src/config/mapping.ts`). Pure: the process runner is injected; the real one is
 * `command_runner.ts`, which this module does not re-export.
 *
 * @module
 */

export * from "./mapping.ts";
export * from "./runner.ts";
export * from "./protocol.ts";
export * from "./script_bindings.ts";
