/** tomlNamed(): an AgentConfig keyed by its TOML section and key names, for printing. */

import { type AgentConfig, CONFIG_SCHEMA } from "./schema.ts";

/**
 * `config` as the file spells it: `connection_request.rate_limit_requests` rather than
 * `connectionRequest.rateLimitRequests`. A secret shows under its plain key (`password`,
 * whether it came from `password`, `password_file` or `password_env`); derived values
 * that no key sets (the CWMP version) are left out.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "./schema.ts";
 * import { tomlNamed } from "./toml_names.ts";
 * console.assert(tomlNamed(defaultConfig()).connection_request.rate_limit_requests === 60);
 * ```
 */
export function tomlNamed(config: AgentConfig): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [section, spec] of Object.entries(CONFIG_SCHEMA)) {
    const values = config[spec.field] as unknown as Record<string, unknown>;
    const table: Record<string, unknown> = {};
    for (const [key, keySpec] of Object.entries(spec.keys)) {
      if (keySpec.kind.type === "secret" && keySpec.kind.source !== "value") continue;
      table[key] = values[keySpec.field];
    }
    out[section] = table;
  }
  return out;
}
