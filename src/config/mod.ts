/**
 * Agent configuration: the AgentConfig type and defaults, the TOML loader, and
 * redaction for printing.
 *
 * @example
 * ```ts
 * import { loadConfig, redactConfig } from "./mod.ts";
 * const cfg = loadConfig('[connection_request]\nport = 30005\n', { file: "cwmp.toml" });
 * console.assert(redactConfig(cfg).connectionRequest.port === 30005);
 * ```
 *
 * @module
 */

export * from "./schema.ts";
export { ConfigError, type ConfigErrorOptions } from "./config_error.ts";
export {
  type ConfigOrigin,
  configOrigin,
  loadConfig,
  type LoadConfigOptions,
  readConfigFile,
} from "./load.ts";
export { canonicalIp, checkStartConfig, type StartCheckOptions } from "./start_checks.ts";
export { tomlNamed } from "./toml_names.ts";
export { redactConfig, REDACTED } from "./redact.ts";
