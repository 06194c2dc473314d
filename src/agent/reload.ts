/**
 * `cwmp-agent reload`: what a re-read configuration changes, key by TOML name. Applied at
 * run time: the ManagementServer values the configuration seeds (ACS URL and credentials,
 * periodic Inform settings, retry settings, connection-request credentials, ParameterKey,
 * ProvisioningCode, the lightweight-notification settings), which reach the engine as a settings change (a new ACS URL raises
 * `0 BOOTSTRAP`), and `log.severity`. Everything else (ports, bind addresses, the state
 * directory, TLS files, commands, the mapping file, the device identity…) is read once at
 * start: the answer lists those keys as needing a restart. Never a value: some are secrets.
 *
 * @module
 */

import { type AgentConfig, CONFIG_SCHEMA } from "../config/mod.ts";

/** TOML keys (`section.key`) applied without a restart. */
export const RELOADABLE_KEYS: readonly string[] = [
  "acs.url",
  "acs.username",
  "acs.password",
  "acs.periodic_inform_enable",
  "acs.periodic_inform_interval",
  "acs.periodic_inform_time",
  "acs.parameter_key",
  "acs.retry_min_wait_interval",
  "acs.retry_interval_multiplier",
  "connection_request.username",
  "connection_request.password",
  "cpe.provisioning_code",
  "lwn.enable",
  "lwn.hostname",
  "lwn.port",
  "lwn.trigger_interval",
  "lwn.trigger_time",
  "log.severity",
];

/** The changed keys of a reload, split by how they take effect. */
export interface ConfigChanges {
  /** Applied now. */
  applied: string[];
  /** Changed in the file, in effect only after a restart. */
  restart: string[];
}

/**
 * The TOML keys whose values differ between `before` and `after`, by how they take effect.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadConfig } from "../config/mod.ts";
 * import { configChanges } from "./reload.ts";
 * const a = loadConfig('[acs]\nurl = "http://a/"\n', { file: "a.toml" });
 * const b = loadConfig('[acs]\nurl = "http://b/"\n[connection_request]\nport = 7548\n', {
 *   file: "b.toml",
 * });
 * assert.deepEqual(configChanges(a, b), {
 *   applied: ["acs.url"],
 *   restart: ["connection_request.port"],
 * });
 * ```
 */
export function configChanges(before: AgentConfig, after: AgentConfig): ConfigChanges {
  const changes: ConfigChanges = { applied: [], restart: [] };
  for (const [section, spec] of Object.entries(CONFIG_SCHEMA)) {
    const was = before[spec.field] as unknown as Record<string, unknown>;
    const now = after[spec.field] as unknown as Record<string, unknown>;
    const seen = new Set<string>();
    for (const [key, keySpec] of Object.entries(spec.keys)) {
      // `password`, `password_file` and `password_env` fill one field: named once.
      if (seen.has(keySpec.field)) continue;
      seen.add(keySpec.field);
      if (JSON.stringify(was[keySpec.field]) === JSON.stringify(now[keySpec.field])) continue;
      const name = `${section}.${key}`;
      (RELOADABLE_KEYS.includes(name) ? changes.applied : changes.restart).push(name);
    }
  }
  return changes;
}
